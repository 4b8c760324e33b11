#include "query/access_report.h"

#include <algorithm>
#include <map>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "query/audit_reader.h"
#include "query/boundary_policy.h"
#include "query/retrieval_request.h"
#include "query/retriever.h"
#include "storage/status_macros.h"

namespace ctxgraph {
namespace {

// Entries per List() call: each may list up to kMaxAuditItems items, so a
// small page keeps memory bounded.
constexpr size_t kScanPageEntries = 64;

// The digits of a "<key>=<digits>" field, or nullopt.
std::optional<uint64_t> FieldNumber(std::string_view field, std::string_view key) {
  if (field.size() <= key.size() + 1 || !field.starts_with(key) || field[key.size()] != '=') {
    return std::nullopt;
  }
  const std::string_view digits = field.substr(key.size() + 1);
  uint64_t n = 0;
  if (digits.find_first_not_of("0123456789") != std::string_view::npos ||
      !absl::SimpleAtoi(absl::string_view(digits.data(), digits.size()), &n)) {
    return std::nullopt;
  }
  return n;
}

// The summary's last `n` space-separated fields, last first (fewer when it
// has fewer).
std::vector<std::string_view> LastFields(std::string_view summary, size_t n) {
  std::vector<std::string_view> fields;
  while (fields.size() < n && !summary.empty()) {
    const size_t space = summary.rfind(' ');
    fields.push_back(space == std::string_view::npos ? summary : summary.substr(space + 1));
    summary = space == std::string_view::npos ? std::string_view() : summary.substr(0, space);
  }
  return fields;
}

// The version whose boundaries the read behind `entry` was cleared against
// (GraphReader's rule), read only where caller-given text cannot pose as it:
//  - retrieve: its retrieve.v1 summary's policy_version;
//  - lineage: its summary's last policy_version field (every lineage entry
//    records one, after the node ids, the only caller-given text);
//  - search: its summary's last field. A search entry written before
//    searches recorded it ends in page=, as_of= and clearances= (after the
//    caller's query; the oldest end at as_of=): a latest read's first page
//    was cleared at its snapshot; any other at the latest version when it
//    ran, which `last_committed` (the highest version in the log before
//    the entry) stands for, at most a racing commit's version ahead.
uint64_t ReadPolicyVersion(const AuditEntry& entry, uint64_t last_committed) {
  const std::string_view summary = entry.summary;
  if (entry.action == kRetrieveAction) {
    absl::StatusOr<RecordedRetrieval> recorded = DecodeRetrievalSummary(summary);
    return recorded.ok() ? recorded->policy_version : last_committed;
  }
  if (entry.action == "search") {
    const std::vector<std::string_view> last = LastFields(summary, 3);
    if (!last.empty()) {
      if (std::optional<uint64_t> v = FieldNumber(last[0], "policy_version")) return *v;
    }
    // Before clearances= was recorded, the summary ended at as_of=.
    const bool first_latest =
        last.size() == 3 &&
        (last[0].starts_with("clearances=") ? last[2] == "page=first" && last[1] == "as_of=0"
                                            : last[1] == "page=first" && last[0] == "as_of=0");
    if (first_latest) return entry.snapshot_version;
    return last_committed;
  }
  constexpr std::string_view kField = " policy_version=";
  const size_t at = summary.rfind(kField);
  if (at == std::string_view::npos) return last_committed;
  const std::string_view field = summary.substr(at + 1);
  return FieldNumber(field.substr(0, field.find(' ')), "policy_version").value_or(last_committed);
}

// The boundary labels a read of node `id` at `version` needed: its
// effective boundary then, and at each of `policies` (versions above it,
// that an as-of read was also cleared against: GraphReader's rule) its
// boundary then, or its last one when it was deleted by then. nullopt when
// the record at `version` can no longer be told: gone (the store was
// altered underneath, or compacted below the horizon).
absl::StatusOr<std::optional<std::vector<std::string>>> NeededBoundary(
    const GraphStore& store, GraphReadSession& reads, const std::string& id, uint64_t version,
    const absl::flat_hash_set<uint64_t>& policies, uint64_t horizon) {
  ASSIGN_OR_RETURN(std::optional<uint64_t> iid, store.LookupIid(id));
  if (!iid) return std::nullopt;
  // An item before the horizon reads as of it: its record is there only
  // when it is still the node's state at the horizon, however far
  // compaction got.
  ASSIGN_OR_RETURN(std::shared_ptr<const NodeRecord> node,
                   reads.GetNodeShared(*iid, std::max(version, horizon)));
  if (!node || node->provenance.version != version) return std::nullopt;
  std::vector<std::string> boundary = EffectiveBoundary(*node);
  for (const uint64_t policy : policies) {
    // A policy version below the horizon reads the record at the horizon:
    // the item's own, since (checked above) the node has not changed from
    // `version` to the horizon.
    ASSIGN_OR_RETURN(std::shared_ptr<const NodeRecord> then,
                     reads.GetNodeOrLastLive(*iid, std::max(policy, horizon)));
    if (!then) return std::nullopt;
    for (std::string& label : EffectiveBoundary(*then)) {
      if (std::find(boundary.begin(), boundary.end(), label) == boundary.end()) {
        boundary.push_back(std::move(label));
      }
    }
  }
  return boundary;
}

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
  // Each distinct item returned, in first-seen order (for stable reads),
  // with the policy versions above the snapshot it was read under.
  struct Returned {
    std::string id;
    uint64_t version = 0;
    absl::flat_hash_set<uint64_t> policies;
  };
  std::vector<Returned> returned;
  absl::flat_hash_map<std::pair<std::string, uint64_t>, size_t> index;
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
      // Above the snapshot read only for an as-of read (or one that raced a
      // commit): else the items read are the nodes' state at it.
      const uint64_t policy = ReadPolicyVersion(entry, last_version);
      const bool as_of = policy > entry.snapshot_version;
      for (const AuditItem& item : entry.items) {
        // An edge, or a redacted lineage stub (no version: nothing returned).
        if (!item.edge_label.empty() || item.version == 0) continue;
        auto [it, inserted] = index.try_emplace({item.node_id, item.version}, returned.size());
        if (inserted) returned.push_back(Returned{item.node_id, item.version, {}});
        if (as_of) returned[it->second].policies.insert(policy);
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
  GraphReadSession reads(store_);
  std::map<std::string, uint64_t> needed;
  for (const Returned& item : returned) {
    ++report.items_examined;
    ASSIGN_OR_RETURN(std::optional<std::vector<std::string>> boundary,
                     NeededBoundary(store_, reads, item.id, item.version, item.policies, horizon));
    if (!boundary) {
      ++report.items_missing;
      continue;
    }
    for (const std::string& label : *boundary) ++needed[label];
    for (size_t i = 0; i < matchers.size(); ++i) {
      const bool needs = std::any_of(boundary->begin(), boundary->end(),
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
