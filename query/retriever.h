// Retriever: ContextService.Retrieve without gRPC. "Give me the context for X
// that I am allowed to see, and where each piece came from."
//
// Steps, all at one snapshot version V (as_of, 0 = latest):
//  1. Seeds: the request's node ids, in order, then the top kQuerySeedHits
//     hits of its query (Searcher, as of V). A seed the caller cannot see is
//     NOT_FOUND `seeds[i]: node "x" not found`, byte-identical to an absent
//     id (and costing the same reads).
//  2. Expansion: breadth-first from all seeds at once (hop 0), up to
//     max_hops, along edges of the requested labels and direction, through
//     visible nodes only: a hidden node is never fetched into the subgraph,
//     never expanded through and never counted. The first visit fixes a
//     node's hop and its `via` (the BFS tree path of edges from a seed).
//     Visibility is GraphReader's: clearance for the node's boundary at V
//     and, when V is older, at the policy version (the latest version when
//     the request runs).
//  3. Work bound: at most options.max_nodes visible nodes and
//     options.max_edges visible edges enter the subgraph. When a visible
//     node or edge within reach would exceed it, expansion stops at once and
//     the response is `truncated`. Hidden nodes never count (so truncated
//     reveals nothing about them); they still cost the read that finds them
//     hidden, bounded by the degrees of the visible nodes expanded.
//  4. Ranking: ContextRanker (personalized PageRank, see context_ranker.h),
//     items ordered by score, then node id.
//  5. Budget: items taken in rank order while fewer than max_items and while
//     the next item's props bytes fit in max_bytes (stopping at the first
//     that does not); any visible item left out sets `truncated`. Props
//     bytes: per prop, key bytes + value bytes (string: its bytes; int,
//     double, timestamp: 8; bool: 1; list: the sum of its elements).
//  6. Edges: every visible edge (matching the expansion's labels and
//     directions) whose two ends are both returned, ordered by (from, label,
//     to), up to options.max_edges of them: one more sets `truncated` (only
//     parallel edges between returned nodes get there, as max_items <= 1000).
//     They are taken in that order while their props bytes fit in what the
//     items left of max_bytes (stopping at the first that does not, which
//     sets `truncated`), so an answer's props never pass max_bytes.
//     Returned nodes the expansion did not expand (the last hop, or every
//     node after the work bound stopped it) have their adjacency read in
//     full for this: the scan is uncapped, since a cap on it would count
//     edges to hidden nodes; it costs the degree of at most max_items nodes.
//  7. Receipt and audit: one "retrieve" entry (AuditLog::Append) with the
//     snapshot version, the returned (node id, version) list in order, and
//     the normalized request, policy version and clearances in its summary
//     (retrieval_request.h). receipt_id names the entry without giving its
//     seq away (receipt_id.h); the digest is
//     the entry's items_digest: SHA-256 over, for each item in order,
//     varint(len(id)) id 0x00 0x00 varint(version) (AuditItemDigest's
//     encoding of a node item, varints LEB128). A failed Retrieve appends
//     nothing.
//
// Thread safety: one Retriever per request; the objects it refers to must
// outlive it and may be shared.
#ifndef CTXGRAPH_QUERY_RETRIEVER_H_
#define CTXGRAPH_QUERY_RETRIEVER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "query/caller.h"
#include "query/page_token.h"
#include "query/receipt_id.h"
#include "query/retrieval_request.h"
#include "query/visible_sets.h"
#include "storage/audit_log.h"
#include "storage/graph_store.h"

namespace ctxgraph {

inline constexpr int kQuerySeedHits = 10;
inline constexpr size_t kDefaultRetrieveMaxNodes = 10000;
inline constexpr size_t kDefaultRetrieveMaxEdges = 50000;
inline constexpr char kRetrieveAction[] = "retrieve";

struct RetrieverOptions {
  size_t max_nodes = kDefaultRetrieveMaxNodes;  // visible nodes in the subgraph
  size_t max_edges = kDefaultRetrieveMaxEdges;  // visible edges in the subgraph
  // Shared across calls by query seeding's Search; null: computed per call.
  VisibleSetCache* visible_sets = nullptr;
  // kBypass reads every record from RocksDB (receipt replay).
  ReadCacheUse cache_use = ReadCacheUse::kShared;
  // Whether the edges' props count towards max_bytes (step 6). Always, but
  // for the replay of a receipt answered before they did.
  bool edge_props_in_budget = true;
};

struct RetrievedItem {
  // With props, source and provenance, as of the snapshot; never null.
  // Shared with the read cache: copy it to change it.
  std::shared_ptr<const NodeRecord> node;
  double score = 0;
  int hop = 0;
  // seed -> ... -> node. Never null; may be shared with the read cache, like
  // `node`, props included.
  std::vector<std::shared_ptr<const EdgeRecord>> via;
};

struct RetrievalReceipt {
  std::string receipt_id;  // the audit entry's (receipt_id.h); empty when not audited
  uint64_t snapshot_version = 0;
  std::string principal;
  std::vector<std::string> clearances;
  ContentHash digest{};
  ContentHash content{};  // RetrievalContentDigest
};

struct RetrievalResult {
  std::vector<RetrievedItem> items;  // in rank order
  // By (from, label, to); never null, may be shared as `via`.
  std::vector<std::shared_ptr<const EdgeRecord>> edges;
  bool truncated = false;
  uint64_t policy_version = 0;
  size_t nodes_visited = 0;  // visible nodes fetched into the subgraph
  RetrievalReceipt receipt;
};

// The (node id, version) audit items of `items`, in order.
std::vector<AuditItem> RetrievalAuditItems(const std::vector<RetrievedItem>& items);

// SHA-256 over what a retrieval returned beyond its (id, version) list: for
// each item in order, its stored content hash (NodeContentHash: type
// labels, props, own boundary), writer and commit time, source (system,
// uri, authority) and inherited labels; then for each edge of `edges`, its
// ends, label, version, stored content hash (its props), writer, commit
// time and sanitized labels: everything an answer says of where an item
// came from. The receipt records it, so a replay notices a record
// rewritten underneath without a new version (with its stored hash
// rewritten to match; one whose stored hash no longer matches its content
// is caught by AlteredRecords). Hashes what the records carry, computing
// no content hash: about 100 bytes per item or edge.
ContentHash RetrievalContentDigest(const RetrievalResult& result);
// The items and edges of `result` whose content no longer matches the
// content hash stored with them, which only a change underneath the
// store's write path leaves: node ids, and edges as "from -label-> to".
std::vector<std::string> AlteredRecords(const RetrievalResult& result);

class Retriever {
 public:
  Retriever(const GraphStore& store, const PageTokenCodec& tokens, const Caller& caller,
            RetrieverOptions options = {})
      : store_(store), tokens_(tokens), caller_(caller), options_(options) {}
  Retriever(const GraphStore&, const PageTokenCodec&, const Caller&&,
            RetrieverOptions = {}) = delete;

  // Validates and runs `request` as the caller, at the latest policy, and
  // appends its "retrieve" entry to `audit`. Errors: INVALID_ARGUMENT naming
  // the field (retrieval_request.h, "query: ...", "as_of_version: ..."),
  // NOT_FOUND for a seed (see above), storage errors as they come.
  absl::StatusOr<RetrievalResult> Retrieve(RetrievalRequest request, AuditLog& audit,
                                           const ReceiptIdCodec& receipt_ids) const;

  // Runs a normalized request at `snapshot` with `policy_version` as "now"
  // for the boundary check, and appends nothing: for receipt replay. The
  // receipt's id is empty.
  absl::StatusOr<RetrievalResult> Run(const RetrievalRequest& request, uint64_t snapshot,
                                      uint64_t policy_version) const;

 private:
  const GraphStore& store_;
  const PageTokenCodec& tokens_;
  const Caller& caller_;
  RetrieverOptions options_;
};

}  // namespace ctxgraph

#endif  // CTXGRAPH_QUERY_RETRIEVER_H_
