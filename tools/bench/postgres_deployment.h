// A throwaway PostgreSQL 15 cluster (tools/bench/pg_setup.sh) on a temporary
// directory and a free loopback port, loaded with the same graph as ctxgraph.
#ifndef CTXGRAPH_TOOLS_BENCH_POSTGRES_DEPLOYMENT_H_
#define CTXGRAPH_TOOLS_BENCH_POSTGRES_DEPLOYMENT_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace ctxgraph::bench {

struct PostgresLoadStats {
  uint64_t nodes = 0;
  uint64_t edges = 0;
  double export_seconds = 0;   // JSONL -> CSV, not part of the load rate
  double load_seconds = 0;     // COPY + primary key + indexes + RLS + ANALYZE
  double records_per_sec = 0;  // (nodes + edges) / load_seconds
  uint64_t disk_bytes = 0;     // files under the cluster's data dir after the load
};

// Not thread-safe. The destructor stops the server and removes the cluster.
class PostgresDeployment {
 public:
  // `script` is the path of pg_setup.sh.
  explicit PostgresDeployment(std::string script);
  ~PostgresDeployment();
  PostgresDeployment(const PostgresDeployment&) = delete;
  PostgresDeployment& operator=(const PostgresDeployment&) = delete;

  // Installs PostgreSQL 15 if missing, runs initdb and starts the server.
  absl::Status Start();

  // Exports `jsonl_path` to CSV and loads it (pg_setup.sh load).
  absl::StatusOr<PostgresLoadStats> Load(const std::string& jsonl_path);

  // libpq connection string for the non-superuser query role `bench`.
  std::string ConnInfo() const;

  // Stops the server and removes the cluster; safe to call twice.
  void Stop();

 private:
  std::string script_;
  std::string dir_;  // the cluster directory; empty when not started
  int port_ = 0;
};

// A TCP port on 127.0.0.1 that was free a moment ago (bind to port 0).
absl::StatusOr<int> PickFreeLoopbackPort();

}  // namespace ctxgraph::bench

#endif  // CTXGRAPH_TOOLS_BENCH_POSTGRES_DEPLOYMENT_H_
