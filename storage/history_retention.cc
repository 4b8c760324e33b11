#include "storage/history_retention.h"

#include <algorithm>
#include <limits>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "storage/database.h"
#include "storage/keys.h"
#include "storage/record_codec.h"
#include "storage/status_macros.h"

namespace ctxgraph {
namespace {

absl::Status BadSetting(std::string_view text, std::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("--history-retention: \"", std::string(text), "\" ", std::string(why)));
}

}  // namespace

absl::StatusOr<RetentionSetting> ParseRetentionSetting(std::string_view text) {
  RetentionSetting setting;
  if (text.empty() || text == "all") return setting;
  constexpr char kForm[] =
      "is not a duration (e.g. 30d, 12h, 90m, 3600s) or a version count (e.g. 10000v)";
  const char unit = text.back();
  uint64_t n = 0;
  // SimpleAtoi accepts a sign and spaces; the setting is digits only.
  const std::string_view digits = text.substr(0, text.size() - 1);
  const auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  if (digits.empty() || !std::all_of(digits.begin(), digits.end(), is_digit) ||
      !absl::SimpleAtoi(absl::string_view(digits.data(), digits.size()), &n)) {
    return BadSetting(text, kForm);
  }
  if (n == 0) return BadSetting(text, "must be positive (omit the flag to keep everything)");
  int64_t unit_micros = 0;
  switch (unit) {
    case 'v':
      setting.kind = RetentionSetting::Kind::kVersions;
      setting.versions = n;
      return setting;
    case 'd':
      unit_micros = int64_t{86400} * 1000000;
      break;
    case 'h':
      unit_micros = int64_t{3600} * 1000000;
      break;
    case 'm':
      unit_micros = int64_t{60} * 1000000;
      break;
    case 's':
      unit_micros = 1000000;
      break;
    default:
      return BadSetting(text, kForm);
  }
  if (n > static_cast<uint64_t>(std::numeric_limits<int64_t>::max() / unit_micros)) {
    return BadSetting(text, "is too long");
  }
  setting.kind = RetentionSetting::Kind::kDuration;
  setting.duration_micros = static_cast<int64_t>(n) * unit_micros;
  return setting;
}

absl::StatusOr<uint64_t> HistoryRetention::WindowStart(Timestamp now, uint64_t latest) const {
  if (setting_.kind == RetentionSetting::Kind::kVersions) {
    return latest >= setting_.versions ? latest - setting_.versions + 1 : 0;
  }
  // The newest commit at or before the cutoff: commit times follow
  // versions, so a binary search over the commit log finds it.
  const int64_t cutoff = now.micros - setting_.duration_micros;
  uint64_t lo = 0, hi = latest;
  while (lo < hi) {
    const uint64_t mid = lo + (hi - lo + 1) / 2;
    ASSIGN_OR_RETURN(CommitRecord commit, db_->GetCommit(mid));
    if (commit.time.micros <= cutoff) {
      lo = mid;
    } else {
      hi = mid - 1;
    }
  }
  return lo;
}

absl::StatusOr<uint64_t> HistoryRetention::Candidate(Timestamp now) {
  ASSIGN_OR_RETURN(const uint64_t c, WindowStart(now, db_->LatestVersion()));
  // A clock stepping back must not shrink the window the receipts were
  // expired against.
  candidate_ = std::max(candidate_, c);
  return candidate_;
}

absl::Status HistoryRetention::ScanReceipts() {
  std::unique_ptr<rocksdb::Iterator> it = db_->NewIterator(Cf::kAudit);
  for (it->Seek(keys::AuditKey(scanned_seq_ + 1)); it->Valid(); it->Next()) {
    ASSIGN_OR_RETURN(AuditEntryHead head, DecodeAuditEntryHead(SliceView(it->value())));
    // A receipt of the version latest when it was appended is never held
    // (see the header); one of an older version inside the window then is.
    if (head.action == receipt_action_ && head.snapshot_version < latest_at_scan_) {
      ASSIGN_OR_RETURN(const uint64_t window_start, WindowStart(head.time, latest_at_scan_));
      if (head.snapshot_version >= window_start) {
        while (!held_.empty() && held_.back().snapshot >= head.snapshot_version) held_.pop_back();
        held_.push_back(HeldReceipt{latest_at_scan_, head.snapshot_version});
      }
    }
    latest_at_scan_ = std::max(latest_at_scan_, head.snapshot_version);
    scanned_seq_ = head.seq;
  }
  return FromRocks(it->status());
}

absl::StatusOr<uint64_t> HistoryRetention::Advance(Timestamp now) {
  std::lock_guard<std::mutex> lock(mu_);
  HistoryHorizon& horizon = db_->history_horizon();
  if (setting_.kind == RetentionSetting::Kind::kKeepAll) return horizon.Raise(0);
  ASSIGN_OR_RETURN(const uint64_t c, Candidate(now));
  RETURN_IF_ERROR(ScanReceipts());
  // Receipts appended before commit c's entry are outside the window.
  // And one that read before the horizon (it raced with a raise) can no
  // longer be replayed: holding for it would only stall the horizon.
  while (!held_.empty() &&
         (held_.front().appended_at < c || held_.front().snapshot < horizon.horizon())) {
    held_.pop_front();
  }
  uint64_t next = c;
  if (!held_.empty()) next = std::min(next, held_.front().snapshot);
  if (next > horizon.horizon()) {
    rocksdb::WriteOptions sync;
    sync.sync = true;
    rocksdb::WriteBatch batch;
    RETURN_IF_ERROR(FromRocks(
        batch.Put(db_->handle(Cf::kDefault), keys::kHistoryHorizonKey, keys::EncodeU64(next))));
    RETURN_IF_ERROR(db_->WriteOutsideCommit(sync, &batch));
  }
  return horizon.Raise(next);
}

}  // namespace ctxgraph
