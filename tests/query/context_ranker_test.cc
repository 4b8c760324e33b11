#include "query/context_ranker.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

namespace ctxgraph {
namespace {

const char* const kLabels[] = {"DERIVED_FROM", "REFERENCES", "PART_OF",
                               "REPLY_TO",     "MENTIONS",   "OWNS"};

// A fixed pseudo-random sequence (a 64-bit LCG's high bits).
class Lcg {
 public:
  explicit Lcg(uint64_t seed) : state_(seed) {}
  uint64_t operator()() {
    state_ = state_ * 6364136223846793005ULL + 1442695040888963407ULL;
    return state_ >> 33;
  }

 private:
  uint64_t state_;
};

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
  const char* const* labels = kLabels;
  Lcg next(42);
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

// The documented walk written the plainest way (context_ranker.h): every
// node's jump term added, per node lists in the order edges were added. Rank
// must answer its bits exactly, however it is made faster.
std::vector<double> PlainRank(size_t n, const std::vector<std::pair<size_t, size_t>>& edges,
                              const std::vector<std::string>& labels,
                              const std::vector<double>& seed_weight) {
  std::vector<double> p = seed_weight;
  double total = 0;
  for (double w : p) total += w;
  for (double& w : p) w /= total;
  std::vector<std::vector<std::pair<size_t, double>>> out(n);
  for (size_t i = 0; i < edges.size(); ++i) {
    const auto [a, b] = edges[i];
    if (a == b) continue;
    out[a].emplace_back(b, EdgeLabelWeight(labels[i]));
    out[b].emplace_back(a, EdgeLabelWeight(labels[i]));
  }
  std::vector<double> weight_sum(n, 0.0);
  for (size_t u = 0; u < n; ++u) {
    for (const auto& [v, w] : out[u]) weight_sum[u] += w;
  }
  std::vector<double> r = p, next(n);
  for (int iteration = 0; iteration < kRankMaxIterations; ++iteration) {
    double dangling = 0;
    for (size_t v = 0; v < n; ++v) next[v] = (1 - kRankDamping) * p[v];
    for (size_t u = 0; u < n; ++u) {
      if (weight_sum[u] == 0) {
        dangling += r[u];
        continue;
      }
      const double share = kRankDamping * r[u] / weight_sum[u];
      for (const auto& [v, w] : out[u]) next[v] += share * w;
    }
    double change = 0;
    for (size_t v = 0; v < n; ++v) {
      next[v] += kRankDamping * dangling * p[v];
      change += std::abs(next[v] - r[v]);
    }
    r.swap(next);
    if (change < kRankTolerance) break;
  }
  for (double& score : r) score = std::round(score * 1e12) / 1e12;
  return r;
}

// Random subgraphs the size of a retrieval's, with several seeds, some of
// them without an edge (their walk always jumps back: dangling mass), and
// some so small (a seed alone) that the walk converges before the last
// iteration.
TEST(ContextRankerTest, AnswersThePlainWalksBitsOnRandomGraphs) {
  Lcg next(7);
  for (int graph = 0; graph < 40; ++graph) {
    const size_t n = 1 + next() % 60;
    const size_t edge_count = next() % (2 * n + 1);
    std::vector<std::pair<size_t, size_t>> edges;
    std::vector<std::string> labels;
    ContextRanker ranker(n);
    for (size_t i = 0; i < edge_count; ++i) {
      // Edges among the first half only, so that the other half's seeds
      // have none.
      const size_t span = std::max<size_t>(1, n / 2);
      edges.emplace_back(next() % span, next() % span);
      labels.emplace_back(kLabels[next() % 6]);
      ranker.AddEdge(edges.back().first, edges.back().second, labels.back());
    }
    std::vector<double> seed_weight(n, 0.0);
    for (int s = 0; s < 3; ++s) {
      const size_t node = next() % n;
      const double weight = 0.1 + static_cast<double>(next() % 90) / 100;
      seed_weight[node] = std::max(seed_weight[node], weight);
      ranker.SetSeedWeight(node, weight);
    }
    EXPECT_EQ(ranker.Rank(), PlainRank(n, edges, labels, seed_weight)) << "graph " << graph;
  }
}

}  // namespace
}  // namespace ctxgraph
