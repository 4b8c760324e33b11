#include "query/authenticator.h"

#include <gtest/gtest.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "query/principal_admin.h"
#include "storage/keys.h"
#include "tests/storage/temp_dir.h"
#include "tests/test_macros.h"

namespace ctxgraph {
namespace {

class AuthenticatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = Database::Open(dir_.path(), DatabaseOptions{});
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(*db);
    principals_ = std::make_unique<PrincipalStore>(db_.get());
    auth_ = std::make_unique<Authenticator>(principals_.get());
    ASSERT_OK_AND_ASSIGN(bool created,
                         PrincipalAdmin::Bootstrap(*principals_, [&](const std::string& t) {
                           admin_token_ = t;
                           return absl::OkStatus();
                         }));
    ASSERT_TRUE(created);
  }

  absl::StatusOr<Caller> Auth(const std::string& header) { return auth_->Authenticate(header); }

  // The id of the one token bootstrap issued "admin" (a test failure if it
  // holds more or none).
  std::string BootstrapTokenId(PrincipalAdmin& ops, const Caller& admin) {
    absl::StatusOr<std::vector<TokenRecord>> tokens = ops.ListTokens(admin, "admin");
    EXPECT_TRUE(tokens.ok()) << tokens.status();
    if (!tokens.ok() || tokens->size() != 1) {
      ADD_FAILURE() << "admin holds " << (tokens.ok() ? tokens->size() : 0) << " tokens";
      return "";
    }
    return (*tokens)[0].token_id;
  }

  TempDir dir_;
  std::unique_ptr<Database> db_;
  std::unique_ptr<PrincipalStore> principals_;
  std::unique_ptr<Authenticator> auth_;
  std::string admin_token_;
};

TEST_F(AuthenticatorTest, BootstrapTokenAuthenticatesAsAdminWithEverything) {
  ASSERT_OK_AND_ASSIGN(Caller c, Auth("Bearer " + admin_token_));
  EXPECT_EQ(c.principal.id, "admin");
  EXPECT_TRUE(c.HasRole(Role::kAdmin));
  EXPECT_TRUE(c.policy.CanSee(std::vector<std::string>{"pii", "team:x"}));
  // A second bootstrap does nothing.
  ASSERT_OK_AND_ASSIGN(bool again, PrincipalAdmin::Bootstrap(*principals_, [](const std::string&) {
                         return absl::InternalError("must not be called");
                       }));
  EXPECT_FALSE(again);
}

TEST_F(AuthenticatorTest, EveryBadTokenGetsTheSameAnswer) {
  const std::string message = "invalid or missing bearer token";
  for (const std::string& header :
       {std::string(""), std::string("Bearer "), std::string("Basic abc"), admin_token_,
        "Bearer " + admin_token_.substr(0, admin_token_.size() - 1), "Bearer " + admin_token_ + "x",
        "Bearer ctxg_" + std::string(43, 'A'), "Bearer " + std::string(10000, 'x')}) {
    SCOPED_TRACE(header.size());
    EXPECT_STATUS(Auth(header), absl::StatusCode::kUnauthenticated, message);
  }
}

TEST_F(AuthenticatorTest, SchemeNameIsCaseInsensitive) {
  ASSERT_OK(Auth("bearer " + admin_token_));
  ASSERT_OK(Auth("BEARER " + admin_token_));
  // The token itself is not.
  std::string upper = admin_token_;
  for (char& c : upper) c = static_cast<char>(std::toupper(c));
  EXPECT_EQ(Auth("Bearer " + upper).status().code(), absl::StatusCode::kUnauthenticated);
}

TEST_F(AuthenticatorTest, RevocationAndSuspensionTakeEffectOnTheNextCall) {
  ASSERT_OK_AND_ASSIGN(Caller admin, Auth("Bearer " + admin_token_));
  PrincipalAdmin ops(*principals_);
  ASSERT_OK(ops.Create(admin, "alice", {Role::kAgent}, {"team:eng"}));
  ASSERT_OK_AND_ASSIGN(IssuedToken t1, ops.IssueToken(admin, "alice"));
  ASSERT_OK_AND_ASSIGN(IssuedToken t2, ops.IssueToken(admin, "alice"));
  EXPECT_NE(t1.secret, t2.secret);
  EXPECT_GE(t1.secret.size(), 5u + 43u);  // 256 bits of base64url
  ASSERT_OK_AND_ASSIGN(Caller alice, Auth("Bearer " + t1.secret));
  EXPECT_EQ(alice.principal.id, "alice");

  ASSERT_OK(ops.RevokeToken(admin, t1.token_id));
  EXPECT_EQ(Auth("Bearer " + t1.secret).status().code(), absl::StatusCode::kUnauthenticated);
  ASSERT_OK(Auth("Bearer " + t2.secret));

  ASSERT_OK(ops.SetStatus(admin, "alice", PrincipalStatus::kSuspended));
  EXPECT_EQ(Auth("Bearer " + t2.secret).status().code(), absl::StatusCode::kUnauthenticated);
  ASSERT_OK(ops.SetStatus(admin, "alice", PrincipalStatus::kActive));
  ASSERT_OK(Auth("Bearer " + t2.secret));

  // Stored tokens hold only the hash.
  ASSERT_OK_AND_ASSIGN(auto tokens, ops.ListTokens(admin, "alice"));
  ASSERT_EQ(tokens.size(), 2u);
  for (const auto& t : tokens)
    EXPECT_EQ(t.token_hash, HashToken(t.token_id == t1.token_id ? t1.secret : t2.secret));
}

TEST_F(AuthenticatorTest, TheLastActiveAdminCannotBeRemoved) {
  ASSERT_OK_AND_ASSIGN(Caller admin, Auth("Bearer " + admin_token_));
  PrincipalAdmin ops(*principals_);
  EXPECT_STATUS(ops.SetStatus(admin, "admin", PrincipalStatus::kSuspended),
                absl::StatusCode::kFailedPrecondition,
                "principal \"admin\" is the last active admin");
  EXPECT_STATUS(ops.SetRoles(admin, "admin", {Role::kAgent}), absl::StatusCode::kFailedPrecondition,
                "principal \"admin\" is the last active admin");
  ASSERT_OK(ops.Create(admin, "admin2", {Role::kAdmin}, {}));
  // admin2 has no token: with admin gone, no one could sign in to administer.
  EXPECT_STATUS(
      ops.SetStatus(admin, "admin", PrincipalStatus::kSuspended),
      absl::StatusCode::kFailedPrecondition,
      "principal \"admin\" is the last active admin holding an unrevoked token without expiry");
  EXPECT_STATUS(
      ops.SetRoles(admin, "admin", {Role::kAgent}), absl::StatusCode::kFailedPrecondition,
      "principal \"admin\" is the last active admin holding an unrevoked token without expiry");
  ASSERT_OK(ops.IssueToken(admin, "admin2").status());
  ASSERT_OK(ops.SetRoles(admin, "admin", {Role::kAgent}));
}

TEST_F(AuthenticatorTest, TheLastTokenOfAnActiveAdminCannotBeRevoked) {
  ASSERT_OK_AND_ASSIGN(Caller admin, Auth("Bearer " + admin_token_));
  PrincipalAdmin ops(*principals_);
  const std::string first = BootstrapTokenId(ops, admin);
  const std::string refused = absl::StrCat(
      "token \"", first, "\" is the last unrevoked token without expiry of an active admin");
  EXPECT_STATUS(ops.RevokeToken(admin, first), absl::StatusCode::kFailedPrecondition, refused);
  ASSERT_OK(Auth("Bearer " + admin_token_));
  // Another active admin's token does not count while that admin is
  // suspended; once it is active, or admin has a second token, it does.
  ASSERT_OK(ops.Create(admin, "admin2", {Role::kAdmin}, {}));
  ASSERT_OK(ops.IssueToken(admin, "admin2").status());
  ASSERT_OK(ops.SetStatus(admin, "admin2", PrincipalStatus::kSuspended));
  EXPECT_STATUS(ops.RevokeToken(admin, first), absl::StatusCode::kFailedPrecondition, refused);
  ASSERT_OK_AND_ASSIGN(IssuedToken second, ops.IssueToken(admin, "admin"));
  ASSERT_OK(ops.RevokeToken(admin, first));
  EXPECT_EQ(Auth("Bearer " + admin_token_).status().code(), absl::StatusCode::kUnauthenticated);
  ASSERT_OK_AND_ASSIGN(admin, Auth("Bearer " + second.secret));
  EXPECT_STATUS(ops.RevokeToken(admin, second.token_id), absl::StatusCode::kFailedPrecondition,
                absl::StrCat("token \"", second.token_id,
                             "\" is the last unrevoked token without expiry of an active admin"));
}

TEST_F(AuthenticatorTest, ATokenStopsSigningInAtItsExpiryCachedOrNot) {
  ASSERT_OK_AND_ASSIGN(Caller admin, Auth("Bearer " + admin_token_));
  PrincipalAdmin ops(*principals_);
  ASSERT_OK(ops.Create(admin, "alice", {Role::kAgent}, {"team:eng"}));
  TokenRecord record;
  ASSERT_OK_AND_ASSIGN(IssuedToken t, ops.IssueToken(admin, "alice", 3600, &record));
  EXPECT_EQ(record.expires.micros, record.created.micros + int64_t{3600} * 1000000);
  ASSERT_OK_AND_ASSIGN(auto listed, ops.ListTokens(admin, "alice"));
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].expires, record.expires);

  Timestamp now{record.expires.micros - 1};
  const Authenticator clocked(principals_.get(), [&] { return now; });
  const std::string header = "Bearer " + t.secret;
  std::string reason;
  ASSERT_OK_AND_ASSIGN(Caller alice, clocked.Authenticate(header, &reason));
  EXPECT_EQ(alice.token_expires, record.expires);
  ASSERT_OK(clocked.Authenticate(header));  // from the cache
  ASSERT_OK(clocked.Verify(alice));
  now = record.expires;
  EXPECT_STATUS(clocked.Authenticate(header, &reason), absl::StatusCode::kUnauthenticated,
                "invalid or missing bearer token");
  EXPECT_EQ(reason, "expired token " + t.token_id);
  EXPECT_STATUS(clocked.Verify(alice), absl::StatusCode::kUnauthenticated,
                "invalid or missing bearer token");
  // The bootstrap token never expires.
  now = Timestamp{record.expires.micros + int64_t{100} * 365 * 24 * 3600 * 1000000};
  ASSERT_OK(clocked.Authenticate("Bearer " + admin_token_));
}

TEST_F(AuthenticatorTest, ATokenLifetimeIsZeroOrUpToTenYears) {
  ASSERT_OK_AND_ASSIGN(Caller admin, Auth("Bearer " + admin_token_));
  PrincipalAdmin ops(*principals_);
  const std::string bad = "ttl_seconds: must be 0..316224000 (0: never expires), got ";
  EXPECT_STATUS(ops.IssueToken(admin, "admin", -1), absl::StatusCode::kInvalidArgument, bad + "-1");
  EXPECT_STATUS(ops.IssueToken(admin, "admin", kMaxTokenTtlSeconds + 1),
                absl::StatusCode::kInvalidArgument, bad + "316224001");
  ASSERT_OK_AND_ASSIGN(auto tokens, ops.ListTokens(admin, "admin"));
  EXPECT_EQ(tokens.size(), 1u);  // nothing issued
  TokenRecord record;
  ASSERT_OK(ops.IssueToken(admin, "admin", kMaxTokenTtlSeconds, &record).status());
  EXPECT_EQ(record.expires.micros - record.created.micros, kMaxTokenTtlSeconds * 1000000);
  ASSERT_OK(ops.IssueToken(admin, "admin", 0, &record).status());
  EXPECT_EQ(record.expires.micros, 0);
}

// An admin's expiring token will not let anyone administer once it expires:
// it never counts as the admin that keeps the server administrable.
TEST_F(AuthenticatorTest, AnExpiringTokenDoesNotKeepTheServerAdministrable) {
  ASSERT_OK_AND_ASSIGN(Caller admin, Auth("Bearer " + admin_token_));
  PrincipalAdmin ops(*principals_);
  const std::string first = BootstrapTokenId(ops, admin);
  ASSERT_OK(ops.IssueToken(admin, "admin", 3600).status());
  ASSERT_OK(ops.Create(admin, "admin2", {Role::kAdmin}, {}));
  ASSERT_OK(ops.IssueToken(admin, "admin2", 3600).status());
  EXPECT_STATUS(ops.RevokeToken(admin, first), absl::StatusCode::kFailedPrecondition,
                absl::StrCat("token \"", first,
                             "\" is the last unrevoked token without expiry of an active admin"));
  EXPECT_STATUS(ops.SetRoles(admin, "admin", {Role::kAgent}), absl::StatusCode::kFailedPrecondition,
                "principal \"admin\" is the last active admin holding an unrevoked token without "
                "expiry");
  ASSERT_OK(ops.IssueToken(admin, "admin2", 0).status());
  ASSERT_OK(ops.RevokeToken(admin, first));
}

TEST(BootstrapTest, ABootstrapStoppedBetweenItsTwoCommitsCompletesOnTheNextStart) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Database> db, Database::Open(dir.path(), DatabaseOptions{}));
  PrincipalStore store(db.get());
  // The first of bootstrap's commits, as a crash would leave it.
  ASSERT_OK(
      store
          .Update(kBootstrapAdminId, "system", {"admin.create_principal", "bootstrap"},
                  [](std::optional<PrincipalRecord>& p) {
                    p = PrincipalRecord{
                        kBootstrapAdminId, {Role::kAdmin}, {"*"}, PrincipalStatus::kActive, 0};
                    return absl::OkStatus();
                  })
          .status());
  std::string token;
  ASSERT_OK_AND_ASSIGN(bool bootstrapped,
                       PrincipalAdmin::Bootstrap(store, [&](const std::string& t) {
                         token = t;
                         return absl::OkStatus();
                       }));
  EXPECT_TRUE(bootstrapped);
  Authenticator auth(&store);
  ASSERT_OK_AND_ASSIGN(Caller admin, auth.Authenticate("Bearer " + token));
  EXPECT_EQ(admin.principal.id, "admin");
  ASSERT_OK_AND_ASSIGN(bool again, PrincipalAdmin::Bootstrap(store, [](const std::string&) {
                         return absl::InternalError("must not be called");
                       }));
  EXPECT_FALSE(again);
}

TEST_F(AuthenticatorTest, NonAdminsCannotAdminister) {
  ASSERT_OK_AND_ASSIGN(Caller admin, Auth("Bearer " + admin_token_));
  PrincipalAdmin ops(*principals_);
  ASSERT_OK(ops.Create(admin, "loader", {Role::kLoader}, {"*"}));
  ASSERT_OK_AND_ASSIGN(IssuedToken t, ops.IssueToken(admin, "loader"));
  ASSERT_OK_AND_ASSIGN(Caller loader, Auth("Bearer " + t.secret));
  EXPECT_STATUS(ops.Create(loader, "x", {Role::kAdmin}, {}), absl::StatusCode::kPermissionDenied,
                "CreatePrincipal requires the admin role");
  EXPECT_STATUS(ops.IssueToken(loader, "admin"), absl::StatusCode::kPermissionDenied,
                "IssueToken requires the admin role");
}

// A caller is authenticated when its call starts, and its change commits
// later, once the commit lock is its: a suspension, revocation or role
// change committed in between must stop it there.
TEST_F(AuthenticatorTest, AnAdminSuspendedOrRevokedAfterSigningInCommitsNothing) {
  ASSERT_OK_AND_ASSIGN(Caller admin, Auth("Bearer " + admin_token_));
  PrincipalAdmin ops(*principals_);
  ASSERT_OK(ops.Create(admin, "admin2", {Role::kAdmin}, {"*"}));
  ASSERT_OK_AND_ASSIGN(IssuedToken t2, ops.IssueToken(admin, "admin2"));
  ASSERT_OK_AND_ASSIGN(IssuedToken t2b, ops.IssueToken(admin, "admin2"));
  ASSERT_OK_AND_ASSIGN(const Caller suspended, Auth("Bearer " + t2.secret));
  ASSERT_OK_AND_ASSIGN(const Caller revoked, Auth("Bearer " + t2b.secret));
  ASSERT_OK(ops.RevokeToken(admin, t2b.token_id));
  ASSERT_OK(ops.SetStatus(admin, "admin2", PrincipalStatus::kSuspended));
  const uint64_t version = db_->LatestVersion();
  for (const Caller* stale : {&suspended, &revoked}) {
    EXPECT_STATUS(ops.Create(*stale, "backdoor", {Role::kAdmin}, {"*"}),
                  absl::StatusCode::kUnauthenticated, "invalid or missing bearer token");
    EXPECT_STATUS(ops.IssueToken(*stale, "admin2"), absl::StatusCode::kUnauthenticated,
                  "invalid or missing bearer token");
    EXPECT_STATUS(ops.SetRoles(*stale, "admin", {Role::kAgent}), absl::StatusCode::kUnauthenticated,
                  "invalid or missing bearer token");
    EXPECT_STATUS(ops.RevokeToken(*stale, t2.token_id), absl::StatusCode::kUnauthenticated,
                  "invalid or missing bearer token");
  }
  EXPECT_EQ(db_->LatestVersion(), version);
  ASSERT_OK_AND_ASSIGN(std::vector<PrincipalRecord> all, ops.List(admin));
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[1].id, "admin2");
  EXPECT_EQ(all[1].status, PrincipalStatus::kSuspended);
}

TEST_F(AuthenticatorTest, AnAdminWhoseRolesChangedAfterSigningInCommitsNothing) {
  ASSERT_OK_AND_ASSIGN(Caller admin, Auth("Bearer " + admin_token_));
  PrincipalAdmin ops(*principals_);
  ASSERT_OK(ops.Create(admin, "admin2", {Role::kAdmin}, {"*"}));
  ASSERT_OK_AND_ASSIGN(IssuedToken t2, ops.IssueToken(admin, "admin2"));
  ASSERT_OK_AND_ASSIGN(const Caller demoted, Auth("Bearer " + t2.secret));
  ASSERT_OK(ops.SetRoles(admin, "admin2", {Role::kAgent}));
  const uint64_t version = db_->LatestVersion();
  EXPECT_STATUS(ops.Create(demoted, "backdoor", {Role::kAdmin}, {"*"}),
                absl::StatusCode::kPermissionDenied,
                "the caller's roles or clearances changed since the call began; send it again");
  EXPECT_EQ(db_->LatestVersion(), version);
  // A rewrite to the very same roles and clearances changes nothing.
  ASSERT_OK(ops.SetRoles(admin, "admin2", {Role::kAdmin}));
  ASSERT_OK_AND_ASSIGN(const Caller again, Auth("Bearer " + t2.secret));
  ASSERT_OK(ops.SetClearances(admin, "admin2", {"*"}));
  ASSERT_OK(ops.Create(again, "ok", {Role::kAgent}, {}));
}

// Two admins each read bob's clearances, edit them and write them back:
// the second write, made at the version it read, must not undo the first.
TEST_F(AuthenticatorTest, ClearancesWrittenAtAStaleVersionAreRefused) {
  ASSERT_OK_AND_ASSIGN(Caller admin, Auth("Bearer " + admin_token_));
  PrincipalAdmin ops(*principals_);
  ASSERT_OK_AND_ASSIGN(PrincipalRecord read, ops.Create(admin, "bob", {Role::kAgent}, {"pii"}));
  ASSERT_OK(ops.SetClearances(admin, "bob", {}, read.version));  // the first admin removes pii
  const uint64_t version = db_->LatestVersion();
  EXPECT_STATUS(ops.SetClearances(admin, "bob", {"pii", "team:eng"}, read.version),
                absl::StatusCode::kFailedPrecondition,
                absl::StrCat("expected_version: principal \"bob\" changed since version ",
                             read.version, " (it is at ", version, "); read it again"));
  EXPECT_EQ(db_->LatestVersion(), version);
  ASSERT_OK_AND_ASSIGN(PrincipalRecord now, ops.Get(admin, "bob"));
  EXPECT_TRUE(now.clearances.empty());
  ASSERT_OK(ops.SetClearances(admin, "bob", {"team:eng"}, now.version));
  ASSERT_OK(ops.SetClearances(admin, "bob", {"team:eng", "x"}, 0));  // 0: unconditional
}

TEST_F(AuthenticatorTest, ANewPrincipalsIdIsPlainAsciiAndNotTheServersOwn) {
  ASSERT_OK_AND_ASSIGN(Caller admin, Auth("Bearer " + admin_token_));
  PrincipalAdmin ops(*principals_);
  EXPECT_STATUS(ops.Create(admin, "system", {Role::kAdmin}, {"*"}),
                absl::StatusCode::kInvalidArgument,
                "id: \"system\" is reserved for the server's own commits");
  for (const std::string& id : {std::string("p x=1"),
                                std::string("\xD0\xB0"
                                            "dmin"),
                                std::string("x\xE2\x80\x8By"),
                                std::string("a\xE2\x80\xAE"
                                            "b"),
                                std::string("a/b"), std::string("a\"b")}) {
    SCOPED_TRACE(id);
    EXPECT_STATUS(ops.Create(admin, id, {Role::kAgent}, {}), absl::StatusCode::kInvalidArgument,
                  absl::StrCat("id: \"", absl::CHexEscape(id),
                               "\" may hold only ASCII letters, digits and . _ @ : + -"));
  }
  ASSERT_OK(ops.Create(admin, "svc.agent-7_eu@corp:x+y", {Role::kAgent}, {}));
  ASSERT_OK_AND_ASSIGN(std::vector<PrincipalRecord> all, ops.List(admin));
  EXPECT_EQ(all.size(), 2u);
}

TEST_F(AuthenticatorTest, ASchemeWithBytesAbove127IsRefusedLikeAnyOther) {
  for (const std::string& header : {std::string("B\xE9arer ctxg_x"), std::string("\xFF\xFF\xFF\xFF"
                                                                                 "\xFF\xFF\xFF" +
                                                                                 admin_token_)}) {
    EXPECT_STATUS(Auth(header), absl::StatusCode::kUnauthenticated,
                  "invalid or missing bearer token");
  }
}

}  // namespace
}  // namespace ctxgraph
