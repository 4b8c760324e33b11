// The credentials ctxgraphd listens with: plaintext by default, TLS with
// --tls-cert/--tls-key, and mutual TLS with --tls-client-ca as well (every
// client must present a certificate that CA signed).
//
// Every file is read and checked here, at start-up, so a bad one stops the
// server with a message naming the flag and the file instead of gRPC's
// generic failure inside BuildAndStart (or, worse, a server that starts and
// fails every handshake).
//
// TLS authenticates the server (and, with mTLS, the client machine); the
// bearer token still names the principal, so calls need both.
#ifndef CTXGRAPH_SERVER_TLS_CREDENTIALS_H_
#define CTXGRAPH_SERVER_TLS_CREDENTIALS_H_

#include <grpcpp/security/server_credentials.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace ctxgraph::server {

// PEM file paths; all empty is plaintext.
struct TlsFiles {
  std::string cert_file;       // --tls-cert: the server's certificate chain
  std::string key_file;        // --tls-key: its private key, unencrypted
  std::string client_ca_file;  // --tls-client-ca: CA(s) client certificates must chain to

  bool enabled() const {
    return !cert_file.empty() || !key_file.empty() || !client_ca_file.empty();
  }
};

// Insecure credentials when `files` is all empty, else TLS ones. Errors are
// INVALID_ARGUMENT naming the flag:
//   --tls-cert and --tls-key go together: --tls-key is missing
//   --tls-client-ca needs --tls-cert and --tls-key
//   --tls-key "F": cannot read: No such file or directory
//   --tls-cert "F": no PEM certificate in the file
//   --tls-key "F": no unencrypted PEM private key in the file
//   --tls-key "F" does not match the certificate in --tls-cert "G"
//   --tls-client-ca "F": no PEM certificate in the file
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> ServerCredentialsFor(
    const TlsFiles& files);

}  // namespace ctxgraph::server

#endif  // CTXGRAPH_SERVER_TLS_CREDENTIALS_H_
