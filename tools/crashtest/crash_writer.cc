#include "tools/crashtest/crash_writer.h"

#include <unistd.h>

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "tools/bench/dedicated_channel.h"

namespace ctxgraph::crashtest {
namespace {

using bench::PrepareContext;

absl::Status FromGrpc(const grpc::Status& status, const std::string& what) {
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                      absl::StrCat(what, ": ", status.error_message()));
}

// The node `id` as the server shows it: props, version and LINKS edges.
absl::StatusOr<NodeState> ReadNode(v1::GraphService::Stub& stub, const std::string& token,
                                   const std::string& id) {
  NodeState state;
  v1::GetNodeRequest get;
  get.set_id(id);
  v1::GetNodeResponse node;
  {
    grpc::ClientContext context;
    PrepareContext(token, &context);
    const grpc::Status s = stub.GetNode(&context, get, &node);
    if (s.error_code() == grpc::StatusCode::NOT_FOUND) return state;
    if (!s.ok()) return FromGrpc(s, absl::StrCat("GetNode ", id));
  }
  state.exists = true;
  state.labels.assign(node.node().labels().begin(), node.node().labels().end());
  std::sort(state.labels.begin(), state.labels.end());
  for (const auto& [key, value] : node.node().props()) {
    state.props[key] = value.has_string_value() ? value.string_value() : "<not a string>";
  }
  state.version = node.node().provenance().version();

  v1::ListNeighborsRequest list;
  list.set_id(id);
  list.set_direction(v1::DIRECTION_OUT);
  list.add_edge_labels(kLinkLabel);
  list.set_page_size(1000);  // a crash-test node links to at most two others
  v1::ListNeighborsResponse neighbors;
  grpc::ClientContext context;
  PrepareContext(token, &context);
  const grpc::Status s = stub.ListNeighbors(&context, list, &neighbors);
  if (!s.ok()) return FromGrpc(s, absl::StrCat("ListNeighbors ", id));
  for (const v1::Neighbor& n : neighbors.neighbors()) {
    auto batch = n.edge().props().find("batch");
    state.out[n.edge().to()] =
        EdgeState{n.edge().provenance().version(),
                  batch == n.edge().props().end() ? "" : batch->second.string_value()};
  }
  return state;
}

}  // namespace

void AckLog::Record(const std::string& batch, uint64_t version, const std::string& outcome) {
  const std::string line = absl::StrCat(batch, " ", version, " ", outcome, "\n");
  std::lock_guard<std::mutex> lock(mu_);
  // Best effort by design: the log is for a person reading after a failure;
  // the check itself uses the writers' models.
  if (write(fd_, line.data(), line.size()) < 0) return;
}

void CrashWriter::WriteUntilKilled(v1::GraphService::Stub& stub, const std::string& token,
                                   const std::atomic<bool>& killed, AckLog& log) {
  while (error_.empty()) {
    if (!in_flight_) in_flight_ = model_.NextBatch(rng_);
    v1::WriteResponse response;
    grpc::ClientContext context;
    PrepareContext(token, &context);
    const grpc::Status s = stub.Write(&context, in_flight_->request, &response);
    if (!s.ok()) {
      // Unanswered: the next check settles it. Before the kill it is a bug.
      if (!killed.load()) {
        error_ = absl::StrCat("batch ", in_flight_->id,
                              ": Write failed before the kill: ", FromGrpc(s, "Write").ToString());
      }
      return;
    }
    if (!response.committed() || response.version() <= last_version_) {
      error_ = absl::StrCat("batch ", in_flight_->id, ": Write answered version ",
                            response.version(), " committed=", response.committed(),
                            " after this writer's version ", last_version_);
      return;
    }
    log.Record(in_flight_->id, response.version(), "acked");
    model_.Apply(*in_flight_, response.version());
    unchecked_.insert(in_flight_->touched.begin(), in_flight_->touched.end());
    last_version_ = response.version();
    ++acked_;
    in_flight_.reset();
  }
}

absl::StatusOr<CheckResult> CrashWriter::Check(v1::GraphService::Stub& stub,
                                               const std::string& token, bool everything,
                                               AckLog& log) {
  CheckResult result;
  std::set<std::string> ids = everything ? model_.written() : unchecked_;
  std::optional<WriterModel> applied;  // the model if the unanswered batch committed
  if (in_flight_) {
    ids.insert(in_flight_->touched.begin(), in_flight_->touched.end());
    applied = model_;
    applied->Apply(*in_flight_, kPendingVersion);
  }
  uint64_t pending = 0;  // the unanswered batch's version, once seen
  int as_applied = 0, as_absent = 0;
  std::vector<std::string> details;  // the unanswered batch, node by node
  for (const std::string& id : ids) {
    absl::StatusOr<NodeState> actual = ReadNode(stub, token, id);
    if (!actual.ok()) return actual.status();
    ++result.nodes_checked;
    const NodeState expected = model_.Expected(id);
    if (!in_flight_ || in_flight_->touched.count(id) == 0) {
      uint64_t unused = 0;
      if (!Matches(expected, *actual, &unused)) {
        result.losses.push_back(absl::StrCat(id, ": expected ", Describe(expected),
                                             "; the server has ", Describe(*actual)));
      }
      continue;
    }
    uint64_t candidate = pending;
    const bool is_applied = Matches(applied->Expected(id), *actual, &candidate);
    uint64_t unused = 0;
    const bool is_absent = Matches(expected, *actual, &unused);
    if (is_applied) pending = candidate;
    as_applied += is_applied && !is_absent;
    as_absent += is_absent && !is_applied;
    details.push_back(absl::StrCat(id,
                                   is_applied  ? " applied"
                                   : is_absent ? " absent"
                                               : " neither",
                                   ": the server has ", Describe(*actual)));
  }
  if (in_flight_) {
    const int touched = static_cast<int>(in_flight_->touched.size());
    if (as_applied == touched && pending > last_version_) {
      log.Record(in_flight_->id, pending, "committed");
      model_.Apply(*in_flight_, pending);
      last_version_ = pending;
      ++result.unacked_committed;
    } else if (as_absent == touched) {
      log.Record(in_flight_->id, 0, "absent");
      ++result.unacked_absent;
    } else {
      std::string message =
          absl::StrCat("unanswered batch ", in_flight_->id, ": ", as_applied, " of ", touched,
                       " nodes as if applied (version ", pending, ", last acknowledged ",
                       last_version_, "), ", as_absent, " as if not");
      for (const std::string& d : details) absl::StrAppend(&message, "\n    ", d);
      result.half_applied.push_back(std::move(message));
    }
    in_flight_.reset();
  }
  unchecked_.clear();
  return result;
}

}  // namespace ctxgraph::crashtest
