#include "tools/bench/postgres_deployment.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <utility>

#include "absl/strings/str_cat.h"
#include "tools/bench/pg_csv_export.h"
#include "tools/bench/process_control.h"

namespace ctxgraph::bench {

absl::StatusOr<int> PickFreeLoopbackPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return absl::InternalError("socket() failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  int port = -1;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  if (port <= 0) return absl::InternalError("no free loopback port");
  return port;
}

PostgresDeployment::PostgresDeployment(std::string script) : script_(std::move(script)) {}

PostgresDeployment::~PostgresDeployment() { Stop(); }

absl::Status PostgresDeployment::Start() {
  absl::StatusOr<std::string> dir = MakeTempDir("ctxgraph-bench-pg-");
  if (!dir.ok()) return dir.status();
  dir_ = *dir;
  absl::StatusOr<int> port = PickFreeLoopbackPort();
  if (!port.ok()) return port.status();
  port_ = *port;
  const CommandOutput out = RunCommand({"/bin/bash", script_, "start", dir_, absl::StrCat(port_)});
  if (out.exit_code != 0) {
    return absl::InternalError(absl::StrCat("pg_setup.sh start failed: ", DescribeFailure(out),
                                            "; see ", dir_, "/server.log"));
  }
  return absl::OkStatus();
}

absl::StatusOr<PostgresLoadStats> PostgresDeployment::Load(const std::string& jsonl_path) {
  const std::string csv_dir = dir_ + "/csv";
  std::filesystem::create_directories(csv_dir);
  absl::StatusOr<CsvExportStats> exported = ExportGraphCsv(jsonl_path, csv_dir);
  if (!exported.ok()) return exported.status();
  const CommandOutput out = RunCommand({"/bin/bash", script_, "load", dir_, absl::StrCat(port_)});
  if (out.exit_code != 0) {
    return absl::InternalError(absl::StrCat("pg_setup.sh load failed: ", DescribeFailure(out)));
  }
  std::filesystem::remove_all(csv_dir);
  PostgresLoadStats stats;
  stats.nodes = exported->nodes;
  stats.edges = exported->edges;
  stats.export_seconds = exported->seconds;
  stats.load_seconds = out.seconds;
  stats.records_per_sec =
      out.seconds > 0 ? static_cast<double>(stats.nodes + stats.edges) / out.seconds : 0;
  stats.disk_bytes = DirectoryBytes(dir_ + "/data");
  return stats;
}

std::string PostgresDeployment::ConnInfo() const {
  return absl::StrCat("host=127.0.0.1 port=", port_, " user=bench dbname=postgres");
}

void PostgresDeployment::Stop() {
  if (dir_.empty()) return;
  RunCommand({"/bin/bash", script_, "stop", dir_});
  dir_.clear();
}

}  // namespace ctxgraph::bench
