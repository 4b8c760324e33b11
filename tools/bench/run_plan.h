// Runs benchmark rows one after another with the same settings and collects
// them into the report, logging each to stderr as it finishes.
#ifndef CTXGRAPH_TOOLS_BENCH_RUN_PLAN_H_
#define CTXGRAPH_TOOLS_BENCH_RUN_PLAN_H_

#include <array>
#include <functional>
#include <string>
#include <vector>

#include "tools/bench/call_loop.h"
#include "tools/bench/load_driver.h"
#include "tools/bench/report.h"
#include "tools/bench/workload.h"

namespace ctxgraph::bench {

// ctxgraph operations that wait for server features; reported as "not
// implemented yet". When one lands: add its factory to ctxgraph_operations.h,
// run it in main.cc and drop it from here. The names match PostgreSQL's rows.
// None are pending today.
inline constexpr std::array<const char*, 0> kCtxgraphPendingOps{};

// The unrestricted principal (the bootstrap admin on ctxgraph, clearance "*"
// on PostgreSQL) and the boundary-restricted one from queries.json.
inline constexpr char kAdminPrincipal[] = "admin";
inline constexpr char kRestrictedPrincipal[] = "agent-3teams";

// Not thread-safe; `report` must outlive the plan.
class RunPlan {
 public:
  // `only_ops`: when not empty, rows of other operations (floors included)
  // are skipped and left out of the report.
  // gRPC calls (Run with an AsyncCallFactory) are driven by `driver`, the
  // loop on `loop_threads` threads.
  RunPlan(const Workload& workload, double seconds, double warmup, BenchReport* report,
          std::vector<std::string> only_ops = {}, CallDriver driver = CallDriver::kLoop,
          int loop_threads = 1);

  // The principals each operation runs as: admin, and agent-3teams when
  // queries.json defines it (otherwise a note says it was skipped).
  const std::vector<std::string>& principals() const { return principals_; }

  // Whether `op` runs in this plan (see only_ops).
  bool Selected(const std::string& op) const;

  // Runs `row`'s operation for the configured time with row.clients threads
  // and appends the result. A factory failure becomes a row with one error.
  // Does nothing for an operation that is not selected. `server_cpu_seconds`,
  // when given, reads the serving process's CPU time (LoadSpec).
  void Run(const OperationFactory& factory, OpResult row,
           std::function<absl::StatusOr<double>()> server_cpu_seconds = {});
  // The same for gRPC calls, driven as the plan says.
  void Run(const AsyncCallFactory& factory, OpResult row,
           std::function<absl::StatusOr<double>()> server_cpu_seconds = {});

  // Appends a row marked "not implemented yet".
  void NotImplemented(OpResult row);

 private:
  // The plan's timing for `row`'s clients, reading the server's CPU with
  // `server_cpu`.
  LoadSpec Spec(const OpResult& row, std::function<absl::StatusOr<double>()> server_cpu) const;
  // Logs `result` (or `row` failed with its error) and appends it.
  void Record(absl::StatusOr<OpResult> result, OpResult row);

  double seconds_;
  double warmup_;
  BenchReport* report_;
  std::vector<std::string> principals_;
  std::vector<std::string> only_ops_;
  CallDriver driver_;
  int loop_threads_;
};

}  // namespace ctxgraph::bench

#endif  // CTXGRAPH_TOOLS_BENCH_RUN_PLAN_H_
