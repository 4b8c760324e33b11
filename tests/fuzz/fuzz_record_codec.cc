// Fuzz target: the record decoders of storage/record_codec.h and
// storage/posting_block.h (the bytes of every value ctxgraph reads back from
// RocksDB). The first input byte picks the decoder, the rest is the value.
// A value that decodes must re-encode to bytes that decode again, and those
// must be a fixed point: encode(decode(encode(x))) == encode(x). Bytes that do
// not decode must fail with DATA_LOSS. (Audit entries have their own target,
// fuzz_audit_entry.cc.)
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "storage/keys.h"
#include "storage/posting_block.h"
#include "storage/record_codec.h"
#include "tests/fuzz/fuzz_check.h"

namespace ctxgraph {
namespace {

template <typename Decode, typename Encode>
void CheckStable(std::string_view bytes, Decode decode, Encode encode) {
  auto decoded = decode(bytes);
  if (!decoded.ok()) {
    FUZZ_CHECK(absl::IsDataLoss(decoded.status()));
    return;
  }
  const std::string encoded = encode(*decoded);
  auto again = decode(encoded);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(encode(*again) == encoded);
}

void CheckPostingBlock(std::string_view input) {
  if (input.size() < 8) return;
  const uint64_t first_iid = *keys::ReadU64(input, 0);
  const std::string_view bytes = input.substr(8);
  std::vector<Posting> postings;
  const absl::Status st = DecodePostingBlock(first_iid, bytes, &postings);
  auto header = DecodePostingBlockHeader(bytes);
  if (!st.ok()) {
    FUZZ_CHECK(absl::IsDataLoss(st));
    return;
  }
  // A block that decodes has a header that decodes, counting its postings,
  // which are strictly increasing from first_iid.
  FUZZ_CHECK(header.ok() && header->count == postings.size());
  for (size_t i = 0; i < postings.size(); ++i) {
    FUZZ_CHECK(postings[i].iid >= first_iid);
    if (i > 0) FUZZ_CHECK(postings[i].iid > postings[i - 1].iid);
  }
  const std::string encoded = EncodePostingBlock(first_iid, postings);
  std::vector<Posting> again;
  FUZZ_CHECK(DecodePostingBlock(first_iid, encoded, &again).ok());
  FUZZ_CHECK(again == postings);
  auto encoded_header = DecodePostingBlockHeader(encoded);
  FUZZ_CHECK(encoded_header.ok() && encoded_header->count == postings.size());
  FUZZ_CHECK(encoded_header->frontier.size() <= kMaxFrontier);
}

}  // namespace
}  // namespace ctxgraph

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ctxgraph;  // NOLINT: a fuzz entry point outside the namespace
  if (size == 0) return 0;
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 7) {
    case 0:
      CheckStable(bytes, DecodeNode, EncodeNode);
      break;
    case 1:
      CheckStable(bytes, DecodeEdge, EncodeEdge);
      break;
    case 2:
      CheckStable(bytes, DecodeCommit, EncodeCommit);
      break;
    case 3:
      CheckStable(bytes, DecodePrincipal, EncodePrincipal);
      break;
    case 4:
      CheckStable(bytes, DecodeToken, EncodeToken);
      break;
    case 5:
      CheckStable(bytes, DecodeLabelDefinition, EncodeLabelDefinition);
      break;
    case 6:
      CheckPostingBlock(bytes);
      break;
  }
  return 0;
}
