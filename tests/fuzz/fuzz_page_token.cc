// Fuzz target: page token decoding (query/page_token.h, query/base64url.h).
// Input: one byte n, n bytes of request fingerprint, then the rest. The rest
// is decoded as a token text, as base64url, and used as the content of a
// token that is encoded and then decoded. Invariants:
//   - a text that decodes re-encodes to exactly itself (one encoding per token);
//   - a token decodes to what was encoded, under its fingerprint only;
//   - any one-character change of a token text is "page_token: invalid";
//   - every failure is INVALID_ARGUMENT "page_token: invalid".
#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>

#include "query/base64url.h"
#include "query/page_token.h"
#include "storage/keys.h"
#include "tests/fuzz/fuzz_check.h"

namespace ctxgraph {
namespace {

void CheckInvalid(const absl::StatusOr<PageToken>& token) {
  FUZZ_CHECK(!token.ok());
  FUZZ_CHECK(absl::IsInvalidArgument(token.status()));
  FUZZ_CHECK(token.status().message() == "page_token: invalid");
}

void CheckToken(std::string_view fingerprint, std::string_view rest) {
  const PageTokenCodec codec(std::string(32, 'k'));

  // The rest as a token text: almost always refused (it lacks a valid MAC).
  auto decoded = codec.Decode(fingerprint, rest);
  if (decoded.ok()) {
    FUZZ_CHECK(codec.Encode(fingerprint, *decoded) == rest);
  } else {
    CheckInvalid(decoded);
  }

  // The rest as base64url: canonical when accepted.
  if (auto bytes = Base64UrlDecode(rest)) FUZZ_CHECK(Base64UrlEncode(*bytes) == rest);

  // The rest as a token's content: it round-trips, under its fingerprint only.
  PageToken token;
  if (rest.size() >= 8) {
    token.version = *keys::ReadU64(rest, 0);
    token.cursor = std::string(rest.substr(8));
  } else {
    token.cursor = std::string(rest);
  }
  const std::string text = codec.Encode(fingerprint, token);
  auto back = codec.Decode(fingerprint, text);
  if (text.size() > 4096) {
    CheckInvalid(back);  // over the length limit
    return;
  }
  FUZZ_CHECK(back.ok() && back->version == token.version && back->cursor == token.cursor);
  CheckInvalid(codec.Decode(std::string(fingerprint) + "x", text));
  CheckInvalid(PageTokenCodec(std::string(32, 'K')).Decode(fingerprint, text));
  // Change one character, chosen by the token's content.
  std::string tampered = text;
  const size_t at = (token.version ^ token.cursor.size()) % tampered.size();
  tampered[at] = tampered[at] == 'A' ? 'B' : 'A';
  CheckInvalid(codec.Decode(fingerprint, tampered));
  CheckInvalid(codec.Decode(fingerprint, text.substr(0, text.size() - 1)));
}

}  // namespace
}  // namespace ctxgraph

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t n = std::min<size_t>(data[0], size - 1);
  ctxgraph::CheckToken(input.substr(1, n), input.substr(1 + n));
  return 0;
}
