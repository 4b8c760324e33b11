// ctxgraph-gen: writes a deterministic enterprise context graph for loading
// and benchmarking ctxgraph (see graph_generator.h for what it writes).
//
//   ctxgraph-gen --nodes N --seed S --out DIR [--format jsonl|csv|both]
//                [--edges-per-node 2.4]
//
// Prints one summary line to stderr. Exit codes: 0 success, 1 generation
// failed (message on stderr), CLI11's codes for bad flags.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <string>

#include "client/cli_validators.h"  // header-only: the decimal check every binary's flags share
#include "tools/gen/graph_generator.h"

int main(int argc, char** argv) {
  ctxgraph::gen::GeneratorOptions options;
  std::string format = "jsonl";
  std::string out_dir;

  CLI::App app{"ctxgraph-gen: deterministic enterprise context graph generator"};
  app.add_option("--nodes", options.nodes, "number of nodes")
      ->transform(ctxgraph::client::DecimalNumber())
      ->required();
  app.add_option("--seed", options.seed, "random seed (same seed and nodes: same bytes)")
      ->transform(ctxgraph::client::DecimalNumber())
      ->required();
  app.add_option("--out", out_dir, "output directory (created if missing)")->required();
  app.add_option("--format", format, "jsonl, csv or both")
      ->check(CLI::IsMember({"jsonl", "csv", "both"}))
      ->capture_default_str();
  app.add_option("--edges-per-node", options.edges_per_node, "average out-edges per node")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  options.out_dir = out_dir;
  options.write_jsonl = format == "jsonl" || format == "both";
  options.write_csv = format == "csv" || format == "both";

  const auto start = std::chrono::steady_clock::now();
  absl::StatusOr<ctxgraph::gen::GeneratorSummary> summary = ctxgraph::gen::GenerateGraph(options);
  if (!summary.ok()) {
    std::fprintf(stderr, "ctxgraph-gen: %s\n", std::string(summary.status().message()).c_str());
    return 1;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (const std::string& warning : summary->warnings) {
    std::fprintf(stderr, "ctxgraph-gen: warning: %s\n", warning.c_str());
  }
  std::fprintf(stderr,
               "ctxgraph-gen: %llu nodes, %llu edges (%.2f per node), %llu labels, %llu bytes, "
               "%.1f s, format %s, seed %llu, out %s\n",
               static_cast<unsigned long long>(summary->nodes),
               static_cast<unsigned long long>(summary->edges),
               static_cast<double>(summary->edges) / static_cast<double>(summary->nodes),
               static_cast<unsigned long long>(summary->labels),
               static_cast<unsigned long long>(summary->bytes), seconds, format.c_str(),
               static_cast<unsigned long long>(options.seed), out_dir.c_str());
  return 0;
}
