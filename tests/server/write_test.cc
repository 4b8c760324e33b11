// Writes through the API: versions and as_of reads, no-op rewrites, commit
// records, atomic batches that fail on their third op, and the writer's own
// clearances.
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "tests/server/server_test_fixture.h"

namespace ctxgraph::server {
namespace {

using ::google::protobuf::util::MessageDifferencer;

class WriteTest : public ServerTest {};

TEST_F(WriteTest, NonWriterIsRefusedBeforeItsRequestIsDecoded) {
  const std::string agent = CreatePrincipal("agent", {v1::ROLE_AGENT}, {"*"});
  v1::WriteOp op;
  op.mutable_upsert_node()->set_id("n");
  (*op.mutable_upsert_node()->mutable_props())["bad"];  // a value with no kind set
  v1::WriteResponse response;
  EXPECT_STATUS(Write(agent, {op}, &response), absl::StatusCode::kPermissionDenied,
                "Write requires the loader or admin role");
}

TEST_F(WriteTest, VersionsAreReadableAsOfEachCommit) {
  v1::WriteResponse w1, w2, w3;
  ASSERT_OK(Write(admin_token_,
                  {UpsertNode(MakeNode("n", {}, "Doc", {{"title", Str("one")}, {"n", Int(1)}}))},
                  &w1, "v1"));
  ASSERT_OK(Write(admin_token_,
                  {UpsertNode(MakeNode("n", {}, "Doc", {{"title", Str("two")}, {"n", Int(2)}}))},
                  &w2, "v2"));
  ASSERT_OK(Write(admin_token_, {DeleteNode("n")}, &w3, "v3"));
  ASSERT_TRUE(w1.committed() && w2.committed() && w3.committed());
  EXPECT_EQ(w2.version(), w1.version() + 1);
  EXPECT_EQ(w3.version(), w2.version() + 1);
  EXPECT_EQ(w1.nodes_written(), 1u);
  EXPECT_EQ(w2.nodes_written(), 1u);
  EXPECT_EQ(w3.deleted(), 1u);

  v1::GetNodeResponse r;
  ASSERT_OK(GetNode(admin_token_, "n", &r, w1.version()));
  EXPECT_EQ(r.snapshot_version(), w1.version());
  EXPECT_EQ(r.node().props().at("title").string_value(), "one");
  EXPECT_EQ(r.node().props().at("n").int_value(), 1);
  EXPECT_EQ(r.node().props_size(), 2);
  EXPECT_EQ(r.node().provenance().version(), w1.version());
  EXPECT_EQ(r.node().provenance().writer(), "admin");
  EXPECT_EQ(r.node().provenance().content_hash().size(), 64u);
  const std::string hash1 = r.node().provenance().content_hash();

  ASSERT_OK(GetNode(admin_token_, "n", &r, w2.version()));
  EXPECT_EQ(r.snapshot_version(), w2.version());
  EXPECT_EQ(r.node().props().at("title").string_value(), "two");
  EXPECT_EQ(r.node().props().at("n").int_value(), 2);
  EXPECT_EQ(r.node().provenance().version(), w2.version());
  EXPECT_NE(r.node().provenance().content_hash(), hash1);

  EXPECT_STATUS(GetNode(admin_token_, "n", &r, w3.version()), absl::StatusCode::kNotFound,
                "node \"n\" not found");
  EXPECT_STATUS(GetNode(admin_token_, "n", &r), absl::StatusCode::kNotFound,
                "node \"n\" not found");
  EXPECT_STATUS(GetNode(admin_token_, "n", &r, w1.version() - 1), absl::StatusCode::kNotFound,
                "node \"n\" not found");

  // ListNodes as of each version.
  EXPECT_EQ(AllNodePages(admin_token_, "Doc", 10, w1.version()),
            (std::vector<std::vector<std::string>>{{"n"}}));
  EXPECT_EQ(AllNodePages(admin_token_, "Doc", 10, w3.version()),
            (std::vector<std::vector<std::string>>{{}}));

  // Ahead of the latest version: INVALID_ARGUMENT on every read path.
  const uint64_t ahead = w3.version() + 1;
  const std::string ahead_message =
      absl::StrCat("as_of_version: ", ahead, " is ahead of the latest version ", w3.version());
  EXPECT_STATUS(GetNode(admin_token_, "n", &r, ahead), absl::StatusCode::kInvalidArgument,
                ahead_message);
  v1::ListNodesRequest list;
  list.set_label("Doc");
  list.set_as_of_version(ahead);
  v1::ListNodesResponse nodes;
  EXPECT_STATUS(ListNodes(admin_token_, list, &nodes), absl::StatusCode::kInvalidArgument,
                ahead_message);
  v1::ListNeighborsRequest neighbors;
  neighbors.set_id("n");
  neighbors.set_as_of_version(ahead);
  v1::ListNeighborsResponse nr;
  EXPECT_STATUS(ListNeighbors(admin_token_, neighbors, &nr), absl::StatusCode::kInvalidArgument,
                ahead_message);
  EXPECT_STATUS(GetNode(admin_token_, "n", &r, ~uint64_t{0}), absl::StatusCode::kInvalidArgument,
                absl::StrCat("as_of_version: ", ~uint64_t{0}, " is ahead of the latest version ",
                             w3.version()));
}

TEST_F(WriteTest, DeleteNodeCascadesEdgesAndCountsThem) {
  AdminWrite({UpsertNode(MakeNode("a")), UpsertNode(MakeNode("b")), UpsertNode(MakeNode("c")),
              UpsertEdge("a", "e", "b"), UpsertEdge("c", "e", "a"), UpsertEdge("a", "self", "a")});
  v1::WriteResponse w;
  ASSERT_OK(Write(admin_token_, {DeleteNode("a")}, &w));
  EXPECT_EQ(w.deleted(), 4u);  // the node and its three edges (a self-loop once)
  v1::ListNeighborsRequest request;
  request.set_id("b");
  request.set_direction(v1::DIRECTION_BOTH);
  v1::ListNeighborsResponse response;
  ASSERT_OK(ListNeighbors(admin_token_, request, &response));
  EXPECT_EQ(response.neighbors_size(), 0);
  // Deleting it again is a no-op that commits nothing.
  ASSERT_OK(Write(admin_token_, {DeleteNode("a")}, &w));
  EXPECT_FALSE(w.committed());
  EXPECT_EQ(w.unchanged(), 1u);
}

TEST_F(WriteTest, RewritingIdenticalContentCommitsNothing) {
  DefineLabels({"pii"});
  v1::Node node = MakeNode("n", {"pii"}, "Doc", {{"k", Str("v")}});
  node.mutable_source()->set_system("crm");
  node.mutable_source()->set_uri("crm://1");
  node.mutable_source()->set_authority(v1::AUTHORITY_IMPORTED);
  v1::WriteResponse first;
  ASSERT_OK(Write(admin_token_,
                  {UpsertNode(node), UpsertNode(MakeNode("m")), UpsertEdge("n", "e", "m")},
                  &first));
  ASSERT_TRUE(first.committed());
  EXPECT_EQ(first.nodes_written(), 2u);
  EXPECT_EQ(first.edges_written(), 1u);

  // Provenance on input is ignored; labels and boundary are sets.
  v1::Node again = node;
  again.mutable_provenance()->set_version(12345);
  again.mutable_provenance()->set_writer("mallory");
  again.add_boundary("pii");
  again.add_labels("Doc");
  v1::WriteResponse second;
  ASSERT_OK(Write(admin_token_,
                  {UpsertNode(again), UpsertNode(MakeNode("m")), UpsertEdge("n", "e", "m")},
                  &second, "nothing new"));
  EXPECT_FALSE(second.committed());
  EXPECT_EQ(second.version(), first.version());
  EXPECT_EQ(second.unchanged(), 3u);
  EXPECT_EQ(second.nodes_written(), 0u);
  EXPECT_EQ(second.edges_written(), 0u);
  EXPECT_EQ(LatestVersion(), first.version());
  v1::GetCommitResponse commit;
  EXPECT_STATUS(GetCommit(admin_token_, first.version() + 1, &commit), absl::StatusCode::kNotFound,
                absl::StrCat("commit ", first.version() + 1, " not found"));

  v1::GetNodeResponse r;
  ASSERT_OK(GetNode(admin_token_, "n", &r));
  EXPECT_EQ(r.node().provenance().version(), first.version());
  EXPECT_EQ(r.node().provenance().writer(), "admin");

  // A changed source alone is a change.
  again.mutable_source()->set_uri("crm://2");
  ASSERT_OK(Write(admin_token_, {UpsertNode(again)}, &second));
  EXPECT_TRUE(second.committed());
  EXPECT_EQ(second.version(), first.version() + 1);
}

TEST_F(WriteTest, NodeRoundTripsExactly) {
  DefineLabels({"team:eng", "pii"});
  v1::Node node = MakeNode("n", {"team:eng", "pii"}, "Doc");
  node.add_labels("Message");
  auto& props = *node.mutable_props();
  props["s"] = Str("héllo");
  props["i"] = Int(-7);
  props["d"].set_double_value(2.0);  // stays a double, not an int
  props["b"].set_bool_value(false);
  props["t"].mutable_timestamp_value()->set_seconds(1700000000);
  props["t"].mutable_timestamp_value()->set_nanos(123456000);
  *props["l"].mutable_list_value()->add_values() = Int(1);
  *props["l"].mutable_list_value()->add_values() = Str("two");
  node.mutable_source()->set_system("sys");
  node.mutable_source()->set_authority(v1::AUTHORITY_INFERRED);
  const uint64_t version = AdminWrite({UpsertNode(node)});

  v1::GetNodeResponse r;
  ASSERT_OK(GetNode(admin_token_, "n", &r));
  v1::Node expected = node;
  expected.clear_labels();
  expected.add_labels("Doc");
  expected.add_labels("Message");
  expected.clear_boundary();
  expected.add_boundary("pii");
  expected.add_boundary("team:eng");
  v1::Node got = r.node();
  EXPECT_EQ(got.provenance().version(), version);
  got.clear_provenance();
  EXPECT_TRUE(MessageDifferencer::Equals(got, expected)) << "got:\n"
                                                         << got.DebugString() << "expected:\n"
                                                         << expected.DebugString();
  EXPECT_EQ(r.node().props().at("d").kind_case(), v1::Value::kDoubleValue);
}

TEST_F(WriteTest, TimestampsAreKeptToTheMicrosecond) {
  v1::Node node = MakeNode("t");
  auto& t = *(*node.mutable_props())["t"].mutable_timestamp_value();
  t.set_seconds(1700000000);
  t.set_nanos(123456999);  // 999 ns below a microsecond: dropped
  AdminWrite({UpsertNode(node)});
  v1::GetNodeResponse r;
  ASSERT_OK(GetNode(admin_token_, "t", &r));
  EXPECT_EQ(r.node().props().at("t").timestamp_value().seconds(), 1700000000);
  EXPECT_EQ(r.node().props().at("t").timestamp_value().nanos(), 123456000);
}

TEST_F(WriteTest, GetCommitReturnsPrincipalAndDescription) {
  const std::string loader = CreatePrincipal("loader1", {v1::ROLE_LOADER}, {});
  v1::WriteResponse w;
  ASSERT_OK(Write(loader, {UpsertNode(MakeNode("n"))}, &w, "nightly import #7"));
  v1::GetCommitResponse commit;
  ASSERT_OK(GetCommit(admin_token_, w.version(), &commit));
  EXPECT_EQ(commit.commit().version(), w.version());
  EXPECT_EQ(commit.commit().principal(), "loader1");
  EXPECT_EQ(commit.commit().description(), "nightly import #7");
  EXPECT_GT(commit.commit().time().seconds(), 1600000000);

  v1::GetNodeResponse node;
  ASSERT_OK(GetNode(admin_token_, "n", &node));
  EXPECT_EQ(node.node().provenance().commit_time().seconds(), commit.commit().time().seconds());
  EXPECT_EQ(node.node().provenance().commit_time().nanos(), commit.commit().time().nanos());

  // The bootstrap commits are attributed to "system".
  ASSERT_OK(GetCommit(admin_token_, 1, &commit));
  EXPECT_EQ(commit.commit().principal(), "system");
  EXPECT_EQ(commit.commit().description(), "bootstrap: create principal admin");

  EXPECT_STATUS(GetCommit(admin_token_, 0, &commit), absl::StatusCode::kNotFound,
                "commit 0 not found");
  EXPECT_STATUS(GetCommit(admin_token_, w.version() + 1, &commit), absl::StatusCode::kNotFound,
                absl::StrCat("commit ", w.version() + 1, " not found"));
}

TEST_F(WriteTest, InvalidReadArgumentsNameTheField) {
  v1::GetNodeResponse node;
  EXPECT_STATUS(GetNode(admin_token_, "", &node), absl::StatusCode::kInvalidArgument,
                "id: must be 1..256 bytes, got 0");
  v1::ListNodesRequest list;
  v1::ListNodesResponse nodes;
  EXPECT_STATUS(ListNodes(admin_token_, list, &nodes), absl::StatusCode::kInvalidArgument,
                "label: must be 1..128 bytes, got 0");
  list.set_label("Doc");
  list.set_page_size(-1);
  EXPECT_STATUS(ListNodes(admin_token_, list, &nodes), absl::StatusCode::kInvalidArgument,
                "page_size: must not be negative, got -1");
  v1::ListNeighborsRequest neighbors;
  neighbors.set_id("x");
  neighbors.set_direction(static_cast<v1::Direction>(7));
  v1::ListNeighborsResponse nr;
  EXPECT_STATUS(ListNeighbors(admin_token_, neighbors, &nr), absl::StatusCode::kInvalidArgument,
                "direction: unknown direction 7");
  neighbors.set_direction(v1::DIRECTION_OUT);
  neighbors.add_edge_labels("ok");
  neighbors.add_edge_labels("not ok");
  EXPECT_STATUS(ListNeighbors(admin_token_, neighbors, &nr), absl::StatusCode::kInvalidArgument,
                "edge_labels[1]: \"not ok\" has a character outside [A-Za-z0-9_]");
}

TEST_F(WriteTest, EmptyBatchIsInvalid) {
  v1::WriteResponse w;
  EXPECT_STATUS(Write(admin_token_, std::vector<v1::WriteOp>{}, &w),
                absl::StatusCode::kInvalidArgument, "ops: at least one op is required");
}

// A batch whose third op is bad writes nothing, whatever the kind of fault.
class AtomicBatchTest : public ServerTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(ServerTest::SetUp());
    eng_loader_ = CreatePrincipal("eng_loader", {v1::ROLE_LOADER}, {"team:eng"});
    ASSERT_NE(AdminWrite({UpsertNode(MakeNode("existing", {}, "Doc", {{"k", Str("old")}}))}), 0u);
  }

  void ExpectBatchFails(const std::string& token, const v1::WriteOp& third, absl::StatusCode code,
                        const std::string& message) {
    const uint64_t before = LatestVersion();
    v1::WriteResponse w;
    EXPECT_STATUS(Write(token,
                        {UpsertNode(MakeNode("first")),
                         UpsertNode(MakeNode("existing", {}, "Doc", {{"k", Str("new")}})), third},
                        &w),
                  code, message);
    EXPECT_EQ(message.rfind("ops[2]", 0), 0u) << message;
    EXPECT_FALSE(w.committed());
    EXPECT_EQ(LatestVersion(), before);
    v1::GetNodeResponse r;
    EXPECT_STATUS(GetNode(admin_token_, "first", &r), absl::StatusCode::kNotFound,
                  "node \"first\" not found");
    ASSERT_OK(GetNode(admin_token_, "existing", &r));
    EXPECT_EQ(r.node().props().at("k").string_value(), "old");
    EXPECT_EQ(AllNodePages(admin_token_, "Doc", 10),
              (std::vector<std::vector<std::string>>{{"existing"}}));
  }

  std::string eng_loader_;
};

TEST_F(AtomicBatchTest, EmptyId) {
  ExpectBatchFails(admin_token_, UpsertNode(MakeNode("")), absl::StatusCode::kInvalidArgument,
                   "ops[2].upsert_node.id: must be 1..256 bytes, got 0");
}

TEST_F(AtomicBatchTest, EdgeToMissingNode) {
  ExpectBatchFails(admin_token_, UpsertEdge("first", "e", "missing"),
                   absl::StatusCode::kFailedPrecondition,
                   "ops[2].upsert_edge.to: node \"missing\" not found");
  ExpectBatchFails(admin_token_, UpsertEdge("missing", "e", "first"),
                   absl::StatusCode::kFailedPrecondition,
                   "ops[2].upsert_edge.from: node \"missing\" not found");
  // The id "missing" was not interned by the failed batches: creating it now
  // and linking works.
  AdminWrite({UpsertNode(MakeNode("missing", {}, "Other")), UpsertNode(MakeNode("x", {}, "Other")),
              UpsertEdge("x", "e", "missing")});
  EXPECT_EQ(AllNodePages(admin_token_, "Other", 10),
            (std::vector<std::vector<std::string>>{{"missing", "x"}}));
}

TEST_F(AtomicBatchTest, BoundaryLabelTheWriterIsNotClearedFor) {
  ExpectBatchFails(eng_loader_, UpsertNode(MakeNode("p", {"team:eng", "pii"})),
                   absl::StatusCode::kPermissionDenied,
                   "ops[2].upsert_node.boundary: not cleared for label \"pii\"");
}

TEST_F(AtomicBatchTest, ValueWithNoKind) {
  v1::Node node = MakeNode("p");
  (*node.mutable_props())["k"];  // a Value with nothing set
  ExpectBatchFails(admin_token_, UpsertNode(node), absl::StatusCode::kInvalidArgument,
                   "ops[2].upsert_node.props[\"k\"]: value has no kind set");
}

TEST_F(AtomicBatchTest, OtherInvalidThirdOps) {
  ExpectBatchFails(admin_token_, v1::WriteOp(), absl::StatusCode::kInvalidArgument,
                   "ops[2]: op has no kind set");
  v1::Node no_labels = MakeNode("p");
  no_labels.clear_labels();
  ExpectBatchFails(admin_token_, UpsertNode(no_labels), absl::StatusCode::kInvalidArgument,
                   "ops[2].upsert_node.labels: at least one label is required");
  ExpectBatchFails(admin_token_, UpsertNode(MakeNode("p", {"ok", "pii "})),
                   absl::StatusCode::kInvalidArgument,
                   "ops[2].upsert_node.boundary[1]: \"pii \" has a character outside "
                   "[A-Za-z0-9_.:-]");
  ExpectBatchFails(admin_token_, UpsertEdge("first", "bad label", "existing"),
                   absl::StatusCode::kInvalidArgument,
                   "ops[2].upsert_edge.label: \"bad label\" has a character outside [A-Za-z0-9_]");
  ExpectBatchFails(admin_token_, DeleteNode(""), absl::StatusCode::kInvalidArgument,
                   "ops[2].delete_node: must be 1..256 bytes, got 0");
  v1::Node nested = MakeNode("p");
  v1::Value inner;
  *inner.mutable_list_value()->add_values() = Int(1);
  *(*nested.mutable_props())["k"].mutable_list_value()->add_values() = inner;
  ExpectBatchFails(admin_token_, UpsertNode(nested), absl::StatusCode::kInvalidArgument,
                   "ops[2].upsert_node.props[\"k\"][0]: lists cannot be nested");
}

// The writer's own clearances: a loader cleared only for "team:eng".
class WriterClearanceTest : public ServerTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(ServerTest::SetUp());
    eng_ = CreatePrincipal("eng_loader", {v1::ROLE_LOADER}, {"team:eng"});
    ASSERT_NE(DefineLabels({"pii", "team:eng", "team:finance"}), 0u);
    ASSERT_NE(AdminWrite({UpsertNode(MakeNode("p", {"pii"}, "Doc", {{"k", Str("secret")}})),
                          UpsertNode(MakeNode("mine", {"team:eng"}))}),
              0u);
  }

  void ExpectPUnchanged() {
    v1::GetNodeResponse r;
    ASSERT_OK(GetNode(admin_token_, "p", &r));
    EXPECT_EQ(r.node().props().at("k").string_value(), "secret");
    EXPECT_EQ(r.node().boundary_size(), 1);
  }

  std::string eng_;
};

TEST_F(WriterClearanceTest, CannotSetALabelItIsNotClearedFor) {
  v1::WriteResponse w;
  EXPECT_STATUS(Write(eng_, {UpsertNode(MakeNode("new", {"pii"}))}, &w),
                absl::StatusCode::kPermissionDenied,
                "ops[0].upsert_node.boundary: not cleared for label \"pii\"");
  EXPECT_STATUS(Write(eng_, {UpsertNode(MakeNode("new", {"team:finance"}))}, &w),
                absl::StatusCode::kPermissionDenied,
                "ops[0].upsert_node.boundary: not cleared for label \"team:finance\"");
  ASSERT_OK(Write(eng_, {UpsertNode(MakeNode("new", {"team:eng"}))}, &w));
  // Nor relabel its own node with it.
  EXPECT_STATUS(Write(eng_, {UpsertNode(MakeNode("mine", {"team:eng", "pii"}))}, &w),
                absl::StatusCode::kPermissionDenied,
                "ops[0].upsert_node.boundary: not cleared for label \"pii\"");
}

TEST_F(WriterClearanceTest, CannotOverwriteOrDeleteANodeItCannotSee) {
  const uint64_t before = LatestVersion();
  v1::WriteResponse w;
  // The message names the node, never its labels.
  EXPECT_STATUS(Write(eng_, {UpsertNode(MakeNode("p", {}, "Doc", {{"k", Str("pwned")}}))}, &w),
                absl::StatusCode::kPermissionDenied,
                "ops[0]: not cleared for the boundary of node \"p\"");
  EXPECT_STATUS(Write(eng_, {UpsertNode(MakeNode("p", {"team:eng"}))}, &w),
                absl::StatusCode::kPermissionDenied,
                "ops[0]: not cleared for the boundary of node \"p\"");
  EXPECT_STATUS(Write(eng_, {DeleteNode("p")}, &w), absl::StatusCode::kPermissionDenied,
                "ops[0]: not cleared for the boundary of node \"p\"");
  EXPECT_STATUS(Write(eng_, {UpsertNode(MakeNode("ok")), DeleteNode("p")}, &w),
                absl::StatusCode::kPermissionDenied,
                "ops[1]: not cleared for the boundary of node \"p\"");
  EXPECT_EQ(LatestVersion(), before);
  ExpectPUnchanged();
  v1::GetNodeResponse r;
  EXPECT_STATUS(GetNode(admin_token_, "ok", &r), absl::StatusCode::kNotFound,
                "node \"ok\" not found");
}

TEST_F(WriterClearanceTest, EdgeToHiddenNodeAnswersLikeEdgeToAbsentNode) {
  v1::WriteResponse w;
  // "q" does not exist yet.
  const grpc::Status absent_to = Write(eng_, {UpsertEdge("mine", "e", "q")}, &w);
  const std::string absent_to_t = Transcript(absent_to, w);
  const grpc::Status absent_from = Write(eng_, {UpsertEdge("q", "e", "mine")}, &w);
  const std::string absent_from_t = Transcript(absent_from, w);
  EXPECT_STATUS(absent_to, absl::StatusCode::kFailedPrecondition,
                "ops[0].upsert_edge.to: node \"q\" not found");
  EXPECT_STATUS(absent_from, absl::StatusCode::kFailedPrecondition,
                "ops[0].upsert_edge.from: node \"q\" not found");

  // Now "q" exists with a label eng_loader lacks.
  AdminWrite({UpsertNode(MakeNode("q", {"pii"}))});
  EXPECT_EQ(Transcript(Write(eng_, {UpsertEdge("mine", "e", "q")}, &w), w), absent_to_t);
  EXPECT_EQ(Transcript(Write(eng_, {UpsertEdge("q", "e", "mine")}, &w), w), absent_from_t);

  // Deleting an edge into a hidden node is a no-op, exactly like deleting an
  // edge that does not exist.
  AdminWrite({UpsertEdge("mine", "e", "q")});
  const uint64_t before = LatestVersion();
  v1::WriteResponse hidden_delete, absent_delete;
  ASSERT_OK(Write(eng_, {DeleteEdge("mine", "e", "q")}, &hidden_delete));
  ASSERT_OK(Write(eng_, {DeleteEdge("mine", "e", "zz")}, &absent_delete));
  EXPECT_EQ(hidden_delete.SerializeAsString(), absent_delete.SerializeAsString());
  EXPECT_FALSE(hidden_delete.committed());
  EXPECT_EQ(LatestVersion(), before);
  v1::ListNeighborsRequest request;
  request.set_id("mine");
  v1::ListNeighborsResponse response;
  ASSERT_OK(ListNeighbors(admin_token_, request, &response));
  EXPECT_EQ(NeighborKeys(response), (std::vector<std::string>{"OUT:e:q"}));
}

// Deleting a visible node also tombstones its edges to hidden nodes (no edge
// may dangle), but the writer must not learn how many there were.
TEST_F(WriterClearanceTest, DeleteCountDoesNotRevealEdgesToHiddenNodes) {
  AdminWrite({UpsertNode(MakeNode("mine2", {"team:eng"})), UpsertEdge("mine", "e", "p"),
              UpsertEdge("p", "e", "mine")});
  v1::WriteResponse with_hidden_edges, without;
  ASSERT_OK(Write(eng_, {DeleteNode("mine")}, &with_hidden_edges));
  ASSERT_OK(Write(eng_, {DeleteNode("mine2")}, &without));
  EXPECT_EQ(with_hidden_edges.deleted(), without.deleted());
  EXPECT_EQ(without.deleted(), 1u);
  // The edges are gone for everyone.
  v1::ListNeighborsRequest request;
  request.set_id("p");
  request.set_direction(v1::DIRECTION_BOTH);
  v1::ListNeighborsResponse response;
  ASSERT_OK(ListNeighbors(admin_token_, request, &response));
  EXPECT_EQ(response.neighbors_size(), 0);
}

}  // namespace
}  // namespace ctxgraph::server
