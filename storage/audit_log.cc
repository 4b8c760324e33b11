#include "storage/audit_log.h"

#include <algorithm>
#include <memory>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "storage/database.h"
#include "storage/keys.h"
#include "storage/status_macros.h"
#include "storage/thread_name.h"

namespace ctxgraph {
namespace {

std::string_view View(const rocksdb::Slice& s) { return std::string_view(s.data(), s.size()); }

// The longest the syncing thread sleeps without being woken.
constexpr std::chrono::milliseconds kIdleWait{100};

bool Names(const AuditItem& item, const std::string& node_id) {
  return item.node_id == node_id || (!item.edge_label.empty() && item.edge_to == node_id);
}

}  // namespace

void AuditItemCollector::Add(AuditItem item) {
  ++total_;
  digest_.Add(item);
  if (kept_.size() < kMaxAuditItems) kept_.push_back(std::move(item));
}

void AuditItemCollector::FillEntry(AuditEntry* entry) && {
  entry->items = std::move(kept_);
  entry->items_total = total_;
  entry->items_digest = digest_.Digest();
}

bool AuditFilter::Matches(const AuditEntry& e) const {
  if (!principal.empty() && e.principal != principal) return false;
  if (!action.empty() && e.action != action) return false;
  if (since && e.time.micros < since->micros) return false;
  if (until && e.time.micros >= until->micros) return false;
  if (!node_id.empty()) {
    return std::any_of(e.items.begin(), e.items.end(),
                       [this](const AuditItem& item) { return Names(item, node_id); });
  }
  return true;
}

AuditLog::AuditLog(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf, AuditSyncPolicy sync,
                   AuditWriteHooks hooks)
    : db_(db), cf_(cf), sync_(sync), hooks_(std::move(hooks)) {
  if (sync_.windowed()) syncer_ = std::thread([this] { SyncLoop(); });
}

AuditLog::~AuditLog() {
  if (!syncer_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(sync_mu_);
    stopping_ = true;
  }
  syncer_cv_.notify_all();
  syncer_.join();
  // What the thread had not synced yet; at shutdown a failure has no one
  // left to tell.
  if (!WritesStopped()) IGNORE_STATUS(SyncThrough(written_seq_.load(std::memory_order_acquire)));
}

void AuditLog::NoteFailure(const rocksdb::Status& s) const {
  if (!s.ok() && hooks_.write_failed) hooks_.write_failed();
}

std::unique_ptr<rocksdb::Iterator> AuditLog::NewIterator() const {
  return std::unique_ptr<rocksdb::Iterator>(db_->NewIterator(rocksdb::ReadOptions(), cf_));
}

absl::Status AuditLog::Load() {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = NewIterator();
  it->SeekToLast();
  if (!it->Valid()) {
    head_seq_ = 0;
    head_hash_ = ContentHash{};
    return FromRocks(it->status());
  }
  absl::StatusOr<uint64_t> seq = keys::DecodeAuditKey(View(it->key()));
  if (!seq.ok())
    return absl::DataLossError(absl::StrCat("audit log: last key: ", seq.status().message()));
  absl::StatusOr<AuditEntry> last = DecodeAuditEntry(View(it->value()));
  if (!last.ok()) {
    return absl::DataLossError(
        absl::StrCat("audit log: last entry ", *seq, ": ", last.status().message()));
  }
  head_seq_ = *seq;
  head_hash_ = last->hash;
  return absl::OkStatus();
}

uint64_t AuditLog::head_seq() const {
  std::lock_guard<std::mutex> lock(mu_);
  return head_seq_;
}

ContentHash AuditLog::head_hash() const {
  std::lock_guard<std::mutex> lock(mu_);
  return head_hash_;
}

absl::Status AuditLog::AppendLocked(rocksdb::WriteBatch* batch, std::vector<AuditEntry>* entries,
                                    const rocksdb::WriteOptions& options) {
  uint64_t seq = head_seq_;
  ContentHash prev = head_hash_;
  for (AuditEntry& entry : *entries) {
    entry.seq = ++seq;
    entry.prev_hash = prev;
    std::string body = EncodeAuditBody(entry);
    entry.hash = AuditBodyHash(prev, body);
    prev = entry.hash;
    RETURN_IF_ERROR(
        FromRocks(batch->Put(cf_, keys::AuditKey(entry.seq),
                             AuditEntryFromBody(std::move(body), entry.prev_hash, entry.hash))));
  }
  const rocksdb::Status written = db_->Write(options, batch);
  NoteFailure(written);
  RETURN_IF_ERROR(FromRocks(written));
  head_seq_ = seq;
  head_hash_ = prev;
  written_seq_.store(seq, std::memory_order_release);
  if (options.sync) {
    // A synced write syncs the WAL up to it, and every earlier entry was
    // written before it (under mu_): nothing is left for SyncLoop.
    std::lock_guard<std::mutex> sync_lock(sync_mu_);
    synced_seq_ = std::max(synced_seq_, seq);
    unsynced_since_.reset();
  }
  return absl::OkStatus();
}

absl::Status AuditLog::AppendToBatch(rocksdb::WriteBatch* batch, std::vector<AuditEntry> entries,
                                     const rocksdb::WriteOptions& options) {
  std::lock_guard<std::mutex> lock(mu_);
  return AppendLocked(batch, &entries, options);
}

absl::StatusOr<AuditEntry> AuditLog::Append(AuditEntry entry) {
  // What AuditItemCollector does, in place.
  AuditItemDigest digest;
  for (const AuditItem& item : entry.items) digest.Add(item);
  entry.items_total = entry.items.size();
  entry.items_digest = digest.Digest();
  if (entry.items.size() > kMaxAuditItems) entry.items.resize(kMaxAuditItems);
  if (entry.time.micros == 0) entry.time = Now();
  // Before the mutex: resuming takes Database's commit lock, which comes
  // first in the lock order.
  if (hooks_.resume) RETURN_IF_ERROR(hooks_.resume());
  rocksdb::WriteBatch batch;
  std::vector<AuditEntry> entries;
  entries.push_back(std::move(entry));
  {
    std::lock_guard<std::mutex> lock(mu_);
    RETURN_IF_ERROR(AppendLocked(&batch, &entries, rocksdb::WriteOptions()));
  }
  // Outside the mutex, so concurrent appenders share one fsync; syncing the
  // WAL makes every earlier entry durable too.
  const uint64_t seq = entries.front().seq;
  if (sync_.windowed()) {
    RETURN_IF_ERROR(SyncWithinWindow(seq));
  } else if (sync_.per_call()) {
    RETURN_IF_ERROR(SyncThrough(seq));
  }
  return std::move(entries.front());
}

absl::Status AuditLog::SyncWithinWindow(uint64_t seq) {
  const auto now = std::chrono::steady_clock::now();
  bool overdue = false;
  bool first_unsynced = false;
  {
    std::lock_guard<std::mutex> lock(sync_mu_);
    if (synced_seq_ >= seq) return absl::OkStatus();
    first_unsynced = !unsynced_since_;
    if (first_unsynced) unsynced_since_ = now;
    overdue = now - *unsynced_since_ > sync_.window;
  }
  // Only the first unsynced entry wakes SyncLoop: with unsynced_since_ set
  // it is already waiting for that entry's due time or syncing, and every
  // sync's end wakes it again. After sync_mu_ was taken: SyncLoop checks
  // for work under it before it waits, so this wake-up cannot fall between
  // its check and its wait.
  if (first_unsynced) syncer_cv_.notify_one();
  return overdue ? SyncThrough(seq) : absl::OkStatus();
}

void AuditLog::SyncLoop() {
  NameThisThread("audit-sync");
  std::unique_lock<std::mutex> lock(sync_mu_);
  while (!stopping_) {
    const uint64_t written = written_seq_.load(std::memory_order_acquire);
    if (written <= synced_seq_ || syncing_ || WritesStopped()) {
      // Woken by the next append or the running sync's end; the timeout
      // bounds the cost of a wake-up lost to a bug, and how long stopped
      // writes, once resumed, go unnoticed here.
      syncer_cv_.wait_for(lock, kIdleWait);
      continue;
    }
    // Group commit: entries gather for half the window after the oldest
    // unsynced one, so one fsync covers them all; the other half is for the
    // sync itself, before appenders start to wait.
    const auto now = std::chrono::steady_clock::now();
    const auto due = unsynced_since_.value_or(now) + sync_.window / 2;
    if (now < due) {
      syncer_cv_.wait_until(lock, due);
      continue;
    }
    lock.unlock();
    const absl::Status synced = SyncThrough(written_seq_.load(std::memory_order_acquire));
    lock.lock();
    // Failed: the failure was reported (NoteFailure) and the next append
    // resumes writes or fails; retry, but not in a tight loop.
    if (!synced.ok()) syncer_cv_.wait_for(lock, kIdleWait);
  }
}

absl::Status AuditLog::SyncThrough(uint64_t seq) {
  std::unique_lock<std::mutex> lock(sync_mu_);
  for (;;) {
    if (synced_seq_ >= seq) return absl::OkStatus();
    if (!syncing_) break;
    sync_cv_.wait(lock);
  }
  syncing_ = true;
  // Every entry up to `target` was written before this sync starts.
  const uint64_t target = written_seq_.load(std::memory_order_acquire);
  const auto began = std::chrono::steady_clock::now();
  lock.unlock();
  const rocksdb::Status s = db_->SyncWAL();
  NoteFailure(s);
  lock.lock();
  syncing_ = false;
  if (s.ok()) {
    synced_seq_ = std::max(synced_seq_, target);
    // Entries after `target` were written after this sync began.
    if (synced_seq_ >= written_seq_.load(std::memory_order_acquire)) {
      unsynced_since_.reset();
    } else if (unsynced_since_) {
      unsynced_since_ = std::max(*unsynced_since_, began);
    } else {
      unsynced_since_ = began;
    }
  }
  // On failure a waiter finds its entry unsynced and tries again itself.
  sync_cv_.notify_all();
  syncer_cv_.notify_one();
  return FromRocks(s);
}

uint64_t AuditLog::synced_seq() const {
  std::lock_guard<std::mutex> lock(sync_mu_);
  return synced_seq_;
}

absl::StatusOr<AuditVerifyResult> AuditLog::Verify() const {
  AuditVerifyResult result;
  std::unique_ptr<rocksdb::Iterator> it;
  {
    // The iterator's implicit snapshot and the head are taken together, so
    // appends racing with the walk are neither seen nor expected.
    std::lock_guard<std::mutex> lock(mu_);
    it = NewIterator();
    result.head_seq = head_seq_;
    result.head_hash = head_hash_;
  }
  const auto fail = [&result](uint64_t seq, std::string reason) {
    result.ok = false;
    result.first_bad_seq = seq;
    result.reason = std::move(reason);
    return result;
  };
  ContentHash prev{};
  uint64_t expected = 1;
  for (it->SeekToFirst(); it->Valid(); it->Next(), ++expected) {
    absl::StatusOr<uint64_t> seq = keys::DecodeAuditKey(View(it->key()));
    if (!seq.ok()) return fail(expected, "key is not a sequence number");
    if (*seq != expected) {
      return fail(expected, absl::StrCat("entry is missing (the next entry is ", *seq, ")"));
    }
    absl::StatusOr<AuditEntry> entry = DecodeAuditEntry(View(it->value()));
    if (!entry.ok()) return fail(expected, std::string(entry.status().message()));
    if (entry->seq != expected) {
      return fail(expected, absl::StrCat("holds entry ", entry->seq, ": entries reordered"));
    }
    if (entry->prev_hash != prev) {
      return fail(expected, expected == 1 ? "prev_hash of the first entry is not zero"
                                          : absl::StrCat("prev_hash does not match entry ",
                                                         expected - 1, ": entries reordered"));
    }
    if (AuditEntryHash(*entry) != entry->hash) {
      return fail(expected, "hash does not match the content: entry edited");
    }
    prev = entry->hash;
    ++result.entries_checked;
  }
  RETURN_IF_ERROR(FromRocks(it->status()));
  if (result.entries_checked < result.head_seq) {
    return fail(result.entries_checked + 1,
                absl::StrCat("entry is missing (the log ends at ", result.entries_checked,
                             ", its head is ", result.head_seq, ")"));
  }
  if (result.entries_checked > result.head_seq) {
    return fail(result.head_seq + 1, "entry is beyond the head: not written by the log");
  }
  if (prev != result.head_hash) {
    return fail(result.head_seq, "hash differs from the head's: entry replaced");
  }
  return result;
}

absl::StatusOr<AuditPage> AuditLog::List(const AuditFilter& filter, uint64_t after_seq,
                                         size_t limit, size_t max_bytes, size_t max_scanned) const {
  AuditPage page;
  if (after_seq == ~uint64_t{0}) return page;
  size_t bytes = 0;
  size_t scanned = 0;
  auto it = NewIterator();
  for (it->Seek(keys::AuditKey(after_seq + 1)); it->Valid(); it->Next()) {
    if (scanned == max_scanned) {  // the budget is spent and an entry is left
      page.more = true;
      break;
    }
    ++scanned;
    // Resume by the key's seq, not the entry's own field: an entry edited
    // to claim an earlier seq must not send the next page back over it.
    absl::StatusOr<uint64_t> seq = keys::DecodeAuditKey(View(it->key()));
    absl::StatusOr<AuditEntry> entry = DecodeAuditEntry(View(it->value()));
    if (!entry.ok()) {
      return absl::DataLossError(
          absl::StrCat("audit entry ", seq.ok() ? *seq : 0, ": ", entry.status().message()));
    }
    if (!seq.ok()) return absl::DataLossError(absl::StrCat("audit key: ", seq.status().message()));
    if (!filter.Matches(*entry)) {
      page.resume_after = *seq;
      continue;
    }
    if (page.entries.size() == limit || bytes >= max_bytes) {
      page.more = true;
      break;
    }
    bytes += it->value().size();
    page.resume_after = *seq;
    page.entries.push_back(*std::move(entry));
  }
  RETURN_IF_ERROR(FromRocks(it->status()));
  return page;
}

}  // namespace ctxgraph
