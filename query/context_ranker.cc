#include "query/context_ranker.h"

#include <algorithm>
#include <boost/graph/compressed_sparse_row_graph.hpp>
#include <boost/range/iterator_range.hpp>
#include <cmath>
#include <utility>

namespace ctxgraph {
namespace {

// Each undirected edge as two directed ones. The CSR constructor sorts them
// by source stably, so a node's edges keep the order they were added in,
// and with it the order the walk's sums are taken in: the scores do not
// depend on how the graph is stored, to the last bit.
using WalkGraph = boost::compressed_sparse_row_graph<boost::directedS, boost::no_property, double>;

}  // namespace

double EdgeLabelWeight(std::string_view label) {
  if (label == "DERIVED_FROM" || label == "REFERENCES") return 1.0;
  if (label == "PART_OF") return 0.8;
  if (label == "REPLY_TO") return 0.7;
  if (label == "MENTIONS") return 0.6;
  return 0.5;
}

ContextRanker::ContextRanker(size_t node_count)
    : node_count_(node_count), seed_weight_(node_count, 0.0) {}

void ContextRanker::AddEdge(size_t a, size_t b, std::string_view label) {
  if (a == b) return;
  edges_.a.push_back(a);
  edges_.b.push_back(b);
  edges_.weight.push_back(EdgeLabelWeight(label));
}

void ContextRanker::SetSeedWeight(size_t node, double weight) {
  seed_weight_[node] = std::max(seed_weight_[node], weight);
}

std::vector<double> ContextRanker::Rank() const {
  const size_t n = node_count_;
  std::vector<double> p = seed_weight_;
  double total = 0;
  for (double w : p) total += w;
  if (total <= 0) return std::vector<double>(n, 0.0);
  for (double& w : p) w /= total;

  std::vector<std::pair<size_t, size_t>> arcs;
  std::vector<double> arc_weights;
  arcs.reserve(2 * edges_.a.size());
  arc_weights.reserve(2 * edges_.a.size());
  for (size_t i = 0; i < edges_.a.size(); ++i) {
    arcs.emplace_back(edges_.a[i], edges_.b[i]);
    arcs.emplace_back(edges_.b[i], edges_.a[i]);
    arc_weights.push_back(edges_.weight[i]);
    arc_weights.push_back(edges_.weight[i]);
  }
  const WalkGraph graph(boost::edges_are_unsorted_multi_pass, arcs.begin(), arcs.end(),
                        arc_weights.begin(), n);
  std::vector<double> weight_sum(n, 0.0);
  for (size_t u = 0; u < n; ++u) {
    for (const auto& e : boost::make_iterator_range(boost::out_edges(u, graph))) {
      weight_sum[u] += graph[e];
    }
  }

  // The walk's jumps land on seeds only: every other node's p is 0, and the
  // terms it would add are +0.0, which change no sum (scores are never
  // negative). So the jump terms are added for the seeds alone, in the
  // same order as for every node: the same bits.
  std::vector<size_t> seeds;
  for (size_t v = 0; v < n; ++v) {
    if (p[v] != 0) seeds.push_back(v);
  }
  std::vector<double> r = p, next(n);
  for (int iteration = 0; iteration < kRankMaxIterations; ++iteration) {
    double dangling = 0;
    std::fill(next.begin(), next.end(), 0.0);
    for (size_t s : seeds) next[s] = (1 - kRankDamping) * p[s];
    for (size_t u = 0; u < n; ++u) {
      if (weight_sum[u] == 0) {
        dangling += r[u];
        continue;
      }
      const double share = kRankDamping * r[u] / weight_sum[u];
      for (const auto& e : boost::make_iterator_range(boost::out_edges(u, graph))) {
        next[boost::target(e, graph)] += share * graph[e];
      }
    }
    for (size_t s : seeds) next[s] += kRankDamping * dangling * p[s];
    double change = 0;
    for (size_t v = 0; v < n; ++v) change += std::abs(next[v] - r[v]);
    r.swap(next);
    if (change < kRankTolerance) break;
  }
  for (double& score : r) score = std::round(score * 1e12) / 1e12;
  return r;
}

}  // namespace ctxgraph
