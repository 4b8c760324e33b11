#include "query/retriever.h"

#include <algorithm>
#include <optional>
#include <tuple>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "query/context_ranker.h"
#include "query/prop_bytes.h"
#include "query/searcher.h"
#include "storage/record_codec.h"
#include "storage/status_macros.h"

namespace ctxgraph {
namespace {

// Above this many props bytes held for the subgraph, further nodes keep no
// props in memory; the ones returned are read again at the end.
constexpr size_t kPropsMemoryBudget = size_t{32} << 20;

struct FetchedNode {
  uint64_t iid = 0;
  // Shared with the read cache, never modified; a copy without props when
  // they were dropped.
  std::shared_ptr<const NodeRecord> node;
  size_t prop_bytes = 0;
  bool props_dropped = false;
  int hop = 0;
  int parent = -1;        // index of the node this one was reached from; -1 for a seed
  int parent_edge = -1;   // index into the edges; -1 for a seed
  bool expanded = false;  // its whole adjacency was scanned
};

struct FetchedEdge {
  size_t from = 0;  // node indexes
  size_t to = 0;
  // Kept by reference into the read cache's adjacency list when it came
  // from a short one there (GraphReadSession::EdgeSharedIn), else a copy.
  std::shared_ptr<const EdgeRecord> edge;
};

// The visible subgraph around the seeds, built breadth-first within the
// work bound.
class SubgraphBuilder {
 public:
  SubgraphBuilder(const GraphStore& store, const BoundaryPolicy& policy, uint64_t snapshot,
                  uint64_t policy_version, const RetrieverOptions& options)
      : store_(store),
        reads_(store, options.cache_use),
        policy_(policy),
        snapshot_(snapshot),
        policy_version_(policy_version),
        options_(options) {}

  static constexpr int kHidden = -1;  // absent, deleted or not visible
  static constexpr int kBeyondBound = -2;

  // The seed's node index, kHidden (absent and hidden cost the same reads
  // and answer the same), or kBeyondBound for a visible seed past the node
  // bound (which sets truncated).
  absl::StatusOr<int> AddSeed(std::string_view id) {
    ASSIGN_OR_RETURN(std::optional<uint64_t> iid, store_.LookupIid(id));
    if (auto it = index_.find(iid.value_or(0)); iid && it != index_.end()) return it->second;
    ASSIGN_OR_RETURN(std::shared_ptr<const NodeRecord> node, VisibleNode(iid.value_or(0)));
    if (!node) return kHidden;
    if (nodes_.size() >= options_.max_nodes) {
      truncated_ = true;
      return kBeyondBound;
    }
    return static_cast<int>(Push(*iid, std::move(node), 0, -1, -1));
  }

  absl::Status Expand(int max_hops, const std::vector<EdgeDirection>& directions,
                      const std::vector<std::string>& labels) {
    // Nodes are appended in hop order, so walking the vector is a BFS.
    for (size_t i = 0; i < nodes_.size() && !stop_; ++i) {
      if (nodes_[i].hop >= max_hops) continue;
      absl::Status inner;
      RETURN_IF_ERROR(reads_.ScanAdjacencyListed(
          nodes_[i].iid, directions, labels, snapshot_,
          [&](const AdjacencyEntry& entry, const std::shared_ptr<const ReadCache::EdgeList>& list) {
            absl::StatusOr<bool> go_on = Visit(i, entry, list);
            if (!go_on.ok()) inner = go_on.status();
            return go_on.ok() && *go_on;
          }));
      RETURN_IF_ERROR(inner);
      nodes_[i].expanded = !stop_;
    }
    return absl::OkStatus();
  }

  // Adds the visible edges between returned nodes that the expansion never
  // scanned. Every such edge a -> b is in a's out-adjacency, so this reads
  // the out-adjacency of each returned node whose out-adjacency the
  // expansion did not read in full (the last hop, every node after the work
  // bound stopped it, and all of them when the expansion went inward only).
  // Hubs are usually hubs of in-edges (people mentioned, threads with many
  // messages), whose in-adjacency this never reads. The scan is not capped
  // by a count, since entries to hidden nodes would count and `truncated`
  // would then tell that they exist; it costs the out-degree of at most
  // max_items nodes, and reads no node records. What it keeps is: at most
  // max_edges edges between returned nodes in all (parallel edges between
  // two nodes have no other bound), in the order of `returned` (ascending)
  // and of each adjacency list; one more sets `truncated`.
  absl::Status CloseEdges(const std::vector<size_t>& returned_in_order,
                          const absl::flat_hash_set<size_t>& returned,
                          const std::vector<EdgeDirection>& directions,
                          const std::vector<std::string>& labels) {
    const bool expansion_read_out =
        std::find(directions.begin(), directions.end(), EdgeDirection::kOut) != directions.end();
    const std::vector<EdgeDirection> out = {EdgeDirection::kOut};
    size_t listed = 0;
    for (const FetchedEdge& e : edges_) {
      if (returned.contains(e.from) && returned.contains(e.to)) ++listed;
    }
    bool full = false;
    for (size_t u : returned_in_order) {
      if (full) break;
      if (nodes_[u].expanded && expansion_read_out) continue;  // its out-edges are known
      RETURN_IF_ERROR(reads_.ScanAdjacencyListed(
          nodes_[u].iid, out, labels, snapshot_,
          [&](const AdjacencyEntry& entry, const std::shared_ptr<const ReadCache::EdgeList>& list) {
            auto it = index_.find(entry.other_iid);
            if (it == index_.end() || it->second < 0) return true;
            const size_t other = static_cast<size_t>(it->second);
            if (!returned.contains(other)) return true;
            const Key key = EdgeKey(u, entry.edge.label, other);
            if (edge_keys_.contains(key)) return true;
            if (listed >= options_.max_edges) {
              truncated_ = full = true;
              return false;
            }
            edge_keys_.insert(key);
            edges_.push_back(FetchedEdge{u, other, GraphReadSession::EdgeSharedIn(entry, list)});
            ++listed;
            return true;
          }));
    }
    return absl::OkStatus();
  }

  // Reads back the props of `index` if they were dropped to save memory.
  absl::Status RestoreProps(size_t index) {
    FetchedNode& f = nodes_[index];
    if (!f.props_dropped) return absl::OkStatus();
    ASSIGN_OR_RETURN(std::shared_ptr<const NodeRecord> node,
                     reads_.GetNodeShared(f.iid, snapshot_));
    if (!node) return absl::InternalError("retrieve: a fetched node vanished from its snapshot");
    // The record as first read, props included (its inherited origins as
    // resolved then).
    auto whole = std::make_shared<NodeRecord>(*f.node);
    whole->props = node->props;
    f.node = std::move(whole);
    f.props_dropped = false;
    return absl::OkStatus();
  }

  std::vector<FetchedNode>& nodes() { return nodes_; }
  const std::vector<FetchedEdge>& edges() const { return edges_; }
  bool truncated() const { return truncated_; }

 private:
  // GraphReader's rule: visible as of the snapshot and, for an older
  // snapshot, as of the policy version.
  // Null when absent or hidden.
  absl::StatusOr<std::shared_ptr<const NodeRecord>> VisibleNode(uint64_t iid) {
    ASSIGN_OR_RETURN(PolicedNode read,
                     ReadNodeUnderPolicy(reads_, policy_, iid, snapshot_, policy_version_));
    if (!read.visible) return nullptr;
    return std::move(read.node);
  }

  size_t Push(uint64_t iid, std::shared_ptr<const NodeRecord> node, int hop, int parent,
              int parent_edge) {
    FetchedNode f{iid, std::move(node), 0, false, hop, parent, parent_edge};
    f.prop_bytes = PropBytes(f.node->props);
    if (props_held_ + f.prop_bytes > kPropsMemoryBudget) {
      // Held here alone once the cache lets go of it: keep what ranking
      // needs, read the props again if the node is returned.
      auto slim = std::make_shared<NodeRecord>(*f.node);
      slim->props.clear();
      f.node = std::move(slim);
      f.props_dropped = true;
    } else {
      props_held_ += f.prop_bytes;
    }
    index_[iid] = static_cast<int>(nodes_.size());
    nodes_.push_back(std::move(f));
    return nodes_.size() - 1;
  }

  // Stops the whole expansion: the work bound cut something visible.
  bool Cut() {
    truncated_ = true;
    stop_ = true;
    return false;
  }

  // An edge's key: its end nodes' indexes and a number for its label, so
  // that the set of keys holds no strings.
  using Key = std::tuple<size_t, size_t, size_t>;
  Key EdgeKey(size_t from, const std::string& label, size_t to) {
    return {from, label_numbers_.try_emplace(label, label_numbers_.size()).first->second, to};
  }

  bool AddEdge(size_t from, size_t to, const AdjacencyEntry& entry,
               const std::shared_ptr<const ReadCache::EdgeList>& list) {
    const Key key = EdgeKey(from, entry.edge.label, to);
    if (edge_keys_.contains(key)) return true;
    // Before the key is kept: CloseEdges must still list an edge cut here
    // when both its ends are returned.
    if (edges_.size() >= options_.max_edges) return Cut();
    edge_keys_.insert(key);
    edges_.push_back(FetchedEdge{from, to, GraphReadSession::EdgeSharedIn(entry, list)});
    return true;
  }

  // Handles one adjacency entry of node `u`; false stops the scan.
  absl::StatusOr<bool> Visit(size_t u, const AdjacencyEntry& entry,
                             const std::shared_ptr<const ReadCache::EdgeList>& list) {
    const bool out = entry.direction == EdgeDirection::kOut;
    auto it = index_.find(entry.other_iid);
    if (it != index_.end()) {
      if (it->second == kHidden) return true;
      const size_t other = static_cast<size_t>(it->second);
      return out ? AddEdge(u, other, entry, list) : AddEdge(other, u, entry, list);
    }
    ASSIGN_OR_RETURN(std::shared_ptr<const NodeRecord> node, VisibleNode(entry.other_iid));
    if (!node) {
      index_[entry.other_iid] = kHidden;
      return true;
    }
    if (nodes_.size() >= options_.max_nodes || edges_.size() >= options_.max_edges) return Cut();
    const size_t other = Push(entry.other_iid, std::move(node), nodes_[u].hop + 1,
                              static_cast<int>(u), static_cast<int>(edges_.size()));
    return out ? AddEdge(u, other, entry, list) : AddEdge(other, u, entry, list);
  }

  const GraphStore& store_;
  GraphReadSession reads_;
  const BoundaryPolicy& policy_;
  const uint64_t snapshot_;
  const uint64_t policy_version_;
  const RetrieverOptions& options_;
  std::vector<FetchedNode> nodes_;
  std::vector<FetchedEdge> edges_;
  absl::flat_hash_map<uint64_t, int> index_;  // iid -> node index, or kHidden
  absl::flat_hash_set<Key> edge_keys_;
  absl::flat_hash_map<std::string, size_t> label_numbers_;  // EdgeKey's
  size_t props_held_ = 0;
  bool truncated_ = false;
  bool stop_ = false;
};

absl::Status SeedNotFound(size_t index, std::string_view id) {
  return absl::NotFoundError(
      absl::StrCat("seeds[", index, "]: node \"", std::string(id), "\" not found"));
}

}  // namespace

std::vector<AuditItem> RetrievalAuditItems(const std::vector<RetrievedItem>& items) {
  std::vector<AuditItem> out;
  out.reserve(items.size());
  for (const RetrievedItem& item : items) {
    out.push_back(AuditItem{item.node->id, "", "", item.node->provenance.version});
  }
  return out;
}

namespace {

void AppendField(std::string_view field, std::string* out) {
  const uint64_t size = field.size();
  out->append(reinterpret_cast<const char*>(&size), sizeof size);
  out->append(field);
}

void AppendHash(const ContentHash& hash, std::string* out) {
  out->append(reinterpret_cast<const char*>(hash.data()), hash.size());
}

}  // namespace

ContentHash RetrievalContentDigest(const RetrievalResult& result) {
  std::string bytes;
  bytes.reserve(96 * (result.items.size() + result.edges.size()));
  const auto append_provenance = [&bytes](const Provenance& p) {
    AppendHash(p.content_hash, &bytes);
    AppendField(p.writer, &bytes);
    AppendField(std::to_string(p.commit_time.micros), &bytes);
  };
  for (const RetrievedItem& item : result.items) {
    const NodeRecord& node = *item.node;
    append_provenance(node.provenance);
    AppendField(node.source.system, &bytes);
    AppendField(node.source.uri, &bytes);
    AppendField(std::to_string(static_cast<int>(node.source.authority)), &bytes);
    AppendField(std::to_string(node.inherited.size()), &bytes);
    for (const InheritedLabel& label : node.inherited) AppendField(label.label, &bytes);
  }
  for (const std::shared_ptr<const EdgeRecord>& edge : result.edges) {
    AppendField(edge->from, &bytes);
    AppendField(edge->label, &bytes);
    AppendField(edge->to, &bytes);
    AppendField(std::to_string(edge->provenance.version), &bytes);
    append_provenance(edge->provenance);
    AppendField(std::to_string(edge->sanitizes.size()), &bytes);
    for (const std::string& label : edge->sanitizes) AppendField(label, &bytes);
  }
  return Sha256(bytes);
}

std::vector<std::string> AlteredRecords(const RetrievalResult& result) {
  std::vector<std::string> altered;
  for (const RetrievedItem& item : result.items) {
    if (NodeContentHash(*item.node) != item.node->provenance.content_hash) {
      altered.push_back(item.node->id);
    }
  }
  for (const std::shared_ptr<const EdgeRecord>& edge : result.edges) {
    if (EdgeContentHash(*edge) != edge->provenance.content_hash) {
      altered.push_back(absl::StrCat(edge->from, " -", edge->label, "-> ", edge->to));
    }
  }
  return altered;
}

absl::StatusOr<RetrievalResult> Retriever::Run(const RetrievalRequest& request, uint64_t snapshot,
                                               uint64_t policy_version) const {
  SubgraphBuilder graph(store_, caller_.policy, snapshot, policy_version, options_);
  std::vector<double> seed_weight;  // by node index
  auto weigh = [&seed_weight](size_t index, double weight) {
    if (seed_weight.size() <= index) seed_weight.resize(index + 1, 0.0);
    seed_weight[index] = std::max(seed_weight[index], weight);
  };
  for (size_t i = 0; i < request.seeds.size(); ++i) {
    ASSIGN_OR_RETURN(const int index, graph.AddSeed(request.seeds[i]));
    if (index == SubgraphBuilder::kHidden) return SeedNotFound(i, request.seeds[i]);
    if (index >= 0) weigh(static_cast<size_t>(index), 1.0);
  }
  if (!request.query.empty()) {
    SearchRequest search;
    search.query = request.query;
    search.page_size = kQuerySeedHits;
    search.as_of = snapshot;
    search.policy_version = policy_version;  // so a replay searches as the call did
    ASSIGN_OR_RETURN(SearchPage hits,
                     Searcher(store_, tokens_, caller_, options_.visible_sets, options_.cache_use)
                         .Search(search));
    const double best = hits.hits.empty() ? 0 : hits.hits.front().score;
    for (const SearchHit& hit : hits.hits) {
      // Checked again under this request's policy version (replay pins it).
      ASSIGN_OR_RETURN(const int index, graph.AddSeed(hit.node->id));
      if (index >= 0 && best > 0) weigh(static_cast<size_t>(index), hit.score / best);
    }
  }
  std::vector<EdgeDirection> directions;
  if (request.direction != DirectionFilter::kIn) directions.push_back(EdgeDirection::kOut);
  if (request.direction != DirectionFilter::kOut) directions.push_back(EdgeDirection::kIn);
  RETURN_IF_ERROR(graph.Expand(request.max_hops.value_or(kDefaultRetrieveHops), directions,
                               request.edge_labels));

  std::vector<FetchedNode>& nodes = graph.nodes();
  ContextRanker ranker(nodes.size());
  for (const FetchedEdge& e : graph.edges()) ranker.AddEdge(e.from, e.to, e.edge->label);
  for (size_t i = 0; i < seed_weight.size(); ++i) {
    if (seed_weight[i] > 0) ranker.SetSeedWeight(i, seed_weight[i]);
  }
  const std::vector<double> scores = ranker.Rank();
  std::vector<size_t> order(nodes.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (scores[a] != scores[b]) return scores[a] > scores[b];
    return nodes[a].node->id < nodes[b].node->id;
  });

  RetrievalResult result;
  result.truncated = graph.truncated();
  result.policy_version = policy_version;
  result.nodes_visited = nodes.size();
  std::vector<size_t> chosen;
  int64_t bytes = 0;
  for (size_t index : order) {
    const int64_t item_bytes = static_cast<int64_t>(nodes[index].prop_bytes);
    if (static_cast<int>(chosen.size()) >= request.max_items ||
        bytes + item_bytes > request.max_bytes) {
      result.truncated = true;
      break;
    }
    bytes += item_bytes;
    chosen.push_back(index);
  }

  absl::flat_hash_set<size_t> returned(chosen.begin(), chosen.end());
  std::vector<size_t> returned_in_order = chosen;
  std::sort(returned_in_order.begin(), returned_in_order.end());
  RETURN_IF_ERROR(graph.CloseEdges(returned_in_order, returned, directions, request.edge_labels));
  if (graph.truncated()) result.truncated = true;
  for (size_t index : chosen) {
    RETURN_IF_ERROR(graph.RestoreProps(index));
    const FetchedNode& f = nodes[index];
    RetrievedItem item{f.node, scores[index], f.hop, {}};
    for (int at = static_cast<int>(index); nodes[at].parent_edge >= 0; at = nodes[at].parent) {
      item.via.push_back(graph.edges()[nodes[at].parent_edge].edge);
    }
    std::reverse(item.via.begin(), item.via.end());
    result.items.push_back(std::move(item));
  }
  for (const FetchedEdge& e : graph.edges()) {
    if (returned.contains(e.from) && returned.contains(e.to)) result.edges.push_back(e.edge);
  }
  std::sort(
      result.edges.begin(), result.edges.end(),
      [](const std::shared_ptr<const EdgeRecord>& a, const std::shared_ptr<const EdgeRecord>& b) {
        return std::tie(a->from, a->label, a->to) < std::tie(b->from, b->label, b->to);
      });
  if (options_.edge_props_in_budget) {
    size_t kept = 0;
    for (; kept < result.edges.size(); ++kept) {
      const int64_t edge_bytes = static_cast<int64_t>(PropBytes(result.edges[kept]->props));
      if (bytes + edge_bytes > request.max_bytes) break;
      bytes += edge_bytes;
    }
    if (kept < result.edges.size()) {
      result.edges.resize(kept);
      result.truncated = true;
    }
  }

  RetrievalReceipt& receipt = result.receipt;
  receipt.snapshot_version = snapshot;
  receipt.principal = caller_.principal.id;
  receipt.clearances = caller_.principal.clearances;
  AuditItemDigest digest;
  for (const AuditItem& item : RetrievalAuditItems(result.items)) digest.Add(item);
  receipt.digest = digest.Digest();
  receipt.content = RetrievalContentDigest(result);
  return result;
}

absl::StatusOr<RetrievalResult> Retriever::Retrieve(RetrievalRequest request, AuditLog& audit,
                                                    const ReceiptIdCodec& receipt_ids) const {
  RETURN_IF_ERROR(NormalizeRetrievalRequest(request));
  const Database& db = *store_.database();
  ASSIGN_OR_RETURN(const uint64_t snapshot, ResolveVersion(db, request.as_of));
  const uint64_t policy_version = std::max(snapshot, db.LatestVersion());
  ASSIGN_OR_RETURN(RetrievalResult result, Run(request, snapshot, policy_version));

  AuditEntry entry;
  entry.principal = caller_.principal.id;
  entry.action = kRetrieveAction;
  entry.snapshot_version = snapshot;
  entry.summary = EncodeRetrievalSummary(RecordedRetrieval{
      std::move(request), policy_version, caller_.principal.clearances, options_.max_nodes,
      options_.max_edges, result.receipt.content, options_.edge_props_in_budget});
  entry.items = RetrievalAuditItems(result.items);
  ASSIGN_OR_RETURN(AuditEntry stored, audit.Append(std::move(entry)));
  ASSIGN_OR_RETURN(result.receipt.receipt_id, receipt_ids.Encode(stored.seq, stored.hash));
  return result;
}

}  // namespace ctxgraph
