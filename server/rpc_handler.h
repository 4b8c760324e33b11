// The wrapper every RPC handler runs inside: admits the call under
// --max-concurrent-requests (InFlightLimit), authenticates the caller from
// the `authorization` metadata, runs the handler body, maps its status to
// gRPC, catches anything thrown (an exception never crosses the RPC
// boundary: it becomes INTERNAL and is logged), and writes the access log
// line. Tokens and node props are never logged.
#ifndef CTXGRAPH_SERVER_RPC_HANDLER_H_
#define CTXGRAPH_SERVER_RPC_HANDLER_H_

#include <grpcpp/server_context.h>
#include <grpcpp/support/server_callback.h>

#include <functional>
#include <string_view>

#include "absl/status/status.h"
#include "query/caller.h"
#include "server/backend.h"

namespace ctxgraph::server {

grpc::Status HandleRpc(grpc::ServerContextBase* context, Backend& backend, std::string_view method,
                       const std::function<absl::Status(const Caller&)>& body);

// The same for a callback-API unary method: runs the handler inline and
// finishes the call's default reactor with its status.
grpc::ServerUnaryReactor* HandleUnary(grpc::CallbackServerContext* context, Backend& backend,
                                      std::string_view method,
                                      const std::function<absl::Status(const Caller&)>& body);

}  // namespace ctxgraph::server

#endif  // CTXGRAPH_SERVER_RPC_HANDLER_H_
