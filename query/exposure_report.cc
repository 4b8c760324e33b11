#include "query/exposure_report.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "query/access_report.h"
#include "query/audit_reader.h"
#include "query/graph_reader.h"
#include "query/lineage.h"
#include "query/validation.h"
#include "storage/keys.h"
#include "storage/status_macros.h"

namespace ctxgraph {
namespace {

// Entries per List() call: each may list up to kMaxAuditItems items, so a
// small page keeps memory bounded.
constexpr size_t kScanPageEntries = 64;

std::string TimeKey(const std::optional<Timestamp>& t) {
  return t ? absl::StrCat(t->micros) : std::string("-");
}

uint64_t UnlistedItems(const AuditEntry& entry) {
  return entry.items_total > entry.items.size() ? entry.items_total - entry.items.size() : 0;
}

// What the report may say of one closure node.
struct ClosureNode {
  uint64_t iid = 0;
  std::string returned_id;  // the opaque id for a stub
  int depth = 0;
  bool redacted = false;
};

// Whether the caller may be told that closure node `node` was returned at
// `version`.
using ShownAt = absl::FunctionRef<absl::StatusOr<bool>(const ClosureNode& node, uint64_t version)>;

// The receipt `entry` makes, or nullopt when it names no closure node the
// caller may be told of and, for a caller cleared for "*", listed every item
// it returned. Only "*" is told an entry's counts: they count every node it
// returned, the ones the caller may not see included, and an entry that
// listed none of the closure would say that a read of hidden nodes happened.
absl::StatusOr<std::optional<ExposureReceipt>> MatchEntry(
    const AuditEntry& entry, const absl::flat_hash_map<std::string, ClosureNode>& closure,
    bool sees_all, ShownAt shown) {
  ExposureReceipt receipt;
  for (const AuditItem& item : entry.items) {
    // An edge, or a redacted lineage stub (version 0: nothing returned).
    if (!item.edge_label.empty() || item.version == 0) continue;
    auto it = closure.find(item.node_id);
    if (it == closure.end()) continue;
    ASSIGN_OR_RETURN(const bool is_shown, shown(it->second, item.version));
    if (!is_shown) continue;
    // A redacted item's version would date the hidden node's last write:
    // 0, as a lineage stub's.
    receipt.items.push_back(ExposedItem{it->second.returned_id,
                                        it->second.redacted ? 0 : item.version, it->second.depth,
                                        it->second.redacted});
  }
  if (sees_all) {
    receipt.items_total = entry.items_total;
    receipt.items_unlisted = UnlistedItems(entry);
  }
  if (receipt.items.empty() && receipt.items_unlisted == 0) {
    return std::optional<ExposureReceipt>();
  }
  receipt.seq = entry.seq;
  receipt.time = entry.time;
  receipt.principal = entry.principal;
  receipt.action = entry.action;
  receipt.snapshot_version = entry.snapshot_version;
  return std::optional<ExposureReceipt>(std::move(receipt));
}

}  // namespace

absl::StatusOr<ExposureReport> ExposureReporter::Report(const ExposureReportRequest& request,
                                                        AuditLog& audit) const {
  RETURN_IF_ERROR(
      RequireRole(caller_, {Role::kAuditor, Role::kSteward, Role::kAdmin}, "ExposureReport"));
  RETURN_IF_ERROR(ValidateId("node_id", request.node_id));
  RETURN_IF_ERROR(ValidateAuditFilter({"", "", "", request.since, request.until}));
  if (request.page_size < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("page_size: must not be negative, got ", request.page_size));
  }
  const size_t page_size =
      request.page_size == 0
          ? kDefaultExposurePageSize
          : static_cast<size_t>(std::min(request.page_size, kMaxExposurePageSize));
  const Database& db = *store_.database();
  const std::string fingerprint = RequestFingerprint(
      {"ExposureReport", caller_.principal.id, request.node_id, TimeKey(request.since),
       TimeKey(request.until), absl::StrCat(request.as_of)});
  // Every page reads the closure as of the first page's version.
  uint64_t after = 0;
  uint64_t snapshot = 0;
  if (!request.page_token.empty()) {
    ASSIGN_OR_RETURN(PageToken token, tokens_.Decode(fingerprint, request.page_token));
    // The cursor is the last receipt's id, not its seq: a token is signed,
    // not sealed, and seqs are for callers cleared for "*" (receipt_id.h).
    ASSIGN_OR_RETURN(const std::optional<ReceiptRef> last, receipt_ids_.Decode(token.cursor));
    if (!last) return absl::InvalidArgumentError("page_token: invalid");
    after = last->seq;
    snapshot = token.version;
    RETURN_IF_ERROR(db.history_horizon().CheckReadable(snapshot, "page_token"));
  } else {
    ASSIGN_OR_RETURN(snapshot, ResolveVersion(db, request.as_of));
  }
  const uint64_t policy_version = std::max(snapshot, db.LatestVersion());
  const HiddenNodes hidden =
      caller_.HasRole(Role::kAuditor) ? HiddenNodes::kStub : HiddenNodes::kCut;

  LineageWalkSpec spec;
  spec.direction = LineageDirection::kDownstream;
  spec.labels = {kDefaultLineageEdgeLabel};
  spec.max_depth = kMaxLineageDepth;
  spec.hidden = hidden;
  spec.snapshot = snapshot;
  spec.policy_version = policy_version;
  LineageSubgraph graph(store_, caller_.policy, limits_.closure, std::move(spec));
  const std::string summary = absl::StrCat(
      "exposure.v1 node=\"", absl::CHexEscape(request.node_id), "\" since=", TimeKey(request.since),
      " until=", TimeKey(request.until), " as_of=", request.as_of,
      " policy_version=", policy_version, " hidden=", hidden == HiddenNodes::kStub ? "stub" : "cut",
      " page_size=", page_size, " after_seq=", after);
  AuditEntry entry;
  entry.principal = caller_.principal.id;
  entry.action = kExposureReportAction;
  entry.snapshot_version = snapshot;

  ASSIGN_OR_RETURN(const bool found, graph.Start(request.node_id));
  if (!found) {
    // Recorded like any answer; hidden and absent ids log the same entry.
    entry.summary = absl::StrCat(summary, " outcome=not_found");
    RETURN_IF_ERROR(audit.Append(std::move(entry)).status());
    return absl::NotFoundError(absl::StrCat("node_id: node \"", request.node_id, "\" not found"));
  }
  RETURN_IF_ERROR(graph.Walk());

  ExposureReport report;
  report.snapshot_version = snapshot;
  report.closure_truncated = graph.truncated() || graph.depth_limited();
  report.closure_nodes = graph.nodes().size();
  absl::flat_hash_map<std::string, ClosureNode> closure;
  for (const SubgraphNode& n : graph.nodes()) {
    ClosureNode c{n.iid, n.stub ? opaque_ids_.OpaqueId(n.node->id) : n.node->id, n.depth, n.stub};
    entry.items.push_back(
        AuditItem{c.returned_id, "", "", n.stub ? 0 : n.node->provenance.version});
    closure.emplace(n.node->id, std::move(c));
  }

  // A node visible now may have been hidden from the caller when a receipt
  // returned it (a label since taken off): that read is its history, which
  // the caller may not see (GetNode's as-of rule). `version` is the returned
  // record's. Below the horizon that record is known only while it is the
  // one kept at the horizon (not rewritten since): read there, as
  // AccessReport does; else the boundary it had cannot be told. A stub is
  // hidden now and named as one.
  GraphReadSession reads(store_);
  absl::flat_hash_map<std::pair<uint64_t, uint64_t>, bool> shown_at;
  const uint64_t horizon = db.history_horizon().horizon();
  auto shown = [&](const ClosureNode& node, uint64_t version) -> absl::StatusOr<bool> {
    if (node.redacted || caller_.policy.SeesAll()) return true;
    auto [it, inserted] = shown_at.try_emplace({node.iid, version}, false);
    if (inserted) {
      ASSIGN_OR_RETURN(PolicedNode read,
                       ReadNodeUnderPolicy(reads, caller_.policy, node.iid,
                                           std::max(version, horizon), policy_version));
      it->second = read.visible && read.node->provenance.version == version;
    }
    return it->second;
  };

  // The receipts after `after`, up to the page's bounds; one more found
  // means another page follows.
  const AuditFilter window{"", "", "", request.since, request.until};
  size_t items_listed = 0;
  bool more = false;
  bool unlisted = false;  // since the last receipt of the page
  for (bool scanning = true; scanning && !more;) {
    absl::StatusOr<AuditPage> listed = audit.List(window, after, kScanPageEntries);
    if (!listed.ok()) {
      // A damaged entry's error names its seq: only "*" is told which.
      if (!caller_.policy.SeesAll() && absl::IsDataLoss(listed.status())) {
        return absl::DataLossError("audit log: an entry does not decode (VerifyLog names it)");
      }
      return listed.status();
    }
    AuditPage& page = *listed;
    scanning = page.more;
    for (const AuditEntry& e : page.entries) {
      if (!ReturnsNodeData(e.action)) continue;
      ASSIGN_OR_RETURN(std::optional<ExposureReceipt> receipt,
                       MatchEntry(e, closure, caller_.policy.SeesAll(), shown));
      // Any closure node may be among what an entry did not list: the page
      // says so, to every caller, whether the entry is reported or not.
      unlisted = unlisted || UnlistedItems(e) > 0;
      if (!receipt) continue;
      ASSIGN_OR_RETURN(receipt->receipt_id, receipt_ids_.Encode(e.seq, e.hash));
      if (report.receipts.size() >= page_size || items_listed >= limits_.max_items_per_page) {
        more = true;
        break;
      }
      items_listed += receipt->items.size();
      report.partial = report.partial || unlisted;
      unlisted = false;
      report.receipts.push_back(*std::move(receipt));
    }
    if (!page.entries.empty()) after = page.entries.back().seq;
  }
  // Entries after the page's last receipt are the next page's, if any.
  if (!more) report.partial = report.partial || unlisted;
  if (more) {
    report.next_page_token =
        tokens_.Encode(fingerprint, {snapshot, report.receipts.back().receipt_id});
  }
  entry.summary = absl::StrCat(summary, " outcome=ok closure=", report.closure_nodes,
                               " closure_truncated=", report.closure_truncated,
                               " receipts=", report.receipts.size(), " partial=", report.partial,
                               " more=", more);
  ASSIGN_OR_RETURN(AuditEntry stored, audit.Append(std::move(entry)));
  report.audit_seq = AuditSeqFor(caller_, stored.seq);
  for (ExposureReceipt& r : report.receipts) r.seq = AuditSeqFor(caller_, r.seq);
  return report;
}

}  // namespace ctxgraph
