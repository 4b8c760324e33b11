#include "server/rpc_handler.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <exception>
#include <memory>
#include <optional>
#include <random>
#include <utility>

#include "absl/strings/str_format.h"
#include "query/read_stats.h"
#include "server/logging.h"
#include "server/metrics.h"
#include "server/status_mapping.h"
#include "storage/status_macros.h"

namespace ctxgraph::server {
namespace {

std::atomic<bool> access_log{true};

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

// 16 hex digits from a per-thread generator: ids need to be distinct, not
// secret, and this runs on every call.
std::string NewRequestId() {
  thread_local std::mt19937_64 generator(std::random_device{}());
  return absl::StrFormat("%016x", generator());
}

// The client's single valid x-request-id, else a fresh one.
std::string RequestId(const grpc::ServerContextBase& context) {
  auto [begin, end] = context.client_metadata().equal_range(kRequestIdHeader);
  if (begin != end && std::next(begin) == end) {
    const std::string_view given(begin->second.data(), begin->second.size());
    if (IsValidRequestId(given)) return std::string(given);
  }
  return NewRequestId();
}

// What HandleRpc knows of the call whose body this thread runs.
struct RpcCall {
  std::string request_id;  // as a log field value
  uint64_t items = 0;
};

constinit thread_local RpcCall* current_call = nullptr;

// Makes `call` (and `reads`, for the query layer) current while it lives.
class CallScope {
 public:
  CallScope(RpcCall* call, ReadStats* reads) : previous_(current_call), reads_(reads) {
    current_call = call;
  }
  ~CallScope() { current_call = previous_; }
  CallScope(const CallScope&) = delete;
  CallScope& operator=(const CallScope&) = delete;

 private:
  RpcCall* previous_;
  ReadStatsScope reads_;
};

absl::Status Run(grpc::ServerContextBase* context, Backend& backend, std::string_view method,
                 const RpcCall& call, std::string* principal,
                 const std::function<absl::Status(const Caller&)>& body,
                 std::optional<InFlightLimit::Ticket> admitted) {
  // Held until the body returns or throws; a refused call costs no auth.
  std::optional<InFlightLimit::Ticket> ticket = std::move(admitted);
  if (!ticket) {
    ASSIGN_OR_RETURN(InFlightLimit::Ticket taken, backend.in_flight.Admit());
    ticket.emplace(std::move(taken));
  }
  absl::StatusOr<std::string_view> header = AuthorizationHeader(*context);
  if (!header.ok()) return header.status();
  std::string reason;
  absl::StatusOr<Caller> caller = backend.authenticator.Authenticate(*header, &reason);
  if (!caller.ok()) {
    spdlog::info("auth rejected request_id={} method={} peer={} reason={}", call.request_id, method,
                 LogValue(context->peer()), LogValue(reason));
    return caller.status();
  }
  *principal = LogValue(caller->principal.id);
  if (context->IsCancelled()) return absl::CancelledError("request cancelled or deadline exceeded");
  return body(*caller);
}

}  // namespace

bool IsValidRequestId(std::string_view id) {
  if (id.empty() || id.size() > kMaxRequestIdBytes) return false;
  for (char c : id) {
    if (c < ' ' || c > '~') return false;
  }
  return true;
}

absl::Status CheckStillAuthenticated(const grpc::ServerContextBase& context, Backend& backend,
                                     const Caller& caller) {
  ASSIGN_OR_RETURN(std::string_view header, AuthorizationHeader(context));
  std::string reason;
  absl::StatusOr<Caller> now = backend.authenticator.Authenticate(header, &reason);
  if (!now.ok()) {
    spdlog::info("auth rejected mid-stream request_id={} principal={} reason={}",
                 CurrentRequestId(), LogValue(caller.principal.id), LogValue(reason));
    return now.status();
  }
  // What the stream's policy and role checks were made with (a change that
  // rewrote the record with the same values leaves the stream alone).
  if (!SameAuthority(caller.principal, now->principal)) {
    return absl::PermissionDeniedError(
        "stream: the caller's roles or clearances changed since the stream began; start a new "
        "one");
  }
  return absl::OkStatus();
}

void SetAccessLog(bool enabled) { access_log.store(enabled, std::memory_order_relaxed); }

void ReturnItems(uint64_t items) {
  if (current_call != nullptr) current_call->items = items;
}

const std::string& CurrentRequestId() {
  static const std::string* const kNone = new std::string("-");
  return current_call != nullptr ? current_call->request_id : *kNone;
}

grpc::Status HandleRpc(grpc::ServerContextBase* context, Backend& backend, std::string_view method,
                       const std::function<absl::Status(const Caller&)>& body,
                       std::optional<InFlightLimit::Ticket> admitted,
                       std::chrono::steady_clock::time_point arrived) {
  const std::string request_id = RequestId(*context);
  // Sent with the answer's initial metadata, whatever the outcome.
  context->AddInitialMetadata(kRequestIdHeader, request_id);
  RpcCall call{LogValue(request_id)};
  std::string principal = "-";
  ReadStats reads;
  absl::Status status;
  try {
    CallScope scope(&call, &reads);
    status = Run(context, backend, method, call, &principal, body, std::move(admitted));
  } catch (const std::exception& e) {
    spdlog::error("rpc threw request_id={} method={} error={}", call.request_id, method,
                  LogValue(e.what()));
    status = absl::InternalError("internal error");
  } catch (...) {
    spdlog::error("rpc threw request_id={} method={} error=non-standard", call.request_id, method);
    status = absl::InternalError("internal error");
  }
  const auto duration = std::chrono::steady_clock::now() - arrived;
  // A failed call returned nothing, whatever the body said before failing.
  const uint64_t items = status.ok() ? call.items : 0;
  ServerMetrics::Global().ForMethod(method).Record(status.code(), duration, items,
                                                   reads.hidden_nodes, reads.posting_blocks);
  if (access_log.load(std::memory_order_relaxed) && spdlog::should_log(spdlog::level::info)) {
    spdlog::info("rpc request_id={} principal={} method={} code={} duration_us={} items={}",
                 call.request_id, principal, method, absl::StatusCodeToString(status.code()),
                 std::chrono::duration_cast<std::chrono::microseconds>(duration).count(), items);
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

grpc::ServerUnaryReactor* HandleUnaryOnPool(grpc::CallbackServerContext* context, Backend& backend,
                                            std::string_view method,
                                            std::function<absl::Status(const Caller&)> body) {
  // Appends that wait only when the disk falls a sync window behind run
  // inline like any call.
  if (!backend.audit.appends_wait_for_sync()) return HandleUnary(context, backend, method, body);
  const auto arrived = std::chrono::steady_clock::now();
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  // One such call at a time runs inline on gRPC's thread: alone (one
  // client) it then pays no handoff, and gRPC keeps its other threads.
  if (backend.audited_inline.exchange(true, std::memory_order_acq_rel) == false) {
    reactor->Finish(HandleRpc(context, backend, method, body));
    backend.audited_inline.store(false, std::memory_order_release);
    return reactor;
  }
  // Admitted before it queues, so a refused call is refused at once and the
  // queue never holds more than the admitted calls.
  absl::StatusOr<InFlightLimit::Ticket> ticket = backend.in_flight.Admit();
  if (!ticket.ok()) {
    // Answered, counted and logged like any call (it asks for a ticket again).
    reactor->Finish(HandleRpc(context, backend, method, body));
    return reactor;
  }
  // std::function needs a copyable task; the ticket is move-only.
  auto admitted = std::make_shared<InFlightLimit::Ticket>(*std::move(ticket));
  backend.audited_reads.Submit(
      [context, &backend, method, body = std::move(body), admitted, reactor, arrived] {
        reactor->Finish(HandleRpc(context, backend, method, body, std::move(*admitted), arrived));
      });
  return reactor;
}

}  // namespace ctxgraph::server
