// Authenticator: bearer token -> Caller.
//
// Tokens are "ctxg_" followed by 43 base64url characters (256 random bits).
// Only SHA-256(token) is stored; lookup is by that hash and the stored hash is
// compared in constant time. Unknown, revoked and suspended-principal tokens
// all answer UNAUTHENTICATED with the same message, so a token holder learns
// nothing about which it is; the reason is returned separately for logging.
//
// Thread safety: safe for concurrent use.
#ifndef CTXGRAPH_QUERY_AUTHENTICATOR_H_
#define CTXGRAPH_QUERY_AUTHENTICATOR_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "query/caller.h"
#include "storage/principal_store.h"

namespace ctxgraph {

// A new random bearer token and its public id. Fails only without entropy.
struct IssuedToken {
  std::string token_id;
  std::string secret;
};
absl::StatusOr<IssuedToken> NewToken();
ContentHash HashToken(std::string_view token);

class Authenticator {
 public:
  explicit Authenticator(const PrincipalStore* principals) : principals_(principals) {}

  // `header` is the full value of the authorization metadata, or empty when
  // absent. On failure, `*reason` (if given) says why, without the token.
  absl::StatusOr<Caller> Authenticate(std::string_view header, std::string* reason = nullptr) const;

 private:
  const PrincipalStore* principals_;
};

}  // namespace ctxgraph

#endif  // CTXGRAPH_QUERY_AUTHENTICATOR_H_
