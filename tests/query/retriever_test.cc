// Retriever: ranking, hops and via paths on hand-built graphs, determinism,
// as-of reads, budgets, the work bound, the audit entry, and hidden nodes
// that leave no trace in any field of a result.
#include "query/retriever.h"

#include <gtest/gtest.h>

#include <map>

#include "absl/strings/str_format.h"
#include "tests/query/retrieval_fixture.h"

namespace ctxgraph {
namespace {

const Caller kAgent = MakeCaller("agent", {"team:*"});

std::vector<std::string> ViaText(const RetrievedItem& item) {
  std::vector<std::string> out;
  for (const auto& e : item.via) out.push_back(e->from + "-" + e->label + "->" + e->to);
  return out;
}

TEST(RetrieverTest, RanksByPersonalizedPageRankAsComputedByHand) {
  RetrievalGraph g;
  g.Write({NodeOp("S"), NodeOp("A"), NodeOp("B"), NodeOp("C"), EdgeOp("S", "REFERENCES", "A"),
           EdgeOp("S", "MENTIONS", "B"), EdgeOp("A", "PART_OF", "C")});
  ASSERT_OK_AND_ASSIGN(RetrievalResult r, g.Retrieve(g.admin_, Seeds({"S"})));
  // Walk from S: A with 1/1.6, B with 0.6/1.6; from A: S 1/1.8, C 0.8/1.8.
  // Solving r = 0.15 p + 0.85 W r: c = 0.37778 a, b = 0.31875 s,
  // a = 0.78253 s, s = 0.15 / 0.35954 = 0.417206.
  ASSERT_EQ(ItemIds(r), (std::vector<std::string>{"S", "A", "B", "C"}));
  EXPECT_NEAR(r.items[0].score, 0.417206, 1e-5);
  EXPECT_NEAR(r.items[1].score, 0.326476, 1e-5);
  EXPECT_NEAR(r.items[2].score, 0.132985, 1e-5);
  EXPECT_NEAR(r.items[3].score, 0.123335, 1e-5);
  EXPECT_EQ(r.items[0].hop, 0);
  EXPECT_EQ(r.items[1].hop, 1);
  EXPECT_EQ(r.items[3].hop, 2);
  EXPECT_TRUE(r.items[0].via.empty());
  EXPECT_EQ(ViaText(r.items[3]), (std::vector<std::string>{"S-REFERENCES->A", "A-PART_OF->C"}));
  std::vector<std::string> edges;
  for (const auto& e : r.edges) edges.push_back(e->from + "-" + e->label + "->" + e->to);
  EXPECT_EQ(edges, (std::vector<std::string>{"A-PART_OF->C", "S-MENTIONS->B", "S-REFERENCES->A"}));
  EXPECT_FALSE(r.truncated);
  // Provenance travels with every item.
  EXPECT_EQ(r.items[1].node->source.uri, "wiki://A");
  EXPECT_EQ(r.items[1].node->provenance.version, 1u);
  EXPECT_EQ(r.items[1].node->provenance.writer, "admin");
}

// The edge bound, met during expansion, also bounds the edges listed
// between the returned items; the answer says it was cut.
TEST(RetrieverTest, TheEdgeBoundMetDuringExpansionBoundsTheListedEdges) {
  RetrievalGraph g;
  g.Write({NodeOp("A"), NodeOp("B"), NodeOp("C"), EdgeOp("A", "REFERENCES", "B"),
           EdgeOp("A", "REFERENCES", "C")});
  RetrieverOptions one;
  one.max_edges = 1;
  ASSERT_OK_AND_ASSIGN(RetrievalResult r, g.Retrieve(g.admin_, Seeds({"A", "B", "C"}, 1), one));
  ASSERT_EQ(ItemIds(r), (std::vector<std::string>{"A", "B", "C"}));
  EXPECT_TRUE(r.truncated);
  std::vector<std::string> edges;
  for (const auto& e : r.edges) edges.push_back(e->from + "-" + e->label + "->" + e->to);
  EXPECT_EQ(edges, (std::vector<std::string>{"A-REFERENCES->B"}));
}

TEST(RetrieverTest, ParallelEdgesBetweenReturnedItemsStopAtTheEdgeBound) {
  RetrievalGraph g;
  std::vector<Mutation> ops = {NodeOp("A"), NodeOp("B")};
  for (const char* label : {"L0", "L1", "L2", "L3", "L4"}) ops.push_back(EdgeOp("A", label, "B"));
  g.Write(ops);
  RetrieverOptions three;
  three.max_edges = 3;
  // No expansion: both are seeds; only the closing of edges meets the bound.
  ASSERT_OK_AND_ASSIGN(RetrievalResult r, g.Retrieve(g.admin_, Seeds({"A", "B"}, 0), three));
  ASSERT_EQ(ItemIds(r), (std::vector<std::string>{"A", "B"}));
  std::vector<std::string> edges;
  for (const auto& e : r.edges) edges.push_back(e->from + "-" + e->label + "->" + e->to);
  EXPECT_EQ(edges, (std::vector<std::string>{"A-L0->B", "A-L1->B", "A-L2->B"}));
  EXPECT_TRUE(r.truncated);
  RetrieverOptions five;
  five.max_edges = 5;
  ASSERT_OK_AND_ASSIGN(r, g.Retrieve(g.admin_, Seeds({"A", "B"}, 0), five));
  EXPECT_EQ(r.edges.size(), 5u);
  EXPECT_FALSE(r.truncated);
}

TEST(RetrieverTest, EqualScoresAreOrderedByNodeId) {
  RetrievalGraph g;
  g.Write({NodeOp("S"), NodeOp("y"), NodeOp("x"), EdgeOp("S", "MENTIONS", "y"),
           EdgeOp("S", "MENTIONS", "x")});
  ASSERT_OK_AND_ASSIGN(RetrievalResult r, g.Retrieve(g.admin_, Seeds({"S"})));
  ASSERT_EQ(ItemIds(r), (std::vector<std::string>{"S", "x", "y"}));
  EXPECT_EQ(r.items[1].score, r.items[2].score);
}

TEST(RetrieverTest, EdgesBetweenItemsAtTheLastHopAreListedToo) {
  RetrievalGraph g;
  g.Write({NodeOp("S"), NodeOp("x"), NodeOp("y"), NodeOp("z"), EdgeOp("S", "MENTIONS", "x"),
           EdgeOp("S", "MENTIONS", "y"), EdgeOp("x", "LINKS", "y"), EdgeOp("y", "LINKS", "z")});
  ASSERT_OK_AND_ASSIGN(RetrievalResult r, g.Retrieve(g.admin_, Seeds({"S"}, 1)));
  ASSERT_EQ(ItemIds(r), (std::vector<std::string>{"S", "x", "y"}));
  std::vector<std::string> edges;
  for (const auto& e : r.edges) edges.push_back(e->from + "-" + e->label + "->" + e->to);
  // x-LINKS->y joins two last-hop items; y-LINKS->z leads out of the items.
  EXPECT_EQ(edges, (std::vector<std::string>{"S-MENTIONS->x", "S-MENTIONS->y", "x-LINKS->y"}));
  EXPECT_FALSE(r.truncated);
}

// Inward expansion never reads out-edges, so the edges among items that
// leave an expanded node (x-LINKS->q) must still be found.
TEST(RetrieverTest, InwardExpansionListsEveryEdgeAmongItems) {
  RetrievalGraph g;
  g.Write({NodeOp("S"), NodeOp("x"), NodeOp("y"), NodeOp("q"), NodeOp("z"),
           EdgeOp("x", "REFERENCES", "S"), EdgeOp("y", "REFERENCES", "S"),
           EdgeOp("x", "LINKS", "y"), EdgeOp("q", "MENTIONS", "x"), EdgeOp("x", "LINKS", "q"),
           EdgeOp("S", "LINKS", "z")});
  RetrievalRequest request = Seeds({"S"}, 2);
  request.direction = DirectionFilter::kIn;
  ASSERT_OK_AND_ASSIGN(RetrievalResult r, g.Retrieve(g.admin_, request));
  std::vector<std::string> ids = ItemIds(r);
  std::sort(ids.begin(), ids.end());
  // z is only reachable along an out-edge of S.
  ASSERT_EQ(ids, (std::vector<std::string>{"S", "q", "x", "y"}));
  std::vector<std::string> edges;
  for (const auto& e : r.edges) edges.push_back(e->from + "-" + e->label + "->" + e->to);
  EXPECT_EQ(edges, (std::vector<std::string>{"q-MENTIONS->x", "x-LINKS->q", "x-LINKS->y",
                                             "x-REFERENCES->S", "y-REFERENCES->S"}));
}

TEST(RetrieverTest, SameRequestTwiceGivesTheSameItemsAndDigest) {
  RetrievalGraph g;
  g.Write({NodeOp("S"), NodeOp("A"), NodeOp("B"), NodeOp("C"), EdgeOp("S", "REPLY_TO", "A"),
           EdgeOp("B", "PART_OF", "S"), EdgeOp("A", "MENTIONS", "C"), EdgeOp("C", "LINKS", "B")});
  ASSERT_OK_AND_ASSIGN(RetrievalResult first, g.Retrieve(kAgent, Seeds({"S", "C"})));
  ASSERT_OK_AND_ASSIGN(RetrievalResult second, g.Retrieve(kAgent, Seeds({"S", "C"})));
  EXPECT_EQ(Observable(first), Observable(second));
  EXPECT_EQ(g.SeqOf(first.receipt.receipt_id) + 1, g.SeqOf(second.receipt.receipt_id));
  EXPECT_EQ(g.SeqOf(second.receipt.receipt_id), g.audit().head_seq());
}

TEST(RetrieverTest, WritesOneRetrieveEntryWithTheRequestAndItems) {
  RetrievalGraph g;
  const uint64_t v = g.Write({NodeOp("S"), NodeOp("a b,c"), EdgeOp("S", "REFERENCES", "a b,c")});
  RetrievalRequest request = Seeds({"S"}, 1);
  request.edge_labels = {"REFERENCES", "MENTIONS", "REFERENCES"};
  request.direction = DirectionFilter::kOut;
  ASSERT_OK_AND_ASSIGN(RetrievalResult r, g.Retrieve(kAgent, request));
  ASSERT_OK_AND_ASSIGN(AuditPage page,
                       g.audit().List(AuditFilter{}, g.SeqOf(r.receipt.receipt_id) - 1, 1));
  ASSERT_EQ(page.entries.size(), 1u);
  const AuditEntry& e = page.entries[0];
  EXPECT_EQ(e.action, "retrieve");
  EXPECT_EQ(e.principal, "agent");
  EXPECT_EQ(e.snapshot_version, v);
  EXPECT_EQ(e.summary,
            "retrieve.v1 seeds=S query= max_hops=1 direction=out "
            "edge_labels=MENTIONS,REFERENCES max_items=50 max_bytes=1048576 as_of=0 "
            "policy_version=1 clearances=team:* max_nodes=10000 max_edges=50000 content=" +
                ToHex(r.receipt.content) + " budget_edges=1");
  EXPECT_EQ(r.receipt.content, RetrievalContentDigest(r));
  EXPECT_EQ(e.items, (std::vector<AuditItem>{{"S", "", "", 1}, {"a b,c", "", "", 1}}));
  EXPECT_EQ(e.items_digest, r.receipt.digest);
  EXPECT_EQ(r.receipt.snapshot_version, v);
  EXPECT_EQ(r.receipt.principal, "agent");
  EXPECT_EQ(r.receipt.clearances, (std::vector<std::string>{"team:*"}));
  // The digest's documented encoding: varint len, id, two empty strings,
  // varint version, per item.
  const std::string bytes = std::string("\x01S\x00\x00\x01", 5) + std::string(
                                                                      "\x05"
                                                                      "a b,c\x00\x00\x01",
                                                                      9);
  EXPECT_EQ(r.receipt.digest, Sha256(bytes));

  ASSERT_OK_AND_ASSIGN(RecordedRetrieval decoded, DecodeRetrievalSummary(e.summary));
  EXPECT_EQ(decoded.request.seeds, (std::vector<std::string>{"S"}));
  EXPECT_EQ(decoded.request.edge_labels, (std::vector<std::string>{"MENTIONS", "REFERENCES"}));
  EXPECT_EQ(decoded.request.direction, DirectionFilter::kOut);
  EXPECT_EQ(decoded.policy_version, 1u);
  EXPECT_EQ(decoded.max_nodes, 10000u);
  EXPECT_EQ(decoded.max_edges, 50000u);
  EXPECT_EQ(decoded.content, r.receipt.content);
  EXPECT_TRUE(decoded.edges_in_budget);
}

TEST(RetrieverTest, SummaryRoundTripsAnyIdAndQuery) {
  RecordedRetrieval in;
  in.request.seeds = {"a b", "x,y=z", "%41", "caf\xc3\xa9", "-_.:*/"};
  in.request.query = "q3 plan; 100%";
  in.request.max_hops = 0;
  in.request.max_items = 7;
  in.request.max_bytes = 9;
  in.request.as_of = 3;
  in.policy_version = 12;
  in.clearances = {"*", "team:*"};
  const std::string summary = EncodeRetrievalSummary(in);
  EXPECT_EQ(summary,
            "retrieve.v1 seeds=a%20b,x%2Cy%3Dz,%2541,caf%C3%A9,-_.:*/ query=q3%20plan%3B%20100%25 "
            "max_hops=0 direction=both edge_labels= max_items=7 max_bytes=9 as_of=3 "
            "policy_version=12 clearances=*,team:*");
  ASSERT_OK_AND_ASSIGN(RecordedRetrieval out, DecodeRetrievalSummary(summary));
  EXPECT_EQ(out.request, in.request);
  EXPECT_EQ(out.policy_version, 12u);
  EXPECT_EQ(out.clearances, in.clearances);
  EXPECT_STATUS(DecodeRetrievalSummary("receipt=1 outcome=match"), absl::StatusCode::kDataLoss,
                "audit summary: not a retrieve.v1 summary");

  // Written before edges counted towards max_bytes (content, no
  // budget_edges), and after.
  const std::string hex(64, 'a');
  const std::string with_content = summary + " max_nodes=10 max_edges=20 content=" + hex;
  ASSERT_OK_AND_ASSIGN(RecordedRetrieval old, DecodeRetrievalSummary(with_content));
  EXPECT_EQ(old.max_edges, 20u);
  ASSERT_TRUE(old.content.has_value());
  EXPECT_EQ(ToHex(*old.content), hex);
  EXPECT_FALSE(old.edges_in_budget);
  EXPECT_EQ(EncodeRetrievalSummary(old), with_content);
  ASSERT_OK_AND_ASSIGN(RecordedRetrieval now,
                       DecodeRetrievalSummary(with_content + " budget_edges=1"));
  EXPECT_TRUE(now.edges_in_budget);
  EXPECT_EQ(EncodeRetrievalSummary(now), with_content + " budget_edges=1");
  EXPECT_STATUS(DecodeRetrievalSummary(with_content + " budget_edges=2"),
                absl::StatusCode::kDataLoss, "audit summary: bad budget_edges");
  EXPECT_STATUS(DecodeRetrievalSummary(summary + " max_nodes=10 max_edges=20 budget_edges=1"),
                absl::StatusCode::kDataLoss, "audit summary: expected content");
}

TEST(RetrieverTest, RejectsBadRequestsNamingTheField) {
  RetrievalGraph g;
  g.Write({NodeOp("S")});
  const uint64_t head = g.audit().head_seq();
  auto expect = [&](RetrievalRequest r, absl::StatusCode code, const std::string& message) {
    EXPECT_STATUS(g.Retrieve(kAgent, std::move(r)), code, message);
  };
  expect(RetrievalRequest{}, absl::StatusCode::kInvalidArgument,
         "seeds: need at least one seed or a query");
  expect(Seeds({"S", ""}), absl::StatusCode::kInvalidArgument,
         "seeds[1]: must be 1..256 bytes, got 0");
  expect(Seeds({"S", "T", "S"}), absl::StatusCode::kInvalidArgument,
         "seeds[2]: duplicate of seeds[0]");
  expect(Seeds({"S"}, 9), absl::StatusCode::kInvalidArgument,
         "expansion.max_hops: must be 0..5, got 9");
  expect(Seeds({"S"}, -1), absl::StatusCode::kInvalidArgument,
         "expansion.max_hops: must be 0..5, got -1");
  RetrievalRequest r = Seeds({"S"});
  r.edge_labels = {"OK", "not ok"};
  expect(r, absl::StatusCode::kInvalidArgument,
         "expansion.edge_labels[1]: \"not ok\" has a character outside [A-Za-z0-9_]");
  r = Seeds({"S"});
  for (int i = 0; i < 65; ++i) r.edge_labels.push_back(absl::StrCat("L", i));
  expect(r, absl::StatusCode::kInvalidArgument, "expansion.edge_labels: at most 64 labels, got 65");
  r = Seeds({"S"});
  r.max_items = 5000;
  expect(r, absl::StatusCode::kInvalidArgument, "budget.max_items: must be 0..1000, got 5000");
  r = Seeds({"S"});
  r.max_bytes = -1;
  expect(r, absl::StatusCode::kInvalidArgument, "budget.max_bytes: must be 0..4194304, got -1");
  r = Seeds({"S"});
  r.as_of = 99;
  expect(r, absl::StatusCode::kInvalidArgument,
         "as_of_version: 99 is ahead of the latest version 1");
  r = Seeds({});
  r.query = "!!!";
  expect(r, absl::StatusCode::kInvalidArgument, "query: has no searchable terms");
  EXPECT_EQ(g.audit().head_seq(), head);  // a failed Retrieve logs nothing
}

TEST(RetrieverTest, AsOfReturnsTheOldStateAfterLaterWritesAndDeletes) {
  RetrievalGraph g;
  const uint64_t v1 = g.Write({NodeOp("S", {}, "first"), NodeOp("A"), NodeOp("B"),
                               EdgeOp("S", "REFERENCES", "A"), EdgeOp("A", "PART_OF", "B")});
  ASSERT_OK_AND_ASSIGN(RetrievalResult then, g.Retrieve(kAgent, Seeds({"S"})));
  g.Write({NodeOp("S", {}, "second"), NodeOp("D"), EdgeOp("S", "MENTIONS", "D")});
  NodeDelete del{"B"};
  g.Write({del});
  RetrievalRequest old = Seeds({"S"});
  old.as_of = v1;
  ASSERT_OK_AND_ASSIGN(RetrievalResult again, g.Retrieve(kAgent, old));
  EXPECT_EQ(Observable(again), Observable(then));
  // A sits between S and B, so it ranks first.
  ASSERT_EQ(ItemIds(again), (std::vector<std::string>{"A", "S", "B"}));
  EXPECT_EQ(std::get<std::string>(again.items[1].node->props.at("text").v), "first");
  ASSERT_OK_AND_ASSIGN(RetrievalResult now, g.Retrieve(kAgent, Seeds({"S"})));
  ASSERT_EQ(ItemIds(now), (std::vector<std::string>{"S", "A", "D"}));
  EXPECT_EQ(now.items[0].node->provenance.version, v1 + 1);
  EXPECT_EQ(std::get<std::string>(now.items[0].node->props.at("text").v), "second");
}

// S -> Y, and S -> H -> X with H hidden from the agent: X is reachable only
// through H. The agent's answer must equal the one on a graph without H.
std::vector<Mutation> HiddenMiddle(bool with_hidden) {
  std::vector<Mutation> m = {NodeOp("S", {"team:eng"}), NodeOp("Y"), NodeOp("X"),
                             EdgeOp("S", "REFERENCES", "Y")};
  if (with_hidden) {
    m.push_back(NodeOp("H", {"team:eng", "pii"}, "canary"));
    m.push_back(EdgeOp("S", "REFERENCES", "H"));
    m.push_back(EdgeOp("H", "DERIVED_FROM", "X"));
    m.push_back(EdgeOp("Y", "MENTIONS", "H"));
  }
  return m;
}

TEST(RetrieverTest, ExpansionNeverPassesThroughAHiddenNode) {
  RetrievalGraph with, without;
  with.DefineLabels({"team:eng", "pii"});
  without.DefineLabels({"team:eng", "pii"});
  with.Write(HiddenMiddle(true));
  without.Write(HiddenMiddle(false));
  for (int hops = 0; hops <= 3; ++hops) {
    for (size_t max_nodes : {size_t{1}, size_t{2}, size_t{10000}}) {
      SCOPED_TRACE(absl::StrCat("hops ", hops, " max_nodes ", max_nodes));
      RetrieverOptions options;
      options.max_nodes = max_nodes;
      ASSERT_OK_AND_ASSIGN(RetrievalResult a, with.Retrieve(kAgent, Seeds({"S"}, hops), options));
      ASSERT_OK_AND_ASSIGN(RetrievalResult b,
                           without.Retrieve(kAgent, Seeds({"S"}, hops), options));
      EXPECT_EQ(Observable(a), Observable(b));
      EXPECT_EQ(a.nodes_visited, b.nodes_visited);
      EXPECT_EQ(Observable(a).find("H"), std::string::npos);
      EXPECT_EQ(Observable(a).find("X"), std::string::npos);
    }
  }
  // Two visible nodes fit a bound of two: the hidden one does not count.
  RetrieverOptions two;
  two.max_nodes = 2;
  ASSERT_OK_AND_ASSIGN(RetrievalResult r, with.Retrieve(kAgent, Seeds({"S"}), two));
  EXPECT_FALSE(r.truncated);
  // A caller cleared for pii reaches X through H.
  ASSERT_OK_AND_ASSIGN(RetrievalResult admin, with.Retrieve(with.admin_, Seeds({"S"})));
  ASSERT_EQ(ItemIds(admin).size(), 4u);
  for (const auto& item : admin.items) {
    if (item.node->id == "X") {
      EXPECT_EQ(ViaText(item), (std::vector<std::string>{"S-REFERENCES->H", "H-DERIVED_FROM->X"}));
    }
  }
}

TEST(RetrieverTest, AHiddenSeedIsIndistinguishableFromAnAbsentOne) {
  RetrievalGraph g;
  g.DefineLabels({"team:eng", "pii"});
  g.Write(HiddenMiddle(true));
  const uint64_t head = g.audit().head_seq();
  EXPECT_STATUS(g.Retrieve(kAgent, Seeds({"S", "H"})), absl::StatusCode::kNotFound,
                "seeds[1]: node \"H\" not found");
  EXPECT_STATUS(g.Retrieve(kAgent, Seeds({"S", "Q"})), absl::StatusCode::kNotFound,
                "seeds[1]: node \"Q\" not found");
  EXPECT_EQ(g.audit().head_seq(), head);
  // A query whose only match is hidden seeds nothing, like a query matching
  // nothing at all.
  RetrievalRequest hidden_term, absent_term;
  hidden_term.query = "canary";
  absent_term.query = "zzzz";
  ASSERT_OK_AND_ASSIGN(RetrievalResult a, g.Retrieve(kAgent, hidden_term));
  ASSERT_OK_AND_ASSIGN(RetrievalResult b, g.Retrieve(kAgent, absent_term));
  EXPECT_EQ(Observable(a), Observable(b));
  EXPECT_TRUE(a.items.empty());
}

TEST(RetrieverTest, ALabelPutOnLaterHidesTheNodesHistory) {
  RetrievalGraph g;
  g.DefineLabels({"pii"});
  const uint64_t v1 = g.Write({NodeOp("S"), NodeOp("L"), EdgeOp("S", "REFERENCES", "L")});
  NodeUpsert relabel = std::get<NodeUpsert>(NodeOp("L", {"pii"}));
  g.Write({relabel});
  RetrievalRequest old = Seeds({"S"});
  old.as_of = v1;
  ASSERT_OK_AND_ASSIGN(RetrievalResult r, g.Retrieve(kAgent, old));
  EXPECT_EQ(ItemIds(r), (std::vector<std::string>{"S"}));
  EXPECT_FALSE(r.truncated);
}

TEST(RetrieverTest, QueryHitsBecomeSeeds) {
  RetrievalGraph g;
  g.Write({NodeOp("q1", {}, "merger plan for spring"), NodeOp("q2", {}, "merger"), NodeOp("z"),
           NodeOp("w"), EdgeOp("q1", "REFERENCES", "z"), EdgeOp("z", "REFERENCES", "w")});
  RetrievalRequest r;
  r.query = "merger";
  r.max_hops = 1;
  ASSERT_OK_AND_ASSIGN(RetrievalResult result, g.Retrieve(kAgent, r));
  std::map<std::string, int> hops;
  for (const auto& item : result.items) hops[item.node->id] = item.hop;
  EXPECT_EQ(hops, (std::map<std::string, int>{{"q1", 0}, {"q2", 0}, {"z", 1}}));
}

// S and five neighbours n1..n5 whose props take 4 + 10 = 14 bytes each.
RetrievalGraph& Star(RetrievalGraph& g) {
  std::vector<Mutation> m = {NodeOp("S")};
  for (int i = 1; i <= 5; ++i) {
    m.push_back(NodeOp(absl::StrCat("n", i), {}, "0123456789"));
    m.push_back(EdgeOp("S", "REFERENCES", absl::StrCat("n", i)));
  }
  g.Write(m);
  return g;
}

TEST(RetrieverTest, BudgetCutsExactlyAndSaysSo) {
  RetrievalGraph g;
  Star(g);
  ASSERT_OK_AND_ASSIGN(RetrievalResult all, g.Retrieve(kAgent, Seeds({"S"})));
  EXPECT_EQ(ItemIds(all), (std::vector<std::string>{"S", "n1", "n2", "n3", "n4", "n5"}));
  EXPECT_FALSE(all.truncated);
  RetrievalRequest r = Seeds({"S"});
  r.max_items = 3;
  ASSERT_OK_AND_ASSIGN(RetrievalResult three, g.Retrieve(kAgent, r));
  EXPECT_EQ(ItemIds(three), (std::vector<std::string>{"S", "n1", "n2"}));
  EXPECT_TRUE(three.truncated);
  EXPECT_EQ(three.edges.size(), 2u);
  r.max_items = 6;
  ASSERT_OK_AND_ASSIGN(RetrievalResult six, g.Retrieve(kAgent, r));
  EXPECT_FALSE(six.truncated);
  r = Seeds({"S"});
  r.max_bytes = 28;
  ASSERT_OK_AND_ASSIGN(RetrievalResult fits, g.Retrieve(kAgent, r));
  EXPECT_EQ(ItemIds(fits), (std::vector<std::string>{"S", "n1", "n2"}));
  EXPECT_TRUE(fits.truncated);
  r.max_bytes = 27;
  ASSERT_OK_AND_ASSIGN(RetrievalResult less, g.Retrieve(kAgent, r));
  EXPECT_EQ(ItemIds(less), (std::vector<std::string>{"S", "n1"}));
  r.max_bytes = 70;
  ASSERT_OK_AND_ASSIGN(RetrievalResult exact, g.Retrieve(kAgent, r));
  EXPECT_EQ(exact.items.size(), 6u);
  EXPECT_FALSE(exact.truncated);
}

std::vector<std::string> EdgeEnds(const RetrievalResult& r) {
  std::vector<std::string> ends;
  for (const auto& e : r.edges) ends.push_back(e->from + ">" + e->to);
  return ends;
}

TEST(RetrieverTest, EdgesPropsShareTheBytesBudgetAfterTheItems) {
  RetrievalGraph g;
  StarWithEdgeProps(g);
  RetrievalRequest r = Seeds({"S"});
  r.max_bytes = 56;  // 28 of items, 28 of edges
  ASSERT_OK_AND_ASSIGN(RetrievalResult all, g.Retrieve(kAgent, r));
  EXPECT_EQ(ItemIds(all), (std::vector<std::string>{"S", "n1", "n2"}));
  EXPECT_EQ(EdgeEnds(all), (std::vector<std::string>{"S>n1", "S>n2"}));
  EXPECT_FALSE(all.truncated);
  r.max_bytes = 55;
  ASSERT_OK_AND_ASSIGN(RetrievalResult one, g.Retrieve(kAgent, r));
  EXPECT_EQ(ItemIds(one), (std::vector<std::string>{"S", "n1", "n2"}));
  EXPECT_EQ(EdgeEnds(one), (std::vector<std::string>{"S>n1"}));
  EXPECT_TRUE(one.truncated);
  r.max_bytes = 28;
  ASSERT_OK_AND_ASSIGN(RetrievalResult none, g.Retrieve(kAgent, r));
  EXPECT_EQ(ItemIds(none), (std::vector<std::string>{"S", "n1", "n2"}));
  EXPECT_TRUE(none.edges.empty());
  EXPECT_TRUE(none.truncated);
  // As answered before edges counted (a replay of such a receipt).
  RetrieverOptions before;
  before.edge_props_in_budget = false;
  ASSERT_OK_AND_ASSIGN(RetrievalResult old, g.Retrieve(kAgent, r, before));
  EXPECT_EQ(EdgeEnds(old), (std::vector<std::string>{"S>n1", "S>n2"}));
  EXPECT_FALSE(old.truncated);
}

// An edge to a node the caller may not see is never returned, so its props
// take none of the budget and never set truncated; past the first edge that
// does not fit, none is taken, however small.
TEST(RetrieverTest, EdgeBudgetCountsOnlyReturnedEdgesAndStopsAtTheFirstThatDoesNotFit) {
  RetrievalGraph g;
  g.DefineLabels({"pii"});
  StarWithEdgeProps(g);
  EdgeUpsert hidden;
  hidden.edge.from = "S";
  hidden.edge.label = "REFERENCES";
  hidden.edge.to = "H";
  hidden.edge.props["note"] = Value{std::string(1000, 'x')};
  g.Write({NodeOp("H", {"pii"}), hidden, EdgeOp("n1", "PART_OF", "n2")});
  RetrievalRequest r = Seeds({"S"});
  r.max_bytes = 56;  // items 28, S's two edges 28, n1 -PART_OF-> n2 none
  ASSERT_OK_AND_ASSIGN(RetrievalResult all, g.Retrieve(kAgent, r));
  EXPECT_EQ(ItemIds(all), (std::vector<std::string>{"S", "n1", "n2"}));
  EXPECT_EQ(EdgeEnds(all), (std::vector<std::string>{"S>n1", "S>n2", "n1>n2"}));
  EXPECT_FALSE(all.truncated);
  r.max_bytes = 55;
  ASSERT_OK_AND_ASSIGN(RetrievalResult cut, g.Retrieve(kAgent, r));
  EXPECT_EQ(EdgeEnds(cut), (std::vector<std::string>{"S>n1"}));
  EXPECT_TRUE(cut.truncated);
}

// Past 32 MiB of props held, the expansion keeps later nodes without their
// props; a node returned from among them gets them back, whole.
TEST(RetrieverTest, PropsDroppedToSaveMemoryAreReadBackForReturnedItems) {
  RetrievalGraph g;
  const std::string mib((size_t{1} << 20) - 1, 'x');  // + 1 byte: the largest value
  std::vector<Mutation> ops = {NodeOp("S")};
  // Reached first: the z's fill the budget. Reached last, ranked first (ties
  // go by id): the a's, held without props.
  for (int i = 0; i < 36; ++i) ops.push_back(NodeOp(absl::StrFormat("z%02d", i), {}, mib));
  for (int i = 0; i < 3; ++i) ops.push_back(NodeOp(absl::StrFormat("a%d", i), {}, mib + "!"));
  for (size_t i = 1, nodes = ops.size(); i < nodes; ++i) {
    ops.push_back(EdgeOp("S", "MENTIONS", std::get<NodeUpsert>(ops[i]).node.id));
  }
  g.Write(std::move(ops));
  RetrievalRequest r = Seeds({"S"}, 1);
  r.max_bytes = 4 << 20;
  ASSERT_OK_AND_ASSIGN(RetrievalResult got, g.Retrieve(g.admin_, r));
  ASSERT_EQ(ItemIds(got), (std::vector<std::string>{"S", "a0", "a1", "a2"}));
  for (size_t i = 1; i < got.items.size(); ++i) {
    ASSERT_EQ(got.items[i].node->props.count("text"), 1u) << i;
    EXPECT_EQ(std::get<std::string>(got.items[i].node->props.at("text").v), mib + "!") << i;
  }
}

TEST(RetrieverTest, AHubStaysWithinTheWorkBoundAndAnswersTruncated) {
  RetrievalGraph g;
  constexpr int kNeighbors = 100000;
  constexpr int kBatch = 10000;
  g.DefineLabels({"pii"});
  g.Write({NodeOp("hub")});
  for (int start = 0; start < kNeighbors; start += kBatch) {
    std::vector<Mutation> batch;
    for (int i = start; i < start + kBatch; ++i) {
      // All but the last ten are pii, which the agent may not see.
      const std::string id = absl::StrFormat("n%06d", i);
      batch.push_back(NodeOp(
          id, i < kNeighbors - 10 ? std::vector<std::string>{"pii"} : std::vector<std::string>{}));
      batch.push_back(EdgeOp("hub", "MENTIONS", id));
    }
    g.Write(std::move(batch));
  }
  ASSERT_OK_AND_ASSIGN(RetrievalResult r, g.Retrieve(g.admin_, Seeds({"hub"})));
  EXPECT_TRUE(r.truncated);
  EXPECT_EQ(r.nodes_visited, kDefaultRetrieveMaxNodes);
  ASSERT_EQ(r.items.size(), 50u);
  EXPECT_EQ(r.items[0].node->id, "hub");
  EXPECT_EQ(r.items[1].node->id, "n000000");
  // The agent sees the hub and ten neighbours: nothing was cut.
  ASSERT_OK_AND_ASSIGN(RetrievalResult agent, g.Retrieve(MakeCaller("agent", {}), Seeds({"hub"})));
  EXPECT_FALSE(agent.truncated);
  EXPECT_EQ(agent.nodes_visited, 11u);
  EXPECT_EQ(agent.items.size(), 11u);
  EXPECT_EQ(agent.items[1].node->id, "n099990");
}

}  // namespace
}  // namespace ctxgraph
