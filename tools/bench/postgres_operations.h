// The PostgreSQL side of the benchmark: the same questions as ctxgraph's
// operations, as SQL over nodes/edges under row-level security, via libpq.
// Each client thread has its own connection with its clearances set once
// (SET app.clearances) and its statements prepared once.
#ifndef CTXGRAPH_TOOLS_BENCH_POSTGRES_OPERATIONS_H_
#define CTXGRAPH_TOOLS_BENCH_POSTGRES_OPERATIONS_H_

#include <string>

#include "tools/bench/load_driver.h"
#include "tools/bench/workload.h"

namespace ctxgraph::bench {

// What a PostgreSQL operation asks. Each has one prepared statement.
enum class PgQuery {
  kGetNode,          // point lookup by id
  kListNeighbors,    // edges of a node, both directions, joined to the other end, limit 50
  kRetrieve2Hop,     // nodes within 2 hops (recursive CTE), limit 50
  kSearchCommon,     // full-text top-10 by ts_rank, a common term
  kSearchRare,       // the same with a rare term
  kLineageUpstream,  // upstream over DERIVED_FROM, depth 10 (recursive CTE)
};

// The op name used in the report ("get_node", ...), shared with ctxgraph's.
const char* PgQueryOpName(PgQuery query);

// `conninfo` is a libpq connection string; `clearances` the comma-separated
// value for app.clearances ("*" for admin). `workload` must outlive the
// factory. A query answering zero rows counts as kNotFound; a failed one as
// kError with PostgreSQL's message.
OperationFactory PostgresOperation(PgQuery query, std::string conninfo, std::string clearances,
                                   const Workload* workload);

}  // namespace ctxgraph::bench

#endif  // CTXGRAPH_TOOLS_BENCH_POSTGRES_OPERATIONS_H_
