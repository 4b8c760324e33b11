// Fuzz target: the key decoders of storage/keys.h. The first input byte picks
// the decoder, the rest is the key. Every key layout is canonical, so a key
// that decodes must re-encode to exactly its bytes, and decode again to the
// same value; a key that does not decode must fail with DATA_LOSS.
#include <cstdint>
#include <string>
#include <string_view>

#include "storage/keys.h"
#include "tests/fuzz/fuzz_check.h"

namespace ctxgraph::keys {
namespace {

// decode(key) either fails with DATA_LOSS or round-trips byte for byte.
template <typename Decode, typename Encode>
void CheckCanonical(std::string_view key, Decode decode, Encode encode) {
  auto decoded = decode(key);
  if (!decoded.ok()) {
    FUZZ_CHECK(absl::IsDataLoss(decoded.status()));
    return;
  }
  const std::string encoded = encode(*decoded);
  FUZZ_CHECK(encoded == key);
  auto again = decode(encoded);
  FUZZ_CHECK(again.ok() && *again == *decoded);
}

}  // namespace
}  // namespace ctxgraph::keys

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ctxgraph::keys;  // NOLINT: a fuzz entry point outside the namespace
  if (size == 0) return 0;
  const std::string_view key(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 13) {
    case 0:
      CheckCanonical(key, DecodeNodeVersionKey, EncodeNodeVersionKey);
      break;
    case 1:
      CheckCanonical(key, DecodeAdjacencyKey, EncodeAdjacencyKey);
      break;
    case 2:
      CheckCanonical(key, DecodeLabelIndexKey, EncodeLabelIndexKey);
      break;
    case 3:
      CheckCanonical(key, DecodePrincipalKey, EncodePrincipalKey);
      break;
    case 4:
      CheckCanonical(key, DecodeLabelKey, EncodeLabelKey);
      break;
    case 5:
      CheckCanonical(key, DecodeCommitKey, CommitKey);
      break;
    case 6:
      CheckCanonical(key, DecodePostingBlockKey, EncodePostingBlockKey);
      break;
    case 7:
      CheckCanonical(key, DecodeTermSetDocsKey, EncodeTermSetDocsKey);
      break;
    case 8:
      CheckCanonical(key, DecodeSetTotalsKey, EncodeSetTotalsKey);
      break;
    case 9:
      CheckCanonical(key, DecodeBoundarySetLabels, EncodeBoundarySetLabels);
      break;
    case 10:
      CheckCanonical(key, DecodeBoundaryLogKey, EncodeBoundaryLogKey);
      break;
    case 11:
      CheckCanonical(key, DecodeAuditKey, AuditKey);
      break;
    case 12: {
      // Any versioned key: its last 8 bytes, inverted.
      auto version = VersionOfVersionedKey(key);
      FUZZ_CHECK(version.ok() == (key.size() >= 8));
      if (version.ok()) FUZZ_CHECK(EncodeU64(~*version) == key.substr(key.size() - 8));
      break;
    }
  }
  return 0;
}
