// ctxgraph-crashtest: SIGKILLs ctxgraphd at random moments under concurrent
// writes and checks, after every restart, that nothing acknowledged was lost.
//
//   ctxgraph-crashtest [--cycles 200] [--writers 4] [--seed 1]
//                      [--min-ms 50] [--max-ms 500] [--dir DIR] [--json OUT]
//
// Each cycle starts ctxgraphd on the same data directory (durable commits,
// the default), times spawn to the first answered call, checks the state
// left by the last kill, lets the writers commit batches through
// GraphService.Write, and SIGKILLs the server after a random delay. Checks:
// every acknowledged batch is there whole at its newest acknowledged state
// (props, version, edges; deletes stay deleted), each batch whose Write the
// kill left unanswered is there whole or not at all, the latest version
// never falls below an acknowledged one, the audit chain verifies
// (AuditService.VerifyLog) and never loses acknowledged commits, and every
// RocksDB table's checksums hold (read offline, every --checksum-every
// kills and after the final clean stop). Every --start-kill-every restarts,
// one more start is killed during start-up, recovery included. Exit 0 when nothing failed, 1 when
// the server got something wrong, 2 when the test itself could not run.
#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "tools/bench/process_control.h"
#include "tools/crashtest/crash_run.h"

namespace {

using ctxgraph::crashtest::CrashRunOptions;
using ctxgraph::crashtest::CrashRunResult;
using nlohmann::json;

constexpr size_t kFailuresShown = 20;

json ResultJson(const CrashRunOptions& options, const CrashRunResult& r) {
  const ctxgraph::bench::LatencySamples& restart = r.restart;
  return json{{"cycles", r.cycles},
              {"start_kills", r.start_kills},
              {"writers", options.writers},
              {"seed", options.seed},
              {"kill_delay_ms", {options.min_kill_ms, options.max_kill_ms}},
              {"acked_batches", r.acked_batches},
              {"unacked_committed", r.unacked_committed},
              {"unacked_absent", r.unacked_absent},
              {"nodes_checked", r.nodes_checked},
              {"audit_entries", r.audit_entries},
              {"checksum_checks", r.checksum_checks},
              {"losses", r.losses},
              {"half_applied", r.half_applied},
              {"verify_failures", r.verify_failures},
              {"failures", r.failures},
              {"restart_ms",
               {{"count", restart.count()},
                {"p50", restart.PercentileMillis(50)},
                {"p95", restart.PercentileMillis(95)},
                {"p99", restart.PercentileMillis(99)},
                {"max", restart.PercentileMillis(100)}}},
              {"seconds", r.seconds}};
}

}  // namespace

int main(int argc, char** argv) {
  CrashRunOptions options;
  options.ctxgraphd = CTXGRAPHD_PATH;
  std::string json_out;
  bool keep = false;
  CLI::App app{"ctxgraph-crashtest: SIGKILL ctxgraphd under concurrent writes, check no loss"};
  app.add_option("--ctxgraphd", options.ctxgraphd, "The server binary")->capture_default_str();
  app.add_option("--dir", options.dir,
                 "Work directory (created; must be new or empty): data/, acked.log, server logs. "
                 "Default: a fresh /tmp/ctxgraph-crashtest-*, removed after a clean run");
  app.add_option("--cycles", options.cycles, "SIGKILLs")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--writers", options.writers, "Concurrent writers")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  app.add_option("--seed", options.seed, "Seed of the batches and kill delays")
      ->capture_default_str();
  app.add_option("--min-ms", options.min_kill_ms, "Shortest delay from serving to the kill")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--max-ms", options.max_kill_ms, "Longest delay from serving to the kill")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--full-check-every", options.full_check_every,
                 "Check every node ever written after every N restarts (0: after the last only)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--checksum-every", options.checksum_every,
                 "Verify RocksDB checksums offline after every N kills (0: at the end only)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--start-kill-every", options.start_kill_every,
                 "Before every N restarts, SIGKILL one start-up before it serves (0: never)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--json", json_out, "Write the results here as JSON");
  app.add_flag("--keep", keep, "Keep the work directory after a clean run");
  CLI11_PARSE(app, argc, argv);
  if (options.min_kill_ms > options.max_kill_ms) {
    std::cerr << "--min-ms: " << options.min_kill_ms << " is above --max-ms " << options.max_kill_ms
              << "\n";
    return 2;
  }

  const bool temp_dir = options.dir.empty();
  if (temp_dir) {
    absl::StatusOr<std::string> dir = ctxgraph::bench::MakeTempDir("ctxgraph-crashtest-");
    if (!dir.ok()) {
      std::cerr << dir.status() << "\n";
      return 2;
    }
    options.dir = *dir;
  } else {
    std::error_code ec;
    std::filesystem::create_directories(options.dir, ec);
    if (ec || !std::filesystem::is_empty(options.dir, ec)) {
      std::cerr << "--dir: " << options.dir << " must be a new or empty directory\n";
      return 2;
    }
  }

  CrashRunResult result;
  const absl::Status status = ctxgraph::crashtest::RunCrashTest(options, &result);
  const json report = ResultJson(options, result);
  if (!json_out.empty()) std::ofstream(json_out) << report.dump(2) << "\n";

  std::cout << "cycles " << result.cycles << " (+" << result.start_kills
            << " kills during start-up), acked batches " << result.acked_batches << " (+"
            << result.unacked_committed << " unanswered but committed, " << result.unacked_absent
            << " unanswered and absent), losses " << result.losses << ", half-applied "
            << result.half_applied << ", verify failures " << result.verify_failures
            << "\nrestart ms p50 " << report["restart_ms"]["p50"] << " p95 "
            << report["restart_ms"]["p95"] << " p99 " << report["restart_ms"]["p99"] << " max "
            << report["restart_ms"]["max"] << " (" << result.restart.count() << " restarts); "
            << result.nodes_checked << " node checks, " << result.audit_entries
            << " audit entries verified, " << result.checksum_checks << " checksum checks, "
            << result.seconds << " s\n";
  for (size_t i = 0; i < result.failures.size() && i < kFailuresShown; ++i) {
    std::cerr << "FAILED: " << result.failures[i] << "\n";
  }
  if (result.failures.size() > kFailuresShown) {
    std::cerr << "... and " << result.failures.size() - kFailuresShown << " more\n";
  }
  if (!status.ok()) {
    std::cerr << "crash test could not go on: " << status
              << "\n(work directory kept: " << options.dir << ")\n";
    return 2;
  }
  if (!result.failures.empty()) {
    std::cerr << "work directory kept for inspection: " << options.dir << "\n";
    return 1;
  }
  if (temp_dir && !keep) std::filesystem::remove_all(options.dir);
  return 0;
}
