#include "query/boundary_admin.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "query/graph_reader.h"
#include "query/policy_write_guard.h"
#include "query/prop_bytes.h"
#include "query/validation.h"
#include "storage/propagation.h"
#include "storage/status_macros.h"

namespace ctxgraph {
namespace {

constexpr char kDefineAction[] = "label.define";
constexpr char kAssignAction[] = "label.assign";
constexpr char kAssignNodeAction[] = "label.assign.node";
constexpr char kSanitizeAction[] = "label.sanitize.edge";

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

// Add and remove: boundary labels, at least one in all, none in both.
absl::Status ValidateLabelChange(std::vector<std::string>& add, std::vector<std::string>& remove) {
  RETURN_IF_ERROR(NormalizeBoundary("add", add));
  RETURN_IF_ERROR(NormalizeBoundary("remove", remove));
  if (add.empty() && remove.empty()) {
    return absl::InvalidArgumentError("add: give at least one label to add or remove");
  }
  for (const std::string& label : remove) {
    if (std::binary_search(add.begin(), add.end(), label)) {
      return absl::InvalidArgumentError(
          absl::StrCat("remove: label \"", label, "\" is also in add"));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateReason(const std::string& reason) {
  if (reason.empty()) return absl::InvalidArgumentError("reason: required");
  if (reason.size() > kMaxReasonBytes || !IsValidUtf8(reason)) {
    return absl::InvalidArgumentError(
        absl::StrCat("reason: must be at most ", kMaxReasonBytes, " bytes of UTF-8"));
  }
  return absl::OkStatus();
}

absl::Status ValidateAssign(AssignRequest& r, size_t max_nodes) {
  const int selectors = !r.node_ids.empty() + !r.type_label.empty() + !r.downstream_of.empty();
  if (selectors != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("targets: give one of node_ids, type_label and downstream_of",
                     selectors == 0 ? "" : ", not several"));
  }
  if (r.node_ids.size() > max_nodes) {
    return absl::ResourceExhaustedError(
        absl::StrCat("node_ids: ", r.node_ids.size(), " ids exceed the limit of ", max_nodes));
  }
  for (size_t i = 0; i < r.node_ids.size(); ++i) {
    RETURN_IF_ERROR(ValidateId(absl::StrCat("node_ids[", i, "]"), r.node_ids[i]));
  }
  if (!r.type_label.empty()) RETURN_IF_ERROR(ValidateTypeLabel("type_label", r.type_label));
  if (!r.downstream_of.empty()) RETURN_IF_ERROR(ValidateId("downstream_of", r.downstream_of));
  RETURN_IF_ERROR(ValidateLabelChange(r.add, r.remove));
  return ValidateReason(r.reason);
}

// The clearance and registry checks on the labels themselves: before any
// node is looked at, so they reveal nothing about nodes.
absl::Status CheckLabels(const Caller& caller, const LabelRegistry& registry,
                         const std::vector<std::string>& add,
                         const std::vector<std::string>& remove) {
  for (const auto& [field, labels] : {std::pair{"add", &add}, std::pair{"remove", &remove}}) {
    for (const std::string& label : *labels) {
      if (!caller.policy.Allows(label)) {
        return absl::PermissionDeniedError(
            absl::StrCat(field, ": not cleared for label \"", label, "\""));
      }
    }
  }
  for (const std::string& label : add) {
    if (!registry.IsDefined(label)) {
      return absl::FailedPreconditionError(
          absl::StrCat("add: undefined boundary label \"", label, "\""));
    }
  }
  return absl::OkStatus();
}

std::string TargetSummary(const AssignRequest& r) {
  if (!r.type_label.empty()) return absl::StrCat("type_label=", r.type_label);
  if (!r.downstream_of.empty()) return absl::StrCat("downstream_of=", r.downstream_of);
  return absl::StrCat("node_ids=", r.node_ids.size());
}

// What a selection has taken so far, against an AssignLabels call's limits;
// `field` names the selector in errors.
class SelectionBudget {
 public:
  SelectionBudget(std::string field, size_t max_nodes, size_t max_bytes)
      : field_(std::move(field)), max_nodes_(max_nodes), max_bytes_(max_bytes) {}

  // Before each node record read: hidden ones count, so that what the
  // caller cannot see does not set how long the selection holds the lock.
  absl::Status Read() {
    if (++reads_ <= max_nodes_ * kAssignReadsPerSelected) return absl::OkStatus();
    return absl::ResourceExhaustedError(
        absl::StrCat(field_, ": reads more than ", max_nodes_ * kAssignReadsPerSelected,
                     " nodes (hidden ones included), the limit of one call; select by node_ids"));
  }

  // Before `node` joins the selection of `selected` nodes.
  absl::Status Take(const NodeRecord& node, size_t selected) {
    if (selected == max_nodes_) {
      return absl::ResourceExhaustedError(absl::StrCat(field_, ": selects more than ", max_nodes_,
                                                       " nodes, the limit of one call"));
    }
    bytes_ += node.id.size() + PropBytes(node.props);
    if (bytes_ > max_bytes_) {
      return absl::ResourceExhaustedError(absl::StrCat(field_, ": selects more than ", max_bytes_,
                                                       " bytes of nodes, the limit of one call"));
    }
    return absl::OkStatus();
  }

 private:
  const std::string field_;
  const size_t max_nodes_;
  const size_t max_bytes_;
  size_t reads_ = 0;
  size_t bytes_ = 0;
};

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
  absl::StatusOr<WriteResult> written =
      store_.ApplyPlanned(caller.principal.id, absl::StrCat("define label ", name), guard,
                          [&](CommitContext& ctx) -> absl::StatusOr<std::vector<Mutation>> {
                            ctx.SetAuditNote({kDefineAction, summary});
                            std::vector<Mutation> define;
                            define.push_back(LabelDefine{std::move(label)});
                            return define;
                          });
  if (!written.ok()) {
    // The write path names the op of a Write request ("ops[0].define_label.
    // propagate"); this request's field is "propagate".
    constexpr std::string_view kOpPrefix = "ops[0].define_label.";
    const std::string message(written.status().message());
    if (!message.starts_with(kOpPrefix)) return written.status();
    return absl::Status(written.status().code(), message.substr(kOpPrefix.size()));
  }
  const WriteResult& result = *written;
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
    ASSIGN_OR_RETURN(page.version, ResolveVersion(*store_.database(), token.version, "page_token"));
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
  if (!r.downstream_of.empty()) return SelectDownstream(caller, r.downstream_of);
  std::vector<NodeRecord> targets;
  if (r.type_label.empty()) {
    // ValidateAssign caps how many ids there are.
    SelectionBudget budget("node_ids", max_assign_nodes_, max_assign_bytes_);
    absl::flat_hash_set<std::string> seen;
    for (size_t i = 0; i < r.node_ids.size(); ++i) {
      const std::string& id = r.node_ids[i];
      if (!seen.insert(id).second) continue;
      ASSIGN_OR_RETURN(std::optional<NodeRecord> node, store_.GetNode(id, latest));
      // Hidden and absent ids get the same answer.
      if (!node || !caller.policy.CanSee(*node)) {
        return absl::NotFoundError(absl::StrCat("node_ids[", i, "]: node \"", id, "\" not found"));
      }
      RETURN_IF_ERROR(budget.Take(*node, targets.size()));
      targets.push_back(*std::move(node));
    }
    return targets;
  }
  SelectionBudget budget("type_label", max_assign_nodes_, max_assign_bytes_);
  GraphReadSession reads(store_);
  absl::Status inner;
  RETURN_IF_ERROR(store_.ScanLabel(r.type_label, latest, 0, [&](uint64_t iid) {
    inner = budget.Read();
    if (!inner.ok()) return false;
    absl::StatusOr<std::optional<NodeRecord>> node = reads.GetNodeByIid(iid, latest);
    if (!node.ok()) {
      inner = node.status();
      return false;
    }
    if (!*node || !caller.policy.CanSee(**node)) return true;  // hidden: not selected
    inner = budget.Take(**node, targets.size());
    if (!inner.ok()) return false;
    targets.push_back(**std::move(node));
    return true;
  }));
  RETURN_IF_ERROR(inner);
  return targets;
}

absl::StatusOr<std::vector<NodeRecord>> BoundaryAdmin::SelectDownstream(
    const Caller& caller, const std::string& id) const {
  const uint64_t latest = store_.database()->LatestVersion();
  GraphReadSession reads(store_);
  ASSIGN_OR_RETURN(std::optional<uint64_t> start, store_.LookupIid(id));
  ASSIGN_OR_RETURN(std::optional<NodeRecord> node, reads.GetNodeByIid(start.value_or(0), latest));
  if (!node || !caller.policy.CanSee(*node)) {
    return absl::NotFoundError(absl::StrCat("downstream_of: node \"", id, "\" not found"));
  }
  SelectionBudget budget("downstream_of", max_assign_nodes_, max_assign_bytes_);
  RETURN_IF_ERROR(budget.Take(*node, 0));
  std::vector<NodeRecord> targets;
  std::vector<uint64_t> iids = {*start};
  absl::flat_hash_set<uint64_t> seen = {*start};
  targets.push_back(*std::move(node));
  // Breadth first against DERIVED_FROM (a -DERIVED_FROM-> b: a derives from
  // b, so b's derived nodes are its in-edges). A hidden node is neither
  // selected nor walked through, as lineage walks stop at it for agents.
  absl::Status inner;
  for (size_t i = 0; i < iids.size() && inner.ok(); ++i) {
    RETURN_IF_ERROR(reads.ScanAdjacency(iids[i], {EdgeDirection::kIn}, {kDerivedFromLabel}, latest,
                                        std::nullopt, [&](const AdjacencyEntry& entry) {
                                          if (!seen.insert(entry.other_iid).second) return true;
                                          inner = budget.Read();
                                          if (!inner.ok()) return false;
                                          absl::StatusOr<std::optional<NodeRecord>> child =
                                              reads.GetNodeByIid(entry.other_iid, latest);
                                          if (!child.ok()) {
                                            inner = child.status();
                                            return false;
                                          }
                                          if (!*child || !caller.policy.CanSee(**child))
                                            return true;
                                          inner = budget.Take(**child, targets.size());
                                          if (!inner.ok()) return false;
                                          iids.push_back(entry.other_iid);
                                          targets.push_back(**std::move(child));
                                          return true;
                                        }));
  }
  RETURN_IF_ERROR(inner);
  return targets;
}

absl::StatusOr<SanitizeResult> BoundaryAdmin::SanitizeEdge(const Caller& caller,
                                                           SanitizeRequest request) {
  RETURN_IF_ERROR(CheckStewardRole(caller, "SanitizeEdge"));
  RETURN_IF_ERROR(ValidateId("from", request.from));
  RETURN_IF_ERROR(ValidateId("to", request.to));
  RETURN_IF_ERROR(ValidateLabelChange(request.add, request.remove));
  RETURN_IF_ERROR(ValidateReason(request.reason));
  RETURN_IF_ERROR(CheckLabels(caller, *store_.labels(), request.add, request.remove));
  PolicyWriteGuard guard(caller);
  SanitizeResult out;
  const std::string edge_name =
      absl::StrCat("edge \"", request.from, "\" -", kDerivedFromLabel, "-> \"", request.to, "\"");
  ASSIGN_OR_RETURN(
      WriteResult written,
      store_.ApplyPlanned(
          caller.principal.id, request.reason, guard,
          [&](CommitContext& ctx) -> absl::StatusOr<std::vector<Mutation>> {
            out = SanitizeResult{};
            const uint64_t latest = store_.database()->LatestVersion();
            GraphReadSession reads(store_);
            std::optional<EdgeRecord> edge;
            ASSIGN_OR_RETURN(std::optional<uint64_t> from, store_.LookupIid(request.from));
            ASSIGN_OR_RETURN(std::optional<uint64_t> to, store_.LookupIid(request.to));
            bool visible = from && to;
            for (std::optional<uint64_t> iid : {from, to}) {
              if (!visible) break;
              ASSIGN_OR_RETURN(std::optional<NodeRecord> node, reads.GetNodeByIid(*iid, latest));
              visible = node && caller.policy.CanSee(*node);
            }
            if (visible) {
              RETURN_IF_ERROR(reads.ScanAdjacency(*from, {EdgeDirection::kOut}, {kDerivedFromLabel},
                                                  latest, std::nullopt,
                                                  [&](const AdjacencyEntry& e) {
                                                    if (e.other_iid == *to) edge = e.edge;
                                                    return !edge;
                                                  }));
            }
            // A hidden endpoint hides the edge: the same bytes as an absent one.
            if (!edge) return absl::NotFoundError(absl::StrCat(edge_name, " not found"));
            out.before = edge->sanitizes;
            out.after = NewBoundary(edge->sanitizes, request.add, request.remove);
            if (out.after == out.before) return std::vector<Mutation>{};
            ctx.SetAuditNote(
                {kSanitizeAction, absl::StrCat("from=", request.from, " to=", request.to,
                                               " before=", Bracketed(out.before), " after=",
                                               Bracketed(out.after), " reason=", request.reason)});
            return std::vector<Mutation>{EdgeSanitize{request.from, request.to, out.after}};
          }));
  out.version = written.version;
  out.committed = written.committed;
  return out;
}

absl::StatusOr<AssignResult> BoundaryAdmin::AssignLabels(const Caller& caller,
                                                         AssignRequest request) {
  RETURN_IF_ERROR(CheckStewardRole(caller, "AssignLabels"));
  RETURN_IF_ERROR(ValidateAssign(request, max_assign_nodes_));
  RETURN_IF_ERROR(CheckLabels(caller, *store_.labels(), request.add, request.remove));
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
