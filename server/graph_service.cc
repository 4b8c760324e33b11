#include "server/graph_service.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <optional>

#include "absl/strings/str_cat.h"
#include "query/graph_reader.h"
#include "query/validation.h"
#include "server/logging.h"
#include "server/metrics.h"
#include "server/proto_convert.h"
#include "server/rpc_handler.h"
#include "storage/status_macros.h"

namespace ctxgraph::server {
namespace {

// How long past --max-request-seconds an Import stream that sends nothing
// is cancelled: one that keeps sending gets the named DEADLINE_EXCEEDED at
// its next message first.
constexpr std::chrono::seconds kIdleStreamGrace{1};

// Reports one import stream to ServerMetrics while it runs: that it is in
// progress, and what its ops came to since the last report. A bulk import's
// writes count once it has committed: until then, an abort takes them back,
// and a counter never goes down.
class ImportMeter {
 public:
  explicit ImportMeter(bool bulk) : metrics_(ServerMetrics::Global()), bulk_(bulk) {
    metrics_.imports_in_progress.Add(1);
  }
  ~ImportMeter() { metrics_.imports_in_progress.Add(-1); }
  ImportMeter(const ImportMeter&) = delete;
  ImportMeter& operator=(const ImportMeter&) = delete;

  // `finished`: `totals` are the import's final ones (ImportResult).
  void Report(const ImportResult& totals, bool finished = false) {
    metrics_.import_ops_received.Add(totals.ops_received - received_);
    metrics_.import_ops_rejected.Add(totals.rejected - rejected_);
    received_ = totals.ops_received;
    rejected_ = totals.rejected;
    if (bulk_ && !finished) return;
    const uint64_t written =
        totals.nodes_written + totals.edges_written + totals.deleted + totals.labels_defined;
    metrics_.import_ops_written.Add(written - written_);
    written_ = written;
  }

 private:
  ServerMetrics& metrics_;
  const bool bulk_;
  uint64_t received_ = 0;
  uint64_t written_ = 0;
  uint64_t rejected_ = 0;
};

// A non-bulk import commits message by message: an error ends its stream,
// and what the messages before it committed stays. The error says how much,
// so the caller knows where the store is. Not a failed authentication's,
// whose message is the same whatever the call.
absl::Status WithEarlierCommits(absl::Status st, bool bulk, const ImportResult& progress) {
  if (st.ok() || bulk || progress.commits == 0 || absl::IsUnauthenticated(st)) return st;
  return absl::Status(st.code(),
                      absl::StrCat(st.message(), " (", progress.commits,
                                   progress.commits == 1 ? " batch" : " batches",
                                   " of this import committed before it, up to version ",
                                   progress.version, "; re-running the import converges)"));
}

}  // namespace

grpc::ServerUnaryReactor* GraphServiceImpl::Write(grpc::CallbackServerContext* context,
                                                  const v1::WriteRequest* request,
                                                  v1::WriteResponse* response) {
  return HandleUnary(context, backend_, "Write", [&](const Caller& caller) {
    RETURN_IF_ERROR(GraphWriter::CheckRole(caller));
    // Before decoding: a refused batch costs no more than its bytes.
    RETURN_IF_ERROR(CheckBatchOps(request->ops_size(), backend_.writer.max_batch_ops()));
    ASSIGN_OR_RETURN(std::vector<Mutation> mutations, MutationsFromProto(*request));
    ASSIGN_OR_RETURN(WriteResult result,
                     backend_.writer.Write(caller, std::move(mutations), request->description()));
    response->set_version(result.version);
    response->set_committed(result.committed);
    response->set_nodes_written(result.nodes_written);
    response->set_edges_written(result.edges_written);
    response->set_deleted(result.deleted);
    response->set_unchanged(result.unchanged);
    response->set_labels_defined(result.labels_defined);
    if (result.committed) {
      spdlog::info("commit request_id={} version={} principal={} ops={}", CurrentRequestId(),
                   result.version, LogValue(caller.principal.id), request->ops_size());
    }
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* GraphServiceImpl::GetNode(grpc::CallbackServerContext* context,
                                                    const v1::GetNodeRequest* request,
                                                    v1::GetNodeResponse* response) {
  return HandleUnary(context, backend_, "GetNode", [&](const Caller& caller) {
    GraphReader reader(backend_.graph, backend_.page_tokens, caller);
    ASSIGN_OR_RETURN(NodeRead read, reader.GetNode(request->id(), request->as_of_version()));
    backend_.wire_nodes.AddNodeField(read.node, v1::GetNodeResponse::kNodeFieldNumber, response);
    response->set_snapshot_version(read.version);
    ReturnItems(1);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* GraphServiceImpl::ListNodes(grpc::CallbackServerContext* context,
                                                      const v1::ListNodesRequest* request,
                                                      v1::ListNodesResponse* response) {
  return HandleUnary(context, backend_, "ListNodes", [&](const Caller& caller) {
    GraphReader reader(backend_.graph, backend_.page_tokens, caller);
    ASSIGN_OR_RETURN(NodePage page,
                     reader.ListNodes(request->label(), request->page_size(), request->page_token(),
                                      request->as_of_version()));
    for (const auto& node : page.nodes) {
      backend_.wire_nodes.AddNodeField(node, v1::ListNodesResponse::kNodesFieldNumber, response);
    }
    ReturnItems(page.nodes.size());
    response->set_next_page_token(page.next_page_token);
    response->set_snapshot_version(page.version);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* GraphServiceImpl::ListNeighbors(grpc::CallbackServerContext* context,
                                                          const v1::ListNeighborsRequest* request,
                                                          v1::ListNeighborsResponse* response) {
  return HandleUnary(context, backend_, "ListNeighbors", [&](const Caller& caller) {
    if (!v1::Direction_IsValid(request->direction())) {
      return absl::InvalidArgumentError(
          absl::StrCat("direction: unknown direction ", request->direction()));
    }
    GraphReader reader(backend_.graph, backend_.page_tokens, caller);
    RETURN_IF_ERROR(CheckLabelFilterSize("edge_labels", request->edge_labels_size()));
    std::vector<std::string> labels(request->edge_labels().begin(), request->edge_labels().end());
    ASSIGN_OR_RETURN(NeighborPage page,
                     reader.ListNeighbors(request->id(), DirectionFromProto(request->direction()),
                                          std::move(labels), request->page_size(),
                                          request->page_token(), request->as_of_version()));
    for (const auto& n : page.neighbors) {
      v1::Neighbor* out = response->add_neighbors();
      backend_.wire_edges.AddEdgeField(n.edge, v1::Neighbor::kEdgeFieldNumber, out);
      backend_.wire_nodes.AddNodeField(n.node, v1::Neighbor::kNodeFieldNumber, out);
      out->set_direction(n.direction == EdgeDirection::kOut ? v1::DIRECTION_OUT : v1::DIRECTION_IN);
    }
    ReturnItems(page.neighbors.size());
    response->set_next_page_token(page.next_page_token);
    response->set_snapshot_version(page.version);
    return absl::OkStatus();
  });
}

grpc::Status GraphServiceImpl::Import(grpc::ServerContext* context,
                                      grpc::ServerReader<v1::ImportRequest>* reader,
                                      v1::ImportResponse* response) {
  return HandleRpc(context, backend_, "Import", [&](const Caller& caller) {
    // The cap: a stream that keeps sending is ended at its next message past
    // it; one that sends nothing, not even its first message, or waits in
    // Begin behind another bulk import, is cancelled by the watchdog a little
    // later (its client sees CANCELLED). Watched from the start, since the
    // call holds an admission ticket from the start.
    const int cap_seconds = backend_.limits.max_request_seconds;
    const auto cap_at = StreamWatchdog::Clock::now() + std::chrono::seconds(cap_seconds);
    const auto past_cap = [&] { return cap_seconds > 0 && StreamWatchdog::Clock::now() >= cap_at; };
    const auto over_cap = [&] {
      return absl::DeadlineExceededError(
          absl::StrCat("import stream: longer than --max-request-seconds=", cap_seconds));
    };
    std::optional<StreamWatchdog::Watch> watch;
    if (cap_seconds > 0) {
      watch.emplace(backend_.stream_watchdog.Start(context, cap_at + kIdleStreamGrace));
    }
    // A bulk import also holds the commit lock: while it waits for the
    // client's next message (never while the server works on one), a client
    // silent for --bulk-idle-seconds is cancelled too.
    int idle_seconds = 0;
    std::optional<StreamWatchdog::Clock::time_point> idle_at;
    std::optional<StreamWatchdog::Watch> idle_watch;
    const auto wait_for_client = [&] {
      idle_at = StreamWatchdog::Clock::now() + std::chrono::seconds(idle_seconds);
      idle_watch.emplace(backend_.stream_watchdog.Start(context, *idle_at));
    };
    // Before waiting for the client: a caller that may not write holds no
    // thread until the cap.
    RETURN_IF_ERROR(GraphWriter::CheckRole(caller));
    v1::ImportRequest request;
    if (!reader->Read(&request)) {
      return absl::InvalidArgumentError("import stream: no request message");
    }
    const v1::ImportOptions& o = request.options();
    // Registered before Begin, which may wait for another bulk import: a
    // change that ends bulk imports ends this one too, waiting or not.
    std::optional<BulkImports::Registration> bulk;
    if (o.bulk()) bulk.emplace(backend_.bulk_imports.Register(context));
    ASSIGN_OR_RETURN(std::unique_ptr<GraphImport> import,
                     GraphImport::Begin(backend_.graph, caller,
                                        ImportOptions{o.description(), o.bulk(), o.strict(),
                                                      backend_.limits.max_batch_ops}));
    if (context->IsCancelled()) return absl::CancelledError("import stream cancelled");
    spdlog::info("import started request_id={} principal={} bulk={} strict={}", CurrentRequestId(),
                 LogValue(caller.principal.id), o.bulk(), o.strict());
    ImportMeter meter(o.bulk());
    if (o.bulk()) idle_seconds = backend_.limits.bulk_idle_seconds;
    const absl::Status st = [&]() -> absl::Status {
      do {
        idle_watch.reset();  // a message came: the server's work is not the client's silence
        idle_at.reset();
        if (past_cap()) return over_cap();
        // A revoked token or a principal changed since the stream began: the
        // first message included, which a bulk import reads before it waits
        // for the commit lock (another bulk import may hold it for long).
        // Once a bulk import holds it, such a change waits for it to end.
        RETURN_IF_ERROR(CheckStillAuthenticated(*context, backend_, caller));
        // Before decoding: a refused batch costs no more than its bytes.
        RETURN_IF_ERROR(CheckBatchOps(request.ops_size(), backend_.limits.max_batch_ops));
        std::vector<absl::StatusOr<Mutation>> ops;
        ops.reserve(request.ops_size());
        const uint64_t base = import->next_index();
        const FieldName ops_field("ops");
        for (int i = 0; i < request.ops_size(); ++i) {
          ops.push_back(MutationFromProto(FieldName(ops_field, base + i), request.ops(i)));
        }
        RETURN_IF_ERROR(import->Add(std::move(ops)));
        meter.Report(import->progress());
        // A strict import is over at its first reject: answer now, rather than
        // read (and ignore) the rest of a possibly large input first.
        if (import->progress().aborted) break;
        if (idle_seconds > 0) wait_for_client();
      } while (reader->Read(&request));
      // The watchdog must not cancel while Finish commits (the client would
      // hear CANCELLED of a committed import): the watch ends first, then the
      // cap and a cancellation that came before are checked. A cancelled
      // stream is not an import: the unfinished import writes nothing (bulk)
      // or keeps only what it already committed.
      watch.reset();
      idle_watch.reset();
      if (past_cap()) return over_cap();
      if (context->IsCancelled()) {
        if (bulk && bulk->ended()) {
          spdlog::warn(
              "import cancelled request_id={} principal={}: a change to a principal or token ended "
              "it; nothing written",
              CurrentRequestId(), LogValue(caller.principal.id));
        } else if (idle_at && StreamWatchdog::Clock::now() >= *idle_at) {
          spdlog::warn(
              "import cancelled request_id={} principal={}: bulk stream sent nothing for "
              "--bulk-idle-seconds={}; nothing written",
              CurrentRequestId(), LogValue(caller.principal.id), idle_seconds);
        }
        return absl::CancelledError("import stream cancelled");
      }
      // A bulk import's client may close the stream minutes after its last
      // message: nothing commits under a token that no longer signs in (it
      // expired meanwhile; a revocation ends the import itself).
      RETURN_IF_ERROR(CheckStillAuthenticated(*context, backend_, caller));
      // Asked again while a bulk import's last batches are written, which
      // takes seconds: a client gone by then (Ctrl-C, killed), or a token
      // expired by then, writes nothing (CANCELLED). A bulk import asked
      // here is sealed against EndAll: from now on it commits (and says OK)
      // unless its client goes.
      ASSIGN_OR_RETURN(ImportResult result, import->Finish([&] {
        return context->IsCancelled() || caller.TokenExpiredAt(Now()) || (bulk && !bulk->Seal());
      }));
      meter.Report(result, /*finished=*/true);
      response->set_version(result.version);
      response->set_commits(result.commits);
      response->set_ops_received(result.ops_received);
      response->set_nodes_written(result.nodes_written);
      response->set_edges_written(result.edges_written);
      response->set_deleted(result.deleted);
      response->set_unchanged(result.unchanged);
      response->set_labels_defined(result.labels_defined);
      response->set_aborted(result.aborted);
      response->set_rejected(result.rejected);
      for (const OpReject& r : result.rejects) {
        v1::ImportReject* out = response->add_rejects();
        out->set_index(r.index);
        out->set_reason(std::string(r.status.message()));
      }
      spdlog::info(
          "import done request_id={} principal={} version={} commits={} ops={} rejected={} "
          "aborted={}",
          CurrentRequestId(), LogValue(caller.principal.id), result.version, result.commits,
          result.ops_received, result.rejected, result.aborted);
      return absl::OkStatus();
    }();
    return WithEarlierCommits(st, bulk.has_value(), import->progress());
  });
}

grpc::ServerUnaryReactor* GraphServiceImpl::GetCommit(grpc::CallbackServerContext* context,
                                                      const v1::GetCommitRequest* request,
                                                      v1::GetCommitResponse* response) {
  return HandleUnary(context, backend_, "GetCommit", [&](const Caller& caller) {
    RETURN_IF_ERROR(RequireRole(
        caller, {Role::kAuditor, Role::kSteward, Role::kLoader, Role::kAdmin}, "GetCommit"));
    if (request->version() == 0 || request->version() > backend_.db->LatestVersion()) {
      return absl::NotFoundError(absl::StrCat("commit ", request->version(), " not found"));
    }
    ASSIGN_OR_RETURN(CommitRecord commit, backend_.db->GetCommit(request->version()));
    RETURN_IF_ERROR(MayReadCommit(caller, commit));
    CommitToProto(commit, response->mutable_commit());
    return absl::OkStatus();
  });
}

}  // namespace ctxgraph::server
