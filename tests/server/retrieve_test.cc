// ContextService.Retrieve and AuditService.GetReceipt / ReplayReceipt over
// gRPC: roles, errors, and hidden nodes that leave no byte in a response.
#include <gtest/gtest.h>

#include "ctxgraph/v1/audit.grpc.pb.h"
#include "tests/server/server_test_fixture.h"

namespace ctxgraph::server {
namespace {

class RetrieveTest : public ServerTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(ServerTest::SetUp());
    agent_ = CreatePrincipal("eng-agent", {v1::ROLE_AGENT}, {"team:eng"});
    auditor_ = CreatePrincipal("auditor", {v1::ROLE_AUDITOR}, {"*"});
    ASSERT_NE(DefineLabels({"team:eng", "pii"}), 0u);
    version_ = AdminWrite({
        UpsertNode(MakeNode("doc-1", {"team:eng"}, "Doc", {{"title", Str("Q3 plan")}})),
        UpsertNode(MakeNode("doc-2", {}, "Doc", {{"title", Str("hiring")}})),
        UpsertNode(MakeNode("secret", {"pii"}, "Doc", {{"text", Str("canarycanary merger")}})),
        UpsertNode(MakeNode("behind", {}, "Doc", {{"title", Str("only via the secret")}})),
        UpsertEdge("doc-1", "REFERENCES", "doc-2"),
        UpsertEdge("doc-1", "REFERENCES", "secret"),
        UpsertEdge("secret", "DERIVED_FROM", "behind"),
    });
    ASSERT_NE(version_, 0u);
    audit_ = v1::AuditService::NewStub(channel_);
  }

  grpc::Status Retrieve(const std::string& token, const v1::RetrieveRequest& request,
                        v1::RetrieveResponse* response) {
    return Call(context_.get(), &v1::ContextService::Stub::Retrieve, token, request, response);
  }
  v1::RetrieveRequest Request(std::vector<std::string> seeds, const std::string& query = "") {
    v1::RetrieveRequest request;
    for (const auto& s : seeds) request.add_seeds(s);
    request.set_query(query);
    return request;
  }

  std::string agent_, auditor_;
  uint64_t version_ = 0;
  std::unique_ptr<v1::AuditService::Stub> audit_;
};

TEST_F(RetrieveTest, ReturnsVisibleItemsWithProvenanceAndAReceipt) {
  v1::RetrieveResponse response;
  ASSERT_OK(Retrieve(agent_, Request({"doc-1"}), &response));
  ASSERT_EQ(response.items_size(), 2);
  EXPECT_EQ(response.items(0).node().id(), "doc-1");
  EXPECT_EQ(response.items(0).hop(), 0);
  EXPECT_EQ(response.items(1).node().id(), "doc-2");
  EXPECT_EQ(response.items(1).hop(), 1);
  ASSERT_EQ(response.items(1).via_size(), 1);
  EXPECT_EQ(response.items(1).via(0).from(), "doc-1");
  EXPECT_EQ(response.items(1).via(0).label(), "REFERENCES");
  EXPECT_EQ(response.items(1).node().provenance().version(), version_);
  EXPECT_EQ(response.items(1).node().provenance().writer(), "admin");
  EXPECT_EQ(response.items(1).node().provenance().content_hash().size(), 64u);
  EXPECT_GT(response.items(0).score(), response.items(1).score());
  ASSERT_EQ(response.edges_size(), 1);
  EXPECT_EQ(response.edges(0).to(), "doc-2");
  EXPECT_FALSE(response.truncated());
  EXPECT_EQ(response.receipt().snapshot_version(), version_);
  EXPECT_EQ(response.receipt().principal(), "eng-agent");
  EXPECT_EQ(std::vector<std::string>(response.receipt().clearances().begin(),
                                     response.receipt().clearances().end()),
            std::vector<std::string>{"team:eng"});
  EXPECT_EQ(response.receipt().digest().size(), 64u);
  EXPECT_FALSE(response.receipt().receipt_id().empty());
}

TEST_F(RetrieveTest, AnUnclearedAgentsResponseHoldsNoByteOfHiddenNodes) {
  v1::RetrieveResponse response;
  v1::RetrieveRequest request = Request({"doc-1"}, "canarycanary merger plan");
  request.mutable_expansion()->set_max_hops(5);
  ASSERT_OK(Retrieve(agent_, request, &response));
  const std::string bytes = response.SerializeAsString();
  for (const char* canary : {"canary", "secret", "behind", "pii", "merger", "DERIVED_FROM"}) {
    EXPECT_EQ(bytes.find(canary), std::string::npos) << canary;
  }
  // The admin reaches "behind" through the secret.
  ASSERT_OK(Retrieve(admin_token_, request, &response));
  EXPECT_EQ(response.items_size(), 4);
}

TEST_F(RetrieveTest, AHiddenSeedAnswersLikeAnAbsentOne) {
  v1::RetrieveResponse hidden, absent;
  EXPECT_STATUS(Retrieve(agent_, Request({"doc-1", "secret"}), &hidden),
                absl::StatusCode::kNotFound, "seeds[1]: node \"secret\" not found");
  EXPECT_STATUS(Retrieve(agent_, Request({"doc-1", "absent"}), &absent),
                absl::StatusCode::kNotFound, "seeds[1]: node \"absent\" not found");
  EXPECT_EQ(hidden.SerializeAsString(), absent.SerializeAsString());
}

TEST_F(RetrieveTest, ErrorsNameTheField) {
  v1::RetrieveResponse response;
  EXPECT_STATUS(Retrieve("", Request({"doc-1"}), &response), absl::StatusCode::kUnauthenticated,
                kUnauthenticated);
  v1::RetrieveRequest request = Request({"doc-1"});
  request.mutable_expansion()->set_max_hops(9);
  EXPECT_STATUS(Retrieve(agent_, request, &response), absl::StatusCode::kInvalidArgument,
                "expansion.max_hops: must be 0..5, got 9");
  request = Request({"doc-1"});
  request.mutable_expansion()->set_direction(static_cast<v1::Direction>(7));
  EXPECT_STATUS(Retrieve(agent_, request, &response), absl::StatusCode::kInvalidArgument,
                "expansion.direction: unknown value 7");
  EXPECT_STATUS(Retrieve(agent_, Request({}), &response), absl::StatusCode::kInvalidArgument,
                "seeds: need at least one seed or a query");
}

TEST_F(RetrieveTest, AuditorsGetAndReplayReceipts) {
  v1::RetrieveResponse retrieved;
  ASSERT_OK(Retrieve(agent_, Request({"doc-1"}), &retrieved));
  AdminWrite({UpsertNode(MakeNode("doc-2", {}, "Doc", {{"title", Str("hiring, revised")}}))});

  v1::GetReceiptRequest get;
  get.set_receipt_id(retrieved.receipt().receipt_id());
  v1::GetReceiptResponse receipt;
  EXPECT_STATUS(Call(audit_.get(), &v1::AuditService::Stub::GetReceipt, agent_, get, &receipt),
                absl::StatusCode::kPermissionDenied,
                "GetReceipt requires the auditor or admin role");
  ASSERT_OK(Call(audit_.get(), &v1::AuditService::Stub::GetReceipt, auditor_, get, &receipt));
  EXPECT_EQ(receipt.receipt().digest(), retrieved.receipt().digest());
  EXPECT_EQ(receipt.receipt().principal(), "eng-agent");
  EXPECT_EQ(receipt.request().seeds_size(), 1);
  EXPECT_EQ(receipt.request().expansion().max_hops(), 2);
  EXPECT_EQ(receipt.request().expansion().direction(), v1::DIRECTION_BOTH);
  EXPECT_EQ(receipt.request().budget().max_items(), 50);
  EXPECT_EQ(receipt.entry().action(), "retrieve");
  EXPECT_EQ(receipt.entry().items_size(), 2);

  v1::ReplayReceiptRequest replay;
  replay.set_receipt_id(retrieved.receipt().receipt_id());
  v1::ReplayReceiptResponse outcome;
  ASSERT_OK(Call(audit_.get(), &v1::AuditService::Stub::ReplayReceipt, auditor_, replay, &outcome));
  EXPECT_EQ(outcome.outcome(), v1::ReplayReceiptResponse::MATCH);
  EXPECT_EQ(outcome.replay_digest(), retrieved.receipt().digest());
  EXPECT_GT(outcome.replay_entry_seq(), 0u);

  get.set_receipt_id("12345");
  EXPECT_STATUS(Call(audit_.get(), &v1::AuditService::Stub::GetReceipt, auditor_, get, &receipt),
                absl::StatusCode::kNotFound, "receipt \"12345\" not found");
}

}  // namespace
}  // namespace ctxgraph::server
