// The ctxgraph side of the benchmark: one AsyncCall per request kind of
// GraphService, ContextService and LineageService, each client on its own
// channel, authenticated as one principal.
#ifndef CTXGRAPH_TOOLS_BENCH_CTXGRAPH_OPERATIONS_H_
#define CTXGRAPH_TOOLS_BENCH_CTXGRAPH_OPERATIONS_H_

#include <string>

#include "tools/bench/call_loop.h"
#include "tools/bench/workload.h"

namespace ctxgraph::bench {

// Where to send requests and as whom. `workload` must outlive the factories.
struct CtxgraphTarget {
  std::string address;  // host:port
  std::string token;    // bearer token of the reading principal
  const Workload* workload = nullptr;
};

// GetNode of a random seed id at the latest version. NOT_FOUND (a node the
// principal may not see) counts as kNotFound, not as an error.
AsyncCallFactory CtxgraphGetNode(const CtxgraphTarget& target);

// ListNeighbors of a random seed id, direction BOTH, every edge label, one
// page of 50. An empty page (or NOT_FOUND) counts as kNotFound.
AsyncCallFactory CtxgraphListNeighbors(const CtxgraphTarget& target);

// ContextService.Search for one random term of queries.json's common (or
// rare) search terms, top 10. No hits counts as kNotFound.
AsyncCallFactory CtxgraphSearch(const CtxgraphTarget& target, bool common_terms);

// ContextService.Retrieve of one random seed id, max_hops 2 (both
// directions), max_items 50, with its receipt and audit entry. NOT_FOUND (a
// seed the principal may not see) counts as kNotFound.
AsyncCallFactory CtxgraphRetrieve(const CtxgraphTarget& target);

// LineageService.Upstream of one random queries.json lineage start,
// max_depth 10, DERIVED_FROM only: what the start was derived from,
// transitively, walking the edges from -> to exactly as PostgreSQL's
// kLineageSql walks src -> dst, so both answer the same nodes. NOT_FOUND (a
// start the principal may not see) or an answer holding only the start (no
// source it may see) counts as kNotFound, as zero rows do for the SQL.
// Upstream to depth 10; `full` asks for whole nodes and edges, else ids
// only, the shape of the SQL's (id, depth) rows.
AsyncCallFactory CtxgraphLineageUpstream(const CtxgraphTarget& target, bool full);

// With probability `write_fraction`, a Write of one upserted node (label
// Document, no boundary, a fresh random prop so it is never a no-op) with an
// id drawn from the private range bench-write-00000000..00099999, sent with
// `write_token` (a loader or admin); otherwise a GetNode as target.token.
AsyncCallFactory CtxgraphMixed(const CtxgraphTarget& target, std::string write_token,
                               double write_fraction);

// Like CtxgraphMixed, with Search (as CtxgraphSearch, common terms) in place
// of GetNode, and the written node's text twenty words, each one of the
// common search terms or one of the rare ones with even odds: a search
// for a common term under writes that keep changing its postings.
AsyncCallFactory CtxgraphMixedSearch(const CtxgraphTarget& target, std::string write_token,
                                     double write_fraction);

}  // namespace ctxgraph::bench

#endif  // CTXGRAPH_TOOLS_BENCH_CTXGRAPH_OPERATIONS_H_
