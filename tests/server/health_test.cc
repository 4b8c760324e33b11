// grpc.health.v1.Health answers SERVING. Debian's gRPC ships no generated
// health stubs, so the call goes through GenericStub with hand-encoded
// messages: HealthCheckRequest{service = 1: string} and
// HealthCheckResponse{status = 1: enum}, where SERVING = 1 (wire: 08 01).
#include <grpcpp/completion_queue.h>
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

// Server reflection lists the services to a stock gRPC tool. One round of
// the bidi stream /grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo
// with ServerReflectionRequest{list_services = 7: ""} (wire: 3a 00).
TEST_F(HealthTest, ReflectionListsTheCtxgraphServices) {
  grpc::GenericStub stub(channel_);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  grpc::CompletionQueue cq;
  auto call = stub.PrepareCall(
      &context, "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", &cq);
  void* tag = nullptr;
  bool ok = false;
  const auto step = [&](int expected) {
    ASSERT_TRUE(cq.Next(&tag, &ok));
    EXPECT_EQ(tag, reinterpret_cast<void*>(expected));
  };
  call->StartCall(reinterpret_cast<void*>(1));
  ASSERT_NO_FATAL_FAILURE(step(1));
  ASSERT_TRUE(ok);
  call->Write(Bytes(std::string("\x3a\x00", 2)), reinterpret_cast<void*>(2));
  ASSERT_NO_FATAL_FAILURE(step(2));
  ASSERT_TRUE(ok);
  grpc::ByteBuffer response;
  call->Read(&response, reinterpret_cast<void*>(3));
  ASSERT_NO_FATAL_FAILURE(step(3));
  ASSERT_TRUE(ok);
  call->WritesDone(reinterpret_cast<void*>(4));
  ASSERT_NO_FATAL_FAILURE(step(4));
  grpc::Status status;
  call->Finish(&status, reinterpret_cast<void*>(5));
  ASSERT_NO_FATAL_FAILURE(step(5));
  EXPECT_TRUE(status.ok()) << status.error_message();
  const std::string bytes = ToString(response);
  for (const char* service :
       {"ctxgraph.v1.GraphService", "ctxgraph.v1.AdminService", "ctxgraph.v1.ContextService",
        "ctxgraph.v1.AuditService", "ctxgraph.v1.LineageService", "grpc.health.v1.Health"}) {
    EXPECT_NE(bytes.find(service), std::string::npos) << service;
  }
}

}  // namespace
}  // namespace ctxgraph::server
