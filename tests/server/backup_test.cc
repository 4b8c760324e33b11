// AdminService.Backup and restoring it with ServerOptions::restore_from
// (ctxgraphd --restore-from): a backup taken while four clients keep
// writing holds every write acknowledged before it, restores to the version
// it reported with the same reads, principals, tokens and a verifying audit
// log; bad requests and a restore over a database are refused.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "ctxgraph/v1/audit.grpc.pb.h"
#include "tests/server/server_test_fixture.h"

namespace ctxgraph::server {
namespace {

namespace fs = std::filesystem;

constexpr int kWriters = 4;
// Writers stop when the backup returns, or after this many writes each
// (more than a backup's duration takes, so the snapshot falls mid-stream).
constexpr int kMaxWritesPerWriter = 1500;
// Writes acknowledged before the backup starts: enough that the backup
// cannot be of an almost empty database.
constexpr size_t kAckedBeforeBackup = 40;

class BackupTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    char pattern[] = "/tmp/ctxgraph_backup_test_XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    outside_ = pattern;
  }
  void TearDown() override {
    ServerTest::TearDown();
    std::error_code ec;
    fs::remove_all(outside_, ec);
  }

  grpc::Status Backup(const std::string& token, const std::string& dir,
                      v1::BackupResponse* response) {
    v1::BackupRequest request;
    request.set_dir(dir);
    return Call(admin_.get(), &v1::AdminService::Stub::Backup, token, request, response);
  }
  grpc::Status VerifyLog(v1::VerifyLogResponse* response) {
    auto stub = v1::AuditService::NewStub(channel_);
    return Call(stub.get(), &v1::AuditService::Stub::VerifyLog, admin_token_,
                v1::VerifyLogRequest(), response);
  }
  std::vector<v1::AuditEntry> BackupEntries() {
    auto stub = v1::AuditService::NewStub(channel_);
    v1::ListEntriesRequest request;
    request.set_action("admin.backup");
    v1::ListEntriesResponse response;
    EXPECT_OK(
        Call(stub.get(), &v1::AuditService::Stub::ListEntries, admin_token_, request, &response));
    return {response.entries().begin(), response.entries().end()};
  }
  // GetNode of each id at `as_of`, as transcripts.
  std::vector<std::string> Reads(const std::string& token, const std::vector<std::string>& ids,
                                 uint64_t as_of) {
    std::vector<std::string> out;
    for (const std::string& id : ids) {
      v1::GetNodeResponse response;
      const grpc::Status status = GetNode(token, id, &response, as_of);
      out.push_back(id + " " + Transcript(status, response));
    }
    return out;
  }
  // Stops the live server and serves `restored` in its place, reached with
  // the fixture's stubs and the live server's admin token.
  void ServeRestored(std::unique_ptr<CtxgraphServer> restored) {
    StopServer();
    server_ = std::move(restored);
    channel_ = grpc::CreateChannel(server_->address(), grpc::InsecureChannelCredentials());
    graph_ = v1::GraphService::NewStub(channel_);
    admin_ = v1::AdminService::NewStub(channel_);
    context_ = v1::ContextService::NewStub(channel_);
    boundary_ = v1::BoundaryService::NewStub(channel_);
  }
  absl::StatusOr<std::unique_ptr<CtxgraphServer>> StartRestored(const std::string& backup,
                                                                const std::string& data_dir) {
    ServerOptions options;
    options.data_dir = data_dir;
    options.listen = "127.0.0.1:0";
    options.database.sync_writes = false;
    options.database.block_cache_bytes = size_t{8} << 20;
    options.restore_from = backup;
    return CtxgraphServer::Start(options);
  }

  std::string outside_;  // a directory outside the data dir, for backups
};

TEST_F(BackupTest, BackupUnderConcurrentWritesRestoresTheReportedVersion) {
  DefineLabels({"pii"});
  AdminWrite({UpsertNode(MakeNode("seed-a")), UpsertNode(MakeNode("seed-b", {"pii"})),
              UpsertEdge("seed-a", "REFERS", "seed-b")},
             "seed");
  const std::string agent = CreatePrincipal("agent", {v1::ROLE_AGENT}, {"pii"});
  const uint64_t before_writers = LatestVersion();

  std::mutex mu;
  std::condition_variable enough;
  std::vector<std::string> acked;  // guarded by mu, in acknowledgement order
  int failures = 0;                // guarded by mu
  std::atomic<bool> stop{false};
  std::vector<std::thread> writers;
  for (int t = 0; t < kWriters; ++t) {
    writers.emplace_back([&, t] {
      for (int k = 0; k < kMaxWritesPerWriter && !stop.load(); ++k) {
        const std::string id = absl::StrCat("w", t, "-", k);
        v1::WriteResponse response;
        const grpc::Status status = Write(admin_token_, {UpsertNode(MakeNode(id))}, &response);
        std::lock_guard<std::mutex> lock(mu);
        if (status.ok()) {
          acked.push_back(id);
        } else {
          ++failures;
        }
        enough.notify_all();
      }
    });
  }
  std::vector<std::string> acked_before;
  {
    std::unique_lock<std::mutex> lock(mu);
    enough.wait(lock, [&] { return acked.size() >= kAckedBeforeBackup || failures > 0; });
    acked_before = acked;
  }
  const std::string dir = outside_ + "/backup";
  v1::BackupResponse backup;
  const grpc::Status backed_up = Backup(admin_token_, dir, &backup);
  stop = true;
  for (std::thread& w : writers) w.join();
  ASSERT_OK(backed_up);
  ASSERT_EQ(failures, 0);

  EXPECT_EQ(backup.dir(), dir);
  const uint64_t version = backup.version();
  // One commit per write acknowledged before the call, at least.
  EXPECT_GE(version, before_writers + acked_before.size());
  EXPECT_LE(version, LatestVersion());
  EXPECT_GT(backup.audit_seq(), 0u);
  EXPECT_EQ(backup.audit_head_hash().size(), 64u);
  EXPECT_GT(backup.files(), 0u);
  EXPECT_GT(backup.bytes(), 0u);
  EXPECT_GT(backup.created().seconds(), 0);

  // The live server audited the backup, after the snapshot.
  const std::vector<v1::AuditEntry> entries = BackupEntries();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].principal(), "admin");
  EXPECT_EQ(entries[0].snapshot_version(), version);
  EXPECT_GT(entries[0].seq(), backup.audit_seq());
  EXPECT_EQ(
      entries[0].summary(),
      absl::StrCat("backup dir=\"", absl::CHexEscape(dir), "\" version=", version,
                   " audit_seq=", backup.audit_seq(), " audit_head=", backup.audit_head_hash(),
                   " files=", backup.files(), " bytes=", backup.bytes()));

  // What the live server answers at the backup's version.
  // A sample of the nodes written: all acknowledged before the backup, then
  // every tenth and the last ones, which the backup may not hold.
  std::vector<std::string> ids = {"seed-a", "seed-b"};
  ids.insert(ids.end(), acked_before.begin(), acked_before.end());
  for (size_t i = acked_before.size(); i < acked.size(); i += 10) ids.push_back(acked[i]);
  ids.insert(ids.end(), acked.end() - std::min<size_t>(acked.size(), 20), acked.end());
  const std::vector<std::string> live_reads = Reads(admin_token_, ids, version);
  const std::vector<std::string> live_agent_reads = Reads(agent, {"seed-a", "seed-b"}, version);
  const auto live_pages = AllNodePages(admin_token_, "Doc", 1000, version);

  ASSERT_OK_AND_ASSIGN(std::unique_ptr<CtxgraphServer> restored,
                       StartRestored(dir, outside_ + "/restored"));
  EXPECT_FALSE(fs::exists(outside_ + "/restored/admin.token"));
  ServeRestored(std::move(restored));

  // The old admin token works; the chain verifies and ends where the
  // backup said.
  v1::VerifyLogResponse verified;
  ASSERT_OK(VerifyLog(&verified));
  EXPECT_TRUE(verified.ok()) << verified.reason();
  EXPECT_EQ(verified.head_seq(), backup.audit_seq());
  EXPECT_EQ(verified.head_hash(), backup.audit_head_hash());
  EXPECT_EQ(LatestVersion(), version);
  for (const std::string& id : acked_before) {
    v1::GetNodeResponse node;
    EXPECT_TRUE(GetNode(admin_token_, id, &node).ok()) << id;
  }
  EXPECT_EQ(Reads(admin_token_, ids, version), live_reads);
  EXPECT_EQ(AllNodePages(admin_token_, "Doc", 1000, version), live_pages);
  // The agent's token and clearances came along too.
  EXPECT_EQ(Reads(agent, {"seed-a", "seed-b"}, version), live_agent_reads);
  // And the restored server takes writes at the next version.
  EXPECT_EQ(AdminWrite({UpsertNode(MakeNode("after-restore"))}), version + 1);
}

// With read-side entries never synced, the backup's entry still is, before
// the manifest makes the copy a backup: a power loss right after must not
// leave a whole copy of the database that the log never heard of.
class UnsyncedReadsBackupTest : public BackupTest {
 protected:
  void Configure(ServerOptions* options) override { options->database.sync_audit_appends = false; }
};

TEST_F(UnsyncedReadsBackupTest, TheBackupsEntryIsDurableBeforeItAnswers) {
  AuditLog& log = server_->backend().audit;
  v1::BackupResponse backup;
  ASSERT_OK(Backup(admin_token_, outside_ + "/backup", &backup));
  const std::vector<v1::AuditEntry> entries = BackupEntries();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_GE(log.synced_seq(), entries[0].seq());
  // A read-side entry after it is not synced: the setting holds elsewhere.
  v1::SearchRequest search;
  search.set_query("anything");
  v1::SearchResponse hits;
  ASSERT_OK(Search(admin_token_, search, &hits));
  EXPECT_LT(log.synced_seq(), log.head_seq());
}

TEST_F(BackupTest, AnAdminClearedForLessThanEverythingIsNotToldTheAuditSeq) {
  // Audit seqs grow with how much each commit touched, hidden nodes too:
  // only "*" is told them (caller.h AuditSeqFor).
  ASSERT_NE(DefineLabels({"team:eng"}), 0u);
  const std::string admin = CreatePrincipal("eng-admin", {v1::ROLE_ADMIN}, {"team:eng"});
  v1::BackupResponse backup;
  ASSERT_OK(Backup(admin, outside_ + "/backup", &backup));
  EXPECT_EQ(backup.audit_seq(), 0u);
  EXPECT_GT(backup.version(), 0u);
  v1::BackupResponse full;
  ASSERT_OK(Backup(admin_token_, outside_ + "/full-backup", &full));
  EXPECT_GT(full.audit_seq(), 0u);
}

TEST_F(BackupTest, RefusedRequestsNameDirAndLeaveNoEntry) {
  const std::string auditor = CreatePrincipal("auditor", {v1::ROLE_AUDITOR}, {"*"});
  v1::BackupResponse response;
  EXPECT_STATUS(Backup(auditor, outside_ + "/b", &response), absl::StatusCode::kPermissionDenied,
                "Backup requires the admin role");
  EXPECT_STATUS(Backup(admin_token_, "", &response), absl::StatusCode::kInvalidArgument,
                "dir: required");
  EXPECT_STATUS(Backup(admin_token_, "backups/b", &response), absl::StatusCode::kInvalidArgument,
                "dir: \"backups/b\" is not an absolute path on the server");
  fs::create_directories(outside_ + "/full/x");
  EXPECT_STATUS(Backup(admin_token_, outside_ + "/full", &response),
                absl::StatusCode::kAlreadyExists,
                "dir: \"" + outside_ + "/full\" exists and is not empty");
  EXPECT_STATUS(Backup(admin_token_, data_dir_ + "/snapshots", &response),
                absl::StatusCode::kInvalidArgument,
                "dir: \"" + data_dir_ + "/snapshots\" is inside the server's data directory");
  EXPECT_STATUS(Backup(admin_token_, outside_ + "/a/b", &response),
                absl::StatusCode::kFailedPrecondition,
                "dir: parent directory \"" + outside_ + "/a\" does not exist");
  EXPECT_TRUE(BackupEntries().empty());
  EXPECT_FALSE(fs::exists(outside_ + "/b"));
  EXPECT_FALSE(fs::exists(data_dir_ + "/snapshots"));
}

TEST_F(BackupTest, RestoreIntoADataDirHoldingADatabaseIsRefused) {
  const uint64_t version = AdminWrite({UpsertNode(MakeNode("live"))});
  v1::BackupResponse backup;
  ASSERT_OK(Backup(admin_token_, outside_ + "/backup", &backup));
  AdminWrite({UpsertNode(MakeNode("newer"))});
  EXPECT_STATUS(StartRestored(outside_ + "/backup", data_dir_),
                absl::StatusCode::kFailedPrecondition,
                "\"" + data_dir_ + "/db\" already holds a database: a restore never replaces one");
  EXPECT_FALSE(fs::exists(data_dir_ + "/db.restoring"));
  // The live database is as it was, through a restart too.
  ASSERT_NO_FATAL_FAILURE(StopServer());
  ASSERT_NO_FATAL_FAILURE(StartServer());
  EXPECT_EQ(LatestVersion(), version + 1);  // the backup committed nothing
  v1::GetNodeResponse node;
  EXPECT_OK(GetNode(admin_token_, "newer", &node));
  // A directory that is not a backup is refused as well.
  fs::create_directories(outside_ + "/not-a-backup");
  EXPECT_STATUS(StartRestored(outside_ + "/not-a-backup", outside_ + "/fresh"),
                absl::StatusCode::kFailedPrecondition,
                "backup \"" + outside_ +
                    "/not-a-backup\": not a complete ctxgraph backup: it has no "
                    "ctxgraph-backup.manifest");
  EXPECT_FALSE(fs::exists(outside_ + "/fresh/db"));
}

}  // namespace
}  // namespace ctxgraph::server
