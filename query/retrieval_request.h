// RetrievalRequest: what a Retrieve asks for, its validation, and the
// canonical text form recorded in the audit log so a receipt can be replayed.
//
// Summary encoding (the "retrieve" audit entry's summary; version 1). One
// line of space-separated fields, always all of them, in this order:
//
//   retrieve.v1 seeds=<list> query=<str> max_hops=<n> direction=out|in|both
//     edge_labels=<list> max_items=<n> max_bytes=<n> as_of=<n>
//     policy_version=<n> clearances=<list>
//     [max_nodes=<n> max_edges=<n> [content=<hex> [budget_edges=1]]]
//
// <n> is a decimal integer; <str> is the value with every byte outside
// [A-Za-z0-9_.:*/-] written as %XX (upper-case hex), so a value never holds
// a space, comma or '='; <list> is <str> elements joined by ',' (empty list:
// nothing after '='). The request is recorded normalized: defaults filled
// in, edge labels sorted and unique. `as_of` is the version requested (0 =
// latest); the version actually read is the entry's snapshot_version.
// `policy_version` is the latest version when the request ran: as-of reads
// need clearance for a node's boundary then and as of policy_version (see
// GraphReader). `clearances` are the caller's clearances applied.
// `max_nodes` and `max_edges` are the traversal bound the expansion ran
// under (--max-traversal-nodes), so a replay walks the same subgraph after
// the operator changes it; entries written before the bound was
// configurable lack them and ran under the defaults of then (10000, 50000).
// `content` is RetrievalContentDigest of what was returned. `budget_edges=1`
// says the returned edges' props counted towards max_bytes
// (RetrieverOptions::edge_props_in_budget); entries without it were
// answered when only the items' props did, and replay that way.
// Nothing else is recorded: no token, no prop value.
//
// Thread safety: plain functions and values.
#ifndef CTXGRAPH_QUERY_RETRIEVAL_REQUEST_H_
#define CTXGRAPH_QUERY_RETRIEVAL_REQUEST_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "query/graph_reader.h"

namespace ctxgraph {

inline constexpr int kDefaultRetrieveHops = 2;
inline constexpr int kMaxRetrieveHops = 5;
inline constexpr int kDefaultRetrieveItems = 50;
inline constexpr int kMaxRetrieveItems = 1000;
inline constexpr int64_t kDefaultRetrieveBytes = int64_t{1} << 20;
inline constexpr int64_t kMaxRetrieveBytes = int64_t{4} << 20;
inline constexpr size_t kMaxRetrieveSeeds = 100;

struct RetrievalRequest {
  std::vector<std::string> seeds;        // node ids, in priority order
  std::string query;                     // empty: no query; else its top hits join the seeds
  std::optional<int> max_hops;           // nullopt: kDefaultRetrieveHops
  std::vector<std::string> edge_labels;  // empty: every label
  DirectionFilter direction = DirectionFilter::kBoth;
  int max_items = 0;      // 0: kDefaultRetrieveItems
  int64_t max_bytes = 0;  // 0: kDefaultRetrieveBytes; props bytes of returned items and edges
  uint64_t as_of = 0;     // 0: latest
  friend bool operator==(const RetrievalRequest&, const RetrievalRequest&) = default;
};

// Checks every field and fills in defaults, sorts and deduplicates
// edge_labels. INVALID_ARGUMENT naming the field, e.g.
//   seeds[2]: must be 1..256 bytes, got 0
//   seeds[3]: duplicate of seeds[1]
//   seeds: need at least one seed or a query
//   expansion.max_hops: must be 0..5, got 9
//   expansion.edge_labels[0]: ...
//   budget.max_items: must be 0..1000, got 5000
//   budget.max_bytes: must be 0..4194304, got -1
// The query (by Searcher: "query: ...") and as_of ("as_of_version: ...") are
// checked when the request runs.
absl::Status NormalizeRetrievalRequest(RetrievalRequest& request);

// A "retrieve" audit entry's summary, decoded.
struct RecordedRetrieval {
  RetrievalRequest request;  // normalized
  uint64_t policy_version = 0;
  std::vector<std::string> clearances;
  // The expansion's traversal bound; 0 in an entry that did not record it.
  uint64_t max_nodes = 0;
  uint64_t max_edges = 0;
  // RetrievalContentDigest of what was returned; unset in an entry that did
  // not record it (written before it existed).
  std::optional<ContentHash> content;
  // Whether the edges' props counted towards max_bytes; false in an entry
  // that did not record it (written before they did). Recorded only with
  // `content`.
  bool edges_in_budget = false;
};

// `request` must be normalized.
std::string EncodeRetrievalSummary(const RecordedRetrieval& recorded);
// DATA_LOSS "audit summary: ..." when `summary` is not a version-1 encoding.
// `max_nodes`/`max_edges` are both present or both absent (then 0);
// `content` (64 hex digits) follows them, or is absent; `budget_edges=1`
// follows `content`, or is absent.
absl::StatusOr<RecordedRetrieval> DecodeRetrievalSummary(std::string_view summary);

std::string_view DirectionName(DirectionFilter direction);

}  // namespace ctxgraph

#endif  // CTXGRAPH_QUERY_RETRIEVAL_REQUEST_H_
