// PostingBlock: the keyword index's unit of storage, the postings of one
// term for a contiguous range of internal node ids.
//
// Encoding (all integers LEB128 varints):
//   count | n | { tf | length } * n | { iid delta | tf | length | set } * count
// The first iid delta is from the block's first_iid (its key); the others
// from the previous posting. The n (tf, length) pairs are the block's
// frontier: the postings no other posting beats on both counts (a higher
// or equal tf with a shorter or equal length), by increasing tf. A score
// that grows with tf and shrinks with length, such as BM25's, is highest
// on the frontier, so a search gets the block's best score exactly without
// decoding it. An empty block (count 0) is valid: blocks are never deleted.
#ifndef CTXGRAPH_STORAGE_POSTING_BLOCK_H_
#define CTXGRAPH_STORAGE_POSTING_BLOCK_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace ctxgraph {

// One node holding a term: how often (tf), the node's length in terms, and
// the interned boundary set the node had at this version.
struct Posting {
  uint64_t iid = 0;
  uint32_t tf = 0;
  uint32_t length = 0;
  uint64_t set = 0;
  friend bool operator==(const Posting&, const Posting&) = default;
};

inline constexpr size_t kMaxFrontier = 8;
struct PostingBlockHeader {
  uint32_t count = 0;
  // (tf, length) of the frontier, by increasing tf and length; at most
  // kMaxFrontier pairs (past that, the last pair is (max tf, min length),
  // a looser bound). Inline: a search reads a header per block it skips.
  absl::InlinedVector<std::pair<uint32_t, uint32_t>, kMaxFrontier> frontier;
};

// The frontier of `postings` (any order), as PostingBlockHeader holds it.
std::vector<std::pair<uint32_t, uint32_t>> PostingFrontier(absl::Span<const Posting> postings);

// `postings` sorted by iid, all >= first_iid.
std::string EncodePostingBlock(uint64_t first_iid, const std::vector<Posting>& postings);
// DATA_LOSS on truncated or inconsistent bytes.
absl::StatusOr<PostingBlockHeader> DecodePostingBlockHeader(std::string_view bytes);
absl::Status DecodePostingBlock(uint64_t first_iid, std::string_view bytes,
                                std::vector<Posting>* postings);

}  // namespace ctxgraph

#endif  // CTXGRAPH_STORAGE_POSTING_BLOCK_H_
