#include "tests/server/server_test_fixture.h"

#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace ctxgraph::server {

std::string Transcript(const grpc::Status& status, const google::protobuf::Message& response) {
  return absl::StrCat("code=", static_cast<int>(status.error_code()),
                      "|message=", status.error_message(), "|details=", status.error_details(),
                      "|response=", response.SerializeAsString());
}

v1::Value Str(const std::string& s) {
  v1::Value v;
  v.set_string_value(s);
  return v;
}

v1::Value Int(int64_t i) {
  v1::Value v;
  v.set_int_value(i);
  return v;
}

v1::Node MakeNode(const std::string& id, const std::vector<std::string>& boundary,
                  const std::string& label, const std::map<std::string, v1::Value>& props) {
  v1::Node node;
  node.set_id(id);
  node.add_labels(label);
  for (const auto& b : boundary) node.add_boundary(b);
  for (const auto& [k, v] : props) (*node.mutable_props())[k] = v;
  return node;
}

v1::WriteOp UpsertNode(const v1::Node& node) {
  v1::WriteOp op;
  *op.mutable_upsert_node() = node;
  return op;
}

v1::WriteOp UpsertEdge(const std::string& from, const std::string& label, const std::string& to) {
  v1::WriteOp op;
  op.mutable_upsert_edge()->set_from(from);
  op.mutable_upsert_edge()->set_label(label);
  op.mutable_upsert_edge()->set_to(to);
  return op;
}

v1::WriteOp DeleteNode(const std::string& id) {
  v1::WriteOp op;
  op.set_delete_node(id);
  return op;
}

v1::WriteOp DeleteEdge(const std::string& from, const std::string& label, const std::string& to) {
  v1::WriteOp op;
  op.mutable_delete_edge()->set_from(from);
  op.mutable_delete_edge()->set_label(label);
  op.mutable_delete_edge()->set_to(to);
  return op;
}

v1::WriteOp DefineLabel(const std::string& name, bool propagate) {
  v1::WriteOp op;
  op.mutable_define_label()->set_name(name);
  op.mutable_define_label()->set_description("test label " + name);
  op.mutable_define_label()->set_propagate(propagate);
  return op;
}

std::vector<std::string> NodeIds(const v1::ListNodesResponse& response) {
  std::vector<std::string> ids;
  for (const auto& n : response.nodes()) ids.push_back(n.id());
  return ids;
}

std::vector<std::string> NeighborKeys(const v1::ListNeighborsResponse& response) {
  std::vector<std::string> keys;
  for (const auto& n : response.neighbors()) {
    keys.push_back(absl::StrCat(n.direction() == v1::DIRECTION_IN ? "IN" : "OUT", ":",
                                n.edge().label(), ":", n.node().id()));
  }
  return keys;
}

void ServerTest::SetUp() {
  char pattern[] = "/tmp/ctxgraph_server_test_XXXXXX";
  ASSERT_NE(::mkdtemp(pattern), nullptr);
  data_dir_ = pattern;
  ASSERT_NO_FATAL_FAILURE(StartServer());
}

void ServerTest::TearDown() {
  StopServer();
  std::error_code ec;
  if (!data_dir_.empty()) std::filesystem::remove_all(data_dir_, ec);
}

void ServerTest::StartServer() {
  ServerOptions options;
  options.data_dir = data_dir_;
  options.listen = "127.0.0.1:0";
  // Every test's server closes cleanly, so unsynced WAL writes are durable
  // across the restart tests; syncing would only slow the suite down.
  options.database.sync_writes = false;
  options.database.block_cache_bytes = size_t{8} << 20;
  options.database.history_retention = history_retention_;
  options.history_interval = std::chrono::hours(1);  // tests advance it themselves
  options.metrics_listen = metrics_listen_;
  Configure(&options);
  absl::StatusOr<std::unique_ptr<CtxgraphServer>> server = CtxgraphServer::Start(options);
  ASSERT_TRUE(server.ok()) << server.status();
  server_ = std::move(*server);
  channel_ = grpc::CreateChannel(server_->address(), grpc::InsecureChannelCredentials());
  graph_ = v1::GraphService::NewStub(channel_);
  admin_ = v1::AdminService::NewStub(channel_);
  context_ = v1::ContextService::NewStub(channel_);
  boundary_ = v1::BoundaryService::NewStub(channel_);
  admin_token_ = ReadAdminTokenFile();
  ASSERT_FALSE(admin_token_.empty());
}

void ServerTest::StopServer() {
  graph_.reset();
  admin_.reset();
  context_.reset();
  boundary_.reset();
  channel_.reset();
  if (server_) {
    server_->Shutdown(1.0);
    server_.reset();
  }
}

void ServerTest::ResetServer() {
  StopServer();
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(data_dir_, ec)) {
    std::filesystem::remove_all(entry.path(), ec);
  }
  ASSERT_NO_FATAL_FAILURE(StartServer());
}

std::string ServerTest::ReadAdminTokenFile() const {
  std::ifstream in(data_dir_ + "/admin.token", std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string token = ss.str();
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
  return token;
}

void ServerTest::SetDeadline(grpc::ClientContext* context) {
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
}

void ServerTest::PrepareContext(grpc::ClientContext* context, const std::string& token) {
  SetDeadline(context);
  if (!token.empty()) context->AddMetadata("authorization", "Bearer " + token);
}

grpc::Status ServerTest::Write(const std::string& token, const v1::WriteRequest& request,
                               v1::WriteResponse* response) {
  return Call(graph_.get(), &v1::GraphService::Stub::Write, token, request, response);
}

grpc::Status ServerTest::Write(const std::string& token, const std::vector<v1::WriteOp>& ops,
                               v1::WriteResponse* response, const std::string& description) {
  v1::WriteRequest request;
  for (const auto& op : ops) *request.add_ops() = op;
  request.set_description(description);
  return Write(token, request, response);
}

grpc::Status ServerTest::GetNode(const std::string& token, const std::string& id,
                                 v1::GetNodeResponse* response, uint64_t as_of) {
  v1::GetNodeRequest request;
  request.set_id(id);
  request.set_as_of_version(as_of);
  return Call(graph_.get(), &v1::GraphService::Stub::GetNode, token, request, response);
}

grpc::Status ServerTest::ListNodes(const std::string& token, const v1::ListNodesRequest& request,
                                   v1::ListNodesResponse* response) {
  return Call(graph_.get(), &v1::GraphService::Stub::ListNodes, token, request, response);
}

grpc::Status ServerTest::ListNeighbors(const std::string& token,
                                       const v1::ListNeighborsRequest& request,
                                       v1::ListNeighborsResponse* response) {
  return Call(graph_.get(), &v1::GraphService::Stub::ListNeighbors, token, request, response);
}

grpc::Status ServerTest::GetCommit(const std::string& token, uint64_t version,
                                   v1::GetCommitResponse* response) {
  v1::GetCommitRequest request;
  request.set_version(version);
  return Call(graph_.get(), &v1::GraphService::Stub::GetCommit, token, request, response);
}

grpc::Status ServerTest::Search(const std::string& token, const v1::SearchRequest& request,
                                v1::SearchResponse* response) {
  return Call(context_.get(), &v1::ContextService::Stub::Search, token, request, response);
}

uint64_t ServerTest::AdminWrite(const std::vector<v1::WriteOp>& ops,
                                const std::string& description) {
  v1::WriteResponse response;
  const grpc::Status status = Write(admin_token_, ops, &response, description);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return status.ok() ? response.version() : 0;
}

uint64_t ServerTest::DefineLabels(const std::vector<std::string>& labels) {
  std::vector<v1::WriteOp> ops;
  for (const std::string& label : labels) ops.push_back(DefineLabel(label));
  return AdminWrite(ops, "define test labels");
}

std::string ServerTest::CreatePrincipal(const std::string& id, const std::vector<v1::Role>& roles,
                                        const std::vector<std::string>& clearances) {
  v1::CreatePrincipalRequest request;
  request.set_id(id);
  for (v1::Role r : roles) request.add_roles(r);
  for (const auto& c : clearances) request.add_clearances(c);
  v1::PrincipalResponse response;
  const grpc::Status status = Call(admin_.get(), &v1::AdminService::Stub::CreatePrincipal,
                                   admin_token_, request, &response);
  EXPECT_TRUE(status.ok()) << "CreatePrincipal " << id << ": " << status.error_message();
  if (!status.ok()) return "";
  return IssueToken(id).token();
}

v1::IssueTokenResponse ServerTest::IssueToken(const std::string& principal_id) {
  v1::IssueTokenRequest request;
  request.set_principal_id(principal_id);
  v1::IssueTokenResponse response;
  const grpc::Status status =
      Call(admin_.get(), &v1::AdminService::Stub::IssueToken, admin_token_, request, &response);
  EXPECT_TRUE(status.ok()) << "IssueToken " << principal_id << ": " << status.error_message();
  return response;
}

void ServerTest::RevokeOnlyToken(const std::string& principal_id, const std::string& revoker) {
  v1::ListTokensRequest list;
  list.set_principal_id(principal_id);
  v1::ListTokensResponse tokens;
  ASSERT_OK(Call(admin_.get(), &v1::AdminService::Stub::ListTokens, revoker, list, &tokens));
  ASSERT_EQ(tokens.tokens_size(), 1);
  v1::RevokeTokenRequest revoke;
  revoke.set_token_id(tokens.tokens(0).token_id());
  v1::RevokeTokenResponse revoked;
  ASSERT_OK(Call(admin_.get(), &v1::AdminService::Stub::RevokeToken, revoker, revoke, &revoked));
}

uint64_t ServerTest::LatestVersion() {
  // A listing's snapshot_version (as_of 0) is the latest committed version.
  v1::ListNodesRequest request;
  request.set_label("NoSuchLabelForVersionProbe");
  v1::ListNodesResponse response;
  const grpc::Status status = ListNodes(admin_token_, request, &response);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return response.snapshot_version();
}

std::vector<std::vector<std::string>> ServerTest::AllNodePages(const std::string& token,
                                                               const std::string& label,
                                                               int page_size, uint64_t as_of) {
  std::vector<std::vector<std::string>> pages;
  v1::ListNodesRequest request;
  request.set_label(label);
  request.set_page_size(page_size);
  request.set_as_of_version(as_of);
  for (int i = 0; i < 100; ++i) {
    v1::ListNodesResponse response;
    const grpc::Status status = ListNodes(token, request, &response);
    if (!status.ok()) {
      ADD_FAILURE() << "ListNodes: " << status.error_message();
      return pages;
    }
    pages.push_back(NodeIds(response));
    if (response.next_page_token().empty()) return pages;
    request.set_page_token(response.next_page_token());
  }
  ADD_FAILURE() << "ListNodes did not finish in 100 pages";
  return pages;
}

std::vector<std::vector<std::string>> ServerTest::AllNeighborPages(
    const std::string& token, v1::ListNeighborsRequest request) {
  std::vector<std::vector<std::string>> pages;
  for (int i = 0; i < 100; ++i) {
    v1::ListNeighborsResponse response;
    const grpc::Status status = ListNeighbors(token, request, &response);
    if (!status.ok()) {
      ADD_FAILURE() << "ListNeighbors: " << status.error_message();
      return pages;
    }
    pages.push_back(NeighborKeys(response));
    if (response.next_page_token().empty()) return pages;
    request.set_page_token(response.next_page_token());
  }
  ADD_FAILURE() << "ListNeighbors did not finish in 100 pages";
  return pages;
}

}  // namespace ctxgraph::server
