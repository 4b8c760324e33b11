// ctxgraphd's --tls-* flags and the CLI's --ca-cert, --client-cert,
// --client-key and --tls-server-name, as real processes with certificates
// made at test time.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/e2e/process.h"
#include "tests/test_pki.h"

namespace ctxgraph::e2e {
namespace {

class TlsE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/ctxgraph-tls-e2e-XXXXXX";
    dir_ = mkdtemp(pattern);
    pki_ = MakeTestPki(dir_);
    ASSERT_EQ(pki_.error, "") << "cannot make test certificates";
    std::filesystem::create_directories(dir_ + "/data");
    server_ = std::make_unique<ServerProcess>(dir_ + "/data");
  }
  void TearDown() override {
    server_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Starts ctxgraphd with mutual TLS.
  void StartMutualTls() {
    ASSERT_TRUE(server_->Start({"--tls-cert", pki_.server_cert, "--tls-key", pki_.server_key,
                                "--tls-client-ca", pki_.ca_cert}))
        << ReadTestFile(dir_ + "/data/server.err");
  }
  std::string LocalhostAddress() const {
    const std::string& address = server_->address();
    return "localhost" + address.substr(address.rfind(':'));
  }

  // `ctxgraph --server S --token-file admin.token <tls...> principal list --json`.
  CommandResult ListPrincipals(const std::string& server, std::vector<std::string> tls) {
    std::vector<std::string> argv = {BuildDir() + "/client/ctxgraph", "--server", server,
                                     "--token-file", dir_ + "/data/admin.token"};
    argv.insert(argv.end(), tls.begin(), tls.end());
    for (const char* arg : {"--json", "--timeout", "5", "principal", "list"}) argv.push_back(arg);
    return e2e::Run(argv);
  }

  // Exit 1 with the CLI's error line (after gRPC's own handshake log lines).
  static bool FailedUnavailable(const CommandResult& r) {
    return r.exit_code == 1 && (r.err.rfind("error: UNAVAILABLE: ", 0) == 0 ||
                                r.err.find("\nerror: UNAVAILABLE: ") != std::string::npos);
  }

  std::string dir_;
  TestPki pki_;
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(TlsE2eTest, TheCliTalksMutualTlsWithTheRightCertificates) {
  ASSERT_NO_FATAL_FAILURE(StartMutualTls());
  const CommandResult ok =
      ListPrincipals(LocalhostAddress(), {"--ca-cert", pki_.ca_cert, "--client-cert",
                                          pki_.client_cert, "--client-key", pki_.client_key});
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  const nlohmann::json principals =
      nlohmann::json::parse(ok.out, nullptr, false).value("principals", nlohmann::json());
  ASSERT_TRUE(principals.is_array()) << ok.out;
  ASSERT_EQ(principals.size(), 1u);
  EXPECT_EQ(principals[0].value("id", ""), "admin");

  // By IP, naming the certificate's host.
  EXPECT_EQ(ListPrincipals(server_->address(),
                           {"--ca-cert", pki_.ca_cert, "--client-cert", pki_.client_cert,
                            "--client-key", pki_.client_key, "--tls-server-name", "localhost"})
                .exit_code,
            0);
}

TEST_F(TlsE2eTest, TheCliFailsWithoutItsClientCertificateOrWithTheWrongCa) {
  ASSERT_NO_FATAL_FAILURE(StartMutualTls());
  CommandResult r = ListPrincipals(LocalhostAddress(), {"--ca-cert", pki_.ca_cert});
  EXPECT_TRUE(FailedUnavailable(r)) << r.err;
  r = ListPrincipals(LocalhostAddress(), {"--ca-cert", pki_.other_ca_cert, "--client-cert",
                                          pki_.client_cert, "--client-key", pki_.client_key});
  EXPECT_TRUE(FailedUnavailable(r)) << r.err;
  r = ListPrincipals(LocalhostAddress(), {});  // plaintext
  EXPECT_TRUE(FailedUnavailable(r)) << r.err;
}

TEST_F(TlsE2eTest, TheCliNamesAMissingTlsFlagOrFile) {
  std::ofstream(dir_ + "/data/admin.token") << "ctxg_never_sent\n";
  CommandResult r =
      ListPrincipals("localhost:1", {"--ca-cert", pki_.ca_cert, "--client-cert", pki_.client_cert});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "error: INVALID_ARGUMENT: --client-cert and --client-key go together: --client-key "
            "is missing\n");
  r = ListPrincipals("localhost:1", {"--tls-server-name", "localhost"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "error: INVALID_ARGUMENT: --tls-server-name needs --ca-cert\n");
  r = ListPrincipals("localhost:1", {"--ca-cert", dir_ + "/missing.pem"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "error: INVALID_ARGUMENT: --ca-cert \"" + dir_ +
                       "/missing.pem\": cannot read: No such file or directory\n");
}

TEST_F(TlsE2eTest, CtxgraphdRefusesAKeyThatDoesNotMatchItsCertificate) {
  const CommandResult r =
      e2e::Run({BuildDir() + "/server/ctxgraphd", "--data-dir", dir_ + "/data", "--listen",
                "127.0.0.1:0", "--tls-cert", pki_.server_cert, "--tls-key", pki_.client_key});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(
      r.out.find("cannot start: INVALID_ARGUMENT: --tls-key \"" + pki_.client_key +
                 "\" does not match the certificate in --tls-cert \"" + pki_.server_cert + "\""),
      std::string::npos)
      << r.out << r.err;
}

}  // namespace
}  // namespace ctxgraph::e2e
