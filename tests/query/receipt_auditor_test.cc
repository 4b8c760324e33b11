// ReceiptAuditor: GetReceipt returns what was recorded; ReplayReceipt
// matches after later writes, uses the recorded clearances, and reports the
// difference when the store was altered underneath.
#include "query/receipt_auditor.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "storage/keys.h"
#include "storage/record_codec.h"
#include "tests/query/retrieval_fixture.h"

namespace ctxgraph {
namespace {

const Caller kAgent = MakeCaller("agent", {"team:eng"});

class ReceiptAuditorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    g_.DefineLabels({"team:eng", "pii"});
    version_ = g_.Write({NodeOp("S", {"team:eng"}), NodeOp("A"), NodeOp("B"), NodeOp("P", {"pii"}),
                         EdgeOp("S", "REFERENCES", "A"), EdgeOp("A", "PART_OF", "B"),
                         EdgeOp("S", "MENTIONS", "P")});
    RetrievalRequest request = Seeds({"S"});
    request.max_items = 10;
    auto r = g_.Retrieve(kAgent, request);
    ASSERT_TRUE(r.ok()) << r.status();
    retrieved_ = *std::move(r);
    receipt_ = retrieved_.receipt.receipt_id;
  }

  // Overwrites node `id`'s record at `version` through the raw RocksDB
  // handle, as someone with disk access could.
  void Tamper(const std::string& id, uint64_t version, const std::function<void(NodeRecord&)>& f) {
    auto iid = g_.store().LookupIid(id);
    ASSERT_TRUE(iid.ok() && iid->has_value());
    auto node = g_.store().GetNodeByIid(**iid, version);
    ASSERT_TRUE(node.ok() && node->has_value());
    NodeRecord record = **node;
    f(record);
    ASSERT_TRUE(g_.db()
                    .rocks()
                    ->Put(rocksdb::WriteOptions(), g_.db().handle(Cf::kNodes),
                          keys::EncodeNodeVersionKey({**iid, version}), EncodeNode(record))
                    .ok());
  }

  // The same for edge `from -label-> to`, in both adjacency families.
  void TamperEdge(const std::string& from, const std::string& label, const std::string& to,
                  uint64_t version, const std::function<void(EdgeRecord&)>& f) {
    auto from_iid = g_.store().LookupIid(from);
    auto to_iid = g_.store().LookupIid(to);
    ASSERT_TRUE(from_iid.ok() && from_iid->has_value() && to_iid.ok() && to_iid->has_value());
    const std::string out_key = keys::EncodeAdjacencyKey({**from_iid, label, **to_iid, version});
    std::string bytes;
    ASSERT_TRUE(g_.db()
                    .rocks()
                    ->Get(rocksdb::ReadOptions(), g_.db().handle(Cf::kOutEdges), out_key, &bytes)
                    .ok());
    absl::StatusOr<EdgeRecord> edge = DecodeEdge(bytes);
    ASSERT_TRUE(edge.ok()) << edge.status();
    f(*edge);
    for (const auto& [cf, key] :
         {std::pair{Cf::kOutEdges, out_key},
          std::pair{Cf::kInEdges,
                    keys::EncodeAdjacencyKey({**to_iid, label, **from_iid, version})}}) {
      ASSERT_TRUE(g_.db()
                      .rocks()
                      ->Put(rocksdb::WriteOptions(), g_.db().handle(cf), key, EncodeEdge(*edge))
                      .ok());
    }
  }

  // The audit entry stored under `seq`, and the same rewritten in place,
  // as someone with disk access could.
  absl::StatusOr<AuditEntry> StoredEntry(uint64_t seq) {
    std::string value;
    const rocksdb::Status s = g_.db().rocks()->Get(
        rocksdb::ReadOptions(), g_.db().handle(Cf::kAudit), keys::AuditKey(seq), &value);
    if (!s.ok()) return absl::InternalError(s.ToString());
    return DecodeAuditEntry(value);
  }
  void PutEntry(const AuditEntry& entry) {
    ASSERT_TRUE(g_.db()
                    .rocks()
                    ->Put(rocksdb::WriteOptions(), g_.db().handle(Cf::kAudit),
                          keys::AuditKey(entry.seq), EncodeAuditEntry(entry))
                    .ok());
  }

  RetrievalGraph g_;
  uint64_t version_ = 0;
  RetrievalResult retrieved_;
  std::string receipt_;
};

TEST_F(ReceiptAuditorTest, GetReceiptReturnsTheRecordedRequest) {
  // A sits between S and B, so it ranks first; P is hidden from the agent.
  ASSERT_EQ(ItemIds(retrieved_), (std::vector<std::string>{"A", "S", "B"}));
  ASSERT_OK_AND_ASSIGN(ReceiptRecord record, g_.Auditor(g_.auditor_).GetReceipt(receipt_));
  RetrievalRequest want = Seeds({"S"});
  want.max_items = 10;
  want.max_bytes = kDefaultRetrieveBytes;
  EXPECT_EQ(record.recorded.request, want);
  EXPECT_EQ(record.recorded.clearances, (std::vector<std::string>{"team:eng"}));
  EXPECT_EQ(record.recorded.policy_version, version_);
  EXPECT_EQ(record.entry.seq, g_.SeqOf(retrieved_.receipt.receipt_id));
  EXPECT_EQ(record.entry.principal, "agent");
  EXPECT_EQ(record.entry.snapshot_version, version_);
  EXPECT_EQ(record.entry.items_digest, retrieved_.receipt.digest);
}

TEST_F(ReceiptAuditorTest, OnlyAuditorsAndAdminsReadReceipts) {
  EXPECT_STATUS(g_.Auditor(kAgent).GetReceipt(receipt_), absl::StatusCode::kPermissionDenied,
                "GetReceipt requires the auditor or admin role");
  EXPECT_STATUS(g_.Auditor(kAgent).Replay(receipt_), absl::StatusCode::kPermissionDenied,
                "ReplayReceipt requires the auditor or admin role");
  ASSERT_OK(g_.Auditor(g_.admin_).GetReceipt(receipt_));
}

TEST_F(ReceiptAuditorTest, AnAuditorClearedForLessThanEverythingReadsNoReceipt) {
  // The receipt names S, A and B, and the request names S: an auditor
  // cleared only for team:eng would otherwise read ids that lineage shows
  // it as stubs. Refused before the receipt id is looked at.
  for (const Caller& caller : {MakeCaller("eng-auditor", {"team:eng"}, {Role::kAuditor}),
                               MakeCaller("eng-admin", {"team:eng", "pii"}, {Role::kAdmin})}) {
    for (const std::string& id : {receipt_, std::string("999"), std::string("abc")}) {
      EXPECT_STATUS(g_.Auditor(caller).GetReceipt(id), absl::StatusCode::kPermissionDenied,
                    "GetReceipt requires clearance \"*\": audit entries name every node whole");
      EXPECT_STATUS(g_.Auditor(caller).Replay(id), absl::StatusCode::kPermissionDenied,
                    "ReplayReceipt requires clearance \"*\": audit entries name every node whole");
    }
  }
}

TEST_F(ReceiptAuditorTest, UnknownOrMalformedReceiptIds) {
  ReceiptAuditor auditor = g_.Auditor(g_.auditor_);
  for (const std::string& bad :
       {std::string(""), std::string("abc"), std::string("0"), std::string("-1"), std::string("+3"),
        std::string("007"), std::string("1e3"), std::string("3 "), std::string(" 3"),
        receipt_.substr(1), receipt_ + "0", std::string(32, 'g'), std::string(31, 'a') + "A"}) {
    SCOPED_TRACE(bad);
    EXPECT_STATUS(auditor.GetReceipt(bad), absl::StatusCode::kInvalidArgument,
                  "receipt_id: must be the 32 lower-case hex digits Retrieve gave or an audit seq "
                  "in decimal");
  }
  EXPECT_STATUS(auditor.GetReceipt("999"), absl::StatusCode::kNotFound,
                "receipt \"999\" not found");
  // Entry 1 is the write commit, not a retrieval.
  EXPECT_STATUS(auditor.GetReceipt("1"), absl::StatusCode::kNotFound, "receipt \"1\" not found");
  // 32 hex digits this database never gave, one of them a digit off ours.
  std::string off = receipt_;
  off[5] = off[5] == '0' ? '1' : '0';
  for (const std::string& id : {off, std::string(32, '0'), std::string(32, 'f')}) {
    EXPECT_STATUS(auditor.GetReceipt(id), absl::StatusCode::kNotFound,
                  absl::StrCat("receipt \"", id, "\" not found"));
  }
}

// A receipt id names one entry, not a position in the log. A power loss
// within the audit sync window can lose entry N after its receipt was
// handed out; the next entry is stored as N again. The old id then names
// nothing, where a bare seq would name another principal's read.
TEST_F(ReceiptAuditorTest, AnIdNamesItsEntryNotWhateverIsStoredUnderItsSeq) {
  const uint64_t seq = g_.SeqOf(receipt_);
  ASSERT_OK_AND_ASSIGN(AuditPage page, g_.audit().List(AuditFilter{}, seq - 1, 1));
  ASSERT_EQ(page.entries.size(), 1u);
  ContentHash other = page.entries[0].hash;
  other[0] ^= 1;  // the hash of another entry stored under the same seq
  ASSERT_OK_AND_ASSIGN(const std::string lost, g_.receipt_ids().Encode(seq, other));
  ReceiptAuditor auditor = g_.Auditor(g_.auditor_);
  EXPECT_STATUS(auditor.GetReceipt(lost), absl::StatusCode::kNotFound,
                absl::StrCat("receipt \"", lost, "\" not found"));
  EXPECT_STATUS(auditor.Replay(lost), absl::StatusCode::kNotFound,
                absl::StrCat("receipt \"", lost, "\" not found"));
  // The id Retrieve gave and the decimal seq both name the entry.
  ASSERT_OK_AND_ASSIGN(ReceiptRecord by_id, auditor.GetReceipt(receipt_));
  ASSERT_OK_AND_ASSIGN(ReceiptRecord by_seq, auditor.GetReceipt(absl::StrCat(seq)));
  EXPECT_EQ(by_id.entry.seq, seq);
  EXPECT_EQ(by_seq.entry.hash, by_id.entry.hash);
}

TEST_F(ReceiptAuditorTest, ReplayMatchesAfterLaterWrites) {
  g_.Write({NodeOp("A", {}, "changed"), NodeOp("C"), EdgeOp("S", "REFERENCES", "C")});
  g_.Write({NodeDelete{"B"}});
  // The auditor sees everything, P too: the recorded clearances apply.
  ASSERT_OK_AND_ASSIGN(ReplayResult r, g_.Auditor(g_.auditor_).Replay(receipt_));
  EXPECT_TRUE(r.match);
  EXPECT_EQ(r.replay_digest, retrieved_.receipt.digest);
  EXPECT_EQ(r.recorded_digest, retrieved_.receipt.digest);
  EXPECT_TRUE(r.added.empty() && r.removed.empty() && r.changed.empty());
  EXPECT_TRUE(r.replay_error.empty());
  // Replay logs a "replay" entry, never a "retrieve" one.
  EXPECT_EQ(r.replay_seq, g_.audit().head_seq());
  ASSERT_OK_AND_ASSIGN(AuditPage page, g_.audit().List(AuditFilter{}, r.replay_seq - 1, 1));
  ASSERT_EQ(page.entries.size(), 1u);
  EXPECT_EQ(page.entries[0].action, "replay");
  EXPECT_EQ(page.entries[0].principal, "auditor");
  EXPECT_EQ(page.entries[0].summary,
            absl::StrCat("receipt=", g_.SeqOf(receipt_), " outcome=match"));
  EXPECT_EQ(page.entries[0].items_digest, retrieved_.receipt.digest);
  EXPECT_STATUS(g_.Auditor(g_.auditor_).GetReceipt(absl::StrCat(r.replay_seq)),
                absl::StatusCode::kNotFound,
                absl::StrCat("receipt \"", r.replay_seq, "\" not found"));
}

// A query's hits are seeds: the replay searches under the recorded policy
// version too, so a hit relabelled since (or any node, through the
// statistics) changes nothing.
TEST_F(ReceiptAuditorTest, AQuerySeededReplayMatchesAfterAHitIsRelabelled) {
  g_.Write({NodeOp("R1", {"team:eng"}, "roadmap alpha"), NodeOp("R2", {"team:eng"}, "roadmap beta"),
            NodeOp("R3", {}, "roadmap roadmap gamma")});
  RetrievalRequest request;
  request.query = "roadmap";
  request.max_hops = 0;
  request.max_items = 10;
  ASSERT_OK_AND_ASSIGN(RetrievalResult got, g_.Retrieve(kAgent, request));
  ASSERT_EQ(got.items.size(), 3u);
  g_.Write({NodeOp("R1", {"pii", "team:eng"}, "roadmap alpha"), NodeOp("S", {"pii"})});
  ASSERT_OK_AND_ASSIGN(ReplayResult r, g_.Auditor(g_.auditor_).Replay(got.receipt.receipt_id));
  EXPECT_TRUE(r.match);
  EXPECT_TRUE(r.added.empty() && r.removed.empty() && r.changed.empty());
  EXPECT_EQ(r.replay_digest, got.receipt.digest);
}
TEST_F(ReceiptAuditorTest, ReplayReportsAVersionRewrittenUnderneath) {
  Tamper("A", version_, [](NodeRecord& n) { n.provenance.version = 77; });
  ASSERT_OK_AND_ASSIGN(ReplayResult r, g_.Auditor(g_.auditor_).Replay(receipt_));
  EXPECT_FALSE(r.match);
  EXPECT_NE(r.replay_digest, r.recorded_digest);
  ASSERT_EQ(r.changed.size(), 1u);
  EXPECT_EQ(r.changed[0].node_id, "A");
  EXPECT_EQ(r.changed[0].recorded_version, version_);
  EXPECT_EQ(r.changed[0].replay_version, 77u);
  EXPECT_TRUE(r.added.empty() && r.removed.empty());
}

TEST_F(ReceiptAuditorTest, ReplayReportsPropsRewrittenUnderneathAtTheSameVersion) {
  // Same id, same version, other content; its stored hash left as it was.
  Tamper("A", version_, [](NodeRecord& n) { n.props["body"] = Value{std::string("forged")}; });
  ASSERT_OK_AND_ASSIGN(ReplayResult r, g_.Auditor(g_.auditor_).Replay(receipt_));
  EXPECT_FALSE(r.match);
  EXPECT_EQ(r.replay_digest, r.recorded_digest);
  EXPECT_EQ(r.altered, (std::vector<std::string>{"A"}));
  EXPECT_FALSE(r.content_changed);
  EXPECT_TRUE(r.added.empty() && r.removed.empty() && r.changed.empty());
  EXPECT_FALSE(r.order_changed);
}

TEST_F(ReceiptAuditorTest, ReplayReportsContentRewrittenWithAMatchingStoredHash) {
  // Whoever rewrote the boundary also rewrote the hash stored with it: only
  // the receipt's own record of the content tells.
  Tamper("S", version_, [](NodeRecord& n) {
    n.boundary.clear();
    n.provenance.content_hash = NodeContentHash(n);
  });
  ASSERT_OK_AND_ASSIGN(ReplayResult r, g_.Auditor(g_.auditor_).Replay(receipt_));
  EXPECT_FALSE(r.match);
  EXPECT_EQ(r.replay_digest, r.recorded_digest);
  EXPECT_TRUE(r.content_changed);
  EXPECT_TRUE(r.altered.empty());
}

TEST_F(ReceiptAuditorTest, ReplayReportsWhereAnItemCameFromRewrittenUnderneath) {
  // Outside the content hash, inside what the answer said of the item: its
  // source, then (the source put back) its writer.
  auto iid = g_.store().LookupIid("A");
  ASSERT_TRUE(iid.ok() && iid->has_value());
  auto original = g_.store().GetNodeByIid(**iid, version_);
  ASSERT_TRUE(original.ok() && original->has_value());
  const Source source = (*original)->source;
  for (const auto& rewrite : std::vector<std::function<void(NodeRecord&)>>{
           [](NodeRecord& n) { n.source.uri = "https://forged.example/"; },
           [&source](NodeRecord& n) {
             n.source = source;
             n.provenance.writer = "someone-else";
           }}) {
    Tamper("A", version_, rewrite);
    ASSERT_OK_AND_ASSIGN(ReplayResult r, g_.Auditor(g_.auditor_).Replay(receipt_));
    EXPECT_FALSE(r.match);
    EXPECT_TRUE(r.content_changed);
    EXPECT_TRUE(r.altered.empty());
  }
}

TEST_F(ReceiptAuditorTest, ReplayReportsAnEdgeRewrittenUnderneath) {
  TamperEdge("S", "REFERENCES", "A", version_,
             [](EdgeRecord& e) { e.props["weight"] = Value{int64_t{9}}; });
  ASSERT_OK_AND_ASSIGN(ReplayResult r, g_.Auditor(g_.auditor_).Replay(receipt_));
  EXPECT_FALSE(r.match);
  EXPECT_EQ(r.altered, (std::vector<std::string>{"S -REFERENCES-> A"}));
  TamperEdge("S", "REFERENCES", "A", version_,
             [](EdgeRecord& e) { e.provenance.content_hash = EdgeContentHash(e); });
  ASSERT_OK_AND_ASSIGN(r, g_.Auditor(g_.auditor_).Replay(receipt_));
  EXPECT_FALSE(r.match);
  EXPECT_TRUE(r.altered.empty());
  EXPECT_TRUE(r.content_changed);
}

TEST_F(ReceiptAuditorTest, AReceiptWithoutAContentDigestStillReplays) {
  // As written before receipts recorded one: the entry rewritten without
  // its content field, and the chain's hashes with it.
  const uint64_t seq = g_.SeqOf(retrieved_.receipt.receipt_id);
  ASSERT_OK_AND_ASSIGN(AuditEntry entry, StoredEntry(seq));
  const size_t content = entry.summary.find(" content=");
  ASSERT_NE(content, std::string::npos);
  entry.summary.resize(content);
  entry.hash = AuditEntryHash(entry);
  ASSERT_NO_FATAL_FAILURE(PutEntry(entry));
  ASSERT_OK_AND_ASSIGN(ReceiptRecord record, g_.Auditor(g_.auditor_).GetReceipt(absl::StrCat(seq)));
  EXPECT_FALSE(record.recorded.content.has_value());
  ASSERT_OK_AND_ASSIGN(ReplayResult r, g_.Auditor(g_.auditor_).Replay(absl::StrCat(seq)));
  EXPECT_TRUE(r.match);
  EXPECT_FALSE(r.content_changed);
}

// A receipt replays under the budget rule it was answered by: edges' props
// count towards max_bytes, or (an entry without budget_edges) did not.
TEST(ReceiptReplayTest, EdgesInTheBudgetReplayAsTheyWereAnswered) {
  RetrievalGraph g;
  StarWithEdgeProps(g);
  RetrievalRequest request = Seeds({"S"});
  request.max_bytes = 42;  // the items (28) and one edge (14)
  for (const bool counted : {true, false}) {
    RetrieverOptions options;
    options.edge_props_in_budget = counted;
    ASSERT_OK_AND_ASSIGN(RetrievalResult r, g.Retrieve(kAgent, request, options));
    ASSERT_EQ(r.edges.size(), counted ? 1u : 2u);
    ASSERT_OK_AND_ASSIGN(ReceiptRecord record,
                         g.Auditor(g.auditor_).GetReceipt(r.receipt.receipt_id));
    EXPECT_EQ(record.recorded.edges_in_budget, counted);
    ASSERT_OK_AND_ASSIGN(ReplayResult replay, g.Auditor(g.auditor_).Replay(r.receipt.receipt_id));
    EXPECT_TRUE(replay.match) << counted;
    EXPECT_FALSE(replay.content_changed) << counted;
  }
}

TEST_F(ReceiptAuditorTest, ReplayReportsNodesAddedAndRemovedUnderneath) {
  // B deleted and P unlabelled at the recorded version.
  Tamper("B", version_, [](NodeRecord& n) { n.deleted = true; });
  Tamper("P", version_, [](NodeRecord& n) { n.boundary.clear(); });
  ASSERT_OK_AND_ASSIGN(ReplayResult r, g_.Auditor(g_.auditor_).Replay(receipt_));
  EXPECT_FALSE(r.match);
  EXPECT_EQ(r.added, (std::vector<std::string>{"P"}));
  EXPECT_EQ(r.removed, (std::vector<std::string>{"B"}));
  EXPECT_TRUE(r.changed.empty());
}

TEST_F(ReceiptAuditorTest, ReplayReportsASeedThatVanishedUnderneath) {
  Tamper("S", version_, [](NodeRecord& n) { n.deleted = true; });
  ASSERT_OK_AND_ASSIGN(ReplayResult r, g_.Auditor(g_.auditor_).Replay(receipt_));
  EXPECT_FALSE(r.match);
  EXPECT_EQ(r.replay_error, "seeds[0]: node \"S\" not found");
  EXPECT_EQ(r.removed, (std::vector<std::string>{"A", "S", "B"}));
}

TEST_F(ReceiptAuditorTest, AnEditedReceiptEntryIsDataLoss) {
  const uint64_t seq = g_.SeqOf(retrieved_.receipt.receipt_id);
  ASSERT_OK_AND_ASSIGN(AuditEntry entry, StoredEntry(seq));
  entry.summary = absl::StrReplaceAll(entry.summary, {{"clearances=team:eng", "clearances=*"}});
  ASSERT_NO_FATAL_FAILURE(PutEntry(entry));
  EXPECT_STATUS(g_.Auditor(g_.auditor_).Replay(receipt_), absl::StatusCode::kDataLoss,
                absl::StrCat("receipt \"", receipt_, "\": the audit entry's hash does not verify"));
  // Edited into another action, it is still tampering, not an absent receipt.
  entry.action = "search";
  ASSERT_NO_FATAL_FAILURE(PutEntry(entry));
  EXPECT_STATUS(g_.Auditor(g_.auditor_).Replay(receipt_), absl::StatusCode::kDataLoss,
                absl::StrCat("receipt \"", receipt_, "\": the audit entry's hash does not verify"));
}

}  // namespace
}  // namespace ctxgraph
