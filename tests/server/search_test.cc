// ContextService.Search over gRPC: authentication, errors, provenance on
// hits, and hidden nodes that leave no trace in any field of the response.
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "server/node_wire_cache.h"
#include "tests/server/server_test_fixture.h"

namespace ctxgraph::server {
namespace {

class SearchTest : public ServerTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(ServerTest::SetUp());
    low_ = CreatePrincipal("low", {v1::ROLE_AGENT}, {"pii"});
    ASSERT_FALSE(low_.empty());
    ASSERT_NE(DefineLabels({"pii", "team:finance"}), 0u);
    version_ = AdminWrite({
        UpsertNode(MakeNode("doc-1", {}, "Doc", {{"title", Str("Q3 plan")}, {"n", Int(1)}})),
        UpsertNode(
            MakeNode("doc-2", {"pii"}, "Doc", {{"text", Str("the plan for hiring in spring")}})),
        UpsertNode(MakeNode("secret", {"pii", "team:finance"}, "Doc",
                            {{"text", Str("plan canarycanary merger")}})),
    });
    ASSERT_NE(version_, 0u);
  }

  v1::SearchRequest Request(const std::string& query, int page_size = 0) {
    v1::SearchRequest request;
    request.set_query(query);
    request.set_page_size(page_size);
    return request;
  }
  std::string SearchTranscript(const std::string& token, const v1::SearchRequest& request) {
    v1::SearchResponse response;
    const grpc::Status status = Search(token, request, &response);
    return Transcript(status, response);
  }

  std::string low_;
  uint64_t version_ = 0;
};

TEST_F(SearchTest, ReturnsVisibleHitsWithProvenanceAndSnippets) {
  v1::SearchResponse response;
  ASSERT_OK(Search(low_, Request("plan"), &response));
  ASSERT_EQ(response.hits_size(), 2);
  EXPECT_EQ(response.snapshot_version(), version_);
  EXPECT_TRUE(response.next_page_token().empty());
  // doc-1 is shorter, so "plan" weighs more in it.
  EXPECT_EQ(response.hits(0).node().id(), "doc-1");
  EXPECT_EQ(response.hits(0).snippet(), "Q3 plan");
  EXPECT_EQ(response.hits(0).node().provenance().version(), version_);
  EXPECT_EQ(response.hits(0).node().provenance().writer(), "admin");
  EXPECT_EQ(response.hits(0).node().provenance().content_hash().size(), 64u);
  EXPECT_EQ(response.hits(1).node().id(), "doc-2");
  EXPECT_EQ(response.hits(1).snippet(), "the plan for hiring in spring");
  EXPECT_GT(response.hits(0).score(), response.hits(1).score());
  EXPECT_GT(response.hits(1).score(), 0);
}

// Hits come from the cache of encoded records (node_wire_cache.h): a second
// search copies what the first encoded, and answers the same.
TEST_F(SearchTest, HitsAnswerTheSameFromEncodedRecords) {
  v1::SearchResponse first, second;
  ASSERT_OK(Search(low_, Request("plan"), &first));
  const NodeWireCache::Stats before = server_->backend().wire_nodes.stats();
  ASSERT_OK(Search(low_, Request("plan"), &second));
  const NodeWireCache::Stats after = server_->backend().wire_nodes.stats();
  EXPECT_EQ(after.hits - before.hits, 2u);  // doc-1 and doc-2
  EXPECT_EQ(after.misses, before.misses);
  // Compared as messages: a props map parses into an order of its own.
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(second, first))
      << second.DebugString();
  ASSERT_EQ(second.hits_size(), 2);
  EXPECT_EQ(second.hits(0).node().props().at("n").int_value(), 1);
  EXPECT_EQ(second.hits(0).snippet(), "Q3 plan");
}

TEST_F(SearchTest, ATermOnlyAHiddenNodeHoldsAnswersLikeAnAbsentTerm) {
  EXPECT_EQ(SearchTranscript(low_, Request("canarycanary")),
            SearchTranscript(low_, Request("zzz")));
  EXPECT_EQ(SearchTranscript(low_, Request("merger", 1)),
            SearchTranscript(low_, Request("zzz", 1)));
  // And it is not in any byte of a response that matches other nodes.
  v1::SearchResponse response;
  ASSERT_OK(Search(low_, Request("plan canarycanary merger", 1), &response));
  const std::string bytes = response.SerializeAsString();
  EXPECT_EQ(bytes.find("canary"), std::string::npos);
  EXPECT_EQ(bytes.find("secret"), std::string::npos);
  EXPECT_EQ(bytes.find("finance"), std::string::npos);
  // The admin sees it.
  ASSERT_OK(Search(admin_token_, Request("canarycanary"), &response));
  ASSERT_EQ(response.hits_size(), 1);
  EXPECT_EQ(response.hits(0).node().id(), "secret");
}

TEST_F(SearchTest, EverySearchLeavesAnAuditEntryWithItsHits) {
  v1::SearchResponse response;
  v1::SearchRequest request = Request("plan", 1);
  request.add_labels("Doc");
  ASSERT_OK(Search(low_, request, &response));
  ASSERT_OK(Search(low_, Request("zzz"), &response));
  AuditFilter filter;
  filter.action = "search";
  ASSERT_OK_AND_ASSIGN(AuditPage page, server_->backend().audit.List(filter, 0, 10));
  ASSERT_EQ(page.entries.size(), 2u);
  const AuditEntry& first = page.entries[0];
  EXPECT_EQ(first.principal, "low");
  EXPECT_EQ(first.snapshot_version, version_);
  EXPECT_EQ(first.summary,
            absl::StrCat("query=\"plan\" labels=[Doc] page_size=1 page=first as_of=0 "
                         "clearances=[pii] policy_version=",
                         version_));
  EXPECT_EQ(first.items, (std::vector<AuditItem>{{"doc-1", "", "", version_}}));
  EXPECT_EQ(first.items_total, 1u);
  EXPECT_TRUE(page.entries[1].items.empty());
  // A refused search answers nothing and logs nothing.
  EXPECT_STATUS(Search(low_, Request(""), &response), absl::StatusCode::kInvalidArgument,
                "query: empty");
  ASSERT_OK_AND_ASSIGN(page, server_->backend().audit.List(filter, 0, 10));
  EXPECT_EQ(page.entries.size(), 2u);
}

TEST_F(SearchTest, RequiresAToken) {
  v1::SearchResponse response;
  EXPECT_STATUS(Search("", Request("plan"), &response), absl::StatusCode::kUnauthenticated,
                kUnauthenticated);
  EXPECT_STATUS(Search("ctxg_wrong", Request("plan"), &response),
                absl::StatusCode::kUnauthenticated, kUnauthenticated);
}

TEST_F(SearchTest, BadRequestsAreInvalidArgumentNamingTheField) {
  v1::SearchResponse response;
  EXPECT_STATUS(Search(low_, Request(""), &response), absl::StatusCode::kInvalidArgument,
                "query: empty");
  EXPECT_STATUS(Search(low_, Request("plan", -5), &response), absl::StatusCode::kInvalidArgument,
                "page_size: must not be negative, got -5");
  v1::SearchRequest request = Request("plan");
  request.set_page_token("garbage");
  EXPECT_STATUS(Search(low_, request, &response), absl::StatusCode::kInvalidArgument,
                "page_token: invalid");
  request = Request("plan");
  request.set_as_of_version(version_ + 1);
  EXPECT_STATUS(
      Search(low_, request, &response), absl::StatusCode::kInvalidArgument,
      absl::StrCat("as_of_version: ", version_ + 1, " is ahead of the latest version ", version_));
}

TEST_F(SearchTest, PagesFollowTokensAndSurviveARestart) {
  std::vector<v1::WriteOp> ops;
  for (int i = 0; i < 12; ++i) {
    ops.push_back(UpsertNode(
        MakeNode(absl::StrCat("m", 10 + i), {}, "Msg", {{"text", Str("budget review")}})));
  }
  ASSERT_NE(AdminWrite(ops), 0u);
  StopServer();
  StartServer();
  v1::SearchRequest request = Request("budget", 5);
  request.add_labels("Msg");
  std::vector<std::string> ids;
  for (int page = 0; page < 5; ++page) {
    v1::SearchResponse response;
    ASSERT_OK(Search(low_, request, &response));
    for (const auto& hit : response.hits()) ids.push_back(hit.node().id());
    if (response.next_page_token().empty()) break;
    request.set_page_token(response.next_page_token());
  }
  std::vector<std::string> want;
  for (int i = 0; i < 12; ++i) want.push_back(absl::StrCat("m", 10 + i));
  EXPECT_EQ(ids, want);
}

}  // namespace
}  // namespace ctxgraph::server
