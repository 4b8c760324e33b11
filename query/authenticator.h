// Authenticator: bearer token -> Caller.
//
// Tokens are "ctxg_" followed by 43 base64url characters (256 random bits).
// Only SHA-256(token) is stored; lookup is by that hash and the stored hash is
// compared in constant time. Unknown, revoked, expired and
// suspended-principal tokens all answer UNAUTHENTICATED with the same
// message, so a token holder learns nothing about which it is; the reason is
// returned separately for logging. A token stops signing in at its
// `expires` time (TokenRecord; never when 0), on every call, cached or not.
//
// Thread safety: safe for concurrent use.
#ifndef CTXGRAPH_QUERY_AUTHENTICATOR_H_
#define CTXGRAPH_QUERY_AUTHENTICATOR_H_

#include <functional>
#include <shared_mutex>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "query/caller.h"
#include "storage/principal_store.h"

namespace ctxgraph {

// Whether `now` is the principal `then` was, with the same roles and
// clearances: what a call authenticated as `then` may still act on (a
// rewrite to the same values changes nothing).
bool SameAuthority(const PrincipalRecord& then, const PrincipalRecord& now);

// A new random bearer token and its public id. Fails only without entropy.
struct IssuedToken {
  std::string token_id;
  std::string secret;
};
absl::StatusOr<IssuedToken> NewToken();
ContentHash HashToken(std::string_view token);

//
// Successful authentications are cached by token hash and dropped as soon as
// any principal or token changes (PrincipalStore::generation), so a
// revocation or suspension still takes effect on the very next call.
class Authenticator final : public CallerVerifier {
 public:
  // `now` tells the time tokens expire against (tests set it).
  explicit Authenticator(const PrincipalStore* principals, std::function<Timestamp()> now = Now)
      : principals_(principals), now_(std::move(now)) {}

  // `header` is the full value of the authorization metadata, or empty when
  // absent. On failure, `*reason` (if given) says why, without the token.
  // The caller is verified by this authenticator, which must outlive it.
  absl::StatusOr<Caller> Authenticate(std::string_view header, std::string* reason = nullptr) const;

  // Reads the caller's token and principal afresh (never the cache): the
  // same UNAUTHENTICATED as Authenticate when it would no longer sign in,
  // PERMISSION_DENIED when the principal's roles or clearances differ from
  // the caller's (a rewrite to the same values changes nothing).
  absl::Status Verify(const Caller& caller) const override;

 private:
  static constexpr size_t kMaxCached = 10000;

  absl::StatusOr<Caller> Lookup(const ContentHash& hash, std::string* reason) const;
  // Whether a token expiring at `expires` no longer signs in.
  bool Expired(Timestamp expires) const;

  const PrincipalStore* principals_;
  const std::function<Timestamp()> now_;
  mutable std::shared_mutex mu_;
  // Guarded by mu_: callers authenticated while the generation was
  // cache_generation_.
  mutable absl::flat_hash_map<std::string, Caller> cache_;
  mutable uint64_t cache_generation_ = 0;
};

}  // namespace ctxgraph

#endif  // CTXGRAPH_QUERY_AUTHENTICATOR_H_
