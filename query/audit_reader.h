// AuditReader: the audit log as AuditService serves it: role check, request
// validation and signed page tokens over AuditLog::List and AuditLog::Verify.
//
// Roles: auditor or admin; anyone else gets PERMISSION_DENIED before the
// request is looked at. Entries are returned whole: principal ids,
// summaries, and the ids and versions of the nodes and edges each entry
// names, whatever their boundaries (never props: the log holds none). So
// ListEntries also needs clearance "*" (caller.h's RequireFullClearance):
// an auditor cleared for less would read there the ids and labels that
// lineage shows it only as stubs. VerifyLog answers no entry's content but
// needs "*" too: its seqs count every principal's entries, hidden nodes'
// label and propagation entries included, so the heads before and after a
// write would count nodes the caller may not see (receipt_id.h).
//
// Paging: entries come in seq order. A page token names the last seq a
// page is done with and is bound (HMAC, see page_token.h) to the caller and
// the filters; reused with other filters or by another caller it is
// INVALID_ARGUMENT "page_token: invalid". The log has no index by filter,
// so one call reads at most kMaxAuditScanEntries entries: a page whose
// filter matched too few of them comes back short, even empty, with a next
// token. Otherwise a next token is returned only when another matching
// entry follows. The log is append-only, so later pages see entries
// appended since the first page.
//
// Thread safety: stateless beyond its references; one per request is cheap.
#ifndef CTXGRAPH_QUERY_AUDIT_READER_H_
#define CTXGRAPH_QUERY_AUDIT_READER_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "query/caller.h"
#include "query/page_token.h"
#include "storage/audit_log.h"

namespace ctxgraph {

inline constexpr int kDefaultAuditPageSize = 50;
inline constexpr int kMaxAuditPageSize = 1000;
// A page also ends after the entry that brings its stored bytes to this, so
// it stays well under gRPC's default 4 MB a client receives (one entry is
// at most about half a megabyte).
inline constexpr size_t kMaxAuditPageBytes = 2 << 20;
// The entries one ListEntries call reads at most, matching or not, so a
// filter that matches little of a long log answers page by page instead of
// holding one of gRPC's threads (and the caller's deadline) for the whole
// scan.
inline constexpr size_t kMaxAuditScanEntries = 100'000;

// INVALID_ARGUMENT naming the malformed filter field ("principal",
// "action", "node_id", or "until" when it is not after since); empty fields
// are valid.
absl::Status ValidateAuditFilter(const AuditFilter& filter);

struct AuditEntryPage {
  std::vector<AuditEntry> entries;
  std::string next_page_token;  // empty on the last page
};

class AuditReader {
 public:
  AuditReader(const AuditLog& log, const PageTokenCodec& tokens, const Caller& caller)
      : log_(log), tokens_(tokens), caller_(caller) {}
  // The reader keeps a reference: a temporary caller would dangle.
  AuditReader(const AuditLog&, const PageTokenCodec&, const Caller&&) = delete;

  // Entries matching `filter`. page_size 0 means kDefaultAuditPageSize;
  // larger than kMaxAuditPageSize is capped; a page may end early, at
  // kMaxAuditPageBytes or after `scan_budget` entries read, with a next page
  // token. INVALID_ARGUMENT for a negative page size, a malformed filter
  // field (named: "principal", "action", "node_id", "until") or a bad page
  // token.
  absl::StatusOr<AuditEntryPage> List(const AuditFilter& filter, int page_size,
                                      std::string_view page_token,
                                      size_t scan_budget = kMaxAuditScanEntries) const;

  // Walks the whole chain (AuditLog::Verify).
  absl::StatusOr<AuditVerifyResult> Verify() const;

 private:
  const AuditLog& log_;
  const PageTokenCodec& tokens_;
  const Caller& caller_;
};

}  // namespace ctxgraph

#endif  // CTXGRAPH_QUERY_AUDIT_READER_H_
