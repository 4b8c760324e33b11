#include "client/tls_channel.h"

#include <string>

#include "absl/strings/ascii.h"
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

bool Consume(std::string_view& text, std::string_view prefix) {
  if (!text.starts_with(prefix)) return false;
  text.remove_prefix(prefix.size());
  return true;
}

absl::Status NeedsCaCert(const char* flag) {
  return absl::InvalidArgumentError(absl::StrCat(flag, " needs --ca-cert"));
}

}  // namespace

bool IsLoopbackAddress(std::string_view address) {
  if (Consume(address, "unix:") || Consume(address, "unix-abstract:")) return true;
  Consume(address, "dns:///");
  Consume(address, "ipv4:");
  Consume(address, "ipv6:");
  // One address only: gRPC takes a comma-separated list ("ipv6:[::1]:1,
  // [2001:db8::1]:2") and goes on to the next when one refuses.
  if (address.find(',') != std::string_view::npos) return false;
  std::string_view host;
  std::string_view port;
  if (Consume(address, "[")) {
    const size_t close = address.find(']');
    if (close == std::string_view::npos) return false;
    host = address.substr(0, close);
    port = address.substr(close + 1);
    if (!port.empty() && !Consume(port, ":")) return false;
  } else {
    const size_t colon = address.rfind(':');
    host = address.substr(0, colon);
    if (colon != std::string_view::npos) port = address.substr(colon + 1);
  }
  if (port.find_first_not_of("0123456789") != std::string_view::npos) return false;
  std::string lower(host);
  for (char& c : lower) c = absl::ascii_tolower(c);
  if (lower == "localhost" || lower == "::1" || lower == "0:0:0:0:0:0:0:1") return true;
  // 127.0.0.0/8, as a dotted quad of decimal octets.
  if (!Consume(host, "127.")) return false;
  int octets = 1;
  for (std::string_view rest = host; octets < 4; ++octets) {
    const size_t dot = rest.find('.');
    const std::string_view octet = rest.substr(0, dot);
    if (octet.empty() || octet.size() > 3 ||
        octet.find_first_not_of("0123456789") != std::string_view::npos ||
        std::stoi(std::string(octet)) > 255) {
      return false;
    }
    if (dot == std::string_view::npos) return octets == 3;
    rest.remove_prefix(dot + 1);
  }
  return false;
}

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
    if (!tls.insecure && !IsLoopbackAddress(address)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--server \"", address,
          "\" is not on this machine: without --ca-cert the bearer token would cross the network "
          "in plaintext; give --ca-cert to connect with TLS, or --insecure to send it anyway"));
    }
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
