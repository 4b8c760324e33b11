#include "query/graph_writer.h"

#include "absl/strings/str_cat.h"
#include "query/policy_write_guard.h"
#include "query/validation.h"
#include "storage/status_macros.h"

namespace ctxgraph {

absl::Status CheckBatchOps(size_t ops, size_t max_ops) {
  if (ops <= max_ops) return absl::OkStatus();
  return absl::ResourceExhaustedError(
      absl::StrCat("ops: ", ops, " ops exceed the batch limit of ", max_ops));
}

absl::Status GraphWriter::CheckRole(const Caller& caller) {
  return RequireRole(caller, {Role::kLoader, Role::kAdmin}, "Write");
}

absl::StatusOr<WriteResult> GraphWriter::Write(const Caller& caller,
                                               std::vector<Mutation> mutations,
                                               const std::string& description) const {
  RETURN_IF_ERROR(CheckRole(caller));
  if (mutations.empty()) return absl::InvalidArgumentError("ops: at least one op is required");
  RETURN_IF_ERROR(CheckBatchOps(mutations.size(), max_batch_ops_));
  RETURN_IF_ERROR(ValidateDescription("description", description));
  const FieldName ops("ops");
  for (size_t i = 0; i < mutations.size(); ++i) {
    RETURN_IF_ERROR(ValidateMutation(FieldName(ops, i), mutations[i]));
  }
  PolicyWriteGuard guard(caller);
  return store_.Apply(std::move(mutations), guard, caller.principal.id, description);
}

absl::StatusOr<std::unique_ptr<GraphImport>> GraphImport::Begin(GraphStore& store,
                                                                const Caller& caller,
                                                                ImportOptions options) {
  RETURN_IF_ERROR(GraphWriter::CheckRole(caller));
  RETURN_IF_ERROR(ValidateDescription("options.description", options.description));
  return std::unique_ptr<GraphImport>(new GraphImport(store, caller, std::move(options)));
}

GraphImport::GraphImport(GraphStore& store, const Caller& caller, ImportOptions options)
    : store_(store), caller_(caller), options_(std::move(options)) {
  result_.version = store_.database()->LatestVersion();
  if (!options_.bulk) return;
  session_ = store_.database()->BeginSession(caller_.principal.id);
  // The session's one cache lives as long as the import, so its keyword
  // index changes can be made and written on a thread of their own. Each
  // write rewrites the last posting block of the terms it touches, so the
  // budget keeps those rewrites few; the statistics are written once, by
  // Finish's FlushText.
  cache_.text_worker = std::make_unique<TextDeltaWorker>(
      *store_.text(), cache_.text, kTextFlushBytes, [this](TextIndexDelta& delta) {
        return session_->WriteAside([&](CommitContext& ctx) {
          return store_.text()->Flush(ctx, delta, &cache_.text_counts);
        });
      });
}

GraphImport::~GraphImport() = default;  // an unfinished session aborts itself

void GraphImport::Count(const ChunkResult& chunk) {
  result_.nodes_written += chunk.counts.nodes_written;
  result_.edges_written += chunk.counts.edges_written;
  result_.deleted += chunk.counts.deleted;
  result_.unchanged += chunk.counts.unchanged;
  result_.labels_defined += chunk.counts.labels_defined;
}

absl::Status GraphImport::Add(std::vector<absl::StatusOr<Mutation>> ops) {
  if (result_.aborted) return absl::OkStatus();
  RETURN_IF_ERROR(CheckBatchOps(ops.size(), options_.max_batch_ops));
  ChunkResult chunk;
  std::vector<IndexedMutation> valid;
  valid.reserve(ops.size());
  const FieldName ops_field("ops");
  for (auto& op : ops) {
    const uint64_t index = result_.ops_received++;
    absl::Status st = op.ok() ? ValidateMutation(FieldName(ops_field, index), *op) : op.status();
    if (st.ok()) {
      valid.emplace_back(index, *std::move(op));
      continue;
    }
    chunk.rejects.push_back({index, std::move(st)});
    if (options_.strict) {
      chunk.stopped = true;
      break;
    }
  }
  PolicyWriteGuard guard(caller_);
  // A strict reject drops the whole batch: the build fails on purpose.
  const absl::Status kDropBatch = absl::AbortedError("strict import stopped");
  auto build = [&](CommitContext& ctx) -> absl::Status {
    if (chunk.stopped) return kDropBatch;
    ctx.SetAuditNote({"import", absl::StrCat("bulk=", options_.bulk ? "true" : "false",
                                             " description=", options_.description)});
    // Without a session the commit lock is released between batches, so
    // what the cache knows may be stale by the next one.
    if (!session_) cache_ = ImportCache();
    RETURN_IF_ERROR(
        store_.ApplyEach(ctx, std::move(valid), guard, options_.strict, &cache_, &chunk));
    if (chunk.stopped) return kDropBatch;
    // A session's text worker writes its keyword index changes.
    if (!session_) RETURN_IF_ERROR(store_.FlushText(ctx, cache_));
    return absl::OkStatus();
  };
  absl::Status st;
  if (session_) {
    st = session_->Write(build);
  } else {
    absl::StatusOr<CommitOutcome> outcome =
        store_.database()->Commit(caller_.principal.id, options_.description, build);
    st = outcome.status();
    if (outcome.ok() && outcome->committed) {
      ++result_.commits;
      result_.version = outcome->version;
    }
  }
  for (auto& reject : chunk.rejects) {
    ++result_.rejected;
    // The first ones, in stream order: none after the first that did not
    // fit (while every one so far is listed, the list is one short).
    const size_t bytes = reject.status.message().size() + 16;
    if (result_.rejects.size() + 1 == result_.rejected &&
        result_.rejects.size() < kMaxReportedRejects &&
        reported_reject_bytes_ + bytes <= kMaxReportedRejectBytes) {
      reported_reject_bytes_ += bytes;
      result_.rejects.push_back(std::move(reject));
    }
  }
  if (chunk.stopped) {
    result_.aborted = true;
    if (session_) RETURN_IF_ERROR(AbortSession());
    return absl::OkStatus();
  }
  RETURN_IF_ERROR(st);
  if (cache_.text_worker) RETURN_IF_ERROR(cache_.text_worker->status());
  Count(chunk);
  return absl::OkStatus();
}

absl::Status GraphImport::AbortSession() {
  cache_.text_worker.reset();  // no index write may land after the abort
  return session_->Abort();
}

absl::StatusOr<ImportResult> GraphImport::Finish(const std::function<bool()>& abandoned) {
  if (session_ && !result_.aborted) {
    RETURN_IF_ERROR(
        session_->Write([&](CommitContext& ctx) { return store_.FlushText(ctx, cache_); }));
    if (abandoned && abandoned()) {
      RETURN_IF_ERROR(AbortSession());
      return absl::CancelledError("import stream cancelled");
    }
    ASSIGN_OR_RETURN(CommitOutcome outcome, session_->Finish(options_.description, abandoned));
    if (outcome.committed) {
      result_.commits = 1;
      result_.version = outcome.version;
    }
  }
  if (result_.aborted && session_) {
    result_.nodes_written = result_.edges_written = result_.deleted = result_.unchanged = 0;
    result_.labels_defined = 0;
  }
  return std::move(result_);
}

}  // namespace ctxgraph
