// The crash test's cycle loop: start ctxgraphd on the same data directory,
// check what the writers were told against what it serves, let the writers
// commit, SIGKILL it at a random moment, and again.
#ifndef CTXGRAPH_TOOLS_CRASHTEST_CRASH_RUN_H_
#define CTXGRAPH_TOOLS_CRASHTEST_CRASH_RUN_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "tools/bench/latency_samples.h"

namespace ctxgraph::crashtest {

struct CrashRunOptions {
  std::string ctxgraphd;  // the server binary
  std::string dir;        // holds data/ (the server's), acked.log, server logs
  int cycles = 200;       // kills
  int writers = 4;
  uint64_t seed = 1;
  int min_kill_ms = 50;   // the kill comes this long after the server serves...
  int max_kill_ms = 500;  // ...at most this long
  // Check every node ever written (not just those written since the last
  // check) after every this many restarts, and always after the last one.
  int full_check_every = 50;
  // Read every table's checksums offline (VerifyDatabaseChecksums) after
  // every this many kills, and always after the final clean stop.
  int checksum_every = 10;
  // Before every this many restarts, one more start is SIGKILLed at a
  // random moment of its start-up (RocksDB recovery included), before it
  // serves.
  int start_kill_every = 5;
};

struct CrashRunResult {
  int cycles = 0;       // kills under writes done
  int start_kills = 0;  // kills during start-up
  uint64_t acked_batches = 0;
  uint64_t unacked_committed = 0;  // Write unanswered, batch found whole
  uint64_t unacked_absent = 0;     // Write unanswered, batch found absent
  uint64_t nodes_checked = 0;
  uint64_t audit_entries = 0;  // the chain's length at the last check
  int checksum_checks = 0;
  // Each failure, as said to the operator; the counts sort them.
  std::vector<std::string> failures;
  uint64_t losses = 0;            // acknowledged node states the server did not hold
  uint64_t half_applied = 0;      // unanswered batches found in part
  uint64_t verify_failures = 0;   // audit chain, checksums, versions, writes refused
  bench::LatencySamples restart;  // spawn to first answered call, restarts only
  double seconds = 0;
};

// Runs the whole test; fails only when the test itself cannot go on (the
// server does not start or cannot be read). What the server got wrong goes
// to result->failures, and the run stops after the check that found it.
absl::Status RunCrashTest(const CrashRunOptions& options, CrashRunResult* result);

}  // namespace ctxgraph::crashtest

#endif  // CTXGRAPH_TOOLS_CRASHTEST_CRASH_RUN_H_
