// The benchmark's report from rows made up for it: what gRPC's cost for a
// NOT_FOUND answer alone predicts for the restricted principal's GetNode.
#include <gtest/gtest.h>

#include <string>

#include "tools/bench/report.h"

namespace ctxgraph::bench {
namespace {

OpResult Measured(std::string op, std::string backend, std::string principal, int clients,
                  double ops_per_sec, uint64_t ok, uint64_t not_found) {
  OpResult row = Row(std::move(op), std::move(backend), std::move(principal), clients);
  row.ops_per_sec = ops_per_sec;
  row.ok = ok;
  row.not_found = not_found;
  row.seconds = 1;
  return row;
}

// At one client: floors of 100 µs (OK) and 125 µs (NOT_FOUND) per call, the
// admin's GetNode at 200 µs, the agent's answering NOT_FOUND 3 times in 4.
// At eight clients the NOT_FOUND floor is missing.
BenchReport Report() {
  BenchReport report;
  report.clients = {1, 8};
  report.results = {
      Measured("empty_call", "grpc-floor", "-", 1, 10000, 10000, 0),
      Measured("empty_call_not_found", "grpc-floor", "-", 1, 8000, 0, 8000),
      Measured("get_node", "ctxgraph", "admin", 1, 5000, 5000, 0),
      Measured("get_node", "ctxgraph", "agent-3teams", 1, 4000, 1000, 3000),
      Measured("empty_call", "grpc-floor", "-", 8, 40000, 40000, 0),
      Measured("get_node", "ctxgraph", "admin", 8, 30000, 30000, 0),
      Measured("get_node", "ctxgraph", "agent-3teams", 8, 25000, 6250, 18750),
  };
  return report;
}

TEST(BenchReportTest, PredictsTheAgentsGetNodeFromTheTwoGrpcFloors) {
  const nlohmann::json j = ReportJson(Report());
  ASSERT_TRUE(j.contains("get_node_not_found_cost")) << j.dump();
  const nlohmann::json& costs = j["get_node_not_found_cost"];
  ASSERT_TRUE(costs.contains("1")) << costs.dump();
  EXPECT_FALSE(costs.contains("8")) << costs.dump();
  const nlohmann::json& cost = costs["1"];
  EXPECT_DOUBLE_EQ(cost["extra_us_per_call"].get<double>(), 25.0);  // 125 - 100
  EXPECT_DOUBLE_EQ(cost["not_found_share"].get<double>(), 0.75);
  // 200 µs per call, plus 0.75 x 25 for the agent's NOT_FOUND answers.
  EXPECT_DOUBLE_EQ(cost["predicted_ratio"].get<double>(), 200.0 / (200.0 + 0.75 * 25.0));
}

TEST(BenchReportTest, SaysTheEstimateUnderTheBoundaryTable) {
  const std::string md = ReportMarkdown(Report());
  EXPECT_NE(md.find("At 1 client(s), an empty call answered NOT_FOUND took 25.0 µs more than "
                    "one answered OK (the two gRPC floors); with 75% of agent-3teams's GetNode "
                    "answers NOT_FOUND, gRPC's handling of them alone predicts a GetNode ratio "
                    "of 0.91.\n"),
            std::string::npos)
      << md;
  EXPECT_EQ(md.find("At 8 client(s), an empty call answered NOT_FOUND"), std::string::npos) << md;
}

}  // namespace
}  // namespace ctxgraph::bench
