// AdminService through real stubs: principals, roles, clearances, tokens, and
// the guard that keeps at least one active admin.
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <thread>

#include "absl/strings/str_cat.h"
#include "tests/server/server_test_fixture.h"

namespace ctxgraph::server {
namespace {

using ::google::protobuf::util::MessageDifferencer;
using S = v1::AdminService::Stub;

class AdminTest : public ServerTest {
 protected:
  grpc::Status Create(const std::string& id, const std::vector<int>& roles,
                      const std::vector<std::string>& clearances, v1::PrincipalResponse* out) {
    v1::CreatePrincipalRequest request;
    request.set_id(id);
    for (int r : roles) request.mutable_roles()->Add(r);
    for (const auto& c : clearances) request.add_clearances(c);
    return Call(admin_.get(), &S::CreatePrincipal, admin_token_, request, out);
  }
  grpc::Status Get(const std::string& id, v1::PrincipalResponse* out) {
    v1::GetPrincipalRequest request;
    request.set_id(id);
    return Call(admin_.get(), &S::GetPrincipal, admin_token_, request, out);
  }
  grpc::Status SetRoles(const std::string& id, const std::vector<int>& roles,
                        v1::PrincipalResponse* out, const std::string& token = "") {
    v1::SetRolesRequest request;
    request.set_id(id);
    for (int r : roles) request.mutable_roles()->Add(r);
    return Call(admin_.get(), &S::SetRoles, token.empty() ? admin_token_ : token, request, out);
  }
  grpc::Status Suspend(const std::string& id, v1::PrincipalResponse* out,
                       const std::string& token = "") {
    v1::GetPrincipalRequest request;
    request.set_id(id);
    return Call(admin_.get(), &S::SuspendPrincipal, token.empty() ? admin_token_ : token, request,
                out);
  }
  std::vector<std::string> PrincipalIds() {
    v1::ListPrincipalsResponse response;
    EXPECT_OK(Call(admin_.get(), &S::ListPrincipals, admin_token_, v1::ListPrincipalsRequest(),
                   &response));
    std::vector<std::string> ids;
    for (const auto& p : response.principals()) ids.push_back(p.id());
    return ids;
  }
};

TEST_F(AdminTest, BootstrapAdminExists) {
  v1::PrincipalResponse p;
  ASSERT_OK(Get("admin", &p));
  EXPECT_EQ(p.principal().id(), "admin");
  EXPECT_EQ(std::vector<int>(p.principal().roles().begin(), p.principal().roles().end()),
            std::vector<int>{v1::ROLE_ADMIN});
  EXPECT_EQ(std::vector<std::string>(p.principal().clearances().begin(),
                                     p.principal().clearances().end()),
            std::vector<std::string>{"*"});
  EXPECT_EQ(p.principal().status(), v1::PRINCIPAL_STATUS_ACTIVE);
  EXPECT_EQ(p.principal().version(), 1u);
  EXPECT_EQ(PrincipalIds(), std::vector<std::string>{"admin"});
}

TEST_F(AdminTest, CreateGetAndListPrincipals) {
  v1::PrincipalResponse created;
  // Roles and clearances come back sorted and deduplicated.
  ASSERT_OK(Create("zed", {v1::ROLE_LOADER, v1::ROLE_AGENT, v1::ROLE_LOADER},
                   {"team:*", "pii", "pii"}, &created));
  EXPECT_EQ(created.principal().id(), "zed");
  EXPECT_EQ(
      std::vector<int>(created.principal().roles().begin(), created.principal().roles().end()),
      (std::vector<int>{v1::ROLE_AGENT, v1::ROLE_LOADER}));
  EXPECT_EQ(std::vector<std::string>(created.principal().clearances().begin(),
                                     created.principal().clearances().end()),
            (std::vector<std::string>{"pii", "team:*"}));
  EXPECT_EQ(created.principal().status(), v1::PRINCIPAL_STATUS_ACTIVE);
  EXPECT_EQ(created.principal().version(), LatestVersion());

  v1::PrincipalResponse got;
  ASSERT_OK(Get("zed", &got));
  EXPECT_TRUE(MessageDifferencer::Equals(got, created)) << got.DebugString();

  // The change is a commit by the acting admin, describing what was done.
  v1::GetCommitResponse commit;
  ASSERT_OK(GetCommit(admin_token_, created.principal().version(), &commit));
  EXPECT_EQ(commit.commit().principal(), "admin");
  EXPECT_EQ(commit.commit().description(),
            "admin: create principal zed roles=agent,loader clearances=pii,team:*");

  ASSERT_OK(Create("amy", {v1::ROLE_AUDITOR}, {}, &created));
  ASSERT_OK(Create("bob", {v1::ROLE_STEWARD}, {"*"}, &created));
  EXPECT_EQ(PrincipalIds(), (std::vector<std::string>{"admin", "amy", "bob", "zed"}));

  EXPECT_STATUS(Get("nobody", &got), absl::StatusCode::kNotFound, "principal \"nobody\" not found");
}

TEST_F(AdminTest, DuplicateCreateIsAlreadyExists) {
  v1::PrincipalResponse p;
  ASSERT_OK(Create("bob", {v1::ROLE_AGENT}, {"pii"}, &p));
  const uint64_t before = LatestVersion();
  EXPECT_STATUS(Create("bob", {v1::ROLE_ADMIN}, {"*"}, &p), absl::StatusCode::kAlreadyExists,
                "principal \"bob\" already exists");
  EXPECT_STATUS(Create("admin", {v1::ROLE_AGENT}, {}, &p), absl::StatusCode::kAlreadyExists,
                "principal \"admin\" already exists");
  EXPECT_EQ(LatestVersion(), before);
  ASSERT_OK(Get("bob", &p));
  EXPECT_EQ(std::vector<int>(p.principal().roles().begin(), p.principal().roles().end()),
            std::vector<int>{v1::ROLE_AGENT});
}

TEST_F(AdminTest, InvalidClearanceIsInvalidArgumentNamingTheIndex) {
  v1::PrincipalResponse p;
  EXPECT_STATUS(Create("bob", {v1::ROLE_AGENT}, {""}, &p), absl::StatusCode::kInvalidArgument,
                "clearances[0]: must be 1..128 bytes, got 0");
  EXPECT_STATUS(Create("bob", {v1::ROLE_AGENT}, {"pii!"}, &p), absl::StatusCode::kInvalidArgument,
                "clearances[0]: \"pii!\" has a character outside [A-Za-z0-9_.:-]");
  EXPECT_STATUS(Create("bob", {v1::ROLE_AGENT}, {"pii", "team:**"}, &p),
                absl::StatusCode::kInvalidArgument,
                "clearances[1]: \"team:**\" has a character outside [A-Za-z0-9_.:-]");
  EXPECT_STATUS(Create("bob", {v1::ROLE_AGENT}, {":*"}, &p), absl::StatusCode::kInvalidArgument,
                "clearances[0]: \":*\" has a character outside [A-Za-z0-9_.:-]");
  EXPECT_STATUS(Create("bob", {v1::ROLE_AGENT}, {"team *"}, &p), absl::StatusCode::kInvalidArgument,
                "clearances[0]: \"team *\" has a character outside [A-Za-z0-9_.:-]");
  EXPECT_STATUS(Get("bob", &p), absl::StatusCode::kNotFound, "principal \"bob\" not found");

  // The same rule for SetClearances.
  ASSERT_OK(Create("bob", {v1::ROLE_AGENT}, {"pii"}, &p));
  v1::SetClearancesRequest set;
  set.set_id("bob");
  set.add_clearances("ok");
  set.add_clearances("not ok");
  EXPECT_STATUS(Call(admin_.get(), &S::SetClearances, admin_token_, set, &p),
                absl::StatusCode::kInvalidArgument,
                "clearances[1]: \"not ok\" has a character outside [A-Za-z0-9_.:-]");
  ASSERT_OK(Get("bob", &p));
  EXPECT_EQ(std::vector<std::string>(p.principal().clearances().begin(),
                                     p.principal().clearances().end()),
            std::vector<std::string>{"pii"});
}

TEST_F(AdminTest, InvalidRolesAndIds) {
  v1::PrincipalResponse p;
  EXPECT_STATUS(Create("bob", {9}, {}, &p), absl::StatusCode::kInvalidArgument,
                "roles[0]: unknown role 9");
  EXPECT_STATUS(Create("bob", {v1::ROLE_AGENT, -1}, {}, &p), absl::StatusCode::kInvalidArgument,
                "roles[1]: unknown role -1");
  EXPECT_STATUS(Create("bob", {v1::ROLE_UNSPECIFIED}, {}, &p), absl::StatusCode::kInvalidArgument,
                "roles[0]: unknown role 0");
  EXPECT_STATUS(Create("bob", {}, {}, &p), absl::StatusCode::kInvalidArgument,
                "roles: at least one role is required");
  EXPECT_STATUS(Create("", {v1::ROLE_AGENT}, {}, &p), absl::StatusCode::kInvalidArgument,
                "id: must be 1..256 bytes, got 0");
  EXPECT_STATUS(Create(std::string(257, 'x'), {v1::ROLE_AGENT}, {}, &p),
                absl::StatusCode::kInvalidArgument, "id: must be 1..256 bytes, got 257");
  EXPECT_STATUS(Create("a\nb", {v1::ROLE_AGENT}, {}, &p), absl::StatusCode::kInvalidArgument,
                "id: \"a\\x0ab\" contains a control character");
  EXPECT_EQ(PrincipalIds(), std::vector<std::string>{"admin"});

  ASSERT_OK(Create("bob", {v1::ROLE_AGENT}, {}, &p));
  EXPECT_STATUS(SetRoles("bob", {42}, &p), absl::StatusCode::kInvalidArgument,
                "roles[0]: unknown role 42");
  EXPECT_STATUS(SetRoles("bob", {}, &p), absl::StatusCode::kInvalidArgument,
                "roles: at least one role is required");
  EXPECT_STATUS(SetRoles("nobody", {v1::ROLE_AGENT}, &p), absl::StatusCode::kNotFound,
                "principal \"nobody\" not found");
}

TEST_F(AdminTest, LastActiveAdminCannotBeDemotedOrSuspended) {
  v1::PrincipalResponse p;
  const uint64_t before = LatestVersion();
  EXPECT_STATUS(SetRoles("admin", {v1::ROLE_LOADER}, &p), absl::StatusCode::kFailedPrecondition,
                "principal \"admin\" is the last active admin");
  EXPECT_STATUS(Suspend("admin", &p), absl::StatusCode::kFailedPrecondition,
                "principal \"admin\" is the last active admin");
  EXPECT_EQ(LatestVersion(), before);
  // Keeping the admin role while adding another is fine.
  ASSERT_OK(SetRoles("admin", {v1::ROLE_ADMIN, v1::ROLE_LOADER}, &p));

  // A suspended second admin does not count as active.
  ASSERT_OK(Create("root", {v1::ROLE_ADMIN}, {"*"}, &p));
  ASSERT_OK(Suspend("root", &p));
  EXPECT_STATUS(SetRoles("admin", {v1::ROLE_LOADER}, &p), absl::StatusCode::kFailedPrecondition,
                "principal \"admin\" is the last active admin");

  // With two active admins, one may go; then the other is the last.
  v1::GetPrincipalRequest resume;
  resume.set_id("root");
  ASSERT_OK(Call(admin_.get(), &S::ResumePrincipal, admin_token_, resume, &p));
  const std::string root = IssueToken("root").token();
  ASSERT_OK(SetRoles("admin", {v1::ROLE_LOADER}, &p, root));
  EXPECT_STATUS(Suspend("root", &p, root), absl::StatusCode::kFailedPrecondition,
                "principal \"root\" is the last active admin");
  EXPECT_STATUS(SetRoles("root", {v1::ROLE_AGENT}, &p, root), absl::StatusCode::kFailedPrecondition,
                "principal \"root\" is the last active admin");
  // The demoted bootstrap admin has lost admin powers on its next call.
  EXPECT_STATUS(Get("root", &p), absl::StatusCode::kPermissionDenied,
                "GetPrincipal requires the admin role");
}

TEST_F(AdminTest, IssueAndListTokensNeverExposeASecret) {
  v1::PrincipalResponse p;
  ASSERT_OK(Create("bob", {v1::ROLE_AGENT}, {}, &p));
  const v1::IssueTokenResponse t1 = IssueToken("bob");
  const v1::IssueTokenResponse t2 = IssueToken("bob");
  for (const auto& t : {t1, t2}) {
    EXPECT_EQ(t.token().rfind("ctxg_", 0), 0u);
    EXPECT_EQ(t.token().size(), 48u);
    EXPECT_EQ(t.token_id().rfind("tok_", 0), 0u);
  }
  EXPECT_NE(t1.token(), t2.token());
  EXPECT_NE(t1.token_id(), t2.token_id());

  v1::RevokeTokenRequest revoke;
  revoke.set_token_id(t1.token_id());
  v1::RevokeTokenResponse revoked;
  ASSERT_OK(Call(admin_.get(), &S::RevokeToken, admin_token_, revoke, &revoked));

  v1::ListTokensRequest list;
  list.set_principal_id("bob");
  v1::ListTokensResponse tokens;
  ASSERT_OK(Call(admin_.get(), &S::ListTokens, admin_token_, list, &tokens));
  ASSERT_EQ(tokens.tokens_size(), 2);
  std::map<std::string, bool> revoked_by_id;
  for (const auto& t : tokens.tokens()) {
    EXPECT_EQ(t.principal_id(), "bob");
    EXPECT_GT(t.created().seconds(), 1600000000);
    revoked_by_id[t.token_id()] = t.revoked();
  }
  EXPECT_EQ(revoked_by_id,
            (std::map<std::string, bool>{{t1.token_id(), true}, {t2.token_id(), false}}));

  // No secret, nor any recognizable part of one, anywhere in the response.
  v1::ListTokensRequest admin_list;
  admin_list.set_principal_id("admin");
  v1::ListTokensResponse admin_tokens;
  ASSERT_OK(Call(admin_.get(), &S::ListTokens, admin_token_, admin_list, &admin_tokens));
  EXPECT_EQ(admin_tokens.tokens_size(), 1);
  for (const auto* response : {&tokens, &admin_tokens}) {
    const std::string bytes = response->SerializeAsString();
    const std::string text = response->DebugString();
    for (const std::string& secret : {t1.token(), t2.token(), admin_token_}) {
      const std::string body = secret.substr(5);
      for (const std::string& haystack : {bytes, text}) {
        EXPECT_EQ(haystack.find(body.substr(0, 12)), std::string::npos);
        EXPECT_EQ(haystack.find(body.substr(body.size() - 12)), std::string::npos);
      }
    }
    EXPECT_EQ(text.find("ctxg_"), std::string::npos);
  }

  // A principal with no tokens lists none.
  ASSERT_OK(Create("carol", {v1::ROLE_AGENT}, {}, &p));
  list.set_principal_id("carol");
  ASSERT_OK(Call(admin_.get(), &S::ListTokens, admin_token_, list, &tokens));
  EXPECT_EQ(tokens.tokens_size(), 0);
}

TEST_F(AdminTest, ATokenWithALifetimeSaysWhenItExpiresAndThenStopsSigningIn) {
  v1::PrincipalResponse p;
  ASSERT_OK(Create("bob", {v1::ROLE_AGENT}, {}, &p));
  v1::IssueTokenRequest issue;
  issue.set_principal_id("bob");
  issue.set_ttl_seconds(3600);
  v1::IssueTokenResponse hour;
  ASSERT_OK(Call(admin_.get(), &S::IssueToken, admin_token_, issue, &hour));
  issue.set_ttl_seconds(1);
  v1::IssueTokenResponse second;
  ASSERT_OK(Call(admin_.get(), &S::IssueToken, admin_token_, issue, &second));
  const v1::IssueTokenResponse forever = IssueToken("bob");
  EXPECT_FALSE(forever.has_expires());

  v1::ListTokensRequest list;
  list.set_principal_id("bob");
  v1::ListTokensResponse tokens;
  ASSERT_OK(Call(admin_.get(), &S::ListTokens, admin_token_, list, &tokens));
  ASSERT_EQ(tokens.tokens_size(), 3);
  std::map<std::string, v1::TokenInfo> by_id;
  for (const auto& t : tokens.tokens()) by_id[t.token_id()] = t;
  const v1::TokenInfo& h = by_id[hour.token_id()];
  EXPECT_EQ(h.expires().seconds() - h.created().seconds(), 3600);
  EXPECT_EQ(h.expires().nanos(), h.created().nanos());
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(h.expires(), hour.expires()));
  EXPECT_FALSE(h.expired());
  EXPECT_FALSE(by_id[forever.token_id()].has_expires());
  EXPECT_FALSE(by_id[forever.token_id()].expired());

  // The one-second token stops signing in, with the answer any bad token gets.
  v1::GetNodeResponse node;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  grpc::Status s;
  do {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    s = GetNode(second.token(), "x", &node);
  } while (s.error_code() == grpc::StatusCode::NOT_FOUND &&
           std::chrono::steady_clock::now() < deadline);
  EXPECT_STATUS(s, absl::StatusCode::kUnauthenticated, "invalid or missing bearer token");
  EXPECT_STATUS(GetNode(hour.token(), "x", &node), absl::StatusCode::kNotFound,
                "node \"x\" not found");
  ASSERT_OK(Call(admin_.get(), &S::ListTokens, admin_token_, list, &tokens));
  for (const auto& t : tokens.tokens()) {
    EXPECT_EQ(t.expired(), t.token_id() == second.token_id()) << t.token_id();
  }

  issue.set_ttl_seconds(-5);
  v1::IssueTokenResponse refused;
  EXPECT_STATUS(Call(admin_.get(), &S::IssueToken, admin_token_, issue, &refused),
                absl::StatusCode::kInvalidArgument,
                "ttl_seconds: must be 0..316224000 (0: never expires), got -5");
  EXPECT_TRUE(refused.token().empty());
}

TEST_F(AdminTest, TokenErrors) {
  v1::IssueTokenRequest issue;
  issue.set_principal_id("nobody");
  v1::IssueTokenResponse issued;
  EXPECT_STATUS(Call(admin_.get(), &S::IssueToken, admin_token_, issue, &issued),
                absl::StatusCode::kNotFound, "principal \"nobody\" not found");
  EXPECT_TRUE(issued.token().empty());

  v1::RevokeTokenRequest revoke;
  revoke.set_token_id("tok_nothere");
  v1::RevokeTokenResponse revoked;
  EXPECT_STATUS(Call(admin_.get(), &S::RevokeToken, admin_token_, revoke, &revoked),
                absl::StatusCode::kNotFound, "token \"tok_nothere\" not found");
  revoke.set_token_id("");
  EXPECT_STATUS(Call(admin_.get(), &S::RevokeToken, admin_token_, revoke, &revoked),
                absl::StatusCode::kInvalidArgument, "token_id: must be 1..64 bytes");
  // A secret is not a token id.
  revoke.set_token_id(admin_token_);
  EXPECT_STATUS(Call(admin_.get(), &S::RevokeToken, admin_token_, revoke, &revoked),
                absl::StatusCode::kNotFound, "token \"" + admin_token_ + "\" not found");
}

TEST_F(AdminTest, SuspendAndResumeReportStatus) {
  v1::PrincipalResponse p;
  ASSERT_OK(Create("bob", {v1::ROLE_AGENT}, {}, &p));
  ASSERT_OK(Suspend("bob", &p));
  EXPECT_EQ(p.principal().status(), v1::PRINCIPAL_STATUS_SUSPENDED);
  ASSERT_OK(Get("bob", &p));
  EXPECT_EQ(p.principal().status(), v1::PRINCIPAL_STATUS_SUSPENDED);
  EXPECT_STATUS(Suspend("nobody", &p), absl::StatusCode::kNotFound,
                "principal \"nobody\" not found");
}

}  // namespace
}  // namespace ctxgraph::server
