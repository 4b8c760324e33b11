#include "tools/crashtest/writer_model.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace ctxgraph::crashtest {
namespace {

constexpr int kNewNodesPerBatch = 3;

bool VersionMatches(uint64_t expected, uint64_t actual, uint64_t* pending) {
  if (expected != kPendingVersion) return expected == actual;
  if (*pending == 0) *pending = actual;
  return *pending == actual;
}

void SetStringProp(google::protobuf::Map<std::string, v1::Value>* props, const std::string& key,
                   const std::string& value) {
  (*props)[key].set_string_value(value);
}

}  // namespace

std::string Describe(const NodeState& state) {
  if (!state.exists) return "absent";
  std::string out = absl::StrCat("labels [", absl::StrJoin(state.labels, ","), "] props {",
                                 absl::StrJoin(state.props, ",", absl::PairFormatter("=")),
                                 "} version ", state.version, " out [");
  for (const auto& [to, edge] : state.out) {
    absl::StrAppend(&out, " ", to, "@", edge.version, "(", edge.batch, ")");
  }
  return absl::StrCat(out, " ]");
}

bool Matches(const NodeState& expected, const NodeState& actual, uint64_t* pending) {
  if (expected.exists != actual.exists) return false;
  if (!expected.exists) return true;
  if (expected.labels != actual.labels || expected.props != actual.props) return false;
  if (!VersionMatches(expected.version, actual.version, pending)) return false;
  if (expected.out.size() != actual.out.size()) return false;
  for (const auto& [to, edge] : expected.out) {
    auto it = actual.out.find(to);
    if (it == actual.out.end() || it->second.batch != edge.batch ||
        !VersionMatches(edge.version, it->second.version, pending)) {
      return false;
    }
  }
  return true;
}

std::string WriterModel::TypeLabel() const { return absl::StrCat("CrashW", writer_); }

const std::string& WriterModel::PickLive(std::mt19937_64& rng) const {
  return live_ids_[rng() % live_ids_.size()];
}

Batch WriterModel::NextBatch(std::mt19937_64& rng) {
  Batch batch;
  const uint64_t seq = next_seq_++;
  batch.id = absl::StrFormat("w%d-b%06d", writer_, seq);
  v1::WriteRequest& request = batch.request;
  request.set_description(batch.id);
  auto add_node = [&](const std::string& id, const std::map<std::string, std::string>& props) {
    v1::Node* node = request.add_ops()->mutable_upsert_node();
    node->set_id(id);
    node->add_labels("Crash");
    node->add_labels(TypeLabel());
    for (const auto& [key, value] : props) SetStringProp(node->mutable_props(), key, value);
    batch.touched.insert(id);
  };
  auto add_edge = [&](const std::string& from, const std::string& to) {
    v1::Edge* edge = request.add_ops()->mutable_upsert_edge();
    edge->set_from(from);
    edge->set_label(kLinkLabel);
    edge->set_to(to);
    SetStringProp(edge->mutable_props(), "batch", batch.id);
    batch.touched.insert(from);
  };

  std::vector<std::string> fresh;
  for (int i = 0; i < kNewNodesPerBatch; ++i) {
    fresh.push_back(absl::StrCat(batch.id, "-n", i));
    add_node(fresh.back(), {{"batch", batch.id},
                            {"idx", absl::StrCat(i)},
                            {"rev", "0"},
                            {"text", absl::StrCat("crash test node ", i, " of ", batch.id)}});
  }
  for (int i = 0; i + 1 < kNewNodesPerBatch; ++i) add_edge(fresh[i], fresh[i + 1]);
  if (live_ids_.empty()) return batch;

  // Older nodes: one to link to, maybe one to update, maybe one to delete,
  // all different.
  std::set<std::string> used;
  const std::string target = PickLive(rng);
  used.insert(target);
  add_edge(fresh.back(), target);
  if (live_ids_.size() >= 2 && rng() % 2 == 0) {
    const std::string updated = PickLive(rng);
    if (used.insert(updated).second) {
      std::map<std::string, std::string> props = nodes_.at(updated).props;
      props["rev"] = absl::StrCat(seq);
      props["updated_by"] = batch.id;
      add_node(updated, props);
    }
  }
  if (live_ids_.size() >= 3 && rng() % 5 == 0) {
    const std::string deleted = PickLive(rng);
    if (used.insert(deleted).second) {
      request.add_ops()->set_delete_node(deleted);
      batch.touched.insert(deleted);
      if (auto it = in_.find(deleted); it != in_.end()) {
        batch.touched.insert(it->second.begin(), it->second.end());
      }
    }
  }
  return batch;
}

void WriterModel::Apply(const Batch& batch, uint64_t version) {
  for (const v1::WriteOp& op : batch.request.ops()) {
    if (op.has_upsert_node()) {
      const v1::Node& node = op.upsert_node();
      NodeState& state = nodes_[node.id()];
      state.exists = true;
      state.labels.assign(node.labels().begin(), node.labels().end());
      std::sort(state.labels.begin(), state.labels.end());
      state.props.clear();
      for (const auto& [key, value] : node.props()) state.props[key] = value.string_value();
      state.version = version;  // edges stay: an upsert rewrites the node only
      written_.insert(node.id());
      if (live_pos_.emplace(node.id(), live_ids_.size()).second) live_ids_.push_back(node.id());
    } else if (op.has_upsert_edge()) {
      const v1::Edge& edge = op.upsert_edge();
      nodes_.at(edge.from()).out[edge.to()] =
          EdgeState{version, edge.props().at("batch").string_value()};
      in_[edge.to()].insert(edge.from());
    } else if (op.has_delete_node()) {
      Erase(op.delete_node());
    }
  }
}

void WriterModel::Erase(const std::string& id) {
  auto node = nodes_.find(id);
  if (node == nodes_.end()) return;
  for (const auto& [to, edge] : node->second.out) in_[to].erase(id);
  if (auto in = in_.find(id); in != in_.end()) {
    for (const std::string& from : in->second) nodes_.at(from).out.erase(id);
    in_.erase(in);
  }
  nodes_.erase(node);
  const size_t pos = live_pos_.at(id);
  live_pos_[live_ids_.back()] = pos;
  std::swap(live_ids_[pos], live_ids_.back());
  live_ids_.pop_back();
  live_pos_.erase(id);
}

NodeState WriterModel::Expected(const std::string& id) const {
  auto it = nodes_.find(id);
  return it == nodes_.end() ? NodeState{} : it->second;
}

}  // namespace ctxgraph::crashtest
