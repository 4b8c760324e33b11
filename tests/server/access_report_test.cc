// AuditService.AccessReport over gRPC: an agent's search and retrieve are
// reported against its clearances; only auditors and admins may ask.
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "ctxgraph/v1/audit.grpc.pb.h"
#include "tests/server/server_test_fixture.h"

namespace ctxgraph::server {
namespace {

class AccessReportTest : public ServerTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(ServerTest::SetUp());
    agent_ = CreatePrincipal("agent", {v1::ROLE_AGENT}, {"pii", "team:*", "team:finance"});
    auditor_ = CreatePrincipal("auditor", {v1::ROLE_AUDITOR}, {"*"});
    ASSERT_NE(DefineLabels({"team:eng", "pii"}), 0u);
    ASSERT_NE(AdminWrite({
                  UpsertNode(MakeNode("doc-1", {"team:eng"}, "Doc", {{"title", Str("Q3 plan")}})),
                  UpsertNode(MakeNode("doc-2", {"team:eng"}, "Doc", {{"title", Str("Q4 plan")}})),
                  UpsertNode(MakeNode("pay", {"pii"}, "Doc", {{"title", Str("salaries")}})),
                  UpsertEdge("doc-1", "REFERENCES", "doc-2"),
              }),
              0u);
    audit_ = v1::AuditService::NewStub(channel_);
  }

  grpc::Status Report(const std::string& token, const std::string& principal,
                      v1::AccessReportResponse* response) {
    v1::AccessReportRequest request;
    request.set_principal(principal);
    return Call(audit_.get(), &v1::AuditService::Stub::AccessReport, token, request, response);
  }

  std::string agent_, auditor_;
  std::unique_ptr<v1::AuditService::Stub> audit_;
};

TEST_F(AccessReportTest, ReportsTheClearancesTheAgentsReadsNeeded) {
  v1::SearchRequest search;
  search.set_query("plan");
  v1::SearchResponse hits;
  ASSERT_OK(Search(agent_, search, &hits));
  ASSERT_EQ(hits.hits_size(), 2);
  v1::RetrieveRequest retrieve;
  retrieve.add_seeds("doc-1");
  v1::RetrieveResponse items;
  ASSERT_OK(Call(context_.get(), &v1::ContextService::Stub::Retrieve, agent_, retrieve, &items));
  ASSERT_EQ(items.items_size(), 2);

  v1::AccessReportResponse report;
  ASSERT_OK(Report(auditor_, "agent", &report));
  ASSERT_EQ(report.clearances_size(), 3);
  std::vector<std::string> clearances;
  for (const v1::ClearanceUse& c : report.clearances()) {
    clearances.push_back(absl::StrCat(c.clearance(), " ", c.used(), " ", c.items()));
  }
  EXPECT_EQ(clearances, (std::vector<std::string>{"pii 0 0", "team:* 1 2", "team:finance 0 0"}));
  ASSERT_EQ(report.needed_labels_size(), 1);
  EXPECT_EQ(report.needed_labels(0).label(), "team:eng");
  EXPECT_EQ(report.needed_labels(0).items(), 2u);
  EXPECT_EQ(std::vector<std::string>(report.unused_clearances().begin(),
                                     report.unused_clearances().end()),
            (std::vector<std::string>{"pii", "team:finance"}));
  EXPECT_EQ(report.entries_examined(), 2u);
  EXPECT_EQ(report.items_examined(), 2u);
  EXPECT_FALSE(report.partial());
  EXPECT_EQ(report.policy_version(), LatestVersion());
}

TEST_F(AccessReportTest, OnlyAuditorsAndAdminsAndFieldErrors) {
  v1::AccessReportResponse report;
  EXPECT_STATUS(Report(agent_, "agent", &report), absl::StatusCode::kPermissionDenied,
                "AccessReport requires the auditor or admin role");
  ASSERT_OK(Report(admin_token_, "agent", &report));
  EXPECT_STATUS(Report(auditor_, "", &report), absl::StatusCode::kInvalidArgument,
                "principal: required");
  EXPECT_STATUS(Report(auditor_, "nobody", &report), absl::StatusCode::kNotFound,
                "principal \"nobody\" not found");
}

}  // namespace
}  // namespace ctxgraph::server
