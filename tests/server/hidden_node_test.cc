// Hidden equals absent, tested like an attack: a caller without one label of a
// node must not tell it apart from an id that was never written, on any read
// path, through results, page sizes, page tokens, errors or as_of reads.
#include <gtest/gtest.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "ctxgraph/v1/lineage.grpc.pb.h"
#include "query/base64url.h"
#include "tests/server/server_test_fixture.h"

namespace ctxgraph::server {
namespace {

class HiddenNodeTest : public ServerTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(ServerTest::SetUp());
    // "low" holds only "pii": a node labeled {"pii", "team:finance"} is
    // hidden from it even though it holds one of the two labels.
    low_ = CreatePrincipal("low", {v1::ROLE_AGENT}, {"pii"});
    ASSERT_FALSE(low_.empty());
    ASSERT_NE(DefineLabels({"pii", "team:finance", "team:eng", "personal:bob"}), 0u);
  }

  std::string GetNodeTranscript(const std::string& token, const std::string& id,
                                uint64_t as_of = 0) {
    v1::GetNodeResponse response;
    const grpc::Status status = GetNode(token, id, &response, as_of);
    return Transcript(status, response);
  }
  std::string NeighborsTranscript(const std::string& token, const std::string& id,
                                  uint64_t as_of = 0) {
    v1::ListNeighborsRequest request;
    request.set_id(id);
    request.set_direction(v1::DIRECTION_BOTH);
    request.set_as_of_version(as_of);
    v1::ListNeighborsResponse response;
    const grpc::Status status = ListNeighbors(token, request, &response);
    return Transcript(status, response);
  }

  std::string low_;
  const std::vector<std::string> kMulti = {"pii", "team:finance"};
};

TEST_F(HiddenNodeTest, GetNodeHiddenIsByteIdenticalToAbsent) {
  AdminWrite({UpsertNode(MakeNode("pub"))});
  const uint64_t before = LatestVersion();
  // Absent: never written.
  const std::string absent = GetNodeTranscript(low_, "secret");
  const std::string absent_neighbors = NeighborsTranscript(low_, "secret");
  EXPECT_EQ(absent,
            Transcript(grpc::Status(grpc::StatusCode::NOT_FOUND, "node \"secret\" not found"),
                       v1::GetNodeResponse()));

  // Now the same id exists, carrying one label low holds and one it lacks,
  // with edges to and from a public node.
  AdminWrite({UpsertNode(MakeNode("secret", kMulti)), UpsertEdge("pub", "e", "secret"),
              UpsertEdge("secret", "e", "pub")});
  EXPECT_EQ(GetNodeTranscript(low_, "secret"), absent);
  EXPECT_EQ(NeighborsTranscript(low_, "secret"), absent_neighbors);
  // As of the version before it existed, and as of the latest: still equal.
  EXPECT_EQ(GetNodeTranscript(low_, "secret", before), absent);
  EXPECT_EQ(GetNodeTranscript(low_, "secret", LatestVersion()), absent);
  EXPECT_EQ(NeighborsTranscript(low_, "secret", before), absent_neighbors);

  // Deleted nodes answer the same too.
  AdminWrite({UpsertNode(MakeNode("gone")), DeleteNode("gone")});
  EXPECT_EQ(GetNodeTranscript(low_, "gone"),
            Transcript(grpc::Status(grpc::StatusCode::NOT_FOUND, "node \"gone\" not found"),
                       v1::GetNodeResponse()));

  // Sanity: the admin does see it.
  v1::GetNodeResponse node;
  ASSERT_OK(GetNode(admin_token_, "secret", &node));
}

TEST_F(HiddenNodeTest, MultiLabelNodeIsHiddenOnEveryReadPath) {
  AdminWrite({UpsertNode(MakeNode("pub")), UpsertNode(MakeNode("both", kMulti)),
              UpsertNode(MakeNode("pii_only", {"pii"})), UpsertEdge("pub", "e", "both"),
              UpsertEdge("both", "e", "pub"), UpsertEdge("pub", "e", "pii_only")});
  v1::GetNodeResponse node;
  EXPECT_STATUS(GetNode(low_, "both", &node), absl::StatusCode::kNotFound,
                "node \"both\" not found");
  ASSERT_OK(GetNode(low_, "pii_only", &node));

  EXPECT_EQ(AllNodePages(low_, "Doc", 1),
            (std::vector<std::vector<std::string>>{{"pub"}, {"pii_only"}}));

  v1::ListNeighborsRequest request;
  request.set_id("pub");
  request.set_direction(v1::DIRECTION_BOTH);
  v1::ListNeighborsResponse response;
  ASSERT_OK(ListNeighbors(low_, request, &response));
  EXPECT_EQ(NeighborKeys(response), (std::vector<std::string>{"OUT:e:pii_only"}));
  EXPECT_TRUE(response.next_page_token().empty());

  // Filtering on the edge label that leads to it changes nothing.
  request.add_edge_labels("e");
  request.set_direction(v1::DIRECTION_IN);
  ASSERT_OK(ListNeighbors(low_, request, &response));
  EXPECT_EQ(response.neighbors_size(), 0);
  EXPECT_TRUE(response.next_page_token().empty());
}

TEST_F(HiddenNodeTest, ListNodesPagesSkipHiddenNodesInTheMiddleAndAtTheEnd) {
  // Storage order: v1, h1, v2, h2, h3 (hidden in the middle and at the end).
  AdminWrite({UpsertNode(MakeNode("v1")), UpsertNode(MakeNode("h1", kMulti)),
              UpsertNode(MakeNode("v2", {"pii"})), UpsertNode(MakeNode("h2", {"team:finance"})),
              UpsertNode(MakeNode("h3", kMulti))});
  EXPECT_EQ(AllNodePages(low_, "Doc", 1), (std::vector<std::vector<std::string>>{{"v1"}, {"v2"}}));
  EXPECT_EQ(AllNodePages(low_, "Doc", 2), (std::vector<std::vector<std::string>>{{"v1", "v2"}}));
  EXPECT_EQ(AllNodePages(low_, "Doc", 3), (std::vector<std::vector<std::string>>{{"v1", "v2"}}));

  // The page that returns the last visible node has no next token, although
  // hidden nodes follow it.
  v1::ListNodesRequest request;
  request.set_label("Doc");
  request.set_page_size(2);
  v1::ListNodesResponse response;
  ASSERT_OK(ListNodes(low_, request, &response));
  EXPECT_EQ(NodeIds(response), (std::vector<std::string>{"v1", "v2"}));
  EXPECT_EQ(response.next_page_token(), "");

  // The admin sees all five.
  EXPECT_EQ(AllNodePages(admin_token_, "Doc", 2),
            (std::vector<std::vector<std::string>>{{"v1", "h1"}, {"v2", "h2"}, {"h3"}}));
}

TEST_F(HiddenNodeTest, ListNodesOfOnlyHiddenNodesIsOneEmptyPage) {
  AdminWrite({UpsertNode(MakeNode("h1", kMulti, "Secret")),
              UpsertNode(MakeNode("h2", {"team:eng"}, "Secret"))});
  v1::ListNodesRequest request;
  request.set_label("Secret");
  request.set_page_size(1);
  v1::ListNodesResponse hidden;
  ASSERT_OK(ListNodes(low_, request, &hidden));
  request.set_label("NeverUsed");
  v1::ListNodesResponse absent;
  ASSERT_OK(ListNodes(low_, request, &absent));
  EXPECT_EQ(hidden.nodes_size(), 0);
  EXPECT_EQ(hidden.next_page_token(), "");
  EXPECT_EQ(hidden.SerializeAsString(), absent.SerializeAsString());
}

TEST_F(HiddenNodeTest, NeighborsNeverIncludeHiddenNodesOrEdgesIntoThem) {
  // Adjacency order is (label, other node): a->v1, b->h (hidden), c->v2,
  // d->h2 (hidden, last). Plus in-edges from hidden nodes.
  AdminWrite(
      {UpsertNode(MakeNode("hub")), UpsertNode(MakeNode("v1")), UpsertNode(MakeNode("h", kMulti)),
       UpsertNode(MakeNode("v2", {"pii"})), UpsertNode(MakeNode("h2", {"personal:bob"})),
       UpsertEdge("hub", "a", "v1"), UpsertEdge("hub", "b", "h"), UpsertEdge("hub", "c", "v2"),
       UpsertEdge("hub", "d", "h2"), UpsertEdge("h", "a", "hub"), UpsertEdge("h2", "z", "hub")});
  v1::ListNeighborsRequest request;
  request.set_id("hub");
  request.set_direction(v1::DIRECTION_BOTH);
  request.set_page_size(1);
  EXPECT_EQ(AllNeighborPages(low_, request),
            (std::vector<std::vector<std::string>>{{"OUT:a:v1"}, {"OUT:c:v2"}}));
  request.set_page_size(2);
  EXPECT_EQ(AllNeighborPages(low_, request),
            (std::vector<std::vector<std::string>>{{"OUT:a:v1", "OUT:c:v2"}}));
  request.set_direction(v1::DIRECTION_IN);
  request.set_page_size(1);
  EXPECT_EQ(AllNeighborPages(low_, request), (std::vector<std::vector<std::string>>{{}}));

  // Asking for exactly the labels that lead to hidden nodes shows nothing.
  request.set_direction(v1::DIRECTION_BOTH);
  request.add_edge_labels("b");
  request.add_edge_labels("d");
  request.add_edge_labels("z");
  EXPECT_EQ(AllNeighborPages(low_, request), (std::vector<std::vector<std::string>>{{}}));

  // Neighbors of a visible node never point back at hidden ones either.
  v1::ListNeighborsRequest v1_request;
  v1_request.set_id("v1");
  v1_request.set_direction(v1::DIRECTION_BOTH);
  EXPECT_EQ(AllNeighborPages(low_, v1_request),
            (std::vector<std::vector<std::string>>{{"IN:a:hub"}}));
}

TEST_F(HiddenNodeTest, AsOfReadsDoNotRevealNodesHiddenAtThatVersion) {
  AdminWrite({UpsertNode(MakeNode("pub"))});
  // At v_hidden, "n" carries a label low lacks; later the label is removed.
  const uint64_t v_hidden =
      AdminWrite({UpsertNode(MakeNode("n", kMulti, "Doc", {{"k", Str("hidden value")}})),
                  UpsertEdge("pub", "e", "n")});
  const uint64_t v_public =
      AdminWrite({UpsertNode(MakeNode("n", {}, "Doc", {{"k", Str("public value")}}))});
  ASSERT_GT(v_public, v_hidden);

  v1::GetNodeResponse node;
  ASSERT_OK(GetNode(low_, "n", &node));
  EXPECT_EQ(node.node().props().at("k").string_value(), "public value");
  EXPECT_STATUS(GetNode(low_, "n", &node, v_hidden), absl::StatusCode::kNotFound,
                "node \"n\" not found");

  EXPECT_EQ(AllNodePages(low_, "Doc", 1, v_hidden),
            (std::vector<std::vector<std::string>>{{"pub"}}));
  EXPECT_EQ(AllNodePages(low_, "Doc", 1, v_public),
            (std::vector<std::vector<std::string>>{{"pub"}, {"n"}}));

  v1::ListNeighborsRequest request;
  request.set_id("pub");
  request.set_as_of_version(v_hidden);
  v1::ListNeighborsResponse response;
  ASSERT_OK(ListNeighbors(low_, request, &response));
  EXPECT_EQ(response.neighbors_size(), 0);
  EXPECT_EQ(response.snapshot_version(), v_hidden);
  request.set_as_of_version(v_public);
  ASSERT_OK(ListNeighbors(low_, request, &response));
  EXPECT_EQ(NeighborKeys(response), (std::vector<std::string>{"OUT:e:n"}));
  // The neighbor node is the version as of v_public, not the hidden one.
  EXPECT_EQ(response.neighbors(0).node().props().at("k").string_value(), "public value");

  v1::ListNeighborsRequest of_n;
  of_n.set_id("n");
  of_n.set_as_of_version(v_hidden);
  EXPECT_STATUS(ListNeighbors(low_, of_n, &response), absl::StatusCode::kNotFound,
                "node \"n\" not found");
}

TEST_F(HiddenNodeTest, LabelAddedLaterHidesHistoryOnEveryPath) {
  AdminWrite({UpsertNode(MakeNode("pub"))});
  const uint64_t v_public =
      AdminWrite({UpsertNode(MakeNode("n", {}, "Doc", {{"k", Str("once public")}})),
                  UpsertEdge("pub", "e", "n")});
  // Found sensitive after the fact: low holds "pii" but not "team:finance".
  AdminWrite({UpsertNode(MakeNode("n", kMulti, "Doc", {{"k", Str("once public")}}))});

  v1::GetNodeResponse node;
  EXPECT_STATUS(GetNode(low_, "n", &node, v_public), absl::StatusCode::kNotFound,
                "node \"n\" not found");
  EXPECT_EQ(AllNodePages(low_, "Doc", 1, v_public),
            (std::vector<std::vector<std::string>>{{"pub"}}));
  v1::ListNeighborsRequest request;
  request.set_id("pub");
  request.set_as_of_version(v_public);
  v1::ListNeighborsResponse response;
  ASSERT_OK(ListNeighbors(low_, request, &response));
  EXPECT_EQ(response.neighbors_size(), 0);
  // The admin still reads the past as it was.
  ASSERT_OK(GetNode(admin_token_, "n", &node, v_public));
  EXPECT_EQ(node.node().boundary_size(), 0);
}

TEST_F(HiddenNodeTest, ALabelPutOnBeforeADeleteStillHidesTheHistory) {
  AdminWrite({UpsertNode(MakeNode("pub"))});
  const uint64_t v_public =
      AdminWrite({UpsertNode(MakeNode("n", {}, "Doc", {{"k", Str("once public plan")}})),
                  UpsertEdge("pub", "DERIVED_FROM", "n")});
  // Found sensitive after the fact, then deleted: the delete must not give
  // back what the label took away.
  AdminWrite({UpsertNode(MakeNode("n", kMulti, "Doc", {{"k", Str("once public plan")}}))});
  AdminWrite({DeleteNode("n")});

  EXPECT_EQ(GetNodeTranscript(low_, "n", v_public),
            absl::StrReplaceAll(GetNodeTranscript(low_, "never", v_public), {{"never", "n"}}));
  EXPECT_STATUS(
      [&] {
        v1::GetNodeResponse node;
        return GetNode(low_, "n", &node, v_public);
      }(),
      absl::StatusCode::kNotFound, "node \"n\" not found");
  EXPECT_EQ(AllNodePages(low_, "Doc", 10, v_public),
            (std::vector<std::vector<std::string>>{{"pub"}}));
  v1::ListNeighborsRequest neighbors;
  neighbors.set_id("pub");
  neighbors.set_as_of_version(v_public);
  v1::ListNeighborsResponse neighbor_page;
  ASSERT_OK(ListNeighbors(low_, neighbors, &neighbor_page));
  EXPECT_EQ(neighbor_page.neighbors_size(), 0);
  v1::SearchRequest search;
  search.set_query("plan");
  search.set_as_of_version(v_public);
  v1::SearchResponse hits;
  ASSERT_OK(Search(low_, search, &hits));
  EXPECT_EQ(hits.hits_size(), 0);
  v1::RetrieveRequest retrieve;
  retrieve.add_seeds("n");
  retrieve.set_as_of_version(v_public);
  v1::RetrieveResponse retrieved;
  EXPECT_STATUS(
      Call(context_.get(), &v1::ContextService::Stub::Retrieve, low_, retrieve, &retrieved),
      absl::StatusCode::kNotFound, "seeds[0]: node \"n\" not found");
  retrieve.set_seeds(0, "pub");
  retrieve.mutable_expansion()->set_max_hops(1);
  ASSERT_OK(Call(context_.get(), &v1::ContextService::Stub::Retrieve, low_, retrieve, &retrieved));
  ASSERT_EQ(retrieved.items_size(), 1);
  EXPECT_EQ(retrieved.items(0).node().id(), "pub");
  auto lineage = v1::LineageService::NewStub(channel_);
  v1::LineageRequest upstream;
  upstream.set_node_id("pub");
  upstream.set_as_of_version(v_public);
  v1::LineageResponse up;
  ASSERT_OK(Call(lineage.get(), &v1::LineageService::Stub::Upstream, low_, upstream, &up));
  ASSERT_EQ(up.nodes_size(), 1);
  EXPECT_FALSE(up.depth_limited());

  // Whoever may see the label still reads the past as it was.
  v1::GetNodeResponse node;
  ASSERT_OK(GetNode(admin_token_, "n", &node, v_public));
  EXPECT_EQ(node.node().boundary_size(), 0);
  ASSERT_OK(Search(admin_token_, search, &hits));
  ASSERT_EQ(hits.hits_size(), 1);
  EXPECT_EQ(hits.hits(0).node().id(), "n");
}

TEST_F(HiddenNodeTest, PageTokenCannotBeReplayedOrTampered) {
  AdminWrite({UpsertNode(MakeNode("a")), UpsertNode(MakeNode("b")), UpsertNode(MakeNode("c")),
              UpsertNode(MakeNode("x", {}, "Other")), UpsertNode(MakeNode("y", {}, "Other")),
              UpsertEdge("a", "e", "b"), UpsertEdge("a", "e", "c"), UpsertEdge("a", "f", "c")});
  // Same clearances, different principal.
  const std::string twin = CreatePrincipal("twin", {v1::ROLE_AGENT}, {"pii"});

  v1::ListNodesRequest request;
  request.set_label("Doc");
  request.set_page_size(1);
  v1::ListNodesResponse first;
  ASSERT_OK(ListNodes(low_, request, &first));
  const std::string token = first.next_page_token();
  ASSERT_FALSE(token.empty());
  request.set_page_token(token);
  v1::ListNodesResponse second;
  ASSERT_OK(ListNodes(low_, request, &second));
  EXPECT_EQ(NodeIds(second), (std::vector<std::string>{"b"}));

  v1::ListNodesRequest other_label;
  other_label.set_label("Other");
  other_label.set_page_size(1);
  v1::ListNodesResponse other;
  ASSERT_OK(ListNodes(low_, other_label, &other));
  ASSERT_FALSE(other.next_page_token().empty());

  v1::ListNeighborsRequest neighbors;
  neighbors.set_id("a");
  neighbors.set_page_size(1);
  v1::ListNeighborsResponse neighbor_page;
  ASSERT_OK(ListNeighbors(low_, neighbors, &neighbor_page));
  const std::string neighbor_token = neighbor_page.next_page_token();
  ASSERT_FALSE(neighbor_token.empty());

  auto flip = [](std::string s, size_t i) {
    s[i] = s[i] == 'A' ? 'z' : 'A';
    return s;
  };
  const std::vector<std::pair<std::string, std::string>> bad_tokens = {
      {"flip first char", flip(token, 0)},
      {"flip middle char", flip(token, token.size() / 2)},
      {"flip last char", flip(token, token.size() - 1)},
      {"truncate one char", token.substr(0, token.size() - 1)},
      {"truncate half", token.substr(0, token.size() / 2)},
      {"append char", token + "A"},
      {"append block", token + "AAAA"},
      {"other label's token", other.next_page_token()},
      {"neighbors token", neighbor_token},
      {"not base64", "!!!not-a-token!!!"},
      {"padding", token + "=="},
      {"oversized", std::string(5000, 'A')},
  };
  for (const auto& [name, bad] : bad_tokens) {
    SCOPED_TRACE(name);
    request.set_page_token(bad);
    v1::ListNodesResponse response;
    EXPECT_STATUS(ListNodes(low_, request, &response), absl::StatusCode::kInvalidArgument,
                  "page_token: invalid");
    EXPECT_EQ(response.nodes_size(), 0);
  }

  // Another principal, even with the same clearances, cannot use the token.
  request.set_page_token(token);
  v1::ListNodesResponse response;
  EXPECT_STATUS(ListNodes(twin, request, &response), absl::StatusCode::kInvalidArgument,
                "page_token: invalid");
  EXPECT_STATUS(ListNodes(admin_token_, request, &response), absl::StatusCode::kInvalidArgument,
                "page_token: invalid");
  // A different page size is fine: the token names a position, not a size.
  request.set_page_size(5);
  ASSERT_OK(ListNodes(low_, request, &response));
  EXPECT_EQ(NodeIds(response), (std::vector<std::string>{"b", "c"}));

  // ListNeighbors tokens are bound to the node, direction and label filter.
  struct Variant {
    std::string name;
    v1::ListNeighborsRequest request;
    std::string token;
  };
  std::vector<Variant> variants;
  auto variant = [&](const std::string& name, auto edit, const std::string& t) {
    v1::ListNeighborsRequest r = neighbors;
    r.set_page_token(t);
    edit(r);
    variants.push_back({name, r, t});
  };
  variant(
      "other node", [](auto& r) { r.set_id("b"); }, neighbor_token);
  variant(
      "other direction", [](auto& r) { r.set_direction(v1::DIRECTION_BOTH); }, neighbor_token);
  variant(
      "other label filter", [](auto& r) { r.add_edge_labels("e"); }, neighbor_token);
  variant(
      "nodes token", [](auto&) {}, token);
  variant(
      "flipped", [](auto&) {}, flip(neighbor_token, neighbor_token.size() / 2));
  variant(
      "truncated", [](auto&) {}, neighbor_token.substr(0, neighbor_token.size() - 2));
  for (const auto& v : variants) {
    SCOPED_TRACE(v.name);
    v1::ListNeighborsResponse r;
    EXPECT_STATUS(ListNeighbors(low_, v.request, &r), absl::StatusCode::kInvalidArgument,
                  "page_token: invalid");
  }
  v1::ListNeighborsRequest replay = neighbors;
  replay.set_page_token(neighbor_token);
  v1::ListNeighborsResponse r;
  EXPECT_STATUS(ListNeighbors(twin, replay, &r), absl::StatusCode::kInvalidArgument,
                "page_token: invalid");
  ASSERT_OK(ListNeighbors(low_, replay, &r));
  EXPECT_EQ(NeighborKeys(r), (std::vector<std::string>{"OUT:e:c"}));
}

TEST_F(HiddenNodeTest, PageTokenPinsTheVersionButNotTheClearances) {
  AdminWrite({UpsertNode(MakeNode("a")), UpsertNode(MakeNode("b", {"pii"})),
              UpsertNode(MakeNode("c", {"pii"}))});
  v1::ListNodesRequest request;
  request.set_label("Doc");
  request.set_page_size(1);
  v1::ListNodesResponse page;
  ASSERT_OK(ListNodes(low_, request, &page));
  ASSERT_EQ(NodeIds(page), (std::vector<std::string>{"a"}));
  const uint64_t pinned = page.snapshot_version();

  // Writes after the first page are not seen by the rest of the listing.
  AdminWrite({UpsertNode(MakeNode("d"))});
  // Losing a clearance mid-listing hides the nodes on the following pages.
  v1::SetClearancesRequest set;
  set.set_id("low");
  v1::PrincipalResponse p;
  ASSERT_OK(Call(admin_.get(), &v1::AdminService::Stub::SetClearances, admin_token_, set, &p));

  request.set_page_token(page.next_page_token());
  request.set_as_of_version(0);  // ignored: the token pins the version
  v1::ListNodesResponse rest;
  ASSERT_OK(ListNodes(low_, request, &rest));
  EXPECT_EQ(rest.snapshot_version(), pinned);
  EXPECT_EQ(NodeIds(rest), std::vector<std::string>{});
  EXPECT_EQ(rest.next_page_token(), "");
}

// Page tokens are signed but not encrypted; their cursor must not carry
// anything the caller cannot see. Two worlds that differ only in a hidden
// node must hand the caller the same token payloads (the MAC differs with
// each database's secret, so only the signed payload is compared).
TEST_F(HiddenNodeTest, PageTokenPayloadDoesNotRevealHiddenNodes) {
  auto run_world = [&](bool with_hidden) {
    // The hidden node sits right where each page ends: a Doc listed (and a
    // neighbour of a scanned) between b and c, so a cursor that named or
    // counted what the page scanned past, not what it returned, would differ.
    std::vector<v1::WriteOp> ops = {UpsertNode(MakeNode("a")), UpsertNode(MakeNode("b"))};
    if (with_hidden) ops.push_back(UpsertNode(MakeNode("h", kMulti)));
    ops.push_back(UpsertNode(MakeNode("c")));
    ops.push_back(UpsertEdge("a", "e", "b"));
    if (with_hidden) ops.push_back(UpsertEdge("a", "e", "h"));
    ops.push_back(UpsertEdge("a", "e", "c"));
    AdminWrite(ops);
    std::vector<std::string> payloads;
    v1::ListNodesRequest request;
    request.set_label("Doc");
    request.set_page_size(1);
    for (int i = 0; i < 2; ++i) {
      v1::ListNodesResponse response;
      EXPECT_OK(ListNodes(low_, request, &response));
      EXPECT_EQ(NodeIds(response), (std::vector<std::string>{i == 0 ? "a" : "b"}));
      request.set_page_token(response.next_page_token());
      std::optional<std::string> bytes = Base64UrlDecode(response.next_page_token());
      EXPECT_TRUE(bytes.has_value() && bytes->size() > 16);
      if (bytes && bytes->size() > 16) payloads.push_back(bytes->substr(0, bytes->size() - 16));
    }
    v1::ListNeighborsRequest neighbors;
    neighbors.set_id("a");
    neighbors.set_page_size(1);
    v1::ListNeighborsResponse response;
    EXPECT_OK(ListNeighbors(low_, neighbors, &response));
    EXPECT_EQ(response.neighbors_size(), 1);
    if (response.neighbors_size() == 1) EXPECT_EQ(response.neighbors(0).node().id(), "b");
    std::optional<std::string> bytes = Base64UrlDecode(response.next_page_token());
    EXPECT_TRUE(bytes.has_value() && bytes->size() > 16);
    if (bytes && bytes->size() > 16) payloads.push_back(bytes->substr(0, bytes->size() - 16));
    return payloads;
  };
  const std::vector<std::string> without = run_world(false);
  ASSERT_NO_FATAL_FAILURE(ResetServer());
  low_ = CreatePrincipal("low", {v1::ROLE_AGENT}, {"pii"});
  ASSERT_NE(DefineLabels({"pii", "team:finance", "team:eng", "personal:bob"}), 0u);
  const std::vector<std::string> with = run_world(true);
  ASSERT_EQ(without.size(), 3u);
  ASSERT_EQ(with.size(), 3u);
  // Same versions in both worlds, so any difference is the hidden node.
  EXPECT_EQ(absl::BytesToHexString(with[0]), absl::BytesToHexString(without[0])) << "page 1";
  EXPECT_EQ(absl::BytesToHexString(with[1]), absl::BytesToHexString(without[1])) << "page 2";
  EXPECT_EQ(absl::BytesToHexString(with[2]), absl::BytesToHexString(without[2])) << "neighbors";
}

}  // namespace
}  // namespace ctxgraph::server
