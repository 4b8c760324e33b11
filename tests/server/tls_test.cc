// ctxgraphd over TLS and mutual TLS, with certificates made at test time:
// the handshake and a real authenticated call succeed with the right
// certificates and fail with wrong or missing ones, and a server given
// certificate files that cannot work refuses to start, naming the flag.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "tests/server/server_test_fixture.h"
#include "tests/test_pki.h"

namespace ctxgraph::server {
namespace {

// One set of certificates for the whole binary, removed at exit.
class PkiDir {
 public:
  PkiDir() {
    char pattern[] = "/tmp/ctxgraph_tls_test_XXXXXX";
    dir_ = ::mkdtemp(pattern);
    pki_ = MakeTestPki(dir_);
  }
  ~PkiDir() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  const TestPki& pki() const { return pki_; }

 private:
  std::string dir_;
  TestPki pki_;
};

const TestPki& Pki() {
  static const PkiDir dir;
  return dir.pki();
}

struct ClientCerts {
  std::string ca;
  std::string cert;  // "" for none
  std::string key;
};

class TlsTest : public ServerTest {
 protected:
  void SetUp() override {
    ASSERT_EQ(Pki().error, "") << "cannot make test certificates";
    ASSERT_NO_FATAL_FAILURE(ServerTest::SetUp());
    // The fixture's helpers (LatestVersion, ...) go over TLS too.
    channel_ = TlsChannel(FixtureCerts());
    graph_ = v1::GraphService::NewStub(channel_);
    admin_ = v1::AdminService::NewStub(channel_);
    context_ = v1::ContextService::NewStub(channel_);
    boundary_ = v1::BoundaryService::NewStub(channel_);
  }

  virtual ClientCerts FixtureCerts() const { return {Pki().ca_cert, "", ""}; }

  void Configure(ServerOptions* options) override {
    options->tls.cert_file = Pki().server_cert;
    options->tls.key_file = Pki().server_key;
  }

  // The port of the server's address on "localhost", the name its
  // certificate carries.
  std::string LocalhostAddress() const {
    const std::string& address = server_->address();
    return "localhost" + address.substr(address.rfind(':'));
  }

  std::shared_ptr<grpc::Channel> TlsChannel(const ClientCerts& certs) const {
    grpc::SslCredentialsOptions options;
    options.pem_root_certs = ReadTestFile(certs.ca);
    if (!certs.cert.empty()) {
      options.pem_cert_chain = ReadTestFile(certs.cert);
      options.pem_private_key = ReadTestFile(certs.key);
    }
    return grpc::CreateChannel(LocalhostAddress(), grpc::SslCredentials(options));
  }

  // To the server's 127.0.0.1 address, trusting the right CA, checking the
  // certificate against `name`.
  std::shared_ptr<grpc::Channel> ChannelByIpExpecting(const std::string& name) const {
    grpc::SslCredentialsOptions options;
    options.pem_root_certs = ReadTestFile(Pki().ca_cert);
    grpc::ChannelArguments args;
    args.SetSslTargetNameOverride(name);
    return grpc::CreateCustomChannel(server_->address(), grpc::SslCredentials(options), args);
  }

  // Writes a node as the admin over `channel` and reads it back.
  grpc::Status WriteAndRead(const std::shared_ptr<grpc::Channel>& channel, const std::string& token,
                            v1::GetNodeResponse* read) {
    auto stub = v1::GraphService::NewStub(channel);
    v1::WriteRequest write;
    *write.add_ops() = UpsertNode(MakeNode("over-tls"));
    v1::WriteResponse written;
    grpc::Status status = Call(stub.get(), &v1::GraphService::Stub::Write, token, write, &written);
    if (!status.ok()) return status;
    v1::GetNodeRequest get;
    get.set_id("over-tls");
    return Call(stub.get(), &v1::GraphService::Stub::GetNode, token, get, read);
  }
};

TEST_F(TlsTest, ARealCallSucceedsWithTheRightCa) {
  v1::GetNodeResponse read;
  ASSERT_OK(WriteAndRead(TlsChannel({Pki().ca_cert, "", ""}), admin_token_, &read));
  EXPECT_EQ(read.node().id(), "over-tls");
  EXPECT_EQ(read.node().provenance().writer(), "admin");
}

TEST_F(TlsTest, TheServerNameOverrideReachesItByIp) {
  v1::GetNodeResponse read;
  EXPECT_OK(WriteAndRead(ChannelByIpExpecting("localhost"), admin_token_, &read));
}

TEST_F(TlsTest, AClientTrustingAnotherCaFailsTheHandshake) {
  v1::GetNodeResponse read;
  const grpc::Status status =
      WriteAndRead(TlsChannel({Pki().other_ca_cert, "", ""}), admin_token_, &read);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
  EXPECT_EQ(GetNode(admin_token_, "over-tls", &read).error_code(),
            grpc::StatusCode::NOT_FOUND);  // nothing was written
}

TEST_F(TlsTest, ANameTheCertificateDoesNotCarryFailsTheHandshake) {
  v1::GetNodeResponse read;
  EXPECT_EQ(
      WriteAndRead(ChannelByIpExpecting("ctxgraph.example.com"), admin_token_, &read).error_code(),
      grpc::StatusCode::UNAVAILABLE);
}

TEST_F(TlsTest, APlaintextClientFails) {
  auto channel = grpc::CreateChannel(server_->address(), grpc::InsecureChannelCredentials());
  v1::GetNodeResponse read;
  EXPECT_EQ(WriteAndRead(channel, admin_token_, &read).error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(TlsTest, TheTokenIsStillRequired) {
  v1::GetNodeResponse read;
  const grpc::Status status = WriteAndRead(TlsChannel({Pki().ca_cert, "", ""}), "", &read);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(status.error_message(), kUnauthenticated);
}

class MutualTlsTest : public TlsTest {
 protected:
  void Configure(ServerOptions* options) override {
    TlsTest::Configure(options);
    options->tls.client_ca_file = Pki().ca_cert;
  }
  ClientCerts FixtureCerts() const override {
    return {Pki().ca_cert, Pki().client_cert, Pki().client_key};
  }
};

TEST_F(MutualTlsTest, TheRightClientCertificateWorks) {
  v1::GetNodeResponse read;
  ASSERT_OK(WriteAndRead(TlsChannel({Pki().ca_cert, Pki().client_cert, Pki().client_key}),
                         admin_token_, &read));
  EXPECT_EQ(read.node().id(), "over-tls");
}

TEST_F(MutualTlsTest, NoClientCertificateFails) {
  v1::GetNodeResponse read;
  EXPECT_EQ(WriteAndRead(TlsChannel({Pki().ca_cert, "", ""}), admin_token_, &read).error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

TEST_F(MutualTlsTest, AClientCertificateFromAnotherCaFails) {
  v1::GetNodeResponse read;
  const grpc::Status status =
      WriteAndRead(TlsChannel({Pki().ca_cert, Pki().other_client_cert, Pki().other_client_key}),
                   admin_token_, &read);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
}

TEST_F(MutualTlsTest, AClientCertificateDoesNotReplaceTheToken) {
  v1::GetNodeResponse read;
  const grpc::Status status =
      WriteAndRead(TlsChannel({Pki().ca_cert, Pki().client_cert, Pki().client_key}), "", &read);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

// Start-up checks: CtxgraphServer::Start fails before opening anything.
class TlsStartTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(Pki().error, "") << "cannot make test certificates";
    char pattern[] = "/tmp/ctxgraph_tls_start_XXXXXX";
    data_dir_ = ::mkdtemp(pattern);
  }
  void TearDown() override { std::filesystem::remove_all(data_dir_); }

  absl::Status Start(const TlsFiles& tls) {
    ServerOptions options;
    options.data_dir = data_dir_ + "/data";
    options.listen = "127.0.0.1:0";
    options.tls = tls;
    absl::StatusOr<std::unique_ptr<CtxgraphServer>> server = CtxgraphServer::Start(options);
    return server.status();
  }

  std::string data_dir_;
};

TEST_F(TlsStartTest, AKeyNotMatchingTheCertificateIsRefused) {
  const absl::Status status = Start({Pki().server_cert, Pki().client_key, ""});
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "--tls-key \"" + Pki().client_key +
                                  "\" does not match the certificate in --tls-cert \"" +
                                  Pki().server_cert + "\"");
  EXPECT_FALSE(std::filesystem::exists(data_dir_ + "/data"));  // refused before opening
}

TEST_F(TlsStartTest, CertificateAndKeyGoTogether) {
  EXPECT_EQ(Start({Pki().server_cert, "", ""}).message(),
            "--tls-cert and --tls-key go together: --tls-key is missing");
  EXPECT_EQ(Start({"", Pki().server_key, ""}).message(),
            "--tls-cert and --tls-key go together: --tls-cert is missing");
  EXPECT_EQ(Start({"", "", Pki().ca_cert}).message(),
            "--tls-client-ca needs --tls-cert and --tls-key");
}

TEST_F(TlsStartTest, UnreadableOrWrongFilesAreNamed) {
  const std::string missing = data_dir_ + "/missing.pem";
  EXPECT_EQ(Start({missing, Pki().server_key, ""}).message(),
            "--tls-cert \"" + missing + "\": cannot read: No such file or directory");
  EXPECT_EQ(Start({Pki().server_key, Pki().server_key, ""}).message(),
            "--tls-cert \"" + Pki().server_key + "\": no PEM certificate in the file");
  EXPECT_EQ(Start({Pki().server_cert, Pki().server_cert, ""}).message(),
            "--tls-key \"" + Pki().server_cert + "\": no unencrypted PEM private key in the file");
  EXPECT_EQ(Start({Pki().server_cert, Pki().server_key, Pki().client_key}).message(),
            "--tls-client-ca \"" + Pki().client_key + "\": no PEM certificate in the file");
}

}  // namespace
}  // namespace ctxgraph::server
