// ExposureReporter: AuditService.ExposureReport without gRPC. When a node
// turns out to be sensitive after the fact, every past receipt that returned
// it or anything derived from it: which principal, when, at which snapshot
// and which of those nodes at which version. A steward then knows who saw
// what before the label was put on.
//
// Steps:
//  1. Role: auditor, steward or admin, checked before anything is read
//     (PERMISSION_DENIED "ExposureReport requires the auditor or steward or
//     admin role").
//  2. Validation (INVALID_ARGUMENT naming the field): node_id like any node
//     id, "until" after "since", as_of_version not ahead of the latest
//     version, page_size not negative, page_token one this caller got for
//     this very request (its page size aside, which may change per page).
//  3. Closure: the start and every node derived from it, transitively: the
//     nodes with a DERIVED_FROM path to it (lineage's Downstream,
//     LineageSubgraph in kDownstream), read as of as_of_version (0 =
//     latest) under the caller's boundaries, exactly as LineageWalker would
//     walk it: a start the caller may not see is NOT_FOUND
//     `node_id: node "x" not found`, byte for byte the answer for an absent
//     id, for every role. Beyond the start, a hidden node is cut (steward,
//     admin) or, for an auditor, kept as a redacted stub named by its opaque
//     id (opaque_id.h) whose receipts are still reported under that opaque
//     id: the receipts are what the report is for, the real id is not. The
//     walk has lineage's work bound and kMaxLineageDepth; when it cut the
//     closure (work bound, or lineage going on past that depth)
//     `closure_truncated` is set and receipts of the nodes left out are
//     missing.
//     What the closure is not: the derivations of another version. A node
//     that was derived from the start but whose DERIVED_FROM edge, or the
//     node itself, is deleted at the version read is not in the closure,
//     and receipts that returned only it are not listed; ask again with an
//     older as_of_version to cover those. The start itself matches at every
//     version it was returned at.
//  4. Receipts: the audit entries of the actions that return node data
//     (kDataReturningActions: "search", "retrieve", "lineage.upstream",
//     "lineage.downstream", "lineage.path") whose time is in [since, until),
//     by any principal, in seq order, that list at least one closure node
//     (a node item of version > 0: a lineage stub of version 0 returned
//     nothing). GraphService reads (GetNode, ListNodes, ListNeighbors) write
//     no audit entry, so they cannot be reported; neither are "replay"
//     entries (they return ids and digests, not nodes). For each receipt,
//     the closure nodes it listed, in the entry's order, with the version
//     returned (0 for a redacted one: its version would date the hidden
//     node's last write) and their depth in the closure (0 = the start).
//     A closure node the caller sees now may have been hidden from it at the
//     version a receipt returned (a label taken off since): that item is the
//     node's history, listed only when the caller may read the node as of
//     that version (ReadNodeUnderPolicy, GetNode's as-of rule). Below the
//     history horizon the record read then is known only while it is the one
//     kept at the horizon (not rewritten since); otherwise only "*" is told.
//     An entry lists only its first kMaxAuditItems items: one that returned
//     more may have returned a closure node among the rest, and the page it
//     falls in is `partial`. To a caller cleared for "*" it is a receipt
//     even when no listed item matches (items_unlisted > 0), a possible
//     exposure never silently dropped. Below "*" an entry's counts
//     (items_total, items_unlisted) are 0, as its seq is, and one with no
//     listed match is not a receipt: its counts, or its being reported at
//     all, would count or show reads of nodes the caller may not see.
//  5. Pages: at most page_size receipts (0 = kDefaultExposurePageSize, at
//     most kMaxExposurePageSize) and, so that a page stays far below gRPC's
//     4 MB, a page ends after the receipt that brings its listed items to
//     limits.max_items_per_page (one receipt lists at most kMaxAuditItems).
//     A next page token is returned only when another receipt follows; it
//     is bound to the caller and request (page_token.h) and holds the last
//     receipt's id, not its seq (a token is signed, not sealed, and seqs go
//     to "*" only). Each page walks the closure afresh, as of its request.
//  6. Audit: every call past validation appends one "audit.exposure" entry
//     (AuditLog::Append) before it answers, NOT_FOUND included (hidden and
//     absent starts log the same entry): the summary of the request and the
//     outcome, and as items the closure nodes — (id, version), or (opaque
//     id, 0) for a stub; no hidden real id reaches the log. That action
//     does not return node data, so one report never lists another.
//
// The report names ids, versions, principals and times, never props.
// Cost: one lineage walk plus a scan of the log from the page's start (the
// log has no node index) to the receipt after the last one returned.
//
// Thread safety: one per request; the objects it refers to must outlive it.
#ifndef CTXGRAPH_QUERY_EXPOSURE_REPORT_H_
#define CTXGRAPH_QUERY_EXPOSURE_REPORT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "query/caller.h"
#include "query/lineage_subgraph.h"
#include "query/opaque_id.h"
#include "query/page_token.h"
#include "query/receipt_id.h"
#include "storage/audit_log.h"
#include "storage/graph_store.h"

namespace ctxgraph {

inline constexpr char kExposureReportAction[] = "audit.exposure";
inline constexpr int kDefaultExposurePageSize = 100;
inline constexpr int kMaxExposurePageSize = 1000;
// With 256-byte ids, 5,000 items plus one last receipt of kMaxAuditItems
// keep a page under ~2 MB.
inline constexpr size_t kDefaultExposureItemsPerPage = 5000;

struct ExposureLimits {
  LineageLimits closure;  // the walk's work bound
  size_t max_items_per_page = kDefaultExposureItemsPerPage;
};

struct ExposureReportRequest {
  std::string node_id;
  std::optional<Timestamp> since;  // inclusive
  std::optional<Timestamp> until;  // exclusive
  uint64_t as_of = 0;              // the closure's version; 0: latest
  int page_size = 0;               // 0: kDefaultExposurePageSize
  std::string page_token;
};

// A closure node a receipt returned.
struct ExposedItem {
  std::string node_id;  // the opaque id when redacted
  uint64_t version = 0;
  int depth = 0;  // DERIVED_FROM edges from the start; 0 is the start
  bool redacted = false;
  friend bool operator==(const ExposedItem&, const ExposedItem&) = default;
};

struct ExposureReceipt {
  std::string receipt_id;  // the entry's (receipt_id.h), whatever its action
  uint64_t seq = 0;        // 0 unless the caller is cleared for "*"
  Timestamp time;
  std::string principal;
  std::string action;
  uint64_t snapshot_version = 0;
  std::vector<ExposedItem> items;  // listed closure nodes, in the entry's order
  uint64_t items_total = 0;        // every item the entry returned; 0 below "*"
  uint64_t items_unlisted = 0;     // items_total minus the listed ones; 0 below "*"
  friend bool operator==(const ExposureReceipt&, const ExposureReceipt&) = default;
};

struct ExposureReport {
  std::vector<ExposureReceipt> receipts;  // in seq order
  std::string next_page_token;            // empty on the last page
  uint64_t closure_nodes = 0;             // the start, derived nodes and stubs
  bool closure_truncated = false;
  bool partial = false;           // an entry of this page's range listed only part of its items
  uint64_t snapshot_version = 0;  // the version the closure was read at
  uint64_t audit_seq = 0;         // this report's own entry; 0 as for seq
};

class ExposureReporter {
 public:
  ExposureReporter(const GraphStore& store, const PageTokenCodec& tokens,
                   const OpaqueIdHasher& opaque_ids, const ReceiptIdCodec& receipt_ids,
                   const Caller& caller, ExposureLimits limits = {})
      : store_(store),
        tokens_(tokens),
        opaque_ids_(opaque_ids),
        receipt_ids_(receipt_ids),
        caller_(caller),
        limits_(limits) {}
  // The reporter keeps a reference: a temporary caller would dangle.
  ExposureReporter(const GraphStore&, const PageTokenCodec&, const OpaqueIdHasher&,
                   const ReceiptIdCodec&, const Caller&&, ExposureLimits = {}) = delete;

  absl::StatusOr<ExposureReport> Report(const ExposureReportRequest& request,
                                        AuditLog& audit) const;

 private:
  const GraphStore& store_;
  const PageTokenCodec& tokens_;
  const OpaqueIdHasher& opaque_ids_;
  const ReceiptIdCodec& receipt_ids_;
  const Caller& caller_;
  ExposureLimits limits_;
};

}  // namespace ctxgraph

#endif  // CTXGRAPH_QUERY_EXPOSURE_REPORT_H_
