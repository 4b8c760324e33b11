// CtxgraphServer: opens the backend, bootstraps the first admin, and serves
// GraphService, AdminService, ContextService, AuditService, LineageService,
// BoundaryService, grpc.health.v1.Health and server reflection; and, when
// asked, Prometheus metrics over HTTP on a port of their own.
// Used by ctxgraphd's main and, in-process, by the server tests.
#ifndef CTXGRAPH_SERVER_SERVER_H_
#define CTXGRAPH_SERVER_SERVER_H_

#include <grpcpp/server.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "server/admin_service.h"
#include "server/audit_service.h"
#include "server/backend.h"
#include "server/boundary_service.h"
#include "server/context_service.h"
#include "server/graph_service.h"
#include "server/history_keeper.h"
#include "server/lineage_service.h"
#include "server/metrics_http.h"
#include "server/request_limits.h"
#include "server/tls_credentials.h"

namespace ctxgraph::server {

struct ServerOptions {
  std::string data_dir = "./data";
  std::string listen = "127.0.0.1:50051";  // port 0 picks a free port
  DatabaseOptions database;
  TextIndexConfig text_index;        // fixed when the database is created
  int max_message_bytes = 64 << 20;  // received and sent; larger is RESOURCE_EXHAUSTED
  // Request metadata (headers) per call; gRPC refuses a call over it.
  int max_metadata_bytes = 8 << 10;  // gRPC 1.51's own default
  // HTTP/2 streams (calls) open at once on one connection; a client queues
  // more until one ends.
  int max_streams_per_connection = 100;
  // How often the history horizon is recomputed (with a retention setting).
  std::chrono::milliseconds history_interval{60000};
  // When set, the backup at this path (AdminService.Backup) is first
  // restored into <data_dir>/db, which must not exist yet, and checked
  // (RestoreBackup in storage/backup.h): start fails, touching nothing
  // that was there, when either does not hold. A start that fails after
  // the restore (the search settings differ from the backup's, the port
  // is taken) keeps the restored, verified database and says so: start
  // again without restore_from once the cause is fixed.
  std::string restore_from;
  RequestLimits limits;
  TlsFiles tls;  // all empty: plaintext
  // host:port for GET /metrics (port 0 picks a free port); empty: no
  // metrics server.
  std::string metrics_listen;
};

class CtxgraphServer {
 public:
  // Checks the TLS files, creates `data_dir` if needed, restores a backup
  // into it when asked, opens the database, and on first start writes the
  // admin token to <data_dir>/admin.token (mode 0600). A restored database
  // keeps its principals and tokens, so no token file is written for it.
  static absl::StatusOr<std::unique_ptr<CtxgraphServer>> Start(const ServerOptions& options);
  ~CtxgraphServer();

  // host:port actually bound.
  const std::string& address() const { return address_; }
  // host:port of the metrics server actually bound; empty without one.
  std::string metrics_address() const;
  Backend& backend() { return *backend_; }

  // Stops accepting calls, lets in-flight calls finish for up to `grace`
  // seconds, then cancels the rest. Idempotent.
  void Shutdown(double grace_seconds = 5.0);
  // Blocks until Shutdown completes.
  void Wait();

 private:
  CtxgraphServer() = default;
  // Start past the restore: opens the database and serves.
  static absl::StatusOr<std::unique_ptr<CtxgraphServer>> Open(
      const ServerOptions& options, std::shared_ptr<grpc::ServerCredentials> credentials);

  std::unique_ptr<Backend> backend_;
  std::unique_ptr<HistoryKeeper> history_keeper_;  // stopped before backend_ closes
  std::unique_ptr<GraphServiceImpl> graph_service_;
  std::unique_ptr<AdminServiceImpl> admin_service_;
  std::unique_ptr<ContextServiceImpl> context_service_;
  std::unique_ptr<AuditServiceImpl> audit_service_;
  std::unique_ptr<LineageServiceImpl> lineage_service_;
  std::unique_ptr<BoundaryServiceImpl> boundary_service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<MetricsHttpServer> metrics_http_;  // reads backend_: stopped first
  std::string address_;
  bool shut_down_ = false;
};

}  // namespace ctxgraph::server

#endif  // CTXGRAPH_SERVER_SERVER_H_
