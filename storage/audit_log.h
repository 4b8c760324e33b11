// AuditLog: the append-only, hash-chained audit log, in column family "audit".
//
// Format. Entry seq N (from 1, no gaps) is stored under keys::AuditKey(N) as
// EncodeAuditEntry (record_codec.h): its body, then prev_hash (the hash of
// entry N-1; 32 zero bytes for N = 1), then hash = SHA-256(prev_hash ||
// body). Editing an entry breaks its own hash, deleting one leaves a gap in
// the sequence, and moving one breaks the prev_hash link of its new place:
// Verify() names the first sequence number where the chain breaks. Rewriting
// an entry and every entry after it with recomputed hashes can only be caught
// against a head hash recorded elsewhere, which is why Verify() reports the
// head (seq and hash) for auditors to keep.
//
// Head. The chain head (last seq, last hash) lives in memory and is loaded at
// open from the last key of the column family: a separate meta key could
// disagree with the entries, the last entry cannot. Open fails with DATA_LOSS
// when that last entry cannot be decoded, so a damaged log is never extended.
//
// Items. An entry names the nodes and edges it returned or changed with
// their versions. It lists at most kMaxAuditItems of them (the first, in
// order) so a million-record import makes one bounded entry; items_total and
// items_digest (AuditItemDigest over every item in order) still commit to all
// of them. Entries never contain tokens or prop values.
//
// Writes. Append() is for read-side actions (search, retrieve): one RocksDB
// write of its own. Commits use AppendToBatch(): Database puts the entry (and
// any per-record entries the commit's builder added, see
// CommitContext::AddAuditEntry) into the commit's WriteBatch, so the entries
// and the commit are written together or not at all. Lock order: Database's commit lock, then this
// log's mutex.
//
// Failed writes. RocksDB refuses every write after one failed (database.h),
// until it is resumed. The log tells Database of each failed write or WAL
// sync (AuditWriteHooks::write_failed), and Append() asks Database to
// resume writes first (AuditWriteHooks::resume), so a read-side append
// after a failure behaves as the next commit would.
//
// Durability of Append(): the entry is written with an unsynced WAL write
// under the mutex (so entries reach the WAL in seq order); a process crash
// then loses nothing, a power loss everything not yet synced. What follows
// depends on AuditSyncPolicy:
//   - per call (window 0): the WAL is synced after the mutex is released,
//     before Append() returns. Concurrent appenders share fsyncs (group
//     commit, SyncThrough).
//   - bounded window: Append() returns once its entry is written, unless
//     the oldest unsynced entry was written more than `window` ago: then it
//     waits for a sync like a per-call append. A thread of the log's own
//     syncs the WAL half a window after the oldest unsynced entry was
//     written, so one fsync covers every entry of that half window (group
//     commit) and, while syncs take less than the other half, no caller
//     waits. The entries whose Append() returned but that a power loss can
//     still take were all written within one window of each other; past
//     it, callers wait.
//   - none: the WAL reaches disk with the next synced commit or flush.
// The WAL being sequential, a crash loses only a suffix of the chain, never
// opens a gap. Commit entries are as durable as their commit
// (DatabaseOptions::sync_writes).
//
// Thread safety: every method is safe to call concurrently.
#ifndef CTXGRAPH_STORAGE_AUDIT_LOG_H_
#define CTXGRAPH_STORAGE_AUDIT_LOG_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "rocksdb/db.h"
#include "storage/record_codec.h"
#include "storage/records.h"

namespace ctxgraph {

// An entry lists at most this many items; the rest are only counted and
// digested. 1,000 covers a page of any listing and a retrieval's max_items
// while keeping one entry under ~300 KB even with 256-byte ids.
inline constexpr size_t kMaxAuditItems = 1000;

// Collects an entry's items as they come: keeps the first kMaxAuditItems,
// counts and digests all of them. Not thread-safe.
class AuditItemCollector {
 public:
  void Add(AuditItem item);
  // Sets entry->items, items_total and items_digest.
  void FillEntry(AuditEntry* entry) &&;

 private:
  std::vector<AuditItem> kept_;
  uint64_t total_ = 0;
  AuditItemDigest digest_;
};

// Which entries List() returns; empty fields match everything.
struct AuditFilter {
  std::string principal;
  std::string action;
  // Entries listing this node id, as a node or as either end of an edge
  // (only listed items are searched, see kMaxAuditItems).
  std::string node_id;
  std::optional<Timestamp> since;  // inclusive
  std::optional<Timestamp> until;  // exclusive

  bool Matches(const AuditEntry& entry) const;
};

struct AuditPage {
  std::vector<AuditEntry> entries;  // in seq order
  // Another matching entry follows, or (the scan's budget spent) may: list
  // on after `resume_after`.
  bool more = false;
  // The last seq the page is done with: its last entry, or a later one the
  // filter skipped. 0 when it read none.
  uint64_t resume_after = 0;
};

struct AuditVerifyResult {
  bool ok = true;
  uint64_t entries_checked = 0;  // entries from seq 1 whose chain holds
  uint64_t first_bad_seq = 0;    // 0 when ok
  std::string reason;            // empty when ok
  uint64_t head_seq = 0;         // the in-memory head when the walk began
  ContentHash head_hash{};
};

// How read-side entries (Append) reach disk; see Durability above.
struct AuditSyncPolicy {
  bool sync = true;                     // false: Append never syncs
  std::chrono::milliseconds window{0};  // 0: Append syncs before it returns

  bool per_call() const { return sync && window.count() == 0; }
  bool windowed() const { return sync && window.count() > 0; }
};

// How the log takes part in recovery after a failed write; Database
// supplies both. Either may be empty (a log used on its own).
struct AuditWriteHooks {
  // Told of every write or WAL sync of the log that failed (commit entries
  // included): RocksDB may refuse writes until it is resumed.
  std::function<void()> write_failed;
  // Called by Append() before it writes, without the log's mutex (it may
  // take Database's commit lock, which comes first): resumes writes after
  // an earlier failure. Append() returns its error unchanged.
  std::function<absl::Status()> resume;
  // Whether writes are stopped by a failure not yet resumed: the syncing
  // thread then leaves the WAL alone (RocksDB's WAL writer must not be
  // synced after a failed write; the next append resumes first).
  std::function<bool()> writes_stopped;
};

class AuditLog {
 public:
  // `db` and `cf` must outlive the log. Call Load() before anything else.
  // With a bounded window, starts the thread that syncs.
  AuditLog(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf, AuditSyncPolicy sync,
           AuditWriteHooks hooks = {});
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;
  // Stops the syncing thread and syncs what it had not (the database must
  // still be open).
  ~AuditLog();

  // Reads the head from the last entry. DATA_LOSS when it cannot be decoded.
  absl::Status Load();

  // Appends a read-side entry and returns it as stored. `entry.items` holds
  // every item (any number: the log caps what it lists); seq, prev_hash,
  // hash, items_total and items_digest are assigned here; a zero `time`
  // becomes now. When the write fails, the head does not move and nothing
  // was written. When only a WAL sync it waited for fails, the entry was
  // written (the head moved past it) but may not survive a power loss; the
  // error is returned all the same (a sync failing on the syncing thread
  // is reported to Database like any failed write, so the next append
  // resumes writes first or fails). Resumes writes first when an earlier
  // write failed (AuditWriteHooks::resume): when RocksDB cannot resume, that
  // error is returned and nothing is written. Must not be called under
  // Database's commit lock.
  absl::StatusOr<AuditEntry> Append(AuditEntry entry);

  // For Database's commit path: assigns consecutive seqs, prev_hash and hash
  // to `entries` (in order; each one's items, items_total and items_digest
  // come from an AuditItemCollector), adds them to `batch` and writes the
  // batch with `options`, holding the log's mutex throughout, so the head
  // moves only when the batch is written. On error nothing was written.
  absl::Status AppendToBatch(rocksdb::WriteBatch* batch, std::vector<AuditEntry> entries,
                             const rocksdb::WriteOptions& options);

  // Walks the chain from seq 1 and checks every link, then that the walk
  // ended at the head. Answers the first broken seq and why; an error status
  // only for an I/O failure.
  absl::StatusOr<AuditVerifyResult> Verify() const;

  // Up to `limit` entries matching `filter` with seq > `after_seq`, in seq
  // order; the page also ends after the entry that brings the stored bytes
  // of its entries to `max_bytes` (an entry lists up to kMaxAuditItems
  // items, half a megabyte with long ids). Scans entries one by one (there
  // is no secondary index yet), so a filter matching nothing reads the
  // whole log, unless `max_scanned` bounds the entries one call reads: the
  // page then ends there, short or empty, with `more` set when the log
  // goes on. DATA_LOSS naming the seq when an entry cannot be decoded.
  absl::StatusOr<AuditPage> List(const AuditFilter& filter, uint64_t after_seq, size_t limit,
                                 size_t max_bytes = SIZE_MAX, size_t max_scanned = SIZE_MAX) const;

  // Returns once entry `seq`, already written, is in a synced WAL, whatever
  // the sync policy (for an entry that must be durable before its caller
  // goes on, as a backup's): group commit. One caller at a time syncs the
  // WAL (covering every entry written before its sync began); callers
  // whose entry a finished sync covered return without syncing, the others
  // wait and the next of them syncs for all. RocksDB's SyncWAL alone would
  // run one fsync per caller, one after another.
  absl::Status SyncThrough(uint64_t seq);

  // Whether every Append waits for a WAL sync (per call); with a bounded
  // window only one that finds the window passed does.
  bool appends_wait_for_sync() const { return sync_.per_call(); }

  // The highest seq known to be in a synced WAL (by this log's syncs; a
  // synced commit may have made later ones durable too).
  uint64_t synced_seq() const;

  uint64_t head_seq() const;
  // The hash of the head entry (32 zero bytes for an empty log).
  ContentHash head_hash() const;

 private:
  // Chains `entries` after the head into `batch`, writes it, and moves the
  // head past them. Requires mu_.
  absl::Status AppendLocked(rocksdb::WriteBatch* batch, std::vector<AuditEntry>* entries,
                            const rocksdb::WriteOptions& options);
  std::unique_ptr<rocksdb::Iterator> NewIterator() const;
  // After a bounded-window append wrote `seq`: wakes the syncing thread,
  // and waits for a sync when the oldest unsynced entry is older than the
  // window.
  absl::Status SyncWithinWindow(uint64_t seq);
  // The syncing thread's loop: syncs half a window after the oldest
  // unsynced entry was written.
  void SyncLoop();
  bool WritesStopped() const { return hooks_.writes_stopped && hooks_.writes_stopped(); }
  // Tells hooks_.write_failed when `s` is a failure.
  void NoteFailure(const rocksdb::Status& s) const;

  rocksdb::DB* const db_;
  rocksdb::ColumnFamilyHandle* const cf_;
  const AuditSyncPolicy sync_;
  const AuditWriteHooks hooks_;

  mutable std::mutex mu_;
  // Guarded by mu_: the last entry written.
  uint64_t head_seq_ = 0;
  ContentHash head_hash_{};
  // The head as of the latest write; read without mu_ by SyncThrough.
  std::atomic<uint64_t> written_seq_{0};

  mutable std::mutex sync_mu_;
  std::condition_variable sync_cv_;
  // Guarded by sync_mu_ (taken after mu_ when both are held): every entry
  // up to synced_seq_ is durable; a sync is running.
  uint64_t synced_seq_ = 0;
  bool syncing_ = false;
  // Guarded by sync_mu_ (bounded window only): no entry after synced_seq_
  // was written before this time; unset when every written entry is synced.
  std::optional<std::chrono::steady_clock::time_point> unsynced_since_;
  bool stopping_ = false;
  std::condition_variable syncer_cv_;  // wakes SyncLoop: an entry written, a sync ended
  std::thread syncer_;
};

}  // namespace ctxgraph

#endif  // CTXGRAPH_STORAGE_AUDIT_LOG_H_
