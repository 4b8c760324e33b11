// TermBlockCache: the posting block headers of a term's blocks, kept in
// memory so that a search for a common term can pick the few blocks that
// may hold a top hit without stepping a RocksDB iterator over thousands of
// block keys first (a 1M-node graph's commonest terms have ~5,000 blocks;
// scanning their headers was most of such a search's time).
//
// What an entry means: `blocks` lists every non-empty block of the term as
// of version `built_at`. It answers a read at version V only when no commit
// changed any posting between the two (TextIndex::BlockSummary checks that
// against the newest version that wrote postings). The cache itself knows
// nothing of versions beyond storing `built_at`.
//
// Memory: at most `capacity_bytes`, estimated from the vectors' sizes;
// least recently used terms go first, and a summary larger than a quarter of
// the capacity is not cached.
//
// Thread safety: every method is safe to call concurrently.
#ifndef CTXGRAPH_STORAGE_TERM_BLOCK_CACHE_H_
#define CTXGRAPH_STORAGE_TERM_BLOCK_CACHE_H_

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"

namespace ctxgraph {

// The non-empty posting blocks of one term, in iid order.
struct TermBlocks {
  struct Block {
    uint64_t first_iid = 0;
    // The block's frontier (PostingBlockHeader::frontier) is
    // frontier[frontier_begin, frontier_end).
    uint32_t frontier_begin = 0;
    uint32_t frontier_end = 0;
    uint64_t version = 0;  // the version that wrote the block
  };
  std::vector<Block> blocks;
  std::vector<std::pair<uint32_t, uint32_t>> frontier;  // (tf, length) pairs
  // Empty in a summary of all postings. In one refined for a view (a set
  // of boundary sets, TextIndex::ViewBlockSummary), per block: 1 when its
  // frontier is that of only the postings the view sees (empty: it holds
  // none), 0 when it is still that of all its postings. Either way no
  // posting the view sees beats the frontier.
  std::vector<char> view_only;

  bool ViewOnly(size_t block) const { return block < view_only.size() && view_only[block]; }
  size_t bytes() const {
    return blocks.capacity() * sizeof(Block) + frontier.capacity() * sizeof(frontier[0]) +
           view_only.capacity();
  }
};

// A block's frontier over the postings a view sees (TermBlocks::view_only).
struct ViewFrontier {
  size_t block = 0;  // index into TermBlocks::blocks
  std::vector<std::pair<uint32_t, uint32_t>> frontier;
};

// A posting block as the commit at `version` wrote it.
struct WrittenBlock {
  uint64_t first_iid = 0;
  std::vector<std::pair<uint32_t, uint32_t>> frontier;  // empty: no postings left
};

// `base` as of the commit that wrote `written` (by increasing first_iid)
// when `base` was current just before it: a written block replaces the one
// that starts at its iid, or joins; those left empty go. No view_only.
std::shared_ptr<TermBlocks> PatchTermBlocks(const TermBlocks& base,
                                            const std::vector<WrittenBlock>& written,
                                            uint64_t version);

// `current` (a summary of all postings) with the view_only frontiers of
// `refined`, a view's refinement made from the postings as of `refined_at`
// (at most `current`'s version), for the blocks not written since.
std::shared_ptr<TermBlocks> RebaseTermBlocks(const TermBlocks& current, const TermBlocks& refined,
                                             uint64_t refined_at);

// `base` with the frontiers of `refined` (distinct blocks of it, any order)
// put in, those blocks marked view_only.
std::shared_ptr<TermBlocks> RefineTermBlocks(const TermBlocks& base,
                                             std::vector<ViewFrontier> refined);

// For each term, the newest version at which its postings changed, as far
// as memory allows: at most `capacity` terms are tracked one by one, and
// every other term counts as changed at floor(), which is at least each of
// their real versions. When a change would track more, all are forgotten
// and the floor rises to the newest version noted.
class TermChangeLog {
 public:
  explicit TermChangeLog(size_t capacity) : capacity_(capacity) {}
  TermChangeLog(const TermChangeLog&) = delete;
  TermChangeLog& operator=(const TermChangeLog&) = delete;

  // Forgets every term; all count as changed at `version`.
  void Reset(uint64_t version);
  // Notes that the postings of each of `terms` changed at `version`.
  void Note(const std::vector<std::string_view>& terms, uint64_t version);
  // The newest version at which `term`'s postings may have changed.
  uint64_t ChangedAt(std::string_view term) const;

 private:
  const size_t capacity_;
  mutable std::mutex mu_;
  // Guarded by mu_. Before Reset, every term counts as changed "now".
  uint64_t floor_ = ~uint64_t{0};
  uint64_t newest_ = 0;  // the newest version noted
  absl::flat_hash_map<std::string, uint64_t> changed_;
};

class TermBlockCache {
 public:
  struct Entry {
    uint64_t built_at = 0;
    std::shared_ptr<const TermBlocks> blocks;
  };

  explicit TermBlockCache(size_t capacity_bytes) : capacity_(capacity_bytes) {}
  TermBlockCache(const TermBlockCache&) = delete;
  TermBlockCache& operator=(const TermBlockCache&) = delete;

  // The cached summary of `term` (blocks null on a miss); a hit makes the
  // term the most recently used.
  Entry Find(std::string_view term);
  // Find without making the term the most recently used.
  Entry Peek(std::string_view term) const;
  // Caches `entry` for `term`, replacing what was there unless that was
  // built at a later version (a summary of later postings serves the reads
  // to come; a slow reader must not put back an older one).
  void Insert(std::string_view term, Entry entry);

  size_t bytes() const;

 private:
  struct Slot {
    Entry entry;
    size_t bytes = 0;
    std::list<std::string>::iterator lru;  // into lru_
  };

  const size_t capacity_;
  mutable std::mutex mu_;
  // Guarded by mu_. lru_ holds the terms, most recently used first.
  size_t bytes_ = 0;
  std::list<std::string> lru_;
  absl::flat_hash_map<std::string, Slot> slots_;
};

}  // namespace ctxgraph

#endif  // CTXGRAPH_STORAGE_TERM_BLOCK_CACHE_H_
