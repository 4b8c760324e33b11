// ReceiptAuditor: AuditService.GetReceipt and ReplayReceipt without gRPC.
//
// A receipt is a "retrieve" audit entry (see retriever.h); its id is the
// entry's seq. GetReceipt returns the entry and the request it recorded.
// Replay re-runs that request as of the recorded snapshot version, with the
// recorded clearances (not the principal's current ones) and the recorded
// policy version, and compares the (node id, version) list it returns with
// the recorded one: MATCH when the digests are equal, else MISMATCH with
// the ids added, removed, whose version changed, or that only moved. The
// receipt also records a digest of what the items and the edges among them
// held (RetrievalContentDigest): the same list holding other content is a
// MISMATCH with `content_changed`, and a replayed record whose content no
// longer matches its own stored content hash one naming it in `altered`.
// A replay whose request now fails (a seed no longer exists at the recorded
// snapshot, because the store was altered underneath) is a MISMATCH with
// every recorded item removed and the error in `replay_error`.
//
// Query seeds are searched again, with visibility judged at the recorded
// policy version: a hit labelled after the retrieval still seeds the
// replay as it seeded the retrieval.
//
// Replay appends a "replay" entry (principal: the auditor; snapshot_version:
// the recorded one; summary "receipt=<id> outcome=match|mismatch"; items:
// the replayed list), never a "retrieve" entry, so it cannot pass for an
// agent's retrieval and the audit trail shows who replayed what.
//
// Roles: auditor or admin, cleared for "*" (PERMISSION_DENIED otherwise,
// before anything is read: a receipt names its nodes whole, caller.h's
// RequireFullClearance). Replay of a receipt whose snapshot is before the
// history horizon (storage/history_retention.h) is FAILED_PRECONDITION `receipt "ID" read
// version V, before the history horizon H (--history-retention)`, ID as
// given: what it read may be compacted away.
//
// A receipt is named by the id Retrieve gave (receipt_id.h: 32 lower-case
// hex digits), or by its entry's seq in decimal, as ListEntries shows it to
// a caller cleared for "*". Errors: INVALID_ARGUMENT "receipt_id: must be
// the 32 lower-case hex digits Retrieve gave or an audit seq in decimal";
// NOT_FOUND `receipt "ID" not found` (ID as given) when no entry is the one
// named (for an id, the entry at its seq must have its hash) or the entry
// is not a "retrieve" entry; DATA_LOSS when the entry's own hash does not
// verify (checked before its action) or its summary does not decode.
//
// Thread safety: one per request; the objects it refers to must outlive it.
#ifndef CTXGRAPH_QUERY_RECEIPT_AUDITOR_H_
#define CTXGRAPH_QUERY_RECEIPT_AUDITOR_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "query/caller.h"
#include "query/page_token.h"
#include "query/retrieval_request.h"
#include "query/retriever.h"
#include "storage/audit_log.h"
#include "storage/graph_store.h"

namespace ctxgraph {

inline constexpr char kReplayAction[] = "replay";

struct ReceiptRecord {
  AuditEntry entry;
  RecordedRetrieval recorded;
};

struct VersionChange {
  std::string node_id;
  uint64_t recorded_version = 0;
  uint64_t replay_version = 0;
};

struct ReplayResult {
  bool match = false;
  ContentHash recorded_digest{};
  ContentHash replay_digest{};
  std::vector<std::string> added;    // in replay order
  std::vector<std::string> removed;  // in recorded order
  std::vector<VersionChange> changed;
  bool order_changed = false;  // same (id, version) set, another order
  // The same (id, version) list, but the content of an item or of an edge
  // among them differs from what was returned (RetrievalContentDigest; a
  // receipt written before the digest existed never sets it).
  bool content_changed = false;
  // Replayed records whose content no longer matches the content hash
  // stored with them (AlteredRecords): rewritten underneath the store.
  std::vector<std::string> altered;
  std::string replay_error;  // non-empty when the re-run request failed
  uint64_t replay_seq = 0;   // the "replay" entry appended
};

class ReceiptAuditor {
 public:
  ReceiptAuditor(const GraphStore& store, const PageTokenCodec& tokens,
                 const ReceiptIdCodec& receipt_ids, AuditLog& audit, const Caller& caller,
                 RetrieverOptions options = {})
      : store_(store),
        tokens_(tokens),
        receipt_ids_(receipt_ids),
        audit_(audit),
        caller_(caller),
        options_(options) {}
  ReceiptAuditor(const GraphStore&, const PageTokenCodec&, const ReceiptIdCodec&, AuditLog&,
                 const Caller&&, RetrieverOptions = {}) = delete;

  absl::StatusOr<ReceiptRecord> GetReceipt(std::string_view receipt_id) const;
  absl::StatusOr<ReplayResult> Replay(std::string_view receipt_id) const;

 private:
  absl::StatusOr<ReceiptRecord> Load(std::string_view method, std::string_view receipt_id) const;

  const GraphStore& store_;
  const PageTokenCodec& tokens_;
  const ReceiptIdCodec& receipt_ids_;
  AuditLog& audit_;
  const Caller& caller_;
  RetrieverOptions options_;
};

}  // namespace ctxgraph

#endif  // CTXGRAPH_QUERY_RECEIPT_AUDITOR_H_
