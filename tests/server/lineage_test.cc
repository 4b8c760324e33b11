// LineageService over gRPC: answers, status codes, roles, audit entries, and
// hidden nodes: no byte of them for an agent, opaque stubs for an auditor
// that stay the same across calls and restarts.
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "ctxgraph/v1/audit.grpc.pb.h"
#include "ctxgraph/v1/lineage.grpc.pb.h"
#include "server/node_wire_cache.h"
#include "tests/server/server_test_fixture.h"

namespace ctxgraph::server {
namespace {

class LineageTest : public ServerTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(ServerTest::SetUp());
    ConnectAndWrite();
  }

  // (Re)creates the stubs and, on a fresh database, the principals and the
  // graph: report <- summary <- export, with summary hidden (pii) and a
  // visible side chain report <- draft.
  void ConnectAndWrite() {
    lineage_ = v1::LineageService::NewStub(channel_);
    audit_ = v1::AuditService::NewStub(channel_);
    v1::GetNodeResponse existing;
    if (GetNode(admin_token_, "report", &existing).ok()) return;  // restarted: data kept
    agent_ = CreatePrincipal("agent", {v1::ROLE_AGENT}, {"team:eng"});
    auditor_ = CreatePrincipal("auditor", {v1::ROLE_AUDITOR}, {"team:eng"});
    loader_ = CreatePrincipal("loader", {v1::ROLE_LOADER}, {"*"});
    DefineLabels({"team:eng", "pii"});
    version_ = AdminWrite({
        UpsertNode(MakeNode("report", {"team:eng"}, "Doc", {{"title", Str("Q3 report")}})),
        UpsertNode(
            MakeNode("summary-canary", {"pii"}, "Doc", {{"title", Str("canary merger summary")}})),
        UpsertNode(MakeNode("export", {}, "Dataset", {{"title", Str("crm export")}})),
        UpsertNode(MakeNode("draft", {}, "Doc")),
        UpsertEdge("report", "DERIVED_FROM", "summary-canary"),
        UpsertEdge("summary-canary", "DERIVED_FROM", "export"),
        UpsertEdge("report", "DERIVED_FROM", "draft"),
    });
    ASSERT_NE(version_, 0u);
  }

  grpc::Status Upstream(const std::string& token, const v1::LineageRequest& request,
                        v1::LineageResponse* response) {
    return Call(lineage_.get(), &v1::LineageService::Stub::Upstream, token, request, response);
  }
  grpc::Status Downstream(const std::string& token, const v1::LineageRequest& request,
                          v1::LineageResponse* response) {
    return Call(lineage_.get(), &v1::LineageService::Stub::Downstream, token, request, response);
  }
  grpc::Status Path(const std::string& token, const v1::LineagePathRequest& request,
                    v1::LineagePathResponse* response) {
    return Call(lineage_.get(), &v1::LineageService::Stub::Path, token, request, response);
  }
  static v1::LineageRequest Request(const std::string& id) {
    v1::LineageRequest request;
    request.set_node_id(id);
    return request;
  }
  static v1::LineagePathRequest Between(const std::string& from, const std::string& to) {
    v1::LineagePathRequest request;
    request.set_from(from);
    request.set_to(to);
    return request;
  }
  static std::vector<std::string> Ids(const v1::LineageResponse& response) {
    std::vector<std::string> ids;
    for (const v1::LineageNode& n : response.nodes()) ids.push_back(n.node().id());
    return ids;
  }
  // The audit entries as the admin lists them, filtered by action.
  std::vector<v1::AuditEntry> Entries(const std::string& action) {
    v1::ListEntriesRequest request;
    request.set_action(action);
    request.set_page_size(1000);
    v1::ListEntriesResponse response;
    EXPECT_OK(
        Call(audit_.get(), &v1::AuditService::Stub::ListEntries, admin_token_, request, &response));
    return {response.entries().begin(), response.entries().end()};
  }

  std::unique_ptr<v1::LineageService::Stub> lineage_;
  std::unique_ptr<v1::AuditService::Stub> audit_;
  std::string agent_, auditor_, loader_;
  uint64_t version_ = 0;
};

TEST_F(LineageTest, UpstreamAndDownstreamAnswerTheVisibleLineage) {
  v1::LineageResponse up;
  ASSERT_OK(Upstream(agent_, Request("report"), &up));
  EXPECT_EQ(Ids(up), (std::vector<std::string>{"report", "draft"}));
  EXPECT_EQ(up.nodes(1).depth(), 1);
  EXPECT_EQ(up.nodes(1).layer(), 1);
  EXPECT_FALSE(up.nodes(1).redacted());
  EXPECT_EQ(up.nodes(0).node().provenance().version(), version_);
  EXPECT_EQ(up.nodes(0).node().props().at("title").string_value(), "Q3 report");
  EXPECT_EQ(up.nodes(0).node().boundary(0), "team:eng");
  ASSERT_EQ(up.edges_size(), 1);
  EXPECT_EQ(up.edges(0).from(), "report");
  EXPECT_EQ(up.edges(0).label(), "DERIVED_FROM");
  EXPECT_EQ(up.edges(0).to(), "draft");
  EXPECT_EQ(up.edges(0).provenance().version(), version_);
  EXPECT_FALSE(up.truncated());
  EXPECT_FALSE(up.depth_limited());
  EXPECT_EQ(up.cycles_size(), 0);
  EXPECT_EQ(up.snapshot_version(), version_);
  // Seqs count every principal's entries, hidden nodes' included: only a
  // caller cleared for "*" is told its entry's.
  EXPECT_EQ(up.audit_seq(), 0u);
  v1::LineageResponse admins;
  ASSERT_OK(Upstream(admin_token_, Request("report"), &admins));
  const std::vector<v1::AuditEntry> entries = Entries(kLineageUpstreamAction);
  ASSERT_FALSE(entries.empty());
  EXPECT_EQ(admins.audit_seq(), entries.back().seq());

  v1::LineageResponse down;
  ASSERT_OK(Downstream(agent_, Request("draft"), &down));
  EXPECT_EQ(Ids(down), (std::vector<std::string>{"draft", "report"}));
  v1::LineageRequest shallow = Request("export");
  shallow.set_max_depth(1);
  ASSERT_OK(Downstream(admin_token_, shallow, &down));
  EXPECT_EQ(Ids(down), (std::vector<std::string>{"export", "summary-canary"}));
  EXPECT_TRUE(down.depth_limited());
}

// Concurrent audited calls are served beside each other (one inline, the
// rest on the server's audited-read pool): each gets the whole answer and
// an audit entry of its own.
TEST_F(LineageTest, ConcurrentCallsEachGetTheWholeAnswerAndTheirOwnEntry) {
  constexpr int kThreads = 8, kCalls = 10;
  const size_t entries_before = Entries(kLineageUpstreamAction).size();
  std::vector<std::vector<std::string>> failures(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kCalls; ++i) {
        v1::LineageResponse up;
        const grpc::Status s = Upstream(agent_, Request("report"), &up);
        if (!s.ok() || Ids(up) != std::vector<std::string>{"report", "draft"}) {
          failures[t].push_back(s.error_message() + " / " + up.ShortDebugString());
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(failures[t], std::vector<std::string>{}) << "thread " << t;
  }
  const std::vector<v1::AuditEntry> entries = Entries(kLineageUpstreamAction);
  ASSERT_EQ(entries.size(), entries_before + kThreads * kCalls);
  for (size_t i = entries_before; i < entries.size(); ++i) {
    EXPECT_EQ(entries[i].principal(), "agent");
    EXPECT_EQ(entries[i].items_size(), 2);
  }
}

TEST_F(LineageTest, AnAgentsResponsesHoldNoByteOfTheHiddenNode) {
  v1::LineageResponse up, down;
  ASSERT_OK(Upstream(agent_, Request("report"), &up));
  ASSERT_OK(Downstream(agent_, Request("export"), &down));
  EXPECT_EQ(Ids(down), std::vector<std::string>{"export"});
  v1::LineagePathResponse path;
  const grpc::Status through = Path(agent_, Between("report", "export"), &path);
  EXPECT_STATUS(through, absl::StatusCode::kNotFound,
                "no lineage path between \"report\" and \"export\" within depth 10");
  for (const std::string& bytes :
       {up.SerializeAsString(), down.SerializeAsString(), Transcript(through, path)}) {
    for (const char* canary : {"canary", "summary", "pii", "merger", "redacted"}) {
      EXPECT_EQ(bytes.find(canary), std::string::npos) << canary;
    }
  }
  // Nor do the agent's audit entries.
  for (const char* action : {"lineage.upstream", "lineage.downstream", "lineage.path"}) {
    for (const v1::AuditEntry& e : Entries(action)) {
      EXPECT_EQ(e.SerializeAsString().find("canary"), std::string::npos) << e.summary();
    }
  }
}

TEST_F(LineageTest, AHiddenStartIsByteIdenticalToAnAbsentOne) {
  v1::LineageResponse response;
  const std::string absent = Transcript(Upstream(agent_, Request("secret"), &response), response);
  EXPECT_EQ(absent, Transcript(grpc::Status(grpc::StatusCode::NOT_FOUND,
                                            "node_id: node \"secret\" not found"),
                               v1::LineageResponse()));
  v1::LineagePathResponse path;
  const std::string absent_path =
      Transcript(Path(auditor_, Between("report", "secret"), &path), path);
  AdminWrite(
      {UpsertNode(MakeNode("secret", {"pii"})), UpsertEdge("secret", "DERIVED_FROM", "draft")});
  response.Clear();
  EXPECT_EQ(Transcript(Upstream(agent_, Request("secret"), &response), response), absent);
  response.Clear();
  // An auditor cannot name a hidden node either.
  EXPECT_EQ(Transcript(Upstream(auditor_, Request("secret"), &response), response), absent);
  path.Clear();
  EXPECT_EQ(Transcript(Path(auditor_, Between("report", "secret"), &path), path), absent_path);
}

TEST_F(LineageTest, TheIdsViewAnswersTheSameWalkWithIdsOnly) {
  v1::LineageResponse full, ids;
  ASSERT_OK(Upstream(auditor_, Request("report"), &full));
  v1::LineageRequest request = Request("report");
  request.set_view(v1::LINEAGE_VIEW_IDS);
  ASSERT_OK(Upstream(auditor_, request, &ids));
  // The full answer with every node cut to its id and every edge to its
  // ends and label, byte for byte (stubs and the audit seq aside).
  v1::LineageResponse want = full;
  for (v1::LineageNode& n : *want.mutable_nodes()) {
    const std::string id = n.node().id();
    n.mutable_node()->Clear();
    n.mutable_node()->set_id(id);
  }
  for (v1::Edge& e : *want.mutable_edges()) {
    e.clear_props();
    e.clear_provenance();
  }
  EXPECT_EQ(ids.SerializeAsString(), want.SerializeAsString());
  EXPECT_EQ(ids.audit_seq(), 0u);  // not cleared for "*"
  // And recorded the same way: the same (id, version) items.
  const std::vector<v1::AuditEntry> entries = Entries(kLineageUpstreamAction);
  ASSERT_GE(entries.size(), 2u);
  const v1::AuditEntry& full_entry = entries[entries.size() - 2];
  const v1::AuditEntry& ids_entry = entries.back();  // audited like any call
  EXPECT_EQ(ids_entry.items_digest(), full_entry.items_digest());
  ASSERT_EQ(ids_entry.items_size(), 4);
  EXPECT_NE(ids_entry.items(0).version(), 0u);
  EXPECT_EQ(Ids(ids),
            (std::vector<std::string>{"report", "draft", ids.nodes(2).node().id(), "export"}));
}

// Whole nodes and edges come from the caches of encoded records
// (node_wire_cache.h, edge_wire_cache.h): a second walk copies what the
// first encoded, and answers the same.
TEST_F(LineageTest, AWholeNodeWalkAnswersTheSameFromEncodedRecords) {
  v1::LineageResponse first, second;
  ASSERT_OK(Upstream(auditor_, Request("report"), &first));
  const NodeWireCache::Stats before = server_->backend().wire_nodes.stats();
  const EdgeWireCache::Stats edges_before = server_->backend().wire_edges.stats();
  ASSERT_OK(Upstream(auditor_, Request("report"), &second));
  const NodeWireCache::Stats after = server_->backend().wire_nodes.stats();
  const EdgeWireCache::Stats edges_after = server_->backend().wire_edges.stats();
  // report, draft and export; the stub is never encoded from a record.
  EXPECT_EQ(after.hits - before.hits, 3u);
  EXPECT_EQ(after.misses, before.misses);
  // report -> draft; the two edges touching the stub are written bare.
  EXPECT_EQ(edges_after.hits - edges_before.hits, 1u);
  EXPECT_EQ(edges_after.misses, edges_before.misses);
  EXPECT_EQ(first.audit_seq(), 0u);  // not cleared for "*"
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(second, first))
      << second.DebugString();
  ASSERT_EQ(second.nodes_size(), 4);
  EXPECT_EQ(second.nodes(0).node().props().at("title").string_value(), "Q3 report");
  EXPECT_EQ(second.nodes(0).node().provenance().version(), version_);
  EXPECT_TRUE(second.nodes(2).redacted());
  EXPECT_EQ(second.nodes(2).node().props_size(), 0);
}

TEST_F(LineageTest, AnAuditorGetsAnOpaqueStubThatIsStableAcrossCallsAndRestarts) {
  v1::LineageResponse up;
  ASSERT_OK(Upstream(auditor_, Request("report"), &up));
  ASSERT_EQ(up.nodes_size(), 4);
  // report (layer 0), then draft and the stub (layer 1, by id), then export.
  EXPECT_EQ(up.nodes(1).node().id(), "draft");
  const v1::LineageNode& stub = up.nodes(2);
  EXPECT_TRUE(stub.redacted());
  EXPECT_EQ(stub.depth(), 1);
  EXPECT_TRUE(std::regex_match(stub.node().id(), std::regex("redacted:[0-9a-f]{32}")));
  v1::LineageNode only_id;
  only_id.mutable_node()->set_id(stub.node().id());
  only_id.set_redacted(true);
  only_id.set_depth(1);
  only_id.set_layer(1);
  EXPECT_EQ(stub.SerializeAsString(), only_id.SerializeAsString());
  EXPECT_EQ(up.nodes(3).node().id(), "export");
  EXPECT_EQ(up.nodes(3).depth(), 2);
  EXPECT_EQ(up.nodes(3).node().props().at("title").string_value(), "crm export");
  // Edges touching the stub: ends and label only.
  int stub_edges = 0;
  for (const v1::Edge& e : up.edges()) {
    if (e.from() != stub.node().id() && e.to() != stub.node().id()) continue;
    ++stub_edges;
    EXPECT_FALSE(e.has_provenance());
    EXPECT_EQ(e.props_size(), 0);
  }
  EXPECT_EQ(stub_edges, 2);
  for (const char* canary : {"canary", "summary", "pii", "merger"}) {
    EXPECT_EQ(up.SerializeAsString().find(canary), std::string::npos) << canary;
  }

  v1::LineagePathResponse path;
  ASSERT_OK(Path(auditor_, Between("report", "export"), &path));
  EXPECT_EQ(path.direction(), v1::LINEAGE_DIRECTION_UPSTREAM);
  ASSERT_EQ(path.nodes_size(), 3);
  EXPECT_EQ(path.nodes(1).node().id(), stub.node().id());
  only_id.set_layer(1);  // a path's layer is the position
  EXPECT_EQ(path.nodes(1).SerializeAsString(), only_id.SerializeAsString());
  ASSERT_EQ(path.edges_size(), 2);
  for (const v1::Edge& e : path.edges()) {  // both touch the stub
    EXPECT_FALSE(e.has_provenance());
    EXPECT_EQ(e.props_size(), 0);
  }
  for (const char* canary : {"canary", "summary", "pii", "merger"}) {
    EXPECT_EQ(path.SerializeAsString().find(canary), std::string::npos) << canary;
  }

  const std::string opaque = stub.node().id();
  StopServer();
  StartServer();
  ConnectAndWrite();
  ASSERT_OK(Upstream(auditor_, Request("report"), &up));
  EXPECT_EQ(up.nodes(2).node().id(), opaque);

  // A new database with the same data names the stub differently.
  ResetServer();
  ConnectAndWrite();
  ASSERT_OK(Upstream(auditor_, Request("report"), &up));
  ASSERT_EQ(up.nodes_size(), 4);
  EXPECT_TRUE(up.nodes(2).redacted() || up.nodes(1).redacted());
  EXPECT_NE(up.nodes(1).node().id(), opaque);
  EXPECT_NE(up.nodes(2).node().id(), opaque);
}

TEST_F(LineageTest, EveryCallIsAnAuditEntryStubsByOpaqueIdOnly) {
  v1::LineageResponse up;
  ASSERT_OK(Upstream(auditor_, Request("report"), &up));
  std::vector<v1::AuditEntry> entries = Entries("lineage.upstream");
  ASSERT_EQ(entries.size(), 1u);
  const v1::AuditEntry& e = entries[0];
  EXPECT_EQ(up.audit_seq(), 0u);  // not cleared for "*"
  EXPECT_EQ(e.principal(), "auditor");
  EXPECT_EQ(e.snapshot_version(), version_);
  ASSERT_EQ(e.items_size(), 4);
  EXPECT_EQ(e.items(0).node_id(), "report");
  EXPECT_EQ(e.items(0).version(), version_);
  EXPECT_EQ(e.items(2).node_id(), up.nodes(2).node().id());
  EXPECT_EQ(e.items(2).version(), 0u);
  EXPECT_EQ(e.SerializeAsString().find("canary"), std::string::npos);

  // NOT_FOUND answers are entries too; invalid requests are not.
  v1::LineageResponse ignored;
  EXPECT_STATUS(Downstream(agent_, Request("nope"), &ignored), absl::StatusCode::kNotFound,
                "node_id: node \"nope\" not found");
  v1::LineageRequest bad = Request("report");
  bad.set_max_depth(0);
  EXPECT_STATUS(Downstream(agent_, bad, &ignored), absl::StatusCode::kInvalidArgument,
                "max_depth: must be 1..100, got 0");
  entries = Entries("lineage.downstream");
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].principal(), "agent");
  EXPECT_EQ(entries[0].items_size(), 0);

  v1::LineagePathResponse path;
  ASSERT_OK(Path(agent_, Between("report", "draft"), &path));
  entries = Entries("lineage.path");
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(path.audit_seq(), 0u);
  EXPECT_EQ(entries[0].items_size(), 2);

  // The node filter finds lineage entries like any other. The entries name
  // the hidden node whole (the write's edge items), so an auditor cleared
  // only for team:eng, which walked through it as a stub, may not read
  // them, nor the access report built from them; the admin (cleared for
  // "*") may.
  v1::ListEntriesRequest by_node;
  by_node.set_node_id("draft");
  v1::ListEntriesResponse listed;
  EXPECT_STATUS(
      Call(audit_.get(), &v1::AuditService::Stub::ListEntries, auditor_, by_node, &listed),
      absl::StatusCode::kPermissionDenied,
      "ListEntries requires clearance \"*\": audit entries name every node whole");
  EXPECT_EQ(listed.entries_size(), 0);
  ASSERT_OK(
      Call(audit_.get(), &v1::AuditService::Stub::ListEntries, admin_token_, by_node, &listed));
  int lineage_entries = 0;
  for (const v1::AuditEntry& entry : listed.entries()) {
    lineage_entries += entry.action().rfind("lineage.", 0) == 0 ? 1 : 0;
  }
  EXPECT_EQ(lineage_entries, 2);

  // The access report reads the lineage entries of a principal.
  v1::AccessReportRequest report_request;
  report_request.set_principal("agent");
  v1::AccessReportResponse report;
  EXPECT_STATUS(
      Call(audit_.get(), &v1::AuditService::Stub::AccessReport, auditor_, report_request, &report),
      absl::StatusCode::kPermissionDenied,
      "AccessReport requires clearance \"*\": audit entries name every node whole");
  ASSERT_OK(Call(audit_.get(), &v1::AuditService::Stub::AccessReport, admin_token_, report_request,
                 &report));
  EXPECT_EQ(report.entries_examined(), 2u);  // the NOT_FOUND downstream and the path
  EXPECT_EQ(report.items_examined(), 2u);
  EXPECT_EQ(report.items_missing(), 0u);
}

TEST_F(LineageTest, StatusCodesAndRoles) {
  v1::LineageResponse response;
  EXPECT_STATUS(Upstream("", Request("report"), &response), absl::StatusCode::kUnauthenticated,
                kUnauthenticated);
  EXPECT_STATUS(Upstream(loader_, Request("report"), &response),
                absl::StatusCode::kPermissionDenied,
                "Upstream requires the agent or auditor or steward or admin role");
  v1::LineagePathResponse path;
  EXPECT_STATUS(Path(loader_, Between("report", "draft"), &path),
                absl::StatusCode::kPermissionDenied,
                "Path requires the agent or auditor or steward or admin role");
  EXPECT_STATUS(Upstream(agent_, Request(""), &response), absl::StatusCode::kInvalidArgument,
                "node_id: must be 1..256 bytes, got 0");
  v1::LineageRequest deep = Request("report");
  deep.set_max_depth(101);
  EXPECT_STATUS(Upstream(agent_, deep, &response), absl::StatusCode::kInvalidArgument,
                "max_depth: must be 1..100, got 101");
  v1::LineageRequest labels = Request("report");
  labels.add_edge_labels("bad label");
  EXPECT_STATUS(Upstream(agent_, labels, &response), absl::StatusCode::kInvalidArgument,
                "edge_labels[0]: \"bad label\" has a character outside [A-Za-z0-9_]");
  v1::LineageRequest future = Request("report");
  future.set_as_of_version(version_ + 5);
  EXPECT_STATUS(
      Upstream(agent_, future, &response), absl::StatusCode::kInvalidArgument,
      absl::StrCat("as_of_version: ", version_ + 5, " is ahead of the latest version ", version_));
  EXPECT_STATUS(Path(agent_, Between("report", "report"), &path),
                absl::StatusCode::kInvalidArgument, "to: same node as from");
  EXPECT_STATUS(Path(agent_, Between("draft", "export"), &path), absl::StatusCode::kNotFound,
                "no lineage path between \"draft\" and \"export\" within depth 10");
  const std::string steward = CreatePrincipal("steward", {v1::ROLE_STEWARD}, {});
  ASSERT_OK(Downstream(steward, Request("draft"), &response));
  EXPECT_EQ(Ids(response), std::vector<std::string>{"draft"});  // report is team:eng
}

TEST_F(LineageTest, AsOfReadsAnOlderSnapshot) {
  AdminWrite({UpsertNode(MakeNode("v2", {}, "Doc")), UpsertEdge("draft", "DERIVED_FROM", "v2")});
  AdminWrite({DeleteNode("draft")});
  v1::LineageResponse now, then;
  ASSERT_OK(Upstream(agent_, Request("report"), &now));
  EXPECT_EQ(Ids(now), std::vector<std::string>{"report"});
  v1::LineageRequest old = Request("report");
  old.set_as_of_version(version_ + 1);
  ASSERT_OK(Upstream(agent_, old, &then));
  EXPECT_EQ(Ids(then), (std::vector<std::string>{"report", "draft", "v2"}));
  EXPECT_EQ(then.snapshot_version(), version_ + 1);
}

}  // namespace
}  // namespace ctxgraph::server
