// Database: the RocksDB instance behind ctxgraph, its column families, and the
// commit pipeline that turns every write into one atomic, versioned batch.
//
// Versions: every commit gets version LatestVersion()+1, strictly increasing.
// A commit is one rocksdb::WriteBatch holding the records, the commit log
// entry and the new last_version; it is written with the WAL synced (unless
// DatabaseOptions::sync_writes is false) before LatestVersion() moves. Readers
// that pin a version V <= LatestVersion() therefore see a complete, immutable
// snapshot by filtering on version alone.
//
// Every commit also appends one entry to the audit log (audit_log.h) in the
// same WriteBatch: action and summary as the builder set them
// (CommitContext::SetAuditNote), and the nodes and edges it wrote.
//
// The read cache (read_cache.h) hears of every node and adjacency record a
// commit puts (CommitContext::Put notes the node) and drops what it held of
// those nodes before the commit's version moves; a session batch empties
// it.
//
// Write errors: a commit that meets an I/O error fails with UNAVAILABLE, a
// full disk with RESOURCE_EXHAUSTED (FromRocks), and nothing of it is
// visible. RocksDB then refuses every write. The next commit calls
// DB::Resume() first, which clears errors RocksDB deems recoverable (a
// failed background flush, a full disk once space is back: the next commit
// after that succeeds; while the disk is still full it fails with
// RESOURCE_EXHAUSTED "storage: writes stopped after a failed write (...);
// retry once the disk is healthy"). RocksDB's own background recovery is
// off, so recovery never waits for its 5-second poll. A WAL write or sync
// that fails with an I/O error is fatal in RocksDB 7.8 (paranoid checks),
// so every later commit fails with UNAVAILABLE "storage: writes stopped
// after a failed write (...); restart the server once the disk is healthy"
// and nothing is written until the database is reopened, which replays the
// synced WAL. A
// commit whose WAL sync failed may reappear then, whole, as the next
// version (its bytes reached the WAL): its outcome is unknown, as with a
// lost acknowledgement; since writes stopped, no other commit took its
// version.
// The same holds for the other writes made while serving: a read-side
// audit entry (AuditLog::Append) whose write or WAL sync fails, a write
// outside commits (WriteOutsideCommit), a bulk session's cleanup that fails,
// and a background flush or compaction that fails (an EventListener's
// OnBackgroundError) all mark writes as stopped, and the next commit or
// read-side audit entry calls Resume() first.
// Reads go on throughout: a read that meets an I/O error is UNAVAILABLE, a
// corrupt block DATA_LOSS (checksums are verified on every read).
//
// Thread safety: all methods are safe to call concurrently. Commits are
// serialized by an internal mutex, taken before the audit log's.
#ifndef CTXGRAPH_STORAGE_DATABASE_H_
#define CTXGRAPH_STORAGE_DATABASE_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "rocksdb/db.h"
#include "rocksdb/utilities/write_batch_with_index.h"
#include "storage/audit_log.h"
#include "storage/backup.h"
#include "storage/history_horizon.h"
#include "storage/history_retention.h"
#include "storage/id_cache.h"
#include "storage/read_cache.h"
#include "storage/records.h"

namespace ctxgraph {

// The format marker (meta key "format") this build writes and reads.
inline constexpr char kDatabaseFormat[] = "ctxgraph-2";
// Opened and upgraded in place to kDatabaseFormat: format 2 added node and
// edge records of record format 2 (record_codec.h), which a build that
// knows only "ctxgraph-1" cannot read, so the marker keeps such a build
// from opening the database (or restoring its backup) at all.
inline constexpr char kPreviousDatabaseFormat[] = "ctxgraph-1";

// Converts a RocksDB status to an absl::Status. The only such conversion.
absl::Status FromRocks(const rocksdb::Status& s);

Timestamp Now();

// A RocksDB slice as a string_view, and whether a key starts with `prefix`.
inline std::string_view SliceView(const rocksdb::Slice& s) {
  return std::string_view(s.data(), s.size());
}
inline bool KeyStartsWith(const rocksdb::Slice& key, std::string_view prefix) {
  return key.size() >= prefix.size() && std::string_view(key.data(), prefix.size()) == prefix;
}

// In a versioned column family (keys end in ~version, keys.h): the value of
// the newest record under `prefix` whose version is <= V, where `seek_key`
// encodes (prefix, ~V); nullopt when there is none. Versions sort newest
// first, so it is the first key at or after `seek_key`.
absl::StatusOr<std::optional<std::string>> NewestAtOrBefore(rocksdb::Iterator* it,
                                                            std::string_view prefix,
                                                            std::string_view seek_key);

// Opens the database at `path` read-only (replaying its WAL in memory,
// writing nothing), with paranoid checks, and reads every block of every
// SST file of every column family to check its checksum
// (rocksdb::DB::VerifyChecksum). For offline checks, e.g. after a crash:
// the database must not be open elsewhere. DATA_LOSS names the damaged file
// when a checksum fails; NOT_FOUND when there is no database at `path` (no
// CURRENT file there); any other failure to read the database keeps its own
// code (FromRocks), e.g. UNAVAILABLE when CURRENT names a missing MANIFEST.
absl::Status VerifyDatabaseChecksums(const std::string& path);

enum class Cf : int {
  kDefault = 0,
  kNodeIds,
  kNodes,
  kOutEdges,
  kInEdges,
  kLabelIndex,
  kCommits,
  kPrincipals,
  kTokens,
  kTextPostings,
  kTextStats,
  kBoundarySets,
  kBoundaryLog,
  kAudit,
  kLabels,
  kCount,
};

struct DatabaseOptions {
  // Sync the WAL before a commit is acknowledged. Turn off only for bulk loads
  // that are re-runnable.
  bool sync_writes = true;
  // How read-side audit entries (AuditLog::Append) reach disk: synced
  // before Append returns, within a bounded window, or not at all
  // (audit_log.h). Commit entries follow sync_writes.
  bool sync_audit_appends = true;
  std::chrono::milliseconds audit_sync_window{10};
  size_t block_cache_bytes = size_t{256} << 20;
  size_t memtable_budget_bytes = size_t{256} << 20;  // all column families together
  // Decoded node records and adjacency lists kept for readers
  // (read_cache.h); 0 turns the cache off.
  size_t read_cache_bytes = size_t{256} << 20;
  // Node id -> iid mappings kept for readers (id_cache.h); 0 turns the
  // cache off. About 80 bytes per id: 64 MiB holds ~800k ids.
  size_t id_cache_bytes = size_t{64} << 20;
  // How much history as-of reads can reach (history_retention.h).
  RetentionSetting history_retention;
  // The audit action of receipts, which hold the history horizon back
  // (query/retriever.h kRetrieveAction).
  std::string receipt_action = "retrieve";
  // The environment RocksDB does its file I/O through; null means the
  // default (the local file system). Tests and tools pass a fault-injecting
  // one (storage/testing/fault_injection_fs.h). Must outlive the Database.
  std::shared_ptr<rocksdb::Env> env;
};

// RocksDB's own figures for an operator's metrics (Database::Stats), in plain
// numbers so callers need no RocksDB types. A figure RocksDB cannot give
// reads 0.
struct StorageStats {
  struct ColumnFamily {
    std::string name;
    uint64_t estimate_num_keys = 0;         // rocksdb.estimate-num-keys
    uint64_t sst_files_bytes = 0;           // rocksdb.total-sst-files-size
    uint64_t sst_files = 0;                 // live SST files, every level
    uint64_t memtable_bytes = 0;            // rocksdb.cur-size-all-mem-tables
    uint64_t pending_compaction_bytes = 0;  // rocksdb.estimate-pending-compaction-bytes
    // Write stalls this column family caused since the database was opened
    // (rocksdb.cfstats io_stalls.total_slowdown / io_stalls.total_stop).
    uint64_t write_slowdowns = 0;
    uint64_t write_stops = 0;
  };
  std::vector<ColumnFamily> column_families;  // in Cf order
  uint64_t block_cache_usage_bytes = 0;       // one cache shared by every column family
  // The read cache (read_cache.h), all 0 when it is off.
  uint64_t read_cache_bytes = 0;
  uint64_t read_cache_hits = 0;
  uint64_t read_cache_misses = 0;
  // The id cache (id_cache.h), all 0 when it is off.
  uint64_t id_cache_bytes = 0;
  uint64_t id_cache_hits = 0;
  uint64_t id_cache_misses = 0;
  uint64_t delayed_write_rate = 0;  // bytes/s while writes are slowed, else 0
  bool write_stopped = false;       // rocksdb.is-write-stopped
};

class CommitSession;
class Database;

// What a commit's audit entry says was done, besides who, when, at which
// version and which records changed. Never a token or a prop value.
struct AuditNote {
  std::string action;   // e.g. "write", "import", "admin.create_principal"
  std::string summary;  // e.g. "ops=3 description=nightly sync"
};

// What a commit's builder works with: the version being written and a batch
// that reads its own writes (Get/NewIterator see earlier puts of this commit).
class CommitContext {
 public:
  uint64_t version() const { return version_; }
  // True for a batch of a CommitSession (Write or WriteAside).
  bool in_session() const { return session_ != nullptr || aside_; }
  Timestamp time() const { return time_; }
  const std::string& principal() const { return principal_; }

  void Put(Cf cf, std::string_view key, std::string_view value);
  // Like Put, for a key no later read of this commit looks for: it skips
  // the read-your-writes index (whose upkeep dominates a bulk load's keyword
  // index writes), so Get and NewIterator here do not see it (unless a
  // PutDeferred made them write the batch first). A key written twice keeps
  // the last value, as with Put; never mix the two for one key, or this
  // commit's reads would see the indexed one.
  void PutUnindexed(Cf cf, std::string_view key, std::string_view value);
  // Put for a batch of CommitSession::Write whose reads are rare (a first
  // load reads back only a duplicate id or edge): the key skips the index,
  // and the next Get or NewIterator, of any column family, first writes the
  // batch so far (CommitSession::WriteNow) and empties it, then reads. A
  // session is all or nothing, so splitting its batch shows no reader
  // anything more. Emptying the batch invalidates the iterators open on
  // it, as any Put may: none may be kept across a put. Elsewhere it is Put.
  void PutDeferred(Cf cf, std::string_view key, std::string_view value);
  // Reads through this commit's pending writes to the database's latest state.
  absl::StatusOr<bool> Get(Cf cf, std::string_view key, std::string* value);
  std::unique_ptr<rocksdb::Iterator> NewIterator(Cf cf);
  // For a build that reads the database directly, not through Get or
  // NewIterator: waits until the earlier batches of its CommitSession are
  // written (CommitSession::Write), so those reads see them. A no-op for
  // other commits. Returns the session's write error, if one failed.
  absl::Status AwaitEarlierBatches();
  // A fresh internal node id; persisted with the commit.
  uint64_t AllocateIid() { return next_iid_++; }
  // The iid AllocateIid would hand out next.
  uint64_t PeekNextIid() const { return next_iid_; }
  // True once anything was Put.
  bool changed() { return written_early_ || batch_.GetWriteBatch()->Count() > 0; }
  // True once a read wrote part of this batch early (PutDeferred).
  bool written_early() const { return written_early_; }

  // For the commit's audit entry: a node or edge record written at
  // version(), noted once per write, in write order.
  void NoteNodeChanged(std::string_view id);
  void NoteEdgeChanged(std::string_view from, std::string_view label, std::string_view to);
  // Names the commit in the audit log. Without it the entry's action is
  // "commit" and its summary the commit description.
  void SetAuditNote(AuditNote note) { audit_note_ = std::move(note); }
  // One more audit entry, appended right after the commit's own in the same
  // batch (so all are written or none): e.g. one per node a boundary change
  // touched. Its action, summary and items are taken as given; time,
  // principal and snapshot_version are the commit's.
  void AddAuditEntry(AuditEntry entry) { extra_audit_.push_back(std::move(entry)); }
  // Runs `hook` once the commit is written and LatestVersion() has moved to
  // it, still under the commit lock, so the next commit already sees what
  // the hook does (e.g. update an in-memory cache of committed state). Never
  // runs when the commit fails or writes nothing. Hooks must not fail, block
  // or commit. In a CommitSession, the hooks of every written batch run in
  // order when Finish publishes the commit.
  void OnCommitted(std::function<void()> hook) { on_committed_.push_back(std::move(hook)); }

 private:
  friend class Database;
  friend class CommitSession;
  CommitContext(Database* db, uint64_t version, Timestamp time, std::string principal,
                uint64_t next_iid);
  // Notes the node whose record or adjacency a put to `cf` changes, for the
  // read cache to drop before the commit is visible.
  void NoteTouched(Cf cf, std::string_view key);
  // Readies a read: waits for the session's earlier batches and writes
  // this one so far if it holds a deferred put (PutDeferred).
  absl::Status BeforeRead();

  Database* db_;
  uint64_t version_;
  Timestamp time_;
  std::string principal_;
  uint64_t next_iid_;
  rocksdb::WriteBatchWithIndex batch_;
  std::vector<AuditItem> changed_;
  std::optional<AuditNote> audit_note_;
  std::vector<AuditEntry> extra_audit_;
  std::vector<std::function<void()>> on_committed_;
  std::vector<uint64_t> touched_nodes_;      // iids whose node records were put
  std::vector<uint64_t> touched_adjacency_;  // iids with an adjacency record put
  // Set for a batch CommitSession::Write builds: Get and NewIterator first
  // wait for the session's batch still being written, so they see it.
  CommitSession* session_ = nullptr;
  bool aside_ = false;  // built by CommitSession::WriteAside
  // Whether the batch holds a PutDeferred since it was last written, and
  // whether it was (CommitSession::WriteNow).
  bool deferred_ = false;
  bool written_early_ = false;
};

struct CommitOutcome {
  uint64_t version = 0;    // the new version, or the latest when nothing changed
  bool committed = false;  // false when the builder wrote nothing
};

// One commit written as many batches: the bulk import path. Holds the commit
// lock from Database::BeginSession until it is destroyed, so other commits
// wait for it or are refused (Database::BehindBulk). Batches are written
// without the WAL (a synced open-session marker goes first) and stay
// invisible to readers (they are at a version above LatestVersion()) until
// Finish flushes every memtable, then writes the commit record, moves the
// version and syncs the WAL. Abort, the destructor of an unfinished
// session, the next commit after a Finish that failed or threw before its
// commit record (through write_failed_ and ResumeAfterFailedWrite), and
// Database::Open after a crash all remove the session's records, so a
// session is all or nothing. Not thread-safe, except WriteAside.
class CommitSession {
 public:
  ~CommitSession();
  CommitSession(const CommitSession&) = delete;
  CommitSession& operator=(const CommitSession&) = delete;

  uint64_t version() const { return version_; }

  // Runs `build` on a fresh batch at the session's version and hands it to
  // a thread of the session that writes it, so the next batch is built
  // while this one goes into the memtables (a bulk load's importing thread
  // spent a fifth of its time there). One batch at a time is in flight:
  // Write first waits for the one before, and so do the reads of `build`
  // (CommitContext::Get, NewIterator), so a batch sees every earlier one.
  // When `build` fails, nothing of this batch is written, unless a read
  // wrote part of it early (CommitContext::PutDeferred): then the session
  // fails with the build's error, as after a failed write. When a write
  // fails, this or the next Write, read or Finish returns its error. Either
  // way earlier batches stay pending until Finish or Abort.
  absl::Status Write(const std::function<absl::Status(CommitContext&)>& build);
  // Like Write, but safe to call from another thread while Write runs, for
  // batches that need none of the session's bookkeeping: `build` must not
  // allocate iids, note changed items, set audit notes, add hooks (they
  // would be lost) or put node or edge records (the read cache would not
  // hear of them), and sees no batch of Write that is not written yet. A
  // bulk import's keyword index flushes are written this way. Each such
  // batch carries the open-session marker too, so Open removes it after a
  // crash. Every WriteAside must have returned before Finish or Abort.
  absl::Status WriteAside(const std::function<absl::Status(CommitContext&)>& build);
  // Waits until every batch Write handed over is written. Returns the first
  // write error of the session, then and at every later call.
  absl::Status AwaitWritten();
  // Publishes every batch as one commit. When no batch wrote anything,
  // commits nothing and reports the latest version. `abandoned`, when
  // given, is asked once more after the memtables are flushed (the long
  // part), right before the commit record: true removes the session's
  // records as Abort does and answers CANCELLED (a bulk import whose client
  // went away while its last batches were written).
  absl::StatusOr<CommitOutcome> Finish(const std::string& description,
                                       const std::function<bool()>& abandoned = {});
  // Removes every record written by the session.
  absl::Status Abort();

 private:
  friend class CommitContext;
  friend class Database;
  CommitSession(Database* db, std::unique_lock<std::timed_mutex> lock, std::string principal);
  // Writes ctx's batch to RocksDB without the WAL, under write_mu_ (Write
  // and WriteAside), preceded in the WAL by the open-session marker (the
  // first time) and `next_iid` when given; a failure stops writes until
  // they are resumed, as a failed commit's.
  absl::Status WriteBatch(CommitContext& ctx, std::optional<uint64_t> next_iid);
  // Writes what `ctx`, a batch Write is building, holds so far, here and
  // now (after the batch in flight), and empties it: a read of a deferred
  // put (CommitContext::PutDeferred) then finds it in the database. The
  // build goes on; Write still does the batch's bookkeeping at its end.
  absl::Status WriteNow(CommitContext& ctx);
  // Has the read cache forget what `ctx` touched, before its records land.
  void ForgetTouched(const CommitContext& ctx);
  // Starts writing `ctx`'s batch (WriteBatch, with the iid counter its
  // build left) on another thread.
  void WriteInBackground(std::unique_ptr<CommitContext> ctx);
  // The writer thread's loop: writes each batch handed over until stopped.
  void RunWriter();

  Database* db_;
  std::unique_lock<std::timed_mutex> lock_;
  std::string principal_;
  uint64_t version_;
  Timestamp time_;
  uint64_t first_iid_;  // iids from here on were interned by this session
  uint64_t next_iid_;
  bool wrote_ = false;
  std::atomic<bool> wrote_aside_{false};  // WriteAside wrote a batch
  std::mutex write_mu_;                   // held for each RocksDB write
  bool marker_written_ = false;           // guarded by write_mu_
  bool done_ = false;
  // The writer thread, started by the first WriteInBackground, and what it
  // shares with the session's thread, under writer_mu_.
  std::thread writer_;
  std::mutex writer_mu_;
  std::condition_variable writer_cv_;
  std::unique_ptr<CommitContext> handed_;  // being written; null when idle
  absl::Status written_;                   // the first failed write's error
  bool stop_writer_ = false;
  // The audit entry Finish writes, gathered from the batches written.
  AuditItemCollector audit_items_;
  std::optional<AuditNote> audit_note_;
  std::vector<AuditEntry> extra_audit_;
  std::vector<std::function<void()>> on_committed_;
};

class Database {
 public:
  // Opens (creating if missing) the database at `path`.
  static absl::StatusOr<std::unique_ptr<Database>> Open(const std::string& path,
                                                        const DatabaseOptions& options);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // The newest committed version; 0 for an empty database.
  uint64_t LatestVersion() const { return last_version_.load(std::memory_order_acquire); }
  // True when Open created this database (nothing committed before).
  bool created() const { return created_; }
  // The shared cache of decoded reads, kept coherent with every commit;
  // null when DatabaseOptions::read_cache_bytes is 0.
  ReadCache* read_cache() const { return read_cache_.get(); }
  // Interned ids readers found, kept coherent with every removal of one;
  // null when DatabaseOptions::id_cache_bytes is 0.
  IdCache* id_cache() const { return id_cache_.get(); }
  // A per-database random secret, for keyed hashes such as page tokens.
  const std::string& secret() const { return secret_; }
  // Another per-database random 32-byte key, only for the opaque ids of
  // redacted lineage stubs. Never logged.
  const std::string& redaction_key() const { return redaction_key_; }

  // What a commit does while a bulk import (a CommitSession) holds the
  // commit lock, or waits for it, which may last as long as the import.
  enum class BehindBulk {
    kWait,      // wait for the lock, as behind any commit
    kRefuse,    // UNAVAILABLE at once: for callers that must not wait that long
    kOvertake,  // end the open sessions (SetSessionEnder) and wait for the
                // lock; no session begun meanwhile takes it first
  };
  // Called by each kOvertake commit once no session can begin before it,
  // before it waits for the lock: ends every open session (the server
  // cancels their bulk imports, whose owners abort them). Set once, before
  // any commit; without it a kOvertake commit waits like kWait.
  void SetSessionEnder(std::function<void()> ender) { session_ender_ = std::move(ender); }
  // kOvertake commits waiting for the lock now (for tests).
  int overtaking_commits() const { return overtaking_commits_.load(std::memory_order_acquire); }

  // Runs `build` under the commit lock. When it returns OK and wrote
  // something, the batch plus a commit record {version, time, principal,
  // description} are written atomically. On error nothing is written and the
  // error is returned unchanged.
  absl::StatusOr<CommitOutcome> Commit(const std::string& principal, const std::string& description,
                                       const std::function<absl::Status(CommitContext&)>& build,
                                       BehindBulk behind_bulk = BehindBulk::kWait);

  // Opens a multi-batch commit (see CommitSession); blocks other commits
  // until it is finished or aborted. Waits while a kOvertake commit waits.
  std::unique_ptr<CommitSession> BeginSession(const std::string& principal);

  // Point read of committed data. Answers false when absent.
  absl::StatusOr<bool> Get(Cf cf, std::string_view key, std::string* value) const;
  std::unique_ptr<rocksdb::Iterator> NewIterator(Cf cf) const;

  absl::StatusOr<CommitRecord> GetCommit(uint64_t version) const;

  // Writes a consistent snapshot of the whole database to `dir` while
  // commits and reads go on, and returns what it captured (backup.h: layout
  // and guarantees). `dir` must pass CheckBackupTarget outside this
  // database's directory; it is created with mode 0700 when absent.
  // `before_manifest`, when given, is called with the manifest once the copy
  // is complete but before the manifest, which makes it a backup, is
  // written: an error from it fails the backup. On failure nothing is left
  // in `dir`. Defined in backup.cc.
  using BackupHook = std::function<absl::Status(const BackupManifest&)>;
  absl::StatusOr<BackupManifest> Backup(const std::string& dir,
                                        const BackupHook& before_manifest = nullptr) const;

  // Writes `batch` outside any commit (a meta key, an interned boundary
  // set): a failure is noted as a failed commit's is, so the next commit
  // resumes writes first. Takes no lock.
  absl::Status WriteOutsideCommit(const rocksdb::WriteOptions& options, rocksdb::WriteBatch* batch);

  // The audit log, which commits append to. Read-side callers (search,
  // retrieve) append their own entries to it.
  AuditLog& audit() const { return *audit_; }

  // The history horizon: as-of reads before it are refused
  // (HistoryHorizon::CheckReadable), and compaction drops what it shadows.
  HistoryHorizon& history_horizon() const { return *horizon_; }
  // Recomputes the horizon from DatabaseOptions::history_retention as of
  // `now` (HistoryRetention::Advance); the server calls it once a minute.
  // Concurrent calls are serialized.
  absl::StatusOr<uint64_t> AdvanceHistoryHorizon(Timestamp now) { return retention_->Advance(now); }
  // Compacts every versioned column family fully, now: what compaction
  // would drop in time (shadowed history, deleted records) is gone when it
  // returns. For tests and operators; heavy on a large database.
  absl::Status CompactVersioned();
  // Returns once the background compaction Open or a failed session's
  // cleanup started, if any, has ended. For tests.
  void WaitForBackgroundCompaction();
  // RocksDB's figures now (database_stats.cc). Reads in-memory properties
  // only: cheap enough for every metrics scrape. Thread-safe.
  StorageStats Stats() const;

  rocksdb::DB* rocks() const { return db_.get(); }
  rocksdb::ColumnFamilyHandle* handle(Cf cf) const { return handles_[static_cast<int>(cf)]; }

 private:
  friend class CommitSession;
  Database() = default;
  // Every audit entry of `commit`: its own (the builder's note, or "commit"
  // and the description, with the records it changed), then the builder's
  // extra ones stamped with the commit's time, principal and version.
  static std::vector<AuditEntry> CommitAuditEntries(const CommitRecord& commit,
                                                    const std::optional<AuditNote>& note,
                                                    AuditItemCollector items,
                                                    std::vector<AuditEntry> extra);
  absl::Status LoadMeta();
  // Reads the redaction key, creating it when this database has none yet
  // (new, or created before lineage existed).
  absl::Status LoadRedactionKey();
  // Loads the history horizon and the voided versions (keys.h).
  absl::Status LoadHistoryHorizon();
  // Deletes every record of `version` from the versioned column families
  // and every node id interned from `first_iid` on, then compacts them in
  // the background.
  absl::Status RemoveVersion(uint64_t version, uint64_t first_iid);
  // RemoveVersion of the interrupted bulk session the open_session marker
  // names, if there is one.
  absl::Status RemoveOpenSession();

  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  std::unique_ptr<AuditLog> audit_;
  std::unique_ptr<ReadCache> read_cache_;
  std::unique_ptr<IdCache> id_cache_;
  std::shared_ptr<HistoryHorizon> horizon_ = std::make_shared<HistoryHorizon>();
  std::unique_ptr<HistoryRetention> retention_;
  rocksdb::WriteOptions write_options_;
  bool created_ = false;
  std::string secret_;
  std::string redaction_key_;

  std::mutex compaction_mu_;
  // One Backup at a time: a second one aimed at the same directory must see
  // the first one's files, not race it between the check and the copy.
  mutable std::mutex backup_mu_;
  // A checkpoint and a session's Finish exclude each other. A session's
  // batches skip the WAL and reach SST files only when Finish flushes them,
  // just before it writes the commit record through the WAL; a checkpoint
  // lists its SST files first and its WAL files after. Between the two, a
  // Finish would leave the copy the commit record without the data.
  mutable std::mutex checkpoint_mu_;
  // Guarded by compaction_mu_: the background compaction thread, whether
  // it still runs, what it has yet to compact, and whether the database is
  // closing (no new compaction then).
  struct PendingCompaction {
    Cf cf;
    rocksdb::BottommostLevelCompaction bottommost;
  };
  std::thread compaction_;
  bool compaction_running_ = false;
  bool compaction_stopped_ = false;
  std::vector<PendingCompaction> pending_compactions_;
  std::condition_variable compaction_idle_;

  // Compacts `cfs` fully on compaction_, after what it has yet to do (a
  // family asked for twice is compacted once, kForce winning); `bottommost`
  // as in rocksdb::CompactRangeOptions. Never blocks on a compaction.
  void CompactInBackground(std::vector<Cf> cfs, rocksdb::BottommostLevelCompaction bottommost);
  // compaction_'s loop.
  void RunCompactions();
  // The column families whose SST files have fragmented: at least
  // kFragmentedSstFiles files averaging under kSmallSstBytes. Append-only
  // families (audit, commits, boundary log) get there because a flush's keys
  // never overlap older files, so level compaction only moves them down and
  // never merges them; each restart's recovery flush adds one or two.
  std::vector<Cf> FragmentedFamilies() const;

  // When write_failed_ is set: calls Resume(), then removes a failed bulk
  // session's leftovers, and clears the flag. Requires commit_mu_. The next
  // commit, session batch and read-side audit entry call it first.
  absl::Status ResumeAfterFailedWrite();
  // ResumeAfterFailedWrite under commit_mu_, for AuditLog::Append
  // (AuditWriteHooks::resume); takes no lock when no write failed. Waits at
  // most kResumeWait for the lock, which a bulk session holds for as long
  // as its import runs: past that the append goes ahead unresumed (and
  // fails as its write does while RocksDB still refuses writes), so an
  // audited read answers rather than waits for the import's end.
  absl::Status ResumeBeforeAppend();
  static constexpr std::chrono::seconds kResumeWait{1};

  // How often a commit or session waiting for commit_mu_ looks again at who
  // else waits (BehindBulk).
  static constexpr std::chrono::milliseconds kCommitPoll{10};
  // Takes commit_mu_ into `lock` as `behind_bulk` says.
  absl::Status LockForCommit(std::unique_lock<std::timed_mutex>& lock, BehindBulk behind_bulk);

  // The time a new commit is stamped with: now, but never before the last
  // commit's, so commit times do not go back with the clock. Under
  // commit_mu_.
  Timestamp NextCommitTime();
  std::timed_mutex commit_mu_;
  // CommitSessions begun and not yet destroyed (waiting for commit_mu_ or
  // holding it), and kOvertake commits waiting for commit_mu_.
  std::atomic<int> bulk_sessions_{0};
  std::atomic<int> overtaking_commits_{0};
  std::function<void()> session_ender_;  // SetSessionEnder
  // The time of the latest commit made or begun (NextCommitTime); guarded by
  // commit_mu_.
  int64_t last_commit_micros_ = 0;
  uint64_t next_iid_ = 1;  // guarded by commit_mu_
  // A write or WAL sync failed (a commit's, a session batch's, a read-side
  // audit entry's, one outside commits): RocksDB may refuse writes until
  // Resume(). Also set, with RocksDB healthy, when a session's Finish threw
  // before its commit record: its records wait for the next write to remove
  // them (ResumeAfterFailedWrite), and meanwhile the audit log's own sync
  // thread idles, as when writes stopped. Set without any lock by whoever
  // failed; cleared only by ResumeAfterFailedWrite, under commit_mu_.
  std::atomic<bool> write_failed_{false};
  std::atomic<uint64_t> last_version_{0};
};

}  // namespace ctxgraph

#endif  // CTXGRAPH_STORAGE_DATABASE_H_
