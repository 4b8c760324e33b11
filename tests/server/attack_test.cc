// The attack catalogue, part one: tokens, writes against hidden nodes,
// forged server-owned fields, hostile ids, deadlines and connections. Each
// test is one attack: its exact status, nothing of the hidden node in what
// the attacker saw, and nothing written where the write was refused.
// Reads, traversals and audit-log tampering are in attack_read_test.cc;
// SECURITY.md lists the attacks other tests already cover.
#include <openssl/rand.h>

#include <chrono>
#include <thread>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "query/authenticator.h"
#include "query/base64url.h"
#include "tests/server/attack_fixture.h"

namespace ctxgraph::server {
namespace {

// --- Tokens ---

TEST_F(AttackTest, EmptyTokenIsRefusedOnEveryServiceAndWritesNothing) {
  const State before = Snapshot();
  for (const std::vector<std::string>& headers :
       std::vector<std::vector<std::string>>{{}, {""}, {"Bearer "}, {"Bearer ctxg_"}, {"bearer"}}) {
    v1::WriteRequest write;
    *write.add_ops() = UpsertNode(MakeNode("intruder"));
    v1::WriteResponse w;
    const grpc::Status ws =
        CallWithHeaders(graph_.get(), &v1::GraphService::Stub::Write, headers, write, &w);
    v1::SearchRequest search;
    search.set_query("zebracanary");
    v1::SearchResponse s;
    const grpc::Status ss =
        CallWithHeaders(context_.get(), &v1::ContextService::Stub::Search, headers, search, &s);
    v1::LineageRequest up;
    up.set_node_id("pub");
    v1::LineageResponse u;
    const grpc::Status us =
        CallWithHeaders(lineage_.get(), &v1::LineageService::Stub::Upstream, headers, up, &u);
    v1::CreatePrincipalRequest create;
    create.set_id("mallory");
    create.add_roles(v1::ROLE_ADMIN);
    v1::PrincipalResponse p;
    const grpc::Status ps = CallWithHeaders(admin_.get(), &v1::AdminService::Stub::CreatePrincipal,
                                            headers, create, &p);
    v1::VerifyLogResponse v;
    const grpc::Status vs = CallWithHeaders(audit_.get(), &v1::AuditService::Stub::VerifyLog,
                                            headers, v1::VerifyLogRequest(), &v);
    for (const std::string& t : {Transcript(ws, w), Transcript(ss, s), Transcript(us, u),
                                 Transcript(ps, p), Transcript(vs, v)}) {
      EXPECT_EQ(t, Transcript(grpc::Status(grpc::StatusCode::UNAUTHENTICATED, kUnauthenticated),
                              v1::WriteResponse()))
          << (headers.empty() ? "(none)" : headers[0]);
    }
  }
  ExpectUnchanged(before);
}

TEST_F(AttackTest, EveryTruncationOfTheAdminTokenIsRefusedAndWritesNothing) {
  const State before = Snapshot();
  for (size_t keep : {size_t{5}, size_t{6}, size_t{20}, admin_token_.size() - 1}) {
    v1::WriteResponse w;
    const grpc::Status status =
        Write(admin_token_.substr(0, keep), {UpsertNode(MakeNode("intruder"))}, &w);
    SCOPED_TRACE(keep);
    EXPECT_STATUS(status, absl::StatusCode::kUnauthenticated, kUnauthenticated);
    ExpectNoLeak(Transcript(status, w));
  }
  ExpectUnchanged(before);
}

TEST_F(AttackTest, ThePublicTokenIdOrTheStoredHashIsNotABearer) {
  const v1::IssueTokenResponse issued = IssueToken("loader");
  const State before = Snapshot();
  const ContentHash hash = HashToken(issued.token());
  const std::string raw(reinterpret_cast<const char*>(hash.data()), hash.size());
  for (const std::string& forged : {issued.token_id(), "ctxg_" + issued.token_id(),
                                    absl::BytesToHexString(raw), "ctxg_" + Base64UrlEncode(raw)}) {
    SCOPED_TRACE(forged);
    v1::WriteResponse w;
    EXPECT_STATUS(Write(forged, {UpsertNode(MakeNode("intruder"))}, &w),
                  absl::StatusCode::kUnauthenticated, kUnauthenticated);
  }
  ExpectUnchanged(before);
  v1::WriteResponse w;
  ASSERT_OK(Write(issued.token(), {UpsertNode(MakeNode("real", {"team:eng"}))}, &w));
}

TEST_F(AttackTest, AnAgentsTokenCannotWriteOrAdministerAndLeavesNoTrace) {
  const State before = Snapshot();
  v1::WriteResponse w;
  EXPECT_STATUS(Write(agent_, {UpsertNode(MakeNode("intruder"))}, &w),
                absl::StatusCode::kPermissionDenied, "Write requires the loader or admin role");
  v1::IssueTokenRequest mint;
  mint.set_principal_id("admin");
  v1::IssueTokenResponse minted;
  const grpc::Status ms =
      Call(admin_.get(), &v1::AdminService::Stub::IssueToken, agent_, mint, &minted);
  EXPECT_STATUS(ms, absl::StatusCode::kPermissionDenied, "IssueToken requires the admin role");
  EXPECT_TRUE(minted.token().empty());
  ExpectUnchanged(before);
  v1::ListTokensRequest list;
  list.set_principal_id("admin");
  v1::ListTokensResponse tokens;
  ASSERT_OK(Call(admin_.get(), &v1::AdminService::Stub::ListTokens, admin_token_, list, &tokens));
  EXPECT_EQ(tokens.tokens_size(), 1);
}

TEST_F(AttackTest, ARevokedTokenCannotWriteEvenRightAfterACachedSuccess) {
  v1::WriteResponse w;
  ASSERT_OK(Write(loader_, {UpsertNode(MakeNode("first", {"team:eng"}))}, &w));
  ASSERT_NO_FATAL_FAILURE(RevokeOnlyToken("loader", admin_token_));
  const State before = Snapshot();
  EXPECT_STATUS(Write(loader_, {UpsertNode(MakeNode("second", {"team:eng"}))}, &w),
                absl::StatusCode::kUnauthenticated, kUnauthenticated);
  ExpectUnchanged(before);
}

TEST_F(AttackTest, ASuspendedPrincipalCannotImport) {
  ASSERT_OK(Suspend("loader"));
  const State before = Snapshot();
  v1::ImportResponse response;
  const grpc::Status status =
      Import(loader_, {UpsertNode(MakeNode("smuggled", {"team:eng"}))}, &response);
  EXPECT_STATUS(status, absl::StatusCode::kUnauthenticated, kUnauthenticated);
  EXPECT_EQ(response.ops_received(), 0u);
  ExpectUnchanged(before);
}

// An open non-bulk import stream commits message by message: each message
// after the first is checked against the token's current state, so a
// revocation or a narrowed clearance stops it at the next one.
class MidStreamImportTest : public AttackTest {
 protected:
  // Opens a stream as the loader and waits until its first message (node
  // "first") is committed, so what happens next comes after it.
  void OpenStream() {
    context_.AddMetadata("authorization", "Bearer " + loader_);
    context_.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    writer_ = graph_->Import(&context_, &response_);
    v1::ImportRequest request;
    *request.add_ops() = UpsertNode(MakeNode("first", {"team:eng"}));
    ASSERT_TRUE(writer_->Write(request));
    for (int i = 0; i < 500; ++i) {
      v1::GetNodeResponse node;
      if (GetNode(admin_token_, "first", &node).ok()) {
        first_version_ = node.node().provenance().version();
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    FAIL() << "the first message was never committed";
  }
  // Sends node "second" and ends the stream.
  grpc::Status SendSecondAndFinish() {
    v1::ImportRequest request;
    *request.add_ops() = UpsertNode(MakeNode("second", {"team:eng"}));
    writer_->Write(request);  // may fail once the server has answered
    writer_->WritesDone();
    return writer_->Finish();
  }
  void ExpectOnlyTheFirst() {
    v1::GetNodeResponse node;
    EXPECT_OK(GetNode(admin_token_, "first", &node));
    EXPECT_STATUS(GetNode(admin_token_, "second", &node), absl::StatusCode::kNotFound,
                  "node \"second\" not found");
  }

  grpc::ClientContext context_;
  v1::ImportResponse response_;
  std::unique_ptr<grpc::ClientWriter<v1::ImportRequest>> writer_;
  uint64_t first_version_ = 0;  // the commit of the first message
};

TEST_F(MidStreamImportTest, ARevokedTokenStopsAnOpenImportAtItsNextMessage) {
  ASSERT_NO_FATAL_FAILURE(OpenStream());
  ASSERT_NO_FATAL_FAILURE(RevokeOnlyToken("loader", admin_token_));
  EXPECT_STATUS(SendSecondAndFinish(), absl::StatusCode::kUnauthenticated, kUnauthenticated);
  ExpectOnlyTheFirst();
}

TEST_F(MidStreamImportTest, ANarrowedClearanceStopsAnOpenImportAtItsNextMessage) {
  ASSERT_NO_FATAL_FAILURE(OpenStream());
  v1::SetClearancesRequest narrow;
  narrow.set_id("loader");
  v1::PrincipalResponse p;
  ASSERT_OK(Call(admin_.get(), &v1::AdminService::Stub::SetClearances, admin_token_, narrow, &p));
  // The error says what the stream committed before it; a failed
  // authentication (above) gets the message every one gets.
  EXPECT_STATUS(SendSecondAndFinish(), absl::StatusCode::kPermissionDenied,
                absl::StrCat("stream: the caller's roles or clearances changed since the stream "
                             "began; start a new one (1 batch of this import committed before "
                             "it, up to version ",
                             first_version_, "; re-running the import converges)"));
  ExpectOnlyTheFirst();
}

TEST_F(MidStreamImportTest, ARewriteThatChangesNothingLeavesAnOpenImportGoing) {
  ASSERT_NO_FATAL_FAILURE(OpenStream());
  v1::SetClearancesRequest same;
  same.set_id("loader");
  same.add_clearances("team:eng");
  v1::PrincipalResponse p;
  ASSERT_OK(Call(admin_.get(), &v1::AdminService::Stub::SetClearances, admin_token_, same, &p));
  ASSERT_OK(SendSecondAndFinish());
  v1::GetNodeResponse node;
  EXPECT_OK(GetNode(admin_token_, "second", &node));
}

TEST_F(AttackTest, AnAgentCannotHoldAnImportStreamOpenBySendingNothing) {
  grpc::ClientContext context;
  context.AddMetadata("authorization", "Bearer " + agent_);
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  v1::ImportResponse response;
  auto writer = graph_->Import(&context, &response);
  // The answer comes before any message: the stream is not held until the
  // cap (which would end it as CANCELLED, or the deadline above first).
  EXPECT_STATUS(writer->Finish(), absl::StatusCode::kPermissionDenied,
                "Write requires the loader or admin role");
}

// A bulk import holds the commit lock until it ends, which may be an hour.
class BulkImportHoldTest : public AttackTest {
 protected:
  // Opens a bulk import as the loader, sends node "first", and waits until
  // the import holds the commit lock: the admin's writes are refused then.
  void OpenBulkStream() {
    context_.AddMetadata("authorization", "Bearer " + loader_);
    context_.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    writer_ = graph_->Import(&context_, &response_);
    v1::ImportRequest request;
    request.mutable_options()->set_bulk(true);
    *request.add_ops() = UpsertNode(MakeNode("first", {"team:eng"}));
    ASSERT_TRUE(writer_->Write(request));
    for (int i = 0; i < 1000; ++i) {
      v1::WriteResponse w;
      const grpc::Status st = Write(admin_token_, {UpsertNode(MakeNode("probe"))}, &w);
      if (st.error_code() == grpc::StatusCode::UNAVAILABLE) {
        EXPECT_EQ(st.error_message(),
                  "storage: a bulk import holds the commit lock until it ends; write again then");
        return;
      }
      ASSERT_TRUE(st.ok()) << st.error_message();
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    FAIL() << "the bulk import never took the commit lock";
  }

  grpc::ClientContext context_;
  v1::ImportResponse response_;
  std::unique_ptr<grpc::ClientWriter<v1::ImportRequest>> writer_;
};

TEST_F(BulkImportHoldTest, AWriteIsRefusedAtOnceAndNeverCommitsLater) {
  ASSERT_NO_FATAL_FAILURE(OpenBulkStream());
  const auto start = std::chrono::steady_clock::now();
  v1::WriteResponse w;
  EXPECT_STATUS(Write(admin_token_, {UpsertNode(MakeNode("during"))}, &w),
                absl::StatusCode::kUnavailable,
                "storage: a bulk import holds the commit lock until it ends; write again then");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  ASSERT_TRUE(writer_->WritesDone());
  ASSERT_OK(writer_->Finish());
  EXPECT_EQ(response_.nodes_written(), 1u);
  v1::GetNodeResponse node;
  EXPECT_OK(GetNode(admin_token_, "first", &node));
  EXPECT_STATUS(GetNode(admin_token_, "during", &node), absl::StatusCode::kNotFound,
                "node \"during\" not found");
}

// A stolen loader token must be revocable while its bulk import runs: the
// revocation ends the import (nothing of it is written) and lands at once.
TEST_F(BulkImportHoldTest, RevokingTheLoadersTokenEndsItsBulkImportAndLandsAtOnce) {
  ASSERT_NO_FATAL_FAILURE(OpenBulkStream());
  v1::ListTokensRequest list;
  list.set_principal_id("loader");
  v1::ListTokensResponse tokens;
  ASSERT_OK(Call(admin_.get(), &v1::AdminService::Stub::ListTokens, admin_token_, list, &tokens));
  ASSERT_EQ(tokens.tokens_size(), 1);
  v1::RevokeTokenRequest revoke;
  revoke.set_token_id(tokens.tokens(0).token_id());
  v1::RevokeTokenResponse revoked;
  grpc::ClientContext context;
  context.AddMetadata("authorization", "Bearer " + admin_token_);
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  ASSERT_OK(admin_->RevokeToken(&context, revoke, &revoked));

  v1::ImportRequest second;
  *second.add_ops() = UpsertNode(MakeNode("second", {"team:eng"}));
  writer_->Write(second);  // may fail: the server ended the stream
  writer_->WritesDone();
  EXPECT_STATUS(writer_->Finish(), absl::StatusCode::kCancelled, "Cancelled on the server side");
  v1::GetNodeResponse node;
  for (const char* id : {"first", "second"}) {
    EXPECT_STATUS(GetNode(admin_token_, id, &node), absl::StatusCode::kNotFound,
                  absl::StrCat("node \"", id, "\" not found"));
  }
  v1::WriteResponse w;
  EXPECT_STATUS(Write(loader_, {UpsertNode(MakeNode("after", {"team:eng"}))}, &w),
                absl::StatusCode::kUnauthenticated, kUnauthenticated);
  ASSERT_OK(Write(admin_token_, {UpsertNode(MakeNode("admin-after"))}, &w));
}

TEST_F(BulkImportHoldTest, NarrowingTheLoadersClearancesEndsItsBulkImport) {
  ASSERT_NO_FATAL_FAILURE(OpenBulkStream());
  v1::SetClearancesRequest narrow;
  narrow.set_id("loader");
  v1::PrincipalResponse p;
  grpc::ClientContext context;
  context.AddMetadata("authorization", "Bearer " + admin_token_);
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  ASSERT_OK(admin_->SetClearances(&context, narrow, &p));
  writer_->WritesDone();
  EXPECT_STATUS(writer_->Finish(), absl::StatusCode::kCancelled, "Cancelled on the server side");
  v1::GetNodeResponse node;
  EXPECT_STATUS(GetNode(admin_token_, "first", &node), absl::StatusCode::kNotFound,
                "node \"first\" not found");
}

// Only a change that takes something away ends an hour of loading: one
// that adds, or names no principal, leaves the import alone.
TEST_F(BulkImportHoldTest, AChangeThatTakesNothingAwayLeavesTheImportGoing) {
  ASSERT_NO_FATAL_FAILURE(OpenBulkStream());
  v1::SetClearancesRequest widen;
  widen.set_id("loader");
  widen.add_clearances("team:eng");
  widen.add_clearances("team:docs");
  v1::PrincipalResponse p;
  EXPECT_STATUS(Call(admin_.get(), &v1::AdminService::Stub::SetClearances, admin_token_, widen, &p),
                absl::StatusCode::kUnavailable,
                "storage: a bulk import holds the commit lock until it ends; write again then");
  v1::GetPrincipalRequest nobody;
  nobody.set_id("nobody");
  EXPECT_STATUS(
      Call(admin_.get(), &v1::AdminService::Stub::SuspendPrincipal, admin_token_, nobody, &p),
      absl::StatusCode::kNotFound, "principal \"nobody\" not found");
  ASSERT_TRUE(writer_->WritesDone());
  ASSERT_OK(writer_->Finish());
  v1::GetNodeResponse node;
  EXPECT_OK(GetNode(admin_token_, "first", &node));
}

TEST_F(BulkImportHoldTest, CreatingAPrincipalIsRefusedAtOnceAndLeavesTheImportGoing) {
  ASSERT_NO_FATAL_FAILURE(OpenBulkStream());
  v1::CreatePrincipalRequest create;
  create.set_id("newcomer");
  create.add_roles(v1::ROLE_AGENT);
  v1::PrincipalResponse p;
  EXPECT_STATUS(
      Call(admin_.get(), &v1::AdminService::Stub::CreatePrincipal, admin_token_, create, &p),
      absl::StatusCode::kUnavailable,
      "storage: a bulk import holds the commit lock until it ends; write again then");
  ASSERT_TRUE(writer_->WritesDone());
  ASSERT_OK(writer_->Finish());
  v1::GetNodeResponse node;
  EXPECT_OK(GetNode(admin_token_, "first", &node));
  ASSERT_OK(Call(admin_.get(), &v1::AdminService::Stub::CreatePrincipal, admin_token_, create, &p));
}

// Decision: no failed-auth throttle. A token is 256 random bits looked up by
// its SHA-256, so a guess that shares a prefix with a real token is no
// closer, and every failure answers the same. A per-peer lockout would let
// anyone lock a victim out; a flood of guesses is bounded like any other
// load, by --max-concurrent-requests (admission comes before auth).
TEST_F(AttackTest, BruteForceGuessesAllAnswerAlikeAndDoNotLockOutTheOwner) {
  const State before = Snapshot();
  const std::string expected = Transcript(
      grpc::Status(grpc::StatusCode::UNAUTHENTICATED, kUnauthenticated), v1::WriteResponse());
  for (int i = 0; i < 200; ++i) {
    std::string guess;
    if (i % 2 == 0) {
      unsigned char bytes[32];
      ASSERT_EQ(RAND_bytes(bytes, sizeof bytes), 1);
      guess = "ctxg_" + Base64UrlEncode(std::string_view(reinterpret_cast<char*>(bytes), 32));
    } else {
      // The real token with one character changed: shares 47 of 48.
      guess = admin_token_;
      const size_t at = 5 + (i % 43);
      guess[at] = guess[at] == 'A' ? 'B' : 'A';
    }
    v1::WriteResponse w;
    EXPECT_EQ(Transcript(Write(guess, {UpsertNode(MakeNode("intruder"))}, &w), w), expected) << i;
  }
  ExpectUnchanged(before);
  v1::WriteResponse w;
  ASSERT_OK(Write(admin_token_, {UpsertNode(MakeNode("owner-still-in"))}, &w));
}

// --- Writes against hidden nodes ---

TEST_F(AttackTest, ImportingAnEdgeIntoAHiddenNodeAnswersLikeAnAbsentNode) {
  v1::ImportResponse hidden, absent;
  ASSERT_OK(Import(loader_,
                   {UpsertEdge("pub", "CITES", kHiddenId), UpsertEdge(kHiddenId, "CITES", "pub")},
                   &hidden));
  ASSERT_OK(Import(loader_,
                   {UpsertEdge("pub", "CITES", "nope-000"), UpsertEdge("nope-000", "CITES", "pub")},
                   &absent));
  EXPECT_EQ(Anonymized(hidden.SerializeAsString(), kHiddenId),
            Anonymized(absent.SerializeAsString(), "nope-000"));
  ASSERT_EQ(hidden.rejects_size(), 2);
  EXPECT_EQ(hidden.rejects(0).reason(), "ops[0].upsert_edge.to: node \"hid-7f3a\" not found");
  ExpectNoLeak(hidden.SerializeAsString(), /*named=*/true);
  EXPECT_EQ(hidden.commits(), 0u);
}

TEST_F(AttackTest, ImportCannotOverwriteOrDeleteAHiddenNode) {
  const State before = Snapshot();
  v1::ImportResponse response;
  ASSERT_OK(Import(loader_,
                   {UpsertNode(MakeNode(kHiddenId, {"team:eng"}, "Doc", {{"title", Str("mine")}})),
                    DeleteNode(kHiddenId)},
                   &response));
  ASSERT_EQ(response.rejects_size(), 2);
  EXPECT_EQ(response.rejects(0).reason(),
            "ops[0]: not cleared for the boundary of node \"hid-7f3a\"");
  EXPECT_EQ(response.rejects(1).reason(),
            "ops[1]: not cleared for the boundary of node \"hid-7f3a\"");
  EXPECT_EQ(response.commits(), 0u);
  ExpectNoLeak(response.SerializeAsString(), /*named=*/true);
  ExpectUnchanged(before);
}

TEST_F(AttackTest, DeletingAnEdgeOutOfAHiddenNodeIsANoOpLikeAnAbsentEdge) {
  const State before = Snapshot();
  v1::WriteResponse hidden, absent;
  ASSERT_OK(Write(loader_, {DeleteEdge(kHiddenId, "DERIVED_FROM", "beyond")}, &hidden));
  ASSERT_OK(Write(loader_, {DeleteEdge("nope-000", "DERIVED_FROM", "beyond")}, &absent));
  EXPECT_EQ(hidden.SerializeAsString(), absent.SerializeAsString());
  EXPECT_FALSE(hidden.committed());
  ExpectUnchanged(before);
  v1::ListNeighborsRequest request;
  request.set_id("beyond");
  request.set_direction(v1::DIRECTION_IN);
  v1::ListNeighborsResponse response;
  ASSERT_OK(ListNeighbors(admin_token_, request, &response));
  EXPECT_EQ(NeighborKeys(response), (std::vector<std::string>{"IN:DERIVED_FROM:hid-7f3a"}));
}

TEST_F(AttackTest, UpsertingAnEdgeToAHiddenNodeThenDeletingItsEndAnswersLikeAnAbsentNode) {
  // pub -DERIVED_FROM-> hid-7f3a exists with these exact props: a batch that
  // rewrote it and then deleted pub (which takes the edge with it) used to
  // commit, counting it unchanged where an absent node counted it written.
  const State before = Snapshot();
  v1::WriteResponse hidden, absent;
  const grpc::Status hs =
      Write(loader_, {UpsertEdge("pub", "DERIVED_FROM", kHiddenId), DeleteNode("pub")}, &hidden);
  const grpc::Status as =
      Write(loader_, {UpsertEdge("pub", "DERIVED_FROM", "nope-000"), DeleteNode("pub")}, &absent);
  EXPECT_EQ(Anonymized(Transcript(hs, hidden), kHiddenId),
            Anonymized(Transcript(as, absent), "nope-000"));
  EXPECT_EQ(hs.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(hs.error_message(), "ops[0].upsert_edge.to: node \"hid-7f3a\" not found");
  // Deleting pub first, and the edge after it: deleting an edge to a hidden
  // node is a no-op, so that edge outlives pub where one to an absent node
  // does not. The hidden end is still the one named, as the absent one is.
  for (const bool delete_first : {true, false}) {
    const auto batch = [&](const std::string& to) {
      std::vector<v1::WriteOp> ops = {UpsertEdge("pub", "DERIVED_FROM", to),
                                      DeleteEdge("pub", "DERIVED_FROM", to)};
      ops.insert(delete_first ? ops.begin() : ops.end(), DeleteNode("pub"));
      return ops;
    };
    const grpc::Status h = Write(loader_, batch(kHiddenId), &hidden);
    const grpc::Status a = Write(loader_, batch("nope-000"), &absent);
    EXPECT_EQ(Anonymized(Transcript(h, hidden), kHiddenId),
              Anonymized(Transcript(a, absent), "nope-000"))
        << delete_first;
    EXPECT_EQ(h.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << delete_first;
  }
  ExpectUnchanged(before);
  v1::GetNodeResponse pub;
  EXPECT_OK(GetNode(loader_, "pub", &pub));
}

TEST_F(AttackTest, AnEdgeToANodeThatNeverExistsIsRefusedEvenIfDeletedInTheSameBatch) {
  const State before = Snapshot();
  v1::WriteResponse response;
  const grpc::Status s =
      Write(loader_, {UpsertEdge("pub", "CITES", "ghost-1"), DeleteEdge("pub", "CITES", "ghost-1")},
            &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(s.error_message(), "ops[0].upsert_edge.to: node \"ghost-1\" not found");
  ExpectUnchanged(before);  // no commit: ghost-1 was not interned
}

TEST_F(AttackTest, AnEdgeWhoseEndTheBatchDeletesStillCommits) {
  // The writer could see both ends: creating a node, linking it and deleting
  // it again in one batch is allowed, and leaves no edge behind.
  v1::WriteResponse response;
  ASSERT_OK(Write(loader_,
                  {UpsertNode(MakeNode("tmp", {"team:eng"})), UpsertEdge("pub", "CITES", "tmp"),
                   DeleteNode("tmp")},
                  &response));
  EXPECT_TRUE(response.committed());
  v1::ListNeighborsRequest request;
  request.set_id("pub");
  request.set_direction(v1::DIRECTION_OUT);
  v1::ListNeighborsResponse neighbors;
  ASSERT_OK(ListNeighbors(admin_token_, request, &neighbors));
  EXPECT_EQ(NeighborKeys(neighbors), (std::vector<std::string>{"OUT:DERIVED_FROM:hid-7f3a"}));
}

// --- Forged server-owned fields ---

TEST_F(AttackTest, ForgedProvenanceIsReplacedByTheServersOwn) {
  v1::Node node = MakeNode("forged", {"team:eng"});
  v1::Provenance* fake = node.mutable_provenance();
  fake->set_version(999999);
  fake->set_writer("admin");
  fake->mutable_commit_time()->set_seconds(1);
  fake->set_content_hash(std::string(64, '0'));
  v1::WriteOp edge = UpsertEdge("forged", "CITES", "pub");
  *edge.mutable_upsert_edge()->mutable_provenance() = *fake;
  v1::WriteResponse w;
  ASSERT_OK(Write(loader_, {UpsertNode(node), edge}, &w, "written by admin"));
  v1::GetNodeResponse got;
  ASSERT_OK(GetNode(admin_token_, "forged", &got));
  const v1::Provenance& p = got.node().provenance();
  EXPECT_EQ(p.version(), w.version());
  EXPECT_EQ(p.writer(), "loader");
  EXPECT_GT(p.commit_time().seconds(), 1700000000);
  EXPECT_NE(p.content_hash(), std::string(64, '0'));
  v1::ListNeighborsRequest request;
  request.set_id("forged");
  v1::ListNeighborsResponse neighbors;
  ASSERT_OK(ListNeighbors(admin_token_, request, &neighbors));
  ASSERT_EQ(neighbors.neighbors_size(), 1);
  EXPECT_EQ(neighbors.neighbors(0).edge().provenance().writer(), "loader");
  EXPECT_EQ(neighbors.neighbors(0).edge().provenance().version(), w.version());
  v1::GetCommitResponse commit;
  ASSERT_OK(GetCommit(admin_token_, w.version(), &commit));
  EXPECT_EQ(commit.commit().principal(), "loader");
  EXPECT_EQ(commit.commit().description(), "written by admin");  // text, not identity
}

TEST_F(AttackTest, ForgedInheritedLabelsNeitherHideNorGrantAnything) {
  v1::Node node = MakeNode("claims-inheritance", {"team:eng"});
  node.add_inherited_boundary("vault-label");
  v1::InheritedLabel* inherited = node.add_inherited();
  inherited->set_label("vault-label");
  inherited->set_from(kHiddenId);
  v1::WriteResponse w;
  ASSERT_OK(Write(loader_, {UpsertNode(node)}, &w));
  v1::GetNodeResponse got;
  ASSERT_OK(GetNode(agent_, "claims-inheritance", &got));  // not hidden by the claim
  EXPECT_EQ(got.node().inherited_boundary_size(), 0);
  EXPECT_EQ(got.node().inherited_size(), 0);
  ExpectNoLeak(got.SerializeAsString());
}

// --- Hostile ids ---

TEST_F(AttackTest, ANulByteInAnIdIsRefusedNamingTheField) {
  const State before = Snapshot();
  const std::string nul("pub\0x", 5);
  v1::WriteResponse w;
  EXPECT_STATUS(Write(loader_, {UpsertNode(MakeNode(nul, {"team:eng"}))}, &w),
                absl::StatusCode::kInvalidArgument,
                "ops[0].upsert_node.id: \"pub\\x00x\" contains a control character");
  EXPECT_STATUS(Write(loader_, {UpsertEdge("pub", "CITES", nul)}, &w),
                absl::StatusCode::kInvalidArgument,
                "ops[0].upsert_edge.to: \"pub\\x00x\" contains a control character");
  EXPECT_STATUS(Write(loader_, {DeleteNode(nul)}, &w), absl::StatusCode::kInvalidArgument,
                "ops[0].delete_node: \"pub\\x00x\" contains a control character");
  v1::GetNodeResponse got;
  EXPECT_STATUS(GetNode(agent_, nul, &got), absl::StatusCode::kInvalidArgument,
                "id: \"pub\\x00x\" contains a control character");
  ExpectUnchanged(before);
}

TEST_F(AttackTest, IdsThatLookLikeKeySeparatorsStayDistinctNodes) {
  // Keys length-prefix their strings, so none of these can reach another
  // node's or edge's key.
  const std::vector<std::string> ids = {
      "pub|", "pub:", "pub/", "|pub", "pub\xc3\xbf", std::string("\xe2\x80\xa8pub"), "p", "pu"};
  std::vector<v1::WriteOp> ops;
  for (const std::string& id : ids) ops.push_back(UpsertNode(MakeNode(id, {"team:eng"})));
  v1::WriteResponse w;
  ASSERT_OK(Write(loader_, ops, &w));
  EXPECT_EQ(w.nodes_written(), ids.size());
  for (const std::string& id : ids) {
    v1::GetNodeResponse got;
    ASSERT_OK(GetNode(agent_, id, &got));
    EXPECT_EQ(got.node().id(), id);
    EXPECT_EQ(got.node().labels(0), "Doc");
  }
  v1::ListNeighborsRequest request;
  request.set_id("pub");
  request.set_direction(v1::DIRECTION_BOTH);
  v1::ListNeighborsResponse neighbors;
  ASSERT_OK(ListNeighbors(agent_, request, &neighbors));
  EXPECT_EQ(neighbors.neighbors_size(), 0);  // its one edge goes to the hidden node
}

TEST_F(AttackTest, OverlongIdsAreRefusedWithoutEchoingThem) {
  const State before = Snapshot();
  const std::string id257(257, 'x');
  const std::string huge(1 << 20, 'y');
  v1::WriteResponse w;
  EXPECT_STATUS(Write(loader_, {UpsertNode(MakeNode(id257, {"team:eng"}))}, &w),
                absl::StatusCode::kInvalidArgument,
                "ops[0].upsert_node.id: must be 1..256 bytes, got 257");
  const grpc::Status big = Write(loader_, {UpsertEdge("pub", "CITES", huge)}, &w);
  EXPECT_STATUS(big, absl::StatusCode::kInvalidArgument,
                "ops[0].upsert_edge.to: must be 1..256 bytes, got 1048576");
  v1::GetNodeResponse got;
  EXPECT_STATUS(GetNode(agent_, huge, &got), absl::StatusCode::kInvalidArgument,
                "id: must be 1..256 bytes, got 1048576");
  v1::LineageRequest up;
  up.set_node_id(huge);
  v1::LineageResponse lineage;
  EXPECT_STATUS(Call(lineage_.get(), &v1::LineageService::Stub::Upstream, agent_, up, &lineage),
                absl::StatusCode::kInvalidArgument, "node_id: must be 1..256 bytes, got 1048576");
  ExpectUnchanged(before);
  ASSERT_OK(Write(loader_, {UpsertNode(MakeNode(std::string(256, 'x'), {"team:eng"}))}, &w));
}

TEST_F(AttackTest, InvalidUtf8InAnIdOrPropIsRefusedBeforeAnythingIsWritten) {
  const State before = Snapshot();
  const std::string bad = "pub\xc3\x28";
  v1::WriteResponse w;
  const grpc::Status id_status = Write(loader_, {UpsertNode(MakeNode(bad, {"team:eng"}))}, &w);
  const grpc::Status prop_status =
      Write(loader_, {UpsertNode(MakeNode("ok", {"team:eng"}, "Doc", {{"t", Str(bad)}}))}, &w);
  // Protobuf's own UTF-8 check on proto3 strings refuses the request before
  // any handler runs; gRPC 1.51's callback server then answers UNIMPLEMENTED
  // with no message (its code for a request it cannot parse).
  for (const grpc::Status& status : {id_status, prop_status}) {
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNIMPLEMENTED);
    EXPECT_EQ(status.error_message(), "");
    ExpectNoLeak(status.error_message());
  }
  ExpectUnchanged(before);
}

// --- Deadlines and connections ---

TEST_F(AttackTest, AWriteWhoseDeadlineHasPassedWritesNothing) {
  const State before = Snapshot();
  v1::WriteRequest request;
  *request.add_ops() = UpsertNode(MakeNode("late", {"team:eng"}));
  grpc::ClientContext context;
  context.AddMetadata("authorization", "Bearer " + loader_);
  context.set_deadline(std::chrono::system_clock::now() - std::chrono::seconds(1));
  v1::WriteResponse w;
  const grpc::Status status = graph_->Write(&context, request, &w);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  ExpectUnchanged(before);
  v1::GetNodeResponse got;
  EXPECT_STATUS(GetNode(admin_token_, "late", &got), absl::StatusCode::kNotFound,
                "node \"late\" not found");
}

}  // namespace
}  // namespace ctxgraph::server
