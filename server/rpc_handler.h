// The wrapper every RPC handler runs inside: gives the call a request id
// (the client's `x-request-id` when valid, else a fresh one, returned in
// the initial metadata either way), admits the call under
// --max-concurrent-requests (InFlightLimit), authenticates the caller from
// the `authorization` metadata, runs the handler body, maps its status to
// gRPC, catches anything thrown (an exception never crosses the RPC
// boundary: it becomes INTERNAL and is logged), records the call in
// ServerMetrics and writes the access log line:
//
//   rpc request_id=9f2c41d07ab3e865 principal=alice method=GetNode code=OK
//       duration_us=184 items=1
//
// (one line; principal "-" when authentication failed). Every line logged
// about a call carries its request id. Tokens and node props are never
// logged.
//
// A handler body reaches its call through the free functions below
// (ReturnItems, CurrentRequestId): HandleRpc makes the call current on the
// thread that runs the body, as it does the request's ReadStats for the
// query layer (query/read_stats.h). A body that hands work to another
// thread must report from the body's own thread.
#ifndef CTXGRAPH_SERVER_RPC_HANDLER_H_
#define CTXGRAPH_SERVER_RPC_HANDLER_H_

#include <grpcpp/server_context.h>
#include <grpcpp/support/server_callback.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "query/caller.h"
#include "server/backend.h"

namespace ctxgraph::server {

inline constexpr char kRequestIdHeader[] = "x-request-id";
inline constexpr size_t kMaxRequestIdBytes = 128;

// `admitted`: the call's InFlightLimit ticket when the caller already took
// it; otherwise HandleRpc takes one. `arrived`: when the call reached the
// server, for its duration (a call queued before it runs counts its wait).
grpc::Status HandleRpc(
    grpc::ServerContextBase* context, Backend& backend, std::string_view method,
    const std::function<absl::Status(const Caller&)>& body,
    std::optional<InFlightLimit::Ticket> admitted = std::nullopt,
    std::chrono::steady_clock::time_point arrived = std::chrono::steady_clock::now());

// The same for a callback-API unary method: runs the handler inline and
// finishes the call's default reactor with its status.
grpc::ServerUnaryReactor* HandleUnary(grpc::CallbackServerContext* context, Backend& backend,
                                      std::string_view method,
                                      const std::function<absl::Status(const Caller&)>& body);

// The same for methods that append a read-side audit entry. When every
// append waits for its WAL sync (AuditLog::appends_wait_for_sync): while
// another such call runs inline on a gRPC thread, this one is admitted
// there and then run on backend.audited_reads (blocking_pool.h), so waiting
// calls never hold more than one of gRPC's few threads; otherwise it runs
// inline like HandleUnary. `body` runs after this
// returns, so it must capture by value (the request and response pointers,
// `this`), never the handler's locals or parameters by reference.
grpc::ServerUnaryReactor* HandleUnaryOnPool(grpc::CallbackServerContext* context, Backend& backend,
                                            std::string_view method,
                                            std::function<absl::Status(const Caller&)> body);

// For a streaming call, before each message: OK while the call's token
// still authenticates the principal it did when the call began, with the
// same roles and clearances. UNAUTHENTICATED (the message every failed
// authentication gets) once the token was revoked or its principal
// suspended; PERMISSION_DENIED once the principal's roles or clearances
// changed, so no message is applied under a policy that no longer holds.
absl::Status CheckStillAuthenticated(const grpc::ServerContextBase& context, Backend& backend,
                                     const Caller& caller);

// Tells the current call's access line and metrics how many items its
// answer carries (nodes, neighbours, hits, context items, lineage nodes,
// audit entries...); a call that never says returned 0, and so does one
// that fails. No effect outside a handler body.
void ReturnItems(uint64_t items);

// The current call's request id as a log field value (LogValue applied),
// for a handler's own log lines about the call; "-" outside a handler body.
const std::string& CurrentRequestId();

// Whether a client's x-request-id is used as given: 1..kMaxRequestIdBytes
// bytes of printable ASCII (space to '~'). Anything else is replaced by a
// fresh id, so no control byte or megabyte reaches the logs.
bool IsValidRequestId(std::string_view id);

// Turns the access line on (the default) or off, process-wide. Metrics and
// the other log lines are unaffected.
void SetAccessLog(bool enabled);

}  // namespace ctxgraph::server

#endif  // CTXGRAPH_SERVER_RPC_HANDLER_H_
