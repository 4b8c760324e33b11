#include "server/request_limits.h"

namespace ctxgraph::server {

// One flag sets both walks' bounds, so their fixed defaults must agree (and
// the default flag value then changes nothing).
static_assert(kDefaultRetrieveMaxNodes == kDefaultLineageMaxNodes);
static_assert(kDefaultRetrieveMaxEdges == kDefaultRetrieveMaxNodes * kEdgesPerTraversalNode);
static_assert(kDefaultLineageMaxEdges == kDefaultLineageMaxNodes * kEdgesPerTraversalNode);

RetrieverOptions RetrieverOptionsFor(const RequestLimits& limits) {
  RetrieverOptions options;
  options.max_nodes = limits.max_traversal_nodes;
  options.max_edges = limits.max_traversal_nodes * kEdgesPerTraversalNode;
  return options;
}

LineageLimits LineageLimitsFor(const RequestLimits& limits) {
  LineageLimits out;
  out.max_nodes = limits.max_traversal_nodes;
  out.max_edges = limits.max_traversal_nodes * kEdgesPerTraversalNode;
  return out;
}

ExposureLimits ExposureLimitsFor(const RequestLimits& limits) {
  ExposureLimits out;
  out.closure = LineageLimitsFor(limits);
  return out;
}

}  // namespace ctxgraph::server
