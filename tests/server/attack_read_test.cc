// The attack catalogue, part two: reads, traversals, page sizes, receipts
// and tampering with the audit log through the storage layer. Part one
// (tokens, writes, ids, deadlines) is attack_test.cc.
#include <gmock/gmock.h>

#include <algorithm>
#include <limits>

#include "absl/strings/str_cat.h"
#include "storage/keys.h"
#include "storage/record_codec.h"
#include "tests/server/attack_fixture.h"

namespace ctxgraph::server {
namespace {

using ::testing::ElementsAre;

// --- Traversal and lineage through hidden nodes ---

TEST_F(AttackTest, RetrieveDoesNotWalkThroughAHiddenNode) {
  v1::RetrieveResponse admin, agent;
  ASSERT_OK(Retrieve(admin_token_, FromSeed("pub", 2), &admin));
  EXPECT_THAT(ItemIds(admin), ElementsAre("beyond", "hid-7f3a", "pub"));
  ASSERT_OK(Retrieve(agent_, FromSeed("pub", 2), &agent));
  // "beyond" is reachable only through the hidden node.
  EXPECT_THAT(ItemIds(agent), ElementsAre("pub"));
  EXPECT_EQ(agent.edges_size(), 0);
  ExpectNoLeak(agent.SerializeAsString());
}

TEST_F(AttackTest, UpstreamStopsAtAHiddenNodeForAnAgent) {
  v1::LineageRequest request;
  request.set_node_id("pub");
  v1::LineageResponse response;
  ASSERT_OK(Upstream(agent_, request, &response));
  ASSERT_EQ(response.nodes_size(), 1);
  EXPECT_EQ(response.nodes(0).node().id(), "pub");
  EXPECT_FALSE(response.depth_limited());
  ExpectNoLeak(response.SerializeAsString());
}

TEST_F(AttackTest, AnAuditorClearedForLessCannotJoinAStubToTheLog) {
  // The auditor walks through hid-7f3a as a stub...
  v1::LineageRequest request;
  request.set_node_id("pub");
  v1::LineageResponse up;
  ASSERT_OK(Upstream(auditor_, request, &up));
  ASSERT_EQ(up.nodes_size(), 3);
  EXPECT_TRUE(up.nodes(1).redacted());
  ExpectNoLeak(up.SerializeAsString());
  // ...and the log names it whole: the write's edge pub -> hid-7f3a, the
  // receipt of a retrieval that returned it. Every audit read that returns
  // entries or what is derived from them is refused before any entry is
  // read; so is VerifyLog, whose seqs count the hidden node's entries.
  v1::RetrieveResponse retrieved;
  ASSERT_OK(Retrieve(chief_auditor_, FromSeed("pub", 1), &retrieved));
  ASSERT_EQ(retrieved.items_size(), 2);
  std::string transcript;
  const auto refused = [&](auto method, const std::string& name, const auto& request,
                           auto* response) {
    const grpc::Status status = Call(audit_.get(), method, auditor_, request, response);
    EXPECT_STATUS(
        status, absl::StatusCode::kPermissionDenied,
        absl::StrCat(name, " requires clearance \"*\": audit entries name every node whole"));
    absl::StrAppend(&transcript, status.error_message(), response->SerializeAsString());
  };
  v1::ListEntriesRequest by_node;
  by_node.set_node_id("pub");
  v1::ListEntriesResponse entries;
  refused(&v1::AuditService::Stub::ListEntries, "ListEntries", by_node, &entries);
  v1::GetReceiptRequest receipt;
  receipt.set_receipt_id(retrieved.receipt().receipt_id());
  v1::GetReceiptResponse got;
  refused(&v1::AuditService::Stub::GetReceipt, "GetReceipt", receipt, &got);
  v1::ReplayReceiptRequest replay;
  replay.set_receipt_id(retrieved.receipt().receipt_id());
  v1::ReplayReceiptResponse replayed;
  refused(&v1::AuditService::Stub::ReplayReceipt, "ReplayReceipt", replay, &replayed);
  v1::AccessReportRequest access;
  access.set_principal("chief-auditor");
  v1::AccessReportResponse report;
  refused(&v1::AuditService::Stub::AccessReport, "AccessReport", access, &report);
  v1::VerifyLogResponse verified;
  const grpc::Status verify = Call(audit_.get(), &v1::AuditService::Stub::VerifyLog, auditor_,
                                   v1::VerifyLogRequest(), &verified);
  EXPECT_STATUS(verify, absl::StatusCode::kPermissionDenied,
                "VerifyLog requires clearance \"*\": audit seqs count the entries of every node");
  EXPECT_EQ(verified.head_seq(), 0u);
  ExpectNoLeak(transcript);
  EXPECT_TRUE(Verify().ok());

  // The chief auditor, cleared for "*", reads the same entries whole.
  ASSERT_OK(
      Call(audit_.get(), &v1::AuditService::Stub::ListEntries, chief_auditor_, by_node, &entries));
  std::string named;
  for (const v1::AuditEntry& e : entries.entries()) {
    for (const v1::AuditItem& item : e.items()) named += item.edge_to() + " ";
  }
  EXPECT_NE(named.find(kHiddenId), std::string::npos) << named;
  ASSERT_OK(Call(audit_.get(), &v1::AuditService::Stub::GetReceipt, chief_auditor_, receipt, &got));
}

TEST_F(AttackTest, ADeepChainIsBoundedByMaxDepthAndBeyondItIsRefused) {
  ASSERT_NO_FATAL_FAILURE(WriteChain(130, /*close_cycle=*/false));
  v1::LineageRequest request;
  request.set_node_id("c0");
  request.set_max_depth(100);
  v1::LineageResponse response;
  ASSERT_OK(Upstream(agent_, request, &response));
  EXPECT_EQ(response.nodes_size(), 101);
  EXPECT_TRUE(response.depth_limited());
  EXPECT_FALSE(response.truncated());
  request.set_max_depth(101);
  EXPECT_STATUS(Upstream(agent_, request, &response), absl::StatusCode::kInvalidArgument,
                "max_depth: must be 1..100, got 101");
  v1::RetrieveResponse retrieved;
  EXPECT_STATUS(Retrieve(agent_, FromSeed("c0", 6), &retrieved), absl::StatusCode::kInvalidArgument,
                "expansion.max_hops: must be 0..5, got 6");
}

TEST_F(AttackTest, CyclesAndSelfLoopsEndEveryWalk) {
  ASSERT_NO_FATAL_FAILURE(WriteChain(20, /*close_cycle=*/true));
  v1::LineageRequest request;
  request.set_node_id("c0");
  request.set_max_depth(100);
  v1::LineageResponse up;
  ASSERT_OK(Upstream(agent_, request, &up));
  EXPECT_EQ(up.nodes_size(), 20);
  EXPECT_FALSE(up.depth_limited());
  // One strongly connected set, the ring and c0's self-loop, reported once;
  // the walk from c0 closes it twice: c19 -> c0 and c0 -> c0.
  ASSERT_EQ(up.cycles_size(), 1);
  std::vector<std::string> ring;
  for (int i = 0; i < 20; ++i) ring.push_back(absl::StrCat("c", i));
  std::sort(ring.begin(), ring.end());
  EXPECT_THAT(up.cycles(0).node_ids(), ::testing::ElementsAreArray(ring));
  std::vector<std::string> closing;
  for (const v1::EdgeRef& e : up.cycles(0).closing_edges()) {
    closing.push_back(absl::StrCat(e.from(), "->", e.to()));
  }
  EXPECT_THAT(closing, ::testing::UnorderedElementsAre("c19->c0", "c0->c0"));
  v1::RetrieveResponse retrieved;
  ASSERT_OK(Retrieve(agent_, FromSeed("c0", 5), &retrieved));
  EXPECT_EQ(retrieved.items_size(), 11);  // c0, and five hops each way round the ring
  EXPECT_FALSE(retrieved.truncated());
}

// --- Counts and page sizes ---

TEST_F(AttackTest, HugePageSizesAreCappedAndNegativeOnesRefused) {
  // Each holds "doc", so a search for it has 1,005 visible hits (and "beyond").
  std::vector<v1::WriteOp> ops;
  for (int i = 0; i < 1005; ++i) {
    ops.push_back(UpsertNode(MakeNode(absl::StrCat("n", i), {}, "Doc", {{"title", Str("doc")}})));
  }
  ASSERT_NE(AdminWrite(ops), 0u);
  v1::ListNodesRequest list;
  list.set_label("Doc");
  list.set_page_size(std::numeric_limits<int32_t>::max());
  v1::ListNodesResponse nodes;
  ASSERT_OK(ListNodes(agent_, list, &nodes));
  EXPECT_EQ(nodes.nodes_size(), 1000);
  EXPECT_FALSE(nodes.next_page_token().empty());
  list.set_page_size(-1);
  EXPECT_STATUS(ListNodes(agent_, list, &nodes), absl::StatusCode::kInvalidArgument,
                "page_size: must not be negative, got -1");
  v1::SearchRequest search;
  search.set_query("doc");
  search.set_page_size(std::numeric_limits<int32_t>::max());
  v1::SearchResponse hits;
  ASSERT_OK(Search(agent_, search, &hits));
  EXPECT_EQ(hits.hits_size(), 100);
  EXPECT_FALSE(hits.next_page_token().empty());
  v1::ListEntriesRequest entries;
  entries.set_page_size(std::numeric_limits<int32_t>::min());
  v1::ListEntriesResponse page;
  EXPECT_STATUS(
      Call(audit_.get(), &v1::AuditService::Stub::ListEntries, chief_auditor_, entries, &page),
      absl::StatusCode::kInvalidArgument, "page_size: must not be negative, got -2147483648");
}

// --- Search ---

TEST_F(AttackTest, SearchForTheHiddenNodesIdTypeOrLabelFindsNothing) {
  for (const char* term : {"hid-7f3a", "Xsecrettype", "vault-label", "zebracanary merger"}) {
    v1::SearchRequest hidden, absent;
    hidden.set_query(term);
    absent.set_query("qqqqqqqq");
    v1::SearchResponse a, b;
    const grpc::Status sa = Search(agent_, hidden, &a);
    const grpc::Status sb = Search(agent_, absent, &b);
    EXPECT_EQ(Transcript(sa, a), Transcript(sb, b)) << term;
    ExpectNoLeak(Transcript(sa, a), /*named=*/true);
  }
}

TEST_F(AttackTest, AVisibleHitsScoreDoesNotCountHiddenNodesHoldingTheTerm) {
  // "plan" is in pub's title and in the hidden node's.
  v1::SearchRequest request;
  request.set_query("plan");
  v1::SearchResponse with_hidden;
  ASSERT_OK(Search(agent_, request, &with_hidden));
  ASSERT_EQ(with_hidden.hits_size(), 1);
  EXPECT_EQ(with_hidden.hits(0).node().id(), "pub");
  // The same corpus as the agent sees it, without the hidden node at all.
  AdminWrite({DeleteNode(kHiddenId)});
  v1::SearchResponse without;
  ASSERT_OK(Search(agent_, request, &without));
  ASSERT_EQ(without.hits_size(), 1);
  EXPECT_DOUBLE_EQ(with_hidden.hits(0).score(), without.hits(0).score());
  EXPECT_EQ(with_hidden.hits(0).snippet(), without.hits(0).snippet());
}

// --- Error text ---

TEST_F(AttackTest, EveryErrorAboutAHiddenIdIsTheErrorAboutAnAbsentOne) {
  const auto transcripts = [this](const std::string& id) {
    std::vector<std::string> out;
    v1::GetNodeResponse node;
    out.push_back(Transcript(GetNode(agent_, id, &node), node));
    v1::ListNeighborsRequest nreq;
    nreq.set_id(id);
    v1::ListNeighborsResponse neighbors;
    out.push_back(Transcript(ListNeighbors(agent_, nreq, &neighbors), neighbors));
    v1::LineageRequest lreq;
    lreq.set_node_id(id);
    v1::LineageResponse up, down;
    out.push_back(Transcript(Upstream(agent_, lreq, &up), up));
    out.push_back(Transcript(
        Call(lineage_.get(), &v1::LineageService::Stub::Downstream, agent_, lreq, &down), down));
    v1::LineagePathRequest preq;
    preq.set_from("pub");
    preq.set_to(id);
    v1::LineagePathResponse path;
    out.push_back(Transcript(
        Call(lineage_.get(), &v1::LineageService::Stub::Path, agent_, preq, &path), path));
    v1::RetrieveResponse retrieved;
    out.push_back(Transcript(Retrieve(agent_, FromSeed(id, 1), &retrieved), retrieved));
    // The agent is refused by role before any lookup; the auditor (cleared
    // for team:eng, not vault-label) gets past it.
    v1::ExposureReportRequest ereq;
    ereq.set_node_id(id);
    for (const std::string* token : {&agent_, &auditor_}) {
      v1::ExposureReportResponse exposure;
      out.push_back(Transcript(
          Call(audit_.get(), &v1::AuditService::Stub::ExposureReport, *token, ereq, &exposure),
          exposure));
    }
    for (std::string& t : out) t = Anonymized(t, id);
    return out;
  };
  const std::vector<std::string> hidden = transcripts(kHiddenId);
  EXPECT_EQ(hidden, transcripts("nope-0000"));
  for (const std::string& t : hidden) ExpectNoLeak(t);
  // The auditor's report got as far as the lookup.
  EXPECT_THAT(hidden.back(),
              ::testing::HasSubstr("code=5|message=node_id: node \"<id>\" not found"));
}

TEST_F(AttackTest, AnAsOfVersionAheadOfTheLatestIsRefused) {
  const uint64_t latest = LatestVersion();
  v1::GetNodeResponse node;
  EXPECT_STATUS(
      GetNode(agent_, "pub", &node, latest + 1000), absl::StatusCode::kInvalidArgument,
      absl::StrCat("as_of_version: ", latest + 1000, " is ahead of the latest version ", latest));
}

TEST_F(AttackTest, TamperedReceiptIdsAreRefusedAndAgentsCannotReadReceipts) {
  v1::GetReceiptRequest request;
  v1::GetReceiptResponse response;
  for (const char* id : {"0", "-1", "+3", "03", "abc", "99999999999999999999999", "3 ", " 3", "",
                         "ABCDEF0123456789ABCDEF0123456789"}) {
    SCOPED_TRACE(id);
    request.set_receipt_id(id);
    EXPECT_STATUS(
        Call(audit_.get(), &v1::AuditService::Stub::GetReceipt, chief_auditor_, request, &response),
        absl::StatusCode::kInvalidArgument,
        "receipt_id: must be the 32 lower-case hex digits Retrieve gave or an audit seq in "
        "decimal");
  }
  // A real entry that is not a retrieval (seq 1 defines the labels).
  request.set_receipt_id("1");
  const grpc::Status not_receipt =
      Call(audit_.get(), &v1::AuditService::Stub::GetReceipt, chief_auditor_, request, &response);
  EXPECT_EQ(not_receipt.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(not_receipt.error_message(), "receipt \"1\" not found");
  request.set_receipt_id("999999");
  const grpc::Status beyond =
      Call(audit_.get(), &v1::AuditService::Stub::GetReceipt, chief_auditor_, request, &response);
  EXPECT_EQ(beyond.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(beyond.error_message(), "receipt \"999999\" not found");
  v1::RetrieveResponse retrieved;
  ASSERT_OK(Retrieve(agent_, FromSeed("pub", 1), &retrieved));
  request.set_receipt_id(retrieved.receipt().receipt_id());
  EXPECT_STATUS(Call(audit_.get(), &v1::AuditService::Stub::GetReceipt, agent_, request, &response),
                absl::StatusCode::kPermissionDenied,
                "GetReceipt requires the auditor or admin role");
}

// --- Audit log tampering, through the storage layer ---

TEST_F(AttackTest, ADeletedAuditEntryIsReportedAtItsSeq) {
  ASSERT_TRUE(Verify().ok());
  ASSERT_GE(Head(), 5u);
  DeleteRaw(3);
  const v1::VerifyLogResponse v = Verify();
  EXPECT_FALSE(v.ok());
  EXPECT_EQ(v.first_bad_seq(), 3u);
  EXPECT_EQ(v.entries_checked(), 2u);
  EXPECT_EQ(v.reason(), "entry is missing (the next entry is 4)");
}

TEST_F(AttackTest, ADeletedNewestAuditEntryIsReportedAgainstTheHead) {
  const uint64_t head = Head();
  DeleteRaw(head);
  const v1::VerifyLogResponse v = Verify();
  EXPECT_FALSE(v.ok());
  EXPECT_EQ(v.first_bad_seq(), head);
  EXPECT_EQ(v.reason(), absl::StrCat("entry is missing (the log ends at ", head - 1,
                                     ", its head is ", head, ")"));
}

TEST_F(AttackTest, SwappedAuditEntriesAreReportedAsReordered) {
  const std::string two = RawEntry(2), three = RawEntry(3);
  PutRaw(2, three);
  PutRaw(3, two);
  const v1::VerifyLogResponse v = Verify();
  EXPECT_FALSE(v.ok());
  EXPECT_EQ(v.first_bad_seq(), 2u);
  EXPECT_EQ(v.reason(), "holds entry 3: entries reordered");
}

TEST_F(AttackTest, AnEntryAppendedBehindTheLogsBackIsBeyondTheHead) {
  const uint64_t head = Head();
  absl::StatusOr<AuditEntry> last = DecodeAuditEntry(RawEntry(head));
  ASSERT_TRUE(last.ok());
  AuditEntry forged = *last;
  forged.seq = head + 1;
  forged.prev_hash = last->hash;
  forged.principal = "admin";
  forged.hash = AuditEntryHash(forged);
  PutRaw(head + 1, EncodeAuditEntry(forged));
  const v1::VerifyLogResponse v = Verify();
  EXPECT_FALSE(v.ok());
  EXPECT_EQ(v.first_bad_seq(), head + 1);
  EXPECT_EQ(v.reason(), "entry is beyond the head: not written by the log");
}

TEST_F(AttackTest, ARewrittenAndRehashedNewestEntryDiffersFromTheHead) {
  const uint64_t head = Head();
  absl::StatusOr<AuditEntry> last = DecodeAuditEntry(RawEntry(head));
  ASSERT_TRUE(last.ok());
  last->principal = "nobody";
  last->hash = AuditEntryHash(*last);  // a consistent chain, but not the one written
  PutRaw(head, EncodeAuditEntry(*last));
  const v1::VerifyLogResponse v = Verify();
  EXPECT_FALSE(v.ok());
  EXPECT_EQ(v.first_bad_seq(), head);
  EXPECT_EQ(v.reason(), "hash differs from the head's: entry replaced");
}

}  // namespace
}  // namespace ctxgraph::server
