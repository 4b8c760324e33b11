#include "query/graph_reader.h"

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "query/graph_writer.h"
#include "tests/query/indexed_graph.h"
#include "tests/query/make_caller.h"
#include "tests/test_macros.h"

namespace ctxgraph {
namespace {

Mutation Node(std::string id, std::vector<std::string> boundary = {}) {
  NodeUpsert m;
  m.node.id = std::move(id);
  m.node.labels = {"Document"};
  m.node.boundary = std::move(boundary);
  m.node.props["secret_marker"] = Value{std::string("canary-") + m.node.id};
  return m;
}

Mutation Edge(std::string from, std::string to) {
  EdgeUpsert m;
  m.edge.from = std::move(from);
  m.edge.label = "MENTIONS";
  m.edge.to = std::move(to);
  return m;
}

class GraphReaderTest : public ::testing::Test {
 protected:
  // The labels these tests put on nodes, defined as a write requires; data
  // versions count from base_.
  void SetUp() override {
    base_ = graph_.DefineLabels({"pii", "team:eng", "team:finance", "restricted"});
    ASSERT_NE(base_, 0u);
  }
  void Write(std::vector<Mutation> m) { ASSERT_NE(graph_.Write(std::move(m)), 0u); }

  // Every visible id of a listing, page by page, with the page sizes seen.
  std::vector<std::string> ListAll(const Caller& caller, int page_size,
                                   std::vector<size_t>* sizes = nullptr) {
    GraphReader reader(graph_.store(), graph_.tokens(), caller);
    std::vector<std::string> ids;
    std::string token;
    do {
      auto page = reader.ListNodes("Document", page_size, token, 0);
      EXPECT_OK(page);
      if (!page.ok()) break;
      for (const auto& n : page->nodes) ids.push_back(n->id);
      if (sizes) sizes->push_back(page->nodes.size());
      token = page->next_page_token;
    } while (!token.empty());
    return ids;
  }

  IndexedGraph graph_;
  const Caller& admin_ = graph_.admin_;
  uint64_t base_ = 0;
};

TEST_F(GraphReaderTest, HiddenNodeAnswersExactlyLikeAbsentOne) {
  Write({Node("public"), Node("both", {"pii", "team:finance"})});
  const Caller partial = MakeCaller("p", {"pii"});  // holds one of two labels
  GraphReader reader(graph_.store(), graph_.tokens(), partial);
  const auto hidden = reader.GetNode("both", 0).status();
  const auto absent = reader.GetNode("nosuch", 0).status();
  EXPECT_EQ(hidden.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(hidden.message(), "node \"both\" not found");
  EXPECT_EQ(absent.message(), "node \"nosuch\" not found");
  const auto hidden_neighbors = reader.ListNeighbors("both", DirectionFilter::kBoth, {}, 0, "", 0);
  EXPECT_STATUS(hidden_neighbors, absl::StatusCode::kNotFound, "node \"both\" not found");
  const Caller cleared = MakeCaller("f", {"pii", "team:*"});
  GraphReader full(graph_.store(), graph_.tokens(), cleared);
  ASSERT_OK(full.GetNode("both", 0));
}

TEST_F(GraphReaderTest, PagesNeverCountHiddenNodesAndEndWithoutToken) {
  // Visible, hidden, visible, hidden, hidden: the last page must not carry a
  // token, since only hidden nodes follow it.
  Write({Node("a"), Node("h1", {"pii"}), Node("b"), Node("h2", {"pii"}), Node("h3", {"pii"})});
  const Caller agent = MakeCaller("agent", {});
  for (int page_size : {1, 2, 3, 100}) {
    std::vector<size_t> sizes;
    EXPECT_EQ(ListAll(agent, page_size, &sizes), (std::vector<std::string>{"a", "b"}));
    const std::vector<size_t> expected =
        page_size == 1 ? std::vector<size_t>{1, 1} : std::vector<size_t>{2};
    EXPECT_EQ(sizes, expected) << "page_size " << page_size;
  }
  EXPECT_EQ(ListAll(admin_, 2), (std::vector<std::string>{"a", "h1", "b", "h2", "h3"}));
}

TEST_F(GraphReaderTest, APageEndsAtItsByteBoundWithATokenAndHoldsAtLeastOneItem) {
  // Each big node holds 1.5 MiB of props: a page takes a second item while
  // under the 2 MiB bound and ends there (3 MiB), whatever page size was
  // asked for, and no item is repeated or skipped.
  std::vector<Mutation> big;
  for (const char* id : {"b1", "b2", "b3"}) {
    NodeUpsert m = std::get<NodeUpsert>(Node(id));
    // Two props: one string may hold at most 1 MiB.
    m.node.props["body"] = Value{std::string(kMaxListPageBytes * 3 / 8, 'x')};
    m.node.props["more"] = Value{std::string(kMaxListPageBytes * 3 / 8, 'y')};
    big.push_back(std::move(m));
  }
  Write(std::move(big));
  Write({Edge("b1", "b2"), Edge("b1", "b3"), Node("small"), Edge("b1", "small")});
  std::vector<size_t> sizes;
  EXPECT_EQ(ListAll(admin_, 100, &sizes), (std::vector<std::string>{"b1", "b2", "b3", "small"}));
  EXPECT_EQ(sizes, (std::vector<size_t>{2, 2}));

  GraphReader reader(graph_.store(), graph_.tokens(), admin_);
  std::vector<std::string> neighbors;
  sizes.clear();
  std::string token;
  do {
    ASSERT_OK_AND_ASSIGN(NeighborPage page,
                         reader.ListNeighbors("b1", DirectionFilter::kOut, {}, 100, token, 0));
    for (const Neighbor& n : page.neighbors) neighbors.push_back(n.node->id);
    sizes.push_back(page.neighbors.size());
    token = page.next_page_token;
  } while (!token.empty());
  EXPECT_EQ(neighbors, (std::vector<std::string>{"b2", "b3", "small"}));
  EXPECT_EQ(sizes, (std::vector<size_t>{2, 1}));
}

TEST_F(GraphReaderTest, PageTokensPinTheSnapshotAndBindTheCaller) {
  Write({Node("a"), Node("b"), Node("c")});
  const Caller agent = MakeCaller("agent", {});
  GraphReader reader(graph_.store(), graph_.tokens(), agent);
  ASSERT_OK_AND_ASSIGN(NodePage first, reader.ListNodes("Document", 1, "", 0));
  ASSERT_EQ(first.nodes[0]->id, "a");
  Write({NodeDelete{"b"}, Node("d")});
  ASSERT_OK_AND_ASSIGN(NodePage second, reader.ListNodes("Document", 5, first.next_page_token, 0));
  std::vector<std::string> ids;
  for (const auto& n : second.nodes) ids.push_back(n->id);
  EXPECT_EQ(ids, (std::vector<std::string>{"b", "c"}));  // as of the first page's version
  EXPECT_EQ(second.version, first.version);

  const Caller other_caller = MakeCaller("other", {});
  GraphReader other(graph_.store(), graph_.tokens(), other_caller);
  EXPECT_STATUS(other.ListNodes("Document", 1, first.next_page_token, 0),
                absl::StatusCode::kInvalidArgument, "page_token: invalid");
  EXPECT_STATUS(reader.ListNodes("Person", 1, first.next_page_token, 0),
                absl::StatusCode::kInvalidArgument, "page_token: invalid");
}

TEST_F(GraphReaderTest, NeighborsSkipHiddenEndpointsAndPaginate) {
  Write({Node("hub"), Node("n1"), Node("s1", {"restricted"}), Node("n2"),
         Node("s2", {"restricted"}), Edge("hub", "n1"), Edge("hub", "s1"), Edge("hub", "n2"),
         Edge("s2", "hub")});
  const Caller agent = MakeCaller("agent", {});
  GraphReader reader(graph_.store(), graph_.tokens(), agent);
  std::vector<std::string> seen;
  std::string token;
  int pages = 0;
  do {
    ASSERT_OK_AND_ASSIGN(NeighborPage page,
                         reader.ListNeighbors("hub", DirectionFilter::kBoth, {}, 1, token, 0));
    for (const auto& n : page.neighbors) seen.push_back(n.node->id);
    token = page.next_page_token;
    ++pages;
  } while (!token.empty());
  EXPECT_EQ(seen, (std::vector<std::string>{"n1", "n2"}));
  EXPECT_EQ(pages, 2);
}

// The filter is part of a cached scan's key: its size is bounded.
TEST_F(GraphReaderTest, NeighborsTakeAtMost64EdgeLabels) {
  Write({Node("a")});
  const Caller agent = MakeCaller("agent", {});
  GraphReader reader(graph_.store(), graph_.tokens(), agent);
  std::vector<std::string> labels;
  for (int i = 0; i < 64; ++i) labels.push_back(absl::StrCat("L", i));
  ASSERT_OK_AND_ASSIGN(NeighborPage page,
                       reader.ListNeighbors("a", DirectionFilter::kBoth, labels, 0, "", 0));
  EXPECT_TRUE(page.neighbors.empty());
  labels.push_back("L64");
  EXPECT_STATUS(reader.ListNeighbors("a", DirectionFilter::kBoth, labels, 0, "", 0),
                absl::StatusCode::kInvalidArgument, "edge_labels: at most 64 labels, got 65");
}

TEST_F(GraphReaderTest, LabelAddedLaterHidesTheNodesHistoryToo) {
  Write({Node("x")});           // base+1: public
  Write({Node("x", {"pii"})});  // base+2: found sensitive, labelled
  const Caller agent = MakeCaller("agent", {});
  GraphReader reader(graph_.store(), graph_.tokens(), agent);
  EXPECT_STATUS(reader.GetNode("x", base_ + 1), absl::StatusCode::kNotFound,
                "node \"x\" not found");
  EXPECT_STATUS(reader.GetNode("x", base_ + 2), absl::StatusCode::kNotFound,
                "node \"x\" not found");
  ASSERT_OK_AND_ASSIGN(NodePage at1, reader.ListNodes("Document", 10, "", base_ + 1));
  EXPECT_TRUE(at1.nodes.empty());
  const Caller cleared = MakeCaller("c", {"pii"});
  GraphReader full(graph_.store(), graph_.tokens(), cleared);
  ASSERT_OK_AND_ASSIGN(NodeRead old, full.GetNode("x", base_ + 1));
  EXPECT_TRUE(old.node->boundary.empty());
  EXPECT_STATUS(
      reader.GetNode("x", base_ + 3), absl::StatusCode::kInvalidArgument,
      absl::StrCat("as_of_version: ", base_ + 3, " is ahead of the latest version ", base_ + 2));
}

TEST_F(GraphReaderTest, LabelRemovedLaterStillHidesTheLabelledPast) {
  Write({Node("y", {"pii"})});  // base+1: labelled
  Write({Node("y")});           // base+2: declassified
  const Caller agent = MakeCaller("agent", {});
  GraphReader reader(graph_.store(), graph_.tokens(), agent);
  EXPECT_STATUS(reader.GetNode("y", base_ + 1), absl::StatusCode::kNotFound,
                "node \"y\" not found");
  ASSERT_OK(reader.GetNode("y", base_ + 2));
}

TEST_F(GraphReaderTest, WriterMustBeClearedForOldAndNewBoundary) {
  Write({Node("p", {"pii"})});
  const Caller loader = MakeCaller("loader", {"team:eng"}, {Role::kLoader});
  GraphWriter writer(graph_.store());
  EXPECT_STATUS(writer.Write(loader, {Node("new", {"pii"})}, ""),
                absl::StatusCode::kPermissionDenied,
                "ops[0].upsert_node.boundary: not cleared for label \"pii\"");
  EXPECT_STATUS(writer.Write(loader, {Node("p")}, ""), absl::StatusCode::kPermissionDenied,
                "ops[0]: not cleared for the boundary of node \"p\"");
  EXPECT_STATUS(writer.Write(loader, {NodeDelete{"p"}}, ""), absl::StatusCode::kPermissionDenied,
                "ops[0]: not cleared for the boundary of node \"p\"");
  EXPECT_STATUS(writer.Write(loader, {Node("mine", {"team:eng"}), Edge("mine", "p")}, ""),
                absl::StatusCode::kFailedPrecondition,
                "ops[1].upsert_edge.to: node \"p\" not found");
  EXPECT_STATUS(writer.Write(loader, {Node("mine", {"team:eng"}), Edge("mine", "absent")}, ""),
                absl::StatusCode::kFailedPrecondition,
                "ops[1].upsert_edge.to: node \"absent\" not found");
  const Caller agent = MakeCaller("agent", {"*"});
  EXPECT_STATUS(writer.Write(agent, {Node("z")}, ""), absl::StatusCode::kPermissionDenied,
                "Write requires the loader or admin role");
  EXPECT_EQ(graph_.db().LatestVersion(), base_ + 1);
}

TEST_F(GraphReaderTest, AWriteWithAnUndefinedLabelFailsWholeAndWritesNothing) {
  GraphWriter writer(graph_.store());
  EXPECT_STATUS(writer.Write(admin_, {Node("ok", {"pii"}), Node("bad", {"team:x", "pii"})}, ""),
                absl::StatusCode::kFailedPrecondition,
                "ops[1].upsert_node.boundary: undefined boundary label \"team:x\"");
  EXPECT_EQ(graph_.db().LatestVersion(), base_);
  GraphReader reader(graph_.store(), graph_.tokens(), admin_);
  EXPECT_STATUS(reader.GetNode("ok", 0), absl::StatusCode::kNotFound, "node \"ok\" not found");
  EXPECT_STATUS(reader.GetNode("bad", 0), absl::StatusCode::kNotFound, "node \"bad\" not found");
}

TEST_F(GraphReaderTest, DefineLabelOpsNeedTheStewardRoleAndAValidDefinition) {
  GraphWriter writer(graph_.store());
  auto define = [](std::string name, std::string description) -> Mutation {
    return LabelDefine{
        LabelDefinition{.name = std::move(name), .description = std::move(description)}};
  };
  const Caller loader = MakeCaller("loader", {"*"}, {Role::kLoader});
  EXPECT_STATUS(writer.Write(loader, {define("team:x", "X"), Node("n", {"team:x"})}, ""),
                absl::StatusCode::kPermissionDenied,
                "ops[0].define_label: defining a label requires the steward or admin role");
  const Caller steward_loader = MakeCaller("sl", {"team:*"}, {Role::kLoader, Role::kSteward});
  EXPECT_STATUS(writer.Write(steward_loader, {define("*", "everything")}, ""),
                absl::StatusCode::kInvalidArgument,
                "ops[0].define_label.name: \"*\" has a character outside [A-Za-z0-9_.:-]");
  EXPECT_STATUS(writer.Write(steward_loader, {define("team:*", "all teams")}, ""),
                absl::StatusCode::kInvalidArgument,
                "ops[0].define_label.name: \"team:*\" has a character outside [A-Za-z0-9_.:-]");
  EXPECT_STATUS(writer.Write(steward_loader, {define("team:x", "")}, ""),
                absl::StatusCode::kInvalidArgument, "ops[0].define_label.description: required");
  EXPECT_EQ(graph_.db().LatestVersion(), base_);
  ASSERT_OK_AND_ASSIGN(
      WriteResult r,
      writer.Write(steward_loader, {define("team:x", "X"), Node("n", {"team:x"})}, ""));
  EXPECT_EQ(r.labels_defined, 1u);
  EXPECT_EQ(r.nodes_written, 1u);
}

}  // namespace
}  // namespace ctxgraph
