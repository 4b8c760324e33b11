#include "storage/database.h"

#include <openssl/rand.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <system_error>
#include <thread>

#include "absl/cleanup/cleanup.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "rocksdb/cache.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/listener.h"
#include "rocksdb/table.h"
#include "storage/keys.h"
#include "storage/record_codec.h"
#include "storage/status_macros.h"
#include "storage/thread_name.h"

namespace ctxgraph {
namespace {

const char* CfName(int i) {
  switch (static_cast<Cf>(i)) {
    case Cf::kDefault:
      return rocksdb::kDefaultColumnFamilyName.c_str();
    case Cf::kNodeIds:
      return keys::kNodeIdsCf;
    case Cf::kNodes:
      return keys::kNodesCf;
    case Cf::kOutEdges:
      return keys::kOutEdgesCf;
    case Cf::kInEdges:
      return keys::kInEdgesCf;
    case Cf::kLabelIndex:
      return keys::kLabelIndexCf;
    case Cf::kCommits:
      return keys::kCommitsCf;
    case Cf::kPrincipals:
      return keys::kPrincipalsCf;
    case Cf::kTokens:
      return keys::kTokensCf;
    case Cf::kTextPostings:
      return keys::kTextPostingsCf;
    case Cf::kTextStats:
      return keys::kTextStatsCf;
    case Cf::kBoundarySets:
      return keys::kBoundarySetsCf;
    case Cf::kBoundaryLog:
      return keys::kBoundaryLogCf;
    case Cf::kAudit:
      return keys::kAuditCf;
    case Cf::kLabels:
      return keys::kLabelsCf;
    case Cf::kCount:
      break;
  }
  return "";
}

// The column families whose keys end in ~version (keys.h).
constexpr Cf kVersionedCfs[] = {Cf::kNodes,      Cf::kOutEdges, Cf::kInEdges,      Cf::kLabelIndex,
                                Cf::kPrincipals, Cf::kLabels,   Cf::kTextPostings, Cf::kTextStats};

// Database::FragmentedFamilies: a family of at least this many SST files,
// averaging under kSmallSstBytes, is compacted fully when the database opens.
// A memtable-sized flush (64 MiB) is never small; 64 files is too few to
// slow anything yet, and few enough that the compaction is short.
constexpr size_t kFragmentedSstFiles = 64;
constexpr uint64_t kSmallSstBytes = 4 << 20;

bool IsVersioned(Cf cf) {
  return std::find(std::begin(kVersionedCfs), std::end(kVersionedCfs), cf) !=
         std::end(kVersionedCfs);
}

// The audit entry of `commit`: the builder's note (or "commit" and the
// description) and the records it changed.
AuditEntry CommitAuditEntry(const CommitRecord& commit, const std::optional<AuditNote>& note,
                            AuditItemCollector items) {
  AuditEntry entry;
  entry.time = commit.time;
  entry.principal = commit.principal;
  entry.action = note ? note->action : "commit";
  entry.summary = note ? note->summary : commit.description;
  entry.snapshot_version = commit.version;
  std::move(items).FillEntry(&entry);
  return entry;
}

AuditItemCollector Collect(std::vector<AuditItem> changed) {
  AuditItemCollector items;
  for (AuditItem& item : changed) items.Add(std::move(item));
  return items;
}

// Turns RocksDB's own recovery from a full disk off, so that recovery is
// always the next write's Resume() (Database::ResumeAfterFailedWrite): it
// succeeds as soon as space is back, where RocksDB's file manager would
// retry only every 5 s and, until then, answer every Resume() "Resource
// busy".
//
// A background flush or compaction that fails stops writes too, without any
// write of ours failing: OnBackgroundError marks it, so the next write
// resumes first instead of failing on an error that is not its own.
class ResumeOnNextWrite : public rocksdb::EventListener {
 public:
  // `write_failed` is Database::write_failed_, which outlives the DB.
  explicit ResumeOnNextWrite(std::atomic<bool>* write_failed) : write_failed_(write_failed) {}

  void OnBackgroundError(rocksdb::BackgroundErrorReason /*reason*/,
                         rocksdb::Status* bg_error) override {
    if (bg_error != nullptr && !bg_error->ok()) write_failed_->store(true);
  }

  void OnErrorRecoveryBegin(rocksdb::BackgroundErrorReason /*reason*/, rocksdb::Status bg_error,
                            bool* auto_recovery) override {
    bg_error.PermitUncheckedError();
    *auto_recovery = false;
  }

 private:
  std::atomic<bool>* write_failed_;
};

}  // namespace

std::vector<AuditEntry> Database::CommitAuditEntries(const CommitRecord& commit,
                                                     const std::optional<AuditNote>& note,
                                                     AuditItemCollector items,
                                                     std::vector<AuditEntry> extra) {
  std::vector<AuditEntry> entries;
  entries.reserve(1 + extra.size());
  entries.push_back(CommitAuditEntry(commit, note, std::move(items)));
  for (AuditEntry& e : extra) {
    e.time = commit.time;
    e.principal = commit.principal;
    e.snapshot_version = commit.version;
    Collect(std::move(e.items)).FillEntry(&e);
    entries.push_back(std::move(e));
  }
  return entries;
}

absl::Status FromRocks(const rocksdb::Status& s) {
  if (s.ok()) return absl::OkStatus();
  const std::string msg = absl::StrCat("storage: ", s.ToString());
  if (s.IsNotFound()) return absl::NotFoundError(msg);
  if (s.IsCorruption()) return absl::DataLossError(msg);
  if (s.IsNoSpace()) return absl::ResourceExhaustedError(msg);
  if (s.IsIOError() || s.IsBusy() || s.IsTryAgain() || s.IsTimedOut()) {
    return absl::UnavailableError(msg);
  }
  if (s.IsInvalidArgument()) return absl::InvalidArgumentError(msg);
  return absl::InternalError(msg);
}

Timestamp Now() {
  using namespace std::chrono;
  return Timestamp{duration_cast<microseconds>(system_clock::now().time_since_epoch()).count()};
}

absl::StatusOr<std::optional<std::string>> NewestAtOrBefore(rocksdb::Iterator* it,
                                                            std::string_view prefix,
                                                            std::string_view seek_key) {
  it->Seek(rocksdb::Slice(seek_key.data(), seek_key.size()));
  if (!it->Valid()) {
    RETURN_IF_ERROR(FromRocks(it->status()));
    return std::nullopt;
  }
  if (!it->key().starts_with(rocksdb::Slice(prefix.data(), prefix.size()))) return std::nullopt;
  return it->value().ToString();
}

CommitContext::CommitContext(Database* db, uint64_t version, Timestamp time, std::string principal,
                             uint64_t next_iid)
    : db_(db),
      version_(version),
      time_(time),
      principal_(std::move(principal)),
      next_iid_(next_iid),
      batch_(rocksdb::BytewiseComparator(), 0, /*overwrite_key=*/true) {}

void CommitContext::Put(Cf cf, std::string_view key, std::string_view value) {
  // WriteBatchWithIndex::Put only fails on oversized batches (>4 GiB), which
  // the server's batch limits rule out.
  IGNORE_STATUS(batch_.Put(db_->handle(cf), rocksdb::Slice(key.data(), key.size()),
                           rocksdb::Slice(value.data(), value.size())));
  NoteTouched(cf, key);
}

void CommitContext::NoteTouched(Cf cf, std::string_view key) {
  if (cf != Cf::kNodes && cf != Cf::kOutEdges && cf != Cf::kInEdges) return;
  // Every key of these families starts with the node's iid (keys.h).
  const uint64_t iid = keys::ReadU64(key, 0).value_or(0);
  (cf == Cf::kNodes ? touched_nodes_ : touched_adjacency_).push_back(iid);
}

void CommitContext::PutUnindexed(Cf cf, std::string_view key, std::string_view value) {
  // Appending to the indexed batch's own WriteBatch keeps one atomic batch;
  // the index only misses this entry, which no read of this commit wants.
  IGNORE_STATUS(batch_.GetWriteBatch()->Put(db_->handle(cf), rocksdb::Slice(key.data(), key.size()),
                                            rocksdb::Slice(value.data(), value.size())));
  NoteTouched(cf, key);
}

void CommitContext::PutDeferred(Cf cf, std::string_view key, std::string_view value) {
  if (session_ == nullptr) return Put(cf, key, value);
  deferred_ = true;
  PutUnindexed(cf, key, value);
}

absl::Status CommitContext::AwaitEarlierBatches() {
  return session_ != nullptr ? session_->AwaitWritten() : absl::OkStatus();
}

absl::Status CommitContext::BeforeRead() {
  // Any read, not only one of a family with a deferred put: an iterator
  // opened on the batch now would be invalid once a later read empties it.
  return deferred_ ? session_->WriteNow(*this) : AwaitEarlierBatches();
}

absl::StatusOr<bool> CommitContext::Get(Cf cf, std::string_view key, std::string* value) {
  RETURN_IF_ERROR(BeforeRead());
  rocksdb::Status s =
      batch_.GetFromBatchAndDB(db_->rocks(), rocksdb::ReadOptions(), db_->handle(cf),
                               rocksdb::Slice(key.data(), key.size()), value);
  if (s.IsNotFound()) return false;
  RETURN_IF_ERROR(FromRocks(s));
  return true;
}

void CommitContext::NoteNodeChanged(std::string_view id) {
  changed_.push_back(AuditItem{std::string(id), "", "", version_});
}

void CommitContext::NoteEdgeChanged(std::string_view from, std::string_view label,
                                    std::string_view to) {
  changed_.push_back(AuditItem{std::string(from), std::string(label), std::string(to), version_});
}

std::unique_ptr<rocksdb::Iterator> CommitContext::NewIterator(Cf cf) {
  if (absl::Status st = BeforeRead(); !st.ok()) {
    return std::unique_ptr<rocksdb::Iterator>(rocksdb::NewErrorIterator(
        rocksdb::Status::IOError("an earlier batch of the commit failed",
                                 rocksdb::Slice(st.message().data(), st.message().size()))));
  }
  return std::unique_ptr<rocksdb::Iterator>(batch_.NewIteratorWithBase(
      db_->handle(cf), db_->rocks()->NewIterator(rocksdb::ReadOptions(), db_->handle(cf))));
}

absl::StatusOr<std::unique_ptr<Database>> Database::Open(const std::string& path,
                                                         const DatabaseOptions& options) {
  rocksdb::Options db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.paranoid_checks = true;
  if (options.env) db_options.env = options.env.get();
  db_options.IncreaseParallelism(2);
  // One budget for the memtables of every column family, so a bulk import
  // that writes five of them at once stays within a known amount of memory.
  db_options.db_write_buffer_size = options.memtable_budget_bytes;

  rocksdb::BlockBasedTableOptions table;
  table.block_cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  // Point lookups (node ids, tokens) mostly miss on a new id during imports:
  // a bloom filter answers those without reading data blocks.
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  rocksdb::ColumnFamilyOptions cf_options;
  cf_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));

  std::unique_ptr<Database> db(new Database());
  db_options.listeners.push_back(std::make_shared<ResumeOnNextWrite>(&db->write_failed_));
  // Only versioned column families lose history to the horizon; the meta,
  // commit log, audit log and interning families are never filtered.
  rocksdb::ColumnFamilyOptions versioned_options = cf_options;
  versioned_options.compaction_filter_factory = db->horizon_->NewFilterFactory();
  // Searches scan postings block after block and never Get them: larger
  // data blocks mean fewer block-cache lookups per scanned posting block
  // (several hundred bytes each), and no bloom filter to build. Files
  // written before keep their blocks until compacted; both kinds read alike.
  rocksdb::BlockBasedTableOptions scanned_table = table;
  scanned_table.block_size = 16 << 10;
  scanned_table.filter_policy.reset();
  rocksdb::ColumnFamilyOptions postings_options = versioned_options;
  // Posting blocks are delta-coded varints already: Snappy took a 1M-node
  // load's 183 MiB of them to 180 MiB, a tenth of the bytes its flushes
  // compress.
  postings_options.compression = rocksdb::kNoCompression;
  postings_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(scanned_table));
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (int i = 0; i < static_cast<int>(Cf::kCount); ++i) {
    const Cf cf = static_cast<Cf>(i);
    descriptors.emplace_back(CfName(i), cf == Cf::kTextPostings ? postings_options
                                        : IsVersioned(cf)       ? versioned_options
                                                                : cf_options);
  }

  db->retention_ = std::make_unique<HistoryRetention>(db.get(), options.history_retention,
                                                      options.receipt_action);
  rocksdb::DB* raw = nullptr;
  RETURN_IF_ERROR(FromRocks(rocksdb::DB::Open(db_options, path, descriptors, &db->handles_, &raw)));
  db->db_.reset(raw);
  db->write_options_.sync = options.sync_writes;
  RETURN_IF_ERROR(db->LoadMeta());
  if (options.read_cache_bytes > 0) {
    db->read_cache_ = std::make_unique<ReadCache>(options.read_cache_bytes);
    // Commits before this one invalidated nothing here: a read as of an
    // older version may not assume it saw the newest record.
    db->read_cache_->InvalidateAll(db->LatestVersion());
  }
  if (options.id_cache_bytes > 0) db->id_cache_ = std::make_unique<IdCache>(options.id_cache_bytes);
  Database* self = db.get();
  AuditWriteHooks hooks;
  hooks.write_failed = [self] { self->write_failed_.store(true); };
  hooks.resume = [self] { return self->ResumeBeforeAppend(); };
  hooks.writes_stopped = [self] { return self->write_failed_.load(); };
  db->audit_ = std::make_unique<AuditLog>(
      raw, db->handle(Cf::kAudit),
      AuditSyncPolicy{options.sync_audit_appends, options.audit_sync_window}, std::move(hooks));
  RETURN_IF_ERROR(db->audit_->Load());
  // Merges the small files restarts and WAL-driven flushes leave behind, so
  // their number (and the file handles and index blocks they cost) stays
  // bounded; kForce, because merging happens at the bottommost level.
  if (std::vector<Cf> fragmented = db->FragmentedFamilies(); !fragmented.empty()) {
    db->CompactInBackground(std::move(fragmented), rocksdb::BottommostLevelCompaction::kForce);
  }
  return db;
}

absl::Status VerifyDatabaseChecksums(const std::string& path) {
  // Only a missing CURRENT means there is no database. Any other failure
  // to list the column families (an unreadable CURRENT, a MANIFEST it names
  // gone) is a database that cannot be read, and keeps its own code.
  std::error_code ec;
  if (!std::filesystem::exists(std::filesystem::path(path) / "CURRENT", ec)) {
    if (ec) {
      return absl::UnavailableError(
          absl::StrCat("storage: cannot look for a database at ", path, ": ", ec.message()));
    }
    return absl::NotFoundError(absl::StrCat("no database at ", path, ": no CURRENT file"));
  }
  rocksdb::Options options;
  options.paranoid_checks = true;
  std::vector<std::string> names;
  RETURN_IF_ERROR(FromRocks(rocksdb::DB::ListColumnFamilies(options, path, &names)));
  // The stored names rather than CfName: a check must read what is there.
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const std::string& name : names) {
    descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  RETURN_IF_ERROR(
      FromRocks(rocksdb::DB::OpenForReadOnly(options, path, descriptors, &handles, &raw)));
  std::unique_ptr<rocksdb::DB> db(raw);
  absl::Status verified = FromRocks(db->VerifyChecksum());
  for (auto* h : handles) IGNORE_STATUS(db->DestroyColumnFamilyHandle(h));
  IGNORE_STATUS(db->Close());
  return verified;
}

Database::~Database() {
  if (db_) db_->DisableManualCompaction();  // lets a background CompactRange return
  std::thread compaction;
  {
    std::lock_guard<std::mutex> lock(compaction_mu_);
    compaction_stopped_ = true;
    compaction = std::move(compaction_);
  }
  if (compaction.joinable()) compaction.join();
  audit_.reset();  // its syncing thread uses the database, and syncs last
  for (auto* h : handles_) {
    // Destroying a handle cannot fail in a way we could act on at shutdown.
    IGNORE_STATUS(db_->DestroyColumnFamilyHandle(h));
  }
  if (db_) IGNORE_STATUS(db_->Close());
}

absl::Status Database::LoadMeta() {
  std::string value;
  ASSIGN_OR_RETURN(bool has_format, Get(Cf::kDefault, keys::kFormatKey, &value));
  if (!has_format) {
    // A new database: write the format marker and a random secret together.
    created_ = true;
    secret_.resize(32);
    if (RAND_bytes(reinterpret_cast<unsigned char*>(secret_.data()), 32) != 1) {
      return absl::InternalError("storage: no randomness for the database secret");
    }
    rocksdb::WriteBatch batch;
    batch.Put(handle(Cf::kDefault), keys::kFormatKey, kDatabaseFormat);
    batch.Put(handle(Cf::kDefault), keys::kPageSecretKey, secret_);
    batch.Put(handle(Cf::kDefault), keys::kInheritedKey, "1");  // nothing to backfill
    rocksdb::WriteOptions sync;
    sync.sync = true;
    RETURN_IF_ERROR(FromRocks(db_->Write(sync, &batch)));
    return LoadRedactionKey();
  }
  if (value == kPreviousDatabaseFormat) {
    rocksdb::WriteOptions sync;
    sync.sync = true;
    RETURN_IF_ERROR(
        FromRocks(db_->Put(sync, handle(Cf::kDefault), keys::kFormatKey, kDatabaseFormat)));
  } else if (value != kDatabaseFormat) {
    return absl::FailedPreconditionError(
        absl::StrCat("storage: unknown data format \"", value, "\""));
  }
  ASSIGN_OR_RETURN(bool has_secret, Get(Cf::kDefault, keys::kPageSecretKey, &secret_));
  if (!has_secret || secret_.size() != 32) return absl::DataLossError("storage: secret missing");
  RETURN_IF_ERROR(LoadRedactionKey());
  ASSIGN_OR_RETURN(bool has_version, Get(Cf::kDefault, keys::kLastVersionKey, &value));
  if (has_version) {
    ASSIGN_OR_RETURN(uint64_t v, keys::ReadU64(value, 0));
    last_version_.store(v);
    if (v > 0) {
      ASSIGN_OR_RETURN(CommitRecord last, GetCommit(v));
      last_commit_micros_ = last.time.micros;
    }
  }
  ASSIGN_OR_RETURN(bool has_iid, Get(Cf::kDefault, keys::kNextIidKey, &value));
  if (has_iid) {
    ASSIGN_OR_RETURN(next_iid_, keys::ReadU64(value, 0));
  }
  RETURN_IF_ERROR(LoadHistoryHorizon());
  return RemoveOpenSession();
}

absl::Status Database::RemoveOpenSession() {
  std::string value;
  ASSIGN_OR_RETURN(bool open_session, Get(Cf::kDefault, keys::kOpenSessionKey, &value));
  if (!open_session) return absl::OkStatus();
  // A bulk commit was interrupted: it never became visible, so remove it.
  ASSIGN_OR_RETURN(uint64_t version, keys::ReadU64(value, 0));
  ASSIGN_OR_RETURN(uint64_t first_iid, keys::ReadU64(value, 8));
  return RemoveVersion(version, first_iid);
}

absl::Status Database::LoadRedactionKey() {
  ASSIGN_OR_RETURN(bool found, Get(Cf::kDefault, keys::kRedactionKey, &redaction_key_));
  if (found) {
    if (redaction_key_.size() != 32) return absl::DataLossError("storage: redaction key damaged");
    return absl::OkStatus();
  }
  redaction_key_.resize(32);
  if (RAND_bytes(reinterpret_cast<unsigned char*>(redaction_key_.data()), 32) != 1) {
    return absl::InternalError("storage: no randomness for the redaction key");
  }
  // Synced: a key that opaque ids were handed out under must survive a crash.
  rocksdb::WriteOptions sync;
  sync.sync = true;
  return FromRocks(db_->Put(sync, handle(Cf::kDefault), keys::kRedactionKey, redaction_key_));
}

absl::Status Database::LoadHistoryHorizon() {
  // Compactions may already run: the voided versions go in before the
  // horizon, since a filter made with the horizon but not them would count
  // a voided record as the one to keep and drop the live one under it.
  std::string value;
  ASSIGN_OR_RETURN(bool has_voided, Get(Cf::kDefault, keys::kVoidedVersionsKey, &value));
  if (has_voided) {
    if (value.size() % 8 != 0) return absl::DataLossError("storage: voided versions damaged");
    std::vector<uint64_t> voided;
    for (size_t pos = 0; pos < value.size(); pos += 8) {
      ASSIGN_OR_RETURN(uint64_t v, keys::ReadU64(value, pos));
      voided.push_back(v);
    }
    horizon_->SetVoided(std::move(voided));
  }
  ASSIGN_OR_RETURN(bool has_horizon, Get(Cf::kDefault, keys::kHistoryHorizonKey, &value));
  if (has_horizon) {
    ASSIGN_OR_RETURN(uint64_t h, keys::ReadU64(value, 0));
    horizon_->Load(h);
  }
  return absl::OkStatus();
}

absl::Status Database::CompactVersioned() {
  rocksdb::CompactRangeOptions options;
  options.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  for (Cf cf : kVersionedCfs) {
    RETURN_IF_ERROR(FromRocks(db_->CompactRange(options, handle(cf), nullptr, nullptr)));
  }
  return absl::OkStatus();
}

absl::Status Database::RemoveVersion(uint64_t version, uint64_t first_iid) {
  // Whatever is deleted below, and however this returns, readers must not
  // keep the session's id mappings (id_cache.h).
  absl::Cleanup forget_ids = [this] {
    if (id_cache_ != nullptr) id_cache_->Forget();
  };
  {
    // Voided before anything is deleted: a record of `version` may outlive
    // its delete in a lower level, and must never shadow older history
    // (history_horizon.h). Versions are reused, so the list stays short.
    std::vector<uint64_t> voided = horizon_->voided();
    if (!std::binary_search(voided.begin(), voided.end(), version)) {
      voided.insert(std::upper_bound(voided.begin(), voided.end(), version), version);
      std::string value;
      for (uint64_t v : voided) keys::AppendU64(&value, v);
      rocksdb::WriteOptions sync;
      sync.sync = true;
      RETURN_IF_ERROR(
          FromRocks(db_->Put(sync, handle(Cf::kDefault), keys::kVoidedVersionsKey, value)));
      horizon_->SetVoided(std::move(voided));
    }
  }
  {
    // Point deletes, not DeleteRange: RocksDB 7.8 asserts when it retries
    // switching out a memtable that holds a range tombstone after a failed
    // attempt (fixed upstream in 2024, PR 12796), which a failing disk causes.
    const std::string prefix = keys::EncodeU64(version);
    auto it = NewIterator(Cf::kBoundaryLog);
    rocksdb::WriteBatch batch;
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
      batch.Delete(handle(Cf::kBoundaryLog), it->key());
      if (batch.Count() >= 10000) {
        RETURN_IF_ERROR(FromRocks(db_->Write(rocksdb::WriteOptions(), &batch)));
        batch.Clear();
      }
    }
    RETURN_IF_ERROR(FromRocks(it->status()));
    RETURN_IF_ERROR(FromRocks(db_->Write(rocksdb::WriteOptions(), &batch)));
  }
  for (Cf cf : {Cf::kNodes, Cf::kOutEdges, Cf::kInEdges, Cf::kLabelIndex, Cf::kPrincipals,
                Cf::kLabels, Cf::kTextPostings, Cf::kTextStats, Cf::kNodeIds}) {
    auto it = NewIterator(cf);
    rocksdb::WriteBatch batch;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      const rocksdb::Slice key = it->key();
      bool remove = false;
      if (cf == Cf::kNodeIds) {
        // Ids the session interned have no record left: forget them, so a
        // re-run sees new nodes (and takes the fast path for new nodes).
        const rocksdb::Slice value = it->value();
        ASSIGN_OR_RETURN(uint64_t iid,
                         keys::ReadU64(std::string_view(value.data(), value.size()), 0));
        remove = iid >= first_iid;
      } else {
        ASSIGN_OR_RETURN(uint64_t v,
                         keys::VersionOfVersionedKey(std::string_view(key.data(), key.size())));
        remove = v == version;
      }
      if (remove) batch.Delete(handle(cf), key);
      if (batch.Count() >= 10000) {
        RETURN_IF_ERROR(FromRocks(db_->Write(rocksdb::WriteOptions(), &batch)));
        batch.Clear();
      }
    }
    RETURN_IF_ERROR(FromRocks(it->status()));
    RETURN_IF_ERROR(FromRocks(db_->Write(rocksdb::WriteOptions(), &batch)));
  }
  rocksdb::WriteBatch done;
  done.Delete(handle(Cf::kDefault), keys::kOpenSessionKey);
  rocksdb::WriteOptions sync;
  sync.sync = true;
  RETURN_IF_ERROR(FromRocks(db_->Write(sync, &done)));
  // The deletes leave tombstones that slow every scan across them until
  // compaction drops them: compact now, in the background.
  CompactInBackground({Cf::kNodes, Cf::kOutEdges, Cf::kInEdges, Cf::kLabelIndex, Cf::kPrincipals,
                       Cf::kLabels, Cf::kTextPostings, Cf::kTextStats, Cf::kNodeIds},
                      rocksdb::BottommostLevelCompaction::kIfHaveCompactionFilter);
  return absl::OkStatus();
}

void Database::CompactInBackground(std::vector<Cf> cfs,
                                   rocksdb::BottommostLevelCompaction bottommost) {
  std::unique_lock<std::mutex> lock(compaction_mu_);
  if (compaction_stopped_) return;
  for (Cf cf : cfs) {
    auto same = std::find_if(pending_compactions_.begin(), pending_compactions_.end(),
                             [&](const PendingCompaction& p) { return p.cf == cf; });
    if (same == pending_compactions_.end()) {
      pending_compactions_.push_back({cf, bottommost});
    } else if (bottommost == rocksdb::BottommostLevelCompaction::kForce) {
      same->bottommost = bottommost;
    }
  }
  // One thread at most, whatever the number of callers (each aborted
  // session asks for one): a running thread takes these up next.
  if (compaction_running_) return;
  std::thread finished = std::move(compaction_);  // has returned, or is returning
  try {
    compaction_ = std::thread([this] { RunCompactions(); });
    compaction_running_ = true;
  } catch (...) {  // std::system_error, std::bad_alloc
    // No thread to be had: the work stays pending for the next call. The
    // caller may be a destructor (an unfinished session's abort).
  }
  lock.unlock();
  if (finished.joinable()) finished.join();
}

void Database::RunCompactions() {
  NameThisThread("compact-bg");
  std::unique_lock<std::mutex> lock(compaction_mu_);
  while (!pending_compactions_.empty() && !compaction_stopped_) {
    std::vector<PendingCompaction> work = std::move(pending_compactions_);
    pending_compactions_.clear();
    lock.unlock();
    for (const PendingCompaction& p : work) {
      rocksdb::CompactRangeOptions options;
      options.exclusive_manual_compaction = false;
      options.bottommost_level_compaction = p.bottommost;
      // Fails only when shutdown cancels it; the next compaction catches up.
      IGNORE_STATUS(db_->CompactRange(options, handle(p.cf), nullptr, nullptr));
    }
    lock.lock();
  }
  compaction_running_ = false;
  compaction_idle_.notify_all();
}

void Database::WaitForBackgroundCompaction() {
  std::unique_lock<std::mutex> lock(compaction_mu_);
  compaction_idle_.wait(lock, [&] { return !compaction_running_; });
  std::thread finished = std::move(compaction_);
  lock.unlock();
  if (finished.joinable()) finished.join();
}

std::vector<Cf> Database::FragmentedFamilies() const {
  std::vector<Cf> fragmented;
  for (int i = 0; i < static_cast<int>(Cf::kCount); ++i) {
    rocksdb::ColumnFamilyMetaData meta;
    db_->GetColumnFamilyMetaData(handles_[i], &meta);
    if (meta.file_count >= kFragmentedSstFiles && meta.size / meta.file_count < kSmallSstBytes) {
      fragmented.push_back(static_cast<Cf>(i));
    }
  }
  return fragmented;
}

std::unique_ptr<CommitSession> Database::BeginSession(const std::string& principal) {
  bulk_sessions_.fetch_add(1, std::memory_order_acq_rel);  // until ~CommitSession
  absl::Cleanup uncount = [this] { bulk_sessions_.fetch_sub(1, std::memory_order_acq_rel); };
  std::unique_lock<std::timed_mutex> lock(commit_mu_, std::defer_lock);
  for (;;) {
    if (overtaking_commits_.load(std::memory_order_acquire) > 0) {
      std::this_thread::sleep_for(kCommitPoll);
      continue;
    }
    if (!lock.try_lock_for(kCommitPoll)) continue;
    if (overtaking_commits_.load(std::memory_order_acquire) == 0) break;
    lock.unlock();  // one came while this waited: it goes first
  }
  auto session =
      std::unique_ptr<CommitSession>(new CommitSession(this, std::move(lock), principal));
  std::move(uncount).Cancel();  // the session's destructor does it now
  return session;
}

absl::Status Database::LockForCommit(std::unique_lock<std::timed_mutex>& lock,
                                     BehindBulk behind_bulk) {
  switch (behind_bulk) {
    case BehindBulk::kWait:
      lock.lock();
      return absl::OkStatus();
    case BehindBulk::kOvertake:
      // Counted first: a session that begins after the ender looked is
      // held back, and one that began before is ended.
      overtaking_commits_.fetch_add(1, std::memory_order_acq_rel);
      if (session_ender_) session_ender_();
      lock.lock();
      overtaking_commits_.fetch_sub(1, std::memory_order_acq_rel);
      return absl::OkStatus();
    case BehindBulk::kRefuse:
      while (!lock.try_lock_for(kCommitPoll)) {
        if (bulk_sessions_.load(std::memory_order_acquire) > 0) {
          return absl::UnavailableError(
              "storage: a bulk import holds the commit lock until it ends; write again then");
        }
      }
      return absl::OkStatus();
  }
  return absl::InternalError("storage: unknown BehindBulk");
}

absl::StatusOr<CommitOutcome> Database::Commit(
    const std::string& principal, const std::string& description,
    const std::function<absl::Status(CommitContext&)>& build, BehindBulk behind_bulk) {
  std::unique_lock<std::timed_mutex> lock(commit_mu_, std::defer_lock);
  RETURN_IF_ERROR(LockForCommit(lock, behind_bulk));
  RETURN_IF_ERROR(ResumeAfterFailedWrite());
  const uint64_t latest = LatestVersion();
  CommitContext ctx(this, latest + 1, NextCommitTime(), principal, next_iid_);
  RETURN_IF_ERROR(build(ctx));
  if (!ctx.changed()) return CommitOutcome{latest, false};

  CommitRecord commit{ctx.version(), ctx.time(), principal, description};
  ctx.Put(Cf::kCommits, keys::CommitKey(ctx.version()), EncodeCommit(commit));
  ctx.Put(Cf::kDefault, keys::kLastVersionKey, keys::EncodeU64(ctx.version()));
  if (ctx.next_iid_ != next_iid_) {
    ctx.Put(Cf::kDefault, keys::kNextIidKey, keys::EncodeU64(ctx.next_iid_));
  }
  // Cached reads of what this commit changes go before it can be seen
  // (read_cache.h); if the write fails, they were only dropped early.
  if (read_cache_ != nullptr) {
    read_cache_->Invalidate(ctx.touched_nodes_, ctx.touched_adjacency_, ctx.version());
  }
  // The entry joins the commit's batch directly (past the index, which is
  // not read again), so both are written or neither.
  std::vector<AuditEntry> entries = CommitAuditEntries(
      commit, ctx.audit_note_, Collect(std::move(ctx.changed_)), std::move(ctx.extra_audit_));
  if (absl::Status st =
          audit_->AppendToBatch(ctx.batch_.GetWriteBatch(), std::move(entries), write_options_);
      !st.ok()) {
    return st;  // the audit log set write_failed_
  }
  // Ids this commit interned exist before its version is visible; readers'
  // cached absences of them must stop answering first (id_cache.h).
  if (ctx.next_iid_ != next_iid_ && id_cache_ != nullptr) id_cache_->NoteInterned();
  next_iid_ = ctx.next_iid_;
  last_version_.store(ctx.version(), std::memory_order_release);
  for (auto& hook : ctx.on_committed_) hook();
  return CommitOutcome{ctx.version(), true};
}

absl::Status Database::ResumeBeforeAppend() {
  if (!write_failed_.load()) return absl::OkStatus();
  std::unique_lock<std::timed_mutex> lock(commit_mu_, std::defer_lock);
  if (!lock.try_lock_for(kResumeWait)) return absl::OkStatus();
  return ResumeAfterFailedWrite();
}

absl::Status Database::WriteOutsideCommit(const rocksdb::WriteOptions& options,
                                          rocksdb::WriteBatch* batch) {
  const rocksdb::Status s = db_->Write(options, batch);
  if (!s.ok()) write_failed_.store(true);
  return FromRocks(s);
}

absl::Status Database::ResumeAfterFailedWrite() {
  // Cleared before Resume(): a write that fails meanwhile (a read-side
  // audit entry takes no commit lock) sets it again and is not forgotten.
  if (!write_failed_.exchange(false)) return absl::OkStatus();
  // After a failed write RocksDB refuses every write (its background-error
  // mode). RocksDB 7.8's ErrorHandler grades a failed WAL write or sync
  // (BackgroundErrorReason::kWriteCallback, paranoid checks on): an I/O
  // error is kFatalError, which Resume() never clears (only reopening the
  // database does); a full disk (subcode kNoSpace) is kHardError, which
  // Resume() clears by flushing once the disk takes writes again.
  const rocksdb::Status s = db_->Resume();
  if (!s.ok()) {
    write_failed_.store(true);
    const bool fatal = s.severity() >= rocksdb::Status::Severity::kFatalError;
    return absl::Status(FromRocks(s).code(),
                        absl::StrCat("storage: writes stopped after a failed write (", s.ToString(),
                                     fatal ? "); restart the server once the disk is healthy"
                                           : "); retry once the disk is healthy"));
  }
  // A session that failed with the write could not remove its batches
  // either: remove them now, before this commit reuses their version (Open
  // would otherwise remove this commit with them). Writes stay stopped if
  // that fails.
  if (absl::Status removed = RemoveOpenSession(); !removed.ok()) {
    write_failed_.store(true);
    return removed;
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> Database::Get(Cf cf, std::string_view key, std::string* value) const {
  rocksdb::Status s =
      db_->Get(rocksdb::ReadOptions(), handle(cf), rocksdb::Slice(key.data(), key.size()), value);
  if (s.IsNotFound()) return false;
  RETURN_IF_ERROR(FromRocks(s));
  return true;
}

std::unique_ptr<rocksdb::Iterator> Database::NewIterator(Cf cf) const {
  return std::unique_ptr<rocksdb::Iterator>(db_->NewIterator(rocksdb::ReadOptions(), handle(cf)));
}

Timestamp Database::NextCommitTime() {
  // Never before the last commit's: history retention finds the horizon by
  // a binary search over commit times, which a clock stepped back would
  // send to the latest version (and compaction would then drop history the
  // setting promised to keep).
  Timestamp t = Now();
  t.micros = std::max(t.micros, last_commit_micros_);
  last_commit_micros_ = t.micros;
  return t;
}

absl::StatusOr<CommitRecord> Database::GetCommit(uint64_t version) const {
  std::string value;
  ASSIGN_OR_RETURN(bool found, Get(Cf::kCommits, keys::CommitKey(version), &value));
  if (!found) return absl::NotFoundError(absl::StrCat("commit ", version, " not found"));
  return DecodeCommit(value);
}

}  // namespace ctxgraph
