#include "query/context_ranker.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <vector>

namespace ctxgraph {
namespace {

// A receipt is replayed by ranking its subgraph again and comparing the
// digest of the items returned: a score that moved could reorder items and
// turn MATCH into MISMATCH for receipts written before. Rounding to 1e-12
// absorbs most last-bit differences of summation order, not all. These
// values are the scores of the first implementation (a Boost
// adjacency_list), as hexadecimal floats; any change to how Rank stores the
// graph or sums must keep them exactly.
TEST(ContextRankerTest, KeepsTheScoresOfEarlierReleasesToTheLastBit) {
  ContextRanker ranker(5);
  ranker.AddEdge(0, 1, "DERIVED_FROM");
  ranker.AddEdge(1, 2, "MENTIONS");
  ranker.AddEdge(0, 2, "PART_OF");
  ranker.AddEdge(2, 3, "REPLY_TO");
  ranker.AddEdge(0, 1, "OTHER");    // a parallel edge counts again
  ranker.AddEdge(3, 3, "PART_OF");  // a self loop is ignored
  ranker.SetSeedWeight(0, 1.0);
  const std::vector<double> expected = {0x1.9ae0c8d5d33c6p-2, 0x1.2116d04f00facp-2,
                                        0x1.f8fc7864a2859p-3, 0x1.1e28aaa36a187p-4, 0x0p+0};
  EXPECT_EQ(ranker.Rank(), expected);
}

TEST(ContextRankerTest, KeepsTheScoresOfALargeRandomGraphToTheLastBit) {
  const char* labels[] = {"DERIVED_FROM", "REFERENCES", "PART_OF", "REPLY_TO", "MENTIONS", "OWNS"};
  uint64_t state = 42;
  auto next = [&state] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return state >> 33;
  };
  const size_t n = 300;
  ContextRanker ranker(n);
  for (int i = 0; i < 900; ++i) {
    const size_t a = next() % n;
    const size_t b = next() % n;
    ranker.AddEdge(a, b, labels[next() % 6]);
  }
  ranker.SetSeedWeight(0, 1.0);
  ranker.SetSeedWeight(17, 0.5);
  ranker.SetSeedWeight(123, 0.25);
  const std::vector<double> scores = ranker.Rank();
  ASSERT_EQ(scores.size(), n);
  EXPECT_EQ(scores[0], 0x1.95568e1d09df2p-4);
  EXPECT_EQ(scores[17], 0x1.b1d20e19528dcp-5);
  EXPECT_EQ(scores[123], 0x1.a9f4748f38443p-6);
  EXPECT_EQ(scores[5], 0x1.05b8ed903da7ep-9);
  // Every score, folded bit by bit (FNV-1a over their IEEE-754 bytes).
  uint64_t fold = 1469598103934665603ULL;
  for (double score : scores) {
    uint64_t bits;
    std::memcpy(&bits, &score, sizeof bits);
    for (int k = 0; k < 8; ++k) {
      fold ^= (bits >> (8 * k)) & 0xff;
      fold *= 1099511628211ULL;
    }
  }
  EXPECT_EQ(fold, 0xa4a05e27e534fe58ULL);
}

}  // namespace
}  // namespace ctxgraph
