#include "query/searcher.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <optional>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/types/span.h"
#include "query/graph_reader.h"
#include "query/read_stats.h"
#include "query/validation.h"
#include "storage/keys.h"
#include "storage/posting_block.h"
#include "storage/status_macros.h"
#include "storage/term_block_cache.h"
#include "storage/text_index.h"

namespace ctxgraph {
namespace {

constexpr double kK1 = 1.2;
constexpr double kB = 0.75;
// Scores are compared against bounds computed in another summation order;
// this slack keeps rounding from pruning a node that ties the threshold.
constexpr double kSlack = 1e-9;

struct QueryTerm {
  std::string term;
  size_t query_pos = 0;  // position among the query's distinct terms
  uint64_t docs = 0;     // visible nodes holding it
  double idf = 0;
  double bound = 0;  // no posting of this term scores more
};

// BM25's per-term score, given the node's tf and length.
class Bm25 {
 public:
  Bm25(double avg_length) : avg_length_(avg_length) {}
  double Score(double idf, uint32_t tf, uint32_t length) const {
    const double norm = kK1 * (1 - kB + kB * length / avg_length_);
    return idf * tf * (kK1 + 1) / (tf + norm);
  }
  // The best score in a block: its frontier holds the best posting,
  // whatever avgdl is.
  double BlockBest(double idf, absl::Span<const std::pair<uint32_t, uint32_t>> frontier) const {
    double best = 0;
    for (const auto& [tf, length] : frontier) best = std::max(best, Score(idf, tf, length));
    return best;
  }

 private:
  double avg_length_;
};

// The postings of one term, one at a time, decoding blocks only when a
// posting of theirs is needed.
class PostingCursor {
 public:
  explicit PostingCursor(TextIndex::BlockCursor blocks) : blocks_(std::move(blocks)) {}

  bool done() const { return !blocks_.valid(); }
  // The current block, before any posting of it is read.
  bool at_block_start() const { return postings_ == nullptr; }
  const PostingBlockHeader& block_header() const { return blocks_.header(); }

  absl::StatusOr<const Posting*> Current() {
    if (done()) return nullptr;
    if (!postings_) {
      ASSIGN_OR_RETURN(postings_, blocks_.Postings());
      CountPostingBlocks();
      pos_ = 0;
    }
    return &(*postings_)[pos_];
  }
  absl::Status Next() {
    ASSIGN_OR_RETURN(const Posting* p, Current());
    if (!p) return absl::OkStatus();
    if (++pos_ < postings_->size()) return absl::OkStatus();
    return NextBlock();
  }
  // The current block's postings, before any of them is read.
  absl::StatusOr<const std::vector<Posting>*> BlockPostings() {
    ASSIGN_OR_RETURN(const std::vector<Posting>* postings, blocks_.Postings());
    CountPostingBlocks();
    return postings;
  }
  // Moves to the block that starts at `first_iid`, before its postings.
  absl::Status JumpToBlock(uint64_t first_iid) {
    postings_ = nullptr;
    return blocks_.JumpTo(first_iid);
  }
  absl::Status NextBlock() {
    postings_ = nullptr;
    return blocks_.Next();
  }
  // Moves to the first posting with iid >= `iid`.
  absl::Status SkipTo(uint64_t iid) {
    ASSIGN_OR_RETURN(const Posting* p, Current());
    if (!p || p->iid >= iid) return absl::OkStatus();
    ASSIGN_OR_RETURN(const uint64_t end, blocks_.EndIid());
    if (end <= iid) {
      postings_ = nullptr;
      RETURN_IF_ERROR(blocks_.SeekBlock(iid));
      ASSIGN_OR_RETURN(p, Current());
      if (!p || p->iid >= iid) return absl::OkStatus();
    }
    auto it = std::lower_bound(postings_->begin() + static_cast<ptrdiff_t>(pos_), postings_->end(),
                               iid, [](const Posting& q, uint64_t v) { return q.iid < v; });
    pos_ = static_cast<size_t>(it - postings_->begin());
    if (pos_ == postings_->size()) return NextBlock();
    return absl::OkStatus();
  }

 private:
  TextIndex::BlockCursor blocks_;
  const std::vector<Posting>* postings_ = nullptr;  // the decoded current block
  size_t pos_ = 0;
};

struct Candidate {
  double score;
  std::shared_ptr<const NodeRecord> node;  // never null
};

// Heap order: the worst candidate on top. Better = higher score, then
// smaller id.
bool Better(const Candidate& a, const Candidate& b) {
  if (a.score != b.score) return a.score > b.score;
  return a.node->id < b.node->id;
}

// Where a page ended, and the policy version its scores were computed
// under (the first page's), so every page scores alike.
struct Cursor {
  double score;
  uint64_t stats_policy;
  std::string id;
};

std::string EncodeCursor(const Cursor& c) {
  std::string out = keys::EncodeU64(std::bit_cast<uint64_t>(c.score));
  keys::AppendU64(&out, c.stats_policy);
  out.append(c.id);
  return out;
}

absl::StatusOr<Cursor> DecodeCursor(std::string_view bytes) {
  auto bits = keys::ReadU64(bytes, 0);
  auto stats_policy = keys::ReadU64(bytes, 8);
  if (!bits.ok() || !stats_policy.ok()) return absl::InvalidArgumentError("page_token: invalid");
  return Cursor{std::bit_cast<double>(*bits), *stats_policy, std::string(bytes.substr(16))};
}

// Moves `pos` back to the start of the UTF-8 character it points into.
size_t CharStart(std::string_view text, size_t pos) {
  while (pos > 0 && pos < text.size() && (static_cast<uint8_t>(text[pos]) & 0xC0) == 0x80) --pos;
  return pos;
}

std::string Snippet(const TextIndex& text, const NodeRecord& node,
                    const absl::flat_hash_set<std::string>& terms) {
  const std::vector<std::string_view> texts = text.IndexedText(node);
  for (std::string_view t : texts) {
    std::optional<size_t> match;
    text.tokenizer().ForEachTermAt(t, [&](std::string_view term, size_t begin, size_t) {
      if (!match && terms.contains(absl::string_view(term.data(), term.size()))) match = begin;
    });
    if (!match) continue;
    const size_t lead = kSnippetBytes / 3;
    const size_t start = CharStart(t, *match > lead ? *match - lead : 0);
    const size_t end = CharStart(t, std::min(t.size(), start + kSnippetBytes));
    return absl::StrCat(start > 0 ? "…" : "", std::string(t.substr(start, end - start)),
                        end < t.size() ? "…" : "");
  }
  return "";
}

}  // namespace

AuditEntry SearchAuditEntry(const Caller& caller, const SearchRequest& request,
                            const SearchPage& page) {
  AuditEntry entry;
  entry.principal = caller.principal.id;
  entry.action = "search";
  entry.snapshot_version = page.version;
  entry.summary = absl::StrCat(
      "query=\"", absl::CHexEscape(request.query), "\" labels=[",
      absl::StrJoin(request.labels, ","), "] page_size=", request.page_size,
      " page=", request.page_token.empty() ? "first" : "next", " as_of=", request.as_of,
      " clearances=[", absl::StrJoin(caller.principal.clearances, ","),
      "] policy_version=", page.policy_version);
  for (const SearchHit& hit : page.hits) {
    entry.items.push_back(AuditItem{hit.node->id, "", "", hit.node->provenance.version});
  }
  return entry;
}

absl::StatusOr<SearchPage> Searcher::Search(const SearchRequest& request) const {
  TextIndex& text = *store_.text();
  if (request.query.empty()) return absl::InvalidArgumentError("query: empty");
  if (request.query.size() > kMaxQueryBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("query: longer than ", kMaxQueryBytes, " bytes"));
  }
  // Each label is copied, joined into the page token's fingerprint and
  // kept in the call's audit entry for good.
  RETURN_IF_ERROR(CheckLabelFilterSize("labels", request.labels.size()));
  for (size_t i = 0; i < request.labels.size(); ++i) {
    RETURN_IF_ERROR(ValidateTypeLabel(absl::StrCat("labels[", i, "]"), request.labels[i]));
  }
  if (request.page_size < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("page_size: must not be negative, got ", request.page_size));
  }
  const int page_size = request.page_size == 0 ? kDefaultSearchPageSize
                                               : std::min(request.page_size, kMaxSearchPageSize);
  std::vector<QueryTerm> terms;
  absl::flat_hash_set<std::string> term_set;
  text.tokenizer().ForEachTerm(request.query, [&](std::string_view term) {
    if (term_set.emplace(term).second) terms.push_back({std::string(term), terms.size()});
  });
  if (terms.empty()) return absl::InvalidArgumentError("query: has no searchable terms");
  if (terms.size() > kMaxQueryTerms) {
    return absl::InvalidArgumentError(absl::StrCat("query: more than ", kMaxQueryTerms, " terms"));
  }

  std::vector<std::string> sorted_labels = request.labels;
  std::sort(sorted_labels.begin(), sorted_labels.end());
  // The clearances too: the statistics a page's scores are made of are the
  // caller's visible sets, so a token from before a clearance change would
  // resume among scores computed differently, repeating or skipping hits.
  const std::string fingerprint = RequestFingerprint(
      {"Search", caller_.principal.id, request.query, absl::StrJoin(sorted_labels, "\n"),
       absl::StrJoin(caller_.principal.clearances, "\n")});
  SearchPage page;
  std::optional<Cursor> after;
  if (!request.page_token.empty()) {
    ASSIGN_OR_RETURN(PageToken token, tokens_.Decode(fingerprint, request.page_token));
    ASSIGN_OR_RETURN(after, DecodeCursor(token.cursor));
    ASSIGN_OR_RETURN(page.version, ResolveVersion(*store_.database(), token.version, "page_token"));
  } else {
    ASSIGN_OR_RETURN(page.version, ResolveVersion(*store_.database(), request.as_of));
  }
  const uint64_t version = page.version;
  // Who is visible is decided as of now (or Retrieve's policy version), on
  // every page. The statistics every score is made of are those of the
  // first page's policy version, so that a relabel between pages moves no
  // score: pages neither repeat nor skip hits. Those statistics were this
  // caller's on the first page, so they tell it nothing new.
  const uint64_t latest = store_.database()->LatestVersion();
  const uint64_t policy_version =
      request.policy_version != 0 ? std::max(request.policy_version, version) : latest;
  page.policy_version = policy_version;
  const uint64_t stats_policy = after ? after->stats_policy : policy_version;
  if (stats_policy < version || stats_policy > latest) {
    return absl::InvalidArgumentError("page_token: invalid");
  }
  GraphReadSession reads(store_, cache_use_);

  // Which boundary sets the caller may see. Read after the version, so
  // every set a posting at that version names is known.
  std::shared_ptr<const VisibleSets> visible;
  if (visible_sets_) {
    visible = visible_sets_->Get(caller_.policy);
  } else {
    VisibleSetCache once(text.sets());
    visible = once.Get(caller_.policy);
  }
  auto set_visible = [&](uint64_t set) { return visible->Contains(set); };

  // Nodes visible as they were at `version` but hidden as they are now
  // (`hidden_now`: never a hit), or as they were at `stats_policy`
  // (`uncounted`: not in the statistics); found among the nodes relabelled
  // since `version`.
  absl::flat_hash_set<uint64_t> hidden_now;
  absl::flat_hash_map<uint64_t, NodeTerms> uncounted;
  if (const uint64_t upto = std::max(policy_version, stats_policy); version < upto) {
    std::vector<uint64_t> relabelled;
    RETURN_IF_ERROR(
        text.ForEachRelabelled(version, upto, [&](uint64_t iid) { relabelled.push_back(iid); }));
    absl::flat_hash_set<uint64_t> done;
    // ReadNodeUnderPolicy's rule: a node deleted by `v` is judged by its
    // last boundary.
    auto hidden_at = [&](uint64_t iid, uint64_t v) -> absl::StatusOr<bool> {
      ASSIGN_OR_RETURN(std::shared_ptr<const NodeRecord> node, reads.GetNodeOrLastLive(iid, v));
      return node && !caller_.policy.CanSee(*node);
    };
    for (uint64_t iid : relabelled) {
      if (!done.insert(iid).second) continue;
      ASSIGN_OR_RETURN(std::optional<NodeRecord> then, reads.GetNodeByIid(iid, version));
      if (!then || !caller_.policy.CanSee(*then)) continue;
      ASSIGN_OR_RETURN(const bool hidden_then, hidden_at(iid, stats_policy));
      if (hidden_then) {
        // Only the length and the query's terms are used: a mass relabel
        // keeps a few bytes per node here, not every node's vocabulary.
        NodeTerms all = text.Analyze(*then);
        NodeTerms kept{{}, all.length};
        for (const QueryTerm& t : terms) {
          if (auto it = all.tf.find(t.term); it != all.tf.end()) kept.tf.insert(*it);
        }
        uncounted.emplace(iid, std::move(kept));
      }
      bool hidden = hidden_then;
      if (policy_version != stats_policy) {
        ASSIGN_OR_RETURN(hidden, hidden_at(iid, policy_version));
      }
      if (hidden) hidden_now.insert(iid);
    }
  }

  ASSIGN_OR_RETURN(CorpusTotals totals, text.Totals(version, visible->selection));
  for (const auto& [iid, node_terms] : uncounted) {
    --totals.docs;
    totals.length -= node_terms.length;
  }
  if (totals.docs == 0) return page;
  const Bm25 bm25(static_cast<double>(totals.length) / static_cast<double>(totals.docs));

  std::vector<QueryTerm> live_terms;
  std::vector<PostingCursor> cursors;
  for (QueryTerm& t : terms) {
    ASSIGN_OR_RETURN(t.docs, text.TermDocs(t.term, version, visible->selection));
    for (const auto& [iid, node_terms] : uncounted) {
      if (node_terms.tf.contains(t.term)) --t.docs;
    }
    if (t.docs == 0) continue;
    const double n = static_cast<double>(totals.docs), df = static_cast<double>(t.docs);
    t.idf = std::log(1 + (n - df + 0.5) / (df + 0.5));
    t.bound = t.idf * (kK1 + 1);
    live_terms.push_back(t);
  }
  if (live_terms.empty()) return page;
  // MaxScore order: smallest bound first; prefix[i] bounds terms 0..i.
  std::sort(live_terms.begin(), live_terms.end(), [](const QueryTerm& a, const QueryTerm& b) {
    return a.bound != b.bound ? a.bound < b.bound : a.query_pos < b.query_pos;
  });
  const size_t m = live_terms.size();
  std::vector<double> prefix(m);
  for (size_t i = 0; i < m; ++i) prefix[i] = live_terms[i].bound + (i > 0 ? prefix[i - 1] : 0);
  for (const QueryTerm& t : live_terms) {
    ASSIGN_OR_RETURN(TextIndex::BlockCursor blocks, text.OpenTerm(t.term, version));
    cursors.emplace_back(std::move(blocks));
  }
  // Contributions are summed in query order, whatever order found them.
  std::vector<size_t> by_query_pos(m);
  for (size_t i = 0; i < m; ++i) by_query_pos[i] = i;
  std::sort(by_query_pos.begin(), by_query_pos.end(),
            [&](size_t a, size_t b) { return live_terms[a].query_pos < live_terms[b].query_pos; });

  const size_t k = static_cast<size_t>(page_size) + 1;  // one more says a next page exists
  std::vector<Candidate> heap;
  auto worst_first = [](const Candidate& a, const Candidate& b) { return Better(a, b); };
  double threshold = -std::numeric_limits<double>::infinity();
  size_t essential = 0;  // terms [essential, m) drive the candidates
  std::vector<double> contribution(m);
  uint64_t hidden = 0;  // postings of nodes the caller may not see, stepped over

  // A node whose score may put it in the top k: the heap decides, once
  // its id (the tie-break) and labels are read.
  auto offer = [&](uint64_t iid, double score) -> absl::Status {
    if (after && score > after->score) return absl::OkStatus();  // on an earlier page
    ASSIGN_OR_RETURN(std::shared_ptr<const NodeRecord> node, reads.GetNodeShared(iid, version));
    if (!node) return absl::OkStatus();
    if (after && score == after->score && node->id <= after->id) return absl::OkStatus();
    if (!request.labels.empty() &&
        std::none_of(node->labels.begin(), node->labels.end(), [&](const std::string& l) {
          return std::binary_search(sorted_labels.begin(), sorted_labels.end(), l);
        })) {
      return absl::OkStatus();
    }
    Candidate c{score, std::move(node)};
    if (heap.size() == k) {
      if (!Better(c, heap.front())) return absl::OkStatus();
      std::pop_heap(heap.begin(), heap.end(), worst_first);
      heap.back() = std::move(c);
    } else {
      heap.push_back(std::move(c));
    }
    std::push_heap(heap.begin(), heap.end(), worst_first);
    if (heap.size() == k) threshold = heap.front().score;
    return absl::OkStatus();
  };

  // Offers the visible postings of one block of a one-term query; with
  // `seen`, collects them there too.
  auto offer_block = [&](PostingCursor& only, double idf,
                         std::vector<Posting>* seen) -> absl::Status {
    ASSIGN_OR_RETURN(const std::vector<Posting>* postings, only.BlockPostings());
    for (const Posting& p : *postings) {
      if (!set_visible(p.set) || (!hidden_now.empty() && hidden_now.contains(p.iid))) {
        ++hidden;
        continue;
      }
      if (seen) seen->push_back(p);
      const double score = bm25.Score(idf, p.tf, p.length);
      if (heap.size() == k && score < threshold) continue;
      RETURN_IF_ERROR(offer(p.iid, score));
    }
    return absl::OkStatus();
  };

  // One term, the commonest query, with nothing to probe or sum. A common
  // term's blocks are taken from its block summary best bound first: the
  // threshold reaches its final value within a few blocks, and the blocks
  // whose bound falls short of it are never read. The heap keeps the same
  // top k whatever the order, so the answer is the one of the scan below.
  //
  // A caller who may not see every boundary set reads the summary as
  // refined for its view (its clearances): a block it read before is
  // bounded by the postings it may see there, so its search stops as soon
  // as one that sees everything would, instead of reading every block
  // whose hidden postings score above its k-th hit. The blocks it reads
  // unrefined are refined for its next search, except in an as-of read
  // that hides nodes relabelled since (its visible postings are fewer
  // than the view's). A commit that rewrites a block ends its refinement,
  // and only its (TextIndex::ViewBlockSummary).
  std::shared_ptr<const TermBlocks> summary;
  const bool by_view = !visible->selection.all;
  if (m == 1 && cache_use_ == ReadCacheUse::kShared &&
      live_terms[0].docs >= block_summary_min_docs_) {
    if (by_view) {
      ASSIGN_OR_RETURN(summary, text.ViewBlockSummary(live_terms[0].term, visible->key, version));
    } else {
      ASSIGN_OR_RETURN(summary, text.BlockSummary(live_terms[0].term, version));
    }
  }
  if (summary) {
    const double idf = live_terms[0].idf;
    std::vector<std::pair<double, size_t>> order;  // (bound, block index)
    order.reserve(summary->blocks.size());
    for (size_t i = 0; i < summary->blocks.size(); ++i) {
      const TermBlocks::Block& b = summary->blocks[i];
      if (summary->ViewOnly(i) && b.frontier_begin == b.frontier_end) continue;  // none visible
      order.emplace_back(
          bm25.BlockBest(idf, absl::MakeConstSpan(summary->frontier)
                                  .subspan(b.frontier_begin, b.frontier_end - b.frontier_begin)),
          i);
    }
    // A heap, not a sort: the loop stops after a few of thousands of blocks.
    auto lower = [](const auto& a, const auto& b) {  // the best bound on top
      return a.first != b.first ? a.first < b.first : a.second > b.second;
    };
    std::make_heap(order.begin(), order.end(), lower);
    std::vector<ViewFrontier> refined;
    std::vector<Posting> seen;
    while (!order.empty() && order.front().first >= threshold - kSlack) {
      const size_t i = order.front().second;
      std::pop_heap(order.begin(), order.end(), lower);
      order.pop_back();
      RETURN_IF_ERROR(cursors[0].JumpToBlock(summary->blocks[i].first_iid));
      const bool refine =
          by_view && hidden_now.empty() && uncounted.empty() && !summary->ViewOnly(i);
      seen.clear();
      RETURN_IF_ERROR(offer_block(cursors[0], idf, refine ? &seen : nullptr));
      if (refine) refined.push_back({i, PostingFrontier(seen)});
    }
    if (!refined.empty()) {
      text.StoreViewBlockSummary(live_terms[0].term, visible->key, version,
                                 RefineTermBlocks(*summary, std::move(refined)));
    }
  }
  // Without a summary: block by block, skipping those whose bound falls
  // short; the same postings offered.
  while (m == 1 && !summary && !cursors[0].done() && prefix[0] >= threshold - kSlack) {
    PostingCursor& only = cursors[0];
    const double idf = live_terms[0].idf;
    if (bm25.BlockBest(idf, only.block_header().frontier) >= threshold - kSlack) {
      RETURN_IF_ERROR(offer_block(only, idf, nullptr));
    }
    RETURN_IF_ERROR(only.NextBlock());
  }

  while (m > 1) {
    // The first essential term whose bounds, with all before it, can reach
    // the threshold; the ones before it are only probed.
    while (essential < m && prefix[essential] < threshold - kSlack) ++essential;
    if (essential == m) break;
    const double others = essential > 0 ? prefix[essential - 1] : 0;
    // One essential term: skip its blocks that cannot reach the threshold.
    if (essential == m - 1) {
      PostingCursor& only = cursors[m - 1];
      while (!only.done() && only.at_block_start()) {
        const double block_bound =
            bm25.BlockBest(live_terms[m - 1].idf, only.block_header().frontier) + others;
        if (block_bound >= threshold - kSlack) break;
        RETURN_IF_ERROR(only.NextBlock());
      }
    }
    uint64_t d = std::numeric_limits<uint64_t>::max();
    const Posting* first = nullptr;
    for (size_t i = essential; i < m; ++i) {
      ASSIGN_OR_RETURN(const Posting* p, cursors[i].Current());
      if (p && p->iid < d) {
        d = p->iid;
        first = p;
      }
    }
    if (!first) break;
    const bool counts = set_visible(first->set) && (hidden_now.empty() || !hidden_now.contains(d));
    std::fill(contribution.begin(), contribution.end(), 0.0);
    double partial = 0;
    for (size_t i = essential; i < m; ++i) {
      ASSIGN_OR_RETURN(const Posting* p, cursors[i].Current());
      if (!p || p->iid != d) continue;
      if (counts) {
        contribution[i] = bm25.Score(live_terms[i].idf, p->tf, p->length);
        partial += contribution[i];
      }
      RETURN_IF_ERROR(cursors[i].Next());
    }
    if (!counts) {
      ++hidden;
      continue;
    }
    bool pruned = false;
    for (size_t i = essential; i-- > 0;) {
      if (partial + prefix[i] < threshold - kSlack) {
        pruned = true;
        break;
      }
      RETURN_IF_ERROR(cursors[i].SkipTo(d));
      ASSIGN_OR_RETURN(const Posting* p, cursors[i].Current());
      if (p && p->iid == d) {
        contribution[i] = bm25.Score(live_terms[i].idf, p->tf, p->length);
        partial += contribution[i];
      }
    }
    if (pruned) continue;
    double score = 0;
    for (size_t i : by_query_pos) score += contribution[i];
    if (heap.size() == k && score < threshold) continue;
    RETURN_IF_ERROR(offer(d, score));
  }
  CountHiddenNodes(hidden);

  std::sort(heap.begin(), heap.end(), Better);
  const bool more = heap.size() == k;
  if (more) heap.pop_back();
  for (Candidate& c : heap) {
    SearchHit hit;
    hit.score = c.score;
    hit.snippet = Snippet(text, *c.node, term_set);
    ASSIGN_OR_RETURN(hit.node, ResolveOrigins(reads, caller_.policy, std::move(c.node), version,
                                              policy_version));
    page.hits.push_back(std::move(hit));
  }
  if (more) {
    const SearchHit& last = page.hits.back();
    page.next_page_token = tokens_.Encode(
        fingerprint, {version, EncodeCursor({last.score, stats_policy, last.node->id})});
  }
  return page;
}

}  // namespace ctxgraph
