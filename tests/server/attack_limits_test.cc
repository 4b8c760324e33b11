// The attack catalogue, part three: attacks on the transport limits
// (--max-metadata-bytes, --max-streams-per-connection,
// --max-request-seconds) and on admission with many idle connections, on a
// server configured with small limits.
#include <chrono>
#include <thread>

#include "absl/strings/str_cat.h"
#include "tests/server/attack_fixture.h"

namespace ctxgraph::server {
namespace {

class AttackLimitsTest : public AttackTest {
 protected:
  void Configure(ServerOptions* options) override {
    options->max_metadata_bytes = 4096;
    options->max_streams_per_connection = 1;
    options->limits.max_concurrent_requests = 2;
  }

  // A stub on a connection of its own (not shared with graph_'s).
  std::unique_ptr<v1::GraphService::Stub> OwnConnection() {
    grpc::ChannelArguments args;
    args.SetInt("grpc.use_local_subchannel_pool", 1);
    return v1::GraphService::NewStub(
        grpc::CreateCustomChannel(server_->address(), grpc::InsecureChannelCredentials(), args));
  }

  // An Import stream open on `stub` with one message sent (by default a
  // bulk one).
  struct OpenImport {
    grpc::ClientContext context;
    v1::ImportResponse response;
    std::unique_ptr<grpc::ClientWriter<v1::ImportRequest>> writer;
  };
  void StartImport(v1::GraphService::Stub* stub, OpenImport* import, const std::string& id,
                   bool bulk = true) {
    import->context.AddMetadata("authorization", "Bearer " + loader_);
    import->context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    import->writer = stub->Import(&import->context, &import->response);
    v1::ImportRequest request;
    request.mutable_options()->set_bulk(bulk);
    *request.add_ops() = UpsertNode(MakeNode(id, {"team:eng"}));
    ASSERT_TRUE(import->writer->Write(request));
  }
};

TEST_F(AttackLimitsTest, MetadataOverMaxMetadataBytesIsRefusedBeforeAnyHandler) {
  const State before = Snapshot();
  // On a connection of its own: gRPC 1.51 also closes the connection that
  // sent it.
  auto attacker = OwnConnection();
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  context.AddMetadata("authorization", "Bearer " + loader_);
  context.AddMetadata("x-padding", std::string(8192, 'p'));
  v1::WriteRequest request;
  *request.add_ops() = UpsertNode(MakeNode("padded", {"team:eng"}));
  v1::WriteResponse response;
  const grpc::Status status = attacker->Write(&context, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(status.error_message(), "received initial metadata size exceeds limit");
  ExpectNoLeak(status.error_message());
  ExpectUnchanged(before);
  // Under the limit the same call is served.
  v1::WriteResponse ok;
  ASSERT_OK(Write(loader_, {UpsertNode(MakeNode("padded", {"team:eng"}))}, &ok));
}

TEST_F(AttackLimitsTest, AConnectionGetsOneStreamAtATimeAndOthersAreNotStarved) {
  OpenImport held;
  ASSERT_NO_FATAL_FAILURE(StartImport(graph_.get(), &held, "held"));
  // The same connection: the call waits for the stream slot, here until
  // its own deadline.
  grpc::ClientContext waiting;
  waiting.AddMetadata("authorization", "Bearer " + agent_);
  waiting.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(300));
  v1::GetNodeRequest get;
  get.set_id("pub");
  v1::GetNodeResponse node;
  EXPECT_EQ(graph_->GetNode(&waiting, get, &node).error_code(),
            grpc::StatusCode::DEADLINE_EXCEEDED);
  // Another connection is served meanwhile.
  auto other = OwnConnection();
  grpc::ClientContext served;
  served.AddMetadata("authorization", "Bearer " + agent_);
  served.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  ASSERT_OK(other->GetNode(&served, get, &node));
  EXPECT_EQ(node.node().id(), "pub");
  held.writer->WritesDone();
  ASSERT_OK(held.writer->Finish());
  ASSERT_OK(GetNode(agent_, "held", &node));
}

// The same server with a one-second --max-request-seconds; only the tests
// that need the cap run under it, so the others cannot race it.
class AttackRequestCapTest : public AttackLimitsTest {
 protected:
  void Configure(ServerOptions* options) override {
    AttackLimitsTest::Configure(options);
    options->limits.max_request_seconds = 1;
  }
};

TEST_F(AttackRequestCapTest, AnImportStreamPastMaxRequestSecondsEndsAndABulkOneWritesNothing) {
  const State before = Snapshot();
  OpenImport import;
  ASSERT_NO_FATAL_FAILURE(StartImport(graph_.get(), &import, "slow-1"));
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  v1::ImportRequest more;
  *more.add_ops() = UpsertNode(MakeNode("slow-2", {"team:eng"}));
  import.writer->Write(more);
  import.writer->WritesDone();
  EXPECT_STATUS(import.writer->Finish(), absl::StatusCode::kDeadlineExceeded,
                "import stream: longer than --max-request-seconds=1");
  ExpectUnchanged(before);
  EXPECT_EQ(server_->backend().in_flight.in_flight(), 0);
}

// Without --bulk, what the stream committed before the cap stays, and the
// error says so.
TEST_F(AttackRequestCapTest, AnImportStreamPastMaxRequestSecondsSaysWhatItCommittedBefore) {
  OpenImport import;
  ASSERT_NO_FATAL_FAILURE(StartImport(graph_.get(), &import, "slow-1", /*bulk=*/false));
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  v1::ImportRequest more;
  *more.add_ops() = UpsertNode(MakeNode("slow-2", {"team:eng"}));
  import.writer->Write(more);
  import.writer->WritesDone();
  const grpc::Status status = import.writer->Finish();
  v1::GetNodeResponse node;
  ASSERT_OK(GetNode(admin_token_, "slow-1", &node));
  EXPECT_STATUS(
      status, absl::StatusCode::kDeadlineExceeded,
      absl::StrCat("import stream: longer than --max-request-seconds=1 (1 batch of this "
                   "import committed before it, up to version ",
                   node.node().provenance().version(), "; re-running the import converges)"));
  EXPECT_STATUS(GetNode(admin_token_, "slow-2", &node), absl::StatusCode::kNotFound,
                "node \"slow-2\" not found");
  EXPECT_EQ(server_->backend().in_flight.in_flight(), 0);
}

TEST_F(AttackRequestCapTest, AStreamThatNeverSendsItsFirstMessageIsCancelledAndFreesItsSlot) {
  const State before = Snapshot();
  grpc::ClientContext context;
  context.AddMetadata("authorization", "Bearer " + loader_);
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  v1::ImportResponse response;
  auto writer = graph_->Import(&context, &response);
  EXPECT_EQ(writer->Finish().error_code(), grpc::StatusCode::CANCELLED);
  ExpectUnchanged(before);
  for (int i = 0; i < 200 && server_->backend().in_flight.in_flight() != 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(server_->backend().in_flight.in_flight(), 0);
}

TEST_F(AttackRequestCapTest, AnIdleImportStreamIsCancelledSoonAfterTheCapAndFreesItsSlot) {
  const State before = Snapshot();
  OpenImport import;
  ASSERT_NO_FATAL_FAILURE(StartImport(graph_.get(), &import, "idle"));
  // Sends nothing more and never half-closes: the server ends it.
  EXPECT_EQ(import.writer->Finish().error_code(), grpc::StatusCode::CANCELLED);
  ExpectUnchanged(before);
  // The client hears of the cancellation before the handler has returned.
  for (int i = 0; i < 200 && server_->backend().in_flight.in_flight() != 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(server_->backend().in_flight.in_flight(), 0);
  v1::GetNodeResponse node;
  ASSERT_OK(GetNode(agent_, "pub", &node));
}

// The same server with a one-second --bulk-idle-seconds.
class AttackBulkIdleTest : public AttackLimitsTest {
 protected:
  void Configure(ServerOptions* options) override {
    AttackLimitsTest::Configure(options);
    options->limits.bulk_idle_seconds = 1;
  }
};

TEST_F(AttackBulkIdleTest, ABulkImportThatGoesSilentIsCancelledAndReleasesTheCommitLock) {
  const State before = Snapshot();
  OpenImport import;
  ASSERT_NO_FATAL_FAILURE(StartImport(graph_.get(), &import, "stalled"));
  // Holding the commit lock, it sends nothing more and never half-closes:
  // cancelled a second later, having written nothing.
  EXPECT_EQ(import.writer->Finish().error_code(), grpc::StatusCode::CANCELLED);
  ExpectUnchanged(before);
  for (int i = 0; i < 200 && server_->backend().in_flight.in_flight() != 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(server_->backend().in_flight.in_flight(), 0);
  // The lock is free: a write commits.
  v1::WriteResponse w;
  ASSERT_OK(Write(loader_, {UpsertNode(MakeNode("after", {"team:eng"}))}, &w));
  EXPECT_TRUE(w.committed());
}

TEST_F(AttackBulkIdleTest, ABulkImportThatKeepsSendingOutlivesTheIdleLimit) {
  OpenImport import;
  ASSERT_NO_FATAL_FAILURE(StartImport(graph_.get(), &import, "steady-0"));
  for (int i = 1; i <= 4; ++i) {  // 2 s in all, never 1 s silent
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    v1::ImportRequest more;  // every other one holds no op: a keep-alive
    if (i % 2 == 1)
      *more.add_ops() = UpsertNode(MakeNode(absl::StrCat("steady-", i), {"team:eng"}));
    ASSERT_TRUE(import.writer->Write(more)) << i;
  }
  import.writer->WritesDone();
  ASSERT_OK(import.writer->Finish());
  EXPECT_EQ(import.response.nodes_written(), 3u);
}

TEST_F(AttackLimitsTest, ManyIdleConnectionsHoldNoAdmissionSlot) {
  std::vector<std::shared_ptr<grpc::Channel>> idle;
  for (int i = 0; i < 64; ++i) {
    grpc::ChannelArguments args;
    args.SetInt("grpc.use_local_subchannel_pool", 1);
    idle.push_back(
        grpc::CreateCustomChannel(server_->address(), grpc::InsecureChannelCredentials(), args));
    ASSERT_TRUE(
        idle.back()->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(10)));
  }
  EXPECT_EQ(server_->backend().in_flight.in_flight(), 0);
  // Two calls at once fit --max-concurrent-requests=2 with 64 idle peers.
  OpenImport held;
  ASSERT_NO_FATAL_FAILURE(StartImport(graph_.get(), &held, "busy"));
  v1::GetNodeResponse node;
  grpc::ClientContext context;
  context.AddMetadata("authorization", "Bearer " + agent_);
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  v1::GetNodeRequest get;
  get.set_id("pub");
  ASSERT_OK(v1::GraphService::NewStub(idle[0])->GetNode(&context, get, &node));
  held.writer->WritesDone();
  ASSERT_OK(held.writer->Finish());
}

}  // namespace
}  // namespace ctxgraph::server
