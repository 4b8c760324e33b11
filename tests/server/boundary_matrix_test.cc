// The boundary matrix: for every (node boundary, principal clearances) pair,
// exactly which ids GetNode, ListNodes and ListNeighbors reveal.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "tests/server/server_test_fixture.h"

namespace ctxgraph::server {
namespace {

struct MatrixNode {
  std::string id;
  std::vector<std::string> boundary;
};

// In write order, which is also ListNodes order (storage order).
const std::vector<MatrixNode>& Nodes() {
  static const auto* nodes = new std::vector<MatrixNode>{
      {"open", {}},
      {"pii", {"pii"}},
      {"fin", {"team:finance"}},
      {"eng", {"team:eng"}},
      {"pii_fin", {"pii", "team:finance"}},
      {"alice", {"personal:alice"}},
      {"team_bare", {"team"}},    // "team:*" must not match the bare namespace
      {"team_colon", {"team:"}},  // ...nor the empty name inside it
  };
  return *nodes;
}

struct Clearance {
  std::string principal;
  std::vector<std::string> clearances;
  std::vector<std::string> visible;  // in write order
};

const std::vector<Clearance>& Matrix() {
  static const auto* matrix = new std::vector<Clearance>{
      {"none", {}, {"open"}},
      {"pii", {"pii"}, {"open", "pii"}},
      {"team_star", {"team:*"}, {"open", "fin", "eng"}},
      {"finance", {"team:finance"}, {"open", "fin"}},
      {"star", {"*"}, {"open", "pii", "fin", "eng", "pii_fin", "alice", "team_bare", "team_colon"}},
      {"pii_finance", {"pii", "team:finance"}, {"open", "pii", "fin", "pii_fin"}},
      {"alice", {"personal:alice"}, {"open", "alice"}},
      {"team_exact", {"team"}, {"open", "team_bare"}},
  };
  return *matrix;
}

class BoundaryMatrixTest : public ServerTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(ServerTest::SetUp());
    ASSERT_NE(DefineLabels({"pii", "team:finance", "team:eng", "personal:alice", "team", "team:"}),
              0u);
    // "hub" (public, type Hub) links to every Doc node and every Doc node
    // links back, so neighbors are checked in both directions.
    std::vector<v1::WriteOp> ops;
    ops.push_back(UpsertNode(MakeNode("hub", {}, "Hub")));
    for (const auto& n : Nodes()) {
      ops.push_back(UpsertNode(MakeNode(n.id, n.boundary, "Doc", {{"secret", Str("s-" + n.id)}})));
      ops.push_back(UpsertEdge("hub", "links", n.id));
      ops.push_back(UpsertEdge(n.id, "back", "hub"));
    }
    version_ = AdminWrite(ops);
    ASSERT_NE(version_, 0u);
    for (const auto& c : Matrix()) {
      tokens_[c.principal] = CreatePrincipal(c.principal, {v1::ROLE_AGENT}, c.clearances);
      ASSERT_FALSE(tokens_[c.principal].empty());
    }
  }

  uint64_t version_ = 0;
  std::map<std::string, std::string> tokens_;
};

TEST_F(BoundaryMatrixTest, GetNodeRevealsExactlyTheClearedNodes) {
  for (const auto& c : Matrix()) {
    SCOPED_TRACE(c.principal);
    const std::set<std::string> visible(c.visible.begin(), c.visible.end());
    for (const auto& n : Nodes()) {
      SCOPED_TRACE(n.id);
      v1::GetNodeResponse response;
      const grpc::Status status = GetNode(tokens_[c.principal], n.id, &response);
      if (visible.count(n.id)) {
        ASSERT_OK(status);
        EXPECT_EQ(response.node().id(), n.id);
        EXPECT_EQ(std::vector<std::string>(response.node().boundary().begin(),
                                           response.node().boundary().end()),
                  n.boundary);
        EXPECT_EQ(response.node().props().at("secret").string_value(), "s-" + n.id);
      } else {
        EXPECT_STATUS(status, absl::StatusCode::kNotFound, "node \"" + n.id + "\" not found");
        EXPECT_FALSE(response.has_node());
      }
    }
  }
}

TEST_F(BoundaryMatrixTest, ListNodesRevealsExactlyTheClearedNodesAtEveryPageSize) {
  for (const auto& c : Matrix()) {
    SCOPED_TRACE(c.principal);
    for (int page_size : {1, 2, 3, 0, 1000}) {
      SCOPED_TRACE(absl::StrCat("page_size=", page_size));
      const auto pages = AllNodePages(tokens_[c.principal], "Doc", page_size);
      std::vector<std::string> all;
      for (size_t i = 0; i < pages.size(); ++i) {
        // Every page is full except the last; no page is empty unless the
        // whole listing is.
        const size_t limit = page_size == 0 ? 100 : page_size;
        if (i + 1 < pages.size()) {
          EXPECT_EQ(pages[i].size(), limit) << "page " << i;
        } else {
          EXPECT_LE(pages[i].size(), limit);
          EXPECT_TRUE(!pages[i].empty() || pages.size() == 1) << "trailing empty page";
        }
        all.insert(all.end(), pages[i].begin(), pages[i].end());
      }
      EXPECT_EQ(all, c.visible);
      const size_t limit = page_size == 0 ? 100 : page_size;
      EXPECT_EQ(pages.size(), std::max<size_t>(1, (c.visible.size() + limit - 1) / limit));
    }
  }
}

TEST_F(BoundaryMatrixTest, ListNeighborsOfTheHubRevealsExactlyTheClearedNodes) {
  for (const auto& c : Matrix()) {
    SCOPED_TRACE(c.principal);
    v1::ListNeighborsRequest request;
    request.set_id("hub");
    request.set_direction(v1::DIRECTION_BOTH);
    v1::ListNeighborsResponse response;
    ASSERT_OK(ListNeighbors(tokens_[c.principal], request, &response));
    // Out-edges first, then in-edges; each ordered by (label, other node).
    std::vector<std::string> expected;
    for (const auto& id : c.visible) expected.push_back("OUT:links:" + id);
    for (const auto& id : c.visible) expected.push_back("IN:back:" + id);
    EXPECT_EQ(NeighborKeys(response), expected);
    EXPECT_TRUE(response.next_page_token().empty());
    for (const auto& n : response.neighbors()) {
      // The returned node and edge are the real records.
      EXPECT_EQ(n.node().props().at("secret").string_value(), "s-" + n.node().id());
      if (n.direction() == v1::DIRECTION_OUT) {
        EXPECT_EQ(n.edge().from(), "hub");
        EXPECT_EQ(n.edge().to(), n.node().id());
      } else {
        EXPECT_EQ(n.edge().from(), n.node().id());
        EXPECT_EQ(n.edge().to(), "hub");
      }
    }

    // One item per page gives the same sequence and no trailing empty page.
    std::vector<std::vector<std::string>> expected_pages;
    for (const auto& k : expected) expected_pages.push_back({k});
    request.set_page_size(1);
    EXPECT_EQ(AllNeighborPages(tokens_[c.principal], request), expected_pages);
  }
}

TEST_F(BoundaryMatrixTest, ListNeighborsOfEachNodeIsNotFoundUnlessVisible) {
  for (const auto& c : Matrix()) {
    SCOPED_TRACE(c.principal);
    const std::set<std::string> visible(c.visible.begin(), c.visible.end());
    for (const auto& n : Nodes()) {
      SCOPED_TRACE(n.id);
      v1::ListNeighborsRequest request;
      request.set_id(n.id);
      request.set_direction(v1::DIRECTION_BOTH);
      v1::ListNeighborsResponse response;
      const grpc::Status status = ListNeighbors(tokens_[c.principal], request, &response);
      if (visible.count(n.id)) {
        ASSERT_OK(status);
        EXPECT_EQ(NeighborKeys(response),
                  (std::vector<std::string>{"OUT:back:hub", "IN:links:hub"}));
      } else {
        EXPECT_STATUS(status, absl::StatusCode::kNotFound, "node \"" + n.id + "\" not found");
        EXPECT_EQ(response.neighbors_size(), 0);
      }
    }
  }
}

TEST_F(BoundaryMatrixTest, EdgeLabelFilterAppliesAfterVisibility) {
  for (const auto& c : Matrix()) {
    SCOPED_TRACE(c.principal);
    v1::ListNeighborsRequest request;
    request.set_id("hub");
    request.set_direction(v1::DIRECTION_BOTH);
    request.add_edge_labels("back");
    v1::ListNeighborsResponse response;
    ASSERT_OK(ListNeighbors(tokens_[c.principal], request, &response));
    std::vector<std::string> expected;
    for (const auto& id : c.visible) expected.push_back("IN:back:" + id);
    EXPECT_EQ(NeighborKeys(response), expected);

    // Both labels, one per page: out-edges then in-edges, resuming across
    // the direction change, with no trailing empty page.
    request.add_edge_labels("links");
    request.set_page_size(1);
    std::vector<std::vector<std::string>> expected_pages;
    for (const auto& id : c.visible) expected_pages.push_back({"OUT:links:" + id});
    for (const auto& id : c.visible) expected_pages.push_back({"IN:back:" + id});
    EXPECT_EQ(AllNeighborPages(tokens_[c.principal], request), expected_pages);
  }
}

TEST_F(BoundaryMatrixTest, ClearanceChangeTakesEffectOnTheNextCall) {
  const std::string& token = tokens_["none"];
  v1::GetNodeResponse node;
  EXPECT_STATUS(GetNode(token, "pii", &node), absl::StatusCode::kNotFound,
                "node \"pii\" not found");
  v1::SetClearancesRequest set;
  set.set_id("none");
  set.add_clearances("pii");
  v1::PrincipalResponse p;
  ASSERT_OK(Call(admin_.get(), &v1::AdminService::Stub::SetClearances, admin_token_, set, &p));
  ASSERT_OK(GetNode(token, "pii", &node));
  set.clear_clearances();
  ASSERT_OK(Call(admin_.get(), &v1::AdminService::Stub::SetClearances, admin_token_, set, &p));
  EXPECT_STATUS(GetNode(token, "pii", &node), absl::StatusCode::kNotFound,
                "node \"pii\" not found");
}

}  // namespace
}  // namespace ctxgraph::server
