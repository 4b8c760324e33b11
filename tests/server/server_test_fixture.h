// ServerTest: a real ctxgraph server, in-process, on a fresh temporary data
// directory, reached through real gRPC stubs over a loopback channel.
//
// Every test gets its own server (and RocksDB) and the bootstrap admin token
// read from <data_dir>/admin.token. Helpers create principals and return their
// bearer tokens, build write ops, and run RPCs with `authorization: Bearer`
// metadata. RPC helpers return grpc::Status; test_macros.h's ASSERT_OK and
// EXPECT_STATUS accept it through the ToStatus overload below.
#ifndef CTXGRAPH_TESTS_SERVER_SERVER_TEST_FIXTURE_H_
#define CTXGRAPH_TESTS_SERVER_SERVER_TEST_FIXTURE_H_

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "ctxgraph/v1/admin.grpc.pb.h"
#include "ctxgraph/v1/boundary.grpc.pb.h"
#include "ctxgraph/v1/context.grpc.pb.h"
#include "ctxgraph/v1/graph.grpc.pb.h"
#include "server/server.h"

namespace ctxgraph {

// Lets ASSERT_OK / EXPECT_STATUS (tests/test_macros.h) take a grpc::Status.
// absl and gRPC share the canonical code numbering.
inline absl::Status ToStatus(const grpc::Status& s) {
  return absl::Status(static_cast<absl::StatusCode>(s.error_code()), s.error_message());
}

}  // namespace ctxgraph

#include "tests/test_macros.h"

namespace ctxgraph::server {

inline constexpr char kUnauthenticated[] = "invalid or missing bearer token";

// Everything a client can observe of one failed or successful unary call:
// code, message, binary details and the serialized response. Two calls that
// must be indistinguishable have equal transcripts.
std::string Transcript(const grpc::Status& status, const google::protobuf::Message& response);

v1::Value Str(const std::string& s);
v1::Value Int(int64_t i);

v1::Node MakeNode(const std::string& id, const std::vector<std::string>& boundary = {},
                  const std::string& label = "Doc",
                  const std::map<std::string, v1::Value>& props = {});
v1::WriteOp UpsertNode(const v1::Node& node);
v1::WriteOp UpsertEdge(const std::string& from, const std::string& label, const std::string& to);
v1::WriteOp DeleteNode(const std::string& id);
v1::WriteOp DeleteEdge(const std::string& from, const std::string& label, const std::string& to);
// A define_label op; the description is "test label <name>".
v1::WriteOp DefineLabel(const std::string& name, bool propagate = false);

std::vector<std::string> NodeIds(const v1::ListNodesResponse& response);
// "OUT:label:id" / "IN:label:id" for each neighbor, in order.
std::vector<std::string> NeighborKeys(const v1::ListNeighborsResponse& response);

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Starts a server on data_dir_ (which may already hold a database) and
  // connects fresh stubs. Reads the admin token file.
  void StartServer();
  // Graceful shutdown; the data directory stays.
  void StopServer();
  // Stops the server, empties the data directory and starts a new one.
  void ResetServer();

  std::string ReadAdminTokenFile() const;

  // Called by StartServer before the server starts: a test's own options
  // (TLS, limits). The fixture's channel stays plaintext.
  virtual void Configure(ServerOptions* /*options*/) {}

  // --- RPCs with `authorization: Bearer <token>` (no header when empty) ---
  grpc::Status Write(const std::string& token, const v1::WriteRequest& request,
                     v1::WriteResponse* response);
  grpc::Status Write(const std::string& token, const std::vector<v1::WriteOp>& ops,
                     v1::WriteResponse* response, const std::string& description = "");
  grpc::Status GetNode(const std::string& token, const std::string& id,
                       v1::GetNodeResponse* response, uint64_t as_of = 0);
  grpc::Status ListNodes(const std::string& token, const v1::ListNodesRequest& request,
                         v1::ListNodesResponse* response);
  grpc::Status ListNeighbors(const std::string& token, const v1::ListNeighborsRequest& request,
                             v1::ListNeighborsResponse* response);
  grpc::Status GetCommit(const std::string& token, uint64_t version,
                         v1::GetCommitResponse* response);
  grpc::Status Search(const std::string& token, const v1::SearchRequest& request,
                      v1::SearchResponse* response);

  // Any unary method of any stub, with one bearer header.
  template <typename Stub, typename Req, typename Resp>
  grpc::Status Call(Stub* stub,
                    grpc::Status (Stub::*method)(grpc::ClientContext*, const Req&, Resp*),
                    const std::string& token, const Req& request, Resp* response) {
    grpc::ClientContext context;
    PrepareContext(&context, token);
    return (stub->*method)(&context, request, response);
  }
  // The same with the raw `authorization` values given (zero, one or more).
  template <typename Stub, typename Req, typename Resp>
  grpc::Status CallWithHeaders(
      Stub* stub, grpc::Status (Stub::*method)(grpc::ClientContext*, const Req&, Resp*),
      const std::vector<std::string>& authorization, const Req& request, Resp* response) {
    grpc::ClientContext context;
    SetDeadline(&context);
    for (const auto& value : authorization) context.AddMetadata("authorization", value);
    return (stub->*method)(&context, request, response);
  }

  // --- Setup helpers; they record a test failure when the call fails ---
  // Writes as admin and returns the new version (0 on failure).
  uint64_t AdminWrite(const std::vector<v1::WriteOp>& ops, const std::string& description = "");
  // Defines `labels` (one define_label op each, one commit, as admin), as a
  // write must before it puts them on nodes; returns the new version.
  uint64_t DefineLabels(const std::vector<std::string>& labels);
  // Creates a principal and issues a token for it; returns the token.
  std::string CreatePrincipal(const std::string& id, const std::vector<v1::Role>& roles,
                              const std::vector<std::string>& clearances);
  // Issues another token; returns {token_id, token}.
  v1::IssueTokenResponse IssueToken(const std::string& principal_id);
  // Revokes, as `revoker`, the single token `principal_id` holds (fails the
  // test when it holds more or none).
  void RevokeOnlyToken(const std::string& principal_id, const std::string& revoker);
  // The latest committed version, as the admin sees it.
  uint64_t LatestVersion();
  // Every page of ListNodes(label) with `page_size`, following tokens; each
  // page's ids. Stops (with a failure) after 100 pages or on an error.
  std::vector<std::vector<std::string>> AllNodePages(const std::string& token,
                                                     const std::string& label, int page_size,
                                                     uint64_t as_of = 0);
  std::vector<std::vector<std::string>> AllNeighborPages(const std::string& token,
                                                         v1::ListNeighborsRequest request);

  std::string data_dir_;
  RetentionSetting history_retention_;  // used by the next StartServer
  // ServerOptions::metrics_listen of the servers StartServer starts.
  std::string metrics_listen_;
  std::string admin_token_;
  std::unique_ptr<CtxgraphServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::GraphService::Stub> graph_;
  std::unique_ptr<v1::AdminService::Stub> admin_;
  std::unique_ptr<v1::ContextService::Stub> context_;
  std::unique_ptr<v1::BoundaryService::Stub> boundary_;

 private:
  static void SetDeadline(grpc::ClientContext* context);
  static void PrepareContext(grpc::ClientContext* context, const std::string& token);
};

}  // namespace ctxgraph::server

#endif  // CTXGRAPH_TESTS_SERVER_SERVER_TEST_FIXTURE_H_
