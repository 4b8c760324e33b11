// Unit tests for ctxgraph-gen's building blocks: the PRNG, the vocabulary,
// the layout's time and containment model, and the record escaping.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "tests/tools/generated_graph.h"
#include "tools/gen/graph_layout.h"
#include "tools/gen/names.h"
#include "tools/gen/prng.h"
#include "tools/gen/record_writers.h"
#include "tools/gen/vocabulary.h"

namespace ctxgraph::gen {
namespace {

TEST(PrngTest, Mix64IsSplitMix64) {
  // The first output of the reference splitmix64.c with state 0.
  EXPECT_EQ(Mix64(0), 0xe220a8397b1dcdafULL);
}

TEST(PrngTest, XoshiroMatchesTheReferenceAlgorithm) {
  // xoshiro256** seeded with four splitmix64 outputs of 42, as computed by an
  // independent implementation of the published algorithms.
  Xoshiro256 rng(42);
  EXPECT_EQ(rng.Next(), 0x15780b2e0c2ec716ULL);
  EXPECT_EQ(rng.Next(), 0x6104d9866d113a7eULL);
  EXPECT_EQ(rng.Next(), 0xae17533239e499a1ULL);
}

TEST(PrngTest, UniformStaysInRangeAndCoversIt) {
  Xoshiro256 rng(1);
  std::vector<int> hits(7, 0);
  for (int i = 0; i < 7000; ++i) {
    const uint64_t v = rng.Uniform(7);
    ASSERT_LT(v, 7u);
    ++hits[v];
  }
  for (int h : hits) EXPECT_NEAR(h, 1000, 150);
  EXPECT_EQ(rng.Uniform(0), 0u);
  EXPECT_EQ(rng.Uniform(1), 0u);
  for (int i = 0; i < 100; ++i) {
    const int64_t v = rng.Between(-3, 3);
    EXPECT_GE(v, -3);
    EXPECT_LE(v, 3);
  }
}

TEST(PrngTest, CountWithMeanMilliHasThatMean) {
  Xoshiro256 rng(2);
  for (uint64_t mean : {0, 250, 1000, 3500}) {
    uint64_t sum = 0;
    for (int i = 0; i < 20000; ++i) sum += rng.CountWithMeanMilli(mean);
    EXPECT_NEAR(static_cast<double>(sum) / 20000, mean / 1000.0, 0.05) << mean;
  }
}

TEST(VocabularyTest, MainWordsAreDistinctLowercaseAndAvoidReservedWords) {
  const Vocabulary vocabulary(100);
  std::set<std::string> words;
  std::set<std::string> reserved;
  for (auto tag : kTags) reserved.insert(std::string(tag));
  int non_ascii = 0;
  for (uint32_t id = 0; id < vocabulary.size(); ++id) {
    const std::string word = vocabulary.Word(id);
    ASSERT_FALSE(word.empty());
    EXPECT_TRUE(words.insert(word).second) << "duplicate " << word;
    EXPECT_FALSE(reserved.count(word)) << word;
    if (id < Vocabulary::kMainWords) {
      EXPECT_EQ(word.find_first_of("zyABCDEFGHIJKLMNOPQRSTUVWXYZ ,.\""), std::string::npos) << word;
    } else {
      EXPECT_EQ(word.rfind("zy", 0), 0u) << word;
    }
    non_ascii += vocabulary.IsAscii(id) ? 0 : 1;
  }
  EXPECT_EQ(words.size(), Vocabulary::kMainWords + 100u);
  EXPECT_GT(non_ascii, 50);
  EXPECT_LT(non_ascii, 400);
}

TEST(VocabularyTest, SamplingFollowsRankFrequency) {
  const Vocabulary vocabulary(1000);
  Xoshiro256 rng(3);
  std::vector<uint64_t> counts(vocabulary.size(), 0);
  constexpr int kDraws = 400000;
  for (int i = 0; i < kDraws; ++i) ++counts[vocabulary.Sample(rng)];
  // 1/r: rank 0 about twice rank 1 and ten times rank 9.
  EXPECT_NEAR(static_cast<double>(counts[0]) / counts[1], 2.0, 0.2);
  EXPECT_NEAR(static_cast<double>(counts[0]) / counts[9], 10.0, 1.5);
  EXPECT_GT(counts[0], kDraws / 15);
  uint64_t tail = 0;
  for (uint32_t id = Vocabulary::kMainWords; id < vocabulary.size(); ++id) tail += counts[id];
  EXPECT_NEAR(static_cast<double>(tail) / kDraws, 0.001, 0.0003);
}

TEST(GraphLayoutTest, NodeIdsAndTimestampsAreFormattedExactly) {
  std::string id;
  AppendNodeId(NodeType::kDocument, 41, &id);
  EXPECT_EQ(id, "doc-00000042");
  id.clear();
  AppendNodeId(NodeType::kDecisionThread, 0, &id);
  EXPECT_EQ(id, "thread-00000001");

  auto rfc3339 = [](int64_t seconds) {
    std::string out;
    AppendRfc3339(seconds, &out);
    return out;
  };
  EXPECT_EQ(rfc3339(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(rfc3339(951782400), "2000-02-29T00:00:00Z");
  EXPECT_EQ(rfc3339(kPeriodStart), "2025-01-01T00:00:00Z");
  EXPECT_EQ(rfc3339(kPeriodEnd), "2026-12-31T23:59:59Z");
  EXPECT_EQ(rfc3339(1772384400), "2026-03-01T17:00:00Z");
}

TEST(GraphLayoutTest, CountsSumToTotalWithTheRemainderInMessages) {
  const GraphLayout layout(1019, 5);
  uint64_t sum = 0;
  for (NodeType type : kAllNodeTypes) sum += layout.count(type);
  EXPECT_EQ(sum, 1019u);
  EXPECT_EQ(layout.count(NodeType::kDocument), 305u);
  EXPECT_EQ(layout.count(NodeType::kMessage), 1019u - 305 - 50 - 50 - 101 - 50);
}

TEST(GraphLayoutTest, ContainersPartitionTheirChildrenInTimeOrder) {
  const GraphLayout layout(5000, 9);
  const uint64_t convs = layout.count(NodeType::kConversation);
  EXPECT_EQ(layout.ConversationBegin(0), 0u);
  EXPECT_EQ(layout.ConversationEnd(convs - 1), layout.count(NodeType::kMessage));
  for (uint64_t c = 0; c < convs; ++c) {
    ASSERT_LT(layout.ConversationBegin(c), layout.ConversationEnd(c)) << "empty conversation";
    int64_t previous = layout.CreatedAt(NodeType::kConversation, c);
    for (uint64_t m = layout.ConversationBegin(c); m < layout.ConversationEnd(c); ++m) {
      ASSERT_EQ(layout.ConversationOf(m), c);
      const int64_t t = layout.CreatedAt(NodeType::kMessage, m);
      ASSERT_GT(t, previous);
      previous = t;
    }
  }
  const uint64_t threads = layout.count(NodeType::kDecisionThread);
  EXPECT_EQ(layout.ThreadEnd(threads - 1), layout.count(NodeType::kDecision));
  for (uint64_t t = 0; t < threads; ++t) {
    ASSERT_LT(layout.ThreadBegin(t), layout.ThreadEnd(t)) << "empty thread";
    for (uint64_t d = layout.ThreadBegin(t); d < layout.ThreadEnd(t); ++d) {
      ASSERT_GT(layout.CreatedAt(NodeType::kDecision, d),
                layout.CreatedAt(NodeType::kDecisionThread, t));
      ASSERT_LE(layout.CreatedAt(NodeType::kDecision, d), kPeriodEnd);
    }
  }
}

TEST(GraphLayoutTest, DocumentsBeforeCountsOnlyOlderDocuments) {
  const GraphLayout layout(3000, 11);
  const uint64_t docs = layout.count(NodeType::kDocument);
  for (uint64_t j = 1; j < docs; ++j) {
    ASSERT_LT(layout.CreatedAt(NodeType::kDocument, j - 1),
              layout.CreatedAt(NodeType::kDocument, j));
  }
  for (int64_t t = kPeriodStart - 10; t <= kPeriodEnd + 10; t += 7919) {
    const uint64_t k = layout.DocumentsBefore(t);
    ASSERT_LE(k, docs);
    if (k > 0) {
      ASSERT_LT(layout.CreatedAt(NodeType::kDocument, k - 1), t) << t;
    }
    // Tight: at most one more document is older than t.
    if (k + 1 < docs) {
      ASSERT_GE(layout.CreatedAt(NodeType::kDocument, k + 1), t) << t;
    }
  }
}

TEST(GraphLayoutTest, AuthorsArePeopleOfTheConversationTeam) {
  const GraphLayout layout(10000, 13);
  for (uint64_t m = 0; m < layout.count(NodeType::kMessage); m += 37) {
    const uint64_t author = layout.AuthorOf(m);
    ASSERT_LT(author, layout.count(NodeType::kPerson));
    EXPECT_EQ(layout.TeamOf(NodeType::kPerson, author), layout.TeamOf(NodeType::kMessage, m));
  }
}

TEST(RecordWritersTest, JsonStringsEscapeQuotesBackslashesAndControls) {
  std::string out;
  AppendJsonString("a\"b\\c\nd\x01 caf\xc3\xa9", &out);
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\nd\\u0001 caf\xc3\xa9\"");
}

TEST(RecordWritersTest, CsvFieldsAreQuotedOnlyWhenNeeded) {
  std::string out;
  AppendCsvField("plain words", &out);
  out.push_back('|');
  AppendCsvField("a, \"b\"", &out);
  out.push_back('|');
  AppendCsvField("x\ny", &out);
  EXPECT_EQ(out, "plain words|\"a, \"\"b\"\"\"|\"x\ny\"");

  auto records = gen_test::ParseCsv("id,text\n1,\"a, \"\"b\"\"\"\n2,\"x\ny\"\n");
  ASSERT_TRUE(records.ok()) << records.status();
  ASSERT_EQ(records->size(), 3u);
  EXPECT_EQ((*records)[1][1], "a, \"b\"");
  EXPECT_EQ((*records)[2][1], "x\ny");
}

}  // namespace
}  // namespace ctxgraph::gen
