#include "query/authenticator.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "query/base64url.h"
#include "storage/keys.h"
#include "storage/record_codec.h"
#include "storage/status_macros.h"

namespace ctxgraph {
namespace {

constexpr std::string_view kBearer = "Bearer ";
constexpr std::string_view kTokenPrefix = "ctxg_";
constexpr char kInvalid[] = "invalid or missing bearer token";

absl::Status Reject(std::string* reason, std::string why) {
  if (reason) *reason = std::move(why);
  return absl::UnauthenticatedError(kInvalid);
}

}  // namespace

absl::StatusOr<IssuedToken> NewToken() {
  unsigned char secret[32];
  unsigned char id[9];
  if (RAND_bytes(secret, sizeof secret) != 1 || RAND_bytes(id, sizeof id) != 1) {
    return absl::InternalError("no randomness for a token");
  }
  IssuedToken t;
  t.secret = absl::StrCat(
      std::string(kTokenPrefix),
      Base64UrlEncode(std::string_view(reinterpret_cast<char*>(secret), sizeof secret)));
  t.token_id = absl::StrCat(
      "tok_", Base64UrlEncode(std::string_view(reinterpret_cast<char*>(id), sizeof id)));
  OPENSSL_cleanse(secret, sizeof secret);
  return t;
}

ContentHash HashToken(std::string_view token) { return Sha256(token); }

bool SameAuthority(const PrincipalRecord& then, const PrincipalRecord& now) {
  return now.id == then.id && now.roles == then.roles && now.clearances == then.clearances;
}

absl::StatusOr<Caller> Authenticator::Authenticate(std::string_view header,
                                                   std::string* reason) const {
  if (header.empty()) return Reject(reason, "no authorization metadata");
  // The scheme name is case-insensitive (RFC 7235 section 2.1).
  if (header.size() < kBearer.size() ||
      !std::equal(kBearer.begin(), kBearer.end(), header.begin(), [](char a, char b) {
        return absl::ascii_tolower(a) == absl::ascii_tolower(b);
      })) {
    return Reject(reason, "authorization is not a Bearer token");
  }
  const std::string_view token = header.substr(kBearer.size());
  if (!token.starts_with(kTokenPrefix) || token.size() > 256) {
    return Reject(reason, "malformed token");
  }
  const ContentHash hash = HashToken(token);
  const std::string key(reinterpret_cast<const char*>(hash.data()), hash.size());
  const uint64_t generation = principals_->generation();
  {
    std::shared_lock<std::shared_mutex> lock(mu_);
    if (cache_generation_ == generation) {
      // An expired token's entry stays until the next change: Lookup says
      // why it no longer signs in.
      if (auto it = cache_.find(key); it != cache_.end() && !Expired(it->second.token_expires)) {
        return it->second;
      }
    }
  }
  ASSIGN_OR_RETURN(Caller caller, Lookup(hash, reason));
  std::unique_lock<std::shared_mutex> lock(mu_);
  // `generation` was read before the lookup: if a change landed since, what
  // the lookup saw may be stale, so it is not cached.
  if (principals_->generation() != generation) return caller;
  if (cache_generation_ != generation || cache_.size() >= kMaxCached) {
    cache_.clear();
    cache_generation_ = generation;
  }
  cache_.emplace(key, caller);
  return caller;
}

absl::StatusOr<Caller> Authenticator::Lookup(const ContentHash& hash, std::string* reason) const {
  ASSIGN_OR_RETURN(std::optional<TokenRecord> record, principals_->FindTokenByHash(hash));
  if (!record || CRYPTO_memcmp(record->token_hash.data(), hash.data(), hash.size()) != 0) {
    return Reject(reason, "unknown token");
  }
  if (record->revoked) return Reject(reason, absl::StrCat("revoked token ", record->token_id));
  if (Expired(record->expires)) {
    return Reject(reason, absl::StrCat("expired token ", record->token_id));
  }
  ASSIGN_OR_RETURN(std::optional<PrincipalRecord> principal,
                   principals_->Get(record->principal_id, keys::kMaxVersion));
  if (!principal)
    return Reject(reason, absl::StrCat("token ", record->token_id, " has no principal"));
  if (principal->status != PrincipalStatus::kActive) {
    return Reject(reason, absl::StrCat("principal ", principal->id, " is suspended"));
  }
  Caller caller(std::move(*principal));
  caller.verifier = this;
  caller.token_hash = hash;
  caller.token_expires = record->expires;
  return caller;
}

bool Authenticator::Expired(Timestamp expires) const {
  // A token that never expires costs no clock read.
  return expires.micros != 0 && ExpiredAt(expires, now_());
}

absl::Status Authenticator::Verify(const Caller& caller) const {
  ASSIGN_OR_RETURN(const Caller now, Lookup(caller.token_hash, nullptr));
  if (!SameAuthority(caller.principal, now.principal)) {
    return absl::PermissionDeniedError(
        "the caller's roles or clearances changed since the call began; send it again");
  }
  return absl::OkStatus();
}

}  // namespace ctxgraph
