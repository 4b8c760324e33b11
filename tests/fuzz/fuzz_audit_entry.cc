// Fuzz target: audit entry decoding, the bytes AuditLog reads back and
// ReceiptAuditor replays. The first input byte picks what is decoded:
//   even: the stored entry (DecodeAuditEntry, DecodeAuditEntryHead);
//   odd:  a "retrieve" entry's summary (DecodeRetrievalSummary).
// An entry that decodes must encode back to the same entry, and its head must
// decode to the same leading fields. A summary that decodes must encode to a
// summary that decodes to the same recorded request.
#include <cstdint>
#include <string>
#include <string_view>

#include "query/retrieval_request.h"
#include "storage/record_codec.h"
#include "tests/fuzz/fuzz_check.h"

namespace ctxgraph {
namespace {

bool SameRecording(const RecordedRetrieval& a, const RecordedRetrieval& b) {
  return a.request == b.request && a.policy_version == b.policy_version &&
         a.clearances == b.clearances && a.max_nodes == b.max_nodes && a.max_edges == b.max_edges &&
         a.content == b.content && a.edges_in_budget == b.edges_in_budget;
}

void CheckEntry(std::string_view bytes) {
  auto entry = DecodeAuditEntry(bytes);
  auto head = DecodeAuditEntryHead(bytes);
  if (!entry.ok()) {
    FUZZ_CHECK(absl::IsDataLoss(entry.status()));
    return;
  }
  FUZZ_CHECK(head.ok());
  FUZZ_CHECK(head->seq == entry->seq && head->time == entry->time &&
             head->action == entry->action && head->snapshot_version == entry->snapshot_version);
  const std::string encoded = EncodeAuditEntry(*entry);
  auto again = DecodeAuditEntry(encoded);
  FUZZ_CHECK(again.ok() && *again == *entry);
  FUZZ_CHECK(EncodeAuditEntry(*again) == encoded);
}

void CheckRetrievalSummary(std::string_view summary) {
  auto recorded = DecodeRetrievalSummary(summary);
  if (!recorded.ok()) {
    FUZZ_CHECK(absl::IsDataLoss(recorded.status()));
    return;
  }
  const std::string encoded = EncodeRetrievalSummary(*recorded);
  auto again = DecodeRetrievalSummary(encoded);
  FUZZ_CHECK(again.ok() && SameRecording(*again, *recorded));
  FUZZ_CHECK(EncodeRetrievalSummary(*again) == encoded);
}

}  // namespace
}  // namespace ctxgraph

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] % 2 == 0) {
    ctxgraph::CheckEntry(bytes);
  } else {
    ctxgraph::CheckRetrievalSummary(bytes);
  }
  return 0;
}
