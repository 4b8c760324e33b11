#include "query/receipt_auditor.h"

#include "absl/container/flat_hash_map.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "storage/record_codec.h"
#include "storage/status_macros.h"

namespace ctxgraph {
namespace {

// The difference between two (id, version) lists.
void Compare(const std::vector<AuditItem>& recorded, const std::vector<AuditItem>& replayed,
             ReplayResult* out) {
  absl::flat_hash_map<std::string, uint64_t> before, after;
  for (const AuditItem& item : recorded) before[item.node_id] = item.version;
  for (const AuditItem& item : replayed) after[item.node_id] = item.version;
  for (const AuditItem& item : replayed) {
    if (!before.contains(item.node_id)) out->added.push_back(item.node_id);
  }
  for (const AuditItem& item : recorded) {
    auto it = after.find(item.node_id);
    if (it == after.end()) {
      out->removed.push_back(item.node_id);
    } else if (it->second != item.version) {
      out->changed.push_back(VersionChange{item.node_id, item.version, it->second});
    }
  }
  out->order_changed =
      out->added.empty() && out->removed.empty() && out->changed.empty() && recorded != replayed;
}

}  // namespace

absl::StatusOr<ReceiptRecord> ReceiptAuditor::Load(std::string_view method,
                                                   std::string_view receipt_id) const {
  RETURN_IF_ERROR(RequireRole(caller_, {Role::kAuditor, Role::kAdmin}, method));
  RETURN_IF_ERROR(RequireFullClearance(caller_, method));
  // An id is 32 digits; a seq in decimal has at most 20.
  std::optional<ReceiptRef> ref;
  if (receipt_id.size() == kReceiptIdDigits) {
    ASSIGN_OR_RETURN(ref, receipt_ids_.Decode(receipt_id));
  } else if (!receipt_id.empty() && receipt_id.front() != '0' &&
             receipt_id.find_first_not_of("0123456789") == std::string_view::npos) {
    // Digits only: SimpleAtoi alone also takes "+3" and " 3 ", and one
    // entry must have one decimal seq.
    ref.emplace();
    if (!absl::SimpleAtoi(absl::string_view(receipt_id.data(), receipt_id.size()), &ref->seq)) {
      ref.reset();
    }
  }
  if (!ref) {
    return absl::InvalidArgumentError(
        "receipt_id: must be the 32 lower-case hex digits Retrieve gave or an audit seq in "
        "decimal");
  }
  const uint64_t seq = ref->seq;
  absl::StatusOr<AuditPage> page = AuditPage{};
  if (seq != 0) page = audit_.List(AuditFilter{}, seq - 1, 1);  // an id no entry has may say 0
  RETURN_IF_ERROR(page.status());
  const auto not_found = [&] {
    return absl::NotFoundError(absl::StrCat("receipt \"", std::string(receipt_id), "\" not found"));
  };
  if (page->entries.empty() || page->entries[0].seq != seq ||
      (receipt_id.size() == kReceiptIdDigits && !ref->Names(page->entries[0].hash))) {
    return not_found();
  }
  ReceiptRecord record{std::move(page->entries[0]), {}};
  // Before its action is read: an entry edited into another action is
  // tampering, not an absent receipt.
  if (AuditEntryHash(record.entry) != record.entry.hash) {
    return absl::DataLossError(absl::StrCat("receipt \"", std::string(receipt_id),
                                            "\": the audit entry's hash does not verify"));
  }
  if (record.entry.action != kRetrieveAction) return not_found();
  ASSIGN_OR_RETURN(record.recorded, DecodeRetrievalSummary(record.entry.summary));
  return record;
}

absl::StatusOr<ReceiptRecord> ReceiptAuditor::GetReceipt(std::string_view receipt_id) const {
  return Load("GetReceipt", receipt_id);
}

absl::StatusOr<ReplayResult> ReceiptAuditor::Replay(std::string_view receipt_id) const {
  ASSIGN_OR_RETURN(ReceiptRecord record, Load("ReplayReceipt", receipt_id));
  const AuditEntry& entry = record.entry;
  // Compaction may have dropped what the receipt read: refuse rather than
  // report a mismatch the store did not cause.
  if (const uint64_t horizon = store_.database()->history_horizon().horizon();
      entry.snapshot_version < horizon) {
    return absl::FailedPreconditionError(absl::StrCat(
        "receipt \"", std::string(receipt_id), "\" read version ", entry.snapshot_version,
        ", before the history horizon ", horizon, " (--history-retention)"));
  }
  // The recorded principal with the recorded clearances: its current ones
  // do not matter.
  const Caller recorded_caller(PrincipalRecord{
      entry.principal, {Role::kAgent}, record.recorded.clearances, PrincipalStatus::kActive, 0});
  ReplayResult result;
  result.recorded_digest = entry.items_digest;
  std::vector<AuditItem> replayed;
  // Under the traversal bound the retrieval ran with, not today's.
  RetrieverOptions options = options_;
  // What is stored, not what a cache remembers of it: a replay exists to
  // notice records altered underneath.
  options.cache_use = ReadCacheUse::kBypass;
  options.max_nodes =
      record.recorded.max_nodes != 0 ? record.recorded.max_nodes : kDefaultRetrieveMaxNodes;
  options.max_edges =
      record.recorded.max_edges != 0 ? record.recorded.max_edges : kDefaultRetrieveMaxEdges;
  options.edge_props_in_budget = record.recorded.edges_in_budget;
  absl::StatusOr<RetrievalResult> rerun =
      Retriever(store_, tokens_, recorded_caller, options)
          .Run(record.recorded.request, entry.snapshot_version, record.recorded.policy_version);
  if (rerun.ok()) {
    replayed = RetrievalAuditItems(rerun->items);
    result.replay_digest = rerun->receipt.digest;
    result.altered = AlteredRecords(*rerun);
    result.content_changed = result.replay_digest == result.recorded_digest &&
                             record.recorded.content &&
                             *record.recorded.content != rerun->receipt.content;
  } else if (absl::IsNotFound(rerun.status()) || absl::IsInvalidArgument(rerun.status())) {
    result.replay_error = std::string(rerun.status().message());
    AuditItemDigest empty;
    result.replay_digest = empty.Digest();
  } else {
    return rerun.status();
  }
  result.match = result.replay_error.empty() && result.replay_digest == result.recorded_digest &&
                 !result.content_changed && result.altered.empty();
  if (!result.match) Compare(entry.items, replayed, &result);

  AuditEntry replay;
  replay.principal = caller_.principal.id;
  replay.action = kReplayAction;
  replay.snapshot_version = entry.snapshot_version;
  replay.summary =
      absl::StrCat("receipt=", entry.seq, " outcome=", result.match ? "match" : "mismatch");
  replay.items = std::move(replayed);
  ASSIGN_OR_RETURN(AuditEntry stored, audit_.Append(std::move(replay)));
  result.replay_seq = stored.seq;
  return result;
}

}  // namespace ctxgraph
