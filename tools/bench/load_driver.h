// The closed-loop load driver: N client threads, each with its own
// Operation instance (and so its own connection), call RunOnce back to back
// for a fixed time; every latency is recorded.
//
// Extension point: a new benchmark is a new Operation subclass plus a factory
// registered in main.cc; nothing here changes.
#ifndef CTXGRAPH_TOOLS_BENCH_LOAD_DRIVER_H_
#define CTXGRAPH_TOOLS_BENCH_LOAD_DRIVER_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "tools/bench/latency_samples.h"

namespace ctxgraph::bench {

// What one request came to. kNotFound is an expected answer (a hidden or
// absent node) and is counted apart from errors.
enum class Outcome { kOk, kNotFound, kError };

// One kind of request against one backend, as seen by one client thread.
// Instances are used by exactly one thread; they need not be thread-safe.
class Operation {
 public:
  virtual ~Operation() = default;
  // Sends one request and waits for the whole answer. On kError, sets
  // `*error` to a short description (only the first one per run is kept).
  virtual Outcome RunOnce(std::mt19937_64& rng, std::string* error) = 0;
};

// Makes the Operation for client thread `thread_index` (0-based), including
// its connection; an error aborts the run before any measurement.
using OperationFactory =
    std::function<absl::StatusOr<std::unique_ptr<Operation>>(int thread_index)>;

// One row of the report: an operation on a backend as a principal with a
// number of concurrent clients.
struct OpResult {
  std::string op;         // "get_node", "list_neighbors", ...
  std::string backend;    // "ctxgraph", "postgres", "grpc-floor", "rocksdb-floor"
  std::string principal;  // "admin", "agent-3teams" or "-"
  int clients = 0;
  bool implemented = true;  // false: listed as "not implemented yet"
  uint64_t ok = 0;
  uint64_t not_found = 0;
  uint64_t errors = 0;
  std::string first_error;
  double seconds = 0;      // measured wall time
  double ops_per_sec = 0;  // (ok + not_found + errors) / seconds
  double p50_ms = 0, p95_ms = 0, p99_ms = 0;
  // CPU time per request over the measured window, in microseconds: the
  // server's (when LoadSpec::server_cpu_seconds was given) and the
  // benchmark process's own, client threads included. Unlike ops/s, these
  // hardly move when other tenants take the machine's cores, so two builds
  // compare by them even when their runs are minutes apart.
  std::optional<double> server_cpu_us_per_op;
  std::optional<double> client_cpu_us_per_op;
};

// A row to be filled by a driver (RunLoad, RunCallLoop).
inline OpResult Row(std::string op, std::string backend, std::string principal, int clients) {
  OpResult row;
  row.op = std::move(op);
  row.backend = std::move(backend);
  row.principal = std::move(principal);
  row.clients = clients;
  return row;
}

struct LoadSpec {
  int clients = 1;
  std::chrono::duration<double> duration{10};
  // Run (not recorded) before the measured window, by the same clients.
  std::chrono::duration<double> warmup{1};
  uint64_t seed = 1;  // client i draws from mt19937_64(seed + i)
  // CPU seconds the server process has used so far; read when the measured
  // window opens and once every request in it has returned.
  std::function<absl::StatusOr<double>()> server_cpu_seconds;
};

// Runs `factory`'s operations per `spec` and fills the counters, timing and
// percentiles of a copy of `row`. If the factory fails for any thread, returns
// that error and measures nothing.
absl::StatusOr<OpResult> RunLoad(const OperationFactory& factory, const LoadSpec& spec,
                                 OpResult row);

// What drivers share (RunLoad here, RunCallLoop in call_loop.h).

// What one driving thread counted in the measured window.
struct LoadTally {
  LatencySamples samples;
  uint64_t ok = 0, not_found = 0, errors = 0;
  std::string first_error;
  std::chrono::steady_clock::time_point finished;  // when its last request returned

  // Counts one request that took `nanos`; `error` is kept if it is the first.
  void Add(Outcome outcome, int64_t nanos, const std::string& error);
};

// CPU seconds used so far by this process and by the server.
struct CpuReading {
  double own = 0;
  std::optional<double> server;  // absent when not asked for or unreadable
};
// Reads this process's CPU time, and the server's when `spec` says how.
CpuReading ReadCpu(const LoadSpec& spec);

// Fills `row` from the tallies of a window that opened at `measure_from`,
// with `from` and `until` read as it opened and closed. The window ends when
// the last request returned, so slow requests that straddle the deadline are
// charged to the run.
OpResult FinishRow(const std::vector<LoadTally>& tallies,
                   std::chrono::steady_clock::time_point measure_from, const CpuReading& from,
                   const CpuReading& until, OpResult row);

}  // namespace ctxgraph::bench

#endif  // CTXGRAPH_TOOLS_BENCH_LOAD_DRIVER_H_
