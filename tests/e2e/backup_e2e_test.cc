// `ctxgraph admin backup` against a real ctxgraphd, then `ctxgraphd
// --restore-from`: the restored server answers the same reads to the old
// admin token and its audit log verifies; a restore over a database is
// refused.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/e2e/process.h"

namespace ctxgraph::e2e {
namespace {

using nlohmann::json;

class BackupE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/ctxgraph-e2e-XXXXXX";
    dir_ = mkdtemp(pattern);
    std::filesystem::create_directories(dir_ + "/data");
    server_ = std::make_unique<ServerProcess>(dir_ + "/data");
    ASSERT_TRUE(server_->Start()) << "ctxgraphd did not start";
    token_file_ = dir_ + "/data/admin.token";
  }
  void TearDown() override {
    server_.reset();
    std::filesystem::remove_all(dir_);
  }

  CommandResult Cli(std::vector<std::string> args) {
    std::vector<std::string> argv = {BuildDir() + "/client/ctxgraph", "--server",
                                     server_->address(), "--token-file", token_file_};
    argv.insert(argv.end(), args.begin(), args.end());
    return e2e::Run(argv);
  }
  json CliJson(std::vector<std::string> args) {
    args.insert(args.begin(), "--json");
    CommandResult r = Cli(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(r.out, nullptr, /*allow_exceptions=*/false);
  }

  std::string dir_;
  std::unique_ptr<ServerProcess> server_;
  std::string token_file_;
};

// Paths under `root` (itself included) that any group or other permission
// bit opens to other users, with their modes.
std::vector<std::string> OpenToOthers(const std::string& root) {
  namespace fs = std::filesystem;
  std::vector<std::string> open;
  const auto check = [&](const fs::path& p) {
    const fs::perms perms = fs::symlink_status(p).permissions();
    const auto bits = static_cast<unsigned>(perms) & 077u;
    if (bits != 0) open.push_back(p.string() + " " + std::to_string(bits));
  };
  check(root);
  for (const auto& entry : fs::recursive_directory_iterator(root)) check(entry.path());
  return open;
}

TEST_F(BackupE2eTest, BackupThenRestoreFromServesTheSameReads) {
  ASSERT_EQ(
      Cli({"put", "node", "--id", "doc-1", "--label", "Doc", "--prop", "title=\"one\""}).exit_code,
      0);
  ASSERT_EQ(Cli({"put", "node", "--id", "doc-2", "--label", "Doc"}).exit_code, 0);
  const json doc = CliJson({"get", "doc-1"});

  const CommandResult relative = Cli({"admin", "backup", "relative/dir"});
  EXPECT_EQ(relative.exit_code, 1);
  EXPECT_EQ(relative.err,
            "error: INVALID_ARGUMENT: dir: \"relative/dir\" is not an absolute path on the "
            "server\n");

  const std::string backup_dir = dir_ + "/backup";
  const json backup = CliJson({"admin", "backup", backup_dir});
  EXPECT_EQ(backup["dir"], backup_dir);
  const uint64_t version = backup["version"];
  EXPECT_GE(version, 4u);  // bootstrap's two commits and the two puts
  EXPECT_GT(backup["audit_seq"].get<uint64_t>(), 0u);
  EXPECT_GT(backup["files"].get<uint64_t>(), 0u);
  EXPECT_TRUE(std::filesystem::exists(backup_dir + "/ctxgraph-backup.manifest"));
  const CommandResult table = Cli({"admin", "backup", dir_ + "/backup2"});
  EXPECT_EQ(table.exit_code, 0) << table.err;
  EXPECT_EQ(table.out.rfind("dir", 0), 0u) << table.out;
  ASSERT_EQ(server_->Stop(), 0);
  // The database and its backups hold every node and key: the server's
  // files are its user's alone, whatever umask it was started with.
  EXPECT_EQ(OpenToOthers(dir_ + "/data/db"), std::vector<std::string>{});
  EXPECT_EQ(OpenToOthers(backup_dir), std::vector<std::string>{});

  // Over the old data dir, which holds a database: refused.
  const CommandResult refused =
      e2e::Run({BuildDir() + "/server/ctxgraphd", "--data-dir", dir_ + "/data", "--listen",
                "127.0.0.1:0", "--restore-from", backup_dir});
  EXPECT_EQ(refused.exit_code, 1);
  // spdlog writes to stdout.
  EXPECT_NE(refused.out.find("\"" + dir_ +
                             "/data/db\" already holds a database: a restore "
                             "never replaces one"),
            std::string::npos)
      << refused.out;

  // A start that fails after the restore (here: other search settings than
  // the backup's) keeps what it restored and verified, and says how to go
  // on: start again without --restore-from.
  std::filesystem::create_directories(dir_ + "/mismatched");
  const CommandResult mismatched =
      e2e::Run({BuildDir() + "/server/ctxgraphd", "--data-dir", dir_ + "/mismatched", "--listen",
                "127.0.0.1:0", "--restore-from", backup_dir, "--search-props", "title"});
  EXPECT_EQ(mismatched.exit_code, 1);
  EXPECT_NE(mismatched.out.find("search settings (indexed props [title], "), std::string::npos)
      << mismatched.out;
  EXPECT_NE(mismatched.out.find(" (the backup was restored into " + dir_ +
                                "/mismatched/db and verified; start again without --restore-from)"),
            std::string::npos)
      << mismatched.out;
  EXPECT_TRUE(std::filesystem::is_directory(dir_ + "/mismatched/db"));

  std::filesystem::create_directories(dir_ + "/restored");
  server_ = std::make_unique<ServerProcess>(dir_ + "/restored",
                                            std::vector<std::string>{"--restore-from", backup_dir});
  ASSERT_TRUE(server_->Start()) << "the restored ctxgraphd did not start";
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/restored/admin.token"));
  EXPECT_EQ(CliJson({"get", "doc-1"}), doc);  // with the old admin token
  const json verified = CliJson({"audit", "verify"});
  EXPECT_EQ(verified["ok"], true) << verified.dump();
  EXPECT_EQ(verified["head_seq"], backup["audit_seq"]);
  EXPECT_EQ(verified["head_hash"], backup["audit_head_hash"]);
  EXPECT_EQ(OpenToOthers(dir_ + "/restored/db"), std::vector<std::string>{});
}

}  // namespace
}  // namespace ctxgraph::e2e
