// BoundaryService over gRPC: the label registry, AssignLabels and
// LabelHistory as clients see them, role checks at the service boundary,
// hidden nodes that answer exactly like absent ones, and a boundary change
// that takes effect for the very next read of every read path.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "ctxgraph/v1/audit.grpc.pb.h"
#include "ctxgraph/v1/lineage.grpc.pb.h"
#include "tests/server/server_test_fixture.h"

namespace ctxgraph::server {
namespace {

using Labels = std::vector<std::string>;
using Stub = v1::BoundaryService::Stub;

class BoundaryServiceTest : public ServerTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(ServerTest::SetUp());
    steward_ = CreatePrincipal("steward", {v1::ROLE_STEWARD}, {"team:eng", "pii"});
    agent_ = CreatePrincipal("agent", {v1::ROLE_AGENT}, {"team:eng"});
    auditor_ = CreatePrincipal("auditor", {v1::ROLE_AUDITOR}, {"*"});
    ASSERT_FALSE(steward_.empty() || agent_.empty() || auditor_.empty());
  }

  grpc::Status Define(const std::string& token, const std::string& name,
                      const std::string& description, bool propagate,
                      v1::DefineLabelResponse* response) {
    v1::DefineLabelRequest request;
    request.set_name(name);
    request.set_description(description);
    request.set_propagate(propagate);
    return Call(boundary_.get(), &Stub::DefineLabel, token, request, response);
  }
  grpc::Status List(const std::string& token, v1::ListLabelsResponse* response,
                    uint64_t as_of = 0) {
    v1::ListLabelsRequest request;
    request.set_as_of_version(as_of);
    return Call(boundary_.get(), &Stub::ListLabels, token, request, response);
  }
  grpc::Status Assign(const std::string& token, const v1::AssignLabelsRequest& request,
                      v1::AssignLabelsResponse* response) {
    return Call(boundary_.get(), &Stub::AssignLabels, token, request, response);
  }
  grpc::Status History(const std::string& token, const std::string& id,
                       v1::LabelHistoryResponse* response, int page_size = 0,
                       const std::string& page_token = "") {
    v1::LabelHistoryRequest request;
    request.set_node_id(id);
    request.set_page_size(page_size);
    request.set_page_token(page_token);
    return Call(boundary_.get(), &Stub::LabelHistory, token, request, response);
  }

  static v1::AssignLabelsRequest ById(const Labels& ids, const Labels& add, const Labels& remove,
                                      const std::string& reason) {
    v1::AssignLabelsRequest r;
    for (const auto& id : ids) r.add_node_ids(id);
    for (const auto& l : add) r.add_add(l);
    for (const auto& l : remove) r.add_remove(l);
    r.set_reason(reason);
    return r;
  }

  // "name@version description" of every label.
  static Labels Names(const v1::ListLabelsResponse& response) {
    Labels out;
    for (const auto& l : response.labels()) {
      out.push_back(absl::StrCat(l.name(), "@", l.version(), " ", l.description()));
    }
    return out;
  }

  // "id score" of every hit of one search page.
  Labels Hits(const std::string& token, const std::string& query) {
    v1::SearchRequest request;
    request.set_query(query);
    v1::SearchResponse response;
    EXPECT_OK(Search(token, request, &response));
    Labels out;
    for (const auto& h : response.hits())
      out.push_back(absl::StrCat(h.node().id(), " ", h.score()));
    return out;
  }

  std::string steward_, agent_, auditor_;
};

TEST_F(BoundaryServiceTest, RolesAreCheckedAtTheServiceBoundary) {
  v1::DefineLabelResponse defined;
  EXPECT_STATUS(Define(agent_, "pii", "Personal data", false, &defined),
                absl::StatusCode::kPermissionDenied,
                "DefineLabel requires the steward or admin role");
  const std::string loader = CreatePrincipal("loader", {v1::ROLE_LOADER}, {"*"});
  EXPECT_STATUS(Define(loader, "pii", "Personal data", false, &defined),
                absl::StatusCode::kPermissionDenied,
                "DefineLabel requires the steward or admin role");
  ASSERT_OK(Define(steward_, "pii", "Personal data", false, &defined));
  v1::AssignLabelsResponse assigned;
  EXPECT_STATUS(Assign(agent_, ById({"x"}, {"pii"}, {}, "r"), &assigned),
                absl::StatusCode::kPermissionDenied,
                "AssignLabels requires the steward or admin role");
  v1::LabelHistoryResponse history;
  EXPECT_STATUS(History(agent_, "x", &history), absl::StatusCode::kPermissionDenied,
                "LabelHistory requires the auditor or steward or admin role");
  // Anyone authenticated may list the registry; nobody unauthenticated.
  v1::ListLabelsResponse labels;
  ASSERT_OK(List(agent_, &labels));
  EXPECT_EQ(labels.labels_size(), 1);
  EXPECT_STATUS(List("", &labels), absl::StatusCode::kUnauthenticated, kUnauthenticated);
}

TEST_F(BoundaryServiceTest, DefineListAndRedefineAreVersioned) {
  v1::DefineLabelResponse pii, same, redefined, team;
  ASSERT_OK(Define(steward_, "pii", "Personal data", false, &pii));
  EXPECT_TRUE(pii.changed());
  EXPECT_EQ(pii.label().name(), "pii");
  EXPECT_EQ(pii.label().defined_by(), "steward");
  EXPECT_EQ(pii.label().created_version(), pii.label().version());
  EXPECT_GT(pii.label().time().seconds(), 0);
  ASSERT_OK(Define(steward_, "pii", "Personal data", false, &same));
  EXPECT_FALSE(same.changed());
  EXPECT_EQ(same.label().version(), pii.label().version());
  ASSERT_OK(Define(admin_token_, "team:eng", "Engineering", true, &team));
  ASSERT_OK(Define(steward_, "pii", "Personal data (GDPR art. 4)", false, &redefined));
  EXPECT_TRUE(redefined.changed());
  EXPECT_EQ(redefined.label().created_version(), pii.label().version());

  v1::ListLabelsResponse now, then;
  ASSERT_OK(List(agent_, &now));
  EXPECT_EQ(
      Names(now),
      (Labels{absl::StrCat("pii@", redefined.label().version(), " Personal data (GDPR art. 4)"),
              absl::StrCat("team:eng@", team.label().version(), " Engineering")}));
  EXPECT_TRUE(now.labels(1).propagate());
  ASSERT_OK(List(agent_, &then, pii.label().version()));
  EXPECT_EQ(Names(then), (Labels{absl::StrCat("pii@", pii.label().version(), " Personal data")}));
  EXPECT_STATUS(Define(steward_, "*", "everything", false, &same),
                absl::StatusCode::kInvalidArgument,
                "name: \"*\" has a character outside [A-Za-z0-9_.:-]");
}

TEST_F(BoundaryServiceTest, AWriteWithAnUndefinedLabelWritesNothing) {
  DefineLabels({"pii"});
  const uint64_t before = LatestVersion();
  v1::WriteResponse w;
  EXPECT_STATUS(Write(admin_token_,
                      {UpsertNode(MakeNode("a", {"pii"})), UpsertNode(MakeNode("b")),
                       UpsertNode(MakeNode("c", {"pii", "team:x"}))},
                      &w),
                absl::StatusCode::kFailedPrecondition,
                "ops[2].upsert_node.boundary: undefined boundary label \"team:x\"");
  EXPECT_EQ(LatestVersion(), before);
  for (const char* id : {"a", "b", "c"}) {
    v1::GetNodeResponse r;
    EXPECT_STATUS(GetNode(admin_token_, id, &r), absl::StatusCode::kNotFound,
                  absl::StrCat("node \"", id, "\" not found"));
  }
  // Defined in the same batch, before the use: accepted.
  ASSERT_OK(
      Write(admin_token_, {DefineLabel("team:x"), UpsertNode(MakeNode("c", {"team:x"}))}, &w));
  EXPECT_EQ(w.labels_defined(), 1u);
  EXPECT_EQ(w.nodes_written(), 1u);
}

TEST_F(BoundaryServiceTest, AnAssignmentTakesEffectForTheVeryNextRead) {
  DefineLabels({"pii", "team:eng"});
  const uint64_t before = AdminWrite(
      {UpsertNode(MakeNode("doc-1", {"team:eng"}, "Doc", {{"title", Str("Q3 plan")}})),
       UpsertNode(MakeNode("doc-2", {"team:eng"}, "Doc", {{"title", Str("plan for hiring")}}))});
  v1::GetNodeResponse got;
  ASSERT_OK(GetNode(agent_, "doc-1", &got));
  EXPECT_EQ(got.node().inherited_boundary_size(), 0);
  EXPECT_EQ(AllNodePages(agent_, "Doc", 10), (std::vector<Labels>{{"doc-1", "doc-2"}}));

  v1::AssignLabelsResponse assigned;
  ASSERT_OK(Assign(steward_, ById({"doc-1"}, {"pii"}, {}, "customer names inside"), &assigned));
  ASSERT_TRUE(assigned.committed());
  ASSERT_EQ(assigned.changed_size(), 1);
  EXPECT_EQ(assigned.changed(0).node_id(), "doc-1");
  EXPECT_EQ(Labels(assigned.changed(0).before().begin(), assigned.changed(0).before().end()),
            (Labels{"team:eng"}));
  EXPECT_EQ(Labels(assigned.changed(0).after().begin(), assigned.changed(0).after().end()),
            (Labels{"pii", "team:eng"}));

  // GetNode: exactly like an absent node; ListNodes: gone; Search: gone and
  // not counted, so scores equal a world where doc-1 was hidden all along.
  v1::GetNodeResponse hidden, absent;
  const std::string hidden_t = Transcript(GetNode(agent_, "doc-1", &hidden), hidden);
  const std::string absent_t = Transcript(GetNode(agent_, "doc-9", &absent), absent);
  EXPECT_EQ(hidden_t, absl::StrReplaceAll(absent_t, {{"doc-9", "doc-1"}}));
  EXPECT_EQ(AllNodePages(agent_, "Doc", 10), (std::vector<Labels>{{"doc-2"}}));
  const Labels after_assign = Hits(agent_, "plan");
  // As of before the assignment, the old boundary answers (for a caller
  // cleared for both; the agent is not cleared for the node's boundary now).
  ASSERT_OK(GetNode(auditor_, "doc-1", &got, before));
  EXPECT_EQ(Labels(got.node().boundary().begin(), got.node().boundary().end()),
            (Labels{"team:eng"}));
  EXPECT_STATUS(GetNode(agent_, "doc-1", &got, before), absl::StatusCode::kNotFound,
                "node \"doc-1\" not found");

  ASSERT_NO_FATAL_FAILURE(ResetServer());
  agent_ = CreatePrincipal("agent", {v1::ROLE_AGENT}, {"team:eng"});
  DefineLabels({"pii", "team:eng"});
  AdminWrite(
      {UpsertNode(MakeNode("doc-1", {"pii", "team:eng"}, "Doc", {{"title", Str("Q3 plan")}})),
       UpsertNode(MakeNode("doc-2", {"team:eng"}, "Doc", {{"title", Str("plan for hiring")}}))});
  EXPECT_EQ(after_assign, Hits(agent_, "plan"));
  ASSERT_EQ(after_assign.size(), 1u);
}

TEST_F(BoundaryServiceTest, AssignLabelsAuditsEveryChangedNodeWithItsReason) {
  DefineLabels({"pii", "team:eng"});
  AdminWrite({UpsertNode(MakeNode("a", {"team:eng"})), UpsertNode(MakeNode("b", {"pii"})),
              UpsertNode(MakeNode("m", {}, "Message"))});
  v1::AssignLabelsRequest request;
  request.set_type_label("Doc");
  request.add_add("pii");
  request.set_reason("quarterly sweep");
  v1::AssignLabelsResponse assigned;
  ASSERT_OK(Assign(steward_, request, &assigned));
  ASSERT_EQ(assigned.changed_size(), 1);
  EXPECT_EQ(assigned.changed(0).node_id(), "a");
  EXPECT_EQ(Labels(assigned.unchanged().begin(), assigned.unchanged().end()), (Labels{"b"}));

  auto audit = v1::AuditService::NewStub(channel_);
  v1::ListEntriesRequest list;
  list.set_action("label.assign.node");
  v1::ListEntriesResponse entries;
  ASSERT_OK(Call(audit.get(), &v1::AuditService::Stub::ListEntries, auditor_, list, &entries));
  ASSERT_EQ(entries.entries_size(), 1);
  EXPECT_EQ(entries.entries(0).principal(), "steward");
  EXPECT_EQ(entries.entries(0).summary(),
            "before=[team:eng] after=[pii,team:eng] reason=quarterly sweep");
  EXPECT_EQ(entries.entries(0).snapshot_version(), assigned.version());
  ASSERT_EQ(entries.entries(0).items_size(), 1);
  EXPECT_EQ(entries.entries(0).items(0).node_id(), "a");
  v1::GetCommitResponse commit;
  ASSERT_OK(GetCommit(auditor_, assigned.version(), &commit));
  EXPECT_EQ(commit.commit().description(), "quarterly sweep");
}

TEST_F(BoundaryServiceTest, AssignAndHistoryAnswerAHiddenNodeExactlyLikeAnAbsentOne) {
  DefineLabels({"pii", "team:finance"});
  AdminWrite({UpsertNode(MakeNode("fin", {"team:finance"}))});
  v1::AssignLabelsResponse r1, r2;
  const std::string hidden = Transcript(Assign(steward_, ById({"fin"}, {"pii"}, {}, "r"), &r1), r1);
  v1::LabelHistoryResponse h1, h2;
  const std::string hidden_history = Transcript(History(steward_, "fin", &h1), h1);
  AdminWrite({DeleteNode("fin")});
  EXPECT_EQ(Transcript(Assign(steward_, ById({"fin"}, {"pii"}, {}, "r"), &r2), r2), hidden);
  EXPECT_EQ(Transcript(History(steward_, "fin", &h2), h2), hidden_history);
  // And like an id never written at all, whose mapping was never interned.
  v1::AssignLabelsResponse r3;
  v1::LabelHistoryResponse h3;
  EXPECT_EQ(
      absl::StrReplaceAll(Transcript(Assign(steward_, ById({"nope"}, {"pii"}, {}, "r"), &r3), r3),
                          {{"nope", "fin"}}),
      hidden);
  EXPECT_EQ(absl::StrReplaceAll(Transcript(History(steward_, "nope", &h3), h3), {{"nope", "fin"}}),
            hidden_history);
  EXPECT_STATUS(Assign(steward_, ById({"fin"}, {"pii"}, {}, "r"), &r2), absl::StatusCode::kNotFound,
                "node_ids[0]: node \"fin\" not found");
  EXPECT_STATUS(History(steward_, "fin", &h2), absl::StatusCode::kNotFound,
                "node \"fin\" not found");
  // A label the steward is not cleared for is refused, naming the label.
  AdminWrite({UpsertNode(MakeNode("open"))});
  EXPECT_STATUS(Assign(steward_, ById({"open"}, {"team:finance"}, {}, "r"), &r2),
                absl::StatusCode::kPermissionDenied, "add: not cleared for label \"team:finance\"");
  EXPECT_STATUS(Assign(steward_, ById({"open"}, {"pii"}, {}, ""), &r2),
                absl::StatusCode::kInvalidArgument, "reason: required");
}

TEST_F(BoundaryServiceTest, LabelHistoryListsEveryBoundaryChange) {
  DefineLabels({"pii", "team:eng"});
  const uint64_t created = AdminWrite({UpsertNode(MakeNode("x", {"team:eng"}))}, "load");
  AdminWrite({UpsertNode(MakeNode("x", {"team:eng"}, "Doc", {{"k", Str("v")}}))}, "edit");
  v1::AssignLabelsResponse assigned;
  ASSERT_OK(Assign(steward_, ById({"x"}, {"pii"}, {}, "GDPR"), &assigned));
  v1::LabelHistoryResponse history;
  ASSERT_OK(History(auditor_, "x", &history));
  Labels events;
  for (const auto& e : history.events()) {
    events.push_back(absl::StrCat(e.version(), " ", v1::BoundaryEventKind_Name(e.kind()), " [",
                                  absl::StrJoin(e.before(), ","), "] -> [",
                                  absl::StrJoin(e.after(), ","), "] ", e.principal(), " ",
                                  e.reason()));
    EXPECT_GT(e.time().seconds(), 0);
  }
  EXPECT_EQ(
      events,
      (Labels{absl::StrCat(created, " BOUNDARY_EVENT_KIND_CREATED [] -> [team:eng] admin load"),
              absl::StrCat(assigned.version(),
                           " BOUNDARY_EVENT_KIND_CHANGED [team:eng] -> [pii,team:eng] "
                           "steward GDPR")}));
  EXPECT_EQ(history.snapshot_version(), assigned.version());
  // Paged one at a time.
  v1::LabelHistoryResponse first, second;
  ASSERT_OK(History(steward_, "x", &first, 1));
  ASSERT_EQ(first.events_size(), 1);
  ASSERT_FALSE(first.next_page_token().empty());
  ASSERT_OK(History(steward_, "x", &second, 1, first.next_page_token()));
  ASSERT_EQ(second.events_size(), 1);
  EXPECT_EQ(second.events(0).version(), assigned.version());
  EXPECT_TRUE(second.next_page_token().empty());
}

TEST_F(BoundaryServiceTest, AnAuditorClearedForLessSeesOnlyTheHistoryItIsClearedFor) {
  DefineLabels({"pii", "team:eng"});
  const uint64_t created = AdminWrite({UpsertNode(MakeNode("x", {"pii"}))}, "load zebra secret");
  v1::AssignLabelsResponse declassified;
  ASSERT_OK(Assign(steward_, ById({"x"}, {"team:eng"}, {"pii"}, "declassified"), &declassified));
  const uint64_t opened = AdminWrite({UpsertNode(MakeNode("x", {}))}, "opened");
  const auto events = [&](const std::string& token) {
    v1::LabelHistoryResponse history;
    EXPECT_OK(History(token, "x", &history));
    Labels out;
    for (const auto& e : history.events()) {
      out.push_back(absl::StrCat(e.version(), " [", absl::StrJoin(e.before(), ","), "] -> [",
                                 absl::StrJoin(e.after(), ","), "] ", e.principal(), " ",
                                 e.reason()));
    }
    return std::make_pair(out, history.SerializeAsString());
  };
  // The auditor cleared for "*" sees every change.
  EXPECT_EQ(
      events(auditor_).first,
      (Labels{absl::StrCat(created, " [] -> [pii] admin load zebra secret"),
              absl::StrCat(declassified.version(), " [pii] -> [team:eng] steward declassified"),
              absl::StrCat(opened, " [team:eng] -> [] admin opened")}));
  // One cleared for team:eng sees only the change between boundaries it may
  // see: nothing of pii, nor who set it and why; and not the reason of the
  // admin's commit, which may name what it may not see.
  const std::string eng_auditor = CreatePrincipal("eng-auditor", {v1::ROLE_AUDITOR}, {"team:eng"});
  const auto [seen, bytes] = events(eng_auditor);
  EXPECT_EQ(seen, (Labels{absl::StrCat(opened, " [team:eng] -> [] admin ")}));
  for (const char* hidden : {"pii", "zebra", "declassified", "steward"}) {
    EXPECT_EQ(bytes.find(hidden), std::string::npos) << hidden;
  }
}

}  // namespace
}  // namespace ctxgraph::server

namespace ctxgraph::server {
namespace {

class PropagationServiceTest : public BoundaryServiceTest {
 protected:
  grpc::Status Sanitize(const std::string& token, const std::string& from, const std::string& to,
                        const Labels& add, v1::SanitizeEdgeResponse* response) {
    v1::SanitizeEdgeRequest request;
    request.set_from(from);
    request.set_to(to);
    for (const auto& l : add) request.add_add(l);
    request.set_reason("anonymised before export");
    return Call(boundary_.get(), &Stub::SanitizeEdge, token, request, response);
  }
};

TEST_F(PropagationServiceTest, AnInheritedChangeDoesNotTellTheReasonForAHiddenAncestor) {
  v1::DefineLabelResponse defined;
  ASSERT_OK(Define(steward_, "pii", "Personal data", true, &defined));
  ASSERT_OK(Define(steward_, "team:eng", "Engineering", false, &defined));
  ASSERT_OK(Define(steward_, "vaultx", "Finance", false, &defined));
  AdminWrite({UpsertNode(MakeNode("hid-merger", {"vaultx"})),
              UpsertNode(MakeNode("derived", {"team:eng"})),
              UpsertEdge("derived", "DERIVED_FROM", "hid-merger")});
  // A finance steward marks the hidden ancestor pii; "derived" inherits it
  // in the same commit.
  const std::string fin_steward =
      CreatePrincipal("fin-steward", {v1::ROLE_STEWARD}, {"vaultx", "pii", "team:eng"});
  v1::AssignLabelsResponse assigned;
  ASSERT_OK(Assign(fin_steward, ById({"hid-merger"}, {"pii"}, {}, "hid-merger holds zebra SSNs"),
                   &assigned));
  // The steward cleared for team:eng and pii sees the inherited change on
  // "derived", but not that commit's reason, which names the hidden node.
  v1::LabelHistoryResponse history;
  ASSERT_OK(History(steward_, "derived", &history));
  ASSERT_EQ(history.events_size(), 2);
  const v1::BoundaryEvent& inherited = history.events(1);
  EXPECT_EQ(inherited.version(), assigned.version());
  EXPECT_EQ(absl::StrJoin(inherited.inherited_after(), ","), "pii");
  EXPECT_EQ(inherited.principal(), "fin-steward");
  EXPECT_EQ(inherited.reason(), "");
  for (const char* hidden : {"hid-merger", "zebra", "vaultx"}) {
    EXPECT_EQ(history.SerializeAsString().find(hidden), std::string::npos) << hidden;
  }
  // The steward who made the commit reads its reason.
  ASSERT_OK(History(fin_steward, "derived", &history));
  ASSERT_EQ(history.events_size(), 2);
  EXPECT_EQ(history.events(1).reason(), "hid-merger holds zebra SSNs");
}

TEST_F(PropagationServiceTest, AnInheritedLabelHidesDerivedNodesOnEveryReadPathUntilSanitized) {
  v1::DefineLabelResponse defined;
  ASSERT_OK(Define(steward_, "pii", "Personal data", true, &defined));
  ASSERT_OK(Define(steward_, "team:eng", "Engineering", false, &defined));
  AdminWrite({UpsertNode(MakeNode("raw", {"pii"}, "Doc", {{"title", Str("customer export")}})),
              UpsertNode(MakeNode("summary", {}, "Doc", {{"title", Str("customer summary")}})),
              UpsertNode(MakeNode("report", {}, "Doc", {{"title", Str("customer report")}})),
              UpsertNode(MakeNode("other", {}, "Doc", {{"title", Str("customer faq")}})),
              UpsertEdge("summary", "DERIVED_FROM", "raw"),
              UpsertEdge("report", "DERIVED_FROM", "summary")});

  // The agent is not cleared for pii: the derived nodes do not exist for it,
  // in any read path, byte for byte like an absent node.
  v1::GetNodeResponse hidden, absent;
  EXPECT_EQ(Transcript(GetNode(agent_, "report", &hidden), hidden),
            absl::StrReplaceAll(Transcript(GetNode(agent_, "nope00", &absent), absent),
                                {{"nope00", "report"}}));
  EXPECT_EQ(AllNodePages(agent_, "Doc", 10), (std::vector<Labels>{{"other"}}));
  const Labels agent_hits = Hits(agent_, "customer");
  ASSERT_EQ(agent_hits.size(), 1u);
  EXPECT_TRUE(agent_hits[0].starts_with("other ")) << agent_hits[0];

  // The steward sees them, with the label kept apart from their own; the
  // origin is named only to a caller who sees everything (the auditor).
  v1::GetNodeResponse report;
  ASSERT_OK(GetNode(steward_, "report", &report));
  ASSERT_EQ(report.node().inherited_size(), 1);
  EXPECT_EQ(report.node().inherited(0).from(), "");
  ASSERT_OK(GetNode(auditor_, "report", &report));
  EXPECT_EQ(report.node().boundary_size(), 0);
  EXPECT_EQ(
      Labels(report.node().inherited_boundary().begin(), report.node().inherited_boundary().end()),
      Labels{"pii"});
  ASSERT_EQ(report.node().inherited_size(), 1);
  EXPECT_EQ(report.node().inherited(0).from(), "raw");
  // Named to the auditor first, still not to the steward after: the answer
  // told one reader never comes back to another (node_wire_cache.h).
  report.Clear();
  ASSERT_OK(GetNode(steward_, "report", &report));
  ASSERT_EQ(report.node().inherited_size(), 1);
  EXPECT_EQ(report.node().inherited(0).from(), "");
  // The same for Search's hits, whichever reader comes first.
  auto hit_origin = [this](const std::string& token) -> std::string {
    v1::SearchRequest request;
    request.set_query("customer report");
    v1::SearchResponse found;
    EXPECT_OK(Search(token, request, &found));
    for (const v1::SearchHit& hit : found.hits()) {
      if (hit.node().id() != "report") continue;
      return hit.node().inherited_size() == 1 ? hit.node().inherited(0).from() : "(not 1 label)";
    }
    return "(no hit)";
  };
  EXPECT_EQ(hit_origin(steward_), "");
  EXPECT_EQ(hit_origin(auditor_), "raw");
  EXPECT_EQ(hit_origin(steward_), "");
  // And for lineage's whole nodes.
  auto lineage = v1::LineageService::NewStub(channel_);
  auto walked_origin = [&](const std::string& token) -> std::string {
    v1::LineageRequest request;
    request.set_node_id("report");
    v1::LineageResponse walked;
    EXPECT_OK(Call(lineage.get(), &v1::LineageService::Stub::Upstream, token, request, &walked));
    if (walked.nodes_size() == 0 || walked.nodes(0).node().id() != "report") return "(no start)";
    const v1::Node& start = walked.nodes(0).node();
    return start.inherited_size() == 1 ? start.inherited(0).from() : "(not 1 label)";
  };
  EXPECT_EQ(walked_origin(steward_), "");
  EXPECT_EQ(walked_origin(auditor_), "raw");
  EXPECT_EQ(walked_origin(steward_), "");

  // Only stewards sanitize; then pii stops at summary's edge.
  v1::SanitizeEdgeResponse sanitized;
  EXPECT_STATUS(Sanitize(agent_, "summary", "raw", {"pii"}, &sanitized),
                absl::StatusCode::kPermissionDenied,
                "SanitizeEdge requires the steward or admin role");
  ASSERT_OK(Sanitize(steward_, "summary", "raw", {"pii"}, &sanitized));
  EXPECT_TRUE(sanitized.committed());
  EXPECT_EQ(Labels(sanitized.after().begin(), sanitized.after().end()), Labels{"pii"});
  EXPECT_EQ(AllNodePages(agent_, "Doc", 10), (std::vector<Labels>{{"summary", "report", "other"}}));
  EXPECT_EQ(Hits(agent_, "customer").size(), 3u);
  v1::ListNeighborsResponse neighbors;
  v1::ListNeighborsRequest request;
  request.set_id("summary");
  request.set_direction(v1::DIRECTION_OUT);
  ASSERT_OK(
      Call(graph_.get(), &v1::GraphService::Stub::ListNeighbors, steward_, request, &neighbors));
  ASSERT_EQ(neighbors.neighbors_size(), 1);
  EXPECT_EQ(Labels(neighbors.neighbors(0).edge().sanitizes().begin(),
                   neighbors.neighbors(0).edge().sanitizes().end()),
            Labels{"pii"});
}

}  // namespace
}  // namespace ctxgraph::server
