#include "storage/read_cache.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace ctxgraph {
namespace {

std::shared_ptr<const NodeRecord> Node(std::string id) {
  auto node = std::make_shared<NodeRecord>();
  node->id = std::move(id);
  return node;
}

std::shared_ptr<const ReadCache::EdgeList> Edges(size_t n) {
  auto list = std::make_shared<ReadCache::EdgeList>();
  for (size_t i = 0; i < n; ++i) {
    list->push_back(AdjacencyEntry{EdgeDirection::kOut, i + 100, EdgeRecord{}});
  }
  return list;
}

TEST(ReadCacheTest, AnswersReadsAtOrAfterTheRecordVersionOnly) {
  ReadCache cache(size_t{1} << 20);
  EXPECT_FALSE(cache.FindNode(7, 10).has_value());
  cache.InsertNode(7, /*read_version=*/10, /*since=*/4, Node("a"), 50);
  EXPECT_FALSE(cache.FindNode(7, 3).has_value());  // older than the record: RocksDB's job
  ASSERT_TRUE(cache.FindNode(7, 4).has_value());
  EXPECT_EQ((*cache.FindNode(7, 4))->id, "a");
  ASSERT_TRUE(cache.FindNode(7, 99).has_value());
  EXPECT_EQ((*cache.FindNode(7, 99))->id, "a");
  EXPECT_EQ(cache.hits(), 4u);  // two lookups per hit above
  EXPECT_EQ(cache.misses(), 2u);
}

// A caller chooses the label filter, and so the key's length.
TEST(ReadCacheTest, ALabelFilterKeyIsChargedToo) {
  ReadCache cache(size_t{64} << 20);
  const std::string key(size_t{64} << 10, 'a');
  cache.InsertEdges(7, EdgeDirection::kOut, key, 10, 3, Edges(0), 0);
  ASSERT_NE(cache.FindEdges(7, EdgeDirection::kOut, key, 10), nullptr);
  EXPECT_GE(cache.bytes(), key.size());
}

// A record of tiny props decodes to many times its stored size: it is
// charged what it holds, not twice its encoded bytes.
TEST(ReadCacheTest, ARecordIsChargedWhatItHoldsDecoded) {
  ReadCache cache(size_t{64} << 20);
  auto node = std::make_shared<NodeRecord>();
  node->id = "n";
  for (int i = 0; i < 1000; ++i) node->props["p" + std::to_string(i)] = Value{true};
  cache.InsertNode(7, 10, 3, node, /*encoded_bytes=*/8000);
  ASSERT_NE(cache.FindNode(7, 10), std::nullopt);
  EXPECT_GE(cache.bytes(), 1000 * (sizeof(PropMap::value_type) + 32));

  auto list = std::make_shared<ReadCache::EdgeList>();
  AdjacencyEntry entry{EdgeDirection::kOut, 101, EdgeRecord{}};
  for (int i = 0; i < 1000; ++i) entry.edge.props["q" + std::to_string(i)] = Value{true};
  list->push_back(entry);
  const size_t before = cache.bytes();
  cache.InsertEdges(8, EdgeDirection::kOut, "", 10, 3, list, /*encoded_bytes=*/8000);
  ASSERT_NE(cache.FindEdges(8, EdgeDirection::kOut, "", 10), nullptr);
  EXPECT_GE(cache.bytes() - before, 1000 * (sizeof(PropMap::value_type) + 32));
}

TEST(ReadCacheTest, ATombstoneIsANullAnswer) {
  ReadCache cache(size_t{1} << 20);
  cache.InsertNode(7, 10, 9, nullptr, 20);
  ASSERT_TRUE(cache.FindNode(7, 10).has_value());
  EXPECT_EQ(*cache.FindNode(7, 10), nullptr);
}

TEST(ReadCacheTest, InvalidateDropsTheNodeAndItsAdjacencySeparately) {
  ReadCache cache(size_t{1} << 20);
  cache.InsertNode(7, 10, 4, Node("a"), 50);
  cache.InsertEdges(7, EdgeDirection::kOut, "", 10, 5, Edges(2), 40);
  cache.Invalidate({}, {7}, 11);
  EXPECT_TRUE(cache.FindNode(7, 11).has_value());
  EXPECT_EQ(cache.FindEdges(7, EdgeDirection::kOut, "", 11), nullptr);
  cache.Invalidate({7}, {}, 12);
  EXPECT_FALSE(cache.FindNode(7, 12).has_value());
}

TEST(ReadCacheTest, ARaceLostToACommitDoesNotPutTheOldAnswerBack) {
  ReadCache cache(size_t{1} << 20);
  // A reader at version 10 fetched node 7; commit 11 changed it and
  // invalidated before the reader could insert.
  cache.Invalidate({7}, {}, 11);
  cache.InsertNode(7, /*read_version=*/10, 4, Node("old"), 50);
  EXPECT_FALSE(cache.FindNode(7, 11).has_value());
  cache.InsertEdges(7, EdgeDirection::kIn, "", 10, 4, Edges(1), 40);
  EXPECT_EQ(cache.FindEdges(7, EdgeDirection::kIn, "", 11), nullptr);
  // A reader that saw commit 11 may.
  cache.InsertNode(7, 11, 11, Node("new"), 50);
  ASSERT_TRUE(cache.FindNode(7, 11).has_value());
  EXPECT_EQ((*cache.FindNode(7, 11))->id, "new");
}

TEST(ReadCacheTest, InvalidateAllRefusesEveryShardBelowItsVersion) {
  ReadCache cache(size_t{1} << 20);
  for (uint64_t iid = 1; iid <= 200; ++iid) cache.InsertNode(iid, 5, 1, Node("n"), 10);
  cache.InvalidateAll(6);
  EXPECT_EQ(cache.bytes(), 0u);
  for (uint64_t iid = 1; iid <= 200; ++iid) {
    cache.InsertNode(iid, 5, 1, Node("n"), 10);
    EXPECT_FALSE(cache.FindNode(iid, 6).has_value()) << iid;
  }
}

TEST(ReadCacheTest, AdjacencyIsFiledByDirectionAndLabelFilter) {
  ReadCache cache(size_t{1} << 20);
  const std::string derived = AdjacencyLabelsKey({"DERIVED_FROM"});
  cache.InsertEdges(7, EdgeDirection::kOut, derived, 10, 3, Edges(3), 60);
  EXPECT_EQ(cache.FindEdges(7, EdgeDirection::kIn, derived, 10), nullptr);
  EXPECT_EQ(cache.FindEdges(7, EdgeDirection::kOut, "", 10), nullptr);
  EXPECT_EQ(cache.FindEdges(7, EdgeDirection::kOut, derived, 2), nullptr);
  ASSERT_NE(cache.FindEdges(7, EdgeDirection::kOut, derived, 10), nullptr);
  EXPECT_EQ(cache.FindEdges(7, EdgeDirection::kOut, derived, 10)->size(), 3u);
  EXPECT_EQ(AdjacencyLabelsKey({"b", "a", "b"}), std::string("a\0b\0", 4));
}

TEST(ReadCacheTest, AnEntryOverAnEighthOfItsShardIsNotCached) {
  ReadCache cache(size_t{64} << 20);                  // 1 MiB a shard
  cache.InsertNode(7, 10, 1, Node("big"), 70 << 10);  // ~140 KiB decoded
  EXPECT_FALSE(cache.FindNode(7, 10).has_value());
  cache.InsertNode(8, 10, 1, Node("fits"), 60 << 10);
  EXPECT_TRUE(cache.FindNode(8, 10).has_value());
}

TEST(ReadCacheTest, AHubsListIsNotCached) {
  ReadCache cache(size_t{64} << 20);
  cache.InsertEdges(7, EdgeDirection::kOut, "", 10, 3, Edges(ReadCache::kMaxCachedEdges + 1), 10);
  EXPECT_EQ(cache.FindEdges(7, EdgeDirection::kOut, "", 10), nullptr);
  EXPECT_EQ(cache.bytes(), 0u);
}

TEST(ReadCacheTest, StaysWithinItsCapacity) {
  const size_t capacity = size_t{1} << 20;
  ReadCache cache(capacity);
  for (uint64_t iid = 1; iid <= 5000; ++iid) cache.InsertNode(iid, 5, 1, Node("n"), 100);
  EXPECT_LE(cache.bytes(), capacity);
  EXPECT_GT(cache.bytes(), capacity / 4);
}

}  // namespace
}  // namespace ctxgraph
