#include "server/rpc_handler.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <exception>

#include "server/status_mapping.h"
#include "storage/status_macros.h"

namespace ctxgraph::server {
namespace {

// The single authorization header value, or empty. Two headers are an error:
// which one a proxy or client library honours is not ours to guess.
absl::StatusOr<std::string_view> AuthorizationHeader(const grpc::ServerContextBase& context) {
  auto [begin, end] = context.client_metadata().equal_range("authorization");
  if (begin == end) return std::string_view();
  if (std::next(begin) != end) {
    return absl::UnauthenticatedError("invalid or missing bearer token");
  }
  return std::string_view(begin->second.data(), begin->second.size());
}

absl::Status Run(grpc::ServerContextBase* context, Backend& backend, std::string_view method,
                 std::string* principal, const std::function<absl::Status(const Caller&)>& body) {
  // Held until the body returns or throws; a refused call costs no auth.
  ASSIGN_OR_RETURN(InFlightLimit::Ticket ticket, backend.in_flight.Admit());
  absl::StatusOr<std::string_view> header = AuthorizationHeader(*context);
  if (!header.ok()) return header.status();
  std::string reason;
  absl::StatusOr<Caller> caller = backend.authenticator.Authenticate(*header, &reason);
  if (!caller.ok()) {
    spdlog::info("auth rejected method={} peer={} reason=\"{}\"", method, context->peer(), reason);
    return caller.status();
  }
  *principal = caller->principal.id;
  if (context->IsCancelled()) return absl::CancelledError("request cancelled or deadline exceeded");
  return body(*caller);
}

}  // namespace

grpc::Status HandleRpc(grpc::ServerContextBase* context, Backend& backend, std::string_view method,
                       const std::function<absl::Status(const Caller&)>& body) {
  const auto start = std::chrono::steady_clock::now();
  std::string principal = "-";
  absl::Status status;
  try {
    status = Run(context, backend, method, &principal, body);
  } catch (const std::exception& e) {
    spdlog::error("rpc method={} threw: {}", method, e.what());
    status = absl::InternalError("internal error");
  } catch (...) {
    spdlog::error("rpc method={} threw a non-standard exception", method);
    status = absl::InternalError("internal error");
  }
  // The access line is debug-level; build it only when it will be written,
  // since this runs on every call.
  if (spdlog::should_log(spdlog::level::debug)) {
    const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                            std::chrono::steady_clock::now() - start)
                            .count();
    spdlog::debug("rpc method={} principal={} status={} micros={}", method, principal,
                  absl::StatusCodeToString(status.code()), micros);
  }
  return ToGrpc(status);
}

grpc::ServerUnaryReactor* HandleUnary(grpc::CallbackServerContext* context, Backend& backend,
                                      std::string_view method,
                                      const std::function<absl::Status(const Caller&)>& body) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(HandleRpc(context, backend, method, body));
  return reactor;
}

}  // namespace ctxgraph::server
