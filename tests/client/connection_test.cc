#include "client/connection.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "client/tls_channel.h"
#include "tests/test_macros.h"

namespace ctxgraph::client {
namespace {

namespace v1 = ::ctxgraph::v1;

class TokenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("ctxgraph_client_test_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    unsetenv("CTXGRAPH_TOKEN");
    unsetenv("CTXGRAPH_TOKEN_FILE");
    unsetenv("CTXGRAPH_SERVER");
  }
  void TearDown() override {
    std::filesystem::remove_all(dir_);
    unsetenv("CTXGRAPH_TOKEN");
    unsetenv("CTXGRAPH_TOKEN_FILE");
    unsetenv("CTXGRAPH_SERVER");
  }
  std::string Write(const std::string& name, const std::string& content) {
    const std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }

  std::filesystem::path dir_;
};

TEST_F(TokenTest, TokenFileIsTrimmed) {
  const std::string path = Write("t", "  cgt_abc.DEF-123\n\n");
  absl::StatusOr<std::string> token = ReadTokenFile(path);
  ASSERT_OK(token.status());
  EXPECT_EQ(*token, "cgt_abc.DEF-123");
}

TEST_F(TokenTest, BadTokenFilesNameTheFileButNeverTheToken) {
  const std::string empty = Write("empty", " \n");
  EXPECT_EQ(ReadTokenFile(empty).status(),
            absl::InvalidArgumentError("token file \"" + empty + "\" is empty"));
  const std::string inner_space = Write("space", "secret-part1 secret-part2\n");
  const absl::Status status = ReadTokenFile(inner_space).status();
  EXPECT_EQ(status, absl::InvalidArgumentError("token file \"" + inner_space +
                                               "\": token contains characters not allowed in a "
                                               "header"));
  EXPECT_EQ(std::string(status.message()).find("secret"), std::string::npos);
  const std::string missing = (dir_ / "missing").string();
  EXPECT_EQ(ReadTokenFile(missing).status(),
            absl::InvalidArgumentError("token file \"" + missing +
                                       "\": cannot read: No such file or directory"));
}

TEST_F(TokenTest, ResolveTokenPrecedence) {
  EXPECT_EQ(*ResolveToken(""), "");  // nothing configured: unauthenticated
  const std::string env_file = Write("env", "from-env-file");
  setenv("CTXGRAPH_TOKEN_FILE", env_file.c_str(), 1);
  EXPECT_EQ(*ResolveToken(""), "from-env-file");
  setenv("CTXGRAPH_TOKEN", " from-env\n", 1);
  EXPECT_EQ(*ResolveToken(""), "from-env");
  EXPECT_EQ(*ResolveToken(Write("flag", "from-flag")), "from-flag");
  setenv("CTXGRAPH_TOKEN", "bad\x01token", 1);
  EXPECT_EQ(ResolveToken("").status(),
            absl::InvalidArgumentError(
                "CTXGRAPH_TOKEN: token contains characters not allowed in a header"));
}

TEST_F(TokenTest, ResolveServerAddress) {
  EXPECT_EQ(ResolveServerAddress(""), "127.0.0.1:50051");
  setenv("CTXGRAPH_SERVER", "db:7000", 1);
  EXPECT_EQ(ResolveServerAddress(""), "db:7000");
  EXPECT_EQ(ResolveServerAddress("10.0.0.1:1"), "10.0.0.1:1");
}

TEST(OpenChannelTest, PlaintextGoesOnlyToThisMachineUnlessInsecure) {
  for (const char* local : {"127.0.0.1:50051", "127.9.8.7:1", "localhost:7000", "LOCALHOST:1",
                            "[::1]:50051", "unix:/tmp/ctxgraph.sock", "dns:///localhost:7"}) {
    SCOPED_TRACE(local);
    EXPECT_TRUE(IsLoopbackAddress(local));
    EXPECT_OK(OpenChannel(local, {}).status());
  }
  for (const char* remote :
       {"10.0.0.5:50051", "db.example.com:50051", "[2001:db8::1]:50051", "128.0.0.1:1",
        "127.0.0.1.evil.com:1", "127.0.0.256:1", "localhost.evil.com:1", "0.0.0.0:50051",
        "ipv6:[::1]:1,[2001:db8::1]:50051", "ipv4:127.0.0.1:1,10.0.0.5:50051", "[::1]x:1",
        "[::1]:1x", "[::ffff:10.0.0.5]:1"}) {
    SCOPED_TRACE(remote);
    EXPECT_FALSE(IsLoopbackAddress(remote));
    EXPECT_STATUS(OpenChannel(remote, {}), absl::StatusCode::kInvalidArgument,
                  absl::StrCat("--server \"", remote,
                               "\" is not on this machine: without --ca-cert the bearer token "
                               "would cross the network in plaintext; give --ca-cert to connect "
                               "with TLS, or --insecure to send it anyway"));
    ClientTlsFlags insecure;
    insecure.insecure = true;
    EXPECT_OK(OpenChannel(remote, insecure).status());
  }
}

TEST(StatusTextTest, CodeNameThenMessage) {
  EXPECT_EQ(
      StatusText(FromGrpcStatus(grpc::Status(grpc::StatusCode::NOT_FOUND, "node \"x\" not found"))),
      "NOT_FOUND: node \"x\" not found");
  EXPECT_EQ(FromGrpcStatus(grpc::Status::OK), absl::OkStatus());
  EXPECT_EQ(FromGrpcStatus(grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "no")),
            absl::PermissionDeniedError("no"));
}

// A GraphService that records what each GetNode call carried.
class RecordingGraphService final : public v1::GraphService::Service {
 public:
  std::string authorization;
  std::chrono::system_clock::time_point deadline;

  grpc::Status GetNode(grpc::ServerContext* context, const v1::GetNodeRequest* request,
                       v1::GetNodeResponse* response) override {
    const auto& metadata = context->client_metadata();
    const auto it = metadata.find("authorization");
    authorization =
        it == metadata.end() ? "<none>" : std::string(it->second.data(), it->second.size());
    deadline = context->deadline();
    if (request->id() == "missing") {
      return grpc::Status(grpc::StatusCode::NOT_FOUND, "node \"missing\" not found");
    }
    response->mutable_node()->set_id(request->id());
    response->set_snapshot_version(3);
    return grpc::Status::OK;
  }
};

class ServerConnectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    ASSERT_GT(port_, 0);
  }
  void TearDown() override { server_->Shutdown(); }
  std::string Address() const { return "127.0.0.1:" + std::to_string(port_); }

  RecordingGraphService service_;
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
};

TEST_F(ServerConnectionTest, SendsBearerTokenAndDeadlineOnEveryCall) {
  ServerConnection conn(Address(), "tok-123", absl::Seconds(7));
  v1::GetNodeRequest request;
  request.set_id("doc-1");
  const auto before = std::chrono::system_clock::now();
  absl::StatusOr<v1::GetNodeResponse> response =
      conn.Call(conn.graph(), &v1::GraphService::StubInterface::GetNode, request);
  ASSERT_OK(response.status());
  EXPECT_EQ(response->node().id(), "doc-1");
  EXPECT_EQ(service_.authorization, "Bearer tok-123");
  EXPECT_GT(service_.deadline, before + std::chrono::seconds(5));
  EXPECT_LT(service_.deadline, before + std::chrono::seconds(9));

  // A second call gets its own context: same header, fresh deadline.
  service_.authorization.clear();
  ASSERT_OK(conn.Call(conn.graph(), &v1::GraphService::StubInterface::GetNode, request).status());
  EXPECT_EQ(service_.authorization, "Bearer tok-123");
}

TEST_F(ServerConnectionTest, NoTokenMeansNoHeader) {
  ServerConnection conn(Address(), "", absl::Seconds(5));
  v1::GetNodeRequest request;
  request.set_id("doc-1");
  ASSERT_OK(conn.Call(conn.graph(), &v1::GraphService::StubInterface::GetNode, request).status());
  EXPECT_EQ(service_.authorization, "<none>");
}

TEST_F(ServerConnectionTest, ServerErrorsBecomeStatuses) {
  ServerConnection conn(Address(), "tok", absl::Seconds(5));
  v1::GetNodeRequest request;
  request.set_id("missing");
  const absl::Status status =
      conn.Call(conn.graph(), &v1::GraphService::StubInterface::GetNode, request).status();
  EXPECT_EQ(StatusText(status), "NOT_FOUND: node \"missing\" not found");
}

}  // namespace
}  // namespace ctxgraph::client
