// Searcher: ranked keyword search over the nodes a caller may see.
//
// Ranking is BM25 (k1 = 1.2, b = 0.75) with idf = ln(1 + (N - df + 0.5) /
// (df + 0.5)), where N, df and the average length count only nodes the
// caller may see at the snapshot read: a hidden node changes no score, no
// count and no page. A hit's score is the sum of its terms' contributions in
// query order; hits are ordered by score, then by node id, so the same
// request on the same snapshot always answers the same pages.
//
// Top-k uses MaxScore: query terms sorted by their score bound, the terms
// whose bounds together cannot reach the current k-th score are only probed
// for nodes found in the others, and a posting block whose best possible
// score cannot reach it is skipped without being decoded. A one-term query
// for a common term takes its blocks best bound first, from the term's
// block summary in memory (TextIndex::BlockSummary), and stops at the first
// block whose bound cannot reach the k-th score; a receipt replay
// (ReadCacheUse::kBypass) never uses summaries.
//
// As of an earlier version V, a node counts when the caller may see it as it
// was at V and as it is now (a label put on later protects its history, as
// in GraphReader), for hits and statistics alike. "Now" is the latest
// version, or SearchRequest::policy_version (Retrieve's, which a replay
// pins). A page token carries the first page's "now" for the statistics
// only: the next page's hits are those visible now, scored as on the first
// page, so a relabel between pages makes no page repeat or skip a hit (the
// cursor is a score), and the statistics are ones the caller already had.
//
// Thread safety: a Searcher is used by one request at a time; the objects it
// refers to must outlive it.
#ifndef CTXGRAPH_QUERY_SEARCHER_H_
#define CTXGRAPH_QUERY_SEARCHER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "query/caller.h"
#include "query/page_token.h"
#include "query/visible_sets.h"
#include "storage/graph_store.h"
#include "storage/records.h"

namespace ctxgraph {

struct SearchRequest {
  std::string query;
  // Type labels; when given, a hit carries at least one of them.
  std::vector<std::string> labels;
  int page_size = 0;  // 0: kDefaultSearchPageSize; capped at kMaxSearchPageSize
  std::string page_token;
  uint64_t as_of = 0;  // 0: latest
  // For Retrieve, not from the wire: the version whose boundaries count as
  // "now" (its policy version, which a replay pins). 0: the latest.
  uint64_t policy_version = 0;
};

struct SearchHit {
  // Never null: the record, shared with the read cache and immutable (copy
  // it to change it), or a copy with inherited labels' origins filled in
  // for this reader (ResolveOrigins).
  std::shared_ptr<const NodeRecord> node;
  double score = 0;
  std::string snippet;  // up to ~kSnippetBytes of indexed text around the first match
};

struct SearchPage {
  std::vector<SearchHit> hits;
  std::string next_page_token;  // empty on the last page
  uint64_t version = 0;         // the snapshot read
  // The version whose boundaries decided who is visible ("now"): the latest
  // version, or SearchRequest::policy_version; never below `version`.
  uint64_t policy_version = 0;
};

inline constexpr int kDefaultSearchPageSize = 10;
inline constexpr int kMaxSearchPageSize = 100;
inline constexpr size_t kMaxQueryBytes = 1024;
inline constexpr size_t kMaxQueryTerms = 32;
inline constexpr size_t kSnippetBytes = 160;
// A one-term search reads the term's blocks through its block summary
// (TextIndex::BlockSummary) when at least this many visible nodes hold it;
// below that, stepping over its few blocks costs less than sorting them.
inline constexpr uint64_t kBlockSummaryMinDocs = 2048;

// The audit log entry of one answered search (action "search"): the
// request in its summary, ending in the page's policy_version (the last
// field, after every caller-given one, for AccessReport to read), and the
// hits (id, version) in order as its items.
AuditEntry SearchAuditEntry(const Caller& caller, const SearchRequest& request,
                            const SearchPage& page);

class Searcher {
 public:
  // `visible_sets` (may be null: computed per call) caches which boundary
  // sets a clearance list may see, across calls. `cache_use` as in
  // GraphReadSession.
  Searcher(const GraphStore& store, const PageTokenCodec& tokens, const Caller& caller,
           VisibleSetCache* visible_sets = nullptr, ReadCacheUse cache_use = ReadCacheUse::kShared)
      : store_(store),
        tokens_(tokens),
        caller_(caller),
        visible_sets_(visible_sets),
        cache_use_(cache_use) {}

  // INVALID_ARGUMENT naming the field for a bad query ("query: has no
  // searchable terms"), label, page size, page token or as_of_version.
  absl::StatusOr<SearchPage> Search(const SearchRequest& request) const;

  // From how many visible nodes holding a one-term query's term on the
  // search reads its blocks through the block summary (default
  // kBlockSummaryMinDocs). Tests set 0 to take that path on small corpora.
  void set_block_summary_min_docs(uint64_t docs) { block_summary_min_docs_ = docs; }

 private:
  const GraphStore& store_;
  const PageTokenCodec& tokens_;
  const Caller& caller_;
  VisibleSetCache* visible_sets_;
  ReadCacheUse cache_use_;
  uint64_t block_summary_min_docs_ = kBlockSummaryMinDocs;
};

}  // namespace ctxgraph

#endif  // CTXGRAPH_QUERY_SEARCHER_H_
