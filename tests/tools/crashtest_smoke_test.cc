// ctxgraph-crashtest end to end, short: five SIGKILLs of a real ctxgraphd
// under four writers, with a full check and an offline checksum pass every
// other cycle. Asserts the tool's figures (every kill done and restarted,
// writes acknowledged, nothing lost), never a timing threshold; and that a
// server which loses acknowledged writes fails the run. The 200- and
// 2,000-cycle runs are README commands, not part of the suite.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/e2e/process.h"

namespace ctxgraph::crashtest {
namespace {

using nlohmann::json;

class CrashTestSmokeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/ctxgraph-crashtest-smoke-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  e2e::CommandResult RunTool(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {e2e::BuildDir() + "/tools/crashtest/ctxgraph-crashtest",
                                     "--ctxgraphd", e2e::BuildDir() + "/server/ctxgraphd"};
    argv.insert(argv.end(), args.begin(), args.end());
    return e2e::Run(argv);
  }

  std::string dir_;
};

TEST_F(CrashTestSmokeTest, FiveKillsLoseNothing) {
  const std::string out = dir_ + "/results.json";
  const std::string work = dir_ + "/work";
  const std::vector<std::string> args = {"--dir",
                                         work,
                                         "--cycles",
                                         "5",
                                         "--writers",
                                         "4",
                                         "--seed",
                                         "7",
                                         "--min-ms",
                                         "50",
                                         "--max-ms",
                                         "200",
                                         "--full-check-every",
                                         "2",
                                         "--checksum-every",
                                         "2",
                                         "--start-kill-every",
                                         "2",
                                         "--json",
                                         out};
  const e2e::CommandResult run = RunTool(args);
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;

  std::ifstream in(out);
  ASSERT_TRUE(in) << out;
  const json report = json::parse(in);
  EXPECT_EQ(report["cycles"], 5);
  EXPECT_EQ(report["start_kills"], 2);  // before the restarts of cycles 2 and 4
  EXPECT_EQ(report["writers"], 4);
  EXPECT_EQ(report["losses"], 0);
  EXPECT_EQ(report["half_applied"], 0);
  EXPECT_EQ(report["verify_failures"], 0);
  EXPECT_EQ(report["failures"], json::array());
  // Kills after cycles 2 and 4, and the final clean stop.
  EXPECT_EQ(report["checksum_checks"], 3);
  EXPECT_EQ(report["restart_ms"]["count"], 5);
  EXPECT_GT(report["restart_ms"]["p50"].get<double>(), 0);
  const uint64_t acked = report["acked_batches"].get<uint64_t>();
  EXPECT_GT(acked, 0u);
  // Every batch commits and is audited; so was the admin's bootstrap.
  EXPECT_GT(report["audit_entries"].get<uint64_t>(),
            acked + report["unacked_committed"].get<uint64_t>());

  // One "acked" line per acknowledged batch, outside the data directory.
  std::ifstream log(work + "/acked.log");
  uint64_t acked_lines = 0;
  for (std::string line; std::getline(log, line);) {
    acked_lines += line.ends_with(" acked");
  }
  EXPECT_EQ(acked_lines, acked);
}

// The checks bite: a "server" that deletes its WAL before its third start
// (losing the second cycle's acknowledged batches) fails the run, naming
// what was lost.
TEST_F(CrashTestSmokeTest, ReportsWritesLostWithADeletedWal) {
  const std::string wrapper = dir_ + "/ctxgraphd-losing-wal";
  std::ofstream(wrapper) << "#!/bin/bash\n"
                         << "n=$(cat " << dir_ << "/starts 2>/dev/null || echo 0)\n"
                         << "echo $((n + 1)) > " << dir_ << "/starts\n"
                         << "if [ $n = 2 ]; then rm -f \"$2\"/db/*.log; fi\n"
                         << "exec " << e2e::BuildDir() << "/server/ctxgraphd \"$@\"\n";
  ASSERT_EQ(chmod(wrapper.c_str(), 0755), 0);
  const std::string out = dir_ + "/results.json";
  const std::string work = dir_ + "/work";
  const e2e::CommandResult run =
      e2e::Run({e2e::BuildDir() + "/tools/crashtest/ctxgraph-crashtest", "--ctxgraphd", wrapper,
                "--dir", work, "--cycles", "3", "--start-kill-every", "0", "--min-ms", "300",
                "--max-ms", "300", "--json", out});
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  EXPECT_NE(run.err.find("work directory kept for inspection: " + work), std::string::npos)
      << run.err;

  std::ifstream in(out);
  ASSERT_TRUE(in) << out;
  const json report = json::parse(in);
  EXPECT_EQ(report["cycles"], 2);  // stopped at the check after the second kill
  EXPECT_GT(report["losses"].get<uint64_t>(), 0u);
  ASSERT_FALSE(report["failures"].empty());
  EXPECT_TRUE(report["failures"][0].get<std::string>().starts_with(
      "version went backwards: the server is at "))
      << report["failures"][0];
  bool named_a_lost_node = false;
  for (const json& f : report["failures"]) {
    named_a_lost_node |= f.get<std::string>().starts_with("lost: w");
  }
  EXPECT_TRUE(named_a_lost_node) << report["failures"].dump();
}

TEST_F(CrashTestSmokeTest, RefusesAWorkDirectoryInUse) {
  std::ofstream(dir_ + "/something") << "x";
  const e2e::CommandResult run = RunTool({"--dir", dir_, "--cycles", "1"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("--dir: " + dir_ + " must be a new or empty directory"), std::string::npos)
      << run.err;
}

}  // namespace
}  // namespace ctxgraph::crashtest
