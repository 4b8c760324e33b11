// AuditService over gRPC: what write and admin commits log, role checks,
// filters and page tokens of ListEntries, VerifyLog on an intact and on a
// tampered log, and that no token secret or prop value reaches the log.
#include <gtest/gtest.h>

#include "ctxgraph/v1/audit.grpc.pb.h"
#include "storage/keys.h"
#include "storage/record_codec.h"
#include "tests/server/server_test_fixture.h"

namespace ctxgraph::server {
namespace {

class AuditTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    auditor_ = CreatePrincipal("auditor", {v1::ROLE_AUDITOR}, {"*"});
  }

  grpc::Status ListEntries(const std::string& token, const v1::ListEntriesRequest& request,
                           v1::ListEntriesResponse* response) {
    auto stub = v1::AuditService::NewStub(channel_);
    return Call(stub.get(), &v1::AuditService::Stub::ListEntries, token, request, response);
  }
  grpc::Status VerifyLog(const std::string& token, v1::VerifyLogResponse* response) {
    auto stub = v1::AuditService::NewStub(channel_);
    return Call(stub.get(), &v1::AuditService::Stub::VerifyLog, token, v1::VerifyLogRequest(),
                response);
  }

  // "seq action principal" of every entry on every page.
  std::vector<std::vector<std::string>> AllPages(v1::ListEntriesRequest request) {
    std::vector<std::vector<std::string>> pages;
    for (int i = 0; i < 100; ++i) {
      v1::ListEntriesResponse response;
      const grpc::Status status = ListEntries(auditor_, request, &response);
      EXPECT_TRUE(status.ok()) << status.error_message();
      if (!status.ok()) break;
      std::vector<std::string> page;
      for (const auto& e : response.entries()) {
        page.push_back(absl::StrCat(e.seq(), " ", e.action(), " ", e.principal()));
      }
      pages.push_back(page);
      if (response.next_page_token().empty()) break;
      request.set_page_token(response.next_page_token());
    }
    return pages;
  }

  std::string OnlyTokenId(const std::string& principal_id) {
    v1::ListTokensRequest list;
    list.set_principal_id(principal_id);
    v1::ListTokensResponse tokens;
    EXPECT_TRUE(
        Call(admin_.get(), &v1::AdminService::Stub::ListTokens, admin_token_, list, &tokens).ok());
    EXPECT_EQ(tokens.tokens_size(), 1);
    return tokens.tokens_size() == 1 ? tokens.tokens(0).token_id() : "";
  }

  // Every byte of the audit column family.
  std::string RawAuditBytes() {
    std::string out;
    auto it = server_->backend().db->NewIterator(Cf::kAudit);
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      out += it->key().ToString() + it->value().ToString();
    }
    return out;
  }

  std::string auditor_;
};

TEST_F(AuditTest, AdminChangesAndWritesAreLoggedInOrder) {
  AdminWrite({UpsertNode(MakeNode("a")), UpsertNode(MakeNode("b")), UpsertEdge("a", "CITES", "b")},
             "load two");
  v1::ListEntriesRequest request;
  v1::ListEntriesResponse response;
  ASSERT_OK(ListEntries(auditor_, request, &response));
  ASSERT_EQ(response.entries_size(), 5);
  std::vector<std::string> got;
  for (const auto& e : response.entries()) {
    got.push_back(absl::StrCat(e.seq(), "|", e.principal(), "|", e.action(), "|", e.summary(), "|",
                               e.snapshot_version()));
  }
  const std::string admin_token_id = OnlyTokenId("admin");
  const std::string auditor_token_id = OnlyTokenId("auditor");
  EXPECT_EQ(got, (std::vector<std::string>{
                     "1|system|admin.create_principal|bootstrap: create principal admin|1",
                     "2|system|admin.issue_token|bootstrap: issue token " + admin_token_id + "|2",
                     "3|admin|admin.create_principal|admin: create principal auditor "
                     "roles=auditor clearances=*|3",
                     "4|admin|admin.issue_token|admin: issue token " + auditor_token_id +
                         " for auditor|4",
                     "5|admin|write|ops=3 description=load two|5"}));
  const v1::AuditEntry& write = response.entries(4);
  ASSERT_EQ(write.items_size(), 3);
  EXPECT_EQ(write.items(0).node_id(), "a");
  EXPECT_EQ(write.items(0).version(), 5u);
  EXPECT_EQ(write.items(2).node_id(), "a");
  EXPECT_EQ(write.items(2).edge_label(), "CITES");
  EXPECT_EQ(write.items(2).edge_to(), "b");
  EXPECT_EQ(write.items_total(), 3u);
  EXPECT_EQ(write.prev_hash(), response.entries(3).hash());
  EXPECT_EQ(write.hash().size(), 64u);
  EXPECT_EQ(write.time().seconds() > 0, true);
}

TEST_F(AuditTest, TheLogNeverHoldsATokenOrAPropValue) {
  const std::string canary = "canary-prop-91c2e7";
  AdminWrite({UpsertNode(MakeNode("doc", {}, "Doc", {{"body", Str(canary)}}))});
  const v1::IssueTokenResponse issued = IssueToken("auditor");
  v1::RevokeTokenRequest revoke;
  revoke.set_token_id(issued.token_id());
  v1::RevokeTokenResponse revoked;
  ASSERT_OK(
      Call(admin_.get(), &v1::AdminService::Stub::RevokeToken, admin_token_, revoke, &revoked));
  const std::string raw = RawAuditBytes();
  EXPECT_NE(raw.find(issued.token_id()), std::string::npos);  // the public handle is named
  EXPECT_NE(raw.find("admin.revoke_token"), std::string::npos);
  for (const std::string& secret : {issued.token(), admin_token_, auditor_, canary}) {
    EXPECT_EQ(raw.find(secret), std::string::npos) << secret.substr(0, 12);
  }
  // Nor does the SHA-256 of a token, which would let a reader test guesses.
  const ContentHash hash = Sha256(issued.token());
  EXPECT_EQ(raw.find(std::string(reinterpret_cast<const char*>(hash.data()), hash.size())),
            std::string::npos);
}

TEST_F(AuditTest, OnlyAuditorsAndAdminsMayReadTheLog) {
  const std::string agent = CreatePrincipal("agent", {v1::ROLE_AGENT}, {"*"});
  const std::string loader = CreatePrincipal("loader", {v1::ROLE_LOADER}, {"*"});
  v1::ListEntriesResponse list;
  v1::VerifyLogResponse verify;
  for (const std::string& token : {agent, loader}) {
    EXPECT_STATUS(ListEntries(token, v1::ListEntriesRequest(), &list),
                  absl::StatusCode::kPermissionDenied,
                  "ListEntries requires the auditor or admin role");
    EXPECT_STATUS(VerifyLog(token, &verify), absl::StatusCode::kPermissionDenied,
                  "VerifyLog requires the auditor or admin role");
  }
  EXPECT_STATUS(ListEntries("", v1::ListEntriesRequest(), &list),
                absl::StatusCode::kUnauthenticated, kUnauthenticated);
  EXPECT_EQ(list.entries_size(), 0);
  EXPECT_OK(ListEntries(admin_token_, v1::ListEntriesRequest(), &list));
  EXPECT_OK(VerifyLog(admin_token_, &verify));
}

TEST_F(AuditTest, FiltersAndPagesAreExact) {
  AdminWrite({UpsertNode(MakeNode("a"))});                                 // 5
  AdminWrite({UpsertNode(MakeNode("b")), UpsertEdge("b", "CITES", "a")});  // 6
  AdminWrite({UpsertNode(MakeNode("c"))});                                 // 7
  v1::ListEntriesRequest request;
  request.set_page_size(2);
  EXPECT_EQ(AllPages(request),
            (std::vector<std::vector<std::string>>{
                {"1 admin.create_principal system", "2 admin.issue_token system"},
                {"3 admin.create_principal admin", "4 admin.issue_token admin"},
                {"5 write admin", "6 write admin"},
                {"7 write admin"}}));
  request.set_action("write");
  EXPECT_EQ(AllPages(request), (std::vector<std::vector<std::string>>{
                                   {"5 write admin", "6 write admin"}, {"7 write admin"}}));
  request.set_action("");
  request.set_node_id("a");  // as a node, and as the end of b -CITES-> a
  EXPECT_EQ(AllPages(request),
            (std::vector<std::vector<std::string>>{{"5 write admin", "6 write admin"}}));
  request.set_node_id("");
  request.set_principal("system");
  request.set_page_size(0);
  EXPECT_EQ(AllPages(request),
            (std::vector<std::vector<std::string>>{
                {"1 admin.create_principal system", "2 admin.issue_token system"}}));

  // Time range: since inclusive, until exclusive, taken from the entries.
  v1::ListEntriesResponse all;
  ASSERT_OK(ListEntries(auditor_, v1::ListEntriesRequest(), &all));
  ASSERT_EQ(all.entries_size(), 7);
  v1::ListEntriesRequest window;
  *window.mutable_since() = all.entries(4).time();
  *window.mutable_until() = all.entries(6).time();
  v1::ListEntriesResponse in_window;
  ASSERT_OK(ListEntries(auditor_, window, &in_window));
  std::vector<uint64_t> seqs;
  for (const auto& e : in_window.entries()) seqs.push_back(e.seq());
  // Each write is its own round trip, so commit times are strictly ordered.
  EXPECT_EQ(seqs, (std::vector<uint64_t>{5, 6}));
}

// Twenty commits of 1,000 nodes with 250-byte ids: each entry lists 1,000
// items, and one page of all twenty passed the 4 MB a client receives by
// default (RESOURCE_EXHAUSTED). Pages end at kMaxAuditPageBytes instead,
// and every entry is listed once.
TEST_F(AuditTest, PagesOfBigEntriesEndAtTheByteBoundAndListEveryEntry) {
  for (int c = 0; c < 20; ++c) {
    std::vector<v1::WriteOp> ops;
    for (int i = 0; i < 1000; ++i) {
      ops.push_back(UpsertNode(MakeNode(absl::StrCat(c, "-", i, "-", std::string(240, 'x')))));
    }
    AdminWrite(ops);
  }
  v1::ListEntriesRequest request;
  request.set_page_size(1000);
  request.set_action("write");
  const std::vector<std::vector<std::string>> pages = AllPages(request);
  EXPECT_GT(pages.size(), 1u);
  std::vector<std::string> entries;
  for (const auto& page : pages) entries.insert(entries.end(), page.begin(), page.end());
  std::vector<std::string> expected;
  for (int seq = 5; seq < 25; ++seq) expected.push_back(absl::StrCat(seq, " write admin"));
  EXPECT_EQ(entries, expected);
}

TEST_F(AuditTest, BadRequestsAndForeignPageTokensAreRefused) {
  v1::ListEntriesRequest first;
  first.set_page_size(1);
  v1::ListEntriesResponse page;
  ASSERT_OK(ListEntries(auditor_, first, &page));
  ASSERT_FALSE(page.next_page_token().empty());

  v1::ListEntriesRequest other_filter = first;
  other_filter.set_action("write");
  other_filter.set_page_token(page.next_page_token());
  v1::ListEntriesResponse out;
  EXPECT_STATUS(ListEntries(auditor_, other_filter, &out), absl::StatusCode::kInvalidArgument,
                "page_token: invalid");
  v1::ListEntriesRequest same = first;
  same.set_page_token(page.next_page_token());
  EXPECT_STATUS(ListEntries(admin_token_, same, &out), absl::StatusCode::kInvalidArgument,
                "page_token: invalid");  // another caller
  same.set_page_token(page.next_page_token() + "x");
  EXPECT_STATUS(ListEntries(auditor_, same, &out), absl::StatusCode::kInvalidArgument,
                "page_token: invalid");

  v1::ListEntriesRequest bad;
  bad.set_page_size(-1);
  EXPECT_STATUS(ListEntries(auditor_, bad, &out), absl::StatusCode::kInvalidArgument,
                "page_size: must not be negative, got -1");
  bad = v1::ListEntriesRequest();
  bad.set_action("Write!");
  EXPECT_STATUS(ListEntries(auditor_, bad, &out), absl::StatusCode::kInvalidArgument,
                "action: has a character outside [a-z0-9_.]");
  bad = v1::ListEntriesRequest();
  bad.mutable_since()->set_seconds(100);
  bad.mutable_until()->set_seconds(100);
  EXPECT_STATUS(ListEntries(auditor_, bad, &out), absl::StatusCode::kInvalidArgument,
                "until: must be after since");
  bad = v1::ListEntriesRequest();
  bad.mutable_until()->set_seconds(-62135596801);
  EXPECT_STATUS(ListEntries(auditor_, bad, &out), absl::StatusCode::kInvalidArgument,
                "until: timestamp out of range");
}

TEST_F(AuditTest, VerifyLogFindsAnEditedEntryAndSurvivesRestart) {
  AdminWrite({UpsertNode(MakeNode("a"))});
  v1::VerifyLogResponse verify;
  ASSERT_OK(VerifyLog(auditor_, &verify));
  EXPECT_TRUE(verify.ok());
  EXPECT_EQ(verify.entries_checked(), 5u);
  EXPECT_EQ(verify.head_seq(), 5u);
  EXPECT_EQ(verify.first_bad_seq(), 0u);

  // The chain is continued, not restarted, by a restart.
  ASSERT_NO_FATAL_FAILURE(StopServer());
  ASSERT_NO_FATAL_FAILURE(StartServer());
  AdminWrite({UpsertNode(MakeNode("b"))});
  ASSERT_OK(VerifyLog(auditor_, &verify));
  EXPECT_TRUE(verify.ok());
  EXPECT_EQ(verify.entries_checked(), 6u);

  // Rewrite entry 3's principal with raw RocksDB access.
  Database& db = *server_->backend().db;
  std::string value;
  ASSERT_TRUE(db.rocks()
                  ->Get(rocksdb::ReadOptions(), db.handle(Cf::kAudit), keys::AuditKey(3), &value)
                  .ok());
  absl::StatusOr<AuditEntry> entry = DecodeAuditEntry(value);
  ASSERT_TRUE(entry.ok());
  entry->principal = "nobody";
  ASSERT_TRUE(db.rocks()
                  ->Put(rocksdb::WriteOptions(), db.handle(Cf::kAudit), keys::AuditKey(3),
                        EncodeAuditEntry(*entry))
                  .ok());
  ASSERT_OK(VerifyLog(auditor_, &verify));
  EXPECT_FALSE(verify.ok());
  EXPECT_EQ(verify.first_bad_seq(), 3u);
  EXPECT_EQ(verify.entries_checked(), 2u);
  EXPECT_EQ(verify.reason(), "hash does not match the content: entry edited");
}

}  // namespace
}  // namespace ctxgraph::server
