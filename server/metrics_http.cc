#include "server/metrics_http.h"

#include <httplib.h>

#include <atomic>
#include <chrono>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "storage/thread_name.h"

namespace ctxgraph::server {
namespace {

constexpr char kContentType[] = "text/plain; version=0.0.4; charset=utf-8";

// A scrape has no body. The HTTP library would otherwise read any request's
// body into memory (and inflate a compressed one) before routing it, with no
// bound: one request could take the database server down with it.
constexpr size_t kMaxRequestBody = 0;

// Answers everything but a body-less GET /metrics before its body is read.
httplib::Server::HandlerResponse RefuseAllButAScrape(const httplib::Request& request,
                                                     httplib::Response& response) {
  const bool has_body =
      request.has_header("Transfer-Encoding") ||
      (request.has_header("Content-Length") && request.get_header_value("Content-Length") != "0");
  if (request.path != "/metrics") {
    response.status = 404;
    response.set_content("only /metrics is served\n", "text/plain");
  } else if (request.method != "GET" && request.method != "HEAD") {
    response.status = 405;
    response.set_header("Allow", "GET, HEAD");
    response.set_content("/metrics answers GET\n", "text/plain");
  } else if (has_body) {
    response.status = 413;
    response.set_content("a scrape has no body\n", "text/plain");
  } else {
    return httplib::Server::HandlerResponse::Unhandled;
  }
  return httplib::Server::HandlerResponse::Handled;
}

}  // namespace

MetricsHttpServer::MetricsHttpServer() : http_(std::make_unique<httplib::Server>()) {}

absl::StatusOr<std::unique_ptr<MetricsHttpServer>> MetricsHttpServer::Start(
    const std::string& listen, std::function<std::string()> render) {
  const size_t colon = listen.rfind(':');
  int port = -1;
  if (colon == std::string::npos || colon == 0 ||
      !absl::SimpleAtoi(listen.substr(colon + 1), &port) || port < 0 || port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("metrics listen: want host:port, got \"", listen, "\""));
  }
  std::string host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }

  std::unique_ptr<MetricsHttpServer> server(new MetricsHttpServer());
  httplib::Server& http = *server->http_;
  // Scrapes are rare and small: two workers, not one per core.
  http.new_task_queue = [] { return new httplib::ThreadPool(2); };
  http.set_payload_max_length(kMaxRequestBody);
  // One request per connection: a refused request's unread body is never
  // read as the next request.
  http.set_keep_alive_max_count(1);
  http.set_pre_routing_handler(RefuseAllButAScrape);
  http.Get("/metrics",
           [render = std::move(render)](const httplib::Request&, httplib::Response& response) {
             response.set_content(render(), kContentType);
           });
  if (port == 0) {
    port = http.bind_to_any_port(host);
  } else if (!http.bind_to_port(host, port)) {
    port = -1;
  }
  if (port <= 0) return absl::UnavailableError(absl::StrCat("cannot listen on ", listen));
  server->address_ = absl::StrCat(listen.substr(0, colon), ":", port);
  auto ended = std::make_shared<std::atomic<bool>>(false);
  server->thread_ = std::thread([&http, ended] {
    NameThisThread("metrics-http");
    http.listen_after_bind();
    ended->store(true);
  });
  // stop() only stops a server already running: wait for it to start.
  while (!http.is_running() && !ended->load()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (!http.is_running()) {
    server->thread_.join();
    return absl::UnavailableError(absl::StrCat("cannot serve metrics on ", listen));
  }
  return server;
}

MetricsHttpServer::~MetricsHttpServer() {
  if (thread_.joinable()) {
    http_->stop();
    thread_.join();
  }
}

}  // namespace ctxgraph::server
