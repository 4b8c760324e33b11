// The PostgreSQL half of a run: start a throwaway cluster, load the graph,
// run every PostgreSQL operation as each principal at each client count, and
// remove the cluster.
#ifndef CTXGRAPH_TOOLS_BENCH_POSTGRES_SUITE_H_
#define CTXGRAPH_TOOLS_BENCH_POSTGRES_SUITE_H_

#include <string>

#include "tools/bench/report.h"
#include "tools/bench/run_plan.h"
#include "tools/bench/workload.h"

namespace ctxgraph::bench {

// Fills report.postgres_load and appends rows to the report via `plan`.
// Returns the postgres status for the report: "ok", or why it did not run
// (start/load failure, or libpq missing when the benchmark was built). Never
// leaves a cluster running.
std::string RunPostgres(const std::string& data_dir, const std::string& pg_script,
                        const Workload& workload, RunPlan& plan, BenchReport& report);

}  // namespace ctxgraph::bench

#endif  // CTXGRAPH_TOOLS_BENCH_POSTGRES_SUITE_H_
