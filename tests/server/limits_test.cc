// ctxgraphd's request limits (--max-message-bytes, --max-batch-ops,
// --max-traversal-nodes, --max-concurrent-requests): the exact status and
// message over each, nothing written by a refused request, truncation (not
// an error) at the traversal bound, and admission that frees its slot.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <thread>

#include "ctxgraph/v1/audit.grpc.pb.h"
#include "ctxgraph/v1/lineage.grpc.pb.h"
#include "server/in_flight_limit.h"
#include "tests/server/server_test_fixture.h"

namespace ctxgraph::server {
namespace {

using ::testing::HasSubstr;

TEST(InFlightLimitTest, AdmitsUpToTheLimitAndFreesOnEveryExit) {
  InFlightLimit limit(2);
  {
    absl::StatusOr<InFlightLimit::Ticket> a = limit.Admit();
    absl::StatusOr<InFlightLimit::Ticket> b = limit.Admit();
    ASSERT_OK(a.status());
    ASSERT_OK(b.status());
    EXPECT_STATUS(limit.Admit().status(), absl::StatusCode::kResourceExhausted,
                  "server is at --max-concurrent-requests=2");
    EXPECT_EQ(limit.in_flight(), 2);  // the refused call gave its slot back
  }
  EXPECT_EQ(limit.in_flight(), 0);
  try {
    absl::StatusOr<InFlightLimit::Ticket> held = limit.Admit();
    ASSERT_OK(held.status());
    throw std::runtime_error("handler failed");
  } catch (const std::runtime_error&) {
  }
  EXPECT_EQ(limit.in_flight(), 0);
}

TEST(InFlightLimitTest, ZeroAdmitsEverything) {
  InFlightLimit limit(0);
  std::vector<InFlightLimit::Ticket> held;
  for (int i = 0; i < 100; ++i) {
    absl::StatusOr<InFlightLimit::Ticket> t = limit.Admit();
    ASSERT_OK(t.status());
    held.push_back(*std::move(t));
  }
  EXPECT_EQ(limit.in_flight(), 100);
}

class LimitsTest : public ServerTest {
 protected:
  void Configure(ServerOptions* options) override {
    options->max_message_bytes = 16 << 10;
    options->limits.max_batch_ops = 3;
    options->limits.max_traversal_nodes = max_traversal_nodes_;
    options->limits.max_concurrent_requests = 1;
  }

  int max_traversal_nodes_ = 3;  // for the next StartServer

  // An open Import stream with its first message sent; the caller finishes it.
  struct OpenImport {
    grpc::ClientContext context;
    v1::ImportResponse response;
    std::unique_ptr<grpc::ClientWriter<v1::ImportRequest>> writer;
  };
  void StartImport(OpenImport* import, const std::vector<v1::WriteOp>& ops, bool bulk = false) {
    import->context.AddMetadata("authorization", "Bearer " + admin_token_);
    import->writer = graph_->Import(&import->context, &import->response);
    v1::ImportRequest request;
    request.mutable_options()->set_description("limits test import");
    request.mutable_options()->set_bulk(bulk);
    for (const auto& op : ops) *request.add_ops() = op;
    ASSERT_TRUE(import->writer->Write(request));
  }

  bool Exists(const std::string& id) {
    v1::GetNodeResponse r;
    return GetNode(admin_token_, id, &r).ok();
  }

  // A hub with DERIVED_FROM edges to five leaves, three ops per write (the
  // batch limit); false when a write failed.
  bool WriteStar() {
    std::vector<v1::WriteOp> ops = {UpsertNode(MakeNode("hub"))};
    for (int i = 1; i <= 5; ++i) ops.push_back(UpsertNode(MakeNode("leaf-" + std::to_string(i))));
    for (int i = 1; i <= 5; ++i) {
      ops.push_back(UpsertEdge("hub", "DERIVED_FROM", "leaf-" + std::to_string(i)));
    }
    for (size_t i = 0; i < ops.size(); i += 3) {
      const size_t end = std::min(ops.size(), i + 3);
      if (AdminWrite({ops.begin() + i, ops.begin() + end}) == 0) return false;
    }
    return true;
  }
};

TEST_F(LimitsTest, AMessageOverMaxMessageBytesIsResourceExhaustedAndWritesNothing) {
  v1::WriteResponse response;
  const grpc::Status status =
      Write(admin_token_,
            {UpsertNode(MakeNode("big", {}, "Doc", {{"text", Str(std::string(20000, 'x'))}}))},
            &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(status.error_message(), HasSubstr("larger than max"));
  EXPECT_THAT(status.error_message(), HasSubstr("16384"));
  EXPECT_FALSE(Exists("big"));
  EXPECT_OK(
      Write(admin_token_,
            {UpsertNode(MakeNode("fits", {}, "Doc", {{"text", Str(std::string(8000, 'x'))}}))},
            &response));
}

TEST_F(LimitsTest, AWriteOverMaxBatchOpsIsResourceExhaustedAndWritesNothing) {
  const uint64_t before = LatestVersion();
  v1::WriteResponse response;
  EXPECT_STATUS(Write(admin_token_,
                      {UpsertNode(MakeNode("a")), UpsertNode(MakeNode("b")),
                       UpsertNode(MakeNode("c")), UpsertNode(MakeNode("d"))},
                      &response),
                absl::StatusCode::kResourceExhausted, "ops: 4 ops exceed the batch limit of 3");
  EXPECT_EQ(LatestVersion(), before);
  EXPECT_FALSE(Exists("a"));
  EXPECT_OK(Write(admin_token_,
                  {UpsertNode(MakeNode("a")), UpsertNode(MakeNode("b")), UpsertNode(MakeNode("c"))},
                  &response));
}

TEST_F(LimitsTest, AnImportMessageOverMaxBatchOpsEndsTheImportAndABulkOneWritesNothing) {
  const uint64_t before = LatestVersion();
  {
    OpenImport import;
    ASSERT_NO_FATAL_FAILURE(StartImport(&import,
                                        {UpsertNode(MakeNode("i-1")), UpsertNode(MakeNode("i-2"))},
                                        /*bulk=*/true));
    v1::ImportRequest big;
    for (const char* id : {"i-3", "i-4", "i-5", "i-6"}) *big.add_ops() = UpsertNode(MakeNode(id));
    import.writer->Write(big);  // the server may already have answered
    import.writer->WritesDone();
    EXPECT_STATUS(import.writer->Finish(), absl::StatusCode::kResourceExhausted,
                  "ops: 4 ops exceed the batch limit of 3");
  }
  EXPECT_EQ(LatestVersion(), before);
  for (const char* id : {"i-1", "i-2", "i-3"}) EXPECT_FALSE(Exists(id)) << id;
}

// A non-bulk import commits message by message: the message over the limit
// ends the stream, what the one before it committed stays, and the error
// says so.
TEST_F(LimitsTest, AnImportMessageOverMaxBatchOpsSaysWhatTheMessagesBeforeItCommitted) {
  OpenImport import;
  ASSERT_NO_FATAL_FAILURE(
      StartImport(&import, {UpsertNode(MakeNode("i-1")), UpsertNode(MakeNode("i-2"))}));
  v1::ImportRequest big;
  for (const char* id : {"i-3", "i-4", "i-5", "i-6"}) *big.add_ops() = UpsertNode(MakeNode(id));
  import.writer->Write(big);  // the server may already have answered
  import.writer->WritesDone();
  const grpc::Status status = import.writer->Finish();
  EXPECT_STATUS(status, absl::StatusCode::kResourceExhausted,
                absl::StrCat("ops: 4 ops exceed the batch limit of 3 (1 batch of this import "
                             "committed before it, up to version ",
                             LatestVersion(), "; re-running the import converges)"));
  for (const char* id : {"i-1", "i-2"}) EXPECT_TRUE(Exists(id)) << id;
  for (const char* id : {"i-3", "i-4"}) EXPECT_FALSE(Exists(id)) << id;
}

// The peak resident set of this process since the last ResetPeakRss, in
// bytes (VmHWM); 0 when /proc does not say.
uint64_t PeakRssBytes() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    uint64_t kb = 0;
    if (std::sscanf(line.c_str(), "VmHWM: %" SCNu64 " kB", &kb) == 1) return kb << 10;
  }
  return 0;
}
bool ResetPeakRss() {
  std::ofstream clear("/proc/self/clear_refs");
  clear << "5";
  clear.close();  // the write happens here
  return !clear.fail();
}

// The op limit at the default message size, where one message holds
// millions of ops: they are counted before they are decoded, at a few
// hundred bytes each.
class BatchOpsBeforeDecodingTest : public ServerTest {
 protected:
  void Configure(ServerOptions* options) override { options->limits.max_batch_ops = 10; }
};

TEST_F(BatchOpsBeforeDecodingTest, AnImportMessageOfMillionsOfOpsIsRefusedBeforeItIsDecoded) {
  v1::ImportRequest request;  // 2,000,000 empty ops: 4 MB on the wire
  request.mutable_ops()->Reserve(2'000'000);
  for (int i = 0; i < 2'000'000; ++i) request.add_ops();
  grpc::ClientContext context;
  context.AddMetadata("authorization", "Bearer " + admin_token_);
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
  v1::ImportResponse response;
  if (!ResetPeakRss()) GTEST_SKIP() << "no /proc/self/clear_refs to reset the peak RSS with";
  const uint64_t start = PeakRssBytes();
  auto writer = graph_->Import(&context, &response);
  writer->Write(request);  // the server may already have answered
  writer->WritesDone();
  EXPECT_STATUS(writer->Finish(), absl::StatusCode::kResourceExhausted,
                "ops: 2000000 ops exceed the batch limit of 10");
  // The server's parse of the message cost this process 117 MB at its
  // peak here; decoding the ops first took it to 993 MB.
  EXPECT_LT(PeakRssBytes() - start, uint64_t{300} << 20);
}

TEST_F(LimitsTest, RetrieveStopsAtMaxTraversalNodesAsTruncatedAndItsReceiptReplays) {
  ASSERT_TRUE(WriteStar());
  v1::RetrieveRequest request;
  request.add_seeds("hub");
  v1::RetrieveResponse response;
  ASSERT_OK(
      Call(context_.get(), &v1::ContextService::Stub::Retrieve, admin_token_, request, &response));
  EXPECT_TRUE(response.truncated());
  ASSERT_EQ(response.items_size(), 3);
  EXPECT_EQ(response.items(0).node().id(), "hub");

  // The replay runs under the same bound, so it finds the same three items.
  auto audit = v1::AuditService::NewStub(channel_);
  v1::ReplayReceiptRequest replay;
  replay.set_receipt_id(response.receipt().receipt_id());
  v1::ReplayReceiptResponse outcome;
  ASSERT_OK(
      Call(audit.get(), &v1::AuditService::Stub::ReplayReceipt, admin_token_, replay, &outcome));
  EXPECT_EQ(outcome.outcome(), v1::ReplayReceiptResponse::MATCH);

  // The receipt recorded its bound: after a restart with a larger one, a
  // new Retrieve sees more, and the old receipt still replays as a MATCH
  // rather than as false evidence of tampering.
  ASSERT_NO_FATAL_FAILURE(StopServer());
  max_traversal_nodes_ = 100;
  ASSERT_NO_FATAL_FAILURE(StartServer());
  v1::RetrieveResponse wider;
  ASSERT_OK(
      Call(context_.get(), &v1::ContextService::Stub::Retrieve, admin_token_, request, &wider));
  EXPECT_FALSE(wider.truncated());
  EXPECT_GT(wider.items_size(), 3);
  audit = v1::AuditService::NewStub(channel_);
  ASSERT_OK(
      Call(audit.get(), &v1::AuditService::Stub::ReplayReceipt, admin_token_, replay, &outcome));
  EXPECT_EQ(outcome.outcome(), v1::ReplayReceiptResponse::MATCH);
}

TEST_F(LimitsTest, LineageStopsAtMaxTraversalNodesAsTruncated) {
  ASSERT_TRUE(WriteStar());
  auto lineage = v1::LineageService::NewStub(channel_);
  v1::LineageRequest request;
  request.set_node_id("hub");
  v1::LineageResponse response;
  ASSERT_OK(
      Call(lineage.get(), &v1::LineageService::Stub::Upstream, admin_token_, request, &response));
  EXPECT_TRUE(response.truncated());
  EXPECT_EQ(response.nodes_size(), 3);
  EXPECT_EQ(response.nodes(0).node().id(), "hub");
}

TEST_F(LimitsTest, ACallOverMaxConcurrentRequestsIsRefusedUntilTheHeldOneFinishes) {
  OpenImport held;
  ASSERT_NO_FATAL_FAILURE(StartImport(&held, {UpsertNode(MakeNode("held"))}));
  // Wait (bounded) until the server has admitted the stream: from then on
  // the outcome below does not depend on timing.
  for (int i = 0; i < 500 && server_->backend().in_flight.in_flight() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(server_->backend().in_flight.in_flight(), 1);

  v1::GetNodeResponse read;
  EXPECT_STATUS(GetNode(admin_token_, "held", &read), absl::StatusCode::kResourceExhausted,
                "server is at --max-concurrent-requests=1");

  held.writer->WritesDone();
  ASSERT_OK(held.writer->Finish());
  EXPECT_EQ(held.response.nodes_written(), 1u);
  // The held call's slot was freed before its answer left the server.
  EXPECT_EQ(server_->backend().in_flight.in_flight(), 0);
  ASSERT_OK(GetNode(admin_token_, "held", &read));
  EXPECT_EQ(read.node().id(), "held");
}

}  // namespace
}  // namespace ctxgraph::server
