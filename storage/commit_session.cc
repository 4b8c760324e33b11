// CommitSession: one commit written in many batches (database.h), and the
// key ordering that speeds its batches into the memtables.
#include <algorithm>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/cleanup/cleanup.h"
#include "rocksdb/write_batch.h"
#include "storage/database.h"
#include "storage/keys.h"
#include "storage/no_throw.h"
#include "storage/record_codec.h"
#include "storage/status_macros.h"
#include "storage/thread_name.h"

namespace ctxgraph {
namespace {

// Reads a batch's puts and deletes, each in turn (`visit(cf, key, value)`,
// a delete's value null); anything else in it (merge, single or range
// delete, ...) makes `other` true.
class BatchEntries : public rocksdb::WriteBatch::Handler {
 public:
  using Visit = std::function<void(uint32_t, const rocksdb::Slice&, const rocksdb::Slice*)>;
  explicit BatchEntries(Visit visit) : visit_(std::move(visit)) {}
  bool other = false;

  rocksdb::Status PutCF(uint32_t cf, const rocksdb::Slice& key,
                        const rocksdb::Slice& value) override {
    visit_(cf, key, &value);
    return rocksdb::Status::OK();
  }
  rocksdb::Status DeleteCF(uint32_t cf, const rocksdb::Slice& key) override {
    visit_(cf, key, nullptr);
    return rocksdb::Status::OK();
  }
  void LogData(const rocksdb::Slice& /*blob*/) override { other = true; }
  rocksdb::Status SingleDeleteCF(uint32_t, const rocksdb::Slice&) override { return Other(); }
  rocksdb::Status DeleteRangeCF(uint32_t, const rocksdb::Slice&, const rocksdb::Slice&) override {
    return Other();
  }
  rocksdb::Status MergeCF(uint32_t, const rocksdb::Slice&, const rocksdb::Slice&) override {
    return Other();
  }
  rocksdb::Status PutBlobIndexCF(uint32_t, const rocksdb::Slice&, const rocksdb::Slice&) override {
    return Other();
  }

 private:
  rocksdb::Status Other() {
    other = true;
    return rocksdb::Status::Aborted();
  }
  Visit visit_;
};

// `batch`'s puts and deletes in key order per column family (equal keys
// keep their order, so the last write still wins), or nullopt when each
// column family's keys are in order already or it holds anything else. A
// memtable inserts keys in order faster: its skip list resumes each search
// where the previous insert left off.
std::optional<rocksdb::WriteBatch> InKeyOrder(
    const rocksdb::WriteBatch& batch, const std::vector<rocksdb::ColumnFamilyHandle*>& handles) {
  std::vector<rocksdb::ColumnFamilyHandle*> by_id;
  for (rocksdb::ColumnFamilyHandle* h : handles) {
    if (h->GetID() >= by_id.size()) by_id.resize(h->GetID() + 1, nullptr);
    by_id[h->GetID()] = h;
  }
  // First only check the order, which costs no copy (a keyword index flush,
  // up to hundreds of MB, comes in order).
  std::vector<std::optional<rocksdb::Slice>> last(by_id.size());
  bool unknown_cf = false, in_order = true;
  BatchEntries check([&](uint32_t cf, const rocksdb::Slice& key, const rocksdb::Slice*) {
    if (cf >= by_id.size() || by_id[cf] == nullptr) {
      unknown_cf = true;
      return;
    }
    if (last[cf] && key.compare(*last[cf]) < 0) in_order = false;
    last[cf] = key;
  });
  if (!batch.Iterate(&check).ok() || check.other || unknown_cf || in_order) return std::nullopt;

  struct Entry {
    uint32_t cf;
    rocksdb::Slice key;
    std::optional<rocksdb::Slice> value;  // nullopt: a delete
  };
  std::vector<Entry> entries;
  entries.reserve(batch.Count());
  BatchEntries collect([&](uint32_t cf, const rocksdb::Slice& key, const rocksdb::Slice* value) {
    entries.push_back({cf, key, value ? std::optional(*value) : std::nullopt});
  });
  if (!batch.Iterate(&collect).ok()) return std::nullopt;
  std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return a.cf != b.cf ? a.cf < b.cf : a.key.compare(b.key) < 0;
  });
  rocksdb::WriteBatch sorted(batch.GetDataSize());
  for (const Entry& e : entries) {
    rocksdb::Status st =
        e.value ? sorted.Put(by_id[e.cf], e.key, *e.value) : sorted.Delete(by_id[e.cf], e.key);
    if (!st.ok()) return std::nullopt;
  }
  return sorted;
}

// Names an exception thrown while the writer thread wrote a batch.
constexpr char kWriting[] = "storage: writing a batch of the commit";

}  // namespace

CommitSession::CommitSession(Database* db, std::unique_lock<std::timed_mutex> lock,
                             std::string principal)
    : db_(db),
      lock_(std::move(lock)),
      principal_(std::move(principal)),
      version_(db->LatestVersion() + 1),
      time_(db->NextCommitTime()),
      first_iid_(db->next_iid_),
      next_iid_(db->next_iid_) {}

CommitSession::~CommitSession() {
  // An unfinished session must not leave records behind; if even that fails,
  // the open_session marker makes the next Open remove them.
  if (!done_) IGNORE_STATUS(Abort());
  // A kRefuse commit that sees none left waits the moment lock_ takes.
  db_->bulk_sessions_.fetch_sub(1, std::memory_order_acq_rel);
  {
    std::lock_guard<std::mutex> lock(writer_mu_);
    stop_writer_ = true;
  }
  writer_cv_.notify_all();
  if (writer_.joinable()) writer_.join();
}

absl::Status CommitSession::Write(const std::function<absl::Status(CommitContext&)>& build) {
  if (done_) return absl::FailedPreconditionError("commit session already ended");
  if (!wrote_) RETURN_IF_ERROR(db_->ResumeAfterFailedWrite());
  std::unique_ptr<CommitContext> ctx(
      new CommitContext(db_, version_, time_, principal_, next_iid_));
  ctx->session_ = this;
  if (absl::Status built = build(*ctx); !built.ok()) {
    // Part of the batch may be written already, without the bookkeeping
    // (iids, audit items) that would make it whole: the session is over.
    if (ctx->written_early_) {
      std::lock_guard<std::mutex> lock(writer_mu_);
      written_.Update(built);
    }
    return built;
  }
  ctx->session_ = nullptr;
  // The build's reads waited for the batch before it already; a batch that
  // changed nothing still reports that batch's failure.
  RETURN_IF_ERROR(AwaitWritten());
  if (!ctx->changed()) return absl::OkStatus();
  ForgetTouched(*ctx);
  // The bookkeeping needs only the build. Should the write fail, the
  // session fails with it: Finish returns the error and commits nothing.
  // So must it if the bookkeeping or the handoff throws (out of memory),
  // or Finish would commit without this batch.
  absl::Status handed = NoThrow("storage: handing a batch to the commit's writer", [&] {
    wrote_ = true;
    next_iid_ = ctx->next_iid_;
    db_->next_iid_ = next_iid_;
    for (AuditItem& item : ctx->changed_) audit_items_.Add(std::move(item));
    if (ctx->audit_note_) audit_note_ = std::move(ctx->audit_note_);
    for (AuditEntry& e : ctx->extra_audit_) extra_audit_.push_back(std::move(e));
    for (auto& hook : ctx->on_committed_) on_committed_.push_back(std::move(hook));
    WriteInBackground(std::move(ctx));
    return absl::OkStatus();
  });
  if (!handed.ok()) {
    std::lock_guard<std::mutex> lock(writer_mu_);
    written_.Update(handed);
  }
  return handed;
}

void CommitSession::ForgetTouched(const CommitContext& ctx) {
  // A bulk batch touches too many nodes to list: the read cache starts over,
  // and refuses what readers below the session's version fetch meanwhile.
  if (db_->read_cache_ != nullptr &&
      !(ctx.touched_nodes_.empty() && ctx.touched_adjacency_.empty())) {
    db_->read_cache_->InvalidateAll(version_);
  }
}

absl::Status CommitSession::WriteNow(CommitContext& ctx) {
  RETURN_IF_ERROR(AwaitWritten());
  ctx.deferred_ = false;
  if (ctx.batch_.GetWriteBatch()->Count() == 0) return absl::OkStatus();
  ForgetTouched(ctx);
  // Abort and Finish now know there are records to remove, should this
  // write or the rest of the build fail.
  wrote_ = true;
  ctx.written_early_ = true;
  absl::Status st = NoThrow(kWriting, [&] { return WriteBatch(ctx, ctx.next_iid_); });
  {
    std::lock_guard<std::mutex> lock(writer_mu_);
    written_.Update(st);
  }
  RETURN_IF_ERROR(st);
  ctx.batch_.Clear();
  return absl::OkStatus();
}

void CommitSession::WriteInBackground(std::unique_ptr<CommitContext> ctx) {
  std::unique_lock<std::mutex> lock(writer_mu_);
  // Write waited for the batch before: the writer is idle.
  if (!writer_.joinable()) {
    try {
      writer_ = std::thread([this] { RunWriter(); });
    } catch (const std::system_error&) {
      // No thread to be had: this batch is written here, and so is the
      // next (which tries again).
      lock.unlock();
      absl::Status st = NoThrow(kWriting, [&] { return WriteBatch(*ctx, ctx->next_iid_); });
      lock.lock();
      written_.Update(st);
      return;
    }
  }
  handed_ = std::move(ctx);
  lock.unlock();
  writer_cv_.notify_all();
}

void CommitSession::RunWriter() {
  NameThisThread("import-writer");
  std::unique_lock<std::mutex> lock(writer_mu_);
  for (;;) {
    writer_cv_.wait(lock, [&] { return stop_writer_ || handed_ != nullptr; });
    if (handed_ == nullptr) return;
    CommitContext& ctx = *handed_;
    lock.unlock();
    absl::Status st = NoThrow(kWriting, [&] { return WriteBatch(ctx, ctx.next_iid_); });
    lock.lock();
    written_.Update(st);
    handed_.reset();
    writer_cv_.notify_all();
  }
}

absl::Status CommitSession::AwaitWritten() {
  std::unique_lock<std::mutex> lock(writer_mu_);
  writer_cv_.wait(lock, [&] { return handed_ == nullptr; });
  return written_;
}

absl::Status CommitSession::WriteBatch(CommitContext& ctx, std::optional<uint64_t> next_iid) {
  // One writer at a time. RocksDB takes concurrent writes, but overlapping
  // them bought nothing measurable here, and its handoff between writers
  // happens inside the prebuilt library, where TSan cannot see it: the
  // session's own lock keeps the two threads' writes visibly ordered.
  std::lock_guard<std::mutex> lock(write_mu_);
  // Ahead of the batch, through the WAL: the open-session marker (so Open
  // finds it and removes the session's records after a crash, however many
  // column families RocksDB flushed by then) and the iid counter (so ids
  // interned here are never handed out twice). RocksDB syncs the WAL before
  // it records the flush of any memtable written after it, so both reach
  // the disk before the batch can; the marker is synced all the same, once.
  rocksdb::WriteBatch ahead;
  if (!marker_written_) {
    std::string marker = keys::EncodeU64(version_);
    keys::AppendU64(&marker, first_iid_);
    ahead.Put(db_->handle(Cf::kDefault), keys::kOpenSessionKey, marker);
  }
  if (next_iid) ahead.Put(db_->handle(Cf::kDefault), keys::kNextIidKey, keys::EncodeU64(*next_iid));
  absl::Status st;
  if (ahead.Count() > 0) {
    rocksdb::WriteOptions ahead_options;
    ahead_options.sync = !marker_written_;
    st = FromRocks(db_->db_->Write(ahead_options, &ahead));
  }
  // The batch itself skips the WAL: Finish flushes every memtable before the
  // commit record, and a crash before that loses nothing that was visible.
  if (st.ok()) {
    marker_written_ = true;
    rocksdb::WriteOptions no_wal;
    no_wal.disableWAL = true;
    std::optional<rocksdb::WriteBatch> sorted =
        InKeyOrder(*ctx.batch_.GetWriteBatch(), db_->handles_);
    st = FromRocks(db_->db_->Write(no_wal, sorted ? &*sorted : ctx.batch_.GetWriteBatch()));
  }
  if (!st.ok()) db_->write_failed_.store(true);  // the next commit resumes writes first
  // The batch may have interned ids (id_cache.h).
  if (db_->id_cache_ != nullptr) db_->id_cache_->NoteInterned();
  return st;
}

absl::Status CommitSession::WriteAside(const std::function<absl::Status(CommitContext&)>& build) {
  // Reads only what the constructor set, so it may run beside Write. The
  // iid counter handed to the context is never used (see the contract).
  CommitContext ctx(db_, version_, time_, principal_, first_iid_);
  ctx.aside_ = true;
  RETURN_IF_ERROR(build(ctx));
  if (!ctx.changed()) return absl::OkStatus();
  RETURN_IF_ERROR(WriteBatch(ctx, std::nullopt));
  wrote_aside_.store(true);
  return absl::OkStatus();
}

absl::StatusOr<CommitOutcome> CommitSession::Finish(const std::string& description,
                                                    const std::function<bool()>& abandoned) {
  if (done_) return absl::FailedPreconditionError("commit session already ended");
  done_ = true;
  // Should anything below throw (bad_alloc, or `abandoned`) before the
  // commit record, the session's records stay under the version the next
  // commit takes, and no Abort() follows: that commit must remove them
  // first, as after a failed write.
  const int uncaught = std::uncaught_exceptions();
  absl::Cleanup on_throw = [this, uncaught] {
    if (std::uncaught_exceptions() > uncaught) db_->write_failed_.store(true);
  };
  // A write failed (and stopped writes until they are resumed; the failing
  // write says so too): the session's records go, best effort (Open retries).
  auto fail = [this](absl::Status st) {
    db_->write_failed_.store(true);
    IGNORE_STATUS(db_->RemoveVersion(version_, first_iid_));
    return st;
  };
  if (absl::Status st = AwaitWritten(); !st.ok()) return fail(st);
  if (!wrote_) {
    // Index records alone, with no node written, are not worth a commit.
    if (wrote_aside_.load()) {
      if (absl::Status st = db_->RemoveVersion(version_, first_iid_); !st.ok()) {
        db_->write_failed_.store(true);  // as in Abort
        return st;
      }
    }
    return CommitOutcome{version_ - 1, false};
  }
  // The batches skipped the WAL: every memtable holding them reaches the
  // disk before the commit record can, and no checkpoint lists its SST
  // files between the two (Database::checkpoint_mu_).
  std::unique_lock<std::mutex> no_checkpoint(db_->checkpoint_mu_);
  rocksdb::FlushOptions flush;
  flush.allow_write_stall = true;
  if (absl::Status st = FromRocks(db_->db_->Flush(flush, db_->handles_)); !st.ok()) {
    return fail(st);
  }
  if (abandoned && abandoned()) {
    // No commit record will make these records count: a backup meanwhile
    // copies them as an open session's, which its restore drops. So the
    // removal (a scan of whole column families) need not hold backups off.
    no_checkpoint.unlock();
    if (absl::Status st = db_->RemoveVersion(version_, first_iid_); !st.ok()) {
      db_->write_failed_.store(true);  // as in Abort
      return st;
    }
    return absl::CancelledError("commit session abandoned before its commit record");
  }
  rocksdb::WriteBatch batch;
  CommitRecord commit{version_, time_, principal_, description};
  batch.Put(db_->handle(Cf::kCommits), keys::CommitKey(version_), EncodeCommit(commit));
  batch.Put(db_->handle(Cf::kDefault), keys::kLastVersionKey, keys::EncodeU64(version_));
  batch.Delete(db_->handle(Cf::kDefault), keys::kOpenSessionKey);
  rocksdb::WriteOptions sync;
  sync.sync = true;
  // The audit entry goes only in this last batch: an aborted or crashed
  // session never reaches it, so it leaves no entry behind.
  std::vector<AuditEntry> entries = Database::CommitAuditEntries(
      commit, audit_note_, std::move(audit_items_), std::move(extra_audit_));
  if (absl::Status st = db_->audit_->AppendToBatch(&batch, std::move(entries), sync); !st.ok()) {
    return fail(st);
  }
  db_->last_version_.store(version_, std::memory_order_release);
  for (auto& hook : on_committed_) hook();  // the commit lock is still held
  return CommitOutcome{version_, true};
}

absl::Status CommitSession::Abort() {
  if (done_) return absl::OkStatus();
  done_ = true;
  // Whatever it did, the batch in flight must land before the removal.
  IGNORE_STATUS(AwaitWritten());
  if (!wrote_ && !wrote_aside_.load()) return absl::OkStatus();
  if (absl::Status st = db_->RemoveVersion(version_, first_iid_); !st.ok()) {
    // The session's records are still there, under the version the next
    // commit would take: that commit must remove them first
    // (ResumeAfterFailedWrite), as after a failed write.
    db_->write_failed_.store(true);
    return st;
  }
  return absl::OkStatus();
}

}  // namespace ctxgraph
