#include "query/access_report.h"

#include <algorithm>
#include <map>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "query/audit_reader.h"
#include "query/boundary_policy.h"
#include "storage/status_macros.h"

namespace ctxgraph {
namespace {

// Entries per List() call: each may list up to kMaxAuditItems items, so a
// small page keeps memory bounded.
constexpr size_t kScanPageEntries = 64;

}  // namespace

bool ReturnsNodeData(std::string_view action) {
  return std::any_of(std::begin(kDataReturningActions), std::end(kDataReturningActions),
                     [&](const char* a) { return action == a; });
}

absl::StatusOr<AccessReport> AccessReporter::Report(const AccessReportRequest& request) const {
  RETURN_IF_ERROR(RequireRole(caller_, {Role::kAuditor, Role::kAdmin}, "AccessReport"));
  RETURN_IF_ERROR(RequireFullClearance(caller_, "AccessReport"));
  if (request.principal.empty()) return absl::InvalidArgumentError("principal: required");
  RETURN_IF_ERROR(ValidateAuditFilter({request.principal, "", "", request.since, request.until}));

  // One scan up to `until` (no principal filter: every commit's entry
  // counts towards the version in force at the end of the window).
  const AuditFilter scan{"", "", "", std::nullopt, request.until};
  const AuditFilter window{request.principal, "", "", request.since, request.until};
  AccessReport report;
  uint64_t last_version = 0;
  absl::flat_hash_set<std::pair<std::string, uint64_t>> items;
  std::vector<std::pair<std::string, uint64_t>> ordered;  // first-seen order, for stable reads
  uint64_t after = 0;
  for (bool more = true; more;) {
    ASSIGN_OR_RETURN(AuditPage page, log_.List(scan, after, kScanPageEntries));
    more = page.more;
    for (const AuditEntry& entry : page.entries) {
      after = entry.seq;
      last_version = std::max(last_version, entry.snapshot_version);
      if (!ReturnsNodeData(entry.action) || !window.Matches(entry)) continue;
      ++report.entries_examined;
      if (entry.items_total > entry.items.size()) report.partial = true;
      for (const AuditItem& item : entry.items) {
        // An edge, or a redacted lineage stub (no version: nothing returned).
        if (!item.edge_label.empty() || item.version == 0) continue;
        if (items.emplace(item.node_id, item.version).second) {
          ordered.emplace_back(item.node_id, item.version);
        }
      }
    }
  }
  if (!request.until) last_version = store_.database()->LatestVersion();

  // Before the history horizon the principal's record may be compacted
  // away (storage/history_retention.h).
  const uint64_t horizon = store_.database()->history_horizon().horizon();
  if (last_version < horizon) {
    return absl::FailedPreconditionError(absl::StrCat("until: the window ends at version ",
                                                      last_version, ", before the history horizon ",
                                                      horizon, " (--history-retention)"));
  }
  ASSIGN_OR_RETURN(std::optional<PrincipalRecord> principal,
                   principals_.Get(request.principal, last_version));
  if (!principal) {
    return absl::NotFoundError(absl::StrCat("principal \"", request.principal, "\" not found"));
  }
  report.policy_version = last_version;

  std::vector<BoundaryPolicy> matchers;
  for (const std::string& c : principal->clearances) {
    matchers.emplace_back(std::vector<std::string>{c});
    report.clearances.push_back(ClearanceUse{c, false, 0});
  }
  std::map<std::string, uint64_t> needed;
  for (const auto& [id, version] : ordered) {
    // An item before the horizon reads as of it: its record is there only
    // when it is still the node's state at the horizon, however far
    // compaction got.
    ASSIGN_OR_RETURN(std::optional<NodeRecord> node,
                     store_.GetNode(id, std::max(version, horizon)));
    ++report.items_examined;
    if (!node || node->provenance.version != version) {
      ++report.items_missing;
      continue;
    }
    const std::vector<std::string> boundary = EffectiveBoundary(*node);
    for (const std::string& label : boundary) ++needed[label];
    for (size_t i = 0; i < matchers.size(); ++i) {
      const bool needs = std::any_of(boundary.begin(), boundary.end(),
                                     [&](const std::string& l) { return matchers[i].Allows(l); });
      if (!needs) continue;
      report.clearances[i].used = true;
      ++report.clearances[i].items;
    }
  }
  for (auto& [label, count] : needed) report.needed_labels.push_back(LabelNeed{label, count});
  for (const ClearanceUse& use : report.clearances) {
    if (!use.used) report.unused_clearances.push_back(use.clearance);
  }
  return report;
}

}  // namespace ctxgraph
