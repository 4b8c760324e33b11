// End-to-end properties of ctxgraph-gen's output: determinism, the type and
// boundary mix, edge shape, lineage depth, JSONL/CSV agreement and the query
// set. One 20,000-node graph is generated per test binary run and shared.
#include "tools/gen/graph_generator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>

#include "tests/storage/temp_dir.h"
#include "tests/test_macros.h"
#include "tests/tools/generated_graph.h"

namespace ctxgraph::gen_test {
namespace {

using gen::GenerateGraph;
using gen::GeneratorOptions;
using gen::GeneratorSummary;
using Json = nlohmann::json;

constexpr uint64_t kNodes = 20000;

GeneratorOptions Options(const std::string& dir, uint64_t nodes, uint64_t seed) {
  GeneratorOptions options;
  options.nodes = nodes;
  options.seed = seed;
  options.out_dir = dir;
  options.write_jsonl = true;
  options.write_csv = true;
  return options;
}

// 64-bit FNV-1a: a stable digest for golden-output checks.
uint64_t Fnv1a(const std::string& bytes) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : bytes) h = (h ^ c) * 0x100000001b3ULL;
  return h;
}

std::string CreatedAt(const ParsedNode& node) { return node.props.at("created_at").substr(2); }

class GraphGeneratorTest : public ::testing::Test {
 protected:
  struct Shared {
    TempDir dir;
    GeneratorSummary summary;
    ParsedGraph jsonl;
    ParsedGraph csv;
    Json queries;
    std::map<std::string, const ParsedNode*> by_id;
  };

  static void SetUpTestSuite() {
    auto shared = std::make_unique<Shared>();
    absl::StatusOr<GeneratorSummary> summary =
        GenerateGraph(Options(shared->dir.path(), kNodes, 1));
    ASSERT_OK(summary);
    shared->summary = *summary;
    absl::StatusOr<ParsedGraph> jsonl = ReadJsonl(shared->dir.path() + "/graph.jsonl");
    ASSERT_OK(jsonl);
    shared->jsonl = *std::move(jsonl);
    absl::StatusOr<ParsedGraph> csv = ReadCsv(shared->dir.path());
    ASSERT_OK(csv);
    shared->csv = *std::move(csv);
    shared->queries = Json::parse(ReadFileOrDie(shared->dir.path() + "/queries.json"));
    for (const ParsedNode& node : shared->jsonl.nodes) shared->by_id[node.id] = &node;
    shared_ = shared.release();
  }
  static void TearDownTestSuite() {
    delete shared_;
    shared_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(shared_, nullptr) << "generating the shared graph failed"; }

  const ParsedGraph& graph() const { return shared_->jsonl; }
  const ParsedNode* Find(const std::string& id) const {
    auto it = shared_->by_id.find(id);
    return it == shared_->by_id.end() ? nullptr : it->second;
  }
  // Longest DERIVED_FROM path from each node; empty if the edges have a cycle.
  std::map<std::string, int> LineageDepths() const {
    std::map<std::string, std::vector<std::string>> targets;
    std::map<std::string, int> indegree;
    for (const ParsedEdge& e : graph().edges) {
      if (e.label != "DERIVED_FROM") continue;
      targets[e.from].push_back(e.to);
      indegree[e.to] += 1;
      indegree.emplace(e.from, 0);
    }
    std::vector<std::string> order;  // Kahn: derived nodes before their sources
    for (const auto& [id, n] : indegree) {
      if (n == 0) order.push_back(id);
    }
    for (size_t i = 0; i < order.size(); ++i) {
      for (const std::string& t : targets[order[i]]) {
        if (--indegree[t] == 0) order.push_back(t);
      }
    }
    if (order.size() != indegree.size()) return {};
    std::map<std::string, int> depth;
    for (auto it = order.rbegin(); it != order.rend(); ++it) {
      int d = 0;
      for (const std::string& t : targets[*it]) d = std::max(d, depth[t] + 1);
      depth[*it] = d;
    }
    return depth;
  }

  static Shared* shared_;
};

GraphGeneratorTest::Shared* GraphGeneratorTest::shared_ = nullptr;

TEST(GraphGeneratorDeterminismTest, SameSeedWritesIdenticalBytes) {
  TempDir a, b;
  ASSERT_OK(GenerateGraph(Options(a.path(), 2000, 7)));
  ASSERT_OK(GenerateGraph(Options(b.path(), 2000, 7)));
  for (const char* file :
       {"graph.jsonl", "nodes.csv", "relationships.csv", "labels.jsonl", "queries.json"}) {
    EXPECT_EQ(ReadFileOrDie(a.path() + "/" + file), ReadFileOrDie(b.path() + "/" + file)) << file;
  }
}

TEST(GraphGeneratorDeterminismTest, DifferentSeedWritesDifferentGraph) {
  TempDir a, b;
  ASSERT_OK(GenerateGraph(Options(a.path(), 2000, 7)));
  ASSERT_OK(GenerateGraph(Options(b.path(), 2000, 8)));
  EXPECT_NE(ReadFileOrDie(a.path() + "/graph.jsonl"), ReadFileOrDie(b.path() + "/graph.jsonl"));
  EXPECT_NE(ReadFileOrDie(a.path() + "/queries.json"), ReadFileOrDie(b.path() + "/queries.json"));
}

// The same bytes on every machine: a change here means every published
// benchmark dataset changes too, so update the digests only on purpose.
TEST(GraphGeneratorDeterminismTest, Seed1With2000NodesMatchesGoldenDigests) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(GeneratorSummary summary, GenerateGraph(Options(dir.path(), 2000, 1)));
  EXPECT_EQ(summary.edges, 4795u);
  EXPECT_EQ(Fnv1a(ReadFileOrDie(dir.path() + "/graph.jsonl")), 11828258924548177509ULL);
  EXPECT_EQ(Fnv1a(ReadFileOrDie(dir.path() + "/labels.jsonl")), 346046173882770339ULL);
  EXPECT_EQ(Fnv1a(ReadFileOrDie(dir.path() + "/nodes.csv")), 996491474235967926ULL);
  EXPECT_EQ(Fnv1a(ReadFileOrDie(dir.path() + "/queries.json")), 13259986289587963098ULL);
}

TEST(GraphGeneratorOptionsTest, RejectsOutOfRangeFlagsNamingTheFlag) {
  GeneratorOptions options = Options("/tmp/unused", 5, 1);
  EXPECT_STATUS(GenerateGraph(options), absl::StatusCode::kInvalidArgument,
                "--nodes: must be between 100 and 100000000, got 5");
  options.nodes = 1000;
  options.edges_per_node = 0.5;
  EXPECT_STATUS(GenerateGraph(options), absl::StatusCode::kInvalidArgument,
                "--edges-per-node: must be between 1.0 and 20.0, got 0.5");
  options.edges_per_node = 2.4;
  options.write_jsonl = options.write_csv = false;
  EXPECT_STATUS(GenerateGraph(options), absl::StatusCode::kInvalidArgument,
                "--format: at least one of jsonl and csv must be written");
}

TEST(GraphGeneratorOptionsTest, EdgesPerNodeFlagSetsTheEdgeCount) {
  for (double edges_per_node : {1.5, 4.0}) {
    TempDir dir;
    GeneratorOptions options = Options(dir.path(), kNodes, 3);
    options.write_csv = false;
    options.edges_per_node = edges_per_node;
    ASSERT_OK_AND_ASSIGN(GeneratorSummary summary, GenerateGraph(options));
    const double per_node = static_cast<double>(summary.edges) / kNodes;
    EXPECT_NEAR(per_node, edges_per_node, edges_per_node * 0.10);
  }
}

TEST_F(GraphGeneratorTest, TypeMixIsWithinTwoPercent) {
  const std::map<std::string, std::pair<std::string, double>> kWant = {
      {"Document", {"doc-", 0.30}}, {"Conversation", {"conv-", 0.05}},
      {"Message", {"msg-", 0.45}},  {"DecisionThread", {"thread-", 0.05}},
      {"Decision", {"dec-", 0.10}}, {"Person", {"person-", 0.05}}};
  std::map<std::string, int> counts;
  for (const ParsedNode& node : graph().nodes) {
    ASSERT_TRUE(kWant.count(node.label)) << node.label;
    EXPECT_EQ(node.id.rfind(kWant.at(node.label).first, 0), 0u) << node.id;
    EXPECT_EQ(node.id.size(), kWant.at(node.label).first.size() + 8) << node.id;
    ++counts[node.label];
  }
  EXPECT_EQ(graph().nodes.size(), kNodes);
  for (const auto& [label, want] : kWant) {
    EXPECT_NEAR(static_cast<double>(counts[label]) / kNodes, want.second, 0.02) << label;
  }
  EXPECT_EQ(shared_->by_id.size(), kNodes) << "duplicate node ids";
}

TEST_F(GraphGeneratorTest, EdgesPerNodeIsWithinTenPercentOfDefault) {
  EXPECT_EQ(graph().edges.size(), shared_->summary.edges);
  EXPECT_NEAR(static_cast<double>(graph().edges.size()) / kNodes, 2.4, 0.24);
}

TEST_F(GraphGeneratorTest, EveryEdgeJoinsExistingNodesOfTheDocumentedTypesOnce) {
  const std::map<std::string, std::set<std::pair<std::string, std::string>>> kAllowed = {
      {"PART_OF", {{"Message", "Conversation"}, {"Decision", "DecisionThread"}}},
      {"REPLY_TO", {{"Message", "Message"}}},
      {"MENTIONS", {{"Message", "Person"}, {"Document", "Person"}}},
      {"REFERENCES", {{"Message", "Document"}, {"Document", "Document"}}},
      {"DERIVED_FROM",
       {{"Decision", "DecisionThread"}, {"Decision", "Document"}, {"Document", "Document"}}}};
  std::set<ParsedEdge> seen;
  std::map<std::string, std::string> conversation_of;
  std::map<std::string, int> by_label;
  for (const ParsedEdge& e : graph().edges) {
    const ParsedNode* from = Find(e.from);
    const ParsedNode* to = Find(e.to);
    ASSERT_NE(from, nullptr) << e.from;
    ASSERT_NE(to, nullptr) << e.to;
    ASSERT_TRUE(kAllowed.count(e.label)) << e.label;
    EXPECT_TRUE(kAllowed.at(e.label).count({from->label, to->label}))
        << e.from << " -" << e.label << "-> " << e.to;
    EXPECT_TRUE(seen.insert({e.from, e.label, e.to, ""}).second) << "duplicate " << e.from;
    EXPECT_EQ(e.weight.empty(), e.label != "MENTIONS" && e.label != "REFERENCES") << e.label;
    if (e.label == "PART_OF" && from->label == "Message") conversation_of[e.from] = e.to;
    ++by_label[e.label];
  }
  for (const ParsedEdge& e : graph().edges) {
    if (e.label == "REPLY_TO") {
      EXPECT_EQ(conversation_of[e.from], conversation_of[e.to]);
    }
  }
  EXPECT_EQ(conversation_of.size(), kNodes * 45 / 100) << "every message is PART_OF one";
  EXPECT_EQ(by_label.size(), 5u);
}

TEST_F(GraphGeneratorTest, EdgesOtherThanMentionsPointToOlderNodes) {
  for (const ParsedEdge& e : graph().edges) {
    if (e.label == "MENTIONS") continue;
    EXPECT_LT(CreatedAt(*Find(e.to)), CreatedAt(*Find(e.from)))
        << e.from << " -" << e.label << "-> " << e.to;
  }
}

TEST_F(GraphGeneratorTest, DerivedFromIsAcyclicWithChainsOfDepthEightToAboutTwenty) {
  const std::map<std::string, int> depth = LineageDepths();
  ASSERT_FALSE(depth.empty()) << "DERIVED_FROM has a cycle";
  int max_depth = 0;
  int deep = 0;
  for (const auto& [id, d] : depth) {
    max_depth = std::max(max_depth, d);
    deep += d >= 8 ? 1 : 0;
  }
  EXPECT_GE(max_depth, 8);
  EXPECT_LE(max_depth, 21);
  EXPECT_GE(deep, 50);
}

TEST_F(GraphGeneratorTest, PropsAndSourcesFollowTheNodeType) {
  int inferred = 0;
  for (const ParsedNode& node : graph().nodes) {
    const std::string created = CreatedAt(node);
    EXPECT_GE(created, "2025-01-01T00:00:00Z") << node.id;
    EXPECT_LE(created, "2026-12-31T23:59:59Z") << node.id;
    EXPECT_EQ(node.props.at("created_at").substr(0, 2), "t:");
    EXPECT_EQ(node.uri.rfind(node.system + "://", 0), 0u) << node.uri;
    EXPECT_EQ(node.uri.substr(node.uri.size() - node.id.size()), node.id) << node.uri;
    if (node.authority == "inferred") {
      ++inferred;
      EXPECT_TRUE(node.props.count("confidence")) << node.id;
    }
    if (node.label == "Person") {
      EXPECT_EQ(node.system, "hr");
      EXPECT_EQ(node.authority, "imported");
    } else if (node.label == "Document") {
      EXPECT_TRUE(node.system == "wiki" || node.system == "drive") << node.system;
      EXPECT_EQ(node.props.at("page_count").substr(0, 2), "i:");
      EXPECT_EQ(node.props.at("draft").substr(0, 2), "b:");
    } else if (node.label == "Message" || node.label == "Conversation") {
      EXPECT_TRUE(node.system == "slack" || node.system == "email") << node.system;
    } else {
      EXPECT_EQ(node.system, "decisions");
      if (node.label == "Decision") {
        EXPECT_NE(node.authority, "imported");
        EXPECT_EQ(node.props.at("confidence").substr(0, 4), "d:0.");
      }
    }
  }
  EXPECT_NEAR(static_cast<double>(inferred) / kNodes, 0.02, 0.01);
}

TEST_F(GraphGeneratorTest, BoundariesHaveTheDocumentedShares) {
  int unlabeled = 0, pii = 0, restricted = 0, personal = 0, messages = 0;
  for (const ParsedNode& node : graph().nodes) {
    if (node.label == "Person") {
      EXPECT_TRUE(node.boundary.empty()) << node.id;
    }
    if (node.label == "Message") ++messages;
    unlabeled += node.boundary.empty() ? 1 : 0;
    int teams = 0;
    for (const std::string& label : node.boundary) {
      if (label.rfind("team:t", 0) == 0) {
        ++teams;
        EXPECT_EQ(label.size(), 8u);
        EXPECT_LT(label.substr(6), "20");
      } else if (label == "pii") {
        ++pii;
      } else if (label == "restricted") {
        ++restricted;
      } else {
        ASSERT_EQ(label.rfind("personal:", 0), 0u) << label;
        EXPECT_EQ(node.label, "Message");
        const ParsedNode* person = Find(label.substr(9));
        ASSERT_NE(person, nullptr) << label;
        EXPECT_EQ(person->label, "Person");
        ++personal;
      }
    }
    EXPECT_LE(teams, 1) << node.id;
  }
  EXPECT_NEAR(static_cast<double>(unlabeled) / kNodes, 0.10, 0.02);
  EXPECT_NEAR(static_cast<double>(pii) / kNodes, 0.05, 0.01);
  EXPECT_NEAR(static_cast<double>(restricted) / kNodes, 0.01, 0.005);
  EXPECT_NEAR(static_cast<double>(personal) / messages, 0.10, 0.02);
}

TEST_F(GraphGeneratorTest, CsvDescribesTheSameGraphAsJsonl) {
  ASSERT_EQ(shared_->csv.nodes.size(), graph().nodes.size());
  for (size_t i = 0; i < graph().nodes.size(); ++i) {
    ASSERT_EQ(shared_->csv.nodes[i], graph().nodes[i]) << "node " << graph().nodes[i].id;
  }
  EXPECT_EQ(shared_->csv.edges, graph().edges);
  EXPECT_EQ(shared_->csv.labels, graph().labels);
}

TEST_F(GraphGeneratorTest, EveryBoundaryLabelANodeCarriesIsDefinedFirst) {
  std::set<std::string> defined;
  for (const ParsedLabel& label : graph().labels) {
    EXPECT_TRUE(defined.insert(label.name).second) << "defined twice: " << label.name;
  }
  size_t people = 0;
  std::set<std::string> used;
  for (const ParsedNode& node : graph().nodes) {
    people += node.label == "Person" ? 1 : 0;
    for (const std::string& label : node.boundary) {
      used.insert(label);
      EXPECT_TRUE(defined.count(label)) << node.id << " carries undefined " << label;
    }
  }
  // The teams, pii, restricted and one personal label per person.
  EXPECT_EQ(graph().labels.size(), 20u + 2u + people);
  EXPECT_EQ(shared_->summary.labels, graph().labels.size());
  EXPECT_EQ(graph().labels.front(), (ParsedLabel{"team:t00", "Material of team t00", false}));
  EXPECT_EQ(graph().labels[20], (ParsedLabel{"pii", "Personal data about people", false}));
  EXPECT_EQ(graph().labels[22],
            (ParsedLabel{"personal:person-00000001", "Private to person-00000001", false}));
  EXPECT_TRUE(used.count("team:t19") && used.count("pii") && used.count("restricted"));
}

TEST_F(GraphGeneratorTest, QuerySetRefersToExistingNodes) {
  const Json& q = shared_->queries;
  EXPECT_EQ(q["seed"], 1);
  EXPECT_EQ(q["nodes"], kNodes);
  EXPECT_EQ(q["edges"], shared_->summary.edges);
  std::set<std::string> seeds, seed_labels;
  for (const Json& id : q["seed_ids"]) {
    const ParsedNode* node = Find(id.get<std::string>());
    ASSERT_NE(node, nullptr) << id;
    seeds.insert(id.get<std::string>());
    seed_labels.insert(node->label);
  }
  EXPECT_EQ(seeds.size(), 200u);
  EXPECT_EQ(seed_labels.size(), 6u);

  const std::map<std::string, int> depth = LineageDepths();
  std::set<std::string> starts;
  for (const Json& start : q["lineage_starts"]) {
    const std::string id = start["id"];
    ASSERT_NE(Find(id), nullptr) << id;
    EXPECT_GE(start["depth"].get<int>(), 8) << id;
    EXPECT_EQ(start["depth"].get<int>(), depth.at(id)) << id;
    starts.insert(id);
  }
  EXPECT_EQ(starts.size(), 50u);

  const Json kPrincipals = Json::parse(R"([
    {"id":"agent-3teams","roles":["agent"],"clearances":["team:t00","team:t01","team:t02"]},
    {"id":"agent-all","roles":["agent"],"clearances":["*"]},
    {"id":"auditor","roles":["auditor"],"clearances":["*"]},
    {"id":"loader","roles":["loader"],"clearances":["*"]}])");
  EXPECT_EQ(q["principals"], kPrincipals);
}

TEST_F(GraphGeneratorTest, SearchTermCountsMatchTheText) {
  // Count lowercase words (ASCII letters or UTF-8) in titles and texts.
  std::map<std::string, uint64_t> counts;
  for (const ParsedNode& node : graph().nodes) {
    for (const char* prop : {"title", "text"}) {
      auto it = node.props.find(prop);
      if (it == node.props.end()) continue;
      std::string word;
      for (char c : it->second.substr(2) + " ") {
        if ((c >= 'a' && c <= 'z') || static_cast<unsigned char>(c) >= 0x80) {
          word.push_back(c);
        } else {
          if (!word.empty()) ++counts[word];
          word.clear();
        }
      }
    }
  }
  const Json& terms = shared_->queries["search_terms"];
  const Json& term_counts = shared_->queries["search_term_counts"];
  uint64_t least_common = UINT64_MAX;
  std::set<std::string> common;
  for (const Json& word : terms["common"]) {
    common.insert(word);
    least_common = std::min(least_common, counts[word]);
  }
  for (const auto& [word, n] : counts) {
    if (!common.count(word)) {
      EXPECT_LE(n, least_common) << word << " is more common";
    }
  }
  for (const char* bucket : {"common", "medium", "rare"}) {
    ASSERT_EQ(terms[bucket].size(), 10u) << bucket;
    for (const Json& word : terms[bucket]) {
      EXPECT_EQ(term_counts[word.get<std::string>()].get<uint64_t>(), counts[word]) << word;
      if (std::string(bucket) == "rare") {
        EXPECT_GE(counts[word], 1u);
        EXPECT_LE(counts[word], 5u);
      }
      if (std::string(bucket) == "medium") {
        EXPECT_GT(counts[word], 5u);
      }
    }
  }
}

}  // namespace
}  // namespace ctxgraph::gen_test
