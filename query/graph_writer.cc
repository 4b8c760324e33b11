#include "query/graph_writer.h"

#include "absl/strings/str_cat.h"
#include "query/validation.h"
#include "storage/status_macros.h"

namespace ctxgraph {
namespace {

// Applies the caller's boundary policy to writes, under the commit lock.
class PolicyWriteGuard final : public WriteGuard {
 public:
  explicit PolicyWriteGuard(const Caller& caller) : caller_(caller) {}

  absl::Status CheckNodeWrite(std::string_view field, const NodeRecord* existing,
                              const NodeRecord* proposed) override {
    // The existing node's labels are not named: the writer may not hold them.
    if (existing && !caller_.policy.CanSee(*existing)) {
      return absl::PermissionDeniedError(absl::StrCat(
          std::string(field), ": not cleared for the boundary of node \"", existing->id, "\""));
    }
    if (proposed) {
      for (size_t i = 0; i < proposed->boundary.size(); ++i) {
        if (!caller_.policy.Allows(proposed->boundary[i])) {
          return absl::PermissionDeniedError(
              absl::StrCat(std::string(field), ".upsert_node.boundary: not cleared for label \"",
                           proposed->boundary[i], "\""));
        }
      }
    }
    return absl::OkStatus();
  }

  bool CanSee(const NodeRecord& node) override { return caller_.policy.CanSee(node); }

 private:
  const Caller& caller_;
};

}  // namespace

absl::Status GraphWriter::CheckRole(const Caller& caller) {
  return RequireRole(caller, {Role::kLoader, Role::kAdmin}, "Write");
}

absl::StatusOr<WriteResult> GraphWriter::Write(const Caller& caller,
                                               std::vector<Mutation> mutations,
                                               const std::string& description) const {
  RETURN_IF_ERROR(CheckRole(caller));
  if (mutations.empty()) return absl::InvalidArgumentError("ops: at least one op is required");
  if (mutations.size() > kMaxBatchOps) {
    return absl::ResourceExhaustedError(
        absl::StrCat("ops: ", mutations.size(), " ops exceed the batch limit of ", kMaxBatchOps));
  }
  if (description.size() > kMaxDescriptionBytes || !IsValidUtf8(description)) {
    return absl::InvalidArgumentError(
        absl::StrCat("description: must be at most ", kMaxDescriptionBytes, " bytes of UTF-8"));
  }
  for (size_t i = 0; i < mutations.size(); ++i) {
    RETURN_IF_ERROR(ValidateMutation(absl::StrCat("ops[", i, "]"), mutations[i]));
  }
  PolicyWriteGuard guard(caller);
  return store_.Apply(mutations, guard, caller.principal.id, description);
}

}  // namespace ctxgraph
