// State after a restart on the same data directory: graph, versions, commits,
// principals, tokens (issued, revoked, suspended) and page tokens all survive,
// and no second admin token is minted.
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "tests/server/server_test_fixture.h"

namespace ctxgraph::server {
namespace {

using ::google::protobuf::util::MessageDifferencer;

class RestartTest : public ServerTest {};

TEST_F(RestartTest, AdminTokenFileIsWrittenOnceWithMode0600) {
  struct stat st;
  ASSERT_EQ(::stat((data_dir_ + "/admin.token").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  const std::string before = ReadAdminTokenFile();
  ASSERT_NO_FATAL_FAILURE(StopServer());
  ASSERT_NO_FATAL_FAILURE(StartServer());
  EXPECT_EQ(ReadAdminTokenFile(), before);
  v1::ListTokensRequest list;
  list.set_principal_id("admin");
  v1::ListTokensResponse tokens;
  ASSERT_OK(Call(admin_.get(), &v1::AdminService::Stub::ListTokens, admin_token_, list, &tokens));
  EXPECT_EQ(tokens.tokens_size(), 1);
}

TEST_F(RestartTest, GraphPrincipalsAndTokensSurviveRestart) {
  DefineLabels({"pii"});
  v1::Node node = MakeNode("n", {"pii"}, "Doc", {{"k", Str("v")}, {"i", Int(42)}});
  node.mutable_source()->set_system("crm");
  const uint64_t version = AdminWrite(
      {UpsertNode(node), UpsertNode(MakeNode("m")), UpsertEdge("m", "e", "n")}, "before restart");
  const std::string reader = CreatePrincipal("reader", {v1::ROLE_AUDITOR}, {"pii"});
  const std::string revoked_holder = CreatePrincipal("gone", {v1::ROLE_AGENT}, {});
  const std::string suspended = CreatePrincipal("sleepy", {v1::ROLE_AGENT}, {});
  RevokeOnlyToken("gone", admin_token_);
  {
    v1::GetPrincipalRequest who;
    who.set_id("sleepy");
    v1::PrincipalResponse p;
    ASSERT_OK(Call(admin_.get(), &v1::AdminService::Stub::SuspendPrincipal, admin_token_, who, &p));
  }
  v1::GetNodeResponse before;
  ASSERT_OK(GetNode(reader, "n", &before));
  v1::ListNodesRequest list;
  list.set_label("Doc");
  list.set_page_size(1);
  v1::ListNodesResponse page1;
  ASSERT_OK(ListNodes(reader, list, &page1));
  ASSERT_FALSE(page1.next_page_token().empty());
  const uint64_t latest = LatestVersion();
  const std::string token_file = ReadAdminTokenFile();

  ASSERT_NO_FATAL_FAILURE(StopServer());
  ASSERT_NO_FATAL_FAILURE(StartServer());

  EXPECT_EQ(ReadAdminTokenFile(), token_file);
  EXPECT_EQ(LatestVersion(), latest);

  v1::GetNodeResponse after;
  ASSERT_OK(GetNode(reader, "n", &after));
  EXPECT_TRUE(MessageDifferencer::Equals(before, after)) << "before:\n"
                                                         << before.DebugString() << "after:\n"
                                                         << after.DebugString();
  ASSERT_OK(GetNode(reader, "n", &after, version));
  EXPECT_EQ(after.node().provenance().version(), version);

  v1::GetCommitResponse commit;
  ASSERT_OK(GetCommit(admin_token_, version, &commit));  // the reader may not: not its commit
  EXPECT_EQ(commit.commit().description(), "before restart");
  EXPECT_EQ(commit.commit().principal(), "admin");

  // A page token from before the restart still continues the listing.
  list.set_page_token(page1.next_page_token());
  v1::ListNodesResponse page2;
  ASSERT_OK(ListNodes(reader, list, &page2));
  EXPECT_EQ(NodeIds(page1), std::vector<std::string>{"n"});
  EXPECT_EQ(NodeIds(page2), std::vector<std::string>{"m"});

  v1::GetNodeResponse probe;
  EXPECT_STATUS(GetNode(revoked_holder, "m", &probe), absl::StatusCode::kUnauthenticated,
                kUnauthenticated);
  EXPECT_STATUS(GetNode(suspended, "m", &probe), absl::StatusCode::kUnauthenticated,
                kUnauthenticated);
  // The reader is still pii-cleared and still not a writer.
  v1::WriteResponse w;
  EXPECT_STATUS(Write(reader, {UpsertNode(MakeNode("x"))}, &w), absl::StatusCode::kPermissionDenied,
                "Write requires the loader or admin role");
  // The label registry is read back too: pii may still be given to a node.
  ASSERT_NE(AdminWrite({UpsertNode(MakeNode("n2", {"pii"}))}), 0u);
}

TEST_F(RestartTest, WritesAfterRestartDoNotDisturbOldNodes) {
  AdminWrite({UpsertNode(MakeNode("old1", {}, "Doc", {{"k", Str("one")}})),
              UpsertNode(MakeNode("old2", {}, "Doc", {{"k", Str("two")}})),
              UpsertEdge("old1", "e", "old2")});
  const uint64_t latest = LatestVersion();
  ASSERT_NO_FATAL_FAILURE(StopServer());
  ASSERT_NO_FATAL_FAILURE(StartServer());

  // New nodes get fresh internal ids: nothing old is overwritten or linked.
  v1::WriteResponse w;
  ASSERT_OK(Write(admin_token_,
                  {UpsertNode(MakeNode("new1", {}, "Doc", {{"k", Str("three")}})),
                   UpsertNode(MakeNode("new2", {}, "Doc", {{"k", Str("four")}}))},
                  &w));
  EXPECT_EQ(w.version(), latest + 1);
  EXPECT_EQ(AllNodePages(admin_token_, "Doc", 10),
            (std::vector<std::vector<std::string>>{{"old1", "old2", "new1", "new2"}}));
  for (const auto& [id, k] : std::vector<std::pair<std::string, std::string>>{
           {"old1", "one"}, {"old2", "two"}, {"new1", "three"}, {"new2", "four"}}) {
    v1::GetNodeResponse r;
    ASSERT_OK(GetNode(admin_token_, id, &r));
    EXPECT_EQ(r.node().props().at("k").string_value(), k) << id;
  }
  v1::ListNeighborsRequest request;
  request.set_id("new1");
  request.set_direction(v1::DIRECTION_BOTH);
  v1::ListNeighborsResponse response;
  ASSERT_OK(ListNeighbors(admin_token_, request, &response));
  EXPECT_EQ(response.neighbors_size(), 0);
  request.set_id("old1");
  ASSERT_OK(ListNeighbors(admin_token_, request, &response));
  EXPECT_EQ(NeighborKeys(response), std::vector<std::string>{"OUT:e:old2"});
}

}  // namespace
}  // namespace ctxgraph::server
