#include "server/server.h"

#include <fcntl.h>
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/resource_quota.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server_builder.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "server/metrics.h"
#include "storage/backup.h"
#include "storage/status_macros.h"

namespace ctxgraph::server {
namespace {

// Threads beyond --max-concurrent-requests for gRPC's pollers.
constexpr int kQuotaSpareThreads = 8;

// Writes `token` to `path` with mode 0600, replacing any old file atomically.
absl::Status WriteSecretFile(const std::string& path, const std::string& token) {
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return absl::InternalError(absl::StrCat("open ", tmp, ": ", std::strerror(errno)));
  const std::string content = token + "\n";
  const bool ok =
      ::fchmod(fd, 0600) == 0 &&
      ::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size()) &&
      ::fsync(fd) == 0;
  const int saved = errno;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    return absl::InternalError(
        absl::StrCat("write ", path, ": ", std::strerror(ok ? errno : saved)));
  }
  // The rename itself must survive a crash: Bootstrap commits the principal
  // and its token hash next, and never issues the token again once they are.
  std::error_code ec;
  const std::string dir = std::filesystem::absolute(path, ec).parent_path().string();
  if (ec) return absl::InternalError(absl::StrCat("write ", path, ": ", ec.message()));
  const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0 || ::fsync(dir_fd) != 0) {
    const int failed = errno;
    if (dir_fd >= 0) ::close(dir_fd);
    return absl::InternalError(absl::StrCat("fsync ", dir, ": ", std::strerror(failed)));
  }
  ::close(dir_fd);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<CtxgraphServer>> CtxgraphServer::Start(
    const ServerOptions& options) {
  // Before anything is opened: a bad certificate is a start-up error.
  ASSIGN_OR_RETURN(std::shared_ptr<grpc::ServerCredentials> credentials,
                   ServerCredentialsFor(options.tls));
  std::error_code ec;
  std::filesystem::create_directories(options.data_dir, ec);
  if (ec) {
    return absl::FailedPreconditionError(
        absl::StrCat("data dir ", options.data_dir, ": ", ec.message()));
  }
  if (options.restore_from.empty()) return Open(options, std::move(credentials));
  const std::string db_path = options.data_dir + "/db";
  ASSIGN_OR_RETURN(BackupManifest restored,
                   RestoreBackup(options.restore_from, db_path, options.database));
  spdlog::info(
      "restored backup {} into {}: version {}, audit seq {} (chain verified); the backup's "
      "principals and tokens are in force",
      options.restore_from, db_path, restored.version, restored.audit_seq);
  absl::StatusOr<std::unique_ptr<CtxgraphServer>> server = Open(options, std::move(credentials));
  // Not removed: the copy passed every check, the server may have served
  // (and acknowledged writes) before a later step failed, and another
  // ctxgraphd may hold it by now.
  if (!server.ok()) {
    return absl::Status(
        server.status().code(),
        absl::StrCat(server.status().message(), " (the backup was restored into ", db_path,
                     " and verified; start again without --restore-from)"));
  }
  return server;
}

absl::StatusOr<std::unique_ptr<CtxgraphServer>> CtxgraphServer::Open(
    const ServerOptions& options, std::shared_ptr<grpc::ServerCredentials> credentials) {
  std::unique_ptr<CtxgraphServer> server(new CtxgraphServer());
  ASSIGN_OR_RETURN(server->backend_, Backend::Open(options.data_dir, options.database,
                                                   options.text_index, options.limits));

  const std::string token_path = options.data_dir + "/admin.token";
  ASSIGN_OR_RETURN(
      bool bootstrapped,
      PrincipalAdmin::Bootstrap(server->backend_->principals, [&](const std::string& token) {
        return WriteSecretFile(token_path, token);
      }));
  if (bootstrapped) {
    spdlog::info("created principal \"admin\"; its token is in {} (mode 0600)", token_path);
  }

  if (options.database.history_retention.kind != RetentionSetting::Kind::kKeepAll) {
    server->history_keeper_ =
        std::make_unique<HistoryKeeper>(server->backend_->db.get(), options.history_interval);
  } else if (const uint64_t h = server->backend_->db->history_horizon().horizon(); h > 0) {
    spdlog::info("history horizon {} (kept from an earlier --history-retention)", h);
  }

  server->graph_service_ = std::make_unique<GraphServiceImpl>(*server->backend_);
  server->admin_service_ = std::make_unique<AdminServiceImpl>(*server->backend_);
  server->context_service_ = std::make_unique<ContextServiceImpl>(*server->backend_);
  server->audit_service_ = std::make_unique<AuditServiceImpl>(*server->backend_);
  server->lineage_service_ = std::make_unique<LineageServiceImpl>(*server->backend_);
  server->boundary_service_ = std::make_unique<BoundaryServiceImpl>(*server->backend_);

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(options.listen, credentials, &port);
  builder.SetMaxReceiveMessageSize(options.max_message_bytes);
  builder.SetMaxSendMessageSize(options.max_message_bytes);
  builder.AddChannelArgument(GRPC_ARG_MAX_METADATA_SIZE, options.max_metadata_bytes);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS, options.max_streams_per_connection);
  if (options.limits.max_concurrent_requests > 0) {
    // The admission count (InFlightLimit) refuses the calls over the limit;
    // this caps the synchronous handlers' (Import's) threads to match, with
    // room for gRPC's pollers and the calls being refused.
    grpc::ResourceQuota quota("ctxgraphd");
    quota.SetMaxThreads(options.limits.max_concurrent_requests + kQuotaSpareThreads);
    builder.SetResourceQuota(quota);
  }
  builder.RegisterService(server->graph_service_.get());
  builder.RegisterService(server->admin_service_.get());
  builder.RegisterService(server->context_service_.get());
  builder.RegisterService(server->audit_service_.get());
  builder.RegisterService(server->lineage_service_.get());
  builder.RegisterService(server->boundary_service_.get());
  server->server_ = builder.BuildAndStart();
  if (!server->server_ || port == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", options.listen,
                                               options.tls.enabled() ? " with TLS" : ""));
  }
  const std::string host = options.listen.substr(0, options.listen.rfind(':'));
  server->address_ = absl::StrCat(host, ":", port);
  spdlog::info("ctxgraphd serving on {} ({}, data dir {}, latest version {})", server->address_,
               !options.tls.enabled()               ? "plaintext"
               : options.tls.client_ca_file.empty() ? "TLS"
                                                    : "mutual TLS",
               options.data_dir, server->backend_->db->LatestVersion());
  if (!options.tls.enabled() && host != "localhost" && host != "[::1]" &&
      !absl::StartsWith(host, "127.")) {
    spdlog::warn(
        "serving plaintext on {}, beyond loopback: bearer tokens and answers cross the network "
        "readable by anyone on the path; serve TLS with --tls-cert and --tls-key",
        server->address_);
  }
  if (!options.metrics_listen.empty()) {
    Backend* backend = server->backend_.get();
    ASSIGN_OR_RETURN(server->metrics_http_,
                     MetricsHttpServer::Start(options.metrics_listen, [backend] {
                       const NodeWireCache::Stats wire = backend->wire_nodes.stats();
                       const EdgeWireCache::Stats edges = backend->wire_edges.stats();
                       const ServingState state{backend->audit.head_seq(),
                                                backend->db->history_horizon().horizon(),
                                                backend->in_flight.in_flight(),
                                                wire.bytes,
                                                wire.hits,
                                                wire.misses,
                                                edges.bytes,
                                                edges.hits,
                                                edges.misses};
                       return RenderMetrics(ServerMetrics::Global(), state, backend->db->Stats());
                     }));
    spdlog::info("metrics on http://{}/metrics", server->metrics_http_->address());
  }
  return server;
}

CtxgraphServer::~CtxgraphServer() {
  Shutdown(0);
  metrics_http_.reset();
}

std::string CtxgraphServer::metrics_address() const {
  return metrics_http_ ? metrics_http_->address() : std::string();
}

void CtxgraphServer::Shutdown(double grace_seconds) {
  if (shut_down_ || !server_) return;
  shut_down_ = true;
  const auto deadline = std::chrono::system_clock::now() +
                        std::chrono::milliseconds(static_cast<int64_t>(grace_seconds * 1000));
  server_->Shutdown(deadline);
  server_->Wait();
}

void CtxgraphServer::Wait() {
  if (server_) server_->Wait();
}

}  // namespace ctxgraph::server
