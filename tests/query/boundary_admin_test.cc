// BoundaryAdmin and BoundaryHistory: the registry as the steward sees it,
// AssignLabels (one commit, per-node audit entries, hidden nodes exactly
// like absent ones) and LabelHistory from the versioned records.
#include "query/boundary_admin.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "query/boundary_history.h"
#include "query/graph_reader.h"
#include "query/validation.h"
#include "tests/query/indexed_graph.h"
#include "tests/query/make_caller.h"
#include "tests/test_macros.h"

namespace ctxgraph {
namespace {

using Labels = std::vector<std::string>;

Mutation Node(std::string id, Labels boundary = {}, std::string type = "Document",
              std::string title = "t") {
  NodeUpsert m;
  m.node.id = std::move(id);
  m.node.labels = {std::move(type)};
  m.node.boundary = std::move(boundary);
  m.node.props["title"] = Value{std::move(title)};
  return m;
}

LabelDefinition Label(std::string name, std::string description, bool propagate = false) {
  return LabelDefinition{
      .name = std::move(name), .description = std::move(description), .propagate = propagate};
}

AssignRequest ById(Labels ids, Labels add, Labels remove, std::string reason) {
  AssignRequest r;
  r.node_ids = std::move(ids);
  r.add = std::move(add);
  r.remove = std::move(remove);
  r.reason = std::move(reason);
  return r;
}

AssignRequest ByType(std::string type, Labels add, Labels remove, std::string reason) {
  AssignRequest r = ById({}, std::move(add), std::move(remove), std::move(reason));
  r.type_label = std::move(type);
  return r;
}

// "id: before -> after" per change.
std::vector<std::string> Changes(const AssignResult& r) {
  std::vector<std::string> out;
  for (const BoundaryChange& c : r.changed) {
    out.push_back(absl::StrCat(c.node_id, ": [", absl::StrJoin(c.before, ","), "] -> [",
                               absl::StrJoin(c.after, ","), "]"));
  }
  return out;
}

// "version kind [before] -> [after] principal reason" per event.
std::vector<std::string> Events(const BoundaryEventPage& page) {
  std::vector<std::string> out;
  for (const BoundaryEvent& e : page.events) {
    const char* kind = e.kind == BoundaryEventKind::kCreated   ? "created"
                       : e.kind == BoundaryEventKind::kDeleted ? "deleted"
                                                               : "changed";
    out.push_back(absl::StrCat(e.version, " ", kind, " [", absl::StrJoin(e.before, ","), "] -> [",
                               absl::StrJoin(e.after, ","), "] ", e.principal, " ", e.reason));
  }
  return out;
}

class BoundaryAdminTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = g_.DefineLabels({"pii", "team:eng", "team:finance"});
    ASSERT_NE(base_, 0u);
  }

  // Every audit entry after `seq`, as "action|principal|summary|items".
  std::vector<std::string> EntriesAfter(uint64_t seq) {
    auto page = g_.audit().List(AuditFilter{}, seq, 1000);
    EXPECT_TRUE(page.ok()) << page.status();
    std::vector<std::string> out;
    if (!page.ok()) return out;
    for (const AuditEntry& e : page->entries) {
      std::string items;
      for (const AuditItem& i : e.items) absl::StrAppend(&items, i.node_id, "@", i.version, ";");
      out.push_back(absl::StrCat(e.action, "|", e.principal, "|", e.summary, "|", items));
    }
    return out;
  }

  absl::StatusOr<NodeRead> Read(const Caller& caller, const std::string& id, uint64_t as_of = 0) {
    return GraphReader(g_.store(), g_.tokens(), caller).GetNode(id, as_of);
  }

  IndexedGraph g_;
  BoundaryAdmin admin_{g_.store(), g_.tokens()};
  uint64_t base_ = 0;
  const Caller steward_ = MakeCaller("steward", {"team:eng", "pii"}, {Role::kSteward});
  const Caller agent_ = MakeCaller("agent", {"team:eng"});
  const Caller auditor_ = MakeCaller("auditor", {"*"}, {Role::kAuditor});
};

TEST_F(BoundaryAdminTest, DefineLabelIsVersionedAuditedAndIdempotent) {
  const uint64_t seq = g_.audit().head_seq();
  ASSERT_OK_AND_ASSIGN(DefineLabelResult first,
                       admin_.DefineLabel(steward_, Label("restricted", "Need to know")));
  EXPECT_TRUE(first.changed);
  EXPECT_EQ(first.label, (LabelDefinition{"restricted", "Need to know", false, base_ + 1, base_ + 1,
                                          "steward", first.label.time}));
  ASSERT_OK_AND_ASSIGN(DefineLabelResult again,
                       admin_.DefineLabel(steward_, Label("restricted", "Need to know")));
  EXPECT_FALSE(again.changed);
  EXPECT_EQ(again.label, first.label);
  EXPECT_EQ(g_.db().LatestVersion(), base_ + 1);
  ASSERT_OK_AND_ASSIGN(DefineLabelResult changed,
                       admin_.DefineLabel(steward_, Label("restricted", "Board only")));
  EXPECT_TRUE(changed.changed);
  EXPECT_EQ(changed.label.version, base_ + 2);
  EXPECT_EQ(changed.label.created_version, base_ + 1);
  EXPECT_FALSE(changed.label.propagate);
  EXPECT_STATUS(admin_.DefineLabel(steward_, Label("restricted", "Board only", true)),
                absl::StatusCode::kFailedPrecondition,
                "propagate: label \"restricted\" was defined with "
                "propagate=false; the flag is fixed once a label is defined (define a new label "
                "instead)");
  EXPECT_EQ(EntriesAfter(seq),
            (std::vector<std::string>{
                "label.define|steward|label=restricted propagate=false description=Need to know|",
                "label.define|steward|label=restricted propagate=false description=Board only|"}));
  ASSERT_OK_AND_ASSIGN(CommitRecord commit, g_.db().GetCommit(base_ + 1));
  EXPECT_EQ(commit.description, "define label restricted");
}

TEST_F(BoundaryAdminTest, DefineLabelChecksRoleNameAndDescription) {
  EXPECT_STATUS(admin_.DefineLabel(agent_, Label("x", "d")), absl::StatusCode::kPermissionDenied,
                "DefineLabel requires the steward or admin role");
  EXPECT_STATUS(admin_.DefineLabel(steward_, Label("*", "d")), absl::StatusCode::kInvalidArgument,
                "name: \"*\" has a character outside [A-Za-z0-9_.:-]");
  EXPECT_STATUS(admin_.DefineLabel(steward_, Label("team:*", "d")),
                absl::StatusCode::kInvalidArgument,
                "name: \"team:*\" has a character outside [A-Za-z0-9_.:-]");
  EXPECT_STATUS(admin_.DefineLabel(steward_, Label("", "d")), absl::StatusCode::kInvalidArgument,
                "name: must be 1..128 bytes, got 0");
  EXPECT_STATUS(admin_.DefineLabel(steward_, Label("x", "")), absl::StatusCode::kInvalidArgument,
                "description: required");
  EXPECT_EQ(g_.db().LatestVersion(), base_);
  const Caller admin = MakeCaller("root", {}, {Role::kAdmin});
  ASSERT_OK(admin_.DefineLabel(admin, Label("x", "d")));
}

TEST_F(BoundaryAdminTest, ListLabelsIsOpenToAnyRolePagedAndAsOf) {
  ASSERT_OK(admin_.DefineLabel(steward_, Label("hr", "HR")));
  auto names = [](const LabelPage& p) {
    Labels out;
    for (const auto& l : p.labels) out.push_back(l.name);
    return out;
  };
  ASSERT_OK_AND_ASSIGN(LabelPage first, admin_.ListLabels(agent_, 2, "", 0));
  EXPECT_EQ(names(first), (Labels{"hr", "pii"}));
  EXPECT_EQ(first.version, base_ + 1);
  ASSERT_OK_AND_ASSIGN(DefineLabelResult later, admin_.DefineLabel(steward_, Label("z", "Z")));
  ASSERT_OK_AND_ASSIGN(LabelPage second, admin_.ListLabels(agent_, 2, first.next_page_token, 0));
  EXPECT_EQ(names(second), (Labels{"team:eng", "team:finance"}));  // pinned: no "z"
  EXPECT_TRUE(second.next_page_token.empty());
  ASSERT_OK_AND_ASSIGN(LabelPage old, admin_.ListLabels(agent_, 0, "", base_));
  EXPECT_EQ(names(old), (Labels{"pii", "team:eng", "team:finance"}));
  EXPECT_STATUS(admin_.ListLabels(steward_, 2, first.next_page_token, 0),
                absl::StatusCode::kInvalidArgument, "page_token: invalid");
  EXPECT_STATUS(admin_.ListLabels(agent_, 0, "", later.label.version + 1),
                absl::StatusCode::kInvalidArgument,
                absl::StrCat("as_of_version: ", later.label.version + 1,
                             " is ahead of the latest version ", later.label.version));
  EXPECT_STATUS(admin_.ListLabels(agent_, -1, "", 0), absl::StatusCode::kInvalidArgument,
                "page_size: must not be negative, got -1");
}

TEST_F(BoundaryAdminTest, AssignByIdsChangesWhatDiffersInOneCommitWithAnEntryPerNode) {
  g_.Write({Node("a", {"team:eng"}), Node("b", {"pii", "team:eng"}), Node("c")});  // base+1
  const uint64_t seq = g_.audit().head_seq();
  ASSERT_OK_AND_ASSIGN(AssignResult r,
                       admin_.AssignLabels(steward_, ById({"a", "b", "c", "a"}, {"pii"}, {},
                                                          "GDPR review 2026-11")));
  EXPECT_TRUE(r.committed);
  EXPECT_EQ(r.version, base_ + 2);
  EXPECT_EQ(g_.db().LatestVersion(), base_ + 2);
  EXPECT_EQ(Changes(r),
            (std::vector<std::string>{"a: [team:eng] -> [pii,team:eng]", "c: [] -> [pii]"}));
  EXPECT_EQ(r.unchanged, (Labels{"b"}));
  const std::string v = absl::StrCat(base_ + 2);
  EXPECT_EQ(EntriesAfter(seq),
            (std::vector<std::string>{
                absl::StrCat("label.assign|steward|node_ids=4 add=[pii] remove=[] changed=2 "
                             "unchanged=1 reason=GDPR review 2026-11|a@",
                             v, ";c@", v, ";"),
                absl::StrCat("label.assign.node|steward|before=[team:eng] after=[pii,team:eng] "
                             "reason=GDPR review 2026-11|a@",
                             v, ";"),
                absl::StrCat("label.assign.node|steward|before=[] after=[pii] reason=GDPR "
                             "review 2026-11|c@",
                             v, ";")}));
  ASSERT_OK_AND_ASSIGN(CommitRecord commit, g_.db().GetCommit(base_ + 2));
  EXPECT_EQ(commit.description, "GDPR review 2026-11");
  EXPECT_EQ(commit.principal, "steward");
  // Removing it again; the props stay as they were.
  ASSERT_OK_AND_ASSIGN(AssignResult back,
                       admin_.AssignLabels(steward_, ById({"a"}, {}, {"pii"}, "declassified")));
  EXPECT_EQ(Changes(back), (std::vector<std::string>{"a: [pii,team:eng] -> [team:eng]"}));
  ASSERT_OK_AND_ASSIGN(NodeRead a, Read(agent_, "a"));
  EXPECT_EQ(std::get<std::string>(a.node->props.at("title").v), "t");
  EXPECT_EQ(a.node->provenance.writer, "steward");
}

TEST_F(BoundaryAdminTest, NothingToChangeCommitsNothing) {
  g_.Write({Node("a", {"pii"})});
  const uint64_t seq = g_.audit().head_seq();
  ASSERT_OK_AND_ASSIGN(AssignResult r,
                       admin_.AssignLabels(steward_, ById({"a"}, {"pii"}, {"team:eng"}, "noop")));
  EXPECT_FALSE(r.committed);
  EXPECT_EQ(r.version, base_ + 1);
  EXPECT_TRUE(r.changed.empty());
  EXPECT_EQ(r.unchanged, (Labels{"a"}));
  EXPECT_EQ(g_.audit().head_seq(), seq);
}

TEST_F(BoundaryAdminTest, AHiddenNodeIsNotFoundExactlyLikeAnAbsentOne) {
  g_.Write({Node("open"), Node("fin", {"team:finance"})});
  const AssignRequest hidden = ById({"open", "fin"}, {"pii"}, {}, "r");
  const AssignRequest absent = ById({"open", "nosuch"}, {"pii"}, {}, "r");
  const absl::Status h = admin_.AssignLabels(steward_, hidden).status();
  const absl::Status a = admin_.AssignLabels(steward_, absent).status();
  EXPECT_STATUS(h, absl::StatusCode::kNotFound, "node_ids[1]: node \"fin\" not found");
  EXPECT_STATUS(a, absl::StatusCode::kNotFound, "node_ids[1]: node \"nosuch\" not found");
  // Same id, same bytes: the id is the only difference between the two.
  const absl::Status h2 = admin_.AssignLabels(steward_, ById({"fin"}, {"pii"}, {}, "r")).status();
  g_.Write({NodeDelete{"fin"}});
  const absl::Status a2 = admin_.AssignLabels(steward_, ById({"fin"}, {"pii"}, {}, "r")).status();
  EXPECT_EQ(h2, a2);
  EXPECT_EQ(g_.db().LatestVersion(), base_ + 2);  // the two writes above, nothing else
}

TEST_F(BoundaryAdminTest, RequestErrorsNameTheFieldAndWriteNothing) {
  g_.Write({Node("a", {"team:eng"})});
  const uint64_t latest = g_.db().LatestVersion();
  auto expect = [&](const Caller& caller, AssignRequest r, absl::StatusCode code,
                    const std::string& message) {
    EXPECT_STATUS(admin_.AssignLabels(caller, std::move(r)), code, message);
  };
  expect(agent_, ById({"a"}, {"pii"}, {}, "r"), absl::StatusCode::kPermissionDenied,
         "AssignLabels requires the steward or admin role");
  const Caller loader = MakeCaller("loader", {"*"}, {Role::kLoader});
  expect(loader, ById({"a"}, {"pii"}, {}, "r"), absl::StatusCode::kPermissionDenied,
         "AssignLabels requires the steward or admin role");
  expect(steward_, ById({"a"}, {"pii"}, {}, ""), absl::StatusCode::kInvalidArgument,
         "reason: required");
  expect(steward_, ById({"a"}, {"pii"}, {}, std::string(kMaxReasonBytes + 1, 'r')),
         absl::StatusCode::kInvalidArgument, "reason: must be at most 1024 bytes of UTF-8");
  expect(steward_, ById({}, {"pii"}, {}, "r"), absl::StatusCode::kInvalidArgument,
         "targets: give one of node_ids, type_label and downstream_of");
  AssignRequest both = ByType("Document", {"pii"}, {}, "r");
  both.node_ids = {"a"};
  expect(steward_, both, absl::StatusCode::kInvalidArgument,
         "targets: give one of node_ids, type_label and downstream_of, not several");
  AssignRequest three = ByType("Document", {"pii"}, {}, "r");
  three.downstream_of = "a";
  expect(steward_, three, absl::StatusCode::kInvalidArgument,
         "targets: give one of node_ids, type_label and downstream_of, not several");
  AssignRequest bad_start = ById({}, {"pii"}, {}, "r");
  bad_start.downstream_of = std::string("a\x01");
  expect(steward_, bad_start, absl::StatusCode::kInvalidArgument,
         "downstream_of: \"a\\x01\" contains a control character");
  expect(steward_, ById({"a"}, {}, {}, "r"), absl::StatusCode::kInvalidArgument,
         "add: give at least one label to add or remove");
  expect(steward_, ById({"a"}, {"pii"}, {"pii"}, "r"), absl::StatusCode::kInvalidArgument,
         "remove: label \"pii\" is also in add");
  expect(steward_, ById({"a"}, {"p ii"}, {}, "r"), absl::StatusCode::kInvalidArgument,
         "add[0]: \"p ii\" has a character outside [A-Za-z0-9_.:-]");
  expect(steward_, ById({""}, {"pii"}, {}, "r"), absl::StatusCode::kInvalidArgument,
         "node_ids[0]: must be 1..256 bytes, got 0");
  expect(steward_, ByType("Bad-Type", {"pii"}, {}, "r"), absl::StatusCode::kInvalidArgument,
         "type_label: \"Bad-Type\" has a character outside [A-Za-z0-9_]");
  // Clearance for every label added or removed, before definition.
  expect(steward_, ById({"a"}, {"team:finance"}, {}, "r"), absl::StatusCode::kPermissionDenied,
         "add: not cleared for label \"team:finance\"");
  expect(steward_, ById({"a"}, {}, {"team:finance"}, "r"), absl::StatusCode::kPermissionDenied,
         "remove: not cleared for label \"team:finance\"");
  expect(steward_, ById({"a"}, {"pii.v2"}, {}, "r"), absl::StatusCode::kPermissionDenied,
         "add: not cleared for label \"pii.v2\"");
  const Caller wide = MakeCaller("wide", {"*"}, {Role::kSteward});
  expect(wide, ById({"a"}, {"pii.v2"}, {}, "r"), absl::StatusCode::kFailedPrecondition,
         "add: undefined boundary label \"pii.v2\"");
  EXPECT_EQ(g_.db().LatestVersion(), latest);
}

TEST_F(BoundaryAdminTest, TypeSelectorTakesOnlyVisibleNodesOfThatType) {
  g_.Write({Node("d1", {"team:eng"}), Node("d2", {"team:finance"}), Node("d3"),
            Node("m1", {}, "Message")});
  ASSERT_OK_AND_ASSIGN(AssignResult r,
                       admin_.AssignLabels(steward_, ByType("Document", {"pii"}, {}, "sweep")));
  EXPECT_EQ(Changes(r),
            (std::vector<std::string>{"d1: [team:eng] -> [pii,team:eng]", "d3: [] -> [pii]"}));
  EXPECT_TRUE(r.unchanged.empty());
  ASSERT_OK_AND_ASSIGN(NodeRead d2, Read(auditor_, "d2"));
  EXPECT_EQ(d2.node->boundary, (Labels{"team:finance"}));
  ASSERT_OK_AND_ASSIGN(NodeRead m1, Read(auditor_, "m1"));
  EXPECT_TRUE(m1.node->boundary.empty());
}

TEST_F(BoundaryAdminTest, ASelectionOverTheLimitIsRefusedWhole) {
  BoundaryAdmin small(g_.store(), g_.tokens(), /*max_assign_nodes=*/2);
  g_.Write({Node("d1"), Node("d2"), Node("hidden", {"team:finance"})});
  // Two visible nodes fit: the hidden one is not counted.
  ASSERT_OK(small.AssignLabels(steward_, ByType("Document", {"team:eng"}, {}, "fits")));
  g_.Write({Node("d3")});
  const uint64_t latest = g_.db().LatestVersion();
  EXPECT_STATUS(small.AssignLabels(steward_, ByType("Document", {"pii"}, {}, "too many")),
                absl::StatusCode::kResourceExhausted,
                "type_label: selects more than 2 nodes, the limit of one call");
  EXPECT_STATUS(small.AssignLabels(steward_, ById({"d1", "d2", "d3"}, {"pii"}, {}, "too many")),
                absl::StatusCode::kResourceExhausted, "node_ids: 3 ids exceed the limit of 2");
  EXPECT_EQ(g_.db().LatestVersion(), latest);
}

TEST_F(BoundaryAdminTest, HiddenNodesCountAgainstHowManyRecordsASelectorMayRead) {
  // A limit of 1 node lets a selector read 10 records: ten hidden Documents
  // and one visible fit, the eleventh record does not, whoever can see it.
  BoundaryAdmin small(g_.store(), g_.tokens(), /*max_assign_nodes=*/1);
  std::vector<Mutation> hidden;
  for (int i = 0; i < 9; ++i) hidden.push_back(Node(absl::StrCat("h", i), {"team:finance"}));
  g_.Write(hidden);
  g_.Write({Node("d1")});
  ASSERT_OK_AND_ASSIGN(AssignResult fits,
                       small.AssignLabels(steward_, ByType("Document", {"team:eng"}, {}, "fits")));
  EXPECT_EQ(Changes(fits), (std::vector<std::string>{"d1: [] -> [team:eng]"}));
  g_.Write({Node("h9", {"team:finance"})});
  const uint64_t latest = g_.db().LatestVersion();
  EXPECT_STATUS(small.AssignLabels(steward_, ByType("Document", {"pii"}, {}, "too many")),
                absl::StatusCode::kResourceExhausted,
                "type_label: reads more than 10 nodes (hidden ones included), the limit of one "
                "call; select by node_ids");
  EXPECT_EQ(g_.db().LatestVersion(), latest);

  // The same along DERIVED_FROM: d1's eleven derived nodes are hidden.
  std::vector<Mutation> edges = {Node("h10", {"team:finance"}, "Message")};
  for (int i = 0; i < 11; ++i) {
    EdgeUpsert m;
    m.edge.from = absl::StrCat("h", i);
    m.edge.label = "DERIVED_FROM";
    m.edge.to = "d1";
    edges.push_back(std::move(m));
  }
  g_.Write(edges);
  AssignRequest downstream = ById({}, {"pii"}, {}, "too many");
  downstream.downstream_of = "d1";
  EXPECT_STATUS(small.AssignLabels(steward_, downstream), absl::StatusCode::kResourceExhausted,
                "downstream_of: reads more than 10 nodes (hidden ones included), the limit of "
                "one call; select by node_ids");
  EXPECT_EQ(g_.db().LatestVersion(), latest + 1);
}

TEST_F(BoundaryAdminTest, ASelectionOverTheByteLimitIsRefusedWhole) {
  // PropBytes: "title" + the title, plus the id.
  BoundaryAdmin small(g_.store(), g_.tokens(), kMaxAssignNodes, /*max_assign_bytes=*/40);
  g_.Write({Node("a1", {}, "Document", std::string(20, 'x')),
            Node("a2", {}, "Document", std::string(20, 'y'))});
  const uint64_t latest = g_.db().LatestVersion();
  ASSERT_OK(small.AssignLabels(steward_, ById({"a1"}, {"pii"}, {}, "fits")));  // 27 bytes
  EXPECT_STATUS(small.AssignLabels(steward_, ById({"a1", "a2"}, {"pii"}, {}, "too big")),
                absl::StatusCode::kResourceExhausted,
                "node_ids: selects more than 40 bytes of nodes, the limit of one call");
  EXPECT_STATUS(small.AssignLabels(steward_, ByType("Document", {"team:eng"}, {}, "too big")),
                absl::StatusCode::kResourceExhausted,
                "type_label: selects more than 40 bytes of nodes, the limit of one call");
  EXPECT_EQ(g_.db().LatestVersion(), latest + 1);
}

TEST_F(BoundaryAdminTest, TheNextReadSeesTheNewBoundaryAndThePastKeepsTheOld) {
  const uint64_t before = g_.Write({Node("a", {"team:eng"})});
  ASSERT_OK(Read(agent_, "a"));
  ASSERT_OK(admin_.AssignLabels(steward_, ById({"a"}, {"pii"}, {}, "sensitive")));
  EXPECT_STATUS(Read(agent_, "a"), absl::StatusCode::kNotFound, "node \"a\" not found");
  ASSERT_OK_AND_ASSIGN(NodeRead old, Read(auditor_, "a", before));
  EXPECT_EQ(old.node->boundary, (Labels{"team:eng"}));
  ASSERT_OK_AND_ASSIGN(NodeRead now, Read(auditor_, "a"));
  EXPECT_EQ(now.node->boundary, (Labels{"pii", "team:eng"}));
}

TEST_F(BoundaryAdminTest, LabelHistoryListsEveryBoundaryChangeOldestFirst) {
  const Caller root = MakeCaller("root", {"*"}, {Role::kAdmin, Role::kLoader});
  GraphWriter writer(g_.store());
  ASSERT_OK(writer.Write(root, {Node("x", {"team:eng"})}, "load"));                  // +1
  ASSERT_OK(writer.Write(root, {Node("x", {"team:eng"}, "Document", "t2")}, "ed"));  // +2
  ASSERT_OK(admin_.AssignLabels(steward_, ById({"x"}, {"pii"}, {}, "GDPR")));        // +3
  ASSERT_OK(writer.Write(root, {Node("x", {"pii"})}, "split"));                      // +4
  ASSERT_OK(writer.Write(root, {NodeDelete{"x"}}, "purge"));                         // +5
  ASSERT_OK(writer.Write(root, {Node("x")}, "restore"));                             // +6
  auto v = [&](uint64_t n) { return base_ + n; };
  const std::vector<std::string> want = {
      absl::StrCat(v(1), " created [] -> [team:eng] root load"),
      absl::StrCat(v(3), " changed [team:eng] -> [pii,team:eng] steward GDPR"),
      absl::StrCat(v(4), " changed [pii,team:eng] -> [pii] root split"),
      absl::StrCat(v(5), " deleted [pii] -> [] root purge"),
      absl::StrCat(v(6), " created [] -> [] root restore")};
  BoundaryHistory history(g_.store(), g_.tokens(), auditor_);
  ASSERT_OK_AND_ASSIGN(BoundaryEventPage all, history.Read("x", 0, ""));
  EXPECT_EQ(Events(all), want);
  EXPECT_TRUE(all.next_page_token.empty());
  EXPECT_EQ(all.version, v(6));
  // Pages of two, pinned to the first page's version.
  std::vector<std::string> paged;
  std::string token;
  int pages = 0;
  do {
    ASSERT_OK_AND_ASSIGN(BoundaryEventPage page, history.Read("x", 2, token));
    for (const std::string& e : Events(page)) paged.push_back(e);
    token = page.next_page_token;
    if (++pages == 1) ASSERT_OK(writer.Write(root, {Node("x", {"pii"})}, "later"));
  } while (!token.empty());
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(paged, want);
  // Bound to the caller and the node.
  ASSERT_OK_AND_ASSIGN(BoundaryEventPage first, history.Read("x", 1, ""));
  BoundaryHistory other(g_.store(), g_.tokens(), steward_);
  EXPECT_STATUS(other.Read("x", 1, first.next_page_token), absl::StatusCode::kInvalidArgument,
                "page_token: invalid");
}

// A steward sees the node now, but not the changes to or from a boundary
// it is not cleared for (nor who made them, nor why), nor the reason of a
// change it sees that another principal made (the commit may have changed
// more than the steward may see); an auditor cleared for "*" sees all.
TEST_F(BoundaryAdminTest, LabelHistoryHidesPastBoundariesAStewardIsNotClearedFor) {
  const Caller root = MakeCaller("root", {"*"}, {Role::kAdmin, Role::kLoader});
  GraphWriter writer(g_.store());
  ASSERT_OK(writer.Write(root, {Node("x", {"team:finance"})}, "finance only"));  // +1
  ASSERT_OK(writer.Write(root, {Node("x")}, "opened"));                          // +2
  ASSERT_OK(writer.Write(root, {Node("x", {"pii"})}, "pii now"));                // +3
  auto v = [&](uint64_t n) { return base_ + n; };
  ASSERT_OK_AND_ASSIGN(BoundaryEventPage seen,
                       BoundaryHistory(g_.store(), g_.tokens(), steward_).Read("x", 0, ""));
  EXPECT_EQ(Events(seen),
            (std::vector<std::string>{absl::StrCat(v(3), " changed [] -> [pii] root ")}));
  ASSERT_OK_AND_ASSIGN(BoundaryEventPage all,
                       BoundaryHistory(g_.store(), g_.tokens(), auditor_).Read("x", 0, ""));
  EXPECT_EQ(Events(all).size(), 3u);
  EXPECT_EQ(Events(all).back(), absl::StrCat(v(3), " changed [] -> [pii] root pii now"));
}

// One page reads a bounded number of the node's records, however few of
// them are events the caller may see: rewrites that left the boundary alone
// and changes it may not see cost a page, not the whole history.
TEST_F(BoundaryAdminTest, LabelHistoryReadsABoundedNumberOfRecordsPerPage) {
  const Caller root = MakeCaller("root", {"*"}, {Role::kAdmin, Role::kLoader});
  GraphWriter writer(g_.store());
  ASSERT_OK(writer.Write(root, {Node("x", {}, "Document", "a")}, "made"));                // +1
  ASSERT_OK(writer.Write(root, {Node("x", {}, "Document", "b")}, "edit"));                // +2
  ASSERT_OK(writer.Write(root, {Node("x", {}, "Document", "c")}, "edit"));                // +3
  ASSERT_OK(writer.Write(root, {Node("x", {"team:finance"})}, "finance"));                // +4
  ASSERT_OK(writer.Write(root, {Node("x", {"team:finance"}, "Document", "d")}, "edit"));  // +5
  ASSERT_OK(writer.Write(root, {Node("x")}, "opened"));                                   // +6
  ASSERT_OK(writer.Write(root, {Node("x", {"pii"})}, "pii now"));                         // +7
  ASSERT_OK(writer.Write(root, {Node("x", {"pii"}, "Document", "e")}, "edit"));           // +8
  auto v = [&](uint64_t n) { return base_ + n; };
  const std::vector<std::string> expected = {absl::StrCat(v(1), " created [] -> [] root "),
                                             absl::StrCat(v(7), " changed [] -> [pii] root ")};
  ASSERT_OK_AND_ASSIGN(BoundaryEventPage whole,
                       BoundaryHistory(g_.store(), g_.tokens(), steward_).Read("x", 0, ""));
  EXPECT_EQ(Events(whole), expected);
  EXPECT_EQ(whole.next_page_token, "");

  for (const int page_size : {1, 100}) {
    SCOPED_TRACE(page_size);
    const BoundaryHistory capped(g_.store(), g_.tokens(), steward_, /*max_records=*/3);
    std::vector<std::vector<std::string>> pages;
    std::string token;
    do {
      ASSERT_OK_AND_ASSIGN(BoundaryEventPage page, capped.Read("x", page_size, token));
      pages.push_back(Events(page));
      token = page.next_page_token;
    } while (!token.empty() && pages.size() < 10);
    // Records 1-3, 4-6 (two changes it may not see), 7-8.
    EXPECT_EQ(pages, (std::vector<std::vector<std::string>>{{expected[0]}, {}, {expected[1]}}));
  }
}

TEST_F(BoundaryAdminTest, AssignNeverTakesANodeOverTheLabelLimit) {
  Labels full;
  for (size_t i = 0; i <= kMaxLabelsPerNode; ++i) full.push_back(absl::StrFormat("team:l%02d", i));
  g_.DefineLabels(full);
  const Labels over = {full.back()};
  full.pop_back();
  g_.Write({Node("x", full)});
  const Caller steward = MakeCaller("all-steward", {"*"}, {Role::kSteward});
  const uint64_t before = g_.db().LatestVersion();
  EXPECT_STATUS(admin_.AssignLabels(steward, ById({"x"}, over, {}, "one more")),
                absl::StatusCode::kInvalidArgument,
                "add: node \"x\" would carry 65 boundary labels, over the limit of 64");
  EXPECT_EQ(g_.db().LatestVersion(), before);  // nothing written
}

TEST_F(BoundaryAdminTest, LabelHistoryNeedsARoleAndANodeVisibleNow) {
  g_.Write({Node("fin", {"team:finance"}), Node("gone")});
  g_.Write({NodeDelete{"gone"}});
  EXPECT_STATUS(BoundaryHistory(g_.store(), g_.tokens(), agent_).Read("fin", 0, ""),
                absl::StatusCode::kPermissionDenied,
                "LabelHistory requires the auditor or steward or admin role");
  BoundaryHistory history(g_.store(), g_.tokens(), steward_);  // not cleared for team:finance
  const absl::Status hidden = history.Read("fin", 0, "").status();
  EXPECT_STATUS(hidden, absl::StatusCode::kNotFound, "node \"fin\" not found");
  EXPECT_STATUS(history.Read("gone", 0, ""), absl::StatusCode::kNotFound,
                "node \"gone\" not found");
  EXPECT_STATUS(history.Read("nosuch", 0, ""), absl::StatusCode::kNotFound,
                "node \"nosuch\" not found");
  EXPECT_STATUS(history.Read("", 0, ""), absl::StatusCode::kInvalidArgument,
                "node_id: must be 1..256 bytes, got 0");
}

Mutation Derived(std::string from, std::string to) {
  EdgeUpsert m;
  m.edge.from = std::move(from);
  m.edge.label = "DERIVED_FROM";
  m.edge.to = std::move(to);
  return m;
}

SanitizeRequest Sanitize(std::string from, std::string to, Labels add, Labels remove,
                         std::string reason) {
  return SanitizeRequest{std::move(from), std::move(to), std::move(add), std::move(remove),
                         std::move(reason)};
}

// "label<from>" of each inherited label of a read node.
std::vector<std::string> InheritedOf(const NodeRecord& node) {
  std::vector<std::string> out;
  for (const InheritedLabel& l : node.inherited) {
    out.push_back(absl::StrCat(l.label, "<", l.from_id, ">"));
  }
  return out;
}

class PropagationAdminTest : public BoundaryAdminTest {
 protected:
  void SetUp() override {
    BoundaryAdminTest::SetUp();
    ASSERT_OK(admin_.DefineLabel(steward_, Label("secret", "Propagates", true)).status());
    // raw (secret) <- export <- report; "fin" (team:finance) <- fin-derived.
    ASSERT_NE(g_.Write({Node("raw", {"secret"}), Node("export"), Node("report"),
                        Derived("export", "raw"), Derived("report", "export")}),
              0u);
  }
  const Caller cleared_ = MakeCaller("cleared", {"team:eng", "secret"});
};

TEST_F(PropagationAdminTest, AnInheritedLabelHidesTheDerivedNodesExactlyLikeAnOwnLabel) {
  // The agent is not cleared for "secret": the derived nodes do not exist for it.
  for (const char* id : {"raw", "export", "report"}) {
    EXPECT_STATUS(Read(agent_, id), absl::StatusCode::kNotFound,
                  absl::StrCat("node \"", id, "\" not found"));
  }
  ASSERT_OK_AND_ASSIGN(NodeRead report, Read(cleared_, "report"));
  EXPECT_EQ(report.node->boundary, Labels{});
  // Only a caller who sees everything is told where it comes from: for
  // others the origin might be reachable only through a hidden node.
  EXPECT_EQ(InheritedOf(*report.node), Labels{"secret<>"});
  ASSERT_OK_AND_ASSIGN(NodeRead whole, Read(auditor_, "report"));
  EXPECT_EQ(InheritedOf(*whole.node), Labels{"secret<raw>"});
}

TEST_F(PropagationAdminTest, AnOriginTheReaderCannotSeeIsNotNamed) {
  // raw also carries team:finance, which does not propagate: a reader
  // cleared for secret but not team:finance sees report, not raw.
  g_.Write({Node("raw", {"secret", "team:finance"})});
  const Caller no_finance = MakeCaller("nf", {"team:eng", "secret"});
  EXPECT_STATUS(Read(no_finance, "raw"), absl::StatusCode::kNotFound, "node \"raw\" not found");
  ASSERT_OK_AND_ASSIGN(NodeRead report, Read(no_finance, "report"));
  EXPECT_EQ(InheritedOf(*report.node), Labels{"secret<>"});
  ASSERT_OK_AND_ASSIGN(NodeRead seen_by_auditor, Read(auditor_, "report"));
  EXPECT_EQ(InheritedOf(*seen_by_auditor.node), Labels{"secret<raw>"});
}

// Reads share the read cache's records: the origin resolved for a caller
// who sees everything must not reach the next caller through the cache.
TEST_F(PropagationAdminTest, AnOriginNamedToTheAuditorIsNotCachedForOthers) {
  for (int round = 0; round < 2; ++round) {
    ASSERT_OK_AND_ASSIGN(NodeRead seen_by_auditor, Read(auditor_, "report"));
    EXPECT_EQ(InheritedOf(*seen_by_auditor.node), Labels{"secret<raw>"});
    ASSERT_OK_AND_ASSIGN(NodeRead report, Read(cleared_, "report"));
    EXPECT_EQ(InheritedOf(*report.node), Labels{"secret<>"}) << "round " << round;
  }
}

TEST_F(PropagationAdminTest, AssignLabelsOnTheDownstreamClosureSelectsTheNodeAndItsDerivatives) {
  const Caller steward = MakeCaller("steward", {"*"}, {Role::kSteward});
  AssignRequest request = ById({}, {"pii"}, {}, "found pii in the raw dump");
  request.downstream_of = "raw";
  ASSERT_OK_AND_ASSIGN(AssignResult r, admin_.AssignLabels(steward, request));
  EXPECT_EQ(Changes(r), (Labels{"raw: [secret] -> [pii,secret]", "export: [] -> [pii]",
                                "report: [] -> [pii]"}));
  // Hidden from the caller: neither selected nor walked through, and a
  // hidden start is answered like an absent one.
  request.downstream_of = "export";
  request.add = {"team:eng"};
  EXPECT_STATUS(admin_.AssignLabels(steward_, request), absl::StatusCode::kNotFound,
                "downstream_of: node \"export\" not found");
  request.downstream_of = "nowhere";
  EXPECT_STATUS(admin_.AssignLabels(steward_, request), absl::StatusCode::kNotFound,
                "downstream_of: node \"nowhere\" not found");
}

TEST_F(PropagationAdminTest, AssignLabelsDownstreamStopsAtAHiddenNodeInTheMiddle) {
  // top <- mid (team:finance, hidden from the steward) <- beyond: beyond is
  // derived from top only through mid, so for this steward it is not.
  ASSERT_NE(g_.Write({Node("top", {"team:eng"}), Node("mid", {"team:finance"}),
                      Node("beyond", {"team:eng"}), Node("beside", {"team:eng"}),
                      Derived("mid", "top"), Derived("beyond", "mid"), Derived("beside", "top")}),
            0u);
  AssignRequest request = ById({}, {"pii"}, {}, "the top dump holds pii");
  request.downstream_of = "top";
  ASSERT_OK_AND_ASSIGN(AssignResult r, admin_.AssignLabels(steward_, request));
  EXPECT_EQ(Changes(r),
            (Labels{"top: [team:eng] -> [pii,team:eng]", "beside: [team:eng] -> [pii,team:eng]"}));
  EXPECT_TRUE(r.unchanged.empty());
  ASSERT_OK_AND_ASSIGN(NodeRead beyond, Read(auditor_, "beyond"));
  EXPECT_EQ(beyond.node->boundary, (Labels{"team:eng"}));
  ASSERT_OK_AND_ASSIGN(NodeRead mid, Read(auditor_, "mid"));
  EXPECT_EQ(mid.node->boundary, (Labels{"team:finance"}));
}

TEST_F(PropagationAdminTest, SanitizeEdgeStopsALabelIsAuditedAndHidesHiddenEdges) {
  const Caller steward = MakeCaller("steward", {"*"}, {Role::kSteward});
  const uint64_t seq = g_.audit().head_seq();
  ASSERT_OK_AND_ASSIGN(
      SanitizeResult r,
      admin_.SanitizeEdge(steward, Sanitize("export", "raw", {"secret"}, {}, "anonymised")));
  EXPECT_TRUE(r.committed);
  EXPECT_EQ(r.before, Labels{});
  EXPECT_EQ(r.after, Labels{"secret"});
  ASSERT_OK_AND_ASSIGN(NodeRead report, Read(agent_, "report"));
  EXPECT_EQ(report.node->inherited.size(), 0u);
  EXPECT_EQ(
      EntriesAfter(seq),
      (Labels{absl::StrCat("label.sanitize.edge|steward|from=export to=raw before=[] "
                           "after=[secret] reason=anonymised|export@",
                           r.version, ";"),
              absl::StrCat("label.propagate.node|steward|added=[] removed=[secret<raw>]|export@",
                           r.version, ";"),
              absl::StrCat("label.propagate.node|steward|added=[] removed=[secret<raw>]|report@",
                           r.version, ";")}));
  // The same again changes nothing and commits nothing.
  ASSERT_OK_AND_ASSIGN(
      SanitizeResult again,
      admin_.SanitizeEdge(steward, Sanitize("export", "raw", {"secret"}, {}, "x")));
  EXPECT_FALSE(again.committed);

  // A caller not cleared for an endpoint gets the bytes of an absent edge.
  g_.Write({Node("fin", {"team:finance"}), Derived("report", "fin")});
  EXPECT_STATUS(admin_.SanitizeEdge(steward_, Sanitize("report", "fin", {"pii"}, {}, "r")),
                absl::StatusCode::kNotFound, "edge \"report\" -DERIVED_FROM-> \"fin\" not found");
  EXPECT_STATUS(admin_.SanitizeEdge(steward_, Sanitize("report", "nope", {"pii"}, {}, "r")),
                absl::StatusCode::kNotFound, "edge \"report\" -DERIVED_FROM-> \"nope\" not found");
  EXPECT_STATUS(admin_.SanitizeEdge(agent_, Sanitize("export", "raw", {"pii"}, {}, "r")),
                absl::StatusCode::kPermissionDenied,
                "SanitizeEdge requires the steward or admin role");
  EXPECT_STATUS(admin_.SanitizeEdge(steward_, Sanitize("export", "raw", {"team:finance"}, {}, "r")),
                absl::StatusCode::kPermissionDenied, "add: not cleared for label \"team:finance\"");
  EXPECT_STATUS(admin_.SanitizeEdge(steward, Sanitize("export", "raw", {"secret"}, {}, "")),
                absl::StatusCode::kInvalidArgument, "reason: required");
}

}  // namespace
}  // namespace ctxgraph

namespace ctxgraph {
namespace {

TEST_F(PropagationAdminTest, LabelHistoryShowsInheritedChangesApartFromOwnOnes) {
  const Caller steward = MakeCaller("steward", {"*"}, {Role::kSteward});
  ASSERT_OK_AND_ASSIGN(
      SanitizeResult r,
      admin_.SanitizeEdge(steward, Sanitize("export", "raw", {"secret"}, {}, "anonymised")));
  BoundaryHistory history(g_.store(), g_.tokens(), auditor_);
  ASSERT_OK_AND_ASSIGN(BoundaryEventPage page, history.Read("report", 0, ""));
  std::vector<std::string> events;
  for (const BoundaryEvent& e : page.events) {
    events.push_back(absl::StrCat(e.version, " [", absl::StrJoin(e.before, ","), "] -> [",
                                  absl::StrJoin(e.after, ","), "] inherited [",
                                  absl::StrJoin(e.inherited_before, ","), "] -> [",
                                  absl::StrJoin(e.inherited_after, ","), "] ", e.reason));
  }
  EXPECT_EQ(events,
            (Labels{absl::StrCat(base_ + 2, " [] -> [] inherited [] -> [secret] test"),
                    absl::StrCat(r.version, " [] -> [] inherited [secret] -> [] anonymised")}));
}

}  // namespace
}  // namespace ctxgraph
