// Built instead of postgres_suite.cc when libpq was not found at configure
// time (install it with `tools/bench/pg_setup.sh install`, then re-run cmake).
#include "tools/bench/postgres_suite.h"

namespace ctxgraph::bench {

std::string RunPostgres(const std::string&, const std::string&, const Workload&, RunPlan&,
                        BenchReport&) {
  return "not built: libpq was not found when ctxgraph-bench was configured";
}

}  // namespace ctxgraph::bench
