#include "client/tls_channel.h"

#include "absl/strings/str_cat.h"
#include "client/connection.h"

namespace ctxgraph::client {
namespace {

absl::StatusOr<std::string> ReadPemFile(const char* flag, const std::string& path) {
  const std::string origin = absl::StrCat(flag, " \"", path, "\"");
  absl::StatusOr<std::string> content = ReadLocalFile(origin, path);
  if (content.ok() && content->empty()) {
    return absl::InvalidArgumentError(absl::StrCat(origin, " is empty"));
  }
  return content;
}

absl::Status NeedsCaCert(const char* flag) {
  return absl::InvalidArgumentError(absl::StrCat(flag, " needs --ca-cert"));
}

}  // namespace

absl::StatusOr<std::shared_ptr<grpc::Channel>> OpenChannel(const std::string& address,
                                                           const ClientTlsFlags& tls) {
  if (tls.client_cert.empty() != tls.client_key.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--client-cert and --client-key go together: ",
                     tls.client_cert.empty() ? "--client-cert" : "--client-key", " is missing"));
  }
  // Answers up to the server's default --max-message-bytes (64 MiB), not
  // gRPC's 4 MiB client default: a large AssignLabels or lineage answer the
  // server sends must not fail at the client after its commit succeeded.
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  if (tls.ca_cert.empty()) {
    if (!tls.client_cert.empty()) return NeedsCaCert("--client-cert");
    if (!tls.server_name.empty()) return NeedsCaCert("--tls-server-name");
    return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
  }
  grpc::SslCredentialsOptions options;
  absl::StatusOr<std::string> ca = ReadPemFile("--ca-cert", tls.ca_cert);
  if (!ca.ok()) return ca.status();
  options.pem_root_certs = *std::move(ca);
  if (!tls.client_cert.empty()) {
    absl::StatusOr<std::string> cert = ReadPemFile("--client-cert", tls.client_cert);
    if (!cert.ok()) return cert.status();
    absl::StatusOr<std::string> key = ReadPemFile("--client-key", tls.client_key);
    if (!key.ok()) return key.status();
    options.pem_cert_chain = *std::move(cert);
    options.pem_private_key = *std::move(key);
  }
  if (!tls.server_name.empty()) args.SetSslTargetNameOverride(tls.server_name);
  return grpc::CreateCustomChannel(address, grpc::SslCredentials(options), args);
}

}  // namespace ctxgraph::client
