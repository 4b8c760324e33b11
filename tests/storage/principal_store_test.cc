#include "storage/principal_store.h"

#include <gtest/gtest.h>

#include "storage/keys.h"
#include "storage/record_codec.h"
#include "tests/storage/temp_dir.h"
#include "tests/test_macros.h"

namespace ctxgraph {
namespace {

TEST(PrincipalStoreTest, PrincipalsAreVersionedWithTheGraph) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto db, Database::Open(dir.path(), DatabaseOptions{}));
  PrincipalStore store(db.get());
  ASSERT_OK(store.Update(
      "alice", "admin", {"admin.create_principal", "create"},
      [](std::optional<PrincipalRecord>& p) {
        p = PrincipalRecord{"alice", {Role::kAgent}, {"team:eng"}, PrincipalStatus::kActive, 0};
        return absl::OkStatus();
      }));
  ASSERT_OK(store.Update("alice", "admin", {"admin.set_clearances", "grant"},
                         [](std::optional<PrincipalRecord>& p) {
                           p->clearances = {"pii", "team:eng"};
                           return absl::OkStatus();
                         }));
  ASSERT_OK_AND_ASSIGN(auto v1, store.Get("alice", 1));
  ASSERT_OK_AND_ASSIGN(auto v2, store.Get("alice", 2));
  EXPECT_EQ(v1->clearances, std::vector<std::string>{"team:eng"});
  EXPECT_EQ(v2->clearances, (std::vector<std::string>{"pii", "team:eng"}));
  EXPECT_EQ(v2->version, 2u);
  ASSERT_OK_AND_ASSIGN(auto none, store.Get("alice", 0));
  EXPECT_FALSE(none.has_value());
  ASSERT_OK_AND_ASSIGN(auto prefix, store.Get("alic", keys::kMaxVersion));
  EXPECT_FALSE(prefix.has_value());
  ASSERT_OK_AND_ASSIGN(auto all, store.List(keys::kMaxVersion));
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].version, 2u);
  ASSERT_OK_AND_ASSIGN(CommitRecord c, db->GetCommit(2));
  EXPECT_EQ(c.description, "grant");
}

TEST(PrincipalStoreTest, FailedChangeWritesNothing) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto db, Database::Open(dir.path(), DatabaseOptions{}));
  PrincipalStore store(db.get());
  EXPECT_STATUS(store.Update("bob", "admin", {"admin.set_roles", "x"},
                             [](std::optional<PrincipalRecord>&) {
                               return absl::NotFoundError("principal \"bob\" not found");
                             }),
                absl::StatusCode::kNotFound, "principal \"bob\" not found");
  EXPECT_EQ(db->LatestVersion(), 0u);
}

TEST(PrincipalStoreTest, TokensAreFoundByHashAndIdOnly) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto db, Database::Open(dir.path(), DatabaseOptions{}));
  PrincipalStore store(db.get());
  TokenRecord t{"tok_a", "alice", Sha256("ctxg_secret"), {1}, false};
  ASSERT_OK(store.PutToken(t, "admin", {"admin.issue_token", "issue"}));
  ASSERT_OK_AND_ASSIGN(auto by_hash, store.FindTokenByHash(Sha256("ctxg_secret")));
  ASSERT_TRUE(by_hash.has_value());
  EXPECT_EQ(by_hash->principal_id, "alice");
  ASSERT_OK_AND_ASSIGN(auto wrong, store.FindTokenByHash(Sha256("ctxg_secreT")));
  EXPECT_FALSE(wrong.has_value());
  ASSERT_OK_AND_ASSIGN(auto by_id, store.FindTokenById("tok_a"));
  ASSERT_TRUE(by_id.has_value());
  ASSERT_OK_AND_ASSIGN(auto listed, store.ListTokens("alice"));
  EXPECT_EQ(listed.size(), 1u);
  ASSERT_OK_AND_ASSIGN(auto others, store.ListTokens("bob"));
  EXPECT_TRUE(others.empty());
}

}  // namespace
}  // namespace ctxgraph
