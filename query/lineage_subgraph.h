// LineageSubgraph: the part of the graph one lineage walk may show its
// caller, fetched from the store breadth-first within a work bound.
// LineageWalker (lineage.h) runs the Boost.Graph algorithms on it; this
// class is the boundary-filtered view of the store they run on.
//
// Orientation. A walk starts at one node and follows edges of the given
// labels one way only:
//   kUpstream    along the stored direction, from -> to. An edge
//                `a -DERIVED_FROM-> b` says a was derived from b, so this
//                leads from a node to its sources.
//   kDownstream  against it, to -> from: from a source to what was derived
//                from it.
// Edges are kept in walk orientation (`near` is the end the walk came from)
// next to the record as stored.
//
// Boundaries. Every node is read as of the snapshot and judged by
// ReadNodeUnderPolicy (graph_reader.h), at the walk's policy version. A node
// the caller may not see is handled by HiddenNodes:
//   kCut   it does not exist: never fetched, never walked through, never
//          counted against a bound, in `truncated` or in `depth_limited`.
//          It still costs the read that finds it hidden, bounded by the
//          degrees of the nodes fetched.
//   kStub  it is fetched as a stub, keeping only its real id (from which the
//          walker derives the opaque id; the real id never leaves query/),
//          counts like any node and is walked through.
// The start node must be visible under either mode.
//
// Work bound. At most max_nodes nodes (stubs included), max_edges edges and
// max_props_bytes of props (PropBytes) enter the subgraph. When the next
// node or edge within reach would pass one of them, the walk stops at once
// and truncated() is true.
//
// Depth. Nodes up to max_depth edges from the start are fetched; those
// nearer than max_depth are expanded. With scan_frontier, the nodes at
// max_depth have their adjacency scanned as well: for edges between fetched
// nodes (a cycle closing there) and to find out whether the lineage goes on
// beyond max_depth (depth_limited(); for kCut, only a node the caller may
// see counts). A walk with a target stops expanding after the layer in
// which the target is found (every shortest path to it is then known).
//
// Thread safety: one per walk; the objects it refers to must outlive it.
#ifndef CTXGRAPH_QUERY_LINEAGE_SUBGRAPH_H_
#define CTXGRAPH_QUERY_LINEAGE_SUBGRAPH_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "query/boundary_policy.h"
#include "storage/graph_store.h"

namespace ctxgraph {

enum class LineageDirection { kUpstream, kDownstream };
enum class HiddenNodes { kCut, kStub };

inline constexpr size_t kDefaultLineageMaxNodes = 10000;
inline constexpr size_t kDefaultLineageMaxEdges = 50000;
inline constexpr size_t kDefaultLineageMaxPropsBytes = size_t{16} << 20;

struct LineageLimits {
  size_t max_nodes = kDefaultLineageMaxNodes;  // nodes in one walk, stubs included
  size_t max_edges = kDefaultLineageMaxEdges;
  size_t max_props_bytes = kDefaultLineageMaxPropsBytes;  // props of the nodes fetched
};

struct LineageWalkSpec {
  LineageDirection direction = LineageDirection::kUpstream;
  std::vector<std::string> labels;  // edge labels followed; non-empty
  int max_depth = 1;
  HiddenNodes hidden = HiddenNodes::kCut;
  uint64_t snapshot = 0;
  uint64_t policy_version = 0;  // >= snapshot
  bool scan_frontier = true;
  std::optional<uint64_t> target_iid;  // Path: stop after the layer reaching it
};

struct SubgraphNode {
  uint64_t iid = 0;
  // As of the snapshot, shared with the read cache (never modified). A
  // stub's record holds only the real id.
  std::shared_ptr<const NodeRecord> node;
  bool stub = false;
  int depth = 0;  // edges from the start on the walk
};

struct SubgraphEdge {
  size_t near = 0;  // node indexes, in walk orientation
  size_t far = 0;
  // As stored: from, label, to, props, provenance. Never null; shared with
  // the read cache's adjacency list when it is short, else a copy
  // (GraphReadSession::EdgeSharedIn).
  std::shared_ptr<const EdgeRecord> edge;
};

class LineageSubgraph {
 public:
  LineageSubgraph(const GraphStore& store, const BoundaryPolicy& policy,
                  const LineageLimits& limits, LineageWalkSpec spec)
      : store_(store), reads_(store), policy_(policy), limits_(limits), spec_(std::move(spec)) {}

  // Reads the start node; false when it is absent or hidden (the same reads
  // either way), which leaves the subgraph empty.
  absl::StatusOr<bool> Start(std::string_view id);
  // Walks from the start. Storage errors as they come.
  absl::Status Walk();

  // Index 0 is the start; the rest in the order they were reached.
  const std::vector<SubgraphNode>& nodes() const { return nodes_; }
  const std::vector<SubgraphEdge>& edges() const { return edges_; }
  // The index of `iid` when it was fetched.
  std::optional<size_t> IndexOf(uint64_t iid) const;
  bool truncated() const { return truncated_; }
  bool depth_limited() const { return depth_limited_; }

 private:
  static constexpr int kSkipped = -1;  // absent, or hidden under kCut

  // Handles one adjacency entry of node `u`; false stops the scan.
  absl::StatusOr<bool> Visit(size_t u, const AdjacencyEntry& entry,
                             const std::shared_ptr<const ReadCache::EdgeList>& list, bool frontier);
  bool AddEdge(size_t near, size_t far, const AdjacencyEntry& entry,
               const std::shared_ptr<const ReadCache::EdgeList>& list);
  // Stops the whole walk: the work bound cut something the caller may see.
  bool Cut();

  const GraphStore& store_;
  GraphReadSession reads_;
  const BoundaryPolicy& policy_;
  const LineageLimits& limits_;
  const LineageWalkSpec spec_;
  std::vector<SubgraphNode> nodes_;
  std::vector<SubgraphEdge> edges_;
  absl::flat_hash_map<uint64_t, int> index_;  // iid -> node index, or kSkipped
  size_t props_bytes_ = 0;
  int expand_below_ = 0;  // nodes at this depth or deeper are not expanded
  bool truncated_ = false;
  bool depth_limited_ = false;
  bool stop_ = false;
};

}  // namespace ctxgraph

#endif  // CTXGRAPH_QUERY_LINEAGE_SUBGRAPH_H_
