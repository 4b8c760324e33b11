// ctxgraph-bench: a reproducible benchmark of ctxgraph beside PostgreSQL 15.
//
//   ctxgraph-bench --data DIR --clients 1,8 --seconds 10 [--no-postgres]
//                  [--out results.json] [--markdown results.md] [--bin-dir build]
//
// DIR is ctxgraph-gen's output (graph.jsonl, queries.json). The run: start
// ctxgraphd on a temporary data dir, import through the real CLI, create the
// principals, measure the floors (empty gRPC call, the same call answered
// NOT_FOUND, raw RocksDB Gets), run
// every ctxgraph operation as admin and as agent-3teams at each client count,
// stop ctxgraphd, then do the same against a throwaway PostgreSQL cluster.
// Backends never run at the same time, so they do not compete for the CPU.
#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <memory>

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "tools/bench/ctxgraph_deployment.h"
#include "tools/bench/ctxgraph_operations.h"
#include "tools/bench/floors.h"
#include "tools/bench/postgres_suite.h"
#include "tools/bench/report.h"
#include "tools/bench/run_plan.h"

namespace ctxgraph::bench {
namespace {

struct Flags {
  std::string data;
  std::vector<int> clients = {1, 8};
  double seconds = 10;
  double warmup = 1;
  bool no_postgres = false;
  std::string out, markdown;
  std::string bin_dir = "build";
  std::string server_args, import_args;
  uint64_t rocksdb_keys = 1000000;
  double write_fraction = 0.1;
  std::string pg_script = CTXGRAPH_BENCH_SOURCE_DIR "/pg_setup.sh";
  bool keep_data = false;
  std::vector<std::string> ops;
  std::string driver = "loop";
  int loop_threads = 1;
};

std::vector<std::string> Words(const std::string& s) {
  return absl::StrSplit(s, ' ', absl::SkipWhitespace());
}

// ctxgraph's operations, floors and load; the server is stopped on return.
absl::Status RunCtxgraph(const Flags& flags, const Workload& workload, RunPlan& plan,
                         BenchReport& report) {
  CtxgraphDeploymentOptions options;
  options.bin_dir = flags.bin_dir;
  options.server_args = Words(flags.server_args);
  options.import_args = Words(flags.import_args);
  options.keep_data = flags.keep_data;
  CtxgraphDeployment server(options);
  if (absl::Status s = server.Start(); !s.ok()) return s;
  std::cerr << "ctxgraphd serving on " << server.address() << "; importing...\n";
  report.import_command = absl::StrCat("ctxgraph --json import ", flags.data, "/graph.jsonl",
                                       flags.import_args.empty() ? "" : " ", flags.import_args);
  absl::StatusOr<LoadStats> load = server.Import(flags.data + "/graph.jsonl");
  if (!load.ok()) return load.status();
  report.ctxgraph_load = *load;
  std::cerr << "imported " << load->nodes << " nodes + " << load->edges << " edges in "
            << load->seconds << " s\n";
  if (absl::Status s = server.CreatePrincipals(workload.principals); !s.ok()) return s;

  const auto server_cpu = [&server] { return server.CpuSeconds(); };
  for (const int n : flags.clients) {
    plan.Run(EmptyGrpcCall(server.address()), Row("empty_call", "grpc-floor", "-", n), server_cpu);
    plan.Run(NotFoundGrpcCall(server.address()), Row("empty_call_not_found", "grpc-floor", "-", n),
             server_cpu);
  }
  if (plan.Selected("rocksdb_get")) {
    std::cerr << "building the RocksDB floor (" << flags.rocksdb_keys << " keys)...\n";
    absl::StatusOr<std::unique_ptr<RocksDbFloor>> rocks = RocksDbFloor::Create(flags.rocksdb_keys);
    if (!rocks.ok()) return rocks.status();
    for (const int n : flags.clients) {
      plan.Run((*rocks)->RandomGets(), Row("rocksdb_get", "rocksdb-floor", "-", n));
    }
  }

  const std::string writer = workload.FindPrincipal("loader") != nullptr ? "loader" : "admin";
  absl::StatusOr<std::string> write_token = server.Token(writer);
  if (!write_token.ok()) return write_token.status();
  for (const std::string& principal : plan.principals()) {
    absl::StatusOr<std::string> token = server.Token(principal);
    if (!token.ok()) return token.status();
    const CtxgraphTarget target{server.address(), *token, &workload};
    for (const int n : flags.clients) {
      plan.Run(CtxgraphGetNode(target), Row("get_node", "ctxgraph", principal, n), server_cpu);
      plan.Run(CtxgraphListNeighbors(target), Row("list_neighbors", "ctxgraph", principal, n),
               server_cpu);
      plan.Run(CtxgraphSearch(target, /*common_terms=*/true),
               Row("search_common", "ctxgraph", principal, n), server_cpu);
      plan.Run(CtxgraphSearch(target, /*common_terms=*/false),
               Row("search_rare", "ctxgraph", principal, n), server_cpu);
      plan.Run(CtxgraphRetrieve(target), Row("retrieve_2hop", "ctxgraph", principal, n),
               server_cpu);
      plan.Run(CtxgraphLineageUpstream(target, /*full=*/false),
               Row("lineage_upstream_10", "ctxgraph", principal, n), server_cpu);
      plan.Run(CtxgraphLineageUpstream(target, /*full=*/true),
               Row("lineage_upstream_10_full", "ctxgraph", principal, n), server_cpu);
      for (const char* pending : kCtxgraphPendingOps) {
        plan.NotImplemented(Row(pending, "ctxgraph", principal, n));
      }
    }
  }
  // Last, since it writes.
  for (const std::string& principal : plan.principals()) {
    const CtxgraphTarget target{server.address(), *server.Token(principal), &workload};
    for (const int n : flags.clients) {
      plan.Run(CtxgraphMixed(target, *write_token, flags.write_fraction),
               Row("mixed_90r10w", "ctxgraph", principal, n), server_cpu);
      plan.Run(CtxgraphMixedSearch(target, *write_token, flags.write_fraction),
               Row("mixed_search_90r10w", "ctxgraph", principal, n), server_cpu);
    }
  }
  if (plan.Selected("mixed_90r10w")) {
    report.notes.push_back(absl::StrCat("mixed_90r10w: ", 100 * flags.write_fraction,
                                        "% Writes of one upserted node, sent as \"", writer,
                                        "\"; the rest GetNode as the principal."));
  }
  if (plan.Selected("mixed_search_90r10w")) {
    report.notes.push_back(absl::StrCat(
        "mixed_search_90r10w: ", 100 * flags.write_fraction,
        "% Writes of one upserted node whose text is 20 of the common and rare search terms, "
        "sent as \"",
        writer, "\"; the rest Search for a common term as the principal."));
  }
  absl::StatusOr<uint64_t> rss = server.PeakRssBytes();
  report.ctxgraph_peak_rss_end_bytes = rss.ok() ? *rss : 0;
  report.ctxgraph_disk_end_bytes = server.DiskBytes();
  const int exit_code = server.Stop();
  if (exit_code != 0) {
    report.notes.push_back(absl::StrCat("ctxgraphd exited with ", exit_code, " on SIGTERM"));
  }
  return absl::OkStatus();
}

int Main(int argc, char** argv) {
  // The client threads share the cores with the server they measure: skip
  // the lock-order checks Debian's Abseil makes on every absl::Mutex
  // acquisition (server/main.cc), as ctxgraphd and the ctxgraph CLI do.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  CLI::App app{"ctxgraph-bench: ctxgraph beside PostgreSQL 15"};
  Flags flags;
  app.add_option("--data", flags.data, "ctxgraph-gen output dir (graph.jsonl, queries.json)")
      ->required();
  app.add_option("--clients", flags.clients, "Client thread counts")->delimiter(',');
  app.add_option("--seconds", flags.seconds, "Measured seconds per op")->capture_default_str();
  app.add_option("--warmup", flags.warmup, "Unmeasured seconds before each op")
      ->capture_default_str();
  app.add_flag("--no-postgres", flags.no_postgres, "Skip PostgreSQL");
  app.add_option("--out", flags.out, "Write the JSON report here");
  app.add_option("--markdown", flags.markdown, "Write the Markdown report here");
  app.add_option("--bin-dir", flags.bin_dir, "Build dir with server/ and client/")
      ->capture_default_str();
  app.add_option("--server-args", flags.server_args,
                 "Extra ctxgraphd flags, space-separated; use --server-args=--no-sync-writes");
  app.add_option("--import-args", flags.import_args,
                 "Extra `ctxgraph import` flags, space-separated; use --import-args=--bulk");
  app.add_option("--rocksdb-keys", flags.rocksdb_keys, "Keys in the RocksDB floor")
      ->capture_default_str();
  app.add_option("--write-fraction", flags.write_fraction, "Writes in the mixed workload")
      ->capture_default_str();
  app.add_option("--pg-script", flags.pg_script, "pg_setup.sh")->capture_default_str();
  app.add_flag("--keep-data", flags.keep_data, "Keep ctxgraphd's temporary data dir");
  app.add_option("--ops", flags.ops,
                 "Only these operations, e.g. retrieve_2hop,empty_call (default: all)")
      ->delimiter(',');
  app.add_option("--driver", flags.driver,
                 "How gRPC clients run: loop (one thread, a call in flight per client) or "
                 "threads (a thread per client, blocking calls)")
      ->check(CLI::IsMember({"loop", "threads"}))
      ->capture_default_str();
  app.add_option("--loop-threads", flags.loop_threads,
                 "Threads of the loop driver; clients are dealt among them")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  absl::StatusOr<Workload> workload = LoadWorkload(flags.data + "/queries.json");
  if (!workload.ok()) {
    std::cerr << "error: " << workload.status().message() << "\n";
    return 2;
  }
  BenchReport report;
  report.date = absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::Now(), absl::UTCTimeZone());
  report.machine = DescribeMachine();
  report.data_dir = flags.data;
  report.clients = flags.clients;
  report.seconds_per_op = flags.seconds;
  report.warmup_seconds = flags.warmup;
  report.grpc_driver = flags.driver;
  report.loop_threads = flags.loop_threads;
  RunPlan plan(*workload, flags.seconds, flags.warmup, &report, flags.ops,
               flags.driver == "loop" ? CallDriver::kLoop : CallDriver::kThreads,
               flags.loop_threads);

  if (absl::Status s = RunCtxgraph(flags, *workload, plan, report); !s.ok()) {
    std::cerr << "error: ctxgraph: " << s.message() << "\n";
    return 1;
  }
  if (flags.no_postgres) {
    report.postgres_status = "skipped (--no-postgres)";
  } else {
    report.postgres_status = RunPostgres(flags.data, flags.pg_script, *workload, plan, report);
  }

  const std::string json = ReportJson(report).dump(2);
  const std::string markdown = ReportMarkdown(report);
  if (!flags.out.empty()) std::ofstream(flags.out) << json << "\n";
  if (!flags.markdown.empty()) std::ofstream(flags.markdown) << markdown;
  std::cout << markdown;
  return 0;
}

}  // namespace
}  // namespace ctxgraph::bench

int main(int argc, char** argv) { return ctxgraph::bench::Main(argc, argv); }
