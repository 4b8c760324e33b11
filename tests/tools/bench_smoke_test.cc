// ctxgraph-bench end to end: a real ctxgraphd, the real CLI import, every
// ctxgraph operation and every floor, for one second each with one client,
// without PostgreSQL. Asserts the report's shape and that nothing failed;
// never a timing threshold.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <utility>

#include "tests/e2e/process.h"

namespace ctxgraph::bench {
namespace {

using nlohmann::json;

class BenchSmokeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/ctxgraph-bench-smoke-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // A ~1k-node graph from ctxgraph-gen when it is built, else the fixture.
  std::string DataDir() {
    const std::string gen = e2e::BuildDir() + "/tools/gen/ctxgraph-gen";
    if (access(gen.c_str(), X_OK) != 0) return CTXGRAPH_BENCH_TESTDATA;
    const e2e::CommandResult r =
        e2e::Run({gen, "--nodes", "1000", "--seed", "1", "--out", dir_ + "/gen"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return dir_ + "/gen";
  }

  std::string dir_;
};

TEST_F(BenchSmokeTest, ReportsEveryOperationWithoutErrors) {
  const std::string data = DataDir();
  const std::string out = dir_ + "/results.json";
  const std::string md = dir_ + "/results.md";
  const e2e::CommandResult run =
      e2e::Run({e2e::BuildDir() + "/tools/bench/ctxgraph-bench", "--data", data, "--clients", "1",
                "--seconds", "1", "--warmup", "0", "--no-postgres", "--rocksdb-keys", "10000",
                "--bin-dir", e2e::BuildDir(), "--out", out, "--markdown", md});
  ASSERT_EQ(run.exit_code, 0) << run.err;

  std::ifstream in(out);
  ASSERT_TRUE(in) << out;
  const json report = json::parse(in);
  EXPECT_EQ(report["load"]["postgres"]["status"], "skipped (--no-postgres)");
  EXPECT_EQ(report["settings"]["grpc_driver"], "loop");
  EXPECT_EQ(report["settings"]["loop_threads"], 1);
  const json& load = report["load"]["ctxgraph"];
  EXPECT_GT(load["records_per_sec"].get<double>(), 0);
  EXPECT_GT(load["peak_rss_bytes_after_load"].get<uint64_t>(), 0u);
  EXPECT_GT(load["disk_bytes_after_load"].get<uint64_t>(), 0u);
  // Nodes as PostgreSQL counts them: the file's label definitions are not.
  if (data != CTXGRAPH_BENCH_TESTDATA) {
    EXPECT_EQ(report["scale"]["nodes"].get<uint64_t>(), 1000u);
  }
  EXPECT_GT(report["scale"]["nodes"].get<uint64_t>(), 0u);

  // (op, backend, principal) of every measured row, and of the pending ones.
  std::set<std::tuple<std::string, std::string, std::string>> measured, pending;
  for (const json& r : report["results"]) {
    auto key = std::make_tuple(r["op"].get<std::string>(), r["backend"].get<std::string>(),
                               r["principal"].get<std::string>());
    EXPECT_EQ(r["clients"], 1);
    if (!r["implemented"].get<bool>()) {
      pending.insert(std::move(key));
      continue;
    }
    EXPECT_GT(r["ops_per_sec"].get<double>(), 0) << r.dump();
    EXPECT_EQ(r["errors"], 0) << r.dump();
    EXPECT_GT(r["p99_ms"].get<double>(), 0) << r.dump();
    EXPECT_GT(r["client_cpu_us_per_op"].get<double>(), 0) << r.dump();
    // The server's CPU is read for rows it serves, and only for those.
    if (r["backend"] == "rocksdb-floor") {
      EXPECT_FALSE(r.contains("server_cpu_us_per_op")) << r.dump();
    } else {
      EXPECT_GT(r["server_cpu_us_per_op"].get<double>(), 0) << r.dump();
    }
    measured.insert(std::move(key));
  }
  std::set<std::tuple<std::string, std::string, std::string>> want_measured = {
      {"empty_call", "grpc-floor", "-"},
      {"empty_call_not_found", "grpc-floor", "-"},
      {"rocksdb_get", "rocksdb-floor", "-"}};
  std::set<std::tuple<std::string, std::string, std::string>> want_pending;
  for (const char* principal : {"admin", "agent-3teams"}) {
    for (const char* op : {"get_node", "list_neighbors", "search_common", "search_rare",
                           "retrieve_2hop", "lineage_upstream_10", "lineage_upstream_10_full",
                           "mixed_90r10w", "mixed_search_90r10w"}) {
      want_measured.insert({op, "ctxgraph", principal});
    }
  }
  EXPECT_EQ(measured, want_measured);
  EXPECT_EQ(pending, want_pending);

  // The NOT_FOUND floor's calls all answer NOT_FOUND, the empty call's none.
  // The estimate built on them takes the agent's share of NOT_FOUND GetNodes
  // from the agent's own row.
  const json* agent_get = nullptr;
  for (const json& r : report["results"]) {
    if (r["op"] == "empty_call_not_found") {
      EXPECT_EQ(r["ok"], 0) << r.dump();
      EXPECT_GT(r["not_found"].get<uint64_t>(), 0u) << r.dump();
    } else if (r["op"] == "empty_call") {
      EXPECT_EQ(r["not_found"], 0) << r.dump();
    } else if (r["op"] == "get_node" && r["principal"] == "agent-3teams") {
      agent_get = &r;
    }
  }
  ASSERT_NE(agent_get, nullptr);
  ASSERT_TRUE(report.contains("get_node_not_found_cost")) << report.dump();
  ASSERT_TRUE(report["get_node_not_found_cost"].contains("1")) << report.dump();
  const json& cost = report["get_node_not_found_cost"]["1"];
  const double agent_answers = (*agent_get)["ok"].get<double>() +
                               (*agent_get)["not_found"].get<double>() +
                               (*agent_get)["errors"].get<double>();
  EXPECT_DOUBLE_EQ(cost["not_found_share"].get<double>(),
                   (*agent_get)["not_found"].get<double>() / agent_answers)
      << cost.dump();
  EXPECT_GT(cost["predicted_ratio"].get<double>(), 0) << cost.dump();

  std::ifstream markdown(md);
  const std::string text((std::istreambuf_iterator<char>(markdown)), {});
  EXPECT_NE(text.find("| get_node | agent-3teams | 1 |"), std::string::npos) << text;
  EXPECT_NE(text.find("| lineage_upstream_10 | agent-3teams | 1 |"), std::string::npos) << text;
  EXPECT_EQ(text.find("not implemented yet"), std::string::npos) << text;
  EXPECT_NE(text.find("## CPU per request"), std::string::npos) << text;
  EXPECT_NE(text.find("| empty_call | - | 1 |"), std::string::npos) << text;
  EXPECT_NE(text.find("| empty_call_not_found | - | 1 |"), std::string::npos) << text;
  EXPECT_NE(text.find("gRPC's handling of them alone predicts a GetNode ratio of"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("(--driver loop)"), std::string::npos) << text;
}

TEST_F(BenchSmokeTest, DrivesGrpcCallsFromAThreadPerClientOnRequest) {
  const std::string out = dir_ + "/threads.json";
  const e2e::CommandResult run =
      e2e::Run({e2e::BuildDir() + "/tools/bench/ctxgraph-bench", "--data", DataDir(), "--clients",
                "1,2", "--seconds", "0.5", "--warmup", "0", "--no-postgres", "--driver", "threads",
                "--ops", "empty_call,retrieve_2hop", "--bin-dir", e2e::BuildDir(), "--out", out});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("(--driver threads)"), std::string::npos) << run.out;

  std::ifstream in(out);
  ASSERT_TRUE(in) << out;
  const json report = json::parse(in);
  EXPECT_EQ(report["settings"]["grpc_driver"], "threads");
  EXPECT_FALSE(report["settings"].contains("loop_threads"));
  std::set<std::tuple<std::string, std::string, int>> rows;
  for (const json& r : report["results"]) {
    EXPECT_GT(r["ops_per_sec"].get<double>(), 0) << r.dump();
    EXPECT_EQ(r["errors"], 0) << r.dump();
    rows.insert(
        {r["op"].get<std::string>(), r["principal"].get<std::string>(), r["clients"].get<int>()});
  }
  std::set<std::tuple<std::string, std::string, int>> want;
  for (const int n : {1, 2}) {
    want.insert({"empty_call", "-", n});
    for (const char* principal : {"admin", "agent-3teams"})
      want.insert({"retrieve_2hop", principal, n});
  }
  EXPECT_EQ(rows, want);
}

TEST_F(BenchSmokeTest, RefusesAnUnknownDriver) {
  const e2e::CommandResult run =
      e2e::Run({e2e::BuildDir() + "/tools/bench/ctxgraph-bench", "--data", CTXGRAPH_BENCH_TESTDATA,
                "--driver", "fibers", "--no-postgres", "--bin-dir", e2e::BuildDir()});
  EXPECT_NE(run.exit_code, 0);
  EXPECT_NE(run.err.find("--driver"), std::string::npos) << run.err;
}

}  // namespace
}  // namespace ctxgraph::bench
