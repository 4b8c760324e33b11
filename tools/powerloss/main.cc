// ctxgraph-powerloss: simulated power losses against the storage layer (see
// power_loss_run.h for what a cycle does and what is checked).
//
//   ctxgraph-powerloss [--cycles 200] [--seed S] [--dir DIR]
//
// Prints the figures to stdout. Exit codes: 0 every check held, 1 a commit
// was lost, a recovered state was no prefix of the commits or the run could
// not go on (details on stderr; the database directory is kept), CLI11's
// codes for bad flags.
#include <stdlib.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>

#include "tools/powerloss/power_loss_run.h"

int main(int argc, char** argv) {
  ctxgraph::PowerLossOptions options;
  options.seed = std::random_device()();
  CLI::App app{"ctxgraph-powerloss: power-loss simulation of the storage layer"};
  app.add_option("--cycles", options.cycles, "power losses to simulate")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--seed", options.seed, "random seed (default: random, printed)");
  app.add_option("--compact-every", options.compact_every,
                 "compact the whole database every N cycles, power on (0: never)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--progress-every", options.progress_every,
                 "print a progress line every N cycles (0: never)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--dir", options.dir,
                 "database directory, absent or empty (default: a new temporary directory, "
                 "removed after a clean run)");
  CLI11_PARSE(app, argc, argv);

  bool temporary = false;
  if (options.dir.empty()) {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "ctxgraph-powerloss-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
      std::perror("ctxgraph-powerloss: mkdtemp");
      return 1;
    }
    options.dir = pattern;
    temporary = true;
  }
  std::printf("seed %llu, %d cycles, database %s\n", static_cast<unsigned long long>(options.seed),
              options.cycles, options.dir.c_str());
  std::fflush(stdout);

  const auto start = std::chrono::steady_clock::now();
  auto elapsed = [&start] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  options.progress = [&elapsed](const ctxgraph::PowerLossReport& r) {
    std::printf("cycle %d: %llu acked commits, %.0f s\n", r.cycles,
                static_cast<unsigned long long>(r.acked_commits), elapsed());
    std::fflush(stdout);
  };
  absl::StatusOr<ctxgraph::PowerLossReport> report = ctxgraph::RunPowerLoss(options);
  if (!report.ok()) {
    std::fprintf(stderr, "ctxgraph-powerloss: %s (database kept in %s)\n",
                 report.status().ToString().c_str(), options.dir.c_str());
    return 1;
  }
  std::printf(
      "cycles %d, power losses while opening %d, full compactions %d, acked commits %llu "
      "(%llu bulk sessions), unacked commits that survived %llu, lost acked commits %llu, "
      "non-prefix states %llu, "
      "audit failures %llu, %.0f s\n",
      report->cycles, report->open_losses, report->compactions,
      static_cast<unsigned long long>(report->acked_commits),
      static_cast<unsigned long long>(report->bulk_commits),
      static_cast<unsigned long long>(report->unacked_durable),
      static_cast<unsigned long long>(report->lost_commits),
      static_cast<unsigned long long>(report->non_prefix_states),
      static_cast<unsigned long long>(report->audit_failures), elapsed());
  for (const std::string& problem : report->problems) {
    std::fprintf(stderr, "FAIL: %s\n", problem.c_str());
  }
  if (!report->ok()) {
    std::fprintf(stderr, "ctxgraph-powerloss: FAILED (seed %llu, database kept in %s)\n",
                 static_cast<unsigned long long>(options.seed), options.dir.c_str());
    return 1;
  }
  if (temporary) {
    std::error_code ec;
    std::filesystem::remove_all(options.dir, ec);
  }
  std::printf("ok\n");
  return 0;
}
