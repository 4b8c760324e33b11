// AuditService.ExposureReport over gRPC: a node is labelled pii after the
// fact and the steward asks who was given it or what was derived from it.
#include <gtest/gtest.h>

#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "ctxgraph/v1/audit.grpc.pb.h"
#include "tests/server/server_test_fixture.h"

namespace ctxgraph::server {
namespace {

class ExposureReportTest : public ServerTest {
 protected:
  // The seq a receipt id names (the server's key decodes it).
  uint64_t SeqOf(const std::string& receipt_id) {
    absl::StatusOr<std::optional<ReceiptRef>> ref =
        server_->backend().receipt_ids.Decode(receipt_id);
    EXPECT_TRUE(ref.ok() && ref->has_value()) << receipt_id;
    return ref.ok() && *ref ? (*ref)->seq : 0;
  }

  // "seq principal action @snapshot [id@version/depth ...] +unlisted", the
  // seq being the one each receipt id names. The seq field itself is 0 for
  // a caller cleared for less than "*".
  std::vector<std::string> Describe(const v1::ExposureReportResponse& report) {
    std::vector<std::string> out;
    for (const v1::ExposureReceipt& r : report.receipts()) {
      std::vector<std::string> items;
      for (const v1::ExposedItem& i : r.items()) {
        items.push_back(absl::StrCat(i.node_id(), "@", i.version(), "/", i.depth()));
      }
      EXPECT_EQ(r.seq(), 0u);
      out.push_back(absl::StrCat(SeqOf(r.receipt_id()), " ", r.principal(), " ", r.action(), " @",
                                 r.snapshot_version(), " [", absl::StrJoin(items, " "), "] +",
                                 r.items_unlisted()));
    }
    return out;
  }

  // export <- summary <- report along DERIVED_FROM; other is unrelated.
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(ServerTest::SetUp());
    agent_ = CreatePrincipal("agent", {v1::ROLE_AGENT}, {"team:eng"});
    steward_ = CreatePrincipal("steward", {v1::ROLE_STEWARD}, {"team:eng", "pii"});
    junior_ = CreatePrincipal("junior", {v1::ROLE_STEWARD}, {"team:eng"});
    ASSERT_NE(DefineLabels({"team:eng", "pii"}), 0u);
    version_ = AdminWrite({
        UpsertNode(MakeNode("export", {"team:eng"}, "Dataset", {{"title", Str("crm plan")}})),
        UpsertNode(MakeNode("summary", {"team:eng"}, "Doc", {{"title", Str("plan summary")}})),
        UpsertNode(MakeNode("report", {"team:eng"}, "Doc", {{"title", Str("Q3 report")}})),
        UpsertNode(MakeNode("other", {"team:eng"}, "Doc", {{"title", Str("other plan")}})),
        UpsertEdge("summary", "DERIVED_FROM", "export"),
        UpsertEdge("report", "DERIVED_FROM", "summary"),
    });
    ASSERT_NE(version_, 0u);
    audit_ = v1::AuditService::NewStub(channel_);
  }

  grpc::Status Report(const std::string& token, const v1::ExposureReportRequest& request,
                      v1::ExposureReportResponse* response) {
    return Call(audit_.get(), &v1::AuditService::Stub::ExposureReport, token, request, response);
  }
  static v1::ExposureReportRequest Node(const std::string& id) {
    v1::ExposureReportRequest request;
    request.set_node_id(id);
    return request;
  }
  // Retrieves `seed` alone (no hops) as the agent; answers the receipt id.
  std::string RetrieveOnly(const std::string& seed) {
    v1::RetrieveRequest request;
    request.add_seeds(seed);
    request.mutable_expansion()->set_max_hops(0);
    v1::RetrieveResponse response;
    EXPECT_OK(
        Call(context_.get(), &v1::ContextService::Stub::Retrieve, agent_, request, &response));
    return response.receipt().receipt_id();
  }
  // The steward finds that export holds personal data and labels it pii.
  void LabelExportPii() {
    v1::AssignLabelsRequest assign;
    assign.add_node_ids("export");
    assign.add_add("pii");
    assign.set_reason("holds customer phone numbers");
    v1::AssignLabelsResponse assigned;
    ASSERT_OK(Call(boundary_.get(), &v1::BoundaryService::Stub::AssignLabels, steward_, assign,
                   &assigned));
    ASSERT_EQ(assigned.changed_size(), 1);
  }
  std::vector<v1::AuditEntry> Entries(const std::string& action) {
    v1::ListEntriesRequest request;
    request.set_action(action);
    v1::ListEntriesResponse response;
    EXPECT_OK(
        Call(audit_.get(), &v1::AuditService::Stub::ListEntries, admin_token_, request, &response));
    return {response.entries().begin(), response.entries().end()};
  }

  std::string agent_, steward_, junior_;
  uint64_t version_ = 0;
  std::unique_ptr<v1::AuditService::Stub> audit_;
};

TEST_F(ExposureReportTest, StewardLearnsWhoWasGivenANodeBeforeItWasLabelled) {
  const std::string derived = RetrieveOnly("report");
  const std::string unrelated = RetrieveOnly("other");
  v1::SearchRequest search;
  search.set_query("plan");
  v1::SearchResponse hits;
  ASSERT_OK(Search(agent_, search, &hits));
  ASSERT_EQ(hits.hits_size(), 3);
  const std::vector<v1::AuditEntry> searches = Entries("search");
  ASSERT_EQ(searches.size(), 1u);
  const std::map<std::string, int> depth = {{"export", 0}, {"summary", 1}};
  std::vector<std::string> search_items;  // export and summary, in hit order
  for (const v1::SearchHit& hit : hits.hits()) {
    auto it = depth.find(hit.node().id());
    if (it != depth.end())
      search_items.push_back(absl::StrCat(it->first, "@", version_, "/", it->second));
  }
  ASSERT_EQ(search_items.size(), 2u);
  // GraphService reads write no audit entry: they cannot be reported.
  v1::GetNodeResponse got;
  ASSERT_OK(GetNode(agent_, "export", &got));

  ASSERT_NO_FATAL_FAILURE(LabelExportPii());

  v1::ExposureReportResponse report;
  ASSERT_OK(Report(steward_, Node("export"), &report));
  EXPECT_EQ(Describe(report), (std::vector<std::string>{
                                  absl::StrCat(SeqOf(derived), " agent retrieve @", version_,
                                               " [report@", version_, "/2] +0"),
                                  absl::StrCat(searches[0].seq(), " agent search @", version_, " [",
                                               absl::StrJoin(search_items, " "), "] +0")}));
  EXPECT_NE(unrelated, derived);
  EXPECT_EQ(report.closure_nodes(), 3u);
  EXPECT_FALSE(report.closure_truncated());
  EXPECT_FALSE(report.partial());
  EXPECT_TRUE(report.next_page_token().empty());
  EXPECT_EQ(report.snapshot_version(), LatestVersion());
  ASSERT_EQ(report.receipts_size(), 2);
  EXPECT_EQ(report.receipts(1).time().seconds(), searches[0].time().seconds());
  EXPECT_EQ(report.receipts(1).time().nanos(), searches[0].time().nanos());

  // The report is itself audited, naming the closure it looked at.
  const std::vector<v1::AuditEntry> own = Entries("audit.exposure");
  ASSERT_EQ(own.size(), 1u);
  EXPECT_EQ(report.audit_seq(), 0u);  // the steward is not cleared for "*"
  EXPECT_EQ(own[0].principal(), "steward");
  ASSERT_EQ(own[0].items_size(), 3);
  EXPECT_EQ(own[0].items(0).node_id(), "export");
}

TEST_F(ExposureReportTest, OnlyAuditorsStewardsAndAdmins) {
  v1::ExposureReportResponse report;
  EXPECT_STATUS(Report(agent_, Node("export"), &report), absl::StatusCode::kPermissionDenied,
                "ExposureReport requires the auditor or steward or admin role");
  ASSERT_OK(Report(admin_token_, Node("export"), &report));
  EXPECT_STATUS(Report(steward_, Node(""), &report), absl::StatusCode::kInvalidArgument,
                "node_id: must be 1..256 bytes, got 0");
}

TEST_F(ExposureReportTest, HiddenStartAnswersExactlyLikeAnAbsentOne) {
  RetrieveOnly("summary");
  ASSERT_NO_FATAL_FAILURE(LabelExportPii());
  // junior is not cleared for pii: export no longer exists for it.
  v1::ExposureReportResponse hidden, absent;
  const std::string hidden_t = Transcript(Report(junior_, Node("export"), &hidden), hidden);
  const std::string absent_t = Transcript(Report(junior_, Node("exp0rt"), &absent), absent);
  EXPECT_EQ(hidden_t, absl::StrReplaceAll(absent_t, {{"exp0rt", "export"}}));
  EXPECT_NE(hidden_t.find("node_id: node \"export\" not found"), std::string::npos) << hidden_t;
  // Its own derived nodes remain reportable.
  v1::ExposureReportResponse summary;
  ASSERT_OK(Report(junior_, Node("summary"), &summary));
  EXPECT_EQ(summary.receipts_size(), 1);
}

}  // namespace
}  // namespace ctxgraph::server
