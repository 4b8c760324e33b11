#include "tools/bench/postgres_suite.h"

#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "tools/bench/postgres_deployment.h"
#include "tools/bench/postgres_operations.h"

namespace ctxgraph::bench {
namespace {

constexpr PgQuery kQueries[] = {PgQuery::kGetNode,      PgQuery::kListNeighbors,
                                PgQuery::kRetrieve2Hop, PgQuery::kSearchCommon,
                                PgQuery::kSearchRare,   PgQuery::kLineageUpstream};

// app.clearances for a principal: "*" for admin, else its clearances.
std::string Clearances(const Workload& workload, const std::string& principal) {
  if (principal == kAdminPrincipal) return "*";
  const PrincipalSpec* spec = workload.FindPrincipal(principal);
  return spec == nullptr ? "" : absl::StrJoin(spec->clearances, ",");
}

}  // namespace

std::string RunPostgres(const std::string& data_dir, const std::string& pg_script,
                        const Workload& workload, RunPlan& plan, BenchReport& report) {
  PostgresDeployment pg(pg_script);
  std::cerr << "starting PostgreSQL 15...\n";
  if (absl::Status s = pg.Start(); !s.ok()) return absl::StrCat("failed: ", s.message());
  std::cerr << "loading PostgreSQL...\n";
  absl::StatusOr<PostgresLoadStats> load = pg.Load(data_dir + "/graph.jsonl");
  if (!load.ok()) return absl::StrCat("failed: ", load.status().message());
  report.postgres_load = *load;
  std::cerr << "loaded " << load->nodes << " nodes + " << load->edges << " edges in "
            << load->load_seconds << " s\n";
  report.notes.push_back(
      "PostgreSQL search scans every row: under row-level security a non-leakproof qual "
      "(tsv @@ q) may not run before the policy, so the GIN index on tsv goes unused.");
  for (const PgQuery query : kQueries) {
    for (const std::string& principal : plan.principals()) {
      for (const int n : report.clients) {
        plan.Run(
            PostgresOperation(query, pg.ConnInfo(), Clearances(workload, principal), &workload),
            Row(PgQueryOpName(query), "postgres", principal, n));
      }
    }
  }
  pg.Stop();
  return "ok";
}

}  // namespace ctxgraph::bench
