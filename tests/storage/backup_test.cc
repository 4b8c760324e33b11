// Database::Backup and RestoreBackup on a real RocksDB: the restored copy
// holds the same versions, records and audit chain; a checkpoint taken in
// the middle of a CommitSession restores without it; bad targets and
// restores over a database are refused without touching anything.
#include "storage/backup.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "rocksdb/env.h"
#include "rocksdb/file_system.h"
#include "storage/keys.h"
#include "storage/record_codec.h"
#include "storage/status_macros.h"
#include "tests/storage/store_fixture.h"
#include "tests/test_macros.h"

namespace ctxgraph {
namespace {

namespace fs = std::filesystem;

IndexedMutation Indexed(uint64_t index, std::string id) { return {index, TitledNode(id, id)}; }

// Every file under `dir` and its content: to show a refused restore
// changed nothing.
std::map<std::string, std::string> Snapshot(const std::string& dir) {
  std::map<std::string, std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    files[entry.path().string()] = std::string(std::istreambuf_iterator<char>(in), {});
  }
  return files;
}

// A database opened on a restored copy, with the store over it.
struct Opened {
  std::unique_ptr<Database> db;
  std::unique_ptr<TextIndex> text;
  std::unique_ptr<LabelRegistry> labels;
  std::unique_ptr<GraphStore> store;
};

absl::StatusOr<Opened> OpenCopy(const std::string& path) {
  Opened o;
  ASSIGN_OR_RETURN(o.db, Database::Open(path, DatabaseOptions{}));
  o.text = std::make_unique<TextIndex>(o.db.get(), TextIndexConfig{});
  RETURN_IF_ERROR(o.text->Open());
  o.labels = std::make_unique<LabelRegistry>(o.db.get());
  RETURN_IF_ERROR(o.labels->Load());
  o.store = std::make_unique<GraphStore>(o.db.get(), o.text.get(), o.labels.get());
  return o;
}

class BackupTest : public StoreFixture {
 protected:
  uint64_t Write(std::vector<Mutation> mutations) {
    absl::StatusOr<WriteResult> r = store_->Apply(std::move(mutations), guard_, "w", "test");
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? r->version : 0;
  }
  // The node as of `version`, encoded ("<absent>" when there is none).
  static std::string NodeAt(const GraphStore& store, std::string_view id, uint64_t version) {
    absl::StatusOr<std::optional<NodeRecord>> node = store.GetNode(id, version);
    if (!node.ok()) return node.status().ToString();
    return *node ? EncodeNode(**node) : "<absent>";
  }

  std::string BackupDir() const { return out_.path() + "/backup"; }
  std::string RestoredDb() const { return out_.path() + "/restored/db"; }
  void MakeRestoredParent() { fs::create_directories(out_.path() + "/restored"); }

  AllowAllWrites guard_;
  TempDir out_;
};

TEST_F(BackupTest, RestoredCopyHasTheSameVersionReadsAndAuditChain) {
  Write({TitledNode("a", "first"), TitledNode("b", "bee")});
  Write({TitledNode("a", "second")});
  const uint64_t latest = Write({TitledNode("c", "sea")});
  AuditEntry read;
  read.principal = "reader";
  read.action = "search";
  read.summary = "q=x";
  ASSERT_OK(db_->audit().Append(read));

  ASSERT_OK_AND_ASSIGN(BackupManifest manifest, db_->Backup(BackupDir()));
  EXPECT_EQ(manifest.format_version, kBackupFormatVersion);
  EXPECT_EQ(manifest.db_format, kDatabaseFormat);
  EXPECT_EQ(manifest.version, latest);
  EXPECT_EQ(manifest.audit_seq, db_->audit().head_seq());
  EXPECT_EQ(manifest.audit_seq, 4u);  // three commits and the read
  EXPECT_EQ(manifest.audit_head, db_->audit().head_hash());
  EXPECT_GT(manifest.files, 0u);
  EXPECT_GT(manifest.bytes, 0u);
  ASSERT_OK_AND_ASSIGN(BackupManifest on_disk, ReadBackupManifest(BackupDir()));
  EXPECT_EQ(on_disk, manifest);
  EXPECT_EQ(fs::status(BackupDir()).permissions() & fs::perms::all, fs::perms::owner_all);

  // The live database goes on; the backup does not see it.
  Write({TitledNode("d", "after")});

  MakeRestoredParent();
  ASSERT_OK_AND_ASSIGN(BackupManifest restored, RestoreBackup(BackupDir(), RestoredDb(), {}));
  EXPECT_EQ(restored, manifest);
  EXPECT_FALSE(fs::exists(RestoredDb() + ".restoring"));
  ASSERT_OK_AND_ASSIGN(Opened copy, OpenCopy(RestoredDb()));
  EXPECT_EQ(copy.db->LatestVersion(), latest);
  for (uint64_t v = 1; v <= latest; ++v) {
    for (const char* id : {"a", "b", "c"}) {
      EXPECT_EQ(NodeAt(*copy.store, id, v), NodeAt(*store_, id, v)) << id << "@" << v;
    }
  }
  EXPECT_EQ(NodeAt(*copy.store, "d", keys::kMaxVersion), "<absent>");
  ASSERT_OK_AND_ASSIGN(AuditVerifyResult audit, copy.db->audit().Verify());
  EXPECT_TRUE(audit.ok) << audit.reason;
  EXPECT_EQ(audit.entries_checked, 4u);
  EXPECT_EQ(audit.head_hash, manifest.audit_head);
  EXPECT_EQ(copy.db->secret(), db_->secret());  // page tokens stay valid
  // The backup itself is untouched by the restore and restores again.
  ASSERT_OK_AND_ASSIGN(BackupManifest again, ReadBackupManifest(BackupDir()));
  EXPECT_EQ(again, manifest);
}

TEST_F(BackupTest, CheckpointTakenMidSessionRestoresWithoutTheSession) {
  const uint64_t before = Write({TitledNode("before", "kept")});
  const uint64_t audit_before = db_->audit().head_seq();
  auto session = db_->BeginSession("loader");
  for (int batch = 0; batch < 2; ++batch) {
    ChunkResult r;
    ASSERT_OK(session->Write([&](CommitContext& ctx) {
      return store_->ApplyEach(ctx,
                               {Indexed(0, "n" + std::to_string(batch * 2)),
                                Indexed(1, "n" + std::to_string(batch * 2 + 1))},
                               guard_, false, nullptr, &r);
    }));
  }
  // The session holds the commit lock; a backup does not need it.
  ASSERT_OK_AND_ASSIGN(BackupManifest manifest, db_->Backup(BackupDir()));
  EXPECT_EQ(manifest.version, before);
  EXPECT_EQ(manifest.audit_seq, audit_before);
  ASSERT_OK_AND_ASSIGN(CommitOutcome finished, session->Finish("bulk"));
  EXPECT_EQ(finished.version, before + 1);

  MakeRestoredParent();
  ASSERT_OK(RestoreBackup(BackupDir(), RestoredDb(), {}));
  ASSERT_OK_AND_ASSIGN(Opened copy, OpenCopy(RestoredDb()));
  EXPECT_EQ(copy.db->LatestVersion(), before);
  EXPECT_EQ(NodeAt(*copy.store, "before", keys::kMaxVersion),
            NodeAt(*store_, "before", keys::kMaxVersion));
  for (const char* id : {"n0", "n1", "n2", "n3"}) {
    // Not at any version, and the ids are forgotten.
    EXPECT_EQ(NodeAt(*copy.store, id, before + 1), "<absent>") << id;
    ASSERT_OK_AND_ASSIGN(std::optional<uint64_t> iid, copy.store->LookupIid(id));
    EXPECT_FALSE(iid.has_value()) << id;
  }
  std::string marker;
  ASSERT_OK_AND_ASSIGN(bool open, copy.db->Get(Cf::kDefault, keys::kOpenSessionKey, &marker));
  EXPECT_FALSE(open);
  ASSERT_OK_AND_ASSIGN(AuditVerifyResult audit, copy.db->audit().Verify());
  EXPECT_TRUE(audit.ok) << audit.reason;
  EXPECT_EQ(audit.head_seq, audit_before);
  // The restored database commits the session's version afresh.
  ASSERT_OK_AND_ASSIGN(WriteResult next,
                       copy.store->Apply({TitledNode("x", "x")}, guard_, "w", ""));
  EXPECT_EQ(next.version, before + 1);
}

// Holds the first listing of one directory, once armed, until released: a
// checkpoint lists the WAL directory after its SST files.
class ListingGate : public rocksdb::FileSystemWrapper {
 public:
  ListingGate() : rocksdb::FileSystemWrapper(rocksdb::FileSystem::Default()) {}
  const char* Name() const override { return "ListingGate"; }

  void Arm(const std::string& dir) {
    std::lock_guard<std::mutex> lock(mu_);
    armed_dir_ = fs::path(dir).lexically_normal().string();
  }
  bool WaitUntilHeld() {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(30), [&] { return held_; });
  }
  void Release() {
    std::lock_guard<std::mutex> lock(mu_);
    released_ = true;
    cv_.notify_all();
  }

  rocksdb::IOStatus GetChildren(const std::string& dir, const rocksdb::IOOptions& options,
                                std::vector<std::string>* result,
                                rocksdb::IODebugContext* dbg) override {
    {
      std::unique_lock<std::mutex> lock(mu_);
      std::string normal = fs::path(dir).lexically_normal().string();
      if (!normal.empty() && normal.back() == '/') normal.pop_back();
      if (!armed_dir_.empty() && normal == armed_dir_) {
        armed_dir_.clear();
        held_ = true;
        cv_.notify_all();
        cv_.wait(lock, [&] { return released_; });
      }
    }
    return target()->GetChildren(dir, options, result, dbg);
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::string armed_dir_;
  bool held_ = false;
  bool released_ = false;
};

// A bulk session's batches reach SST files only when Finish flushes them,
// just before its commit record goes through the WAL. A checkpoint lists
// its SST files, then its WAL files: a Finish in between would leave the
// backup a commit record without the batches it commits. Finish waits for
// the checkpoint instead, so the backup holds the session not at all.
TEST_F(BackupTest, ASessionFinishingDuringTheCheckpointIsNotHalfInTheBackup) {
  auto gate = std::make_shared<ListingGate>();
  options_.env = rocksdb::NewCompositeEnv(gate);
  Reopen();
  const uint64_t before = Write({TitledNode("before", "kept")});
  auto session = db_->BeginSession("loader");
  auto write_batch = [&](int batch) {
    ChunkResult r;
    return session->Write([&](CommitContext& ctx) {
      return store_->ApplyEach(ctx,
                               {Indexed(0, "n" + std::to_string(batch * 2)),
                                Indexed(1, "n" + std::to_string(batch * 2 + 1))},
                               guard_, false, nullptr, &r);
    });
  };
  ASSERT_OK(write_batch(0));  // flushed by the checkpoint itself
  gate->Arm(dir_.path());
  absl::StatusOr<BackupManifest> manifest;
  std::thread backup([&] { manifest = db_->Backup(BackupDir()); });
  ASSERT_TRUE(gate->WaitUntilHeld());  // SST files listed, WAL files not yet
  ASSERT_OK(write_batch(1));           // in memtables only, until Finish
  absl::StatusOr<CommitOutcome> finished;
  std::atomic<bool> done{false};
  std::thread finish([&] {
    finished = session->Finish("bulk");
    done = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // time to finish, were it free to
  EXPECT_FALSE(done.load());                                    // it waits for the checkpoint
  gate->Release();
  backup.join();
  finish.join();
  ASSERT_OK(manifest.status());
  ASSERT_OK(finished.status());
  EXPECT_EQ(finished->version, before + 1);
  EXPECT_EQ(manifest->version, before);

  MakeRestoredParent();
  ASSERT_OK(RestoreBackup(BackupDir(), RestoredDb(), {}));
  ASSERT_OK_AND_ASSIGN(Opened copy, OpenCopy(RestoredDb()));
  EXPECT_EQ(copy.db->LatestVersion(), before);
  EXPECT_EQ(copy.db->GetCommit(before + 1).status().code(), absl::StatusCode::kNotFound);
  for (const char* id : {"n0", "n1", "n2", "n3"}) {
    EXPECT_EQ(NodeAt(*copy.store, id, keys::kMaxVersion), "<absent>") << id;
  }
  EXPECT_EQ(NodeAt(*copy.store, "before", keys::kMaxVersion),
            NodeAt(*store_, "before", keys::kMaxVersion));
}

TEST_F(BackupTest, TwoBackupsIntoOneEmptyDirectoryLeaveOneWholeBackup) {
  Write({TitledNode("a", "alpha")});
  const std::string target = out_.path() + "/shared";
  fs::create_directories(target);
  fs::permissions(target, fs::perms::owner_all, fs::perm_options::replace);
  absl::StatusOr<BackupManifest> results[2];
  {
    std::thread first([&] { results[0] = db_->Backup(target); });
    std::thread second([&] { results[1] = db_->Backup(target); });
    first.join();
    second.join();
  }
  // Exactly one wins; the other finds the directory no longer empty and
  // leaves the winner's files alone.
  ASSERT_NE(results[0].ok(), results[1].ok());
  const absl::Status& refused = results[0].ok() ? results[1].status() : results[0].status();
  EXPECT_EQ(refused.code(), absl::StatusCode::kAlreadyExists) << refused;
  ASSERT_OK_AND_ASSIGN(BackupManifest read, ReadBackupManifest(target));
  EXPECT_EQ(read.version, (results[0].ok() ? *results[0] : *results[1]).version);
  EXPECT_TRUE(fs::is_directory(target + "/db"));
}

TEST_F(BackupTest, RefusesBadTargetsNamingDir) {
  EXPECT_STATUS(db_->Backup(""), absl::StatusCode::kInvalidArgument, "dir: required");
  EXPECT_STATUS(db_->Backup("rel/backup"), absl::StatusCode::kInvalidArgument,
                "dir: \"rel/backup\" is not an absolute path on the server");
  EXPECT_STATUS(db_->Backup(dir_.path() + "/inner"), absl::StatusCode::kInvalidArgument,
                "dir: \"" + dir_.path() + "/inner\" is inside the database directory");
  EXPECT_STATUS(db_->Backup(dir_.path() + "/../" + fs::path(dir_.path()).filename().string()),
                absl::StatusCode::kInvalidArgument,
                "dir: \"" + dir_.path() + "/../" + fs::path(dir_.path()).filename().string() +
                    "\" is inside the database directory");
  const std::string full = out_.path() + "/full";
  fs::create_directories(full + "/something");
  EXPECT_STATUS(db_->Backup(full), absl::StatusCode::kAlreadyExists,
                "dir: \"" + full + "\" exists and is not empty");
  const std::string file = out_.path() + "/file";
  std::ofstream(file) << "x";
  EXPECT_STATUS(db_->Backup(file), absl::StatusCode::kAlreadyExists,
                "dir: \"" + file + "\" exists and is not a directory");
  EXPECT_STATUS(db_->Backup(out_.path() + "/no/such"), absl::StatusCode::kFailedPrecondition,
                "dir: parent directory \"" + out_.path() + "/no\" does not exist");
  EXPECT_TRUE(fs::is_empty(full + "/something"));
  // An existing empty directory must be the server user's own, mode 0700:
  // another user could read the copy, or plant RocksDB's staging directory
  // (DIR/db.tmp) as a link to the live database, which the checkpoint
  // empties first.
  fs::create_directories(BackupDir());
  fs::permissions(BackupDir(), fs::perms::all, fs::perm_options::replace);
  const auto refused = [&](const std::string& got) {
    return "dir: \"" + BackupDir() + "\" must belong to the server's user (uid " +
           std::to_string(::geteuid()) + ") with mode 0700, not " + got;
  };
  EXPECT_STATUS(db_->Backup(BackupDir()), absl::StatusCode::kFailedPrecondition,
                refused("uid " + std::to_string(::geteuid()) + " mode 0777"));
  fs::permissions(BackupDir(), fs::perms::owner_all | fs::perms::group_read,
                  fs::perm_options::replace);
  EXPECT_STATUS(db_->Backup(BackupDir()), absl::StatusCode::kFailedPrecondition,
                refused("uid " + std::to_string(::geteuid()) + " mode 0740"));
  fs::permissions(BackupDir(), fs::perms::owner_all, fs::perm_options::replace);
  if (::geteuid() == 0 && ::chown(BackupDir().c_str(), 65534, 65534) == 0) {
    EXPECT_STATUS(db_->Backup(BackupDir()), absl::StatusCode::kFailedPrecondition,
                  refused("uid 65534 mode 0700"));
    ASSERT_EQ(::chown(BackupDir().c_str(), 0, 0), 0);
  }
  EXPECT_TRUE(fs::is_empty(BackupDir()));
  // Nor may a directory above it let another user swap it for their own
  // (rename it aside, put one with a planted db.tmp in its place), whether
  // it exists or is to be created; a sticky one (as /tmp) may not.
  const std::string open_parent = out_.path() + "/open";
  fs::create_directories(open_parent + "/exists");
  fs::permissions(open_parent + "/exists", fs::perms::owner_all, fs::perm_options::replace);
  fs::permissions(open_parent, fs::perms::all, fs::perm_options::replace);
  for (const std::string& target : {open_parent + "/exists", open_parent + "/absent"}) {
    EXPECT_STATUS(db_->Backup(target), absl::StatusCode::kFailedPrecondition,
                  "dir: \"" + target + "\": \"" + open_parent +
                      "\" lets another user replace what is in it (it must belong to root or "
                      "the server's user, and be writable by no one else unless sticky); uid " +
                      std::to_string(::geteuid()) + " mode 0777");
  }
  EXPECT_FALSE(fs::exists(open_parent + "/absent"));
  fs::permissions(open_parent, fs::perms::all | fs::perms::sticky_bit, fs::perm_options::replace);
  ASSERT_OK(db_->Backup(open_parent + "/absent"));
  ASSERT_OK(db_->Backup(BackupDir()));
  EXPECT_TRUE(fs::exists(BackupDir() + "/" + kBackupManifestFile));
}

TEST_F(BackupTest, TheHookRunsBeforeTheManifestAndItsErrorLeavesNothing) {
  Write({TitledNode("a", "alpha")});
  bool manifest_then = true, copy_then = false;
  ASSERT_OK_AND_ASSIGN(BackupManifest manifest,
                       db_->Backup(BackupDir(), [&](const BackupManifest& m) {
                         manifest_then = fs::exists(BackupDir() + "/" + kBackupManifestFile);
                         copy_then = fs::is_directory(BackupDir() + "/db");
                         EXPECT_EQ(m.version, db_->LatestVersion());
                         return absl::OkStatus();
                       }));
  EXPECT_FALSE(manifest_then);
  EXPECT_TRUE(copy_then);
  EXPECT_TRUE(fs::exists(BackupDir() + "/" + kBackupManifestFile));

  const std::string refused = out_.path() + "/refused";
  EXPECT_STATUS(db_->Backup(refused,
                            [](const BackupManifest&) {
                              return absl::UnavailableError("the audit log is down");
                            }),
                absl::StatusCode::kUnavailable, "the audit log is down");
  EXPECT_FALSE(fs::exists(refused));
}

TEST_F(BackupTest, ARestoreWhileAnotherRunsIsRefusedAndTouchesNothing) {
  Write({TitledNode("a", "alpha")});
  ASSERT_OK(db_->Backup(BackupDir()));
  MakeRestoredParent();
  // Another restore's lock, and the staging copy it is filling.
  const std::string lock_path = RestoredDb() + ".restoring.lock";
  const int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT, 0600);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::flock(fd, LOCK_EX | LOCK_NB), 0);
  fs::create_directories(RestoredDb() + ".restoring");
  std::ofstream(RestoredDb() + ".restoring/CURRENT") << "half";
  EXPECT_STATUS(RestoreBackup(BackupDir(), RestoredDb(), {}), absl::StatusCode::kFailedPrecondition,
                "another restore into \"" + RestoredDb() + "\" is running");
  EXPECT_TRUE(fs::exists(RestoredDb() + ".restoring/CURRENT"));
  EXPECT_FALSE(fs::exists(RestoredDb()));
  // Once it is gone (a crash releases the lock too), the next one redoes it.
  ::close(fd);
  ASSERT_OK(RestoreBackup(BackupDir(), RestoredDb(), {}));
  EXPECT_TRUE(fs::is_directory(RestoredDb()));
  EXPECT_FALSE(fs::exists(RestoredDb() + ".restoring"));
  EXPECT_FALSE(fs::exists(lock_path));
}

TEST_F(BackupTest, RestoreOverADatabaseIsRefusedAndTouchesNothing) {
  Write({TitledNode("a", "live")});
  ASSERT_OK(db_->Backup(BackupDir()));
  store_.reset();
  labels_.reset();
  text_.reset();
  db_.reset();  // closed, so its files hold still
  const std::map<std::string, std::string> before = Snapshot(dir_.path());
  EXPECT_STATUS(RestoreBackup(BackupDir(), dir_.path(), {}), absl::StatusCode::kFailedPrecondition,
                "\"" + dir_.path() + "\" already holds a database: a restore never replaces one");
  EXPECT_EQ(Snapshot(dir_.path()), before);
  EXPECT_FALSE(fs::exists(dir_.path() + ".restoring"));
}

TEST_F(BackupTest, RestoreRefusesWhatIsNotACompleteMatchingBackup) {
  Write({TitledNode("a", "x")});
  MakeRestoredParent();
  // No manifest: not a backup (or one that did not finish).
  fs::create_directories(out_.path() + "/empty");
  EXPECT_STATUS(RestoreBackup(out_.path() + "/empty", RestoredDb(), {}),
                absl::StatusCode::kFailedPrecondition,
                "backup \"" + out_.path() + "/empty\": not a complete ctxgraph backup: it has no " +
                    kBackupManifestFile);
  // A manifest whose audit head is not the copy's: the copy is refused
  // after the checks and the staging copy removed.
  ASSERT_OK_AND_ASSIGN(BackupManifest manifest, db_->Backup(BackupDir()));
  BackupManifest forged = manifest;
  forged.audit_head[0] ^= 1;
  std::ofstream(BackupDir() + "/" + kBackupManifestFile, std::ios::trunc)
      << EncodeBackupManifest(forged);
  absl::StatusOr<BackupManifest> refused = RestoreBackup(BackupDir(), RestoredDb(), {});
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kDataLoss) << refused.status();
  EXPECT_EQ(std::string(refused.status().message()),
            "backup \"" + BackupDir() + "\": audit log ends at seq 1 hash " +
                ToHex(manifest.audit_head) + ", the manifest says seq 1 hash " +
                ToHex(forged.audit_head));
  EXPECT_FALSE(fs::exists(RestoredDb()));
  EXPECT_FALSE(fs::exists(RestoredDb() + ".restoring"));
}

TEST(BackupManifestTest, RoundTripsAndRefusesOtherFormats) {
  BackupManifest m;
  m.db_format = "ctxgraph-1";
  m.version = 42;
  m.audit_seq = 97;
  m.audit_head.fill(0xab);
  m.created.micros = 1764682800123456;
  m.files = 12;
  m.bytes = 34567;
  ASSERT_OK_AND_ASSIGN(BackupManifest back, DecodeBackupManifest(EncodeBackupManifest(m)));
  EXPECT_EQ(back, m);
  EXPECT_STATUS(DecodeBackupManifest("ctxgraph-backup 2\n"), absl::StatusCode::kFailedPrecondition,
                "backup manifest: format version 2 is not supported (this build reads 1)");
  EXPECT_STATUS(DecodeBackupManifest("hello\n"), absl::StatusCode::kDataLoss,
                "backup manifest: not a ctxgraph backup manifest");
  EXPECT_STATUS(DecodeBackupManifest("ctxgraph-backup 1\nversion 3\n"), absl::StatusCode::kDataLoss,
                "backup manifest: incomplete");
  std::string bad = EncodeBackupManifest(m);
  bad.replace(bad.find("version 42"), 10, "version x2");
  EXPECT_STATUS(DecodeBackupManifest(bad), absl::StatusCode::kDataLoss,
                "backup manifest: bad version \"x2\"");
}

}  // namespace
}  // namespace ctxgraph
