#include "server/tls_credentials.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "storage/status_macros.h"

namespace ctxgraph::server {
namespace {

struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct X509Free {
  void operator()(X509* cert) const { X509_free(cert); }
};
struct KeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using Bio = std::unique_ptr<BIO, BioFree>;

std::string FlagFile(const char* flag, const std::string& path) {
  return absl::StrCat(flag, " \"", path, "\"");
}

absl::StatusOr<std::string> ReadPemFile(const char* flag, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::InvalidArgumentError(
        absl::StrCat(FlagFile(flag, path), ": cannot read: ", std::strerror(errno)));
  }
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad())
    return absl::InvalidArgumentError(absl::StrCat(FlagFile(flag, path), ": cannot read"));
  return content.str();
}

Bio MemoryBio(const std::string& pem) {
  return Bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

// The first certificate of `pem`, or null.
std::unique_ptr<X509, X509Free> FirstCertificate(const std::string& pem) {
  Bio bio = MemoryBio(pem);
  std::unique_ptr<X509, X509Free> cert(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)
                                           : nullptr);
  ERR_clear_error();
  return cert;
}

// Never prompts on the terminal for a passphrase: an encrypted key is
// refused instead.
int NoPassphrase(char*, int, int, void*) { return 0; }

std::unique_ptr<EVP_PKEY, KeyFree> PrivateKey(const std::string& pem) {
  Bio bio = MemoryBio(pem);
  std::unique_ptr<EVP_PKEY, KeyFree> key(
      bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassphrase, nullptr) : nullptr);
  ERR_clear_error();
  return key;
}

absl::Status NoCertificate(const char* flag, const std::string& path) {
  return absl::InvalidArgumentError(
      absl::StrCat(FlagFile(flag, path), ": no PEM certificate in the file"));
}

}  // namespace

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> ServerCredentialsFor(
    const TlsFiles& files) {
  if (!files.enabled()) return grpc::InsecureServerCredentials();
  if (files.cert_file.empty() != files.key_file.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--tls-cert and --tls-key go together: ",
                     files.cert_file.empty() ? "--tls-cert" : "--tls-key", " is missing"));
  }
  if (files.cert_file.empty()) {
    return absl::InvalidArgumentError("--tls-client-ca needs --tls-cert and --tls-key");
  }
  ASSIGN_OR_RETURN(std::string cert_pem, ReadPemFile("--tls-cert", files.cert_file));
  ASSIGN_OR_RETURN(std::string key_pem, ReadPemFile("--tls-key", files.key_file));
  const auto cert = FirstCertificate(cert_pem);
  if (cert == nullptr) return NoCertificate("--tls-cert", files.cert_file);
  const auto key = PrivateKey(key_pem);
  if (key == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(FlagFile("--tls-key", files.key_file),
                                                   ": no unencrypted PEM private key in the file"));
  }
  const bool matches = X509_check_private_key(cert.get(), key.get()) == 1;
  ERR_clear_error();
  if (!matches) {
    return absl::InvalidArgumentError(absl::StrCat(FlagFile("--tls-key", files.key_file),
                                                   " does not match the certificate in ",
                                                   FlagFile("--tls-cert", files.cert_file)));
  }

  grpc::SslServerCredentialsOptions options(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  if (!files.client_ca_file.empty()) {
    ASSIGN_OR_RETURN(options.pem_root_certs, ReadPemFile("--tls-client-ca", files.client_ca_file));
    if (FirstCertificate(options.pem_root_certs) == nullptr) {
      return NoCertificate("--tls-client-ca", files.client_ca_file);
    }
    options.client_certificate_request = GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
  }
  options.pem_key_cert_pairs.push_back({std::move(key_pem), std::move(cert_pem)});
  return grpc::SslServerCredentials(options);
}

}  // namespace ctxgraph::server
