#include "query/caller.h"

#include "absl/strings/str_cat.h"

namespace ctxgraph {

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kAgent:
      return "agent";
    case Role::kAuditor:
      return "auditor";
    case Role::kSteward:
      return "steward";
    case Role::kLoader:
      return "loader";
    case Role::kAdmin:
      return "admin";
  }
  return "unknown";
}

absl::Status RequireRole(const Caller& caller, std::initializer_list<Role> roles,
                         std::string_view action) {
  if (caller.HasAnyRole(roles)) return absl::OkStatus();
  std::string names;
  for (Role r : roles)
    absl::StrAppend(&names, names.empty() ? "" : " or ", std::string(RoleName(r)));
  return absl::PermissionDeniedError(
      absl::StrCat(std::string(action), " requires the ", names, " role"));
}

absl::Status RequireFullClearance(const Caller& caller, std::string_view action,
                                  std::string_view why) {
  if (caller.policy.SeesAll()) return absl::OkStatus();
  return absl::PermissionDeniedError(
      absl::StrCat(std::string(action), " requires clearance \"*\": ", std::string(why)));
}

absl::Status MayReadCommit(const Caller& caller, const CommitRecord& commit) {
  if (caller.policy.SeesAll() || commit.principal == caller.principal.id) {
    return absl::OkStatus();
  }
  return absl::PermissionDeniedError(
      "GetCommit requires clearance \"*\" for a commit another principal made");
}

}  // namespace ctxgraph
