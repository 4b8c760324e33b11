#include "query/page_token.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "absl/status/status.h"
#include "query/base64url.h"
#include "storage/keys.h"

namespace ctxgraph {
namespace {

constexpr size_t kMacBytes = 16;
constexpr uint8_t kTokenFormat = 1;

}  // namespace

std::string PageFingerprint(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (std::string_view p : parts) {
    keys::AppendU64(&out, p.size());
    out.append(p);
  }
  return out;
}

std::string PageTokenCodec::Mac(std::string_view fingerprint, std::string_view payload) const {
  std::string message(fingerprint);
  message.push_back('\0');
  message.append(payload);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret_.data(), static_cast<int>(secret_.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac, &len);
  return std::string(reinterpret_cast<char*>(mac), kMacBytes);
}

std::string PageTokenCodec::Encode(std::string_view fingerprint, const PageToken& token) const {
  std::string payload(1, static_cast<char>(kTokenFormat));
  keys::AppendU64(&payload, token.version);
  payload.append(token.cursor);
  return Base64UrlEncode(payload + Mac(fingerprint, payload));
}

absl::StatusOr<PageToken> PageTokenCodec::Decode(std::string_view fingerprint,
                                                 std::string_view text) const {
  const absl::Status invalid = absl::InvalidArgumentError("page_token: invalid");
  if (text.size() > 4096) return invalid;
  std::optional<std::string> bytes = Base64UrlDecode(text);
  if (!bytes || bytes->size() < 1 + 8 + kMacBytes) return invalid;
  const std::string_view payload(bytes->data(), bytes->size() - kMacBytes);
  const std::string expected = Mac(fingerprint, payload);
  if (CRYPTO_memcmp(expected.data(), bytes->data() + payload.size(), kMacBytes) != 0) {
    return invalid;
  }
  if (static_cast<uint8_t>(payload[0]) != kTokenFormat) return invalid;
  PageToken token;
  token.version = *keys::ReadU64(payload, 1);
  token.cursor = std::string(payload.substr(9));
  return token;
}

}  // namespace ctxgraph
