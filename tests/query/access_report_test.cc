// AccessReporter: clearances held versus the boundary labels of what a
// principal was actually given, on hand-built audit trails.
#include "query/access_report.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "query/lineage.h"
#include "query/searcher.h"
#include "storage/principal_store.h"
#include "tests/query/retrieval_fixture.h"

namespace ctxgraph {
namespace {

const std::vector<std::string> kAgentClearances = {"pii", "team:eng", "team:finance"};

class AccessReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Grant("agent", kAgentClearances);
    g_.DefineLabels({"pii", "team:eng", "team:finance"});
    version_ = g_.Write({NodeOp("E1", {"team:eng"}, "roadmap alpha"),
                         NodeOp("E2", {"team:eng"}, "roadmap beta"),
                         NodeOp("E3", {"team:eng"}, "gamma"), NodeOp("F1", {"team:finance"}),
                         NodeOp("P1", {"pii"}), NodeOp("U"), EdgeOp("E1", "REFERENCES", "E3")});
  }

  void Grant(const std::string& id, std::vector<std::string> clearances) {
    ASSERT_OK(principals_.Update(
        id, "admin", {"admin.create_principal", "create"}, [&](std::optional<PrincipalRecord>& p) {
          p = PrincipalRecord{id, {Role::kAgent}, clearances, PrincipalStatus::kActive, 0};
          return absl::OkStatus();
        }));
  }

  // Appends a "search" entry by `principal` at `time` listing `ids` at
  // version_, as the search handler would.
  void Read(const std::string& principal, int64_t time, const std::vector<std::string>& ids,
            const std::string& action = "search") {
    AuditEntry e;
    e.time = Timestamp{time};
    e.principal = principal;
    e.action = action;
    e.snapshot_version = version_;
    for (const std::string& id : ids) e.items.push_back(AuditItem{id, "", "", version_});
    ASSERT_OK(g_.audit().Append(std::move(e)));
  }

  absl::StatusOr<AccessReport> Report(const Caller& caller, AccessReportRequest request) {
    return AccessReporter(g_.store(), principals_, g_.audit(), caller).Report(request);
  }

  int64_t CommitTime() {
    auto c = g_.db().GetCommit(version_);
    EXPECT_TRUE(c.ok()) << c.status();
    return c.ok() ? c->time.micros : 0;
  }

  RetrievalGraph g_;
  PrincipalStore principals_{&g_.db()};
  uint64_t version_ = 0;
};

TEST_F(AccessReportTest, ClearancesNeverNeededAreReportedUnused) {
  const Caller agent = MakeCaller("agent", kAgentClearances);
  SearchRequest search;
  search.query = "roadmap";
  const PageTokenCodec tokens(g_.db().secret());
  ASSERT_OK_AND_ASSIGN(SearchPage page, Searcher(g_.store(), tokens, agent).Search(search));
  ASSERT_EQ(page.hits.size(), 2u);
  ASSERT_OK(g_.audit().Append(SearchAuditEntry(agent, search, page)));
  ASSERT_OK_AND_ASSIGN(RetrievalResult r, g_.Retrieve(agent, Seeds({"E1"}, 1)));
  ASSERT_EQ(ItemIds(r), (std::vector<std::string>{"E1", "E3"}));

  ASSERT_OK_AND_ASSIGN(AccessReport report, Report(g_.auditor_, {"agent", {}, {}}));
  EXPECT_EQ(report.clearances,
            (std::vector<ClearanceUse>{
                {"pii", false, 0}, {"team:eng", true, 3}, {"team:finance", false, 0}}));
  EXPECT_EQ(report.needed_labels, (std::vector<LabelNeed>{{"team:eng", 3}}));
  EXPECT_EQ(report.unused_clearances, (std::vector<std::string>{"pii", "team:finance"}));
  EXPECT_EQ(report.entries_examined, 2u);
  EXPECT_EQ(report.items_examined, 3u);  // E1 was returned twice, counted once
  EXPECT_EQ(report.items_missing, 0u);
  EXPECT_FALSE(report.partial);
  EXPECT_EQ(report.policy_version, version_);
}

TEST_F(AccessReportTest, LineageEntriesCountButTheirRedactedStubsNeedNoLabel) {
  for (const char* action :
       {kLineageUpstreamAction, kLineageDownstreamAction, kLineagePathAction}) {
    EXPECT_NE(std::find(std::begin(kDataReturningActions), std::end(kDataReturningActions),
                        std::string_view(action)),
              std::end(kDataReturningActions))
        << action;
  }
  g_.Write({EdgeOp("E2", "DERIVED_FROM", "P1"), EdgeOp("P1", "DERIVED_FROM", "U")});
  Grant("lin", {"team:eng"});
  // Walking as an auditor, P1 (pii) comes back as a stub.
  const Caller walker = MakeCaller("lin", {"team:eng"}, {Role::kAuditor});
  const OpaqueIdHasher opaque_ids(g_.db().redaction_key());
  LineageRequest request;
  request.node_id = "E2";
  ASSERT_OK_AND_ASSIGN(LineageGraph up,
                       LineageWalker(g_.store(), opaque_ids, walker).Upstream(request, g_.audit()));
  ASSERT_EQ(up.nodes.size(), 3u);
  ASSERT_TRUE(up.nodes[1].redacted);

  ASSERT_OK_AND_ASSIGN(AccessReport report, Report(g_.auditor_, {"lin", {}, {}}));
  EXPECT_EQ(report.entries_examined, 1u);
  EXPECT_EQ(report.items_examined, 2u);  // E2 and U; not the stub
  EXPECT_EQ(report.items_missing, 0u);
  EXPECT_EQ(report.needed_labels, (std::vector<LabelNeed>{{"team:eng", 1}}));
  EXPECT_EQ(report.clearances, (std::vector<ClearanceUse>{{"team:eng", true, 1}}));
  EXPECT_TRUE(report.unused_clearances.empty());
}

TEST_F(AccessReportTest, WildcardClearanceIsUsedWhenAnyNeededLabelMatchesIt) {
  Grant("wild", {"*", "legal", "team:*"});
  version_ = g_.Write({NodeOp("E4", {"pii", "team:eng"})});
  Read("wild", 0, {"E4", "U"});
  ASSERT_OK_AND_ASSIGN(AccessReport report, Report(g_.admin_, {"wild", {}, {}}));
  EXPECT_EQ(report.clearances,
            (std::vector<ClearanceUse>{{"*", true, 1}, {"legal", false, 0}, {"team:*", true, 1}}));
  EXPECT_EQ(report.needed_labels, (std::vector<LabelNeed>{{"pii", 1}, {"team:eng", 1}}));
  EXPECT_EQ(report.unused_clearances, (std::vector<std::string>{"legal"}));
  EXPECT_EQ(report.items_examined, 2u);
}

TEST_F(AccessReportTest, OnlyEntriesInsideTheWindowAndOfThePrincipalCount) {
  const int64_t t = CommitTime() + 1000;
  Read("agent", t, {"F1"});                  // before the window
  Read("agent", t + 100, {"E1"});            // since: inclusive
  Read("other", t + 150, {"P1"});            // another principal
  Read("agent", t + 160, {"P1"}, "replay");  // returns nothing to the agent
  Read("agent", t + 199, {"E2"}, "retrieve");
  Read("agent", t + 200, {"P1"});  // until: exclusive
  ASSERT_OK_AND_ASSIGN(AccessReport report,
                       Report(g_.auditor_, {"agent", Timestamp{t + 100}, Timestamp{t + 200}}));
  EXPECT_EQ(report.entries_examined, 2u);
  EXPECT_EQ(report.items_examined, 2u);
  EXPECT_EQ(report.needed_labels, (std::vector<LabelNeed>{{"team:eng", 2}}));
  EXPECT_EQ(report.unused_clearances, (std::vector<std::string>{"pii", "team:finance"}));
}

TEST_F(AccessReportTest, ClearancesAreThoseInForceAtTheEndOfTheWindow) {
  Read("agent", 0, {"E1"});
  std::this_thread::sleep_for(std::chrono::milliseconds(2));  // a later commit time
  ASSERT_OK_AND_ASSIGN(PrincipalRecord revoked,
                       principals_.Update("agent", "admin", {"admin.set_clearances", "revoke"},
                                          [](std::optional<PrincipalRecord>& p) {
                                            p->clearances = {"team:eng"};
                                            return absl::OkStatus();
                                          }));
  ASSERT_OK_AND_ASSIGN(CommitRecord revocation, g_.db().GetCommit(revoked.version));
  // Until the revocation (exclusive): all three were held.
  ASSERT_OK_AND_ASSIGN(AccessReport before, Report(g_.auditor_, {"agent", {}, revocation.time}));
  EXPECT_EQ(before.unused_clearances, (std::vector<std::string>{"pii", "team:finance"}));
  EXPECT_EQ(before.policy_version, version_);
  ASSERT_OK_AND_ASSIGN(AccessReport now, Report(g_.auditor_, {"agent", {}, {}}));
  EXPECT_EQ(now.clearances, (std::vector<ClearanceUse>{{"team:eng", true, 1}}));
  EXPECT_TRUE(now.unused_clearances.empty());
}

TEST_F(AccessReportTest, EntryListingOnlyItsFirstItemsMakesThePartialReport) {
  Read("agent", 0, std::vector<std::string>(kMaxAuditItems + 1, "E1"));
  ASSERT_OK_AND_ASSIGN(AccessReport report, Report(g_.auditor_, {"agent", {}, {}}));
  EXPECT_TRUE(report.partial);
  EXPECT_EQ(report.items_examined, 1u);
}

TEST_F(AccessReportTest, OnlyAuditorsAndAdminsAndValidRequests) {
  const Caller agent = MakeCaller("agent", kAgentClearances);
  EXPECT_STATUS(Report(agent, {"agent", {}, {}}), absl::StatusCode::kPermissionDenied,
                "AccessReport requires the auditor or admin role");
  // The report names labels of nodes the caller may not see (P1's pii).
  const Caller eng_auditor = MakeCaller("eng-auditor", {"team:eng"}, {Role::kAuditor});
  EXPECT_STATUS(Report(eng_auditor, {"agent", {}, {}}), absl::StatusCode::kPermissionDenied,
                "AccessReport requires clearance \"*\": audit entries name every node whole");
  EXPECT_STATUS(Report(g_.auditor_, {"", {}, {}}), absl::StatusCode::kInvalidArgument,
                "principal: required");
  EXPECT_STATUS(Report(g_.auditor_, {"agent", Timestamp{5}, Timestamp{5}}),
                absl::StatusCode::kInvalidArgument, "until: must be after since");
  EXPECT_STATUS(Report(g_.auditor_, {"nobody", {}, {}}), absl::StatusCode::kNotFound,
                "principal \"nobody\" not found");
}

}  // namespace
}  // namespace ctxgraph
