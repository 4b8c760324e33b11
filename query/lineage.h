// LineageWalker: LineageService without gRPC. Where a node came from
// (Upstream), what was derived from it (Downstream), and how two nodes are
// related (Path), within what the caller may see.
//
// Direction convention. An edge `a -DERIVED_FROM-> b` means "a was derived
// from b": ctxgraph-gen, the importers and the benchmark's SQL
// (tools/bench/postgres_operations.cc) all point a derived node at its
// sources. Upstream(a) therefore follows lineage edges along their stored
// direction, from -> to (against the flow of data: towards the sources),
// and Downstream(b) against it, to -> from (with the flow: everything
// derived from b). Upstream at depth 10 returns the same nodes at the same
// (minimum) depths as the benchmark's recursive SQL for the same start.
//
// Steps, all at one snapshot version V (as_of, 0 = latest):
//  1. Role: agent, auditor, steward or admin, checked before anything is
//     read (PERMISSION_DENIED "Upstream requires the agent or auditor or
//     steward or admin role"); loaders ingest, they do not walk lineage.
//  2. Validation (INVALID_ARGUMENT naming the field): node_id / from / to
//     like any node id; max_depth unset means 10, else 1..100; edge_labels
//     like any edge label, at most 64, sorted and deduplicated, empty means
//     [DERIVED_FROM]; as_of_version not ahead of the latest version. Path
//     with from == to is "to: same node as from".
//  3. Start: a start (or Path endpoint) the caller may not see is NOT_FOUND
//     `node_id: node "x" not found` (`from: ...`, `to: ...`), byte for byte
//     the answer for an absent id and costing the same reads, for every
//     role: an auditor cannot name a hidden node either.
//  4. Walk: LineageSubgraph (lineage_subgraph.h) fetches the nodes within
//     max_depth breadth-first within the work bound (10,000 nodes, 50,000
//     edges, 16 MiB of props by default). For every role but auditor, a
//     node the caller may not see does not exist: the walk never crosses it
//     and it counts nowhere, so a chain through it is cut there and nodes
//     reachable only through it are absent. A caller holding the auditor
//     role walks through it instead and gets a redacted stub: its opaque id
//     (opaque_id.h), depth and layer, `redacted` set, and no labels, props,
//     boundary, source or provenance; an edge touching a stub names it by
//     its opaque id and carries no props or provenance. Visible nodes
//     beyond a stub are returned in full. Visibility is GraphReader's (a
//     node must be visible at V and, for an older V, at the latest version).
//  5. Graph algorithms (Boost.Graph, on the subgraph in walk orientation):
//     breadth_first_search gives each node's depth (fewest edges from the
//     start); a depth_first_search tells whether there is a cycle. Without
//     one, its reversed finishing order is topological and each node's
//     layer is the most edges from the start. With one, strong_components groups the
//     cycles, the components' condensation, put in order by
//     topological_sort, gives each node's layer (the most edges from the
//     start on a path without repeated cycles), and a depth_first_search
//     from the start, over the nodes in output order, records back edges,
//     which close the cycles. Output order: layer, then the start, then id (opaque id
//     for stubs), so the start comes first and every node comes after all
//     nodes that lead to it, except within a cycle. Edges in the order of their ends (near, far,
//     label). Cycles are reported once each and never walked twice.
//  6. Audit: every call past validation appends one entry (AuditLog::Append)
//     before it answers, including NOT_FOUND answers: action
//     "lineage.upstream", "lineage.downstream" or "lineage.path", the
//     snapshot version, a summary of the request and outcome (never a prop
//     value), and as items the returned nodes in order: (id, version) for
//     a visible node, (opaque id, version 0) for a stub. A real id hidden
//     from the caller never reaches the log. If the append fails the call
//     fails with that error.
//
// Path(from, to): the shortest chain of lineage edges between two nodes,
// in either orientation: `to` upstream of `from` (following edges from ->
// to) or downstream of it, at most max_depth edges. Upstream is searched
// first; downstream only for a strictly shorter chain, so a tie goes to
// upstream. Among equally short chains: the one whose nodes, read from
// `to` back to `from`, have the smallest ids step by step. NOT_FOUND
// `no lineage path between "a" and "b" within depth N` when no chain the
// caller may see exists (for non-auditors a chain through a hidden node
// does not exist); RESOURCE_EXHAUSTED when the work bound stopped the
// search before any chain was found.
//
// Thread safety: one walker per request; the objects it refers to must
// outlive it and may be shared.
#ifndef CTXGRAPH_QUERY_LINEAGE_H_
#define CTXGRAPH_QUERY_LINEAGE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "query/caller.h"
#include "query/lineage_subgraph.h"
#include "query/opaque_id.h"
#include "storage/audit_log.h"
#include "storage/graph_store.h"

namespace ctxgraph {

inline constexpr int kDefaultLineageDepth = 10;
inline constexpr int kMaxLineageDepth = 100;
inline constexpr char kDefaultLineageEdgeLabel[] = "DERIVED_FROM";

inline constexpr char kLineageUpstreamAction[] = "lineage.upstream";
inline constexpr char kLineageDownstreamAction[] = "lineage.downstream";
inline constexpr char kLineagePathAction[] = "lineage.path";

struct LineageRequest {
  std::string node_id;
  std::optional<int> max_depth;          // nullopt: kDefaultLineageDepth
  std::vector<std::string> edge_labels;  // empty: DERIVED_FROM
  uint64_t as_of = 0;                    // 0: latest
};

struct LineagePathRequest {
  std::string from;
  std::string to;
  std::optional<int> max_depth;  // the longest chain considered
  std::vector<std::string> edge_labels;
  uint64_t as_of = 0;
};

struct LineageNode {
  // Never null. A visible node: its record as of the snapshot, with props,
  // source and provenance, shared with the read cache and immutable (copy it
  // to change it). A stub: a record of its own holding only node->id, its
  // opaque id.
  std::shared_ptr<const NodeRecord> node;
  bool redacted = false;
  int depth = 0;  // fewest edges from the start
  int layer = 0;  // topological layer; for Path, the position on the path
};

struct LineageCycle {
  // The nodes of one strongly connected set (each reaches every other along
  // lineage edges), by returned id, sorted.
  std::vector<std::string> node_ids;
  // The back edges closing it, as stored (from, label, to), by returned id.
  std::vector<EdgeRecord> closing_edges;
};

struct LineageGraph {
  std::vector<LineageNode> nodes;  // start first, then by layer, id
  // Every edge walked between returned nodes, as stored (never null,
  // immutable; shared with the read cache when its list is short, else a
  // copy: GraphReadSession::EdgeSharedIn). One touching a stub is a record
  // of its own with only from, label and to (provenance.version 0, never
  // that of a stored record).
  std::vector<std::shared_ptr<const EdgeRecord>> edges;
  std::vector<LineageCycle> cycles;
  bool truncated = false;      // the work bound stopped the walk
  bool depth_limited = false;  // a node at max_depth leads further
  uint64_t snapshot_version = 0;
  uint64_t audit_seq = 0;  // the call's entry; 0 unless the caller is cleared for "*"
};

struct LineagePath {
  LineageDirection direction = LineageDirection::kUpstream;
  std::vector<LineageNode> nodes;  // from first, to last
  // edges[i] joins nodes[i] and nodes[i + 1], as stored (as in LineageGraph).
  std::vector<std::shared_ptr<const EdgeRecord>> edges;
  bool truncated = false;  // the work bound cut a search: a tie-break or a
                           // shorter chain downstream may have been missed
  uint64_t snapshot_version = 0;
  uint64_t audit_seq = 0;  // the call's entry; 0 unless the caller is cleared for "*"
};

class LineageWalker {
 public:
  LineageWalker(const GraphStore& store, const OpaqueIdHasher& opaque_ids, const Caller& caller,
                LineageLimits limits = {})
      : store_(store), opaque_ids_(opaque_ids), caller_(caller), limits_(limits) {}
  // The walker keeps a reference: a temporary caller would dangle.
  LineageWalker(const GraphStore&, const OpaqueIdHasher&, const Caller&&,
                LineageLimits = {}) = delete;

  absl::StatusOr<LineageGraph> Upstream(LineageRequest request, AuditLog& audit) const;
  absl::StatusOr<LineageGraph> Downstream(LineageRequest request, AuditLog& audit) const;
  absl::StatusOr<LineagePath> Path(LineagePathRequest request, AuditLog& audit) const;

 private:
  absl::StatusOr<LineageGraph> Walk(LineageDirection direction, LineageRequest request,
                                    AuditLog& audit) const;
  HiddenNodes hidden_nodes() const;

  const GraphStore& store_;
  const OpaqueIdHasher& opaque_ids_;
  const Caller& caller_;
  LineageLimits limits_;
};

}  // namespace ctxgraph

#endif  // CTXGRAPH_QUERY_LINEAGE_H_
