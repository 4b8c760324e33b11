// AccessReporter: clearances held versus the boundary labels of what a
// principal was actually given, on hand-built audit trails.
#include "query/access_report.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
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

  // Appends a "search" entry by "agent" with `summary`, read at `snapshot`
  // (0: the latest version), listing `ids` at the versions they had then.
  void AppendSearch(const std::string& summary, const std::vector<std::string>& ids,
                    uint64_t snapshot = 0) {
    AuditEntry e;
    e.principal = "agent";
    e.action = "search";
    e.snapshot_version = snapshot != 0 ? snapshot : g_.db().LatestVersion();
    e.summary = summary;
    for (const std::string& id : ids) {
      absl::StatusOr<std::optional<NodeRecord>> node = g_.store().GetNode(id, e.snapshot_version);
      ASSERT_TRUE(node.ok() && node->has_value()) << id;
      e.items.push_back(AuditItem{id, "", "", (*node)->provenance.version});
    }
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

// An as-of read was cleared against the node's boundary at the read's
// policy version too (a label put on later protects its history), so that
// boundary was needed; a label put on after a read was not.
TEST_F(AccessReportTest, AsOfSearchNeedsTheBoundaryAtItsPolicyVersion) {
  const Caller agent = MakeCaller("agent", kAgentClearances);
  const PageTokenCodec tokens(g_.db().secret());
  const uint64_t before = version_;
  const uint64_t relabel = g_.Write({NodeOp("E3", {"team:eng", "pii"}, "gamma")});
  // The query holds the field's text: only the summary's last one counts.
  SearchRequest past;
  past.query = "gamma policy_version=1 gamma";
  past.as_of = before;
  ASSERT_OK_AND_ASSIGN(SearchPage page, Searcher(g_.store(), tokens, agent).Search(past));
  ASSERT_EQ(page.hits.size(), 1u);
  ASSERT_EQ(page.hits[0].node->provenance.version, before);  // E3 without pii
  ASSERT_OK_AND_ASSIGN(AuditEntry entry, g_.audit().Append(SearchAuditEntry(agent, past, page)));
  EXPECT_TRUE(absl::EndsWith(entry.summary, absl::StrCat(" policy_version=", relabel)))
      << entry.summary;

  // Read now, then relabelled before the read's entry was written: the
  // read did not need the later label.
  SearchRequest now;
  now.query = "alpha";
  ASSERT_OK_AND_ASSIGN(SearchPage alpha, Searcher(g_.store(), tokens, agent).Search(now));
  ASSERT_EQ(alpha.hits.size(), 1u);
  g_.Write({NodeOp("E1", {"team:eng", "team:finance"}, "roadmap alpha")});
  ASSERT_OK(g_.audit().Append(SearchAuditEntry(agent, now, alpha)));

  ASSERT_OK_AND_ASSIGN(AccessReport report, Report(g_.auditor_, {"agent", {}, {}}));
  EXPECT_EQ(report.items_examined, 2u);
  EXPECT_EQ(report.items_missing, 0u);
  EXPECT_EQ(report.needed_labels, (std::vector<LabelNeed>{{"pii", 1}, {"team:eng", 2}}));
  EXPECT_EQ(report.clearances,
            (std::vector<ClearanceUse>{
                {"pii", true, 1}, {"team:eng", true, 2}, {"team:finance", false, 0}}));
  EXPECT_EQ(report.unused_clearances, (std::vector<std::string>{"team:finance"}));
}

TEST_F(AccessReportTest, AsOfRetrieveOfANodeDeletedSinceNeedsItsLastBoundary) {
  const Caller agent = MakeCaller("agent", kAgentClearances);
  const uint64_t before = version_;
  g_.Write({NodeOp("F1", {"team:finance", "pii"})});
  g_.Write({NodeDelete{"F1"}});
  RetrievalRequest request = Seeds({"F1"}, 0);
  request.as_of = before;
  ASSERT_OK_AND_ASSIGN(RetrievalResult r, g_.Retrieve(agent, request));
  ASSERT_EQ(ItemIds(r), (std::vector<std::string>{"F1"}));
  ASSERT_EQ(r.items[0].node->provenance.version, before);

  ASSERT_OK_AND_ASSIGN(AccessReport report, Report(g_.auditor_, {"agent", {}, {}}));
  EXPECT_EQ(report.items_examined, 1u);
  EXPECT_EQ(report.items_missing, 0u);
  EXPECT_EQ(report.needed_labels, (std::vector<LabelNeed>{{"pii", 1}, {"team:finance", 1}}));
  EXPECT_EQ(report.unused_clearances, (std::vector<std::string>{"team:eng"}));
}

// A search entry written before searches recorded their policy version:
// read from its last fields (page=, as_of=, clearances=), never from the
// caller's query, which may hold the same characters.
TEST_F(AccessReportTest, AnOldSearchEntryIsReadFromItsLastFieldsNeverFromItsQuery) {
  const uint64_t before = version_;
  const std::string clearances = " clearances=[pii,team:eng,team:finance]";
  // As of `before`, after E3 was relabelled pii: that read needed pii.
  g_.Write({NodeOp("E3", {"team:eng", "pii"}, "gamma")});
  AppendSearch(absl::StrCat("query=\"gamma policy_version=1 x\" labels=[] page_size=10 "
                            "page=first as_of=",
                            before, clearances),
               {"E3"}, before);
  // A latest first page whose entry a relabel of E1 overtook: the read was
  // cleared at its snapshot, without team:finance.
  const uint64_t snapshot = g_.db().LatestVersion();
  g_.Write({NodeOp("E1", {"team:eng", "team:finance"}, "roadmap alpha")});
  AppendSearch(absl::StrCat("query=\"alpha as_of=9 page=next\" labels=[] page_size=10 "
                            "page=first as_of=0",
                            clearances),
               {"E1"}, snapshot);
  // A next page, whose visibility was decided at the latest version when it
  // ran: the last committed before its entry.
  g_.Write({NodeOp("E2", {"team:eng", "pii"}, "roadmap beta")});
  AppendSearch(absl::StrCat("query=\"beta\" labels=[] page_size=1 page=next as_of=0", clearances),
               {"E2"});

  // The oldest summaries end at as_of=: a latest first page, overtaken by
  // a relabel of F1, was cleared at its snapshot too.
  const uint64_t oldest = g_.db().LatestVersion();
  g_.Write({NodeOp("F1", {"team:finance", "pii"})});
  AppendSearch("query=\"f\" labels=[] page_size=10 page=first as_of=0", {"F1"}, oldest);

  ASSERT_OK_AND_ASSIGN(AccessReport report, Report(g_.auditor_, {"agent", {}, {}}));
  EXPECT_EQ(report.items_examined, 4u);
  EXPECT_EQ(report.needed_labels,
            (std::vector<LabelNeed>{{"pii", 2}, {"team:eng", 3}, {"team:finance", 1}}));
  EXPECT_TRUE(report.unused_clearances.empty());
}

TEST_F(AccessReportTest, AnAsOfLineageWalkNeedsTheBoundaryAtItsPolicyVersion) {
  const uint64_t before = g_.Write({EdgeOp("E2", "DERIVED_FROM", "U")});
  g_.Write({NodeOp("U", {"pii"})});
  Grant("lin", {"pii", "team:eng"});
  const Caller walker = MakeCaller("lin", {"pii", "team:eng"});
  const OpaqueIdHasher opaque_ids(g_.db().redaction_key());
  LineageRequest request;
  request.node_id = "E2";
  request.as_of = before;
  ASSERT_OK_AND_ASSIGN(LineageGraph up,
                       LineageWalker(g_.store(), opaque_ids, walker).Upstream(request, g_.audit()));
  ASSERT_EQ(up.nodes.size(), 2u);
  ASSERT_OK_AND_ASSIGN(AccessReport report, Report(g_.auditor_, {"lin", {}, {}}));
  EXPECT_EQ(report.items_examined, 2u);
  EXPECT_EQ(report.needed_labels, (std::vector<LabelNeed>{{"pii", 1}, {"team:eng", 1}}));
  EXPECT_EQ(report.clearances,
            (std::vector<ClearanceUse>{{"pii", true, 1}, {"team:eng", true, 1}}));
  EXPECT_TRUE(report.unused_clearances.empty());
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
