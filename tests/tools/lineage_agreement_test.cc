// The benchmark's lineage_upstream_10 row compares LineageService.Upstream
// with PostgreSQL's recursive SQL (kLineageSql in
// tools/bench/postgres_operations.cc), so both must answer the same thing.
// On a ctxgraph-gen graph, for queries.json's lineage starts and a sample of
// other nodes, as admin (*) and as agent-3teams, Upstream at depth 10 must
// return exactly the (node, depth) pairs the SQL's semantics give: walk
// DERIVED_FROM from src to dst through nodes the principal may see (RLS),
// keep each node's minimum depth up to 10, leave the start out; and a start
// the principal may not see answers NOT_FOUND where the SQL has no rows.
#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "query/lineage.h"
#include "tests/query/indexed_graph.h"
#include "tests/tools/generated_graph.h"
#include "tools/gen/graph_generator.h"

namespace ctxgraph::gen_test {
namespace {

constexpr uint64_t kNodes = 3000;
constexpr int kDepth = 10;

using DepthMap = std::map<std::string, int>;

// What kLineageSql answers for `start`: (id, min depth) for depth 1..10.
DepthMap SqlUpstream(const std::multimap<std::string, std::string>& sources,
                     const std::map<std::string, bool>& visible, const std::string& start) {
  DepthMap depth;
  if (!visible.at(start)) return depth;
  depth[start] = 0;
  std::deque<std::string> queue = {start};
  while (!queue.empty()) {
    const std::string at = queue.front();
    queue.pop_front();
    if (depth[at] == kDepth) continue;
    auto [begin, end] = sources.equal_range(at);
    for (auto it = begin; it != end; ++it) {
      if (!visible.at(it->second) || depth.contains(it->second)) continue;
      depth[it->second] = depth[at] + 1;
      queue.push_back(it->second);
    }
  }
  depth.erase(start);
  return depth;
}

TEST(LineageAgreementTest, UpstreamAnswersWhatTheBenchmarkSqlAnswers) {
  TempDir dir;
  gen::GeneratorOptions options;
  options.nodes = kNodes;
  options.seed = 1;
  options.out_dir = dir.path();
  options.write_jsonl = true;
  ASSERT_OK(gen::GenerateGraph(options));
  ASSERT_OK_AND_ASSIGN(ParsedGraph parsed, ReadJsonl(dir.path() + "/graph.jsonl"));
  const nlohmann::json queries = nlohmann::json::parse(ReadFileOrDie(dir.path() + "/queries.json"));

  IndexedGraph g;
  std::vector<Mutation> batch;
  auto flush = [&] {
    if (!batch.empty()) g.Write(std::move(batch));
    batch.clear();
  };
  std::set<std::string> used_labels;
  for (const ParsedNode& n : parsed.nodes) used_labels.insert(n.boundary.begin(), n.boundary.end());
  g.DefineLabels(std::vector<std::string>(used_labels.begin(), used_labels.end()));
  std::multimap<std::string, std::string> sources;  // src -> dst of DERIVED_FROM
  for (const ParsedNode& n : parsed.nodes) {
    NodeUpsert m;
    m.node.id = n.id;
    m.node.labels = {n.label};
    m.node.boundary = n.boundary;
    batch.push_back(std::move(m));
    if (batch.size() == 5000) flush();
  }
  flush();
  for (const ParsedEdge& e : parsed.edges) {
    batch.push_back(EdgeOp(e.from, e.label, e.to));
    if (e.label == "DERIVED_FROM") sources.emplace(e.from, e.to);
    if (batch.size() == 5000) flush();
  }
  flush();
  ASSERT_GT(sources.size(), 100u);

  std::vector<std::string> starts;
  for (const auto& s : queries.at("lineage_starts")) starts.push_back(s.at("id"));
  ASSERT_GE(starts.size(), 5u);
  for (size_t i = 0; i < parsed.nodes.size(); i += 15) starts.push_back(parsed.nodes[i].id);

  std::vector<Caller> callers = {g.admin_};
  for (const auto& p : queries.at("principals")) {
    if (p.at("id") == "agent-3teams") {
      callers.push_back(MakeCaller("agent-3teams", p.at("clearances")));
    }
  }
  ASSERT_EQ(callers.size(), 2u);

  const OpaqueIdHasher opaque_ids(g.db().redaction_key());
  size_t non_empty = 0, hidden = 0;
  for (const Caller& caller : callers) {
    std::map<std::string, bool> visible;
    for (const ParsedNode& n : parsed.nodes) visible[n.id] = caller.policy.CanSee(n.boundary);
    for (const std::string& start : starts) {
      const DepthMap want = SqlUpstream(sources, visible, start);
      LineageRequest request;
      request.node_id = start;
      request.max_depth = kDepth;
      absl::StatusOr<LineageGraph> got =
          LineageWalker(g.store(), opaque_ids, caller).Upstream(request, g.audit());
      if (!visible.at(start)) {
        ++hidden;
        EXPECT_EQ(got.status().code(), absl::StatusCode::kNotFound) << start;
        continue;
      }
      ASSERT_OK(got);
      DepthMap answered;
      for (const LineageNode& n : got->nodes) {
        EXPECT_FALSE(n.redacted);
        if (n.depth > 0) answered[n.node->id] = n.depth;
      }
      EXPECT_EQ(answered, want) << caller.principal.id << " from " << start;
      EXPECT_FALSE(got->truncated);
      non_empty += want.empty() ? 0 : 1;
    }
  }
  // The comparison covered real lineage and hidden starts, not only empties.
  EXPECT_GT(non_empty, 20u);
  EXPECT_GT(hidden, 20u);
}

}  // namespace
}  // namespace ctxgraph::gen_test
