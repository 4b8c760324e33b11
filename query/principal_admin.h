// PrincipalAdmin: the admin operations on principals and tokens.
//
// Every operation requires the admin role (PERMISSION_DENIED otherwise) and
// every change is a commit whose principal is the acting admin and whose
// description says what was done (naming principal and token ids, never a
// token secret). Its audit log entry carries the same summary under an
// action: admin.create_principal, admin.set_roles, admin.set_clearances,
// admin.suspend_principal, admin.resume_principal, admin.issue_token,
// admin.revoke_token (bootstrap uses the first and the issue one as
// principal "system"). Changes that would leave no active admin, or no
// active admin with an unrevoked token that never expires, are refused with
// FAILED_PRECONDITION, so the server cannot be locked out from inside, even
// by waiting. A token expires `ttl_seconds` after it is issued (0: never;
// at most kMaxTokenTtlSeconds, else INVALID_ARGUMENT naming ttl_seconds).
//
// A new principal's id holds only ASCII letters, digits and . _ @ : + -, and
// is not "system". Each change checks under the commit lock that the acting
// admin still holds what it was authenticated with (Caller::CheckStillCurrent).
// While a bulk import holds the commit lock (it may for an hour), or waits
// to begin:
//  - a change that takes authority away (RevokeToken; SetRoles or
//    SetClearances that drop a role or clearance; SuspendPrincipal of an
//    active principal) ends every open bulk import first, but one already
//    writing its commit record, and no bulk import begun meanwhile goes
//    before it (BehindBulk::kOvertake, Database::SetSessionEnder): a
//    revocation waits for the ended imports' removal, never for an import;
//  - the others (CreatePrincipal, ResumePrincipal, IssueToken, a change
//    that only adds) answer UNAVAILABLE at once (BehindBulk::kRefuse).
// Which case a change is comes from a read ahead of the lock; the change
// itself is decided under it.
#ifndef CTXGRAPH_QUERY_PRINCIPAL_ADMIN_H_
#define CTXGRAPH_QUERY_PRINCIPAL_ADMIN_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "query/authenticator.h"
#include "query/caller.h"
#include "storage/principal_store.h"

namespace ctxgraph {

inline constexpr char kBootstrapAdminId[] = "admin";
inline constexpr int64_t kMaxTokenTtlSeconds = int64_t{10} * 366 * 24 * 3600;  // ten years

class PrincipalAdmin {
 public:
  explicit PrincipalAdmin(PrincipalStore& store) : store_(store) {}

  absl::StatusOr<PrincipalRecord> Create(const Caller& caller, const std::string& id,
                                         std::vector<Role> roles,
                                         std::vector<std::string> clearances);
  absl::StatusOr<PrincipalRecord> Get(const Caller& caller, const std::string& id) const;
  absl::StatusOr<std::vector<PrincipalRecord>> List(const Caller& caller) const;
  absl::StatusOr<PrincipalRecord> SetRoles(const Caller& caller, const std::string& id,
                                           std::vector<Role> roles);
  // With `expected_version` (not 0): FAILED_PRECONDITION unless the
  // principal is still at that version when the change commits.
  absl::StatusOr<PrincipalRecord> SetClearances(const Caller& caller, const std::string& id,
                                                std::vector<std::string> clearances,
                                                uint64_t expected_version = 0);
  absl::StatusOr<PrincipalRecord> SetStatus(const Caller& caller, const std::string& id,
                                            PrincipalStatus status);
  // The token's record is `*record` when given (for its expiry).
  absl::StatusOr<IssuedToken> IssueToken(const Caller& caller, const std::string& principal_id,
                                         int64_t ttl_seconds = 0, TokenRecord* record = nullptr);
  absl::Status RevokeToken(const Caller& caller, const std::string& token_id);
  absl::StatusOr<std::vector<TokenRecord>> ListTokens(const Caller& caller,
                                                      const std::string& principal_id) const;

  // When the store has no principal at all, creates "admin" with the admin
  // role and clearance "*", hands its new token to `persist` (which must
  // store it, e.g. in <data-dir>/admin.token) and then commits the token.
  // When "admin" is the only principal and has no token at all (a bootstrap
  // stopped between its two commits), issues and persists its token again.
  // Returns true when it bootstrapped.
  static absl::StatusOr<bool> Bootstrap(
      PrincipalStore& store, const std::function<absl::Status(const std::string&)>& persist);

 private:
  absl::StatusOr<PrincipalRecord> Change(const Caller& caller, const std::string& id,
                                         const char* action, const std::string& what,
                                         const std::function<absl::Status(PrincipalRecord&)>& edit);

  PrincipalStore& store_;
};

}  // namespace ctxgraph

#endif  // CTXGRAPH_QUERY_PRINCIPAL_ADMIN_H_
