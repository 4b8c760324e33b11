#include "query/boundary_history.h"

#include <algorithm>
#include <optional>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "query/graph_reader.h"
#include "query/validation.h"
#include "storage/keys.h"
#include "storage/status_macros.h"

namespace ctxgraph {
namespace {

std::vector<std::string> InheritedLabels(const NodeRecord& node) {
  std::vector<std::string> out;
  for (const InheritedLabel& l : node.inherited) out.push_back(l.label);
  return out;
}

}  // namespace

absl::StatusOr<BoundaryEventPage> BoundaryHistory::Read(std::string_view node_id, int page_size,
                                                        std::string_view page_token) const {
  RETURN_IF_ERROR(
      RequireRole(caller_, {Role::kAuditor, Role::kSteward, Role::kAdmin}, "LabelHistory"));
  RETURN_IF_ERROR(ValidateId("node_id", node_id));
  ASSIGN_OR_RETURN(const int limit, ResolvePageSize(page_size));
  const Database& db = *store_.database();
  const std::string fingerprint =
      RequestFingerprint({"LabelHistory", caller_.principal.id, node_id});
  BoundaryEventPage page;
  uint64_t after = 0;  // events strictly after this version
  if (!page_token.empty()) {
    ASSIGN_OR_RETURN(PageToken token, tokens_.Decode(fingerprint, page_token));
    if (token.cursor.size() != 8) return absl::InvalidArgumentError("page_token: invalid");
    ASSIGN_OR_RETURN(after, keys::ReadU64(token.cursor, 0));
    ASSIGN_OR_RETURN(page.version, ResolveVersion(db, token.version, "page_token"));
  } else {
    page.version = db.LatestVersion();
  }

  // Visible now, whatever the page's snapshot. An unknown id still reads a
  // record (iid 0 is never used), so absent and hidden ids cost the same.
  ASSIGN_OR_RETURN(std::optional<uint64_t> iid, store_.LookupIid(node_id));
  ASSIGN_OR_RETURN(std::optional<NodeRecord> now,
                   store_.GetNodeByIid(iid.value_or(0), db.LatestVersion()));
  if (!now || !caller_.policy.CanSee(*now)) {
    return absl::NotFoundError(absl::StrCat("node \"", std::string(node_id), "\" not found"));
  }

  // History before the horizon may be compacted away (history_horizon.h):
  // report the changes after it, starting from the state at it, so the
  // answer does not depend on how far compaction got.
  after = std::max(after, db.history_horizon().horizon());
  // The node's state just before the first version this page may report.
  std::optional<NodeRecord> state;
  if (after > 0) {
    ASSIGN_OR_RETURN(state, store_.GetNodeByIid(*iid, after));
  }
  // Every role sees only the changes whose before and after boundaries it
  // is cleared for: a past boundary it may not see, and who set it and why,
  // is hidden history. A caller cleared for "*" sees every change.
  bool more = false;
  size_t records = 0;
  uint64_t read_upto = after;  // the last record read whole: the next page's cursor
  RETURN_IF_ERROR(store_.ScanNodeVersions(*iid, after, page.version, [&](const NodeRecord& rec) {
    if (records++ == max_records_) {
      more = true;
      return false;
    }
    // Every path below that goes on has read `rec` whole.
    absl::Cleanup read_whole = [&] { read_upto = rec.provenance.version; };
    BoundaryEvent event;
    if (rec.deleted) {
      if (!state) return true;  // a delete of nothing is never written, but be safe
      event.kind = BoundaryEventKind::kDeleted;
      event.before = state->boundary;
      event.inherited_before = InheritedLabels(*state);
      state.reset();
    } else {
      std::vector<std::string> inherited = InheritedLabels(rec);
      if (state && state->boundary == rec.boundary && InheritedLabels(*state) == inherited) {
        state = rec;
        return true;
      }
      event.kind = state ? BoundaryEventKind::kChanged : BoundaryEventKind::kCreated;
      if (state) {
        event.before = state->boundary;
        event.inherited_before = InheritedLabels(*state);
      }
      event.after = rec.boundary;
      event.inherited_after = std::move(inherited);
      state = rec;
    }
    if (!caller_.policy.CanSee(event.before) || !caller_.policy.CanSee(event.inherited_before) ||
        !caller_.policy.CanSee(event.after) || !caller_.policy.CanSee(event.inherited_after)) {
      return true;
    }
    if (static_cast<int>(page.events.size()) == limit) {
      more = true;
      std::move(read_whole).Cancel();
      return false;
    }
    event.version = rec.provenance.version;
    page.events.push_back(std::move(event));
    return true;
  }));
  for (BoundaryEvent& event : page.events) {
    ASSIGN_OR_RETURN(CommitRecord commit, db.GetCommit(event.version));
    event.time = commit.time;
    event.principal = commit.principal;  // the node's provenance says it too
    // The reason is free text about the whole commit, which may have
    // changed nodes the caller may not see (an inherited label's change
    // comes from an ancestor's commit): given as GetCommit would give it.
    if (MayReadCommit(caller_, commit).ok()) event.reason = commit.description;
  }
  if (more) {
    page.next_page_token = tokens_.Encode(fingerprint, {page.version, keys::EncodeU64(read_upto)});
  }
  return page;
}

}  // namespace ctxgraph
