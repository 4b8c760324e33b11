// BoundaryHistory: every version at which one node's own boundary changed
// (BoundaryService.LabelHistory), derived from the node's versioned records
// and the commit log; nothing else is stored for it.
//
// An event is a record whose boundary differs from the node's state before
// it: created (no live record before, including a node written again after
// a deletion), changed, or deleted (a tombstone after a live record).
// Records that rewrote a node without touching its boundary are skipped.
// Each event carries its commit's time, principal and description (for an
// AssignLabels commit, the reason).
//
// With a history horizon H (storage/history_retention.h) only the changes
// after H are reported, the first one's "before" being the state at H:
// earlier records may have been compacted away.
//
// Access: the auditor, steward or admin role (PERMISSION_DENIED before the
// request is looked at), and the node must be visible to the caller now: a
// hidden, deleted or absent id is NOT_FOUND "node \"x\" not found", the
// same bytes and the same storage work for each. A change is listed only
// when the caller is cleared for its boundaries before and after (own and
// inherited): a boundary it may not see, and who set it and why, is hidden
// history. Only a caller cleared for "*" sees every change. An event's
// reason (its commit's description) is given only to a caller cleared for
// "*" or who made the commit, as GetCommit gives it (caller.h
// MayReadCommit): the commit may have changed nodes the caller may not
// see, an ancestor from which the event's inherited labels came.
//
// Paging: oldest first. A page token pins the latest version of the first
// page (so later pages see no newer events) and resumes after the last
// record the page read; it is bound to the caller and the node id. A page
// reads at most max_records of the node's records (rewrites that left the
// boundary alone, and changes the caller may not see, are read too): past
// that it ends, with fewer events than asked or none, and a token. Versions
// are no secret (every read answers one).
//
// Thread safety: stateless beyond its references; one per request is cheap.
#ifndef CTXGRAPH_QUERY_BOUNDARY_HISTORY_H_
#define CTXGRAPH_QUERY_BOUNDARY_HISTORY_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "query/caller.h"
#include "query/page_token.h"
#include "storage/graph_store.h"

namespace ctxgraph {

enum class BoundaryEventKind { kCreated, kChanged, kDeleted };

struct BoundaryEvent {
  uint64_t version = 0;
  Timestamp time;
  std::string principal;
  BoundaryEventKind kind = BoundaryEventKind::kChanged;
  std::vector<std::string> before;  // own labels; empty when created
  std::vector<std::string> after;   // own labels; empty when deleted
  // Inherited labels (propagated along DERIVED_FROM) before and after; a
  // change of these alone is an event too.
  std::vector<std::string> inherited_before;
  std::vector<std::string> inherited_after;
  std::string reason;  // the commit description
};

struct BoundaryEventPage {
  std::vector<BoundaryEvent> events;
  std::string next_page_token;  // empty on the last page
  uint64_t version = 0;         // the snapshot read
};

// The node records one page reads at most.
inline constexpr size_t kMaxHistoryRecordsPerPage = 10000;

class BoundaryHistory {
 public:
  BoundaryHistory(const GraphStore& store, const PageTokenCodec& tokens, const Caller& caller,
                  size_t max_records = kMaxHistoryRecordsPerPage)
      : store_(store), tokens_(tokens), caller_(caller), max_records_(max_records) {}
  // The reader keeps a reference: a temporary caller would dangle.
  BoundaryHistory(const GraphStore&, const PageTokenCodec&, const Caller&&,
                  size_t = kMaxHistoryRecordsPerPage) = delete;

  // page_size 0 means 100; more than 1000 is capped.
  absl::StatusOr<BoundaryEventPage> Read(std::string_view node_id, int page_size,
                                         std::string_view page_token) const;

 private:
  const GraphStore& store_;
  const PageTokenCodec& tokens_;
  const Caller& caller_;
  const size_t max_records_;
};

}  // namespace ctxgraph

#endif  // CTXGRAPH_QUERY_BOUNDARY_HISTORY_H_
