#include "query/boundary_admin.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "query/graph_reader.h"
#include "query/policy_write_guard.h"
#include "query/validation.h"
#include "storage/status_macros.h"

namespace ctxgraph {
namespace {

constexpr char kDefineAction[] = "label.define";
constexpr char kAssignAction[] = "label.assign";
constexpr char kAssignNodeAction[] = "label.assign.node";

absl::Status CheckStewardRole(const Caller& caller, std::string_view method) {
  return RequireRole(caller, {Role::kSteward, Role::kAdmin}, method);
}

std::string Bracketed(const std::vector<std::string>& labels) {
  return absl::StrCat("[", absl::StrJoin(labels, ","), "]");
}

// (before + add) - remove, sorted and unique; `add` and `remove` are.
std::vector<std::string> NewBoundary(const std::vector<std::string>& before,
                                     const std::vector<std::string>& add,
                                     const std::vector<std::string>& remove) {
  std::vector<std::string> merged;
  std::set_union(before.begin(), before.end(), add.begin(), add.end(), std::back_inserter(merged));
  std::vector<std::string> after;
  std::set_difference(merged.begin(), merged.end(), remove.begin(), remove.end(),
                      std::back_inserter(after));
  return after;
}

absl::Status ValidateAssign(AssignRequest& r, size_t max_nodes) {
  if (r.node_ids.empty() == r.type_label.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("targets: give node_ids or type_label",
                                                   r.node_ids.empty() ? "" : ", not both"));
  }
  if (r.node_ids.size() > max_nodes) {
    return absl::ResourceExhaustedError(
        absl::StrCat("node_ids: ", r.node_ids.size(), " ids exceed the limit of ", max_nodes));
  }
  for (size_t i = 0; i < r.node_ids.size(); ++i) {
    RETURN_IF_ERROR(ValidateId(absl::StrCat("node_ids[", i, "]"), r.node_ids[i]));
  }
  if (!r.type_label.empty()) RETURN_IF_ERROR(ValidateTypeLabel("type_label", r.type_label));
  RETURN_IF_ERROR(NormalizeBoundary("add", r.add));
  RETURN_IF_ERROR(NormalizeBoundary("remove", r.remove));
  if (r.add.empty() && r.remove.empty()) {
    return absl::InvalidArgumentError("add: give at least one label to add or remove");
  }
  for (const std::string& label : r.remove) {
    if (std::binary_search(r.add.begin(), r.add.end(), label)) {
      return absl::InvalidArgumentError(
          absl::StrCat("remove: label \"", label, "\" is also in add"));
    }
  }
  if (r.reason.empty()) return absl::InvalidArgumentError("reason: required");
  if (r.reason.size() > kMaxReasonBytes || !IsValidUtf8(r.reason)) {
    return absl::InvalidArgumentError(
        absl::StrCat("reason: must be at most ", kMaxReasonBytes, " bytes of UTF-8"));
  }
  return absl::OkStatus();
}

// The clearance and registry checks on the labels themselves: before any
// node is looked at, so they reveal nothing about nodes.
absl::Status CheckLabels(const Caller& caller, const LabelRegistry& registry,
                         const AssignRequest& r) {
  for (const auto& [field, labels] : {std::pair{"add", &r.add}, std::pair{"remove", &r.remove}}) {
    for (const std::string& label : *labels) {
      if (!caller.policy.Allows(label)) {
        return absl::PermissionDeniedError(
            absl::StrCat(field, ": not cleared for label \"", label, "\""));
      }
    }
  }
  for (const std::string& label : r.add) {
    if (!registry.IsDefined(label)) {
      return absl::FailedPreconditionError(
          absl::StrCat("add: undefined boundary label \"", label, "\""));
    }
  }
  return absl::OkStatus();
}

std::string TargetSummary(const AssignRequest& r) {
  return r.type_label.empty() ? absl::StrCat("node_ids=", r.node_ids.size())
                              : absl::StrCat("type_label=", r.type_label);
}

}  // namespace

absl::StatusOr<DefineLabelResult> BoundaryAdmin::DefineLabel(const Caller& caller,
                                                             LabelDefinition label) {
  RETURN_IF_ERROR(CheckStewardRole(caller, "DefineLabel"));
  RETURN_IF_ERROR(ValidateLabelDefinition("", label));
  PolicyWriteGuard guard(caller);
  const std::string name = label.name;
  const std::string summary =
      absl::StrCat("label=", name, " propagate=", label.propagate ? "true" : "false",
                   " description=", label.description);
  ASSIGN_OR_RETURN(
      WriteResult result,
      store_.ApplyPlanned(caller.principal.id, absl::StrCat("define label ", name), guard,
                          [&](CommitContext& ctx) -> absl::StatusOr<std::vector<Mutation>> {
                            ctx.SetAuditNote({kDefineAction, summary});
                            std::vector<Mutation> define;
                            define.push_back(LabelDefine{std::move(label)});
                            return define;
                          }));
  // As of the commit (or the latest version when nothing changed), so a
  // concurrent redefinition is not reported as this one.
  ASSIGN_OR_RETURN(std::optional<LabelDefinition> stored,
                   store_.labels()->Get(name, result.version));
  if (!stored) return absl::InternalError(absl::StrCat("label \"", name, "\" was not stored"));
  return DefineLabelResult{*std::move(stored), result.labels_defined > 0};
}

absl::StatusOr<LabelPage> BoundaryAdmin::ListLabels(const Caller& caller, int page_size,
                                                    std::string_view page_token,
                                                    uint64_t as_of) const {
  ASSIGN_OR_RETURN(const int limit, ResolvePageSize(page_size));
  const std::string fingerprint = RequestFingerprint({"ListLabels", caller.principal.id});
  LabelPage page;
  std::string after;
  if (!page_token.empty()) {
    ASSIGN_OR_RETURN(PageToken token, tokens_.Decode(fingerprint, page_token));
    after = std::move(token.cursor);
    if (after.empty()) return absl::InvalidArgumentError("page_token: invalid");
    ASSIGN_OR_RETURN(page.version, ResolveVersion(*store_.database(), token.version));
  } else {
    ASSIGN_OR_RETURN(page.version, ResolveVersion(*store_.database(), as_of));
  }
  bool more = false;
  ASSIGN_OR_RETURN(page.labels, store_.labels()->List(page.version, after, limit, &more));
  if (more)
    page.next_page_token = tokens_.Encode(fingerprint, {page.version, page.labels.back().name});
  return page;
}

absl::StatusOr<std::vector<NodeRecord>> BoundaryAdmin::SelectTargets(const Caller& caller,
                                                                     const AssignRequest& r) const {
  const uint64_t latest = store_.database()->LatestVersion();
  std::vector<NodeRecord> targets;
  if (r.type_label.empty()) {
    absl::flat_hash_set<std::string> seen;
    for (size_t i = 0; i < r.node_ids.size(); ++i) {
      const std::string& id = r.node_ids[i];
      if (!seen.insert(id).second) continue;
      ASSIGN_OR_RETURN(std::optional<NodeRecord> node, store_.GetNode(id, latest));
      // Hidden and absent ids get the same answer.
      if (!node || !caller.policy.CanSee(*node)) {
        return absl::NotFoundError(absl::StrCat("node_ids[", i, "]: node \"", id, "\" not found"));
      }
      targets.push_back(*std::move(node));
    }
    return targets;
  }
  absl::Status inner;
  bool over_limit = false;
  RETURN_IF_ERROR(store_.ScanLabel(r.type_label, latest, 0, [&](uint64_t iid) {
    absl::StatusOr<std::optional<NodeRecord>> node = store_.GetNodeByIid(iid, latest);
    if (!node.ok()) {
      inner = node.status();
      return false;
    }
    if (!*node || !caller.policy.CanSee(**node)) return true;  // hidden: not selected
    if (targets.size() == max_assign_nodes_) {
      over_limit = true;
      return false;
    }
    targets.push_back(**std::move(node));
    return true;
  }));
  RETURN_IF_ERROR(inner);
  if (over_limit) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "type_label: selects more than ", max_assign_nodes_, " nodes, the limit of one call"));
  }
  return targets;
}

absl::StatusOr<AssignResult> BoundaryAdmin::AssignLabels(const Caller& caller,
                                                         AssignRequest request) {
  RETURN_IF_ERROR(CheckStewardRole(caller, "AssignLabels"));
  RETURN_IF_ERROR(ValidateAssign(request, max_assign_nodes_));
  RETURN_IF_ERROR(CheckLabels(caller, *store_.labels(), request));
  PolicyWriteGuard guard(caller);
  AssignResult out;
  ASSIGN_OR_RETURN(
      WriteResult written,
      store_.ApplyPlanned(
          caller.principal.id, request.reason, guard,
          [&](CommitContext& ctx) -> absl::StatusOr<std::vector<Mutation>> {
            out = AssignResult{};
            ASSIGN_OR_RETURN(std::vector<NodeRecord> targets, SelectTargets(caller, request));
            std::vector<Mutation> upserts;
            for (NodeRecord& node : targets) {
              std::vector<std::string> after =
                  NewBoundary(node.boundary, request.add, request.remove);
              if (after == node.boundary) {
                out.unchanged.push_back(std::move(node.id));
                continue;
              }
              if (after.size() > kMaxLabelsPerNode) {  // the node is visible: this tells nothing
                return absl::InvalidArgumentError(
                    absl::StrCat("add: node \"", node.id, "\" would carry ", after.size(),
                                 " boundary labels, over the limit of ", kMaxLabelsPerNode));
              }
              AuditEntry entry;
              entry.action = kAssignNodeAction;
              entry.summary = absl::StrCat("before=", Bracketed(node.boundary),
                                           " after=", Bracketed(after), " reason=", request.reason);
              entry.items.push_back(AuditItem{node.id, "", "", ctx.version()});
              ctx.AddAuditEntry(std::move(entry));
              out.changed.push_back(BoundaryChange{node.id, node.boundary, after});
              node.boundary = std::move(after);
              upserts.push_back(NodeUpsert{std::move(node)});
            }
            ctx.SetAuditNote(
                {kAssignAction,
                 absl::StrCat(TargetSummary(request), " add=", Bracketed(request.add), " remove=",
                              Bracketed(request.remove), " changed=", out.changed.size(),
                              " unchanged=", out.unchanged.size(), " reason=", request.reason)});
            return upserts;
          }));
  out.version = written.version;
  out.committed = written.committed;
  return out;
}

}  // namespace ctxgraph
