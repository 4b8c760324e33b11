#include "storage/posting_block.h"

#include <algorithm>
#include <limits>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace ctxgraph {
namespace {

void PutVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
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
  if (!r.Read32(&h.count) || !r.Read32(&h.max_tf) || !r.Read32(&h.min_length)) {
    return Corrupt("truncated header");
  }
  return h;
}

}  // namespace

std::string EncodePostingBlock(uint64_t first_iid, const std::vector<Posting>& postings) {
  uint32_t max_tf = 0;
  uint32_t min_length = postings.empty() ? 0 : std::numeric_limits<uint32_t>::max();
  for (const Posting& p : postings) {
    max_tf = std::max(max_tf, p.tf);
    min_length = std::min(min_length, p.length);
  }
  std::string out;
  out.reserve(6 + postings.size() * 6);
  PutVarint(&out, postings.size());
  PutVarint(&out, max_tf);
  PutVarint(&out, min_length);
  uint64_t previous = first_iid;
  for (const Posting& p : postings) {
    PutVarint(&out, p.iid - previous);
    PutVarint(&out, p.tf);
    PutVarint(&out, p.length);
    PutVarint(&out, p.set);
    previous = p.iid;
  }
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
