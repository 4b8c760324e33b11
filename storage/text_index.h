// TextIndex: the keyword index behind search, kept in the same commits as
// the nodes it indexes, so search is never stale or ahead of the graph.
//
// What is indexed: every string prop of a node (and every string element of
// a list prop), or only the props TextIndexConfig::props names, run through
// one Tokenizer. A node's length is its number of indexed terms.
//
// Storage (layouts in keys.h):
//  - postings: per term, PostingBlocks keyed by their first iid and version.
//    A node write rewrites, at the new version, each block whose postings it
//    changes, so a read "as of V" sees exactly the postings of version V.
//  - statistics per boundary set, versioned the same way: per (term, set)
//    the number of nodes holding the term, per set the number of nodes and
//    their total length. A search sums them over the sets its caller may
//    see, so scores never count nodes the caller cannot see.
//  - the boundary log: which existing nodes changed boundary at which
//    version, so an as-of search can tell which nodes it saw then are hidden
//    from its caller now.
//
// Writes: node changes accumulate in a TextIndexDelta (NoteNodeChange) and
// Flush writes them into a CommitContext, once per context, after every
// other write of that context's nodes. A delta may span many batches of one
// CommitSession (all at one version): flushing it in parts is fine.
//
// Thread safety: a TextIndex is safe to share; a TextIndexDelta is not.
#ifndef CTXGRAPH_STORAGE_TEXT_INDEX_H_
#define CTXGRAPH_STORAGE_TEXT_INDEX_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "rocksdb/iterator.h"
#include "storage/boundary_sets.h"
#include "storage/database.h"
#include "storage/posting_block.h"
#include "storage/records.h"
#include "storage/term_block_cache.h"
#include "storage/tokenizer.h"

namespace ctxgraph {

struct TextIndexConfig {
  // Props to index; empty means every string prop.
  std::vector<std::string> props;
  std::vector<std::string> stop_words = Tokenizer::DefaultStopWords();

  // A canonical byte form, stored at creation and compared at every open.
  std::string Encode() const;
};

// The terms of one node: frequency per term, and its length.
struct NodeTerms {
  absl::flat_hash_map<std::string, uint32_t> tf;
  uint32_t length = 0;
};

// How a boundary set's node count and total length change.
struct SetTotalsChange {
  int64_t docs = 0;
  int64_t length = 0;
};

// Pending index changes, not yet written. Memory: ~40 bytes per changed
// posting plus the terms; see approx_bytes().
class TextIndexDelta {
 public:
  bool empty() const { return postings_.empty() && totals_.empty(); }
  size_t approx_bytes() const { return approx_bytes_; }

 private:
  friend class TextIndex;
  struct TermChanges {
    // (iid, posting or nullopt for "remove"), in arrival order; the last
    // change of an iid wins. The term's per-set document counts change by
    // what the flush finds replaced, so they are not tracked here.
    std::vector<std::pair<uint64_t, std::optional<Posting>>> changes;
  };
  absl::flat_hash_map<std::string, TermChanges> postings_;
  absl::flat_hash_map<uint64_t, SetTotalsChange> totals_;
  std::vector<uint64_t> relabelled_;  // iids for the boundary log
  size_t approx_bytes_ = 0;
};

// The statistics changes of flushed postings, not yet written: per term the
// change of its document count in each boundary set (and kAllSets), and per
// set the change of its totals. Every flush of a CommitSession is at one
// version, so a bulk import adds up what its flushes change here and writes
// each counter once, at its end (TextIndex::FlushCounts), instead of seeking
// and rewriting the same counters at every flush. Memory: at most about 32
// bytes per (term, set) pair and 128 per term besides its bytes, the
// estimate approx_bytes() keeps (the 1M-node benchmark graph changes 2.06M
// pairs of about 40k terms); a Flush that takes them past `max_bytes`
// writes them out too, so they stay bounded whatever the import's size.
class TextIndexCounts {
 public:
  explicit TextIndexCounts(size_t max_bytes = kDefaultMaxBytes) : max_bytes_(max_bytes) {}
  static constexpr size_t kDefaultMaxBytes = size_t{128} << 20;

  bool empty() const { return term_docs_.empty() && totals_.empty(); }
  size_t approx_bytes() const { return approx_bytes_; }

 private:
  friend class TextIndex;
  absl::flat_hash_map<std::string, absl::flat_hash_map<uint64_t, int64_t>> term_docs_;
  absl::flat_hash_map<uint64_t, SetTotalsChange> totals_;
  size_t max_bytes_;
  size_t approx_bytes_ = 0;
};

// The boundary sets a statistics read counts: every set, or the listed ones.
struct SetSelection {
  bool all = false;
  std::vector<uint64_t> ids;  // sorted, unique; ignored when `all`
};

struct CorpusTotals {
  uint64_t docs = 0;
  uint64_t length = 0;
};

class TextIndex {
 public:
  TextIndex(Database* db, TextIndexConfig config);

  // Stores the config in a new database, or checks it against the stored
  // one (FAILED_PRECONDITION naming both when they differ); loads the
  // boundary sets. Call once before anything else.
  absl::Status Open();

  const Tokenizer& tokenizer() const { return tokenizer_; }
  BoundarySets& sets() { return sets_; }
  const BoundarySets& sets() const { return sets_; }

  // The terms `node` is indexed under.
  NodeTerms Analyze(const NodeRecord& node) const;
  // The text of `node` that is indexed, prop by prop (for snippets).
  std::vector<std::string_view> IndexedText(const NodeRecord& node) const;

  // Records that node `iid` went from `before` to `after` (either may be
  // null: created, deleted). `came_back` says a node that existed earlier
  // (now deleted) is written again. Interns boundary sets.
  absl::Status NoteNodeChange(TextIndexDelta& delta, uint64_t iid, const NodeRecord* before,
                              const NodeRecord* after, bool came_back);

  // Writes `delta` into `ctx` at ctx.version() (unindexed: Get and
  // NewIterator on `ctx` do not see the index keys) and clears it. With
  // `counts`, the statistics changes are added there, for FlushCounts to
  // write into this or a later context of the same version (or this Flush,
  // past their budget); without, they are written here. Statistics are
  // read back from the database, not from `ctx`: two flushes that write
  // statistics into one context would lose the first's. Before
  // it writes, the cached block summaries of the terms it changes stop
  // answering reads at or above ctx.version() (BlockSummary). Outside a
  // CommitSession, the commit then patches those that were current (the
  // blocks it wrote put in) and caches them at its version once committed.
  absl::Status Flush(CommitContext& ctx, TextIndexDelta& delta,
                     TextIndexCounts* counts = nullptr) const;
  // Writes the statistics changes in `counts` into `ctx` at ctx.version(),
  // unindexed, and clears them: one seek and one write per counter.
  absl::Status FlushCounts(CommitContext& ctx, TextIndexCounts& counts) const;

  // --- Reads, as of `version`. ---

  // Nodes holding `term` whose boundary set is selected. Costs one seek for
  // all sets (a maintained sum), else about one seek per selected set that
  // holds the term.
  absl::StatusOr<uint64_t> TermDocs(std::string_view term, uint64_t version,
                                    const SetSelection& sets) const;
  // Nodes and their total length over the selected sets.
  absl::StatusOr<CorpusTotals> Totals(uint64_t version, const SetSelection& sets) const;
  // Calls `visit(iid)` for each boundary log entry with after < version <= upto.
  absl::Status ForEachRelabelled(uint64_t after, uint64_t upto,
                                 absl::FunctionRef<void(uint64_t iid)> visit) const;

  // The non-empty posting blocks of `term` as of `version`: from memory
  // when a cached summary answers `version`, else read (one scan of the
  // term's block keys) and cached. A summary built at version B answers a
  // read at V when no commit wrote postings of the term at a version in
  // (min(B, V), max(B, V)]; Flush notes the terms it changes before the
  // commit is visible (TermChangeLog), so this index must be the only
  // TextIndex writing to its Database (as its interned boundary sets
  // require already). Null when the term's postings changed after
  // `version` (an as-of read of older postings) or `version` is above
  // LatestVersion(): the caller reads the blocks directly.
  absl::StatusOr<std::shared_ptr<const TermBlocks>> BlockSummary(std::string_view term,
                                                                 uint64_t version) const;
  // BlockSummary as refined for one view of the postings: `view` names a
  // set of boundary sets (the searcher passes a caller's clearances), and
  // the refinement's view_only blocks bound only the postings whose sets it
  // holds. The view's cached refinement when it answers `version` (the
  // rule of BlockSummary). Else, when the term changed since the view's
  // refinement was made, the current summary with the refinement's
  // frontiers of the blocks not written since (cached in its place); else
  // BlockSummary(term, version).
  absl::StatusOr<std::shared_ptr<const TermBlocks>> ViewBlockSummary(std::string_view term,
                                                                     std::string_view view,
                                                                     uint64_t version) const;
  // Caches `summary` as `view`'s refinement of `term`'s summary: it was
  // derived from one that ViewBlockSummary(term, view, version) answered,
  // and its view_only frontiers from the postings as of `version` whose
  // sets the view holds.
  void StoreViewBlockSummary(std::string_view term, std::string_view view, uint64_t version,
                             std::shared_ptr<const TermBlocks> summary) const;

  // How many summaries BlockSummary has read from the postings.
  uint64_t block_summary_builds() const {
    return block_summary_builds_.load(std::memory_order_relaxed);
  }
  // Bytes the block summaries hold: at most kBlockSummaryBytes for all
  // postings, and as much again for the views' refinements.
  size_t block_summary_bytes() const { return block_summaries_.bytes() + view_summaries_.bytes(); }
  static constexpr size_t kBlockSummaryBytes = 16 << 20;
  // Terms whose last postings change is tracked one by one (TermChangeLog):
  // past that, every summary is rebuilt once.
  static constexpr size_t kTrackedTermChanges = 1 << 15;
  // A commit that changes more terms than this patches no summary.
  static constexpr size_t kMaxPatchedTerms = 4096;

  // A forward cursor over the posting blocks of one term as of a version.
  // Scanning headers only (to skip blocks) copies nothing: the cursor reads
  // the current block where the iterator holds it, and copies its bytes only
  // when asked for the next block's start before decoding it.
  class BlockCursor {
   public:
    // False once past the last block.
    bool valid() const { return valid_; }
    uint64_t first_iid() const { return first_iid_; }
    // The version that wrote the current block.
    uint64_t block_version() const { return block_version_; }
    const PostingBlockHeader& header() const { return header_; }
    // Decodes the current block (cached until the cursor moves).
    absl::StatusOr<const std::vector<Posting>*> Postings();
    // The first iid of the next block, or UINT64_MAX after the last.
    absl::StatusOr<uint64_t> EndIid();
    // Moves to the next non-empty block.
    absl::Status Next();
    // Moves forward to the block that may hold `iid` (no-op when the current
    // one may); invalid when `iid` lies past the last block.
    absl::Status SeekBlock(uint64_t iid);
    // Moves (forward or back) to the non-empty block that starts at
    // `first_iid`, one seek; INTERNAL when there is none at the cursor's
    // version (a block summary that does not match the postings).
    absl::Status JumpTo(uint64_t first_iid);

   private:
    friend class TextIndex;
    struct BlockKey {
      uint64_t first_iid = 0;
      uint64_t version = 0;
    };
    BlockCursor(std::unique_ptr<rocksdb::Iterator> it, std::string term, uint64_t version);
    // The block key under the iterator.
    absl::StatusOr<BlockKey> KeyHere() const;
    // Moves the iterator to the first key at or after it that exists at
    // version_; nullopt past the term's last block.
    absl::StatusOr<std::optional<BlockKey>> SeekVisible();
    // Moves the iterator past every version of block `first_iid`.
    absl::Status StepPast(uint64_t first_iid);
    // Makes the first non-empty block at or after the iterator current.
    absl::Status Load();
    // Moves the iterator off the current block to the next one, keeping
    // what Postings() and EndIid() still need.
    absl::Status LeaveBlock();

    std::unique_ptr<rocksdb::Iterator> it_;
    std::string prefix_;
    std::string term_;
    uint64_t version_;
    bool valid_ = false;
    bool at_block_ = false;  // the iterator is on the current block
    uint64_t first_iid_ = 0;
    uint64_t block_version_ = 0;
    uint64_t end_iid_ = 0;  // once !at_block_
    PostingBlockHeader header_;
    std::string bytes_;  // the current block, once !at_block_ and !decoded_
    bool decoded_ = false;
    std::vector<Posting> postings_;
  };
  absl::StatusOr<BlockCursor> OpenTerm(std::string_view term, uint64_t version) const;

  // Postings blocks aim at kBlockPostings entries; a block is split when a
  // write grows it past twice that.
  static constexpr size_t kBlockPostings = 128;
  // The statistics of every set together are kept under this set id too.
  static constexpr uint64_t kAllSets = ~uint64_t{0};

 private:
  // `it` iterates text_postings (FlushTerm) or text_stats (FlushDocs).
  // Also adds to `docs_delta` how the term's document count in each
  // boundary set (and kAllSets) changes, and with `written`, lists the
  // blocks it writes.
  absl::Status FlushTerm(CommitContext& ctx, rocksdb::Iterator* it, const std::string& term,
                         TextIndexDelta::TermChanges& changes,
                         absl::flat_hash_map<uint64_t, int64_t>* docs_delta,
                         std::vector<WrittenBlock>* written) const;
  // What `cache` holds under `key` for reading `term` as of `version`.
  struct CacheLookup {
    TermBlockCache::Entry entry;  // blocks null on a miss or when not looked up
    bool answers = false;         // entry answers `version`
    bool may_answer = false;      // a summary built now may answer `version`
  };
  CacheLookup LookUp(TermBlockCache& cache, std::string_view key, std::string_view term,
                     uint64_t version) const;
  absl::Status FlushDocs(CommitContext& ctx, rocksdb::Iterator* it, const std::string& term,
                         const absl::flat_hash_map<uint64_t, int64_t>& docs_delta) const;
  // Calls `take` with the value, as of `version`, of each selected set's
  // entry under `prefix` in text_stats (keys: prefix | set | ~version).
  absl::Status ForEachSelectedSet(
      std::string_view prefix, uint64_t version, const SetSelection& sets,
      absl::FunctionRef<absl::Status(std::string_view value)> take) const;

  Database* db_;
  TextIndexConfig config_;
  Tokenizer tokenizer_;
  BoundarySets sets_;
  // When each term's postings last changed: Flush notes its terms before
  // the commit can be visible. Open starts it at the latest version.
  mutable TermChangeLog term_changes_{kTrackedTermChanges};
  mutable std::atomic<uint64_t> block_summary_builds_{0};
  mutable TermBlockCache block_summaries_{kBlockSummaryBytes};
  // Keyed by the view's length, the view, then the term.
  mutable TermBlockCache view_summaries_{kBlockSummaryBytes};
};

}  // namespace ctxgraph

#endif  // CTXGRAPH_STORAGE_TEXT_INDEX_H_
