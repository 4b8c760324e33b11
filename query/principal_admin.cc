#include "query/principal_admin.h"

#include <algorithm>
#include <string_view>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "query/validation.h"
#include "storage/database.h"
#include "storage/keys.h"
#include "storage/status_macros.h"

namespace ctxgraph {
namespace {

constexpr char kSystemPrincipal[] = "system";
constexpr char kCreatePrincipalAction[] = "admin.create_principal";
constexpr char kIssueTokenAction[] = "admin.issue_token";

absl::Status NormalizeRoles(std::vector<Role>& roles) {
  if (roles.empty()) return absl::InvalidArgumentError("roles: at least one role is required");
  std::sort(roles.begin(), roles.end());
  roles.erase(std::unique(roles.begin(), roles.end()), roles.end());
  return absl::OkStatus();
}

// A new principal's id: what ValidateId takes, limited to ASCII letters,
// digits and . _ @ : + - (no space, no look-alike or invisible character:
// admins read these ids in logs, audit entries and receipts to decide who
// did what), and never the server's own "system".
absl::Status ValidateNewPrincipalId(const std::string& id) {
  RETURN_IF_ERROR(ValidateId("id", id));
  for (const char c : id) {
    if (absl::ascii_isalnum(c) || std::string_view("._@:+-").find(c) != std::string_view::npos) {
      continue;
    }
    return absl::InvalidArgumentError(absl::StrCat(
        "id: \"", absl::CHexEscape(id), "\" may hold only ASCII letters, digits and . _ @ : + -"));
  }
  if (id == kSystemPrincipal) {
    return absl::InvalidArgumentError(
        absl::StrCat("id: \"", id, "\" is reserved for the server's own commits"));
  }
  return absl::OkStatus();
}

// Whether `after` holds less than `before`: a role or clearance gone, or
// an active principal suspended. (A wildcard that replaces the labels it
// covers counts as taking them away: erring towards ending bulk imports.)
bool TakesAuthority(const PrincipalRecord& before, const PrincipalRecord& after) {
  const auto lost = [](const auto& was, const auto& now) {
    return std::any_of(was.begin(), was.end(), [&](const auto& x) {
      return std::find(now.begin(), now.end(), x) == now.end();
    });
  };
  return lost(before.roles, after.roles) || lost(before.clearances, after.clearances) ||
         (before.status == PrincipalStatus::kActive && after.status != PrincipalStatus::kActive);
}

absl::Status PrincipalNotFound(const std::string& id) {
  return absl::NotFoundError(absl::StrCat("principal \"", id, "\" not found"));
}

bool IsActiveAdmin(const PrincipalRecord& p) {
  return p.status == PrincipalStatus::kActive &&
         std::find(p.roles.begin(), p.roles.end(), Role::kAdmin) != p.roles.end();
}

// Whether an active admin of `all` (every principal) other than
// `principal_id` holds an unrevoked token other than `token_id` that never
// expires: someone who can still administer once the change at hand lands,
// and will later too. Called under the commit lock, so no other change can
// land in between.
absl::StatusOr<bool> AnotherAdminCanSignIn(const PrincipalStore& store,
                                           const std::vector<PrincipalRecord>& all,
                                           std::string_view principal_id,
                                           std::string_view token_id) {
  for (const PrincipalRecord& p : all) {
    if (!IsActiveAdmin(p) || p.id == principal_id) continue;
    ASSIGN_OR_RETURN(std::vector<TokenRecord> tokens, store.ListTokens(p.id));
    for (const TokenRecord& t : tokens) {
      if (!t.revoked && t.expires.micros == 0 && t.token_id != token_id) return true;
    }
  }
  return false;
}

std::string JoinClearances(const std::vector<std::string>& c) {
  std::string out;
  for (const auto& s : c) absl::StrAppend(&out, out.empty() ? "" : ",", s);
  return out;
}

std::string JoinRoles(const std::vector<Role>& roles) {
  std::string out;
  for (Role r : roles) absl::StrAppend(&out, out.empty() ? "" : ",", std::string(RoleName(r)));
  return out;
}

}  // namespace

absl::StatusOr<PrincipalRecord> PrincipalAdmin::Create(const Caller& caller, const std::string& id,
                                                       std::vector<Role> roles,
                                                       std::vector<std::string> clearances) {
  RETURN_IF_ERROR(RequireRole(caller, {Role::kAdmin}, "CreatePrincipal"));
  RETURN_IF_ERROR(ValidateNewPrincipalId(id));
  RETURN_IF_ERROR(NormalizeRoles(roles));
  RETURN_IF_ERROR(NormalizeClearances("clearances", clearances));
  const std::string what = absl::StrCat("admin: create principal ", id, " roles=", JoinRoles(roles),
                                        " clearances=", JoinClearances(clearances));
  return store_.Update(
      id, caller.principal.id, {kCreatePrincipalAction, what},
      [&](std::optional<PrincipalRecord>& p) {
        RETURN_IF_ERROR(caller.CheckStillCurrent());
        if (p)
          return absl::AlreadyExistsError(absl::StrCat("principal \"", id, "\" already exists"));
        p = PrincipalRecord{id, roles, clearances, PrincipalStatus::kActive, 0};
        return absl::OkStatus();
      },
      Database::BehindBulk::kRefuse);
}

absl::StatusOr<PrincipalRecord> PrincipalAdmin::Get(const Caller& caller,
                                                    const std::string& id) const {
  RETURN_IF_ERROR(RequireRole(caller, {Role::kAdmin}, "GetPrincipal"));
  ASSIGN_OR_RETURN(std::optional<PrincipalRecord> p, store_.Get(id, keys::kMaxVersion));
  if (!p) return PrincipalNotFound(id);
  return *std::move(p);
}

absl::StatusOr<std::vector<PrincipalRecord>> PrincipalAdmin::List(const Caller& caller) const {
  RETURN_IF_ERROR(RequireRole(caller, {Role::kAdmin}, "ListPrincipals"));
  ASSIGN_OR_RETURN(std::vector<PrincipalRecord> all, store_.List(keys::kMaxVersion));
  std::sort(all.begin(), all.end(),
            [](const PrincipalRecord& a, const PrincipalRecord& b) { return a.id < b.id; });
  return all;
}

absl::StatusOr<PrincipalRecord> PrincipalAdmin::Change(
    const Caller& caller, const std::string& id, const char* action, const std::string& what,
    const std::function<absl::Status(PrincipalRecord&)>& edit) {
  RETURN_IF_ERROR(ValidateId("id", id));
  // Read ahead of the lock only to choose how to wait behind a bulk import
  // (the change is decided again under the lock).
  ASSIGN_OR_RETURN(std::optional<PrincipalRecord> now, store_.Get(id, keys::kMaxVersion));
  if (!now) return PrincipalNotFound(id);
  PrincipalRecord edited = *now;
  RETURN_IF_ERROR(edit(edited));
  const Database::BehindBulk behind_bulk = TakesAuthority(*now, edited)
                                               ? Database::BehindBulk::kOvertake
                                               : Database::BehindBulk::kRefuse;
  return store_.Update(
      id, caller.principal.id, {action, absl::StrCat("admin: ", what, " ", id)},
      [&](std::optional<PrincipalRecord>& p) -> absl::Status {
        RETURN_IF_ERROR(caller.CheckStillCurrent());
        if (!p) return PrincipalNotFound(id);
        const bool was_admin = IsActiveAdmin(*p);
        RETURN_IF_ERROR(edit(*p));
        if (was_admin && !IsActiveAdmin(*p)) {
          // Under the commit lock, so the count cannot race.
          ASSIGN_OR_RETURN(auto all, store_.List(keys::kMaxVersion));
          const auto admins = std::count_if(all.begin(), all.end(), IsActiveAdmin);
          if (admins <= 1) {
            return absl::FailedPreconditionError(
                absl::StrCat("principal \"", id, "\" is the last active admin"));
          }
          ASSIGN_OR_RETURN(bool others, AnotherAdminCanSignIn(store_, all, id, ""));
          if (!others) {
            return absl::FailedPreconditionError(absl::StrCat(
                "principal \"", id,
                "\" is the last active admin holding an unrevoked token without expiry"));
          }
        }
        return absl::OkStatus();
      },
      behind_bulk);
}

absl::StatusOr<PrincipalRecord> PrincipalAdmin::SetRoles(const Caller& caller,
                                                         const std::string& id,
                                                         std::vector<Role> roles) {
  RETURN_IF_ERROR(RequireRole(caller, {Role::kAdmin}, "SetRoles"));
  RETURN_IF_ERROR(NormalizeRoles(roles));
  return Change(caller, id, "admin.set_roles", absl::StrCat("set roles=", JoinRoles(roles), " of"),
                [&](PrincipalRecord& p) {
                  p.roles = roles;
                  return absl::OkStatus();
                });
}

absl::StatusOr<PrincipalRecord> PrincipalAdmin::SetClearances(const Caller& caller,
                                                              const std::string& id,
                                                              std::vector<std::string> clearances,
                                                              uint64_t expected_version) {
  RETURN_IF_ERROR(RequireRole(caller, {Role::kAdmin}, "SetClearances"));
  RETURN_IF_ERROR(NormalizeClearances("clearances", clearances));
  return Change(caller, id, "admin.set_clearances",
                absl::StrCat("set clearances=", JoinClearances(clearances), " of"),
                [&](PrincipalRecord& p) {
                  if (expected_version != 0 && p.version != expected_version) {
                    return absl::FailedPreconditionError(absl::StrCat(
                        "expected_version: principal \"", id, "\" changed since version ",
                        expected_version, " (it is at ", p.version, "); read it again"));
                  }
                  p.clearances = clearances;
                  return absl::OkStatus();
                });
}

absl::StatusOr<PrincipalRecord> PrincipalAdmin::SetStatus(const Caller& caller,
                                                          const std::string& id,
                                                          PrincipalStatus status) {
  const bool suspend = status == PrincipalStatus::kSuspended;
  RETURN_IF_ERROR(
      RequireRole(caller, {Role::kAdmin}, suspend ? "SuspendPrincipal" : "ResumePrincipal"));
  return Change(caller, id, suspend ? "admin.suspend_principal" : "admin.resume_principal",
                suspend ? "suspend" : "resume", [&](PrincipalRecord& p) {
                  p.status = status;
                  return absl::OkStatus();
                });
}

absl::StatusOr<IssuedToken> PrincipalAdmin::IssueToken(const Caller& caller,
                                                       const std::string& principal_id,
                                                       int64_t ttl_seconds, TokenRecord* issued) {
  RETURN_IF_ERROR(RequireRole(caller, {Role::kAdmin}, "IssueToken"));
  RETURN_IF_ERROR(ValidateId("principal_id", principal_id));
  if (ttl_seconds < 0 || ttl_seconds > kMaxTokenTtlSeconds) {
    return absl::InvalidArgumentError(absl::StrCat("ttl_seconds: must be 0..", kMaxTokenTtlSeconds,
                                                   " (0: never expires), got ", ttl_seconds));
  }
  ASSIGN_OR_RETURN(std::optional<PrincipalRecord> p, store_.Get(principal_id, keys::kMaxVersion));
  if (!p) return PrincipalNotFound(principal_id);
  ASSIGN_OR_RETURN(IssuedToken token, NewToken());
  TokenRecord record{token.token_id, principal_id, HashToken(token.secret), Now(), false};
  if (ttl_seconds > 0) record.expires.micros = record.created.micros + ttl_seconds * 1000000;
  RETURN_IF_ERROR(store_.PutToken(
      record, caller.principal.id,
      {kIssueTokenAction,
       absl::StrCat("admin: issue token ", token.token_id, " for ", principal_id,
                    ttl_seconds > 0 ? absl::StrCat(" ttl_seconds=", ttl_seconds) : "")},
      [&] { return caller.CheckStillCurrent(); }, Database::BehindBulk::kRefuse));
  if (issued != nullptr) *issued = record;
  return token;
}

absl::Status PrincipalAdmin::RevokeToken(const Caller& caller, const std::string& token_id) {
  RETURN_IF_ERROR(RequireRole(caller, {Role::kAdmin}, "RevokeToken"));
  if (token_id.empty() || token_id.size() > 64) {
    return absl::InvalidArgumentError("token_id: must be 1..64 bytes");
  }
  ASSIGN_OR_RETURN(std::optional<TokenRecord> record, store_.FindTokenById(token_id));
  if (!record) return absl::NotFoundError(absl::StrCat("token \"", token_id, "\" not found"));
  if (record->revoked) return absl::OkStatus();
  record->revoked = true;
  // Under the commit lock, so two revocations cannot race past it.
  auto keeps_an_admin = [&]() -> absl::Status {
    RETURN_IF_ERROR(caller.CheckStillCurrent());
    ASSIGN_OR_RETURN(std::vector<PrincipalRecord> all, store_.List(keys::kMaxVersion));
    ASSIGN_OR_RETURN(bool others, AnotherAdminCanSignIn(store_, all, "", token_id));
    if (others) return absl::OkStatus();
    return absl::FailedPreconditionError(absl::StrCat(
        "token \"", token_id, "\" is the last unrevoked token without expiry of an active admin"));
  };
  return store_.PutToken(*record, caller.principal.id,
                         {"admin.revoke_token", absl::StrCat("admin: revoke token ", token_id,
                                                             " of ", record->principal_id)},
                         keeps_an_admin, Database::BehindBulk::kOvertake);
}

absl::StatusOr<std::vector<TokenRecord>> PrincipalAdmin::ListTokens(
    const Caller& caller, const std::string& principal_id) const {
  RETURN_IF_ERROR(RequireRole(caller, {Role::kAdmin}, "ListTokens"));
  RETURN_IF_ERROR(ValidateId("principal_id", principal_id));
  return store_.ListTokens(principal_id);
}

absl::StatusOr<bool> PrincipalAdmin::Bootstrap(
    PrincipalStore& store, const std::function<absl::Status(const std::string&)>& persist) {
  ASSIGN_OR_RETURN(std::vector<PrincipalRecord> all, store.List(keys::kMaxVersion));
  // Bootstrap's own admin, alone and without a token record (revoked ones
  // included), is a bootstrap stopped between its two commits: its token
  // is issued again. Nothing else can leave a principal without any.
  bool half_done = false;
  if (all.size() == 1 && all[0].id == kBootstrapAdminId) {
    ASSIGN_OR_RETURN(std::vector<TokenRecord> tokens, store.ListTokens(kBootstrapAdminId));
    half_done = tokens.empty();
  }
  if (!all.empty() && !half_done) return false;
  ASSIGN_OR_RETURN(IssuedToken token, NewToken());
  // Persist first: if the commits below fail, the next start bootstraps
  // again (or completes this one) and overwrites the file.
  RETURN_IF_ERROR(persist(token.secret));
  if (!half_done) {
    RETURN_IF_ERROR(
        store
            .Update(kBootstrapAdminId, kSystemPrincipal,
                    {kCreatePrincipalAction, "bootstrap: create principal admin"},
                    [](std::optional<PrincipalRecord>& p) {
                      p = PrincipalRecord{
                          kBootstrapAdminId, {Role::kAdmin}, {"*"}, PrincipalStatus::kActive, 0};
                      return absl::OkStatus();
                    })
            .status());
  }
  TokenRecord record{token.token_id, kBootstrapAdminId, HashToken(token.secret), Now(), false};
  RETURN_IF_ERROR(
      store.PutToken(record, kSystemPrincipal,
                     {kIssueTokenAction, absl::StrCat("bootstrap: issue token ", token.token_id)}));
  return true;
}

}  // namespace ctxgraph
