// A ctxgraphd process on a temporary data directory, loaded and administered
// through the real `ctxgraph` CLI, as an operator would.
#ifndef CTXGRAPH_TOOLS_BENCH_CTXGRAPH_DEPLOYMENT_H_
#define CTXGRAPH_TOOLS_BENCH_CTXGRAPH_DEPLOYMENT_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tools/bench/process_control.h"
#include "tools/bench/workload.h"

namespace ctxgraph::bench {

struct CtxgraphDeploymentOptions {
  std::string bin_dir = "build";         // holds server/ctxgraphd and client/ctxgraph
  std::vector<std::string> server_args;  // extra ctxgraphd flags, e.g. --no-sync-writes
  std::vector<std::string> import_args;  // extra `import` flags, e.g. --batch-size 5000
  bool keep_data = false;                // leave the data directory behind
};

struct LoadStats {
  uint64_t nodes = 0;  // node records accepted by the import
  uint64_t edges = 0;
  uint64_t rejected = 0;
  double seconds = 0;           // wall time of the import command
  double records_per_sec = 0;   // (nodes + edges) / seconds
  uint64_t peak_rss_bytes = 0;  // server VmHWM right after the import
  uint64_t disk_bytes = 0;      // files under the data dir right after the import
};

// Not thread-safe; the CLI calls it makes are sequential. The destructor kills
// the server and removes the data directory (unless keep_data).
class CtxgraphDeployment {
 public:
  explicit CtxgraphDeployment(CtxgraphDeploymentOptions options);
  ~CtxgraphDeployment();
  CtxgraphDeployment(const CtxgraphDeployment&) = delete;
  CtxgraphDeployment& operator=(const CtxgraphDeployment&) = delete;

  // Creates the data dir and starts ctxgraphd on 127.0.0.1:0; returns once the
  // port file names the bound address (up to 30 s).
  absl::Status Start();

  // `ctxgraph --json import jsonl_path <import_args>` as the bootstrap admin.
  // Fails if the command fails or rejects any record.
  absl::StatusOr<LoadStats> Import(const std::string& jsonl_path);

  // `principal create` for each spec and `principal token` for each; tokens
  // are then available from Token(). The bootstrap "admin" needs no call.
  absl::Status CreatePrincipals(const std::vector<PrincipalSpec>& principals);

  // The bearer token of `principal` ("admin" or one created above).
  absl::StatusOr<std::string> Token(const std::string& principal) const;

  absl::StatusOr<uint64_t> PeakRssBytes() const;
  // CPU seconds the server has used since it started.
  absl::StatusOr<double> CpuSeconds() const;
  uint64_t DiskBytes() const;

  // SIGTERM and wait; returns the server's exit code.
  int Stop();

  const std::string& address() const { return address_; }

 private:
  // Runs the CLI with --server, --token-file (admin) and --json prepended.
  CommandOutput Cli(const std::vector<std::string>& args) const;

  CtxgraphDeploymentOptions options_;
  std::string data_dir_;  // the database
  std::string work_dir_;  // logs, port file
  std::string address_;
  ChildProcess server_;
  std::map<std::string, std::string> tokens_;  // principal id -> bearer token
};

}  // namespace ctxgraph::bench

#endif  // CTXGRAPH_TOOLS_BENCH_CTXGRAPH_DEPLOYMENT_H_
