#include "query/audit_reader.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "query/validation.h"
#include "storage/keys.h"
#include "storage/status_macros.h"

namespace ctxgraph {
namespace {

constexpr size_t kMaxActionBytes = 64;

absl::Status CheckRole(const Caller& caller, std::string_view method) {
  return RequireRole(caller, {Role::kAuditor, Role::kAdmin}, method);
}

// Actions are dotted lower-case names such as "admin.create_principal".
absl::Status ValidateAction(std::string_view action) {
  if (action.size() > kMaxActionBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("action: must be at most ", kMaxActionBytes, " bytes, got ", action.size()));
  }
  for (char c : action) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.')) {
      return absl::InvalidArgumentError("action: has a character outside [a-z0-9_.]");
    }
  }
  return absl::OkStatus();
}

std::string TimeKey(const std::optional<Timestamp>& t) {
  return t ? absl::StrCat(t->micros) : std::string("-");
}

}  // namespace

absl::Status ValidateAuditFilter(const AuditFilter& f) {
  if (!f.principal.empty()) RETURN_IF_ERROR(ValidateId("principal", f.principal));
  RETURN_IF_ERROR(ValidateAction(f.action));
  if (!f.node_id.empty()) RETURN_IF_ERROR(ValidateId("node_id", f.node_id));
  if (f.since && f.until && f.until->micros <= f.since->micros) {
    return absl::InvalidArgumentError("until: must be after since");
  }
  return absl::OkStatus();
}

absl::StatusOr<AuditEntryPage> AuditReader::List(const AuditFilter& filter, int page_size,
                                                 std::string_view page_token,
                                                 size_t scan_budget) const {
  RETURN_IF_ERROR(CheckRole(caller_, "ListEntries"));
  RETURN_IF_ERROR(RequireFullClearance(caller_, "ListEntries"));
  if (page_size < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("page_size: must not be negative, got ", page_size));
  }
  RETURN_IF_ERROR(ValidateAuditFilter(filter));
  const size_t limit = page_size == 0 ? kDefaultAuditPageSize
                                      : static_cast<size_t>(std::min(page_size, kMaxAuditPageSize));
  const std::string fingerprint =
      RequestFingerprint({"ListEntries", caller_.principal.id, filter.principal, filter.action,
                          filter.node_id, TimeKey(filter.since), TimeKey(filter.until)});
  uint64_t after = 0;
  if (!page_token.empty()) {
    ASSIGN_OR_RETURN(PageToken token, tokens_.Decode(fingerprint, page_token));
    if (token.cursor.size() != 8) return absl::InvalidArgumentError("page_token: invalid");
    ASSIGN_OR_RETURN(after, keys::ReadU64(token.cursor, 0));
  }
  // A budget of 0 would read nothing and hand back the same token forever.
  ASSIGN_OR_RETURN(AuditPage page, log_.List(filter, after, limit, kMaxAuditPageBytes,
                                             std::max<size_t>(scan_budget, 1)));
  AuditEntryPage out;
  out.entries = std::move(page.entries);
  if (page.more) {
    // The token's version field is unused: the log has no versions.
    out.next_page_token = tokens_.Encode(fingerprint, {0, keys::EncodeU64(page.resume_after)});
  }
  return out;
}

absl::StatusOr<AuditVerifyResult> AuditReader::Verify() const {
  RETURN_IF_ERROR(CheckRole(caller_, "VerifyLog"));
  RETURN_IF_ERROR(
      RequireFullClearance(caller_, "VerifyLog", "audit seqs count the entries of every node"));
  return log_.Verify();
}

}  // namespace ctxgraph
