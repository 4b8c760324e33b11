#include "storage/posting_block.h"

#include <algorithm>
#include <limits>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace ctxgraph {
namespace {

constexpr size_t kMaxVarintBytes = 10;

// Writes `v` at `out`, which has room for kMaxVarintBytes; returns the end.
char* PutVarint(char* out, uint64_t v) {
  while (v >= 0x80) {
    *out++ = static_cast<char>((v & 0x7F) | 0x80);
    v >>= 7;
  }
  *out++ = static_cast<char>(v);
  return out;
}

class VarintReader {
 public:
  explicit VarintReader(std::string_view in) : in_(in) {}

  bool Read(uint64_t* v) {
    uint64_t result = 0;
    for (int shift = 0; shift <= 63 && pos_ < in_.size(); shift += 7) {
      const uint8_t byte = static_cast<uint8_t>(in_[pos_++]);
      result |= static_cast<uint64_t>(byte & 0x7F) << shift;
      if ((byte & 0x80) == 0) {
        *v = result;
        return true;
      }
    }
    return false;
  }
  bool Read32(uint32_t* v) {
    uint64_t wide;
    if (!Read(&wide) || wide > std::numeric_limits<uint32_t>::max()) return false;
    *v = static_cast<uint32_t>(wide);
    return true;
  }
  bool done() const { return pos_ == in_.size(); }

 private:
  std::string_view in_;
  size_t pos_ = 0;
};

absl::Status Corrupt(std::string_view why) {
  return absl::DataLossError(absl::StrCat("posting block: ", std::string(why)));
}

absl::StatusOr<PostingBlockHeader> ReadHeader(VarintReader& r) {
  PostingBlockHeader h;
  uint32_t n = 0;
  if (!r.Read32(&h.count) || !r.Read32(&n)) return Corrupt("truncated header");
  if (n > kMaxFrontier) return Corrupt("frontier too long");
  for (uint32_t i = 0; i < n; ++i) {
    uint32_t tf, length;
    if (!r.Read32(&tf) || !r.Read32(&length)) return Corrupt("truncated frontier");
    h.frontier.emplace_back(tf, length);
  }
  return h;
}

}  // namespace

std::vector<std::pair<uint32_t, uint32_t>> PostingFrontier(absl::Span<const Posting> postings) {
  // Only the shortest length of each tf can be on the frontier, and a
  // block's postings share a few tfs (most are 1 or 2): fold them to one
  // pair per tf first, and sort those instead of every posting (the sort was
  // 5% of a bulk import's keyword index thread). Past kMaxDistinct tfs, sort
  // them all.
  constexpr size_t kMaxDistinct = 32;
  std::vector<std::pair<uint32_t, uint32_t>> pairs;  // (tf, length)
  pairs.reserve(std::min(postings.size(), kMaxDistinct));
  for (const Posting& p : postings) {
    const auto same_tf = std::find_if(pairs.begin(), pairs.end(),
                                      [&](const auto& pair) { return pair.first == p.tf; });
    if (same_tf != pairs.end()) {
      same_tf->second = std::min(same_tf->second, p.length);
    } else if (pairs.size() < kMaxDistinct) {
      pairs.emplace_back(p.tf, p.length);
    } else {
      pairs.clear();
      for (const Posting& q : postings) pairs.emplace_back(q.tf, q.length);
      break;
    }
  }
  // By tf descending, then length ascending: a pair is on the frontier when
  // its length is below every length seen at a higher tf.
  std::sort(pairs.begin(), pairs.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  std::vector<std::pair<uint32_t, uint32_t>> frontier;
  for (const auto& pair : pairs) {
    if (frontier.empty() || pair.second < frontier.back().second) frontier.push_back(pair);
  }
  std::reverse(frontier.begin(), frontier.end());  // increasing tf and length
  if (frontier.size() > kMaxFrontier) {
    // Keep the first kMaxFrontier - 1 and bound the rest by (max tf, their
    // min length): still no posting beats it.
    const uint32_t max_tf = frontier.back().first;
    const uint32_t min_length = frontier[kMaxFrontier - 1].second;
    frontier.resize(kMaxFrontier - 1);
    frontier.emplace_back(max_tf, min_length);
  }
  return frontier;
}

std::string EncodePostingBlock(uint64_t first_iid, const std::vector<Posting>& postings) {
  const std::vector<std::pair<uint32_t, uint32_t>> frontier = PostingFrontier(postings);
  // Sized for the longest varints, written through a pointer, then cut to
  // what was written: a bulk import encodes millions of these.
  std::string out((2 + frontier.size() * 2 + postings.size() * 4) * kMaxVarintBytes, '\0');
  char* end = out.data();
  end = PutVarint(end, postings.size());
  end = PutVarint(end, frontier.size());
  for (const auto& [tf, length] : frontier) {
    end = PutVarint(end, tf);
    end = PutVarint(end, length);
  }
  uint64_t previous = first_iid;
  for (const Posting& p : postings) {
    end = PutVarint(end, p.iid - previous);
    end = PutVarint(end, p.tf);
    end = PutVarint(end, p.length);
    end = PutVarint(end, p.set);
    previous = p.iid;
  }
  out.resize(end - out.data());
  return out;
}

absl::StatusOr<PostingBlockHeader> DecodePostingBlockHeader(std::string_view bytes) {
  VarintReader r(bytes);
  return ReadHeader(r);
}

absl::Status DecodePostingBlock(uint64_t first_iid, std::string_view bytes,
                                std::vector<Posting>* postings) {
  VarintReader r(bytes);
  auto header = ReadHeader(r);
  if (!header.ok()) return header.status();
  // Every posting takes at least 4 bytes: a count above that is corrupt, and
  // must not drive a huge reserve.
  if (header->count > bytes.size() / 4) return Corrupt("count exceeds the block size");
  postings->clear();
  postings->reserve(header->count);
  uint64_t iid = first_iid;
  for (uint32_t i = 0; i < header->count; ++i) {
    Posting p;
    uint64_t delta;
    if (!r.Read(&delta) || !r.Read32(&p.tf) || !r.Read32(&p.length) || !r.Read(&p.set)) {
      return Corrupt("truncated posting");
    }
    if (i > 0 && delta == 0) return Corrupt("iids not increasing");
    iid += delta;
    if (iid < delta) return Corrupt("iid overflow");
    p.iid = iid;
    postings->push_back(p);
  }
  if (!r.done()) return Corrupt("trailing bytes");
  return absl::OkStatus();
}

}  // namespace ctxgraph
