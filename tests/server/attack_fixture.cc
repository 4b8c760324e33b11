#include "tests/server/attack_fixture.h"

#include <algorithm>
#include <chrono>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "storage/keys.h"

namespace ctxgraph::server {

void AttackTest::SetUp() {
  ASSERT_NO_FATAL_FAILURE(ServerTest::SetUp());
  lineage_ = v1::LineageService::NewStub(channel_);
  audit_ = v1::AuditService::NewStub(channel_);
  ASSERT_NE(DefineLabels({"team:eng", "vault-label"}), 0u);
  agent_ = CreatePrincipal("agent", {v1::ROLE_AGENT}, {"team:eng"});
  loader_ = CreatePrincipal("loader", {v1::ROLE_LOADER}, {"team:eng"});
  auditor_ = CreatePrincipal("auditor", {v1::ROLE_AUDITOR}, {"team:eng"});
  chief_auditor_ = CreatePrincipal("chief-auditor", {v1::ROLE_AUDITOR}, {"*"});
  ASSERT_NE(AdminWrite({
                UpsertNode(MakeNode("pub", {"team:eng"}, "Doc", {{"title", Str("public plan")}})),
                UpsertNode(MakeNode(kHiddenId, {"vault-label"}, "Xsecrettype",
                                    {{"title", Str("zebracanary merger plan")}})),
                UpsertNode(MakeNode("beyond", {}, "Doc", {{"title", Str("beyond doc")}})),
                UpsertEdge("pub", "DERIVED_FROM", kHiddenId),
                UpsertEdge(kHiddenId, "DERIVED_FROM", "beyond"),
            }),
            0u);
}

AttackTest::State AttackTest::Snapshot() {
  State s;
  s.version = server_->backend().db->LatestVersion();
  s.audit_seq = server_->backend().audit.head_seq();
  v1::GetNodeResponse node;
  EXPECT_OK(GetNode(admin_token_, kHiddenId, &node));
  s.hidden_node = node.node().SerializeAsString();
  return s;
}

void AttackTest::ExpectUnchanged(const State& before) {
  const State now = Snapshot();
  EXPECT_EQ(now.version, before.version) << "a commit was written";
  EXPECT_EQ(now.audit_seq, before.audit_seq) << "an audit entry was written";
  EXPECT_EQ(now.hidden_node, before.hidden_node) << "the hidden node changed";
}

void AttackTest::ExpectNoLeak(std::string_view seen, bool named) {
  for (const char* marker : kHiddenMarkers) {
    if (named && std::string_view(marker) == kHiddenId) continue;
    EXPECT_EQ(seen.find(marker), std::string_view::npos) << "leaked " << marker;
  }
}

std::string AttackTest::Anonymized(const std::string& transcript, const std::string& id) {
  return absl::StrReplaceAll(transcript, {{id, "<id>"}});
}

grpc::Status AttackTest::Import(const std::string& token, const std::vector<v1::WriteOp>& ops,
                                v1::ImportResponse* response) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  if (!token.empty()) context.AddMetadata("authorization", "Bearer " + token);
  auto writer = graph_->Import(&context, response);
  v1::ImportRequest request;
  for (const auto& op : ops) *request.add_ops() = op;
  writer->Write(request);
  writer->WritesDone();
  return writer->Finish();
}

grpc::Status AttackTest::Suspend(const std::string& id) {
  v1::GetPrincipalRequest request;
  request.set_id(id);
  v1::PrincipalResponse response;
  return Call(admin_.get(), &v1::AdminService::Stub::SuspendPrincipal, admin_token_, request,
              &response);
}

grpc::Status AttackTest::Retrieve(const std::string& token, const v1::RetrieveRequest& request,
                                  v1::RetrieveResponse* response) {
  return Call(context_.get(), &v1::ContextService::Stub::Retrieve, token, request, response);
}

grpc::Status AttackTest::Upstream(const std::string& token, const v1::LineageRequest& request,
                                  v1::LineageResponse* response) {
  return Call(lineage_.get(), &v1::LineageService::Stub::Upstream, token, request, response);
}

v1::RetrieveRequest AttackTest::FromSeed(const std::string& seed, int hops) {
  v1::RetrieveRequest request;
  request.add_seeds(seed);
  request.mutable_expansion()->set_max_hops(hops);
  request.mutable_expansion()->set_direction(v1::DIRECTION_BOTH);
  return request;
}

std::vector<std::string> AttackTest::ItemIds(const v1::RetrieveResponse& response) {
  std::vector<std::string> ids;
  for (const auto& item : response.items()) ids.push_back(item.node().id());
  std::sort(ids.begin(), ids.end());
  return ids;
}

void AttackTest::WriteChain(int n, bool close_cycle) {
  std::vector<v1::WriteOp> ops;
  for (int i = 0; i < n; ++i) ops.push_back(UpsertNode(MakeNode(absl::StrCat("c", i))));
  for (int i = 0; i + 1 < n; ++i) {
    ops.push_back(UpsertEdge(absl::StrCat("c", i), "DERIVED_FROM", absl::StrCat("c", i + 1)));
  }
  if (close_cycle) {
    ops.push_back(UpsertEdge(absl::StrCat("c", n - 1), "DERIVED_FROM", "c0"));
    ops.push_back(UpsertEdge("c0", "DERIVED_FROM", "c0"));
  }
  ASSERT_NE(AdminWrite(ops), 0u);
}

std::string AttackTest::RawEntry(uint64_t seq) {
  Database& db = *server_->backend().db;
  std::string value;
  EXPECT_TRUE(db.rocks()
                  ->Get(rocksdb::ReadOptions(), db.handle(Cf::kAudit), keys::AuditKey(seq), &value)
                  .ok());
  return value;
}

void AttackTest::PutRaw(uint64_t seq, const std::string& value) {
  Database& db = *server_->backend().db;
  ASSERT_TRUE(db.rocks()
                  ->Put(rocksdb::WriteOptions(), db.handle(Cf::kAudit), keys::AuditKey(seq), value)
                  .ok());
}

void AttackTest::DeleteRaw(uint64_t seq) {
  Database& db = *server_->backend().db;
  ASSERT_TRUE(
      db.rocks()->Delete(rocksdb::WriteOptions(), db.handle(Cf::kAudit), keys::AuditKey(seq)).ok());
}

v1::VerifyLogResponse AttackTest::Verify() {
  v1::VerifyLogResponse response;
  EXPECT_OK(Call(audit_.get(), &v1::AuditService::Stub::VerifyLog, chief_auditor_,
                 v1::VerifyLogRequest(), &response));
  return response;
}

}  // namespace ctxgraph::server
