// MetricsHttpServer: the operator's metrics port. Serves GET /metrics (the
// Prometheus text exposition format 0.0.4, produced by a render function)
// on its own thread with cpp-httplib, separate from the gRPC port and its
// bearer tokens: bind it to a loopback or otherwise private address.
//
// Thread safety: Start and the destructor on one thread; `render` runs on
// the server's worker threads, concurrently with everything else.
#ifndef CTXGRAPH_SERVER_METRICS_HTTP_H_
#define CTXGRAPH_SERVER_METRICS_HTTP_H_

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"

namespace httplib {
class Server;
}  // namespace httplib

namespace ctxgraph::server {

class MetricsHttpServer {
 public:
  // Listens on `listen` ("host:port"; port 0 picks a free port; an IPv6 host
  // in brackets, "[::1]:9464"). INVALID_ARGUMENT naming "metrics listen"
  // when it is not host:port, UNAVAILABLE when the port cannot be bound.
  static absl::StatusOr<std::unique_ptr<MetricsHttpServer>> Start(
      const std::string& listen, std::function<std::string()> render);
  // Stops serving; waits for a scrape in progress.
  ~MetricsHttpServer();
  MetricsHttpServer(const MetricsHttpServer&) = delete;
  MetricsHttpServer& operator=(const MetricsHttpServer&) = delete;

  // host:port actually bound.
  const std::string& address() const { return address_; }

 private:
  MetricsHttpServer();

  std::unique_ptr<httplib::Server> http_;
  std::thread thread_;
  std::string address_;
};

}  // namespace ctxgraph::server

#endif  // CTXGRAPH_SERVER_METRICS_HTTP_H_
