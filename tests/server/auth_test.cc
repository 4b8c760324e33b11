// Authentication and role checks through real gRPC stubs: every way a bearer
// header can be missing, malformed, stolen, revoked or suspended, and every
// RPC a role may not call.
#include <gtest/gtest.h>

#include "tests/server/server_test_fixture.h"

namespace ctxgraph::server {
namespace {

using ::grpc::StatusCode;

class AuthTest : public ServerTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(ServerTest::SetUp());
    ASSERT_NE(AdminWrite({UpsertNode(MakeNode("pub"))}), 0u);
  }

  // GetNode("pub") with the given raw authorization values.
  grpc::Status ProbeWithHeaders(const std::vector<std::string>& authorization) {
    v1::GetNodeRequest request;
    request.set_id("pub");
    v1::GetNodeResponse response;
    return CallWithHeaders(graph_.get(), &v1::GraphService::Stub::GetNode, authorization, request,
                           &response);
  }
  grpc::Status Probe(const std::string& token) {
    v1::GetNodeResponse response;
    return GetNode(token, "pub", &response);
  }
};

TEST_F(AuthTest, ValidAdminTokenIsAccepted) {
  ASSERT_OK(Probe(admin_token_));
  EXPECT_EQ(admin_token_.rfind("ctxg_", 0), 0u) << admin_token_;
  EXPECT_EQ(admin_token_.size(), 5u + 43u);
}

TEST_F(AuthTest, NoAuthorizationHeaderIsUnauthenticated) {
  EXPECT_STATUS(ProbeWithHeaders({}), absl::StatusCode::kUnauthenticated, kUnauthenticated);
}

TEST_F(AuthTest, EmptyOrBareBearerIsUnauthenticated) {
  for (const std::string header : {"", "Bearer", "Bearer ", "Bearer  ", "Bearer ctxg_"}) {
    SCOPED_TRACE("authorization: \"" + header + "\"");
    EXPECT_STATUS(ProbeWithHeaders({header}), absl::StatusCode::kUnauthenticated, kUnauthenticated);
  }
}

TEST_F(AuthTest, MalformedAuthorizationHeaderIsUnauthenticated) {
  const std::vector<std::string> headers = {
      "Basic x",
      "Basic " + admin_token_,
      admin_token_,                    // no "Bearer " prefix
      "Bearer  " + admin_token_,       // two spaces
      "Bearer " + admin_token_ + " ",  // trailing space
      " Bearer " + admin_token_,       // leading space
      "Token " + admin_token_,
      "Bearer " + admin_token_.substr(5),      // without the ctxg_ prefix
      "Bearer ctxg_" + std::string(300, 'A'),  // oversized
  };
  for (const auto& header : headers) {
    SCOPED_TRACE("authorization: \"" + header + "\"");
    EXPECT_STATUS(ProbeWithHeaders({header}), absl::StatusCode::kUnauthenticated, kUnauthenticated);
  }
}

TEST_F(AuthTest, UnknownTokenIsUnauthenticated) {
  for (const std::string& token : {std::string("ctxg_") + std::string(43, 'A'),
                                   std::string("garbage"), std::string("ctxg_AAAA")}) {
    SCOPED_TRACE(token);
    EXPECT_STATUS(Probe(token), absl::StatusCode::kUnauthenticated, kUnauthenticated);
  }
}

TEST_F(AuthTest, TruncatedOrExtendedValidTokenIsUnauthenticated) {
  const std::vector<std::string> tokens = {
      admin_token_.substr(0, admin_token_.size() - 1),
      admin_token_.substr(0, admin_token_.size() / 2),
      admin_token_ + "A",
      // Same length, last character changed.
      admin_token_.substr(0, admin_token_.size() - 1) + (admin_token_.back() == 'A' ? "B" : "A"),
  };
  for (const auto& token : tokens) {
    SCOPED_TRACE(token);
    EXPECT_STATUS(Probe(token), absl::StatusCode::kUnauthenticated, kUnauthenticated);
  }
}

TEST_F(AuthTest, UnauthenticatedCallerLearnsNothingFromInvalidRequests) {
  // Authentication runs before any validation or lookup: an invalid request,
  // an absent node and a present node all answer the same.
  v1::GetNodeResponse response;
  for (const std::string id : {"", "pub", "absent"}) {
    SCOPED_TRACE(id);
    EXPECT_STATUS(GetNode("", id, &response), absl::StatusCode::kUnauthenticated, kUnauthenticated);
  }
  v1::GetCommitResponse commit;
  EXPECT_STATUS(GetCommit("", 1, &commit), absl::StatusCode::kUnauthenticated, kUnauthenticated);
  v1::ListPrincipalsResponse principals;
  EXPECT_STATUS(Call(admin_.get(), &v1::AdminService::Stub::ListPrincipals, "",
                     v1::ListPrincipalsRequest(), &principals),
                absl::StatusCode::kUnauthenticated, kUnauthenticated);
}

TEST_F(AuthTest, UnauthenticatedWriteWritesNothing) {
  const uint64_t before = LatestVersion();
  v1::WriteResponse response;
  EXPECT_STATUS(Write("", {UpsertNode(MakeNode("sneaky"))}, &response),
                absl::StatusCode::kUnauthenticated, kUnauthenticated);
  EXPECT_STATUS(Write("ctxg_" + std::string(43, 'B'), {UpsertNode(MakeNode("sneaky"))}, &response),
                absl::StatusCode::kUnauthenticated, kUnauthenticated);
  EXPECT_EQ(LatestVersion(), before);
  v1::GetNodeResponse node;
  EXPECT_STATUS(GetNode(admin_token_, "sneaky", &node), absl::StatusCode::kNotFound,
                "node \"sneaky\" not found");
}

TEST_F(AuthTest, AnotherPrincipalsTokenActsAsThatPrincipal) {
  const std::string bob = CreatePrincipal("bob", {v1::ROLE_LOADER}, {});
  v1::WriteResponse written;
  ASSERT_OK(Write(bob, {UpsertNode(MakeNode("by-bob"))}, &written, "bob's load"));
  ASSERT_TRUE(written.committed());

  v1::GetNodeResponse node;
  ASSERT_OK(GetNode(admin_token_, "by-bob", &node));
  EXPECT_EQ(node.node().provenance().writer(), "bob");
  v1::GetCommitResponse commit;
  ASSERT_OK(GetCommit(bob, written.version(), &commit));
  EXPECT_EQ(commit.commit().principal(), "bob");
  EXPECT_EQ(commit.commit().description(), "bob's load");

  // Bob is a loader, not an admin: his token does not carry admin powers.
  v1::ListPrincipalsResponse principals;
  EXPECT_STATUS(Call(admin_.get(), &v1::AdminService::Stub::ListPrincipals, bob,
                     v1::ListPrincipalsRequest(), &principals),
                absl::StatusCode::kPermissionDenied, "ListPrincipals requires the admin role");
}

TEST_F(AuthTest, RevokedTokenFailsOnTheNextCall) {
  const std::string first = CreatePrincipal("bob", {v1::ROLE_AGENT}, {});
  const v1::IssueTokenResponse second = IssueToken("bob");
  ASSERT_OK(Probe(first));
  ASSERT_OK(Probe(second.token()));

  v1::ListTokensRequest list;
  list.set_principal_id("bob");
  v1::ListTokensResponse tokens;
  ASSERT_OK(Call(admin_.get(), &v1::AdminService::Stub::ListTokens, admin_token_, list, &tokens));
  ASSERT_EQ(tokens.tokens_size(), 2);
  std::string first_id;
  for (const auto& t : tokens.tokens()) {
    if (t.token_id() != second.token_id()) first_id = t.token_id();
  }
  ASSERT_FALSE(first_id.empty());

  v1::RevokeTokenRequest revoke;
  revoke.set_token_id(first_id);
  v1::RevokeTokenResponse revoked;
  ASSERT_OK(
      Call(admin_.get(), &v1::AdminService::Stub::RevokeToken, admin_token_, revoke, &revoked));

  EXPECT_STATUS(Probe(first), absl::StatusCode::kUnauthenticated, kUnauthenticated);
  ASSERT_OK(Probe(second.token()));  // the other token of bob still works

  // Revoking twice is fine and changes nothing.
  ASSERT_OK(
      Call(admin_.get(), &v1::AdminService::Stub::RevokeToken, admin_token_, revoke, &revoked));
  EXPECT_STATUS(Probe(first), absl::StatusCode::kUnauthenticated, kUnauthenticated);
}

TEST_F(AuthTest, RevokingTheAdminsOwnTokenLocksOutThatToken) {
  const std::string root = CreatePrincipal("root", {v1::ROLE_ADMIN}, {"*"});
  // The admin revokes its own token.
  RevokeOnlyToken("admin", admin_token_);
  EXPECT_STATUS(Probe(admin_token_), absl::StatusCode::kUnauthenticated, kUnauthenticated);
  ASSERT_OK(Probe(root));
}

TEST_F(AuthTest, SuspendedPrincipalFailsOnTheVeryNextCallAndResumeRestores) {
  const std::string bob = CreatePrincipal("bob", {v1::ROLE_LOADER}, {});
  const std::string bob2 = IssueToken("bob").token();
  ASSERT_OK(Probe(bob));

  v1::GetPrincipalRequest who;
  who.set_id("bob");
  v1::PrincipalResponse principal;
  ASSERT_OK(
      Call(admin_.get(), &v1::AdminService::Stub::SuspendPrincipal, admin_token_, who, &principal));
  EXPECT_EQ(principal.principal().status(), v1::PRINCIPAL_STATUS_SUSPENDED);

  // Every token of bob, on every RPC, answers exactly like an unknown token.
  EXPECT_STATUS(Probe(bob), absl::StatusCode::kUnauthenticated, kUnauthenticated);
  EXPECT_STATUS(Probe(bob2), absl::StatusCode::kUnauthenticated, kUnauthenticated);
  v1::WriteResponse written;
  EXPECT_STATUS(Write(bob, {UpsertNode(MakeNode("x"))}, &written),
                absl::StatusCode::kUnauthenticated, kUnauthenticated);

  ASSERT_OK(
      Call(admin_.get(), &v1::AdminService::Stub::ResumePrincipal, admin_token_, who, &principal));
  EXPECT_EQ(principal.principal().status(), v1::PRINCIPAL_STATUS_ACTIVE);
  ASSERT_OK(Probe(bob));
  ASSERT_OK(Probe(bob2));
  ASSERT_OK(Write(bob, {UpsertNode(MakeNode("x"))}, &written));
}

TEST_F(AuthTest, TwoAuthorizationHeadersAreUnauthenticated) {
  const std::string bob = CreatePrincipal("bob", {v1::ROLE_AGENT}, {});
  EXPECT_STATUS(ProbeWithHeaders({"Bearer " + admin_token_, "Bearer " + admin_token_}),
                absl::StatusCode::kUnauthenticated, kUnauthenticated);
  EXPECT_STATUS(ProbeWithHeaders({"Bearer " + admin_token_, "Bearer " + bob}),
                absl::StatusCode::kUnauthenticated, kUnauthenticated);
  EXPECT_STATUS(ProbeWithHeaders({"Bearer " + admin_token_, "Bearer ctxg_bogus"}),
                absl::StatusCode::kUnauthenticated, kUnauthenticated);
  EXPECT_STATUS(ProbeWithHeaders({"Bearer ctxg_bogus", "Bearer " + admin_token_}),
                absl::StatusCode::kUnauthenticated, kUnauthenticated);
}

TEST_F(AuthTest, WriteRequiresLoaderOrAdmin) {
  const uint64_t before = LatestVersion();
  for (v1::Role role : {v1::ROLE_AGENT, v1::ROLE_AUDITOR, v1::ROLE_STEWARD}) {
    const std::string id = "p" + std::to_string(role);
    const std::string token = CreatePrincipal(id, {role}, {"*"});
    SCOPED_TRACE(id);
    v1::WriteResponse response;
    EXPECT_STATUS(Write(token, {UpsertNode(MakeNode("x"))}, &response),
                  absl::StatusCode::kPermissionDenied, "Write requires the loader or admin role");
    // Role is checked before the batch is validated.
    EXPECT_STATUS(Write(token, std::vector<v1::WriteOp>{}, &response),
                  absl::StatusCode::kPermissionDenied, "Write requires the loader or admin role");
  }
  v1::GetNodeResponse node;
  EXPECT_STATUS(GetNode(admin_token_, "x", &node), absl::StatusCode::kNotFound,
                "node \"x\" not found");
  // Only the principal commits happened.
  EXPECT_EQ(LatestVersion(), before + 6);

  const std::string loader = CreatePrincipal("loader", {v1::ROLE_LOADER}, {});
  v1::WriteResponse response;
  ASSERT_OK(Write(loader, {UpsertNode(MakeNode("x"))}, &response));
  EXPECT_TRUE(response.committed());
}

TEST_F(AuthTest, EveryAdminRpcRequiresTheAdminRole) {
  CreatePrincipal("target", {v1::ROLE_AGENT}, {});
  for (v1::Role role : {v1::ROLE_AGENT, v1::ROLE_LOADER, v1::ROLE_AUDITOR, v1::ROLE_STEWARD}) {
    const std::string id = "p" + std::to_string(role);
    const std::string token = CreatePrincipal(id, {role}, {"*"});
    SCOPED_TRACE(id);
    auto* stub = admin_.get();
    using S = v1::AdminService::Stub;

    v1::CreatePrincipalRequest create;
    create.set_id("new");
    create.add_roles(v1::ROLE_ADMIN);
    v1::PrincipalResponse p;
    EXPECT_STATUS(Call(stub, &S::CreatePrincipal, token, create, &p),
                  absl::StatusCode::kPermissionDenied, "CreatePrincipal requires the admin role");

    v1::GetPrincipalRequest get;
    get.set_id("target");
    EXPECT_STATUS(Call(stub, &S::GetPrincipal, token, get, &p), absl::StatusCode::kPermissionDenied,
                  "GetPrincipal requires the admin role");

    v1::ListPrincipalsResponse list;
    EXPECT_STATUS(Call(stub, &S::ListPrincipals, token, v1::ListPrincipalsRequest(), &list),
                  absl::StatusCode::kPermissionDenied, "ListPrincipals requires the admin role");

    v1::SetRolesRequest roles;
    roles.set_id(id);  // not even for itself
    roles.add_roles(v1::ROLE_ADMIN);
    EXPECT_STATUS(Call(stub, &S::SetRoles, token, roles, &p), absl::StatusCode::kPermissionDenied,
                  "SetRoles requires the admin role");

    v1::SetClearancesRequest clearances;
    clearances.set_id(id);
    clearances.add_clearances("*");
    EXPECT_STATUS(Call(stub, &S::SetClearances, token, clearances, &p),
                  absl::StatusCode::kPermissionDenied, "SetClearances requires the admin role");

    EXPECT_STATUS(Call(stub, &S::SuspendPrincipal, token, get, &p),
                  absl::StatusCode::kPermissionDenied, "SuspendPrincipal requires the admin role");
    EXPECT_STATUS(Call(stub, &S::ResumePrincipal, token, get, &p),
                  absl::StatusCode::kPermissionDenied, "ResumePrincipal requires the admin role");

    v1::IssueTokenRequest issue;
    issue.set_principal_id(id);
    v1::IssueTokenResponse issued;
    EXPECT_STATUS(Call(stub, &S::IssueToken, token, issue, &issued),
                  absl::StatusCode::kPermissionDenied, "IssueToken requires the admin role");
    EXPECT_TRUE(issued.token().empty());

    v1::RevokeTokenRequest revoke;
    revoke.set_token_id("tok_whatever");
    v1::RevokeTokenResponse revoked;
    EXPECT_STATUS(Call(stub, &S::RevokeToken, token, revoke, &revoked),
                  absl::StatusCode::kPermissionDenied, "RevokeToken requires the admin role");

    v1::ListTokensRequest tokens;
    tokens.set_principal_id("admin");
    v1::ListTokensResponse listed;
    EXPECT_STATUS(Call(stub, &S::ListTokens, token, tokens, &listed),
                  absl::StatusCode::kPermissionDenied, "ListTokens requires the admin role");
  }
  // Nothing changed: "new" does not exist, "target" is active.
  v1::GetPrincipalRequest get;
  get.set_id("new");
  v1::PrincipalResponse p;
  EXPECT_STATUS(Call(admin_.get(), &v1::AdminService::Stub::GetPrincipal, admin_token_, get, &p),
                absl::StatusCode::kNotFound, "principal \"new\" not found");
  get.set_id("target");
  ASSERT_OK(Call(admin_.get(), &v1::AdminService::Stub::GetPrincipal, admin_token_, get, &p));
  EXPECT_EQ(p.principal().status(), v1::PRINCIPAL_STATUS_ACTIVE);
}

TEST_F(AuthTest, GetCommitDeniedToAgentOnly) {
  const uint64_t version = LatestVersion();
  const std::string agent = CreatePrincipal("agent", {v1::ROLE_AGENT}, {"*"});
  v1::GetCommitResponse commit;
  EXPECT_STATUS(GetCommit(agent, version, &commit), absl::StatusCode::kPermissionDenied,
                "GetCommit requires the auditor or steward or loader or admin role");
  EXPECT_FALSE(commit.has_commit());
  for (v1::Role role : {v1::ROLE_AUDITOR, v1::ROLE_STEWARD, v1::ROLE_LOADER}) {
    const std::string token = CreatePrincipal("p" + std::to_string(role), {role}, {"*"});
    SCOPED_TRACE(role);
    ASSERT_OK(GetCommit(token, version, &commit));
    EXPECT_EQ(commit.commit().version(), version);
  }
  // An agent that also holds auditor may read commits.
  const std::string both = CreatePrincipal("both", {v1::ROLE_AGENT, v1::ROLE_AUDITOR}, {"*"});
  ASSERT_OK(GetCommit(both, version, &commit));
}

TEST_F(AuthTest, GetCommitOfAnotherPrincipalNeedsEveryClearance) {
  // The admin's commit names a reason about a node the steward may not see.
  ASSERT_NE(DefineLabels({"team:eng", "pii"}), 0u);
  const uint64_t admins =
      AdminWrite({UpsertNode(MakeNode("merger", {"pii"}))}, "load the zebra merger memo");
  const std::string steward = CreatePrincipal("steward", {v1::ROLE_STEWARD}, {"team:eng"});
  const std::string loader = CreatePrincipal("loader", {v1::ROLE_LOADER}, {"team:eng"});
  v1::WriteResponse own;
  ASSERT_OK(Write(loader, {UpsertNode(MakeNode("mine", {"team:eng"}))}, &own, "loader's load"));
  for (const std::string& token : {steward, loader}) {
    v1::GetCommitResponse commit;
    const grpc::Status status = GetCommit(token, admins, &commit);
    EXPECT_STATUS(status, absl::StatusCode::kPermissionDenied,
                  "GetCommit requires clearance \"*\" for a commit another principal made");
    EXPECT_FALSE(commit.has_commit());
    EXPECT_EQ(status.error_message().find("zebra"), std::string::npos);
  }
  // Its own commit, the loader reads; a version that does not exist is
  // NOT_FOUND for everyone, as before.
  v1::GetCommitResponse commit;
  ASSERT_OK(GetCommit(loader, own.version(), &commit));
  EXPECT_EQ(commit.commit().description(), "loader's load");
  EXPECT_STATUS(GetCommit(steward, own.version() + 1, &commit), absl::StatusCode::kNotFound,
                absl::StrCat("commit ", own.version() + 1, " not found"));
  // Cleared for "*", any commit.
  const std::string chief = CreatePrincipal("chief", {v1::ROLE_STEWARD}, {"*"});
  ASSERT_OK(GetCommit(chief, admins, &commit));
  EXPECT_EQ(commit.commit().description(), "load the zebra merger memo");
}

TEST_F(AuthTest, RoleChangeTakesEffectOnTheNextCall) {
  const std::string bob = CreatePrincipal("bob", {v1::ROLE_AGENT}, {});
  v1::WriteResponse written;
  EXPECT_STATUS(Write(bob, {UpsertNode(MakeNode("x"))}, &written),
                absl::StatusCode::kPermissionDenied, "Write requires the loader or admin role");
  v1::SetRolesRequest roles;
  roles.set_id("bob");
  roles.add_roles(v1::ROLE_LOADER);
  v1::PrincipalResponse p;
  ASSERT_OK(Call(admin_.get(), &v1::AdminService::Stub::SetRoles, admin_token_, roles, &p));
  ASSERT_OK(Write(bob, {UpsertNode(MakeNode("x"))}, &written));
  roles.clear_roles();
  roles.add_roles(v1::ROLE_AGENT);
  ASSERT_OK(Call(admin_.get(), &v1::AdminService::Stub::SetRoles, admin_token_, roles, &p));
  EXPECT_STATUS(Write(bob, {UpsertNode(MakeNode("y"))}, &written),
                absl::StatusCode::kPermissionDenied, "Write requires the loader or admin role");
}

}  // namespace
}  // namespace ctxgraph::server
