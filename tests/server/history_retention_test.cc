// --history-retention over gRPC: every as-of read path refuses versions
// before the horizon with FAILED_PRECONDITION naming it, a recent receipt
// of an old snapshot holds the horizon (and still replays after
// compaction), LabelHistory reports from the horizon on, and a restart
// without the setting keeps the horizon.
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "ctxgraph/v1/audit.grpc.pb.h"
#include "ctxgraph/v1/lineage.grpc.pb.h"
#include "tests/server/server_test_fixture.h"

namespace ctxgraph::server {
namespace {

class HistoryRetentionTest : public ServerTest {
 protected:
  void SetUp() override {
    history_retention_ = RetentionSetting{.kind = RetentionSetting::Kind::kVersions, .versions = 3};
    ASSERT_NO_FATAL_FAILURE(ServerTest::SetUp());
    agent_ = CreatePrincipal("agent", {v1::ROLE_AGENT}, {});
    auditor_ = CreatePrincipal("auditor", {v1::ROLE_AUDITOR}, {"*"});
    audit_ = v1::AuditService::NewStub(channel_);
    lineage_ = v1::LineageService::NewStub(channel_);
  }

  uint64_t Advance() {
    absl::StatusOr<uint64_t> h = server_->backend().db->AdvanceHistoryHorizon(Now());
    EXPECT_TRUE(h.ok()) << h.status();
    return h.value_or(0);
  }
  uint64_t WriteA(const std::string& title) {
    return AdminWrite({UpsertNode(MakeNode("a", {}, "Doc", {{"title", Str(title)}}))});
  }
  grpc::Status Retrieve(uint64_t as_of, v1::RetrieveResponse* response) {
    v1::RetrieveRequest request;
    request.add_seeds("a");
    request.set_as_of_version(as_of);
    return Call(context_.get(), &v1::ContextService::Stub::Retrieve, agent_, request, response);
  }
  grpc::Status Replay(const std::string& receipt_id, v1::ReplayReceiptResponse* response) {
    v1::ReplayReceiptRequest request;
    request.set_receipt_id(receipt_id);
    return Call(audit_.get(), &v1::AuditService::Stub::ReplayReceipt, auditor_, request, response);
  }
  static std::string Refusal(uint64_t as_of, uint64_t horizon) {
    return absl::StrCat("as_of_version: ", as_of, " is before the history horizon ", horizon,
                        " (--history-retention)");
  }

  std::string agent_, auditor_;
  std::unique_ptr<v1::AuditService::Stub> audit_;
  std::unique_ptr<v1::LineageService::Stub> lineage_;
};

TEST_F(HistoryRetentionTest, EveryAsOfReadPathRefusesVersionsBeforeTheHorizon) {
  const uint64_t old =
      AdminWrite({UpsertNode(MakeNode("a", {}, "Doc", {{"title", Str("alpha")}})),
                  UpsertNode(MakeNode("b", {}, "Doc", {{"title", Str("alpha b")}})),
                  UpsertEdge("a", "DERIVED_FROM", "b")});
  // Page tokens pinned at `old`, to be used once it is past.
  v1::ListNodesRequest paged;
  paged.set_label("Doc");
  paged.set_page_size(1);
  v1::ListNodesResponse first_nodes;
  ASSERT_OK(ListNodes(admin_token_, paged, &first_nodes));
  ASSERT_FALSE(first_nodes.next_page_token().empty());
  paged.set_page_token(first_nodes.next_page_token());
  v1::SearchRequest paged_search;
  paged_search.set_query("alpha");
  paged_search.set_page_size(1);
  v1::SearchResponse first_hits;
  ASSERT_OK(Search(admin_token_, paged_search, &first_hits));
  ASSERT_FALSE(first_hits.next_page_token().empty());
  paged_search.set_page_token(first_hits.next_page_token());
  for (int i = 0; i < 3; ++i) WriteA(absl::StrCat("alpha ", i));
  const uint64_t horizon = Advance();
  ASSERT_EQ(horizon, LatestVersion() - 2);
  ASSERT_LT(old, horizon);
  const std::string refusal = Refusal(old, horizon);
  constexpr auto kRefused = absl::StatusCode::kFailedPrecondition;

  v1::GetNodeResponse node;
  EXPECT_STATUS(GetNode(admin_token_, "a", &node, old), kRefused, refusal);
  ASSERT_OK(GetNode(admin_token_, "a", &node, horizon));
  EXPECT_EQ(node.snapshot_version(), horizon);

  v1::ListNodesRequest list;
  list.set_label("Doc");
  list.set_as_of_version(old);
  v1::ListNodesResponse nodes;
  EXPECT_STATUS(ListNodes(admin_token_, list, &nodes), kRefused, refusal);

  v1::ListNeighborsRequest neighbors;
  neighbors.set_id("a");
  neighbors.set_as_of_version(old);
  v1::ListNeighborsResponse adjacent;
  EXPECT_STATUS(ListNeighbors(admin_token_, neighbors, &adjacent), kRefused, refusal);

  v1::SearchRequest search;
  search.set_query("alpha");
  search.set_as_of_version(old);
  v1::SearchResponse hits;
  EXPECT_STATUS(Search(admin_token_, search, &hits), kRefused, refusal);

  v1::RetrieveResponse retrieved;
  EXPECT_STATUS(Retrieve(old, &retrieved), kRefused, refusal);

  v1::LineageRequest upstream;
  upstream.set_node_id("a");
  upstream.set_as_of_version(old);
  v1::LineageResponse lineage;
  EXPECT_STATUS(
      Call(lineage_.get(), &v1::LineageService::Stub::Upstream, admin_token_, upstream, &lineage),
      kRefused, refusal);

  // A page token names the field the caller sent, not as_of_version.
  const std::string token_refusal = absl::StrCat(
      "page_token: ", old, " is before the history horizon ", horizon, " (--history-retention)");
  EXPECT_STATUS(ListNodes(admin_token_, paged, &nodes), kRefused, token_refusal);
  EXPECT_STATUS(Search(admin_token_, paged_search, &hits), kRefused, token_refusal);
}

TEST_F(HistoryRetentionTest, RecentReceiptOfAnOldSnapshotHoldsTheHorizonAndStillReplays) {
  const uint64_t old = WriteA("alpha one");
  WriteA("alpha two");
  v1::RetrieveResponse retrieved;
  ASSERT_OK(Retrieve(old, &retrieved));
  ASSERT_EQ(retrieved.receipt().snapshot_version(), old);
  // Two more commits: the receipt, appended when "alpha two" was the
  // latest, is still inside the 3-version window.
  for (int i = 0; i < 2; ++i) WriteA(absl::StrCat("alpha ", i));
  ASSERT_GT(LatestVersion() - 2, old);  // without the receipt the horizon would pass it

  EXPECT_EQ(Advance(), old);
  EXPECT_EQ(Advance(), old);
  ASSERT_OK(server_->backend().db->CompactVersioned());

  v1::ReplayReceiptResponse outcome;
  ASSERT_OK(Replay(retrieved.receipt().receipt_id(), &outcome));
  EXPECT_EQ(outcome.outcome(), v1::ReplayReceiptResponse::MATCH);
  EXPECT_EQ(outcome.replay_digest(), retrieved.receipt().digest());
}

TEST_F(HistoryRetentionTest, ReplayOfAReceiptBeforeTheHorizonIsRefused) {
  WriteA("alpha one");
  v1::RetrieveResponse retrieved;
  ASSERT_OK(Retrieve(0, &retrieved));  // the latest: it never holds the horizon
  const uint64_t read = retrieved.receipt().snapshot_version();
  for (int i = 0; i < 3; ++i) WriteA(absl::StrCat("alpha ", i));
  const uint64_t horizon = Advance();
  ASSERT_EQ(horizon, LatestVersion() - 2);
  ASSERT_LT(read, horizon);

  v1::ReplayReceiptResponse outcome;
  EXPECT_STATUS(
      Replay(retrieved.receipt().receipt_id(), &outcome), absl::StatusCode::kFailedPrecondition,
      absl::StrCat("receipt \"", retrieved.receipt().receipt_id(), "\" read version ", read,
                   ", before the history horizon ", horizon, " (--history-retention)"));
}

TEST_F(HistoryRetentionTest, LabelHistoryReportsTheChangesAfterTheHorizon) {
  ASSERT_NE(DefineLabels({"pii", "fin"}), 0u);
  const uint64_t created = AdminWrite({UpsertNode(MakeNode("n", {}))});
  AdminWrite({UpsertNode(MakeNode("n", {"pii"}))});
  const uint64_t changed = AdminWrite({UpsertNode(MakeNode("n", {"fin", "pii"}))});
  WriteA("unrelated");
  ASSERT_EQ(Advance(), changed - 1);

  v1::LabelHistoryRequest request;
  request.set_node_id("n");
  v1::LabelHistoryResponse history;
  ASSERT_OK(Call(boundary_.get(), &v1::BoundaryService::Stub::LabelHistory, admin_token_, request,
                 &history));
  ASSERT_EQ(history.events_size(), 1) << history.DebugString();
  EXPECT_EQ(history.events(0).version(), changed);
  EXPECT_EQ(history.events(0).kind(), v1::BOUNDARY_EVENT_KIND_CHANGED);
  EXPECT_EQ(std::vector<std::string>(history.events(0).before().begin(),
                                     history.events(0).before().end()),
            std::vector<std::string>{"pii"});
  EXPECT_LT(created, changed - 1);
}

TEST_F(HistoryRetentionTest, HorizonIsKeptAcrossARestartWithoutTheSetting) {
  for (int i = 0; i < 5; ++i) WriteA(absl::StrCat("alpha ", i));
  const uint64_t horizon = Advance();
  ASSERT_EQ(horizon, LatestVersion() - 2);

  ASSERT_NO_FATAL_FAILURE(StopServer());
  history_retention_ = RetentionSetting{};
  ASSERT_NO_FATAL_FAILURE(StartServer());
  v1::GetNodeResponse node;
  EXPECT_STATUS(GetNode(admin_token_, "a", &node, horizon - 1),
                absl::StatusCode::kFailedPrecondition, Refusal(horizon - 1, horizon));
  ASSERT_OK(GetNode(admin_token_, "a", &node, horizon));
}

TEST_F(HistoryRetentionTest, AServerStartsWithItsHorizonUpToDate) {
  for (int i = 0; i < 5; ++i) WriteA(absl::StrCat("alpha ", i));
  ASSERT_NO_FATAL_FAILURE(StopServer());
  ASSERT_NO_FATAL_FAILURE(StartServer());
  EXPECT_EQ(server_->backend().db->history_horizon().horizon(), LatestVersion() - 2);
}

}  // namespace
}  // namespace ctxgraph::server
