// Page tokens: opaque, signed continuation points for paginated reads.
//
// A token holds the snapshot version of the first page (so every page of one
// listing reads the same snapshot), a fingerprint of the request and caller
// (so a token cannot be replayed against another listing or by another
// principal) and a cursor naming the last item returned by its external id
// (never an internal id, whose gaps would count hidden nodes). It is signed with HMAC-SHA256 under
// the database's secret; any change to it answers INVALID_ARGUMENT "page_token: invalid", never a
// crash or a different listing.
#ifndef CTXGRAPH_QUERY_PAGE_TOKEN_H_
#define CTXGRAPH_QUERY_PAGE_TOKEN_H_

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace ctxgraph {

struct PageToken {
  uint64_t version = 0;
  std::string cursor;  // listing-specific bytes
};

// A request fingerprint from its parts (method, caller, filters): each part
// is length-prefixed, so no two different part lists share a fingerprint.
std::string PageFingerprint(std::initializer_list<std::string_view> parts);

class PageTokenCodec {
 public:
  explicit PageTokenCodec(std::string secret) : secret_(std::move(secret)) {}

  // `fingerprint` identifies the request and caller; Decode must be given the
  // same one.
  std::string Encode(std::string_view fingerprint, const PageToken& token) const;
  absl::StatusOr<PageToken> Decode(std::string_view fingerprint, std::string_view text) const;

 private:
  std::string Mac(std::string_view fingerprint, std::string_view payload) const;

  std::string secret_;
};

}  // namespace ctxgraph

#endif  // CTXGRAPH_QUERY_PAGE_TOKEN_H_
