// AccessReporter: AuditService.AccessReport without gRPC — for one
// principal over a time window, the clearances it holds versus the boundary
// labels of the items it was actually given (the over-privilege report).
//
// What is examined. The principal's "search", "retrieve" and lineage
// ("lineage.upstream", "lineage.downstream", "lineage.path") audit entries
// whose time is in [since, until) (either bound optional). Those are the
// only audited reads: GraphService reads (GetNode, ListNodes,
// ListNeighbors) write no audit entry, so what a principal read through
// them is not in this report. Of each entry, its listed node items; an
// entry lists only its first kMaxAuditItems items, and when it returned
// more (items_total > listed) the report is marked `partial`. Edge items
// (none today for reads) are skipped: an edge needs no label of its own.
// So are a lineage entry's redacted stubs (items of version 0, named by an
// opaque id): nothing of a hidden node was given, so it needed no label.
//
// Labels needed. Each distinct (node id, version) examined is read as of
// that version and its boundary labels are counted once per distinct item,
// however many entries returned it. An as-of read was also cleared against
// the node's boundary at the read's policy version (the latest version when
// it ran, which its summary records: GraphReader's rule, a label put on
// later protects the node's history), so the labels the node had there, or
// last had when it was deleted by then, are needed too. A search entry
// written before searches recorded their policy version counts, on a latest
// read's first page, as read at its snapshot, and otherwise as read under
// the last version committed before it (a commit that raced the search can
// make that one version too late). An item that no longer reads at its
// version (the store was altered underneath) is counted in `items_missing`,
// never silently dropped; so is an item older than the history horizon
// (storage/history_retention.h) unless it is still the node's state at the
// horizon (and then so it was at any policy version below the horizon).
//
// Clearances. The principal's clearances as of the end of the window: the
// principal record at the last version committed before `until` (every
// commit has an audit entry, so that is the highest snapshot_version among
// entries before `until`), or at the latest version when `until` is unset.
// Not the clearances each entry was served under (its summary records
// them): the question is which of the clearances the principal holds were
// needed. A clearance is "used" when it matches (see
// BoundaryPolicy: exact, "ns:*" or "*") some label of some examined item;
// its `items` counts the distinct items with at least one such label. A
// label matched by several clearances (pii and *) uses each of them.
//
// Roles: auditor or admin, cleared for "*", checked before anything is read
// (PERMISSION_DENIED "AccessReport requires the auditor or admin role", or
// `AccessReport requires clearance "*": ...`, caller.h): the report names
// the labels of nodes whatever their boundaries.
// Errors: INVALID_ARGUMENT naming "principal" (invalid id) or "until" (not
// after since); NOT_FOUND `principal "x" not found` when the principal did
// not exist at the end of the window; FAILED_PRECONDITION `until: the window
// ends at version V, before the history horizon H (--history-retention)`
// when the principal's record then may be compacted away; DATA_LOSS from an undecodable entry.
// The report names boundary labels and counts, never node props.
//
// Cost: one scan of the log up to `until` (the log has no principal index)
// plus one node read per distinct item examined, and one more per distinct
// policy version above the snapshot it was read at.
//
// Thread safety: one per request; the objects it refers to must outlive it.
#ifndef CTXGRAPH_QUERY_ACCESS_REPORT_H_
#define CTXGRAPH_QUERY_ACCESS_REPORT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "query/caller.h"
#include "storage/audit_log.h"
#include "storage/graph_store.h"
#include "storage/principal_store.h"

namespace ctxgraph {

struct AccessReportRequest {
  std::string principal;
  std::optional<Timestamp> since;  // inclusive
  std::optional<Timestamp> until;  // exclusive
};

struct ClearanceUse {
  std::string clearance;
  bool used = false;
  uint64_t items = 0;  // distinct items with a label this clearance matches
  friend bool operator==(const ClearanceUse&, const ClearanceUse&) = default;
};

struct LabelNeed {
  std::string label;
  uint64_t items = 0;  // distinct items carrying it
  friend bool operator==(const LabelNeed&, const LabelNeed&) = default;
};

struct AccessReport {
  uint64_t policy_version = 0;                 // the version the clearances are read at
  std::vector<ClearanceUse> clearances;        // in the principal's (sorted) order
  std::vector<LabelNeed> needed_labels;        // sorted by label
  std::vector<std::string> unused_clearances;  // sorted: the over-privilege
  uint64_t entries_examined = 0;
  uint64_t items_examined = 0;  // distinct (node id, version) read
  uint64_t items_missing = 0;   // of those, no longer readable at their version
  bool partial = false;         // some entry listed fewer items than it returned
};

// The audit actions that return data to the caller.
inline constexpr const char* kDataReturningActions[] = {"search", "retrieve", "lineage.upstream",
                                                        "lineage.downstream", "lineage.path"};

// Whether `action` is one of kDataReturningActions.
bool ReturnsNodeData(std::string_view action);

class AccessReporter {
 public:
  AccessReporter(const GraphStore& store, const PrincipalStore& principals, const AuditLog& log,
                 const Caller& caller)
      : store_(store), principals_(principals), log_(log), caller_(caller) {}
  // The reporter keeps a reference: a temporary caller would dangle.
  AccessReporter(const GraphStore&, const PrincipalStore&, const AuditLog&,
                 const Caller&&) = delete;

  absl::StatusOr<AccessReport> Report(const AccessReportRequest& request) const;

 private:
  const GraphStore& store_;
  const PrincipalStore& principals_;
  const AuditLog& log_;
  const Caller& caller_;
};

}  // namespace ctxgraph

#endif  // CTXGRAPH_QUERY_ACCESS_REPORT_H_
