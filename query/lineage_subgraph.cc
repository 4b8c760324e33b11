#include "query/lineage_subgraph.h"

#include <algorithm>

#include "query/graph_reader.h"
#include "query/prop_bytes.h"
#include "storage/status_macros.h"

namespace ctxgraph {

absl::StatusOr<bool> LineageSubgraph::Start(std::string_view id) {
  ASSIGN_OR_RETURN(std::optional<uint64_t> iid, store_.LookupIid(id));
  // An unknown id still reads a record (iid 0 is never used), so absent and
  // hidden starts cost the same.
  ASSIGN_OR_RETURN(PolicedNode read, ReadNodeUnderPolicy(reads_, policy_, iid.value_or(0),
                                                         spec_.snapshot, spec_.policy_version));
  if (!read.visible) return false;
  props_bytes_ = PropBytes(read.node->props);
  index_[*iid] = 0;
  nodes_.push_back(SubgraphNode{*iid, std::move(read.node), false, 0});
  expand_below_ = spec_.max_depth;
  return true;
}

absl::Status LineageSubgraph::Walk() {
  const std::vector<EdgeDirection> directions = {
      spec_.direction == LineageDirection::kUpstream ? EdgeDirection::kOut : EdgeDirection::kIn};
  // Nodes are appended in depth order, so walking the vector is a BFS.
  for (size_t i = 0; i < nodes_.size() && !stop_; ++i) {
    const bool frontier = nodes_[i].depth >= expand_below_;
    if (frontier && !spec_.scan_frontier) continue;
    absl::Status inner;
    RETURN_IF_ERROR(reads_.ScanAdjacencyListed(
        nodes_[i].iid, directions, spec_.labels, spec_.snapshot,
        [&](const AdjacencyEntry& entry, const std::shared_ptr<const ReadCache::EdgeList>& list) {
          absl::StatusOr<bool> go_on = Visit(i, entry, list, frontier);
          if (!go_on.ok()) inner = go_on.status();
          return go_on.ok() && *go_on;
        }));
    RETURN_IF_ERROR(inner);
  }
  return absl::OkStatus();
}

std::optional<size_t> LineageSubgraph::IndexOf(uint64_t iid) const {
  auto it = index_.find(iid);
  if (it == index_.end() || it->second == kSkipped) return std::nullopt;
  return static_cast<size_t>(it->second);
}

absl::StatusOr<bool> LineageSubgraph::Visit(size_t u, const AdjacencyEntry& entry,
                                            const std::shared_ptr<const ReadCache::EdgeList>& list,
                                            bool frontier) {
  // Every edge is scanned once, from its near end: no duplicates to weed out.
  if (auto it = index_.find(entry.other_iid); it != index_.end()) {
    if (it->second == kSkipped) return true;
    return AddEdge(u, static_cast<size_t>(it->second), entry, list);
  }
  // Beyond max_depth there is only one thing to learn, once.
  if (frontier && depth_limited_) return true;
  ASSIGN_OR_RETURN(PolicedNode read, ReadNodeUnderPolicy(reads_, policy_, entry.other_iid,
                                                         spec_.snapshot, spec_.policy_version));
  const bool stub = read.node && !read.visible && spec_.hidden == HiddenNodes::kStub;
  if (!read.node || (!read.visible && !stub)) {
    index_[entry.other_iid] = kSkipped;
    return true;
  }
  if (frontier) {
    depth_limited_ = true;
    return true;
  }
  const size_t bytes = stub ? 0 : PropBytes(read.node->props);
  if (nodes_.size() >= limits_.max_nodes || edges_.size() >= limits_.max_edges ||
      props_bytes_ + bytes > limits_.max_props_bytes) {
    return Cut();
  }
  SubgraphNode node{entry.other_iid, {}, stub, nodes_[u].depth + 1};
  if (stub) {
    auto id_only = std::make_shared<NodeRecord>();
    id_only->id = read.node->id;  // the rest is dropped here
    node.node = std::move(id_only);
  } else {
    node.node = std::move(read.node);
  }
  props_bytes_ += bytes;
  const size_t index = nodes_.size();
  index_[entry.other_iid] = static_cast<int>(index);
  if (spec_.target_iid == entry.other_iid) expand_below_ = std::min(expand_below_, node.depth);
  nodes_.push_back(std::move(node));
  return AddEdge(u, index, entry, list);
}

bool LineageSubgraph::AddEdge(size_t near, size_t far, const AdjacencyEntry& entry,
                              const std::shared_ptr<const ReadCache::EdgeList>& list) {
  if (edges_.size() >= limits_.max_edges) return Cut();
  edges_.push_back(SubgraphEdge{near, far, GraphReadSession::EdgeSharedIn(entry, list)});
  return true;
}

bool LineageSubgraph::Cut() {
  truncated_ = true;
  stop_ = true;
  return false;
}

}  // namespace ctxgraph
