// GraphWriter: validates a batch of mutations, checks the writer's role and
// clearances, and commits it atomically through GraphStore::Apply.
//
// Rules:
//  - Writing requires the loader or admin role (PERMISSION_DENIED).
//  - Every mutation is shape-checked first (INVALID_ARGUMENT naming the field,
//    e.g. "ops[3].upsert_node.id: must be 1..256 bytes, got 0").
//  - The writer must be cleared for every boundary label it sets and for the
//    current boundary of any node it changes or deletes (PERMISSION_DENIED);
//    an edge endpoint the writer cannot see is reported exactly like a
//    missing one (FAILED_PRECONDITION "...: node \"x\" not found").
//  - Any error writes nothing. Upserts whose content hash and source equal the
//    stored record are no-ops; a batch of only no-ops commits no version.
#ifndef CTXGRAPH_QUERY_GRAPH_WRITER_H_
#define CTXGRAPH_QUERY_GRAPH_WRITER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "query/caller.h"
#include "storage/graph_store.h"

namespace ctxgraph {

inline constexpr size_t kMaxBatchOps = 50000;

class GraphWriter {
 public:
  explicit GraphWriter(GraphStore& store) : store_(store) {}

  // PERMISSION_DENIED unless the caller may write at all; callers check this
  // before decoding a request so a non-writer learns nothing from its shape.
  static absl::Status CheckRole(const Caller& caller);

  absl::StatusOr<WriteResult> Write(const Caller& caller, std::vector<Mutation> mutations,
                                    const std::string& description) const;

 private:
  GraphStore& store_;
};

}  // namespace ctxgraph

#endif  // CTXGRAPH_QUERY_GRAPH_WRITER_H_
