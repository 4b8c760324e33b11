// LineageWalker on hand-built graphs: direction, depths and layers, the depth
// and work bounds, cycles, diamonds, Path, as-of reads, validation, roles and
// audit entries; then the boundary rules, written as attacks: what an agent
// may not see leaves no trace, and an auditor's stubs say only that a chain
// goes on and how far.
#include "query/lineage.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <regex>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "tests/query/indexed_graph.h"

namespace ctxgraph {
namespace {

constexpr char kDerived[] = "DERIVED_FROM";

Mutation Derived(const std::string& from, const std::string& to) {
  return EdgeOp(from, kDerived, to);
}

class LineageGraphFixture : public IndexedGraph {
 public:
  absl::StatusOr<LineageGraph> Up(const Caller& caller, LineageRequest request,
                                  LineageLimits limits = {}) {
    return LineageWalker(store(), opaque_ids_, caller, limits)
        .Upstream(std::move(request), audit());
  }
  absl::StatusOr<LineageGraph> Down(const Caller& caller, LineageRequest request,
                                    LineageLimits limits = {}) {
    return LineageWalker(store(), opaque_ids_, caller, limits)
        .Downstream(std::move(request), audit());
  }
  absl::StatusOr<LineagePath> Path(const Caller& caller, LineagePathRequest request,
                                   LineageLimits limits = {}) {
    return LineageWalker(store(), opaque_ids_, caller, limits).Path(std::move(request), audit());
  }
  // The last audit entry.
  AuditEntry LastEntry() {
    auto page = audit().List(AuditFilter{}, audit().head_seq() - 1, 1);
    EXPECT_TRUE(page.ok() && page->entries.size() == 1);
    return page.ok() && !page->entries.empty() ? page->entries[0] : AuditEntry{};
  }

  const OpaqueIdHasher opaque_ids_{db().redaction_key()};
};

LineageRequest From(const std::string& id, std::optional<int> depth = std::nullopt) {
  LineageRequest r;
  r.node_id = id;
  r.max_depth = depth;
  return r;
}

LineagePathRequest Between(const std::string& from, const std::string& to,
                           std::optional<int> depth = std::nullopt) {
  LineagePathRequest r;
  r.from = from;
  r.to = to;
  r.max_depth = depth;
  return r;
}

// "id d=<depth> l=<layer>" per node, in order; stubs as "[stub] d= l=".
std::vector<std::string> NodeList(const std::vector<LineageNode>& nodes) {
  std::vector<std::string> out;
  for (const LineageNode& n : nodes) {
    out.push_back(absl::StrCat(n.redacted ? "[stub]" : n.node->id, " d=", n.depth, " l=", n.layer));
  }
  return out;
}

std::string EdgeText(const EdgeRecord& e) { return e.from + "-" + e.label + "->" + e.to; }

std::vector<std::string> EdgeList(const std::vector<EdgeRecord>& edges) {
  std::vector<std::string> out;
  for (const EdgeRecord& e : edges) out.push_back(EdgeText(e));
  return out;
}

std::vector<std::string> EdgeList(const std::vector<std::shared_ptr<const EdgeRecord>>& edges) {
  std::vector<std::string> out;
  for (const auto& e : edges) out.push_back(EdgeText(*e));
  return out;
}

std::string PropsText(const PropMap& props) {
  std::string out;
  for (const auto& [key, value] : props) {
    absl::StrAppend(&out, key, "=");
    if (const auto* s = std::get_if<std::string>(&value.v)) absl::StrAppend(&out, *s);
    absl::StrAppend(&out, ";");
  }
  return out;
}

std::string ProvenanceText(const Provenance& p) {
  return absl::StrCat(p.version, "/", p.commit_time.micros, "/", p.writer, "/",
                      ToHex(p.content_hash));
}

// Every field of a node a caller receives.
std::string NodeDump(const LineageNode& n) {
  return absl::StrCat(n.node->id, " redacted=", n.redacted, " d=", n.depth, " l=", n.layer,
                      " labels=", absl::StrJoin(n.node->labels, ","),
                      " boundary=", absl::StrJoin(n.node->boundary, ","),
                      " props=", PropsText(n.node->props), " source=", n.node->source.system, ",",
                      n.node->source.uri, ",", static_cast<int>(n.node->source.authority),
                      " prov=", ProvenanceText(n.node->provenance));
}

std::string EdgeDump(const EdgeRecord& e) {
  return absl::StrCat(EdgeText(e), " props=", PropsText(e.props),
                      " prov=", ProvenanceText(e.provenance));
}

// Everything a caller receives of a walk but the audit seq.
std::string Dump(const LineageGraph& g) {
  std::string out;
  for (const LineageNode& n : g.nodes) absl::StrAppend(&out, NodeDump(n), "\n");
  for (const auto& e : g.edges) absl::StrAppend(&out, EdgeDump(*e), "\n");
  for (const LineageCycle& c : g.cycles) {
    absl::StrAppend(&out, "cycle ", absl::StrJoin(c.node_ids, ","), " closed by ",
                    absl::StrJoin(EdgeList(c.closing_edges), ","), "\n");
  }
  absl::StrAppend(&out, "truncated=", g.truncated, " depth_limited=", g.depth_limited,
                  " snapshot=", g.snapshot_version);
  return out;
}

std::string Dump(const LineagePath& p) {
  std::string out = p.direction == LineageDirection::kUpstream ? "upstream\n" : "downstream\n";
  for (const LineageNode& n : p.nodes) absl::StrAppend(&out, NodeDump(n), "\n");
  for (const auto& e : p.edges) absl::StrAppend(&out, EdgeDump(*e), "\n");
  absl::StrAppend(&out, "truncated=", p.truncated, " snapshot=", p.snapshot_version);
  return out;
}

std::string EntryDump(const AuditEntry& e) {
  std::string out =
      absl::StrCat(e.principal, " ", e.action, " @", e.snapshot_version, " ", e.summary, " items=");
  for (const AuditItem& item : e.items) absl::StrAppend(&out, item.node_id, "@", item.version, ",");
  return out;
}

const Caller kAgent = MakeCaller("agent", {"team:*"});
const Caller kAuditor = MakeCaller("auditor", {"team:*"}, {Role::kAuditor});

// ---------------------------------------------------------------------------
// Shape of the answer

TEST(LineageTest, UpstreamFollowsDerivedFromToTheSourcesAndDownstreamBack) {
  LineageGraphFixture g;
  // report was derived from summary, summary from export; deck from report.
  g.Write({NodeOp("export"), NodeOp("summary"), NodeOp("report"), NodeOp("deck"),
           Derived("summary", "export"), Derived("report", "summary"), Derived("deck", "report")});
  ASSERT_OK_AND_ASSIGN(LineageGraph up, g.Up(kAgent, From("report")));
  EXPECT_EQ(NodeList(up.nodes),
            (std::vector<std::string>{"report d=0 l=0", "summary d=1 l=1", "export d=2 l=2"}));
  EXPECT_EQ(EdgeList(up.edges), (std::vector<std::string>{"report-DERIVED_FROM->summary",
                                                          "summary-DERIVED_FROM->export"}));
  EXPECT_FALSE(up.truncated);
  EXPECT_FALSE(up.depth_limited);
  EXPECT_TRUE(up.cycles.empty());
  // Provenance travels with every node.
  EXPECT_EQ(up.nodes[1].node->source.uri, "wiki://summary");
  EXPECT_EQ(up.nodes[1].node->provenance.version, 1u);
  EXPECT_EQ(up.nodes[1].node->labels, std::vector<std::string>{"Document"});

  // The impact of the export: everything derived from it, edges as stored.
  ASSERT_OK_AND_ASSIGN(LineageGraph down, g.Down(kAgent, From("export")));
  EXPECT_EQ(NodeList(down.nodes), (std::vector<std::string>{"export d=0 l=0", "summary d=1 l=1",
                                                            "report d=2 l=2", "deck d=3 l=3"}));
  EXPECT_EQ(EdgeList(down.edges), (std::vector<std::string>{"summary-DERIVED_FROM->export",
                                                            "report-DERIVED_FROM->summary",
                                                            "deck-DERIVED_FROM->report"}));
}

// ctxgraph-bench's SQL (kLineageSql) walks src -> dst over DERIVED_FROM and
// keeps each node's minimum depth, excluding the start. Upstream must agree.
TEST(LineageTest, UpstreamDepthsAreTheFewestEdgesLikeTheBenchmarkSql) {
  LineageGraphFixture g;
  g.Write({NodeOp("s"), NodeOp("a"), NodeOp("b"), NodeOp("c"), NodeOp("other"), Derived("s", "a"),
           Derived("a", "b"), Derived("b", "c"), Derived("s", "c"),
           EdgeOp("s", "MENTIONS", "other"), Derived("other", "s")});
  ASSERT_OK_AND_ASSIGN(LineageGraph up, g.Up(kAgent, From("s", 10)));
  // The SQL would answer (a,1), (b,2), (c,1): c is one edge away, even though
  // it is also three away, and its layer puts it after b.
  EXPECT_EQ(NodeList(up.nodes),
            (std::vector<std::string>{"s d=0 l=0", "a d=1 l=1", "b d=2 l=2", "c d=1 l=3"}));
}

TEST(LineageTest, OutputIsLayeredTopologicallyWithTiesById) {
  LineageGraphFixture g;
  // s derived from x and y; y derived from x: x must come after y.
  g.Write({NodeOp("s"), NodeOp("x"), NodeOp("y"), NodeOp("w"), Derived("s", "x"), Derived("s", "y"),
           Derived("y", "x"), Derived("s", "w")});
  ASSERT_OK_AND_ASSIGN(LineageGraph up, g.Up(kAgent, From("s")));
  EXPECT_EQ(NodeList(up.nodes),
            (std::vector<std::string>{"s d=0 l=0", "w d=1 l=1", "y d=1 l=1", "x d=1 l=2"}));
  EXPECT_EQ(EdgeList(up.edges),
            (std::vector<std::string>{"s-DERIVED_FROM->w", "s-DERIVED_FROM->y", "s-DERIVED_FROM->x",
                                      "y-DERIVED_FROM->x"}));
}

TEST(LineageTest, ADiamondListsEachNodeAndEdgeOnce) {
  LineageGraphFixture g;
  g.Write({NodeOp("top"), NodeOp("left"), NodeOp("right"), NodeOp("bottom"), Derived("top", "left"),
           Derived("top", "right"), Derived("left", "bottom"), Derived("right", "bottom")});
  ASSERT_OK_AND_ASSIGN(LineageGraph up, g.Up(kAgent, From("top")));
  EXPECT_EQ(NodeList(up.nodes), (std::vector<std::string>{"top d=0 l=0", "left d=1 l=1",
                                                          "right d=1 l=1", "bottom d=2 l=2"}));
  EXPECT_EQ(EdgeList(up.edges),
            (std::vector<std::string>{"top-DERIVED_FROM->left", "top-DERIVED_FROM->right",
                                      "left-DERIVED_FROM->bottom", "right-DERIVED_FROM->bottom"}));
  EXPECT_TRUE(up.cycles.empty());
  const AuditEntry entry = g.LastEntry();
  EXPECT_EQ(entry.items.size(), 4u);
}

// Random DAGs written in shuffled order, against longest and shortest paths
// computed here: layers, depths, node order and edge order.
TEST(LineageTest, LayersOfRandomDagsAreLongestPathsFromTheStart) {
  constexpr int kNodes = 24;
  for (uint32_t seed = 1; seed <= 12; ++seed) {
    SCOPED_TRACE(absl::StrCat("seed ", seed));
    std::mt19937 rng(seed);
    const auto name = [](int i) { return absl::StrCat("n", i < 10 ? "0" : "", i); };
    // i DERIVED_FROM j only for i < j: upstream of i lie higher numbers.
    std::vector<std::pair<int, int>> arcs;
    for (int i = 0; i < kNodes; ++i) {
      for (int j = i + 1; j < kNodes; ++j) {
        if (std::uniform_int_distribution<int>(0, 5)(rng) == 0) arcs.emplace_back(i, j);
      }
    }
    std::shuffle(arcs.begin(), arcs.end(), rng);
    std::vector<Mutation> ops;
    for (int i = 0; i < kNodes; ++i) ops.push_back(NodeOp(name(i)));
    for (const auto& [from, to] : arcs) ops.push_back(Derived(name(from), name(to)));
    LineageGraphFixture g;
    g.Write(ops);

    // Numbers ascend along every arc, so index order is topological.
    std::vector<int> depth(kNodes, -1), layer(kNodes, -1);
    depth[0] = layer[0] = 0;
    for (int step = 0; step < kNodes; ++step) {
      for (const auto& [from, to] : arcs) {
        if (depth[from] >= 0 && (depth[to] < 0 || depth[to] > depth[from] + 1)) {
          depth[to] = depth[from] + 1;
        }
      }
    }
    for (int i = 0; i < kNodes; ++i) {
      for (const auto& [from, to] : arcs) {
        if (from == i && layer[from] >= 0) layer[to] = std::max(layer[to], layer[from] + 1);
      }
    }
    std::vector<int> order;
    for (int i = 0; i < kNodes; ++i) {
      if (depth[i] >= 0) order.push_back(i);
    }
    // The start leads layer 0 alone; ids sort like numbers here.
    std::sort(order.begin(), order.end(),
              [&](int a, int b) { return std::tie(layer[a], a) < std::tie(layer[b], b); });
    std::vector<std::string> nodes;
    std::vector<int> position(kNodes, -1);
    for (int i : order) {
      position[i] = static_cast<int>(nodes.size());
      nodes.push_back(absl::StrCat(name(i), " d=", depth[i], " l=", layer[i]));
    }
    std::vector<std::pair<int, int>> reached;
    for (const auto& [from, to] : arcs) {
      if (depth[from] >= 0) reached.emplace_back(position[from], position[to]);
    }
    std::sort(reached.begin(), reached.end());
    std::vector<std::string> edges;
    for (const auto& [from, to] : reached) {
      edges.push_back(absl::StrCat(name(order[from]), "-DERIVED_FROM->", name(order[to])));
    }

    ASSERT_OK_AND_ASSIGN(LineageGraph up, g.Up(kAgent, From(name(0), kNodes)));
    EXPECT_EQ(NodeList(up.nodes), nodes);
    EXPECT_EQ(EdgeList(up.edges), edges);
    EXPECT_TRUE(up.cycles.empty());
  }
}

TEST(LineageTest, ACycleIsReportedOnceAndWalkedOnce) {
  LineageGraphFixture g;
  g.Write({NodeOp("a"), NodeOp("b"), NodeOp("c"), NodeOp("d"), NodeOp("e"), Derived("a", "b"),
           Derived("b", "c"), Derived("c", "a"), Derived("c", "d"), Derived("d", "e"),
           Derived("e", "e")});
  ASSERT_OK_AND_ASSIGN(LineageGraph up, g.Up(kAgent, From("a", 100)));
  EXPECT_EQ(NodeList(up.nodes), (std::vector<std::string>{"a d=0 l=0", "b d=1 l=0", "c d=2 l=0",
                                                          "d d=3 l=1", "e d=4 l=2"}));
  EXPECT_EQ(
      EdgeList(up.edges),
      (std::vector<std::string>{"a-DERIVED_FROM->b", "b-DERIVED_FROM->c", "c-DERIVED_FROM->a",
                                "c-DERIVED_FROM->d", "d-DERIVED_FROM->e", "e-DERIVED_FROM->e"}));
  ASSERT_EQ(up.cycles.size(), 2u);
  EXPECT_EQ(up.cycles[0].node_ids, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(EdgeList(up.cycles[0].closing_edges), std::vector<std::string>{"c-DERIVED_FROM->a"});
  EXPECT_EQ(up.cycles[1].node_ids, std::vector<std::string>{"e"});
  EXPECT_EQ(EdgeList(up.cycles[1].closing_edges), std::vector<std::string>{"e-DERIVED_FROM->e"});
  EXPECT_FALSE(up.truncated);
  EXPECT_FALSE(up.depth_limited);

  // Downstream from inside the cycle, the same cycle, found from b.
  ASSERT_OK_AND_ASSIGN(LineageGraph down, g.Down(kAgent, From("b")));
  // The start leads its layer, even inside a cycle.
  EXPECT_EQ(NodeList(down.nodes),
            (std::vector<std::string>{"b d=0 l=0", "a d=1 l=0", "c d=2 l=0"}));
  ASSERT_EQ(down.cycles.size(), 1u);
  EXPECT_EQ(down.cycles[0].node_ids, (std::vector<std::string>{"a", "b", "c"}));
  // A depth-first search from b against the edges: b -> a -> c -> b, so the
  // edge b-DERIVED_FROM->c closes it.
  EXPECT_EQ(EdgeList(down.cycles[0].closing_edges), std::vector<std::string>{"b-DERIVED_FROM->c"});
}

TEST(LineageTest, ACycleClosingAtMaxDepthIsStillFound) {
  LineageGraphFixture g;
  g.Write({NodeOp("a"), NodeOp("b"), NodeOp("c"), NodeOp("d"), Derived("a", "b"), Derived("b", "c"),
           Derived("c", "a"), Derived("c", "d")});
  ASSERT_OK_AND_ASSIGN(LineageGraph up, g.Up(kAgent, From("a", 2)));
  EXPECT_EQ(NodeList(up.nodes), (std::vector<std::string>{"a d=0 l=0", "b d=1 l=0", "c d=2 l=0"}));
  ASSERT_EQ(up.cycles.size(), 1u);
  EXPECT_EQ(EdgeList(up.cycles[0].closing_edges), std::vector<std::string>{"c-DERIVED_FROM->a"});
  EXPECT_TRUE(up.depth_limited);  // c leads on to d
}

TEST(LineageTest, MaxDepthStopsTheWalkAndSaysWhetherTheLineageGoesOn) {
  LineageGraphFixture g;
  g.Write({NodeOp("n0"), NodeOp("n1"), NodeOp("n2"), NodeOp("n3"), NodeOp("n4"),
           Derived("n0", "n1"), Derived("n1", "n2"), Derived("n2", "n3"), Derived("n3", "n4")});
  ASSERT_OK_AND_ASSIGN(LineageGraph two, g.Up(kAgent, From("n0", 2)));
  EXPECT_EQ(NodeList(two.nodes),
            (std::vector<std::string>{"n0 d=0 l=0", "n1 d=1 l=1", "n2 d=2 l=2"}));
  EXPECT_TRUE(two.depth_limited);
  EXPECT_FALSE(two.truncated);
  ASSERT_OK_AND_ASSIGN(LineageGraph four, g.Up(kAgent, From("n0", 4)));
  EXPECT_EQ(four.nodes.size(), 5u);
  EXPECT_FALSE(four.depth_limited);  // n4 is the end
  ASSERT_OK_AND_ASSIGN(LineageGraph one, g.Down(kAgent, From("n4", 1)));
  EXPECT_EQ(NodeList(one.nodes), (std::vector<std::string>{"n4 d=0 l=0", "n3 d=1 l=1"}));
  EXPECT_TRUE(one.depth_limited);
}

TEST(LineageTest, TheWorkBoundTruncatesTheWalk) {
  LineageGraphFixture g;
  g.Write({NodeOp("a"), NodeOp("b"), NodeOp("c"), NodeOp("d"), Derived("a", "b"), Derived("a", "c"),
           Derived("a", "d"), Derived("b", "c")});
  LineageLimits nodes;
  nodes.max_nodes = 2;
  ASSERT_OK_AND_ASSIGN(LineageGraph by_nodes, g.Up(kAgent, From("a"), nodes));
  EXPECT_EQ(NodeList(by_nodes.nodes), (std::vector<std::string>{"a d=0 l=0", "b d=1 l=1"}));
  EXPECT_TRUE(by_nodes.truncated);

  LineageLimits edges;
  edges.max_edges = 3;
  ASSERT_OK_AND_ASSIGN(LineageGraph by_edges, g.Up(kAgent, From("a"), edges));
  EXPECT_EQ(by_edges.nodes.size(), 4u);
  EXPECT_EQ(
      EdgeList(by_edges.edges),
      (std::vector<std::string>{"a-DERIVED_FROM->b", "a-DERIVED_FROM->c", "a-DERIVED_FROM->d"}));
  EXPECT_TRUE(by_edges.truncated);

  // Exactly at the bound is not truncated.
  LineageLimits exact;
  exact.max_nodes = 4;
  exact.max_edges = 4;
  ASSERT_OK_AND_ASSIGN(LineageGraph whole, g.Up(kAgent, From("a"), exact));
  EXPECT_EQ(whole.edges.size(), 4u);
  EXPECT_FALSE(whole.truncated);
}

TEST(LineageTest, ThePropsBoundTruncatesTheWalk) {
  LineageGraphFixture g;
  g.Write({NodeOp("a", {}, "12345"), NodeOp("b", {}, "12345"), NodeOp("c", {}, "12345"),
           Derived("a", "b"), Derived("b", "c")});
  LineageLimits limits;
  limits.max_props_bytes = 18;  // "text" + 5 bytes = 9 per node: two fit
  ASSERT_OK_AND_ASSIGN(LineageGraph up, g.Up(kAgent, From("a"), limits));
  EXPECT_EQ(NodeList(up.nodes), (std::vector<std::string>{"a d=0 l=0", "b d=1 l=1"}));
  EXPECT_TRUE(up.truncated);
}

TEST(LineageTest, EdgeLabelsChooseWhatCountsAsLineage) {
  LineageGraphFixture g;
  g.Write({NodeOp("a"), NodeOp("b"), NodeOp("c"), NodeOp("d"), Derived("a", "b"),
           EdgeOp("a", "COPIED_FROM", "c"), EdgeOp("a", "MENTIONS", "d")});
  ASSERT_OK_AND_ASSIGN(LineageGraph defaults, g.Up(kAgent, From("a")));
  EXPECT_EQ(EdgeList(defaults.edges), std::vector<std::string>{"a-DERIVED_FROM->b"});
  LineageRequest r = From("a");
  r.edge_labels = {"COPIED_FROM", kDerived, "COPIED_FROM"};
  ASSERT_OK_AND_ASSIGN(LineageGraph both, g.Up(kAgent, r));
  EXPECT_EQ(EdgeList(both.edges),
            (std::vector<std::string>{"a-DERIVED_FROM->b", "a-COPIED_FROM->c"}));
  EXPECT_NE(g.LastEntry().summary.find("edge_labels=[COPIED_FROM,DERIVED_FROM]"),
            std::string::npos);
}

TEST(LineageTest, AsOfReadsTheOldGraphAfterLaterWritesAndDeletes) {
  LineageGraphFixture g;
  const uint64_t v1 = g.Write(
      {NodeOp("a", {}, "first"), NodeOp("b"), NodeOp("c"), Derived("a", "b"), Derived("b", "c")});
  g.Write({NodeOp("a", {}, "second"), NodeOp("d"), Derived("a", "d")});
  g.Write({NodeDelete{"c"}});
  LineageRequest old = From("a");
  old.as_of = v1;
  ASSERT_OK_AND_ASSIGN(LineageGraph then, g.Up(kAgent, old));
  EXPECT_EQ(NodeList(then.nodes),
            (std::vector<std::string>{"a d=0 l=0", "b d=1 l=1", "c d=2 l=2"}));
  EXPECT_EQ(PropsText(then.nodes[0].node->props), "text=first;");
  EXPECT_EQ(then.snapshot_version, v1);
  EXPECT_EQ(g.LastEntry().snapshot_version, v1);
  ASSERT_OK_AND_ASSIGN(LineageGraph now, g.Up(kAgent, From("a")));
  EXPECT_EQ(NodeList(now.nodes), (std::vector<std::string>{"a d=0 l=0", "b d=1 l=1", "d d=1 l=1"}));
  EXPECT_EQ(PropsText(now.nodes[0].node->props), "text=second;");
  EXPECT_EQ(now.snapshot_version, v1 + 2);
  // A node deleted since is NOT_FOUND now and there as of v1.
  EXPECT_STATUS(g.Up(kAgent, From("c")), absl::StatusCode::kNotFound,
                "node_id: node \"c\" not found");
  LineageRequest c_then = From("c");
  c_then.as_of = v1;
  ASSERT_OK(g.Down(kAgent, c_then));
}

TEST(LineageTest, RejectsBadRequestsNamingTheFieldAndLogsNothing) {
  LineageGraphFixture g;
  g.Write({NodeOp("a")});
  const uint64_t head = g.audit().head_seq();
  EXPECT_STATUS(g.Up(kAgent, From("")), absl::StatusCode::kInvalidArgument,
                "node_id: must be 1..256 bytes, got 0");
  EXPECT_STATUS(g.Up(kAgent, From("a", 0)), absl::StatusCode::kInvalidArgument,
                "max_depth: must be 1..100, got 0");
  EXPECT_STATUS(g.Down(kAgent, From("a", 101)), absl::StatusCode::kInvalidArgument,
                "max_depth: must be 1..100, got 101");
  LineageRequest r = From("a");
  r.edge_labels = {kDerived, "not ok"};
  EXPECT_STATUS(g.Up(kAgent, r), absl::StatusCode::kInvalidArgument,
                "edge_labels[1]: \"not ok\" has a character outside [A-Za-z0-9_]");
  r.edge_labels.assign(65, kDerived);
  EXPECT_STATUS(g.Up(kAgent, r), absl::StatusCode::kInvalidArgument,
                "edge_labels: at most 64 labels, got 65");
  r = From("a");
  r.as_of = 99;
  EXPECT_STATUS(g.Up(kAgent, r), absl::StatusCode::kInvalidArgument,
                "as_of_version: 99 is ahead of the latest version 1");
  EXPECT_STATUS(g.Path(kAgent, Between("a", "")), absl::StatusCode::kInvalidArgument,
                "to: must be 1..256 bytes, got 0");
  EXPECT_STATUS(g.Path(kAgent, Between("", "a")), absl::StatusCode::kInvalidArgument,
                "from: must be 1..256 bytes, got 0");
  EXPECT_STATUS(g.Path(kAgent, Between("a", "a")), absl::StatusCode::kInvalidArgument,
                "to: same node as from");
  EXPECT_STATUS(g.Path(kAgent, Between("a", "b", 0)), absl::StatusCode::kInvalidArgument,
                "max_depth: must be 1..100, got 0");
  EXPECT_EQ(g.audit().head_seq(), head);
}

TEST(LineageTest, AgentsAuditorsStewardsAndAdminsMayWalkLoadersMayNot) {
  LineageGraphFixture g;
  g.Write({NodeOp("a"), NodeOp("b"), Derived("a", "b")});
  const uint64_t head = g.audit().head_seq();
  const Caller loader = MakeCaller("loader", {"*"}, {Role::kLoader});
  EXPECT_STATUS(g.Up(loader, From("a")), absl::StatusCode::kPermissionDenied,
                "Upstream requires the agent or auditor or steward or admin role");
  EXPECT_STATUS(g.Down(loader, From("a")), absl::StatusCode::kPermissionDenied,
                "Downstream requires the agent or auditor or steward or admin role");
  EXPECT_STATUS(g.Path(loader, Between("a", "b")), absl::StatusCode::kPermissionDenied,
                "Path requires the agent or auditor or steward or admin role");
  EXPECT_EQ(g.audit().head_seq(), head);
  for (Role role : {Role::kAgent, Role::kAuditor, Role::kSteward, Role::kAdmin}) {
    ASSERT_OK_AND_ASSIGN(LineageGraph up, g.Up(MakeCaller("p", {}, {role}), From("a")));
    EXPECT_EQ(up.nodes.size(), 2u);
  }
}

TEST(LineageTest, EveryCallWritesOneEntryWithTheNodesReturned) {
  LineageGraphFixture g;
  const uint64_t v = g.Write({NodeOp("a b"), NodeOp("c"), Derived("a b", "c")});
  ASSERT_OK_AND_ASSIGN(LineageGraph up, g.Up(kAgent, From("a b", 3)));
  AuditEntry e = g.LastEntry();
  // The seq only to a caller cleared for "*": seqs count every principal's
  // entries, those of nodes the agent may not see included.
  EXPECT_EQ(up.audit_seq, 0u);
  EXPECT_EQ(e.action, "lineage.upstream");
  EXPECT_EQ(e.principal, "agent");
  EXPECT_EQ(e.snapshot_version, v);
  EXPECT_EQ(e.summary,
            "lineage.v1 upstream node=\"a b\" max_depth=3 edge_labels=[DERIVED_FROM] as_of=0 "
            "policy_version=1 hidden=cut clearances=[team:*] outcome=ok nodes=2 redacted=0 "
            "edges=1 cycles=0 truncated=0 depth_limited=0");
  EXPECT_EQ(e.items, (std::vector<AuditItem>{{"a b", "", "", 1}, {"c", "", "", 1}}));

  ASSERT_OK(g.Down(kAgent, From("c")));
  EXPECT_EQ(g.LastEntry().action, "lineage.downstream");
  ASSERT_OK_AND_ASSIGN(LineagePath path, g.Path(kAgent, Between("a b", "c")));
  e = g.LastEntry();
  EXPECT_EQ(path.audit_seq, 0u);
  EXPECT_EQ(e.action, "lineage.path");
  EXPECT_EQ(e.summary,
            "lineage.v1 path from=\"a b\" to=\"c\" max_depth=10 edge_labels=[DERIVED_FROM] "
            "as_of=0 policy_version=1 hidden=cut clearances=[team:*] outcome=ok "
            "direction=upstream length=1 redacted=0 truncated=0");
  EXPECT_EQ(e.items, (std::vector<AuditItem>{{"a b", "", "", 1}, {"c", "", "", 1}}));
  // A caller cleared for "*" is told each entry's seq.
  const Caller everything = MakeCaller("chief", {"*"}, {Role::kAuditor});
  ASSERT_OK_AND_ASSIGN(LineageGraph seen, g.Up(everything, From("a b", 3)));
  EXPECT_EQ(seen.audit_seq, g.LastEntry().seq);
  ASSERT_OK_AND_ASSIGN(LineagePath seen_path, g.Path(everything, Between("a b", "c")));
  EXPECT_EQ(seen_path.audit_seq, g.LastEntry().seq);
  EXPECT_EQ(seen_path.audit_seq, seen.audit_seq + 1);

  // Answers without data are recorded too.
  EXPECT_STATUS(g.Up(kAgent, From("nope")), absl::StatusCode::kNotFound,
                "node_id: node \"nope\" not found");
  e = g.LastEntry();
  EXPECT_EQ(e.action, "lineage.upstream");
  EXPECT_NE(e.summary.find("outcome=not_found"), std::string::npos) << e.summary;
  EXPECT_TRUE(e.items.empty());
}

// ---------------------------------------------------------------------------
// Path

TEST(LineageTest, PathIsTheShortestChainInEitherOrientation) {
  LineageGraphFixture g;
  // a derived from d twice over: a -> b -> c -> d and a -> x -> d.
  g.Write({NodeOp("a"), NodeOp("b"), NodeOp("c"), NodeOp("d"), NodeOp("x"), Derived("a", "b"),
           Derived("b", "c"), Derived("c", "d"), Derived("a", "x"), Derived("x", "d")});
  ASSERT_OK_AND_ASSIGN(LineagePath up, g.Path(kAgent, Between("a", "d")));
  EXPECT_EQ(up.direction, LineageDirection::kUpstream);
  EXPECT_EQ(NodeList(up.nodes), (std::vector<std::string>{"a d=0 l=0", "x d=1 l=1", "d d=2 l=2"}));
  EXPECT_EQ(EdgeList(up.edges),
            (std::vector<std::string>{"a-DERIVED_FROM->x", "x-DERIVED_FROM->d"}));
  EXPECT_FALSE(up.truncated);

  ASSERT_OK_AND_ASSIGN(LineagePath down, g.Path(kAgent, Between("d", "a")));
  EXPECT_EQ(down.direction, LineageDirection::kDownstream);
  EXPECT_EQ(NodeList(down.nodes),
            (std::vector<std::string>{"d d=0 l=0", "x d=1 l=1", "a d=2 l=2"}));
  EXPECT_EQ(EdgeList(down.edges),
            (std::vector<std::string>{"x-DERIVED_FROM->d", "a-DERIVED_FROM->x"}));
}

TEST(LineageTest, PathTiesGoToTheSmallestIdsAndShorterDownstreamWins) {
  LineageGraphFixture g;
  g.Write({NodeOp("a"), NodeOp("q"), NodeOp("p"), NodeOp("d"), Derived("a", "q"), Derived("a", "p"),
           Derived("q", "d"), Derived("p", "d")});
  ASSERT_OK_AND_ASSIGN(LineagePath tie, g.Path(kAgent, Between("a", "d")));
  EXPECT_EQ(EdgeList(tie.edges),
            (std::vector<std::string>{"a-DERIVED_FROM->p", "p-DERIVED_FROM->d"}));
  // A cycle gives both orientations; the shorter one is downstream.
  g.Write({NodeOp("m"), NodeOp("n"), Derived("m", "n"), Derived("n", "a"), Derived("d", "m")});
  // Upstream a -> p -> d -> m -> n is 4 edges; downstream a <- n is 1.
  ASSERT_OK_AND_ASSIGN(LineagePath shorter, g.Path(kAgent, Between("a", "n")));
  EXPECT_EQ(shorter.direction, LineageDirection::kDownstream);
  EXPECT_EQ(EdgeList(shorter.edges), std::vector<std::string>{"n-DERIVED_FROM->a"});
}

TEST(LineageTest, PathIsNotFoundWithoutAChainWithinDepth) {
  LineageGraphFixture g;
  g.Write({NodeOp("a"), NodeOp("b"), NodeOp("c"), NodeOp("sib1"), NodeOp("sib2"), NodeOp("alone"),
           Derived("a", "b"), Derived("b", "c"), Derived("sib1", "c"), Derived("sib2", "c")});
  EXPECT_STATUS(g.Path(kAgent, Between("a", "c", 1)), absl::StatusCode::kNotFound,
                "no lineage path between \"a\" and \"c\" within depth 1");
  ASSERT_OK(g.Path(kAgent, Between("a", "c", 2)));
  // Two things derived from one source are not a lineage chain.
  EXPECT_STATUS(g.Path(kAgent, Between("sib1", "sib2")), absl::StatusCode::kNotFound,
                "no lineage path between \"sib1\" and \"sib2\" within depth 10");
  EXPECT_STATUS(g.Path(kAgent, Between("a", "alone")), absl::StatusCode::kNotFound,
                "no lineage path between \"a\" and \"alone\" within depth 10");
  EXPECT_NE(g.LastEntry().summary.find("outcome=not_found"), std::string::npos);
  EXPECT_STATUS(g.Path(kAgent, Between("a", "nope")), absl::StatusCode::kNotFound,
                "to: node \"nope\" not found");
  EXPECT_STATUS(g.Path(kAgent, Between("nope", "a")), absl::StatusCode::kNotFound,
                "from: node \"nope\" not found");
}

TEST(LineageTest, PathCutByTheWorkBoundIsResourceExhausted) {
  LineageGraphFixture g;
  g.Write({NodeOp("a"), NodeOp("b"), NodeOp("c"), NodeOp("d"), Derived("a", "b"), Derived("b", "c"),
           Derived("c", "d")});
  LineageLimits limits;
  limits.max_nodes = 3;
  EXPECT_STATUS(g.Path(kAgent, Between("a", "d"), limits), absl::StatusCode::kResourceExhausted,
                "no lineage path between \"a\" and \"d\" found before the work bound (3 nodes, "
                "50000 edges) stopped the search");
  EXPECT_NE(g.LastEntry().summary.find("outcome=work_bound"), std::string::npos);
  ASSERT_OK_AND_ASSIGN(LineagePath near, g.Path(kAgent, Between("a", "c"), limits));
  EXPECT_EQ(near.nodes.size(), 3u);
}

// ---------------------------------------------------------------------------
// Boundaries: agents

// The privacy tests put "pii" and "team:eng" on nodes, which must be
// defined first; every graph of a comparison defines them alike.
class PrivacyGraph : public LineageGraphFixture {
 public:
  PrivacyGraph() { DefineLabels({"pii", "team:eng"}); }
};

TEST(LineagePrivacyTest, AHiddenNodeCutsTheChainForAnAgentAndNothingBeyondAppears) {
  PrivacyGraph g;
  g.Write({NodeOp("start"), NodeOp("hidden-canary", {"pii"}, "canary text"),
           NodeOp("beyond-canary"), NodeOp("further-canary"), Derived("start", "hidden-canary"),
           Derived("hidden-canary", "beyond-canary"), Derived("beyond-canary", "further-canary")});
  for (int depth : {1, 2, 10}) {
    ASSERT_OK_AND_ASSIGN(LineageGraph up, g.Up(kAgent, From("start", depth)));
    EXPECT_EQ(NodeList(up.nodes), std::vector<std::string>{"start d=0 l=0"});
    EXPECT_TRUE(up.edges.empty());
    EXPECT_FALSE(up.depth_limited) << depth;  // the hidden node does not lead on
    EXPECT_FALSE(up.truncated);
    const std::string entry = EntryDump(g.LastEntry());
    const std::string everything = Dump(up) + entry;
    for (const char* canary : {"canary", "pii"}) {
      EXPECT_EQ(everything.find(canary), std::string::npos) << canary << "\n" << everything;
    }
    // What a start without lineage answers and logs, but for commit times.
    PrivacyGraph alone;
    alone.Write({NodeOp("start")});
    ASSERT_OK_AND_ASSIGN(LineageGraph bare, alone.Up(kAgent, From("start", depth)));
    EXPECT_EQ(NodeList(up.nodes), NodeList(bare.nodes));
    EXPECT_EQ(up.nodes[0].node->provenance.content_hash,
              bare.nodes[0].node->provenance.content_hash);
    EXPECT_EQ(EntryDump(alone.LastEntry()), entry);
    EXPECT_EQ(bare.truncated, up.truncated);
    EXPECT_EQ(bare.depth_limited, up.depth_limited);
  }
  // Downstream from the far end stops at the hidden node just the same.
  ASSERT_OK_AND_ASSIGN(LineageGraph down, g.Down(kAgent, From("further-canary")));
  EXPECT_EQ(NodeList(down.nodes),
            (std::vector<std::string>{"further-canary d=0 l=0", "beyond-canary d=1 l=1"}));
}

TEST(LineagePrivacyTest, ANodeBeyondAHiddenOneAppearsWhenAVisibleChainReachesIt) {
  PrivacyGraph g;
  g.Write({NodeOp("s"), NodeOp("h", {"pii"}), NodeOp("v"), NodeOp("t"), Derived("s", "h"),
           Derived("h", "t"), Derived("s", "v"), Derived("v", "t")});
  ASSERT_OK_AND_ASSIGN(LineageGraph up, g.Up(kAgent, From("s")));
  EXPECT_EQ(NodeList(up.nodes), (std::vector<std::string>{"s d=0 l=0", "v d=1 l=1", "t d=2 l=2"}));
  EXPECT_EQ(EdgeList(up.edges),
            (std::vector<std::string>{"s-DERIVED_FROM->v", "v-DERIVED_FROM->t"}));
}

TEST(LineagePrivacyTest, HiddenAndAbsentStartsAnswerAndLogAlike) {
  PrivacyGraph g;
  g.Write({NodeOp("x1", {"pii"}), NodeOp("source"), Derived("x1", "source")});
  // The same id, once hidden and once absent (in another database).
  PrivacyGraph empty;
  empty.Write({NodeOp("source")});
  for (const Caller* caller : {&kAgent, &kAuditor}) {
    const absl::Status hidden = g.Up(*caller, From("x1")).status();
    const std::string hidden_entry = EntryDump(g.LastEntry());
    const absl::Status absent = empty.Up(*caller, From("x1")).status();
    const std::string absent_entry = EntryDump(empty.LastEntry());
    EXPECT_EQ(hidden.code(), absl::StatusCode::kNotFound);
    EXPECT_EQ(hidden.message(), "node_id: node \"x1\" not found");
    EXPECT_EQ(hidden, absent);
    EXPECT_EQ(hidden_entry, absent_entry);
    EXPECT_EQ(g.Down(*caller, From("x1")).status(), empty.Down(*caller, From("x1")).status());
    EXPECT_EQ(g.Path(*caller, Between("x1", "source")).status(),
              empty.Path(*caller, Between("x1", "source")).status());
    EXPECT_EQ(g.Path(*caller, Between("source", "x1")).status(),
              empty.Path(*caller, Between("source", "x1")).status());
  }
}

TEST(LineagePrivacyTest, HiddenNodesNeverCountTowardsTruncatedOrDepthLimited) {
  PrivacyGraph g;
  g.Write({NodeOp("s"), NodeOp("h1", {"pii"}), NodeOp("h2", {"pii"}), NodeOp("h3", {"pii"}),
           NodeOp("v"), NodeOp("w"), NodeOp("h4", {"pii"}), Derived("s", "h1"), Derived("s", "h2"),
           Derived("s", "h3"), Derived("s", "v"), Derived("v", "w"), Derived("w", "h4")});
  LineageLimits tight;
  tight.max_nodes = 3;
  tight.max_edges = 2;
  ASSERT_OK_AND_ASSIGN(LineageGraph up, g.Up(kAgent, From("s"), tight));
  EXPECT_EQ(NodeList(up.nodes), (std::vector<std::string>{"s d=0 l=0", "v d=1 l=1", "w d=2 l=2"}));
  EXPECT_FALSE(up.truncated);
  // w's only source is hidden: the lineage ends at w.
  ASSERT_OK_AND_ASSIGN(LineageGraph two, g.Up(kAgent, From("s", 2)));
  EXPECT_FALSE(two.depth_limited);
  // The admin sees what the bound cuts and what lies beyond depth 2.
  ASSERT_OK_AND_ASSIGN(LineageGraph all, g.Up(g.admin_, From("s"), tight));
  EXPECT_TRUE(all.truncated);
  ASSERT_OK_AND_ASSIGN(LineageGraph all_two, g.Up(g.admin_, From("s", 2)));
  EXPECT_TRUE(all_two.depth_limited);
}

TEST(LineagePrivacyTest, APathThroughAHiddenNodeIsNotFoundForAnAgent) {
  PrivacyGraph g;
  g.Write({NodeOp("a"), NodeOp("h", {"pii"}), NodeOp("c"), NodeOp("z"), Derived("a", "h"),
           Derived("h", "c")});
  const absl::Status through = g.Path(kAgent, Between("a", "c")).status();
  EXPECT_STATUS(through, absl::StatusCode::kNotFound,
                "no lineage path between \"a\" and \"c\" within depth 10");
  const std::string through_entry = EntryDump(g.LastEntry());
  // Exactly what an unrelated pair answers and logs, up to the ids asked.
  PrivacyGraph plain;
  plain.Write({NodeOp("a"), NodeOp("c")});
  EXPECT_EQ(plain.Path(kAgent, Between("a", "c")).status(), through);
  EXPECT_EQ(EntryDump(plain.LastEntry()), through_entry);
  EXPECT_STATUS(g.Path(kAgent, Between("a", "h")), absl::StatusCode::kNotFound,
                "to: node \"h\" not found");
}

TEST(LineagePrivacyTest, ALabelPutOnLaterHidesTheNodeInOlderSnapshotsToo) {
  PrivacyGraph g;
  const uint64_t v1 =
      g.Write({NodeOp("a"), NodeOp("b"), NodeOp("c"), Derived("a", "b"), Derived("b", "c")});
  g.Write({NodeOp("b", {"pii"})});
  LineageRequest old = From("a");
  old.as_of = v1;
  ASSERT_OK_AND_ASSIGN(LineageGraph agent, g.Up(kAgent, old));
  EXPECT_EQ(NodeList(agent.nodes), std::vector<std::string>{"a d=0 l=0"});
  ASSERT_OK_AND_ASSIGN(LineageGraph auditor, g.Up(kAuditor, old));
  EXPECT_EQ(NodeList(auditor.nodes),
            (std::vector<std::string>{"a d=0 l=0", "[stub] d=1 l=1", "c d=2 l=2"}));
}

// ---------------------------------------------------------------------------
// Boundaries: auditors

TEST(LineagePrivacyTest, AnAuditorSeesAStubWithOnlyAnOpaqueIdAndTheNodesBeyondIt) {
  PrivacyGraph g;
  NodeUpsert hidden;
  hidden.node.id = "hidden-canary";
  hidden.node.labels = {"CanaryLabel"};
  hidden.node.boundary = {"pii", "team:eng"};
  hidden.node.props["title"] = Value{std::string("canary title")};
  hidden.node.source = Source{"canarysystem", "canary://uri", Authority::kAsserted};
  EdgeUpsert into = std::get<EdgeUpsert>(Derived("start", "hidden-canary"));
  into.edge.props["note"] = Value{std::string("canary edge prop")};
  EdgeUpsert last = std::get<EdgeUpsert>(Derived("beyond", "far"));
  last.edge.props["note"] = Value{std::string("visible edge prop")};
  const uint64_t v = g.Write({NodeOp("start"), hidden, NodeOp("beyond"), NodeOp("far"), into,
                              Derived("hidden-canary", "beyond"), last});
  ASSERT_OK_AND_ASSIGN(LineageGraph up, g.Up(kAuditor, From("start")));
  ASSERT_EQ(NodeList(up.nodes), (std::vector<std::string>{"start d=0 l=0", "[stub] d=1 l=1",
                                                          "beyond d=2 l=2", "far d=3 l=3"}));
  const LineageNode& stub = up.nodes[1];
  EXPECT_TRUE(stub.redacted);
  EXPECT_TRUE(std::regex_match(stub.node->id, std::regex("redacted:[0-9a-f]{32}")))
      << stub.node->id;
  EXPECT_TRUE(stub.node->labels.empty());
  EXPECT_TRUE(stub.node->props.empty());
  EXPECT_TRUE(stub.node->boundary.empty());
  EXPECT_EQ(stub.node->source, Source{});
  EXPECT_EQ(stub.node->provenance.version, 0u);
  EXPECT_EQ(stub.node->provenance.writer, "");
  EXPECT_EQ(stub.node->provenance.content_hash, ContentHash{});
  EXPECT_EQ(EdgeList(up.edges), (std::vector<std::string>{"start-DERIVED_FROM->" + stub.node->id,
                                                          stub.node->id + "-DERIVED_FROM->beyond",
                                                          "beyond-DERIVED_FROM->far"}));
  // Edges touching the stub carry nothing but their label.
  for (size_t i : {0, 1}) {
    EXPECT_TRUE(up.edges[i]->props.empty());
    EXPECT_EQ(up.edges[i]->provenance.version, 0u);
    EXPECT_EQ(up.edges[i]->provenance.writer, "");
  }
  EXPECT_EQ(up.edges[2]->provenance.version, v);  // a visible edge keeps its provenance
  AuditEntry entry = g.LastEntry();
  EXPECT_EQ(entry.items, (std::vector<AuditItem>{{"start", "", "", v},
                                                 {stub.node->id, "", "", 0},
                                                 {"beyond", "", "", v},
                                                 {"far", "", "", v}}));
  EXPECT_NE(entry.summary.find("hidden=stub"), std::string::npos);
  EXPECT_NE(entry.summary.find("redacted=1"), std::string::npos);
  const std::string everything = Dump(up) + EntryDump(entry);
  for (const char* canary : {"canary", "Canary", "pii", "team:eng"}) {
    EXPECT_EQ(everything.find(canary), std::string::npos) << canary << "\n" << everything;
  }

  // A path through it: the chain's length, nothing of what is hidden.
  ASSERT_OK_AND_ASSIGN(LineagePath path, g.Path(kAuditor, Between("start", "far")));
  EXPECT_EQ(NodeList(path.nodes), (std::vector<std::string>{"start d=0 l=0", "[stub] d=1 l=1",
                                                            "beyond d=2 l=2", "far d=3 l=3"}));
  EXPECT_EQ(path.nodes[1].node->id, stub.node->id);
  const std::string path_text = Dump(path) + EntryDump(g.LastEntry());
  EXPECT_EQ(path_text.find("canary"), std::string::npos) << path_text;
  // Downstream, the same chain walked the other way: edges as stored, the
  // stub's bare, the visible one whole.
  ASSERT_OK_AND_ASSIGN(LineageGraph down, g.Down(kAuditor, From("far")));
  ASSERT_EQ(NodeList(down.nodes), (std::vector<std::string>{"far d=0 l=0", "beyond d=1 l=1",
                                                            "[stub] d=2 l=2", "start d=3 l=3"}));
  EXPECT_EQ(down.nodes[2].node->id, stub.node->id);
  EXPECT_EQ(
      EdgeList(down.edges),
      (std::vector<std::string>{"beyond-DERIVED_FROM->far", stub.node->id + "-DERIVED_FROM->beyond",
                                "start-DERIVED_FROM->" + stub.node->id}));
  EXPECT_EQ(down.edges[0]->provenance.version, v);
  EXPECT_EQ(PropsText(down.edges[0]->props), PropsText(last.edge.props));
  for (size_t i : {1, 2}) {
    EXPECT_TRUE(down.edges[i]->props.empty());
    EXPECT_EQ(down.edges[i]->provenance.version, 0u);
    EXPECT_EQ(down.edges[i]->provenance.writer, "");
  }
  ASSERT_OK_AND_ASSIGN(LineagePath back, g.Path(kAuditor, Between("far", "start")));
  EXPECT_EQ(back.direction, LineageDirection::kDownstream);
  EXPECT_EQ(EdgeList(back.edges), EdgeList(down.edges));
  EXPECT_TRUE(back.edges[2]->props.empty());
  const std::string down_text = Dump(down) + Dump(back) + EntryDump(g.LastEntry());
  for (const char* canary : {"canary", "Canary", "pii", "team:eng"}) {
    EXPECT_EQ(down_text.find(canary), std::string::npos) << canary << "\n" << down_text;
  }

  // The hidden node cannot be named, even by an auditor.
  EXPECT_STATUS(g.Path(kAuditor, Between("start", "hidden-canary")), absl::StatusCode::kNotFound,
                "to: node \"hidden-canary\" not found");
  EXPECT_STATUS(g.Up(kAuditor, From(stub.node->id)), absl::StatusCode::kNotFound,
                absl::StrCat("node_id: node \"", stub.node->id, "\" not found"));
}

TEST(LineagePrivacyTest, OpaqueIdsAreStableAcrossCallsAndDifferPerDatabase) {
  auto build = [](LineageGraphFixture& g) {
    g.Write({NodeOp("a"), NodeOp("h", {"pii"}), NodeOp("c"), Derived("a", "h"), Derived("h", "c")});
  };
  PrivacyGraph one, two;
  build(one);
  build(two);
  ASSERT_OK_AND_ASSIGN(LineageGraph first, one.Up(kAuditor, From("a")));
  ASSERT_OK_AND_ASSIGN(LineageGraph again, one.Up(kAuditor, From("a")));
  ASSERT_OK_AND_ASSIGN(LineageGraph down, one.Down(kAuditor, From("c")));
  ASSERT_OK_AND_ASSIGN(LineageGraph other, two.Up(kAuditor, From("a")));
  ASSERT_EQ(first.nodes.size(), 3u);
  ASSERT_EQ(down.nodes.size(), 3u);
  ASSERT_EQ(other.nodes.size(), 3u);
  const std::string& id = first.nodes[1].node->id;
  EXPECT_EQ(Dump(first), Dump(again));
  EXPECT_EQ(down.nodes[1].node->id, id);
  EXPECT_NE(other.nodes[1].node->id, id);
  EXPECT_TRUE(other.nodes[1].redacted);
  // Two hidden nodes get two ids.
  one.Write({NodeOp("h2", {"pii"}), Derived("c", "h2")});
  ASSERT_OK_AND_ASSIGN(LineageGraph longer, one.Up(kAuditor, From("a")));
  ASSERT_EQ(longer.nodes.size(), 4u);
  EXPECT_EQ(longer.nodes[1].node->id, id);
  EXPECT_NE(longer.nodes[3].node->id, id);
  EXPECT_TRUE(longer.nodes[3].redacted);
}

TEST(LineagePrivacyTest, AStubCountsLikeANodeForAnAuditor) {
  PrivacyGraph g;
  g.Write({NodeOp("a"), NodeOp("h", {"pii"}), NodeOp("c"), Derived("a", "h"), Derived("h", "c")});
  LineageLimits two;
  two.max_nodes = 2;
  ASSERT_OK_AND_ASSIGN(LineageGraph cut, g.Up(kAuditor, From("a"), two));
  EXPECT_EQ(NodeList(cut.nodes), (std::vector<std::string>{"a d=0 l=0", "[stub] d=1 l=1"}));
  EXPECT_TRUE(cut.truncated);
  ASSERT_OK_AND_ASSIGN(LineageGraph one, g.Up(kAuditor, From("a", 1)));
  EXPECT_TRUE(one.depth_limited);  // the stub leads on to c
  // An auditor cleared for everything gets no stub at all.
  const Caller all_seeing = MakeCaller("auditor2", {"*"}, {Role::kAuditor});
  ASSERT_OK_AND_ASSIGN(LineageGraph full, g.Up(all_seeing, From("a")));
  EXPECT_EQ(NodeList(full.nodes),
            (std::vector<std::string>{"a d=0 l=0", "h d=1 l=1", "c d=2 l=2"}));
}

TEST(LineagePrivacyTest, AnAdminWithoutTheAuditorRoleIsCutLikeAnAgent) {
  PrivacyGraph g;
  g.Write({NodeOp("a"), NodeOp("h", {"pii"}), NodeOp("c"), Derived("a", "h"), Derived("h", "c")});
  const Caller admin = MakeCaller("limited-admin", {"team:*"}, {Role::kAdmin});
  ASSERT_OK_AND_ASSIGN(LineageGraph up, g.Up(admin, From("a")));
  EXPECT_EQ(NodeList(up.nodes), std::vector<std::string>{"a d=0 l=0"});
}

TEST(LineagePrivacyTest, ACycleThroughAHiddenNodeIsReportedInOpaqueIds) {
  PrivacyGraph g;
  g.Write({NodeOp("a"), NodeOp("h", {"pii"}), Derived("a", "h"), Derived("h", "a")});
  ASSERT_OK_AND_ASSIGN(LineageGraph audited, g.Up(kAuditor, From("a")));
  ASSERT_EQ(audited.cycles.size(), 1u);
  const std::string& stub = audited.nodes[1].node->id;
  EXPECT_EQ(audited.cycles[0].node_ids, (std::vector<std::string>{"a", stub}));
  EXPECT_EQ(EdgeList(audited.cycles[0].closing_edges),
            std::vector<std::string>{stub + "-DERIVED_FROM->a"});
  ASSERT_OK_AND_ASSIGN(LineageGraph agent, g.Up(kAgent, From("a")));
  EXPECT_TRUE(agent.cycles.empty());
}

}  // namespace
}  // namespace ctxgraph
