// The Import client stream: per-op rejects by stream index, strict mode,
// bulk imports as one version, and a cancelled bulk import that writes
// nothing.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "absl/strings/str_cat.h"
#include "tests/server/server_test_fixture.h"

namespace ctxgraph::server {
namespace {

class ImportTest : public ServerTest {
 protected:
  // Streams `requests` (options go on the first) and returns the status.
  grpc::Status Import(const std::string& token, const v1::ImportOptions& options,
                      const std::vector<std::vector<v1::WriteOp>>& requests,
                      v1::ImportResponse* response, size_t* requests_written = nullptr) {
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer " + token);
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    auto writer = graph_->Import(&context, response);
    for (size_t i = 0; i < requests.size(); ++i) {
      v1::ImportRequest request;
      if (i == 0) *request.mutable_options() = options;
      for (const auto& op : requests[i]) *request.add_ops() = op;
      if (!writer->Write(request)) break;
      if (requests_written != nullptr) *requests_written = i + 1;
    }
    writer->WritesDone();
    return writer->Finish();
  }

  static v1::ImportOptions Options(bool bulk, bool strict) {
    v1::ImportOptions o;
    o.set_description("test import");
    o.set_bulk(bulk);
    o.set_strict(strict);
    return o;
  }

  bool Exists(const std::string& id) {
    v1::GetNodeResponse r;
    return GetNode(admin_token_, id, &r).ok();
  }
};

TEST_F(ImportTest, BadOpsAreRejectedByStreamIndexAndTheRestLoads) {
  const uint64_t before = LatestVersion();
  v1::WriteOp no_kind;  // an op with nothing set
  v1::ImportResponse response;
  ASSERT_OK(Import(admin_token_, Options(false, false),
                   {{UpsertNode(MakeNode("a")), UpsertNode(MakeNode(""))},
                    {no_kind, UpsertNode(MakeNode("b")), UpsertEdge("a", "MENTIONS", "ghost"),
                     UpsertEdge("a", "MENTIONS", "b")}},
                   &response));
  EXPECT_EQ(response.ops_received(), 6u);
  EXPECT_EQ(response.commits(), 2u);
  EXPECT_EQ(response.version(), before + 2);
  EXPECT_EQ(response.nodes_written(), 2u);
  EXPECT_EQ(response.edges_written(), 1u);
  ASSERT_EQ(response.rejects_size(), 3);
  EXPECT_EQ(response.rejects(0).index(), 1u);
  EXPECT_EQ(response.rejects(0).reason(), "ops[1].upsert_node.id: must be 1..256 bytes, got 0");
  EXPECT_EQ(response.rejects(1).index(), 2u);
  EXPECT_EQ(response.rejects(1).reason(), "ops[2]: op has no kind set");
  EXPECT_EQ(response.rejects(2).index(), 4u);
  EXPECT_EQ(response.rejects(2).reason(), "ops[4].upsert_edge.to: node \"ghost\" not found");
  EXPECT_TRUE(Exists("a") && Exists("b"));

  // The same again changes nothing.
  ASSERT_OK(Import(
      admin_token_, Options(false, false),
      {{UpsertNode(MakeNode("a")), UpsertNode(MakeNode("b")), UpsertEdge("a", "MENTIONS", "b")}},
      &response));
  EXPECT_EQ(response.commits(), 0u);
  EXPECT_EQ(response.unchanged(), 3u);
  EXPECT_EQ(response.version(), before + 2);
}

TEST_F(ImportTest, BulkImportIsOneVersion) {
  const uint64_t before = LatestVersion();
  std::vector<std::vector<v1::WriteOp>> requests(5);
  for (int r = 0; r < 5; ++r) {
    for (int i = 0; i < 20; ++i)
      requests[r].push_back(UpsertNode(MakeNode("n" + std::to_string(r * 20 + i))));
  }
  requests.push_back({UpsertEdge("n0", "MENTIONS", "n99")});
  v1::ImportResponse response;
  ASSERT_OK(Import(admin_token_, Options(true, false), requests, &response));
  EXPECT_EQ(response.commits(), 1u);
  EXPECT_EQ(response.version(), before + 1);
  EXPECT_EQ(response.nodes_written(), 100u);
  EXPECT_EQ(response.edges_written(), 1u);
  v1::GetCommitResponse commit;
  ASSERT_OK(GetCommit(admin_token_, before + 1, &commit));
  EXPECT_EQ(commit.commit().description(), "test import");
  v1::GetNodeResponse node;
  ASSERT_OK(GetNode(admin_token_, "n57", &node));
  EXPECT_EQ(node.node().provenance().version(), before + 1);
}

TEST_F(ImportTest, StrictStopsAtTheFirstRejectAndDropsItsBatch) {
  v1::ImportResponse response;
  ASSERT_OK(Import(admin_token_, Options(false, true),
                   {{UpsertNode(MakeNode("kept"))},
                    {UpsertNode(MakeNode("dropped")), UpsertEdge("dropped", "X", "ghost")},
                    {UpsertNode(MakeNode("never"))}},
                   &response));
  EXPECT_TRUE(response.aborted());
  ASSERT_EQ(response.rejects_size(), 1);
  EXPECT_EQ(response.rejects(0).index(), 2u);
  EXPECT_TRUE(Exists("kept"));
  EXPECT_FALSE(Exists("dropped"));
  EXPECT_FALSE(Exists("never"));

  // Strict and bulk: nothing at all.
  const uint64_t before = LatestVersion();
  ASSERT_OK(Import(admin_token_, Options(true, true),
                   {{UpsertNode(MakeNode("b1"))}, {UpsertNode(MakeNode("b2")), v1::WriteOp()}},
                   &response));
  EXPECT_TRUE(response.aborted());
  EXPECT_EQ(response.commits(), 0u);
  EXPECT_EQ(LatestVersion(), before);
  EXPECT_FALSE(Exists("b1"));
}

// The server answers at a strict import's first reject instead of reading
// the rest of the input: 20 MB more of it could not all be sent.
TEST_F(ImportTest, StrictAnswersAtTheFirstRejectWithoutReadingTheRest) {
  std::vector<std::vector<v1::WriteOp>> requests = {{UpsertEdge("a", "X", "ghost")}};
  const std::string text(100000, 't');
  for (int i = 0; i < 200; ++i) {
    v1::Node node = MakeNode(absl::StrCat("late", i));
    (*node.mutable_props())["text"].set_string_value(text);
    requests.push_back({UpsertNode(node)});
  }
  v1::ImportResponse response;
  size_t written = 0;
  ASSERT_OK(Import(admin_token_, Options(false, true), requests, &response, &written));
  EXPECT_TRUE(response.aborted());
  ASSERT_EQ(response.rejects_size(), 1);
  EXPECT_EQ(response.rejects(0).index(), 0u);
  EXPECT_LT(written, requests.size());
  EXPECT_FALSE(Exists("late0"));
}

TEST_F(ImportTest, CancelledBulkImportWritesNothing) {
  const uint64_t before = LatestVersion();
  grpc::ClientContext context;
  context.AddMetadata("authorization", "Bearer " + admin_token_);
  v1::ImportResponse response;
  auto writer = graph_->Import(&context, &response);
  v1::ImportRequest request;
  *request.mutable_options() = Options(true, false);
  for (int i = 0; i < 50; ++i) *request.add_ops() = UpsertNode(MakeNode("c" + std::to_string(i)));
  ASSERT_TRUE(writer->Write(request));
  context.TryCancel();
  EXPECT_EQ(writer->Finish().error_code(), grpc::StatusCode::CANCELLED);
  // The server notices the cancelled stream, aborts the session and lets the
  // next writer in; that Write is then the very next version.
  v1::WriteResponse w;
  ASSERT_OK(Write(admin_token_, {UpsertNode(MakeNode("after"))}, &w));
  EXPECT_EQ(w.version(), before + 1);
  EXPECT_FALSE(Exists("c0"));
  EXPECT_FALSE(Exists("c49"));
}

// A bulk import's client may close the stream long after its last
// message: a token that expired meanwhile commits nothing.
TEST_F(ImportTest, ABulkImportWhoseTokenExpiredBeforeTheStreamClosedWritesNothing) {
  CreatePrincipal("loader", {v1::ROLE_LOADER}, {"*"});
  v1::IssueTokenRequest issue;
  issue.set_principal_id("loader");
  issue.set_ttl_seconds(1);
  v1::IssueTokenResponse issued;
  ASSERT_OK(Call(admin_.get(), &v1::AdminService::Stub::IssueToken, admin_token_, issue, &issued));
  grpc::ClientContext context;
  context.AddMetadata("authorization", "Bearer " + issued.token());
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  v1::ImportResponse response;
  auto writer = graph_->Import(&context, &response);
  v1::ImportRequest request;
  *request.mutable_options() = Options(true, false);
  *request.add_ops() = UpsertNode(MakeNode("late"));
  ASSERT_TRUE(writer->Write(request));
  // Past the expiry (whole seconds after the issue) before the stream closes.
  const auto expired =
      std::chrono::system_clock::time_point(std::chrono::seconds(issued.expires().seconds() + 1));
  std::this_thread::sleep_until(expired);
  writer->WritesDone();
  EXPECT_STATUS(writer->Finish(), absl::StatusCode::kUnauthenticated,
                "invalid or missing bearer token");
  EXPECT_FALSE(Exists("late"));
}

TEST_F(ImportTest, OnlyWritersMayImport) {
  const std::string agent = CreatePrincipal("agent", {v1::ROLE_AGENT}, {"*"});
  v1::ImportResponse response;
  EXPECT_STATUS(Import(agent, Options(true, false), {{UpsertNode(MakeNode("x"))}}, &response),
                absl::StatusCode::kPermissionDenied, "Write requires the loader or admin role");
  EXPECT_FALSE(Exists("x"));
}

TEST_F(ImportTest, WriterClearancesApplyPerOp) {
  const std::string loader = CreatePrincipal("loader", {v1::ROLE_LOADER}, {"team:eng"});
  DefineLabels({"pii", "team:eng"});
  AdminWrite({UpsertNode(MakeNode("secret", {"pii"}))});
  v1::ImportResponse response;
  ASSERT_OK(Import(loader, Options(true, false),
                   {{UpsertNode(MakeNode("mine", {"team:eng"})), UpsertNode(MakeNode("p", {"pii"})),
                     UpsertNode(MakeNode("secret")), UpsertEdge("mine", "MENTIONS", "secret")}},
                   &response));
  ASSERT_EQ(response.rejects_size(), 3);
  EXPECT_EQ(response.rejects(0).reason(),
            "ops[1].upsert_node.boundary: not cleared for label \"pii\"");
  EXPECT_EQ(response.rejects(1).reason(),
            "ops[2]: not cleared for the boundary of node \"secret\"");
  EXPECT_EQ(response.rejects(2).reason(), "ops[3].upsert_edge.to: node \"secret\" not found");
  EXPECT_EQ(response.nodes_written(), 1u);
}

TEST_F(ImportTest, AnUndefinedLabelIsRejectedAloneAndTheRestLoads) {
  for (bool bulk : {false, true}) {
    SCOPED_TRACE(bulk ? "bulk" : "per request");
    ResetServer();
    DefineLabels({"pii"});
    const uint64_t before = LatestVersion();
    v1::ImportResponse response;
    ASSERT_OK(Import(admin_token_, Options(bulk, false),
                     {{UpsertNode(MakeNode("a", {"pii"})), UpsertNode(MakeNode("b", {"team:x"})),
                       UpsertNode(MakeNode("c"))}},
                     &response));
    ASSERT_EQ(response.rejects_size(), 1);
    EXPECT_EQ(response.rejects(0).index(), 1u);
    EXPECT_EQ(response.rejects(0).reason(),
              "ops[1].upsert_node.boundary: undefined boundary label \"team:x\"");
    EXPECT_EQ(response.nodes_written(), 2u);
    EXPECT_EQ(response.version(), before + 1);
    EXPECT_TRUE(Exists("a") && Exists("c"));
    EXPECT_FALSE(Exists("b"));
  }
}

TEST_F(ImportTest, StrictStopsAtAnUndefinedLabelAndWritesNothingOfThatBatch) {
  DefineLabels({"pii"});
  const uint64_t before = LatestVersion();
  v1::ImportResponse response;
  ASSERT_OK(Import(admin_token_, Options(false, true),
                   {{UpsertNode(MakeNode("first"))},
                    {UpsertNode(MakeNode("a", {"pii"})), UpsertNode(MakeNode("b", {"team:x"})),
                     UpsertNode(MakeNode("c"))}},
                   &response));
  EXPECT_TRUE(response.aborted());
  ASSERT_EQ(response.rejects_size(), 1);
  EXPECT_EQ(response.rejects(0).reason(),
            "ops[2].upsert_node.boundary: undefined boundary label \"team:x\"");
  EXPECT_EQ(response.version(), before + 1);  // the first request only
  EXPECT_TRUE(Exists("first"));
  EXPECT_FALSE(Exists("a") || Exists("b") || Exists("c"));
  EXPECT_EQ(LatestVersion(), before + 1);
}

TEST_F(ImportTest, LabelLinesNeedTheStewardRoleAndApplyInStreamOrder) {
  // A loader without the steward role: each definition is rejected on its
  // own, and so is every node that needed it.
  const std::string loader = CreatePrincipal("loader", {v1::ROLE_LOADER}, {"*"});
  v1::ImportResponse refused;
  ASSERT_OK(
      Import(loader, Options(true, false),
             {{DefineLabel("pii"), UpsertNode(MakeNode("a", {"pii"})), UpsertNode(MakeNode("b"))}},
             &refused));
  ASSERT_EQ(refused.rejects_size(), 2);
  EXPECT_EQ(refused.rejects(0).reason(),
            "ops[0].define_label: defining a label requires the steward or admin role");
  EXPECT_EQ(refused.rejects(1).reason(),
            "ops[1].upsert_node.boundary: undefined boundary label \"pii\"");
  EXPECT_EQ(refused.labels_defined(), 0u);
  EXPECT_EQ(refused.nodes_written(), 1u);

  // A loader that is also a steward: definitions apply before the records
  // after them, in one bulk commit, and a repeated definition is unchanged.
  const std::string steward =
      CreatePrincipal("steward-loader", {v1::ROLE_LOADER, v1::ROLE_STEWARD}, {"*"});
  v1::ImportResponse accepted;
  ASSERT_OK(Import(steward, Options(true, false),
                   {{DefineLabel("pii"), UpsertNode(MakeNode("a", {"pii"}))},
                    {DefineLabel("pii"), DefineLabel("team:x", true),
                     UpsertNode(MakeNode("c", {"team:x", "pii"}))}},
                   &accepted));
  EXPECT_EQ(accepted.rejects_size(), 0);
  EXPECT_EQ(accepted.commits(), 1u);
  EXPECT_EQ(accepted.labels_defined(), 2u);
  EXPECT_EQ(accepted.unchanged(), 1u);
  EXPECT_EQ(accepted.nodes_written(), 2u);
  v1::ListLabelsResponse labels;
  ASSERT_OK(Call(boundary_.get(), &v1::BoundaryService::Stub::ListLabels, loader,
                 v1::ListLabelsRequest(), &labels));
  ASSERT_EQ(labels.labels_size(), 2);
  EXPECT_EQ(labels.labels(0).name(), "pii");
  EXPECT_EQ(labels.labels(0).version(), accepted.version());
  EXPECT_EQ(labels.labels(0).defined_by(), "steward-loader");
  EXPECT_EQ(labels.labels(1).name(), "team:x");
  EXPECT_TRUE(labels.labels(1).propagate());
}

}  // namespace
}  // namespace ctxgraph::server
