#include "server/edge_wire_cache.h"

#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ctxgraph/v1/context.pb.h"
#include "ctxgraph/v1/graph.pb.h"
#include "server/proto_convert.h"
#include "tests/server/concurrent_answers.h"
#include "tests/server/full_records.h"

namespace ctxgraph::server {
namespace {

using google::protobuf::util::MessageDifferencer;

v1::Edge Expected(const EdgeRecord& edge) {
  v1::Edge out;
  EdgeToProto(edge, &out);
  return out;
}

v1::Edge Encoded(EdgeWireCache& cache, const EdgeRecord& edge) {
  std::string bytes;
  cache.AppendEdge(edge, &bytes);
  v1::Edge out;
  EXPECT_TRUE(out.ParseFromString(bytes));
  return out;
}

TEST(EdgeWireCacheTest, EncodesWhatEdgeToProtoBuildsWhenMissedAndWhenHit) {
  EdgeWireCache cache(size_t{1} << 20);
  const EdgeRecord edge = FullEdge("doc-1", "DERIVED_FROM", "doc-0", 41);
  const v1::Edge expected = Expected(edge);
  ASSERT_EQ(expected.sanitizes_size(), 1);
  ASSERT_EQ(expected.props_size(), 2);
  for (int i = 0; i < 2; ++i) {  // the first encodes and keeps, the second copies
    const v1::Edge got = Encoded(cache, edge);
    EXPECT_TRUE(MessageDifferencer::Equals(got, expected)) << i << ": " << got.DebugString();
    EXPECT_EQ(cache.stats().misses, 1u);
    EXPECT_EQ(cache.stats().hits, static_cast<uint64_t>(i));
  }
  EXPECT_GT(cache.stats().bytes, 0u);
}

TEST(EdgeWireCacheTest, WithNoBudgetKeepsNothingAndStillEncodes) {
  EdgeWireCache cache(0);
  const EdgeRecord edge = FullEdge("doc-1", "REFERENCES", "doc-2", 3);
  for (int i = 0; i < 2; ++i) {
    EXPECT_TRUE(MessageDifferencer::Equals(Encoded(cache, edge), Expected(edge)));
  }
  EXPECT_EQ(cache.stats().bytes, 0u);
  EXPECT_EQ(cache.stats().hits, 0u);
  EXPECT_EQ(cache.stats().misses, 0u);
}

// The key is the record's identity, not the object: another copy of the
// same record (read through the other endpoint, or from RocksDB) is
// answered from the entry.
TEST(EdgeWireCacheTest, AnswersEveryCopyOfARecordFromOneEntry) {
  EdgeWireCache cache(size_t{1} << 20);
  const EdgeRecord edge = FullEdge("msg-7", "MENTIONS", "person-3", 12);
  Encoded(cache, edge);
  const EdgeRecord copy = edge;
  EXPECT_TRUE(MessageDifferencer::Equals(Encoded(cache, copy), Expected(edge)));
  EXPECT_EQ(cache.stats().misses, 1u);
  EXPECT_EQ(cache.stats().hits, 1u);
}

// Each part of the key tells records apart: a later version of the edge
// (new props), another label, the reversed edge, and ends whose bytes run
// into each other.
TEST(EdgeWireCacheTest, AnswersEachRecordWithItsOwnBytes) {
  EdgeWireCache cache(size_t{1} << 20);
  EdgeRecord v41 = FullEdge("doc-1", "REFERENCES", "doc-2", 41);
  EdgeRecord v42 = v41;
  v42.provenance.version = 42;
  v42.props["weight"] = Value{0.9};
  const std::vector<EdgeRecord> records = {
      v41,
      v42,
      FullEdge("doc-1", "DERIVED_FROM", "doc-2", 41),
      FullEdge("doc-2", "REFERENCES", "doc-1", 41),
      FullEdge("doc-1R", "EFERENCES", "doc-2", 41),
      FullEdge("doc-", "1REFERENCES", "doc-2", 41),
  };
  for (const EdgeRecord& edge : records) Encoded(cache, edge);
  for (const EdgeRecord& edge : records) {
    const v1::Edge got = Encoded(cache, edge);
    EXPECT_TRUE(MessageDifferencer::Equals(got, Expected(edge))) << got.DebugString();
  }
  EXPECT_EQ(cache.stats().misses, records.size());
  EXPECT_EQ(cache.stats().hits, records.size());
}

TEST(EdgeWireCacheTest, AddsFieldsThatParseAsSetOnesInOrder) {
  EdgeWireCache cache(size_t{1} << 20);
  v1::RetrieveResponse response;
  response.add_items()->set_hop(1);
  const std::vector<EdgeRecord> edges = {FullEdge("a", "PART_OF", "c", 5),
                                         FullEdge("b", "PART_OF", "c", 5),
                                         FullEdge("a", "REPLY_TO", "b", 6)};
  for (const EdgeRecord& edge : edges) {
    cache.AddEdgeField(edge, v1::RetrieveResponse::kEdgesFieldNumber, &response);
  }
  response.set_truncated(true);
  EXPECT_EQ(response.edges_size(), 0);  // unknown fields until parsed
  v1::RetrieveResponse parsed;
  ASSERT_TRUE(parsed.ParseFromString(response.SerializeAsString()));
  ASSERT_EQ(parsed.edges_size(), 3);
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(MessageDifferencer::Equals(parsed.edges(i), Expected(edges[i]))) << i;
  }
  ASSERT_EQ(parsed.items_size(), 1);
  EXPECT_EQ(parsed.items(0).hop(), 1);
  EXPECT_TRUE(parsed.truncated());

  v1::Neighbor neighbor;
  cache.AddEdgeField(edges[2], v1::Neighbor::kEdgeFieldNumber, &neighbor);
  neighbor.set_direction(v1::DIRECTION_IN);
  v1::Neighbor parsed_neighbor;
  ASSERT_TRUE(parsed_neighbor.ParseFromString(neighbor.SerializeAsString()));
  EXPECT_TRUE(MessageDifferencer::Equals(parsed_neighbor.edge(), Expected(edges[2])));
  EXPECT_EQ(parsed_neighbor.direction(), v1::DIRECTION_IN);
}

TEST(EdgeWireCacheTest, StaysWithinItsBudgetAndKeepsNoEdgeLargerThanAnEighthOfAShard) {
  const size_t budget = EdgeWireCache::Cache::kShards * 4096;
  EdgeWireCache cache(budget);
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < 500; ++i) {  // far more than fit: shards empty and refill
      const EdgeRecord edge = FullEdge("msg-" + std::to_string(i), "PART_OF", "conv-1", 7);
      ASSERT_EQ(Encoded(cache, edge).from(), edge.from);
      ASSERT_LE(cache.stats().bytes, budget);
    }
  }
  const uint64_t hits = cache.stats().hits;
  EXPECT_EQ(Encoded(cache, FullEdge("msg-499", "PART_OF", "conv-1", 7)).from(), "msg-499");
  EXPECT_EQ(cache.stats().hits, hits + 1);  // the last one kept is still kept

  EdgeWireCache small(budget);
  EdgeRecord big = FullEdge("doc-1", "REFERENCES", "doc-2", 9);
  big.props["note"] = Value{std::string(1000, 'x')};
  for (int i = 0; i < 2; ++i)
    EXPECT_EQ(Encoded(small, big).props().at("note").string_value().size(), 1000u);
  EXPECT_EQ(small.stats().bytes, 0u);
  EXPECT_EQ(small.stats().hits, 0u);
}

// Readers share the cache from gRPC's threads, looking up by views of
// their own records' keys while shards fill and empty under them: every
// answer is still the edge asked for, whole.
TEST(EdgeWireCacheTest, AnswersEveryThreadItsOwnEdgesWhileShardsEmpty) {
  EdgeWireCache cache(EdgeWireCache::Cache::kShards * 4096);
  std::vector<EdgeRecord> edges;
  std::vector<std::string> expected;
  for (int i = 0; i < 400; ++i) {
    edges.push_back(FullEdge("msg-" + std::to_string(i), "REPLY_TO", "msg-" + std::to_string(i + 1),
                             static_cast<uint64_t>(1 + i % 7)));
    expected.push_back(Expected(edges.back()).SerializeAsString());
  }
  EXPECT_EQ(WrongConcurrentAnswers<v1::Edge>(expected,
                                             [&](size_t i, std::string* bytes) {
                                               // another object, the same record
                                               const EdgeRecord copy = edges[i];
                                               cache.AppendEdge(copy, bytes);
                                             }),
            0);
  EXPECT_GT(cache.stats().hits, 0u);
  EXPECT_LE(cache.stats().bytes, EdgeWireCache::Cache::kShards * 4096);
}

}  // namespace
}  // namespace ctxgraph::server
