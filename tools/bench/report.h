// The benchmark report: everything measured in one run, written as JSON
// (machine-readable, stable keys) and as a Markdown summary with ctxgraph
// and PostgreSQL side by side.
#ifndef CTXGRAPH_TOOLS_BENCH_REPORT_H_
#define CTXGRAPH_TOOLS_BENCH_REPORT_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "tools/bench/ctxgraph_deployment.h"
#include "tools/bench/load_driver.h"
#include "tools/bench/postgres_deployment.h"

namespace ctxgraph::bench {

struct MachineInfo {
  std::string cpu_model;
  int cpus = 0;
  uint64_t memory_bytes = 0;
  std::string kernel;
};

// Reads /proc/cpuinfo, /proc/meminfo and uname.
MachineInfo DescribeMachine();

struct BenchReport {
  std::string date;  // UTC, RFC 3339
  MachineInfo machine;
  std::string data_dir;
  std::vector<int> clients;
  double seconds_per_op = 0;
  double warmup_seconds = 0;
  // How gRPC calls were driven: "loop" or "threads" (call_loop.h). The
  // PostgreSQL side and the RocksDB floor run a thread per client always.
  std::string grpc_driver = "loop";
  int loop_threads = 1;        // --loop-threads: at most one thread per client is used
  std::string import_command;  // the CLI command line used for the load

  std::optional<LoadStats> ctxgraph_load;
  uint64_t ctxgraph_peak_rss_end_bytes = 0;  // VmHWM after every ctxgraph run
  uint64_t ctxgraph_disk_end_bytes = 0;
  std::optional<PostgresLoadStats> postgres_load;
  std::string postgres_status;  // "ok", "skipped (--no-postgres)" or the failure

  std::vector<OpResult> results;  // including floors and "not implemented" rows
  std::vector<std::string> notes;
};

// Keys: date, machine, scale, settings, load{ctxgraph, postgres},
// get_node_share_of_empty_call{"<clients>": fraction},
// get_node_not_found_cost{"<clients>": {extra_us_per_call, not_found_share,
// predicted_ratio}} (what gRPC's cost for NOT_FOUND alone predicts for the
// restricted principal's GetNode; see GetNodeNotFoundCost), results[],
// notes[].
nlohmann::json ReportJson(const BenchReport& report);

std::string ReportMarkdown(const BenchReport& report);

}  // namespace ctxgraph::bench

#endif  // CTXGRAPH_TOOLS_BENCH_REPORT_H_
