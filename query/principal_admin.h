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
// active admin with an unrevoked token, are refused with
// FAILED_PRECONDITION, so the server cannot be locked out from inside.
//
// A new principal's id holds only ASCII letters, digits and . _ @ : + -, and
// is not "system". Each change checks under the commit lock that the acting
// admin still holds what it was authenticated with (Caller::CheckStillCurrent).
// While a bulk import holds the commit lock (it may for an hour):
//  - a change that can take authority away (SetRoles, SetClearances,
//    SuspendPrincipal, RevokeToken) first calls the end-bulk-imports hook,
//    which ends every open bulk import (nothing of them is written), and no
//    bulk import begun meanwhile goes before it (BehindBulk::kOvertake): a
//    revocation takes effect in moments, never after the import;
//  - the others (CreatePrincipal, ResumePrincipal, IssueToken) answer
//    UNAVAILABLE at once (BehindBulk::kRefuse).
#ifndef CTXGRAPH_QUERY_PRINCIPAL_ADMIN_H_
#define CTXGRAPH_QUERY_PRINCIPAL_ADMIN_H_

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

class PrincipalAdmin {
 public:
  explicit PrincipalAdmin(PrincipalStore& store) : store_(store) {}

  // Called, after authorization and validation, before each change that can
  // take authority away; the server ends its open bulk imports there. Set
  // once, before serving.
  void SetEndBulkImports(std::function<void()> hook) { end_bulk_imports_ = std::move(hook); }

  absl::StatusOr<PrincipalRecord> Create(const Caller& caller, const std::string& id,
                                         std::vector<Role> roles,
                                         std::vector<std::string> clearances);
  absl::StatusOr<PrincipalRecord> Get(const Caller& caller, const std::string& id) const;
  absl::StatusOr<std::vector<PrincipalRecord>> List(const Caller& caller) const;
  absl::StatusOr<PrincipalRecord> SetRoles(const Caller& caller, const std::string& id,
                                           std::vector<Role> roles);
  absl::StatusOr<PrincipalRecord> SetClearances(const Caller& caller, const std::string& id,
                                                std::vector<std::string> clearances);
  absl::StatusOr<PrincipalRecord> SetStatus(const Caller& caller, const std::string& id,
                                            PrincipalStatus status);
  absl::StatusOr<IssuedToken> IssueToken(const Caller& caller, const std::string& principal_id);
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
  // `takes_authority`: the change may take authority away (see above).
  absl::StatusOr<PrincipalRecord> Change(const Caller& caller, const std::string& id,
                                         const char* action, const std::string& what,
                                         bool takes_authority,
                                         const std::function<absl::Status(PrincipalRecord&)>& edit);
  // Ends open bulk imports when the change takes authority away, and says
  // how its commit waits behind one.
  Database::BehindBulk BeforeChange(bool takes_authority) const;

  PrincipalStore& store_;
  std::function<void()> end_bulk_imports_;
};

}  // namespace ctxgraph

#endif  // CTXGRAPH_QUERY_PRINCIPAL_ADMIN_H_
