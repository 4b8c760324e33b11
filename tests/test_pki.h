// TestPki: certificates for the TLS tests, made at test time by the openssl
// binary (tools/setup.sh installs it): a CA, a server certificate it signed
// for localhost and 127.0.0.1, a client certificate it signed, and a second,
// unrelated CA with a client certificate of its own. EC P-256 keys, so the
// whole set takes a few tens of milliseconds.
#ifndef CTXGRAPH_TESTS_TEST_PKI_H_
#define CTXGRAPH_TESTS_TEST_PKI_H_

#include <string>

namespace ctxgraph {

struct TestPki {
  // Non-empty when making the set failed (openssl missing or refusing): the
  // command and its output. Tests must fail on it, never skip.
  std::string error;

  std::string ca_cert;
  std::string server_cert;  // CN and SAN localhost, SAN IP 127.0.0.1
  std::string server_key;
  std::string client_cert;  // CN test-client, signed by ca_cert
  std::string client_key;
  std::string other_ca_cert;
  std::string other_client_cert;  // CN test-client, signed by other_ca_cert
  std::string other_client_key;
};

// Writes the PEM files into the existing directory `dir`; the fields hold
// their paths.
TestPki MakeTestPki(const std::string& dir);

// A file's content ("" when unreadable).
std::string ReadTestFile(const std::string& path);

}  // namespace ctxgraph

#endif  // CTXGRAPH_TESTS_TEST_PKI_H_
