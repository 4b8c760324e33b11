// ContextRanker: personalized PageRank over a retrieval's fetched subgraph.
//
// The subgraph is taken as undirected (context flows both ways along an
// edge). Each edge weighs by its label:
//
//   DERIVED_FROM 1.0   REFERENCES 1.0   PART_OF 0.8   REPLY_TO 0.7
//   MENTIONS 0.6       any other label 0.5
//
// A random walk at node u follows one of u's edges with probability weight /
// (sum of u's edge weights) with probability d = 0.85, and otherwise jumps
// back to a seed chosen by the personalization vector p (a node without
// edges always jumps back). p(s) is proportional to the seed's weight, which
// the caller sets: Retriever gives an explicit seed 1 and a query seed its
// search score divided by the best hit's score (the larger when a node is
// both). Scores are the walk's stationary distribution r = (1 - d) p + d
// (W r + dangling mass * p), by power iteration from r = p until the L1
// change is below 1e-9 or after 100 iterations, then rounded to 1e-12 so
// that equal scores compare equal. They sum to ~1 over the subgraph. Self
// loops are ignored. Deterministic: the same input gives the same scores.
//
// Built with Boost.Graph (a compressed_sparse_row_graph holding each edge
// both ways, with its weight).
// Not thread-safe; one per request.
#ifndef CTXGRAPH_QUERY_CONTEXT_RANKER_H_
#define CTXGRAPH_QUERY_CONTEXT_RANKER_H_

#include <cstddef>
#include <string_view>
#include <vector>

namespace ctxgraph {

inline constexpr double kRankDamping = 0.85;
inline constexpr int kRankMaxIterations = 100;
inline constexpr double kRankTolerance = 1e-9;

// The walk weight of an edge label (the table above).
double EdgeLabelWeight(std::string_view label);

class ContextRanker {
 public:
  explicit ContextRanker(size_t node_count);

  // Node indexes are 0..node_count-1.
  void AddEdge(size_t a, size_t b, std::string_view label);
  // A positive weight makes `node` a seed; calling again keeps the larger.
  void SetSeedWeight(size_t node, double weight);

  // One score per node. With no seed weight set, every score is 0.
  std::vector<double> Rank() const;

 private:
  struct EdgeList {
    std::vector<size_t> a, b;
    std::vector<double> weight;
  };
  size_t node_count_;
  EdgeList edges_;
  std::vector<double> seed_weight_;
};

}  // namespace ctxgraph

#endif  // CTXGRAPH_QUERY_CONTEXT_RANKER_H_
