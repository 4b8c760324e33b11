// ctxgraphd's operator flags as a real process: --metrics-listen and
// --metrics-port-file serve Prometheus metrics, --log-format json writes one
// JSON object per line, and the access line of a CLI call lands in it; a
// second SIGTERM ends a shutdown that waits for a call.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "ctxgraph/v1/graph.grpc.pb.h"
#include "tests/e2e/process.h"

namespace ctxgraph::e2e {
namespace {

TEST(OperationsE2eTest, MetricsPortAndJsonAccessLog) {
  char pattern[] = "/tmp/ctxgraph-e2e-XXXXXX";
  const std::string dir = mkdtemp(pattern);
  const std::string data = dir + "/data";
  std::filesystem::create_directories(data);
  ServerProcess server(data);
  ASSERT_TRUE(server.Start({"--log-level", "info", "--log-format", "json", "--metrics-listen",
                            "127.0.0.1:0", "--metrics-port-file", dir + "/metrics.port"}));

  const CommandResult get =
      e2e::Run({BuildDir() + "/client/ctxgraph", "--server", server.address(), "--token-file",
                data + "/admin.token", "get", "no-such-node"});
  EXPECT_EQ(get.exit_code, 1) << get.err;

  std::string metrics_address;
  std::ifstream(dir + "/metrics.port") >> metrics_address;
  const size_t colon = metrics_address.rfind(':');
  ASSERT_NE(colon, std::string::npos) << metrics_address;
  httplib::Client client(metrics_address.substr(0, colon),
                         std::stoi(metrics_address.substr(colon + 1)));
  httplib::Result scrape = client.Get("/metrics");
  ASSERT_TRUE(scrape);
  EXPECT_EQ(scrape->status, 200);
  // A fresh process: the one call is the only one counted.
  EXPECT_NE(
      scrape->body.find("\nctxgraph_rpc_requests_total{method=\"GetNode\",code=\"NOT_FOUND\"} 1\n"),
      std::string::npos)
      << scrape->body;
  EXPECT_NE(scrape->body.find("\n# TYPE ctxgraph_rpc_duration_seconds histogram\n"),
            std::string::npos);

  EXPECT_EQ(server.Stop(), 0);
  std::istringstream log(Slurp(data + "/server.out"));
  int access_lines = 0;
  bool metrics_line = false;
  for (std::string line; std::getline(log, line);) {
    const nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    ASSERT_TRUE(j.is_object()) << line;
    ASSERT_TRUE(j.contains("ts") && j.contains("level") && j.contains("msg")) << line;
    if (j["msg"] == "rpc") {
      ++access_lines;
      EXPECT_EQ(j["method"], "GetNode");
      EXPECT_EQ(j["code"], "NOT_FOUND");
      EXPECT_EQ(j["principal"], "admin");
      EXPECT_EQ(j["items"], 0);
      EXPECT_EQ(j["request_id"].get<std::string>().size(), 16u);
    }
    if (j["msg"].get<std::string>().find("metrics on http://" + metrics_address) == 0) {
      metrics_line = true;
    }
  }
  EXPECT_EQ(access_lines, 1);
  EXPECT_TRUE(metrics_line);
  std::filesystem::remove_all(dir);
}

// The first SIGTERM shuts down gracefully, giving calls in flight 5 s; a
// second one, while an idle Import stream keeps that shutdown waiting,
// exits at once with status 1 (a graceful stop exits 0).
TEST(OperationsE2eTest, ASecondSignalEndsAShutdownStillWaitingForACall) {
  char pattern[] = "/tmp/ctxgraph-e2e-XXXXXX";
  const std::string dir = mkdtemp(pattern);
  const std::string data = dir + "/data";
  std::filesystem::create_directories(data);
  ServerProcess server(data);
  ASSERT_TRUE(server.Start({"--log-level", "info", "--metrics-listen", "127.0.0.1:0",
                            "--metrics-port-file", dir + "/metrics.port"}));
  std::string metrics_address;
  std::ifstream(dir + "/metrics.port") >> metrics_address;
  const size_t colon = metrics_address.rfind(':');
  ASSERT_NE(colon, std::string::npos) << metrics_address;
  httplib::Client metrics(metrics_address.substr(0, colon),
                          std::stoi(metrics_address.substr(colon + 1)));

  auto stub = v1::GraphService::NewStub(
      grpc::CreateChannel(server.address(), grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  std::string token = Slurp(data + "/admin.token");
  while (!token.empty() && token.back() == '\n') token.pop_back();
  context.AddMetadata("authorization", "Bearer " + token);
  v1::ImportResponse response;
  std::unique_ptr<grpc::ClientWriter<v1::ImportRequest>> stream = stub->Import(&context, &response);
  ASSERT_TRUE(stream->Write(v1::ImportRequest()));
  const auto waited_for = [](const std::function<bool()>& done) {
    for (int i = 0; i < 200; ++i) {
      if (done()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  };
  ASSERT_TRUE(waited_for([&] {
    httplib::Result scrape = metrics.Get("/metrics");
    return scrape && scrape->body.find("\nctxgraph_imports_in_progress 1\n") != std::string::npos;
  })) << "the Import stream never reached the server";

  server.Signal(SIGTERM);
  // Two SIGTERMs pending at once are one: wait until the first is taken.
  ASSERT_TRUE(waited_for([&] {
    return Slurp(data + "/server.out").find("received signal 15, shutting down") !=
           std::string::npos;
  })) << Slurp(data + "/server.out");
  server.Signal(SIGTERM);
  EXPECT_EQ(server.Wait(), 1);
  EXPECT_NE(Slurp(data + "/server.out").find("received signal 15 again: exiting without waiting"),
            std::string::npos)
      << Slurp(data + "/server.out");
  context.TryCancel();
  stream->Finish().IgnoreError();
  std::filesystem::remove_all(dir);
}

TEST(OperationsE2eTest, IntegerFlagsAreDecimalOnly) {
  // CLI11 reads integers in C's base 0: 0x10 was 16, 010 was 8, and -1 a
  // size_t's largest value. Each is a usage error now, naming the flag,
  // before anything is opened: exit 105, CLI11's code for a value its
  // checks refuse (as --max-batch-ops 0 always was).
  char pattern[] = "/tmp/ctxgraph-e2e-XXXXXX";
  const std::string dir = mkdtemp(pattern);
  // A file where the data directory should be: a server that took the flag
  // fails at once rather than serving.
  std::ofstream(dir + "/data") << "not a directory";
  for (const std::vector<std::string>& flag :
       std::vector<std::vector<std::string>>{{"--max-request-seconds", "0x10"},
                                             {"--max-batch-ops", "-1"},
                                             {"--read-cache-mb", "1e3"},
                                             {"--audit-sync-window-ms", "+5"}}) {
    const CommandResult run =
        e2e::Run({BuildDir() + "/server/ctxgraphd", "--data-dir", dir + "/data", flag[0], flag[1]});
    EXPECT_EQ(run.exit_code, 105) << flag[0];
    EXPECT_NE(run.err.find(flag[0]), std::string::npos) << run.err;
    EXPECT_NE(run.err.find("must be a decimal number"), std::string::npos) << run.err;
  }
  EXPECT_EQ(Slurp(dir + "/data"), "not a directory");
  const CommandResult gen = e2e::Run({BuildDir() + "/tools/gen/ctxgraph-gen", "--nodes", "0100",
                                      "--seed", "0x8", "--out", dir + "/gen"});
  EXPECT_EQ(gen.exit_code, 105);
  EXPECT_NE(gen.err.find("--seed"), std::string::npos) << gen.err;
  EXPECT_FALSE(std::filesystem::exists(dir + "/gen"));
  // Every 64-bit seed is a seed; 2^64 is not.
  EXPECT_EQ(e2e::Run({BuildDir() + "/tools/gen/ctxgraph-gen", "--nodes", "100", "--seed",
                      "18446744073709551616", "--out", dir + "/gen"})
                .exit_code,
            105);
  const CommandResult widest = e2e::Run({BuildDir() + "/tools/gen/ctxgraph-gen", "--nodes", "100",
                                         "--seed", "18446744073709551615", "--out", dir + "/gen"});
  EXPECT_EQ(widest.exit_code, 0) << widest.err;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace ctxgraph::e2e
