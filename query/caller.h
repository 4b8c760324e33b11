// Caller: an authenticated principal and the boundary policy it reads under,
// plus role checks. Built by Authenticator for every request.
#ifndef CTXGRAPH_QUERY_CALLER_H_
#define CTXGRAPH_QUERY_CALLER_H_

#include <algorithm>
#include <initializer_list>
#include <string>

#include "absl/status/status.h"
#include "query/boundary_policy.h"
#include "storage/records.h"

namespace ctxgraph {

struct Caller;

// Tells whether a caller still holds what it was authenticated with
// (Authenticator). Commits ask under the commit lock, so that a revocation,
// suspension or role or clearance change committed while a write waited for
// the lock is not overtaken by it.
class CallerVerifier {
 public:
  virtual ~CallerVerifier() = default;
  // UNAUTHENTICATED when the token or principal no longer signs in;
  // PERMISSION_DENIED when its principal, roles or clearances changed.
  virtual absl::Status Verify(const Caller& caller) const = 0;
};

struct Caller {
  PrincipalRecord principal;
  BoundaryPolicy policy;
  // Who authenticated this caller, and the SHA-256 of the bearer token it
  // did so with (never logged). Null for a caller built without a token: in
  // tests, and the server's own.
  const CallerVerifier* verifier = nullptr;
  ContentHash token_hash{};
  Timestamp token_expires;  // when that token stops signing in; micros 0: never

  // Whether that token no longer signs in at `now` (it expired).
  bool TokenExpiredAt(Timestamp now) const { return ExpiredAt(token_expires, now); }

  explicit Caller(PrincipalRecord p) : principal(std::move(p)), policy(principal.clearances) {}

  // OK unless the verifier says the caller's authority changed since.
  absl::Status CheckStillCurrent() const {
    return verifier == nullptr ? absl::OkStatus() : verifier->Verify(*this);
  }

  bool HasRole(Role role) const {
    return std::find(principal.roles.begin(), principal.roles.end(), role) != principal.roles.end();
  }
  bool HasAnyRole(std::initializer_list<Role> roles) const {
    return std::any_of(roles.begin(), roles.end(), [this](Role r) { return HasRole(r); });
  }
};

std::string_view RoleName(Role role);

// PERMISSION_DENIED naming `action` and the roles that may do it, unless the
// caller holds one of `roles`.
absl::Status RequireRole(const Caller& caller, std::initializer_list<Role> roles,
                         std::string_view action);

// PERMISSION_DENIED naming `action`, unless the caller's clearances hold "*".
// For the answers that name nodes whole whatever their boundaries: the audit
// log's entries (node and edge ids, labels in summaries, seeds and start
// nodes of recorded requests) and what is derived from them (receipts and
// their replay, the access report). A caller cleared for less would learn
// there what every other read path hides from it, lineage stubs included.
// `why` ends the message; VerifyLog gives its own (its seqs, not entries).
absl::Status RequireFullClearance(const Caller& caller, std::string_view action,
                                  std::string_view why = "audit entries name every node whole");

// `seq` for a caller cleared for "*", 0 for anyone else. Audit seqs count
// every principal's entries, the label and propagation entries of nodes the
// caller may not see included: two of them around a write would count
// hidden nodes (receipt_id.h).
inline uint64_t AuditSeqFor(const Caller& caller, uint64_t seq) {
  return caller.policy.SeesAll() ? seq : 0;
}

// PERMISSION_DENIED unless the caller made `commit` or is cleared for "*".
// A commit's description and principal are the log's as much as its
// entries are: an AssignLabels reason, a write's description, an admin
// change may name nodes and labels the caller may not see. Versions are no
// secret (every read answers one), so refusing says nothing new.
absl::Status MayReadCommit(const Caller& caller, const CommitRecord& commit);

}  // namespace ctxgraph

#endif  // CTXGRAPH_QUERY_CALLER_H_
