#include "query/receipt_id.h"

#include <openssl/evp.h>
#include <openssl/kdf.h>

#include <algorithm>
#include <memory>

#include "storage/record_codec.h"

namespace ctxgraph {
namespace {

constexpr std::string_view kKeyInfo = "ctxgraph receipt id v1";
constexpr size_t kBlockBytes = 16;

const absl::Status& CryptoFailed() {
  static const absl::Status* const failed =
      new absl::Status(absl::InternalError("receipt id: OpenSSL failed"));
  return *failed;
}

// One AES-128 block, either way. The block is the whole message, so there is
// no mode to speak of and no padding: ECB of one block is the cipher itself.
absl::StatusOr<std::array<uint8_t, kBlockBytes>> Crypt(const std::array<uint8_t, 16>& key,
                                                       const std::array<uint8_t, kBlockBytes>& in,
                                                       bool encrypt) {
  std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx(EVP_CIPHER_CTX_new(),
                                                                      &EVP_CIPHER_CTX_free);
  std::array<uint8_t, kBlockBytes> out{};
  int len = 0;
  if (!ctx ||
      EVP_CipherInit_ex(ctx.get(), EVP_aes_128_ecb(), nullptr, key.data(), nullptr,
                        encrypt ? 1 : 0) != 1 ||
      EVP_CIPHER_CTX_set_padding(ctx.get(), 0) != 1 ||
      EVP_CipherUpdate(ctx.get(), out.data(), &len, in.data(), static_cast<int>(in.size())) != 1 ||
      len != static_cast<int>(kBlockBytes)) {
    return CryptoFailed();
  }
  return out;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

bool ReceiptRef::Names(const ContentHash& entry_hash) const {
  return std::equal(hash_prefix.begin(), hash_prefix.end(), entry_hash.begin());
}

ReceiptIdCodec::ReceiptIdCodec(std::string_view secret) {
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(
      EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, nullptr), &EVP_PKEY_CTX_free);
  size_t len = key_.size();
  if (!ctx || EVP_PKEY_derive_init(ctx.get()) <= 0 ||
      EVP_PKEY_CTX_set_hkdf_md(ctx.get(), EVP_sha256()) <= 0 ||
      EVP_PKEY_CTX_set1_hkdf_key(ctx.get(), reinterpret_cast<const unsigned char*>(secret.data()),
                                 static_cast<int>(secret.size())) <= 0 ||
      EVP_PKEY_CTX_add1_hkdf_info(ctx.get(),
                                  reinterpret_cast<const unsigned char*>(kKeyInfo.data()),
                                  static_cast<int>(kKeyInfo.size())) <= 0 ||
      EVP_PKEY_derive(ctx.get(), key_.data(), &len) <= 0 || len != key_.size()) {
    key_status_ = CryptoFailed();
  }
}

absl::StatusOr<std::string> ReceiptIdCodec::Encode(uint64_t seq,
                                                   const ContentHash& entry_hash) const {
  if (!key_status_.ok()) return key_status_;
  std::array<uint8_t, kBlockBytes> block{};
  for (int i = 0; i < 8; ++i) block[i] = static_cast<uint8_t>(seq >> (56 - 8 * i));
  std::copy_n(entry_hash.begin(), 8, block.begin() + 8);
  absl::StatusOr<std::array<uint8_t, kBlockBytes>> sealed = Crypt(key_, block, true);
  if (!sealed.ok()) return sealed.status();
  return ToHex(std::string_view(reinterpret_cast<const char*>(sealed->data()), sealed->size()));
}

absl::StatusOr<std::optional<ReceiptRef>> ReceiptIdCodec::Decode(std::string_view id) const {
  if (!key_status_.ok()) return key_status_;
  if (id.size() != kReceiptIdDigits) return std::nullopt;
  std::array<uint8_t, kBlockBytes> sealed{};
  for (size_t i = 0; i < kBlockBytes; ++i) {
    const int hi = HexDigit(id[2 * i]), lo = HexDigit(id[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    sealed[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  absl::StatusOr<std::array<uint8_t, kBlockBytes>> block = Crypt(key_, sealed, false);
  if (!block.ok()) return block.status();
  ReceiptRef ref;
  for (int i = 0; i < 8; ++i) ref.seq = ref.seq << 8 | (*block)[i];
  std::copy_n(block->begin() + 8, 8, ref.hash_prefix.begin());
  return ref;
}

}  // namespace ctxgraph
