// grpc.health.v1.Health answers SERVING. Debian's gRPC ships no generated
// health stubs, so the call goes through GenericStub with hand-encoded
// messages: HealthCheckRequest{service = 1: string} and
// HealthCheckResponse{status = 1: enum}, where SERVING = 1 (wire: 08 01).
#include <grpcpp/generic/generic_stub.h>
#include <gtest/gtest.h>

#include <future>

#include "tests/server/server_test_fixture.h"

namespace ctxgraph::server {
namespace {

constexpr char kHealthCheck[] = "/grpc.health.v1.Health/Check";

grpc::ByteBuffer Bytes(const std::string& s) {
  grpc::Slice slice(s);
  return grpc::ByteBuffer(&slice, 1);
}

std::string ToString(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  if (!buffer.Dump(&slices).ok()) return "<bad buffer>";
  std::string out;
  for (const auto& s : slices) out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  return out;
}

class HealthTest : public ServerTest {
 protected:
  // Calls Health/Check for `service` without any authorization.
  grpc::Status Check(const std::string& service, std::string* response_bytes) {
    std::string request;
    if (!service.empty()) {
      request.push_back(0x0A);  // field 1, length-delimited
      request.push_back(static_cast<char>(service.size()));
      request += service;
    }
    grpc::GenericStub stub(channel_);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    const grpc::ByteBuffer in = Bytes(request);
    grpc::ByteBuffer out;
    std::promise<grpc::Status> done;
    stub.UnaryCall(&context, kHealthCheck, grpc::StubOptions(), &in, &out,
                   [&done](grpc::Status s) { done.set_value(std::move(s)); });
    grpc::Status status = done.get_future().get();
    *response_bytes = ToString(out);
    return status;
  }
};

TEST_F(HealthTest, OverallHealthIsServingWithoutAToken) {
  std::string response;
  ASSERT_OK(Check("", &response));
  EXPECT_EQ(response, std::string("\x08\x01", 2));
}

TEST_F(HealthTest, UnknownServiceIsNotFound) {
  std::string response;
  const grpc::Status status = Check("no.such.Service", &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND) << status.error_message();
}

}  // namespace
}  // namespace ctxgraph::server
