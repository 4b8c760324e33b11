#include "query/policy_write_guard.h"

#include <string>

#include "absl/strings/str_cat.h"

namespace ctxgraph {

absl::Status PolicyWriteGuard::CheckNodeWrite(std::string_view field, const NodeRecord* existing,
                                              const NodeRecord* proposed) {
  // The existing node's labels are not named: the writer may not hold them.
  if (existing && !caller_.policy.CanSee(*existing)) {
    return absl::PermissionDeniedError(absl::StrCat(
        std::string(field), ": not cleared for the boundary of node \"", existing->id, "\""));
  }
  if (proposed) {
    for (const std::string& label : proposed->boundary) {
      if (!caller_.policy.Allows(label)) {
        return absl::PermissionDeniedError(absl::StrCat(
            std::string(field), ".upsert_node.boundary: not cleared for label \"", label, "\""));
      }
    }
  }
  return absl::OkStatus();
}

absl::Status PolicyWriteGuard::CheckLabelDefine(std::string_view field, const LabelDefinition&) {
  return RequireRole(caller_, {Role::kSteward, Role::kAdmin},
                     absl::StrCat(std::string(field), ": defining a label"));
}

}  // namespace ctxgraph
