#include "storage/id_cache.h"

#include <gtest/gtest.h>

#include <string>

#include "storage/graph_store.h"
#include "storage/keys.h"
#include "tests/storage/store_fixture.h"
#include "tests/test_macros.h"

namespace ctxgraph {
namespace {

TEST(IdCacheTest, AFiledMappingAnswersLaterLookups) {
  IdCache cache(1 << 20);
  EXPECT_EQ(cache.Find("doc-1"), std::nullopt);
  cache.Insert("doc-1", 7, cache.stamp());
  EXPECT_EQ(cache.Find("doc-1"), 7u);
  EXPECT_EQ(cache.Find("doc-2"), std::nullopt);
  EXPECT_EQ(cache.hits(), 1u);
  EXPECT_EQ(cache.misses(), 2u);
  EXPECT_GT(cache.bytes(), 0u);
}

TEST(IdCacheTest, ForgetDropsEveryMapping) {
  IdCache cache(1 << 20);
  for (int i = 0; i < 100; ++i) cache.Insert("n" + std::to_string(i), i + 1, cache.stamp());
  cache.Forget();
  for (int i = 0; i < 100; ++i) EXPECT_EQ(cache.Find("n" + std::to_string(i)), std::nullopt) << i;
  EXPECT_EQ(cache.bytes(), 0u);
}

TEST(IdCacheTest, AMappingReadBeforeAForgetIsNotFiledAfterIt) {
  IdCache cache(1 << 20);
  const IdCache::Stamp before = cache.stamp();  // a reader's Get starts here...
  cache.Forget();                               // ...the mapping is removed...
  cache.Insert("x", 5, before);                 // ...and the reader files what it read
  EXPECT_EQ(cache.Find("x"), std::nullopt);
  cache.Insert("x", 9, cache.stamp());
  EXPECT_EQ(cache.Find("x"), 9u);
}

TEST(IdCacheTest, AnAbsenceAnswersUntilSomeIdIsInterned) {
  IdCache cache(1 << 20);
  cache.Insert("ghost", IdCache::kAbsent, cache.stamp());
  EXPECT_EQ(cache.Find("ghost"), IdCache::kAbsent);
  cache.NoteInterned();  // a commit interned some id, maybe this one
  EXPECT_EQ(cache.Find("ghost"), std::nullopt);
  // The reader that then finds it files the mapping over the stale absence.
  cache.Insert("ghost", 12, cache.stamp());
  EXPECT_EQ(cache.Find("ghost"), 12u);
  // A mapping is final: a later absence read (impossible, but) changes nothing.
  cache.Insert("ghost", IdCache::kAbsent, cache.stamp());
  EXPECT_EQ(cache.Find("ghost"), 12u);
}

TEST(IdCacheTest, AnAbsenceReadBeforeAnInternIsNotFiledAfterIt) {
  IdCache cache(1 << 20);
  const IdCache::Stamp before = cache.stamp();  // a reader's Get finds nothing...
  cache.NoteInterned();                         // ...a commit interns the id...
  cache.Insert("late", IdCache::kAbsent, before);
  EXPECT_EQ(cache.Find("late"), std::nullopt);
  // A mapping read before an intern is still true after it.
  cache.Insert("old", 3, before);
  EXPECT_EQ(cache.Find("old"), 3u);
}

TEST(IdCacheTest, MemoryStaysWithinTheCapacity) {
  const size_t capacity = 64 * 1024;
  IdCache cache(capacity);
  for (int i = 0; i < 20000; ++i) {
    cache.Insert("node-" + std::to_string(i), i + 1, cache.stamp());
    ASSERT_LE(cache.bytes(), capacity) << i;
  }
  // The newest mapping is there; most of the early ones made room.
  EXPECT_EQ(cache.Find("node-19999"), 20000u);
  int kept = 0;
  for (int i = 0; i < 20000; ++i) kept += cache.Find("node-" + std::to_string(i)) ? 1 : 0;
  EXPECT_GT(kept, 0);
  EXPECT_LT(kept, 2000);
}

class IdCacheStoreTest : public StoreFixture {
 protected:
  bool Exists(std::string_view id) {
    auto node = store_->GetNode(id, keys::kMaxVersion);
    return node.ok() && node->has_value();
  }
  AllowAllWrites guard_;
};

// An abandoned bulk session's ids are forgotten by storage and by the cache:
// a reader that looked one up during the session must not keep its old iid,
// or the id, written again later under a new iid, would read as missing.
TEST_F(IdCacheStoreTest, AnAbortedSessionsIdsAreForgotten) {
  ASSERT_NE(db_->id_cache(), nullptr);
  std::optional<uint64_t> during;
  {
    auto session = db_->BeginSession("loader");
    ChunkResult r;
    ASSERT_OK(session->Write([&](CommitContext& ctx) {
      return store_->ApplyEach(ctx, {{0, TitledNode("x", "draft")}}, guard_, false, nullptr, &r);
    }));
    ASSERT_OK(session->AwaitWritten());
    ASSERT_OK_AND_ASSIGN(during, store_->LookupIid("x"));
    ASSERT_TRUE(during.has_value());
    ASSERT_OK_AND_ASSIGN(std::optional<uint64_t> cached, store_->LookupIid("x"));
    EXPECT_EQ(cached, during);
    EXPECT_GE(db_->id_cache()->hits(), 1u);
    ASSERT_OK(session->Abort());
  }
  ASSERT_OK_AND_ASSIGN(std::optional<uint64_t> after_abort, store_->LookupIid("x"));
  EXPECT_EQ(after_abort, std::nullopt);

  ASSERT_OK(store_->Apply({TitledNode("x", "final")}, guard_, "w", "again"));
  ASSERT_OK_AND_ASSIGN(std::optional<uint64_t> again, store_->LookupIid("x"));
  ASSERT_TRUE(again.has_value());
  EXPECT_NE(*again, *during);
  ASSERT_OK_AND_ASSIGN(std::optional<NodeRecord> node, store_->GetNode("x", keys::kMaxVersion));
  ASSERT_TRUE(node.has_value());
  EXPECT_EQ(std::get<std::string>(node->props.at("title").v), "final");
}

// An absent id is cached as absent until a commit interns it: the node
// written next must be found at once.
TEST_F(IdCacheStoreTest, AnIdLookedUpAsAbsentIsFoundOnceWritten) {
  ASSERT_OK_AND_ASSIGN(std::optional<uint64_t> before, store_->LookupIid("late"));
  EXPECT_EQ(before, std::nullopt);
  const uint64_t hits = db_->id_cache()->hits();
  ASSERT_OK_AND_ASSIGN(before, store_->LookupIid("late"));
  EXPECT_EQ(before, std::nullopt);
  EXPECT_EQ(db_->id_cache()->hits(), hits + 1);  // the absence answered
  ASSERT_OK(store_->Apply({TitledNode("late", "now")}, guard_, "w", ""));
  ASSERT_OK_AND_ASSIGN(std::optional<uint64_t> after, store_->LookupIid("late"));
  EXPECT_TRUE(after.has_value());
  EXPECT_TRUE(Exists("late"));
  // The same through a bulk session: visible once it finishes.
  EXPECT_FALSE(Exists("bulk"));
  auto session = db_->BeginSession("loader");
  ChunkResult r;
  ASSERT_OK(session->Write([&](CommitContext& ctx) {
    return store_->ApplyEach(ctx, {{0, TitledNode("bulk", "b")}}, guard_, false, nullptr, &r);
  }));
  ASSERT_OK(session->Finish("bulk"));
  EXPECT_TRUE(Exists("bulk"));
}

TEST_F(IdCacheStoreTest, ReadsAnswerTheSameWithTheCacheOff) {
  ASSERT_OK(store_->Apply({TitledNode("a", "one"), TitledNode("b", "two")}, guard_, "w", ""));
  ASSERT_OK_AND_ASSIGN(std::optional<uint64_t> a, store_->LookupIid("a"));
  ASSERT_OK_AND_ASSIGN(std::optional<uint64_t> b, store_->LookupIid("b"));
  options_.id_cache_bytes = 0;
  Reopen();
  EXPECT_EQ(db_->id_cache(), nullptr);
  ASSERT_OK_AND_ASSIGN(std::optional<uint64_t> a2, store_->LookupIid("a"));
  ASSERT_OK_AND_ASSIGN(std::optional<uint64_t> b2, store_->LookupIid("b"));
  ASSERT_OK_AND_ASSIGN(std::optional<uint64_t> none, store_->LookupIid("c"));
  EXPECT_EQ(a2, a);
  EXPECT_EQ(b2, b);
  EXPECT_NE(*a, *b);
  EXPECT_EQ(none, std::nullopt);
  EXPECT_TRUE(Exists("a") && Exists("b"));
}

}  // namespace
}  // namespace ctxgraph
