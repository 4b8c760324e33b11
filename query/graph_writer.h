// GraphWriter: validates a batch of mutations, checks the writer's role and
// clearances, and commits it atomically through GraphStore::Apply.
//
// Rules:
//  - Writing requires the loader or admin role (PERMISSION_DENIED).
//  - Every mutation is shape-checked first (INVALID_ARGUMENT naming the field,
//    e.g. "ops[3].upsert_node.id: must be 1..256 bytes, got 0").
//  - The writer must be cleared for every boundary label it sets and for the
//    current boundary of any node it changes or deletes (PERMISSION_DENIED);
//    a label a node did not carry must be defined in the label registry
//    (FAILED_PRECONDITION "ops[2].upsert_node.boundary: undefined boundary
//    label \"team:x\""), at the commit's version or by an earlier
//    define_label op of the same batch or import;
//  - define_label ops need the steward or admin role besides the write
//    role (see PolicyWriteGuard);
//    an edge endpoint the writer cannot see is reported exactly like a
//    missing one (FAILED_PRECONDITION "...: node \"x\" not found").
//  - Any error writes nothing. Upserts whose content hash and source equal the
//    stored record are no-ops; a batch of only no-ops commits no version.
#ifndef CTXGRAPH_QUERY_GRAPH_WRITER_H_
#define CTXGRAPH_QUERY_GRAPH_WRITER_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "query/caller.h"
#include "storage/graph_store.h"

namespace ctxgraph {

// The default bound on ops in one Write request or one Import message
// (ctxgraphd --max-batch-ops).
inline constexpr size_t kMaxBatchOps = 50000;

// OK, or RESOURCE_EXHAUSTED when a batch of `ops` ops is over `max_ops`:
//   ops: 5 ops exceed the batch limit of 4
absl::Status CheckBatchOps(size_t ops, size_t max_ops);

class GraphWriter {
 public:
  explicit GraphWriter(GraphStore& store, size_t max_batch_ops = kMaxBatchOps)
      : store_(store), max_batch_ops_(max_batch_ops) {}

  // PERMISSION_DENIED unless the caller may write at all; callers check this
  // before decoding a request so a non-writer learns nothing from its shape.
  static absl::Status CheckRole(const Caller& caller);

  // A batch over max_batch_ops is refused (CheckBatchOps) and writes nothing.
  absl::StatusOr<WriteResult> Write(const Caller& caller, std::vector<Mutation> mutations,
                                    const std::string& description) const;

  size_t max_batch_ops() const { return max_batch_ops_; }

 private:
  GraphStore& store_;
  const size_t max_batch_ops_;
};

struct ImportOptions {
  std::string description;
  // One commit for the whole import, WAL synced once at the end, other
  // writers wait; otherwise every Add() commits its own synced version.
  bool bulk = false;
  // Stop at the first rejected op. The Add() that met it writes nothing;
  // with bulk, the whole import writes nothing.
  bool strict = false;
  // Ops in one Add(); a larger one fails the import (CheckBatchOps) before
  // any of its ops is applied.
  size_t max_batch_ops = kMaxBatchOps;
};

// Keeps at most this many rejects in an ImportResult, and reasons of at
// most this many bytes in all (each charged 16 more), so that the answer
// listing them stays well under the message limit; the count goes on.
inline constexpr size_t kMaxReportedRejects = 100000;
inline constexpr size_t kMaxReportedRejectBytes = size_t{16} << 20;
// A bulk import writes its pending keyword index changes once they pass this.
// Each write rewrites the last posting block and the counters of every term
// it touches, so fewer, larger writes cost less: on the 1M-node benchmark
// graph, 512 MiB instead of 128 loads in 49 s instead of 59, for about
// 270 MiB more peak RSS (1.4 GiB). A part is written while the next fills
// (TextDeltaWorker), so up to twice this is held: peak RSS 1.4-1.6 GiB
// (loads of 2026-12-06).
inline constexpr size_t kTextFlushBytes = size_t{512} << 20;

struct ImportResult {
  uint64_t version = 0;  // last committed version (the latest when none)
  uint32_t commits = 0;
  uint64_t ops_received = 0;
  uint64_t nodes_written = 0;
  uint64_t edges_written = 0;
  uint64_t deleted = 0;
  uint64_t unchanged = 0;
  uint64_t labels_defined = 0;
  uint64_t rejected = 0;
  std::vector<OpReject> rejects;  // the first ones (kMaxReportedRejects...), in stream order
  bool aborted = false;           // strict mode stopped the import
};

// One streaming import (the Import RPC): validates each op, rejects bad ones
// on their own (by their index in the stream) and applies the rest under the
// same rules as GraphWriter. Edges must come after the nodes they join.
// Not thread-safe. Destroying an unfinished bulk import writes nothing.
class GraphImport {
 public:
  // PERMISSION_DENIED unless the caller may write (see GraphWriter).
  static absl::StatusOr<std::unique_ptr<GraphImport>> Begin(GraphStore& store, const Caller& caller,
                                                            ImportOptions options);
  ~GraphImport();

  // Applies the next ops of the stream. After a strict-mode reject, further
  // calls are ignored. Errors are storage failures and RESOURCE_EXHAUSTED
  // for more than options.max_batch_ops ops: the import is over.
  // An op that could not even be decoded arrives as its error and is
  // rejected like an invalid one.
  absl::Status Add(std::vector<absl::StatusOr<Mutation>> ops);
  // The stream index the next op will get.
  uint64_t next_index() const { return result_.ops_received; }
  // The totals so far; version and commits are final only after Finish.
  const ImportResult& progress() const { return result_; }
  // Publishes a bulk import and returns the totals. `abandoned` (the
  // stream was cancelled) is asked before the last index writes and again
  // right before the commit record: true writes nothing of a bulk import
  // and answers CANCELLED. (Without it, a client that died after sending
  // its last message would have its import committed.)
  absl::StatusOr<ImportResult> Finish(const std::function<bool()>& abandoned = {});

 private:
  GraphImport(GraphStore& store, const Caller& caller, ImportOptions options);
  void Count(const ChunkResult& chunk);
  // Stops the keyword index writer, then removes what the session wrote.
  absl::Status AbortSession();

  GraphStore& store_;
  const Caller& caller_;
  ImportOptions options_;
  std::unique_ptr<CommitSession> session_;  // bulk only
  ImportCache cache_;                       // spans the session (bulk) or one batch
  ImportResult result_;
  size_t reported_reject_bytes_ = 0;  // of result_.rejects, as charged
};

}  // namespace ctxgraph

#endif  // CTXGRAPH_QUERY_GRAPH_WRITER_H_
