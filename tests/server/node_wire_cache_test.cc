#include "server/node_wire_cache.h"

#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "ctxgraph/v1/graph.pb.h"
#include "server/proto_convert.h"
#include "tests/server/concurrent_answers.h"

namespace ctxgraph::server {
namespace {

using google::protobuf::util::MessageDifferencer;

std::shared_ptr<NodeRecord> Record(const std::string& id, const std::string& title) {
  auto node = std::make_shared<NodeRecord>();
  node->id = id;
  node->labels = {"Document", "Spec"};
  node->props["title"] = Value{title};
  node->props["pages"] = Value{int64_t{12}};
  node->props["score"] = Value{0.25};
  node->props["final"] = Value{true};
  node->props["due"] = Value{Timestamp{1700000000123456}};
  node->props["tags"] = Value{ValueList{Value{std::string("a")}, Value{int64_t{2}}}};
  node->boundary = {"pii", "team:finance"};
  node->source = Source{"drive", "https://drive.example/d/1", Authority::kImported};
  node->provenance.version = 41;
  node->provenance.commit_time = Timestamp{1700000001000000};
  node->provenance.writer = "loader";
  node->provenance.content_hash.fill(0xab);
  return node;
}

v1::Node Expected(const NodeRecord& node) {
  v1::Node out;
  NodeToProto(node, &out);
  return out;
}

v1::Node Encoded(NodeWireCache& cache, const std::shared_ptr<const NodeRecord>& node) {
  std::string bytes;
  cache.AppendNode(node, &bytes);
  v1::Node out;
  EXPECT_TRUE(out.ParseFromString(bytes));
  return out;
}

TEST(NodeWireCacheTest, EncodesWhatNodeToProtoBuildsWhenMissedAndWhenHit) {
  NodeWireCache cache(size_t{1} << 20);
  auto node = Record("doc-1", "Q3 plan");
  node->inherited = {InheritedLabel{"pii", 7, ""}, InheritedLabel{"restricted", 9, ""}};
  const v1::Node expected = Expected(*node);
  ASSERT_EQ(expected.inherited_size(), 2);
  for (int i = 0; i < 2; ++i) {  // the first encodes and files, the second copies
    v1::Node got = Encoded(cache, node);
    EXPECT_TRUE(MessageDifferencer::Equals(got, expected)) << i << ": " << got.DebugString();
    EXPECT_EQ(cache.stats().misses, 1u);
    EXPECT_EQ(cache.stats().hits, static_cast<uint64_t>(i));
  }
  EXPECT_GT(cache.stats().bytes, 0u);
}

TEST(NodeWireCacheTest, WithNoBudgetKeepsNothingAndStillEncodes) {
  NodeWireCache cache(0);
  auto node = Record("doc-1", "Q3 plan");
  EXPECT_TRUE(MessageDifferencer::Equals(Encoded(cache, node), Expected(*node)));
  EXPECT_EQ(cache.stats().bytes, 0u);
}

// Entries are the record objects themselves: two records of one node id
// and version never answer for each other.
TEST(NodeWireCacheTest, AnswersEachRecordObjectWithItsOwnBytes) {
  NodeWireCache cache(size_t{1} << 20);
  auto first = Record("doc-1", "public summary");
  auto second = Record("doc-1", "the secret figures");
  Encoded(cache, first);
  Encoded(cache, second);
  EXPECT_EQ(Encoded(cache, first).props().at("title").string_value(), "public summary");
  EXPECT_EQ(Encoded(cache, second).props().at("title").string_value(), "the secret figures");
}

// An inherited label's origin is filled in for a reader who may see it, on
// a copy of the shared record (query/graph_reader.h): what that reader was
// told never reaches another through the shared record's entry.
TEST(NodeWireCacheTest, AnOriginFilledInOnACopyStaysWithTheCopy) {
  NodeWireCache cache(size_t{1} << 20);
  auto shared = Record("doc-1", "Q3 plan");
  shared->inherited = {InheritedLabel{"pii", 7, ""}};
  auto resolved = std::make_shared<NodeRecord>(*shared);
  resolved->inherited[0].from_id = "hr-export-2024";
  Encoded(cache, shared);
  EXPECT_EQ(Encoded(cache, resolved).inherited(0).from(), "hr-export-2024");
  const v1::Node again = Encoded(cache, shared);
  ASSERT_EQ(again.inherited_size(), 1);
  EXPECT_EQ(again.inherited(0).from(), "");
  EXPECT_EQ(again.SerializeAsString().find("hr-export-2024"), std::string::npos);
  // Such a copy is answered once: encoded, not kept, not counted.
  EXPECT_EQ(cache.stats().misses, 1u);
  EXPECT_EQ(cache.stats().hits, 1u);
}

TEST(NodeWireCacheTest, AddsFieldsThatParseAsSetOnesInOrder) {
  NodeWireCache cache(size_t{1} << 20);
  auto node = Record("doc-1", "Q3 plan");
  v1::GetNodeResponse single;
  single.set_snapshot_version(41);
  cache.AddNodeField(node, v1::GetNodeResponse::kNodeFieldNumber, &single);
  EXPECT_FALSE(single.has_node());  // an unknown field until parsed
  v1::GetNodeResponse parsed;
  ASSERT_TRUE(parsed.ParseFromString(single.SerializeAsString()));
  EXPECT_EQ(parsed.snapshot_version(), 41u);
  EXPECT_TRUE(MessageDifferencer::Equals(parsed.node(), Expected(*node)));

  v1::ListNodesResponse page;
  for (const char* id : {"doc-3", "doc-1", "doc-2"}) {
    cache.AddNodeField(Record(id, id), v1::ListNodesResponse::kNodesFieldNumber, &page);
  }
  page.set_next_page_token("next");
  v1::ListNodesResponse parsed_page;
  ASSERT_TRUE(parsed_page.ParseFromString(page.SerializeAsString()));
  ASSERT_EQ(parsed_page.nodes_size(), 3);
  EXPECT_EQ(parsed_page.nodes(0).id(), "doc-3");
  EXPECT_EQ(parsed_page.nodes(1).id(), "doc-1");
  EXPECT_EQ(parsed_page.nodes(2).id(), "doc-2");
  EXPECT_EQ(parsed_page.next_page_token(), "next");
}

TEST(NodeWireCacheTest, StaysWithinItsBudgetAndAnswersTheSameWhenFull) {
  const size_t budget = NodeWireCache::kShards * 16384;
  NodeWireCache cache(budget);
  std::vector<std::shared_ptr<NodeRecord>> nodes;
  for (int i = 0; i < 500; ++i) nodes.push_back(Record("doc-" + std::to_string(i), "t"));
  for (int round = 0; round < 2; ++round) {
    for (const auto& node : nodes) {
      ASSERT_EQ(Encoded(cache, node).id(), node->id);
      ASSERT_LE(cache.stats().bytes, budget);
    }
  }
  EXPECT_GT(cache.stats().bytes, 0u);
}

// Readers share the cache from gRPC's threads while shards fill and empty
// under them: every answer is still the record asked for, whole.
TEST(NodeWireCacheTest, AnswersEveryThreadItsOwnRecordsWhileShardsEmpty) {
  NodeWireCache cache(NodeWireCache::kShards * 16384);
  std::vector<std::shared_ptr<const NodeRecord>> nodes;
  std::vector<std::string> expected;
  for (int i = 0; i < 400; ++i) {
    auto node = Record("doc-" + std::to_string(i), "title " + std::to_string(i));
    expected.push_back(Expected(*node).SerializeAsString());
    nodes.push_back(std::move(node));
  }
  EXPECT_EQ(WrongConcurrentAnswers<v1::Node>(
                expected, [&](size_t i, std::string* bytes) { cache.AppendNode(nodes[i], bytes); }),
            0);
  const NodeWireCache::Stats stats = cache.stats();
  EXPECT_GT(stats.hits, 0u);
  EXPECT_LE(stats.bytes, NodeWireCache::kShards * 16384);
}

TEST(NodeWireCacheTest, KeepsNoRecordLargerThanAnEighthOfAShard) {
  NodeWireCache cache(NodeWireCache::kShards * 16384);
  auto big = Record("doc-big", std::string(1000, 'x'));
  for (int i = 0; i < 2; ++i) EXPECT_EQ(Encoded(cache, big).id(), "doc-big");
  EXPECT_EQ(cache.stats().bytes, 0u);
  EXPECT_EQ(cache.stats().hits, 0u);
}

}  // namespace
}  // namespace ctxgraph::server
