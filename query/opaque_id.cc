#include "query/opaque_id.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "storage/record_codec.h"

namespace ctxgraph {
namespace {

// 128 bits: collisions among the ids of one database are out of reach.
constexpr size_t kOpaqueIdBytes = 16;

}  // namespace

std::string OpaqueIdHasher::OpaqueId(std::string_view real_id) const {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
       reinterpret_cast<const unsigned char*>(real_id.data()), real_id.size(), mac, &len);
  return kOpaqueIdPrefix +
         ToHex(std::string_view(reinterpret_cast<const char*>(mac), kOpaqueIdBytes));
}

}  // namespace ctxgraph
