// The client's channel to ctxgraphd: plaintext by default, TLS when
// --ca-cert names the CA that signed the server's certificate, and mutual
// TLS with --client-cert/--client-key as well. --tls-server-name checks the
// server's certificate against that name instead of the address's host (for
// an address by IP or through a tunnel).
#ifndef CTXGRAPH_CLIENT_TLS_CHANNEL_H_
#define CTXGRAPH_CLIENT_TLS_CHANNEL_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace ctxgraph::client {

// PEM file paths and a name; all empty is plaintext.
struct ClientTlsFlags {
  std::string ca_cert;      // --ca-cert: enables TLS
  std::string client_cert;  // --client-cert: mutual TLS, with --client-key
  std::string client_key;   // --client-key: unencrypted PEM key of --client-cert
  std::string server_name;  // --tls-server-name: expected name in the server's certificate
  bool insecure = false;    // --insecure: plaintext to a server that is not on loopback
};

// Whether `address` (HOST:PORT, [V6]:PORT, unix:PATH, dns:///HOST:PORT)
// names this machine: localhost, 127.0.0.0/8, ::1 or a unix socket.
bool IsLoopbackAddress(std::string_view address);

// A channel to `address` (connecting lazily: a failed handshake shows up as
// UNAVAILABLE on the first call). Errors are INVALID_ARGUMENT naming the flag
// and never a file's content:
//   --client-cert and --client-key go together: --client-key is missing
//   --client-cert needs --ca-cert        (likewise --tls-server-name)
//   --ca-cert "F": cannot read: No such file or directory
//   --ca-cert "F" is empty
//   --server "db:50051" is not on this machine: ... (plaintext, no --insecure;
//   the bearer token would cross the network readable by anyone on the path)
absl::StatusOr<std::shared_ptr<grpc::Channel>> OpenChannel(const std::string& address,
                                                           const ClientTlsFlags& tls);

}  // namespace ctxgraph::client

#endif  // CTXGRAPH_CLIENT_TLS_CHANNEL_H_
