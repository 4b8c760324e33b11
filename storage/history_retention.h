// History retention: the --history-retention setting and HistoryRetention,
// which moves the history horizon (history_horizon.h) as time and commits
// pass.
//
// Setting: keep everything (the default), keep a duration ("30d", "12h",
// "90m", "3600s": as-of reads reach back that far), or keep a number of
// versions ("10000v": the latest 10000 versions stay readable).
//
// Horizon. Advance() computes a candidate C: for a duration D, the newest
// commit whose time is <= now - D (0 when there is none); for N versions,
// latest - N + 1 (0 while latest < N). Receipts inside the window hold it
// back: a receipt is an audit entry with the receipt action ("retrieve",
// whose ReplayReceipt re-reads its snapshot) appended after commit C's own
// audit entry, and the horizon never passes the snapshot version of one
// whose snapshot was inside the window when it was appended (at or above
// the C of its time and of the latest version then). A receipt of an older
// snapshot, still readable because the horizon lagged or another receipt
// held it, holds nothing: else a chain of such receipts, one per window,
// would keep one old version readable, and its history uncompacted,
// forever. So the horizon is min(C, held receipts' snapshots), at most one
// window behind C, and only ever raised: it is
// persisted (keys.h kHistoryHorizonKey) before it takes effect, so a restart
// with a smaller setting, or none, still refuses reads before it. Receipts
// never read before the horizon (such reads are refused), so holding it for
// them never needs to move it back.
//
// Cost. A receipt that read the latest version when it was appended can
// never hold the horizon (C is at most that version while it is inside the
// window), so only receipts of older as_of reads are remembered, in a
// sliding-window minimum. The audit log is read incrementally: the first
// Advance() reads it from the start (entry heads only), later ones only what
// was appended since; each receipt of an older version also costs, with a
// duration setting, a binary search over the commit log (about log2 of the
// latest version commit reads) for the window's start at its time.
//
// Thread safety: Advance() calls are serialized by a mutex of their own;
// everything else of Database stays usable meanwhile.
#ifndef CTXGRAPH_STORAGE_HISTORY_RETENTION_H_
#define CTXGRAPH_STORAGE_HISTORY_RETENTION_H_

#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "storage/records.h"

namespace ctxgraph {

class Database;

struct RetentionSetting {
  enum class Kind { kKeepAll, kDuration, kVersions };
  Kind kind = Kind::kKeepAll;
  int64_t duration_micros = 0;  // kDuration, > 0
  uint64_t versions = 0;        // kVersions, > 0
  friend bool operator==(const RetentionSetting&, const RetentionSetting&) = default;
};

// Parses "all" or "" (keep everything), "<n>d", "<n>h", "<n>m", "<n>s" or
// "<n>v" with n a positive decimal integer. INVALID_ARGUMENT naming
// --history-retention and what is wrong otherwise.
absl::StatusOr<RetentionSetting> ParseRetentionSetting(std::string_view text);

class HistoryRetention {
 public:
  // `receipt_action`: the audit action whose entries are receipts.
  HistoryRetention(Database* db, RetentionSetting setting, std::string receipt_action)
      : db_(db), setting_(setting), receipt_action_(std::move(receipt_action)) {}

  const RetentionSetting& setting() const { return setting_; }

  // Recomputes the horizon as of `now`, persists it when it moved, and
  // raises it (HistoryHorizon::Raise, which also lets compaction catch up
  // with the previous horizon). Returns the horizon in force. With kKeepAll
  // the horizon stays where it is. Storage errors leave it unchanged.
  absl::StatusOr<uint64_t> Advance(Timestamp now);

 private:
  // C for the setting (see the header) at `now` with `latest` the newest
  // version.
  absl::StatusOr<uint64_t> WindowStart(Timestamp now, uint64_t latest) const;
  // WindowStart now, never below the last one computed.
  absl::StatusOr<uint64_t> Candidate(Timestamp now);
  // Reads the audit entries appended since the last call.
  absl::Status ScanReceipts();

  Database* const db_;
  const RetentionSetting setting_;
  const std::string receipt_action_;

  std::mutex mu_;  // held by Advance; guards everything below
  uint64_t candidate_ = 0;
  uint64_t scanned_seq_ = 0;     // audit entries read so far
  uint64_t latest_at_scan_ = 0;  // the newest version named by an entry read
  // Receipts that may hold the horizon, in log order: the version latest
  // when each was appended (nondecreasing) and its snapshot (increasing:
  // one with a larger snapshot than a later one can never be the minimum).
  struct HeldReceipt {
    uint64_t appended_at = 0;
    uint64_t snapshot = 0;
  };
  std::deque<HeldReceipt> held_;
};

}  // namespace ctxgraph

#endif  // CTXGRAPH_STORAGE_HISTORY_RETENTION_H_
