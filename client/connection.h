// The client's connection to ctxgraphd: one gRPC channel, a bearer token sent
// on every call and a deadline per call, with gRPC failures turned into
// absl::Status values.
#ifndef CTXGRAPH_CLIENT_CONNECTION_H_
#define CTXGRAPH_CLIENT_CONNECTION_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ctxgraph/v1/admin.grpc.pb.h"
#include "ctxgraph/v1/audit.grpc.pb.h"
#include "ctxgraph/v1/boundary.grpc.pb.h"
#include "ctxgraph/v1/context.grpc.pb.h"
#include "ctxgraph/v1/graph.grpc.pb.h"
#include "ctxgraph/v1/lineage.grpc.pb.h"

namespace ctxgraph::client {

inline constexpr char kDefaultServer[] = "127.0.0.1:50051";

// The server address: `flag` when non-empty, else $CTXGRAPH_SERVER when set
// and non-empty, else kDefaultServer.
std::string ResolveServerAddress(const std::string& flag);

// Reads a small local file whole (a token, a certificate). Errors are
// INVALID_ARGUMENT starting with `origin` (e.g. `token file "F"`, `--ca-cert
// "F"`): "<origin>: cannot read: <reason>".
absl::StatusOr<std::string> ReadLocalFile(const std::string& origin, const std::string& path);

// Reads a token file, trimming surrounding whitespace. Errors are
// INVALID_ARGUMENT and name the file but never include its content:
//   token file "F": cannot read: <reason>
//   token file "F" is empty
//   token file "F": token contains characters not allowed in a header
// (the last for anything but printable ASCII without spaces, which is what can
// travel in an HTTP/2 header).
absl::StatusOr<std::string> ReadTokenFile(const std::string& path);

// The bearer token to send: from `token_file_flag` when non-empty, else
// $CTXGRAPH_TOKEN (trimmed, validated like a file), else the file named by
// $CTXGRAPH_TOKEN_FILE, else "" (calls are sent unauthenticated and the
// server will answer UNAUTHENTICATED).
absl::StatusOr<std::string> ResolveToken(const std::string& token_file_flag);

// Converts a gRPC status (codes are numerically the same as absl's).
absl::Status FromGrpcStatus(const grpc::Status& status);

// "NOT_FOUND: node \"x\" not found": the code name, then the message. Callers
// print it after "error: ".
std::string StatusText(const absl::Status& status);

// Thread-safe after construction (gRPC stubs and channels are); the token is
// kept in memory only and never logged.
class ServerConnection {
 public:
  // Creates a plaintext channel to `address`; it connects lazily, so an
  // unreachable server shows up as UNAVAILABLE on the first call.
  ServerConnection(const std::string& address, std::string token, absl::Duration timeout);
  // Over `channel` (e.g. a TLS one from OpenChannel, client/tls_channel.h).
  ServerConnection(std::shared_ptr<grpc::Channel> channel, std::string token,
                   absl::Duration timeout);

  ServerConnection(const ServerConnection&) = delete;
  ServerConnection& operator=(const ServerConnection&) = delete;

  // A context for exactly one call: "authorization: Bearer <token>" metadata
  // (omitted when the token is empty) and a deadline of now + timeout.
  std::unique_ptr<grpc::ClientContext> NewCallContext() const;

  // A context for one long-running stream (an import): the same metadata,
  // no deadline, since its length depends on the input, not the server.
  std::unique_ptr<grpc::ClientContext> NewStreamContext() const;

  ctxgraph::v1::GraphService::StubInterface& graph() { return *graph_; }
  ctxgraph::v1::AdminService::StubInterface& admin() { return *admin_; }
  ctxgraph::v1::AuditService::StubInterface& audit() { return *audit_; }
  ctxgraph::v1::ContextService::StubInterface& context() { return *context_; }
  ctxgraph::v1::LineageService::StubInterface& lineage() { return *lineage_; }
  ctxgraph::v1::BoundaryService::StubInterface& boundary() { return *boundary_; }

  // Runs one unary RPC with a fresh context, e.g.
  //   conn.Call(conn.graph(), &v1::GraphService::StubInterface::GetNode, request);
  template <class Stub, class Request, class Response>
  absl::StatusOr<Response> Call(Stub& stub,
                                grpc::Status (Stub::*rpc)(grpc::ClientContext*, const Request&,
                                                          Response*),
                                const Request& request) const {
    std::unique_ptr<grpc::ClientContext> context = NewCallContext();
    Response response;
    const grpc::Status status = (stub.*rpc)(context.get(), request, &response);
    if (!status.ok()) return FromGrpcStatus(status);
    return response;
  }

 private:
  std::string token_;
  absl::Duration timeout_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<ctxgraph::v1::GraphService::StubInterface> graph_;
  std::unique_ptr<ctxgraph::v1::AdminService::StubInterface> admin_;
  std::unique_ptr<ctxgraph::v1::AuditService::StubInterface> audit_;
  std::unique_ptr<ctxgraph::v1::ContextService::StubInterface> context_;
  std::unique_ptr<ctxgraph::v1::LineageService::StubInterface> lineage_;
  std::unique_ptr<ctxgraph::v1::BoundaryService::StubInterface> boundary_;
};

}  // namespace ctxgraph::client

#endif  // CTXGRAPH_CLIENT_CONNECTION_H_
