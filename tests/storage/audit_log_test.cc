#include "storage/audit_log.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <string>
#include <thread>
#include <vector>

#include "storage/graph_store.h"
#include "storage/keys.h"
#include "storage/principal_store.h"
#include "storage/record_codec.h"
#include "storage/status_macros.h"
#include "tests/storage/store_fixture.h"
#include "tests/test_macros.h"

namespace ctxgraph {
namespace {

Mutation Node(std::string id, PropMap props = {}) {
  NodeUpsert m;
  m.node.id = std::move(id);
  m.node.labels = {"Document"};
  m.node.props = std::move(props);
  return m;
}

Mutation Edge(std::string from, std::string to) {
  EdgeUpsert m;
  m.edge.from = std::move(from);
  m.edge.label = "LINKS";
  m.edge.to = std::move(to);
  return m;
}

AuditItem NodeItem(std::string id, uint64_t version) { return {std::move(id), "", "", version}; }
AuditItem EdgeItem(std::string from, std::string to, uint64_t version) {
  return {std::move(from), "LINKS", std::move(to), version};
}

AuditEntry ReadEntry(std::string principal, std::string action, int64_t micros,
                     std::vector<AuditItem> items = {}) {
  AuditEntry e;
  e.principal = std::move(principal);
  e.action = std::move(action);
  e.time = Timestamp{micros};
  e.snapshot_version = 7;
  e.summary = "query=q3";
  e.items = std::move(items);
  return e;
}

AuditFilter Filter(std::string principal, std::string action = "", std::string node_id = "",
                   std::optional<Timestamp> since = {}, std::optional<Timestamp> until = {}) {
  return AuditFilter{std::move(principal), std::move(action), std::move(node_id), since, until};
}

std::string HashBytes(const ContentHash& h) {
  return std::string(reinterpret_cast<const char*>(h.data()), h.size());
}

class AuditLogTest : public StoreFixture {
 protected:
  AuditLog& log() { return db_->audit(); }

  std::vector<AuditEntry> All() {
    auto page = log().List(Filter(""), 0, 100000);
    EXPECT_TRUE(page.ok()) << page.status();
    return page.ok() ? page->entries : std::vector<AuditEntry>{};
  }
  std::vector<uint64_t> Seqs(const AuditFilter& filter, uint64_t after = 0, size_t limit = 100,
                             size_t max_bytes = SIZE_MAX) {
    auto page = log().List(filter, after, limit, max_bytes);
    EXPECT_TRUE(page.ok()) << page.status();
    std::vector<uint64_t> out;
    if (page.ok()) {
      for (const auto& e : page->entries) out.push_back(e.seq);
    }
    return out;
  }
  void AppendReads(int n) {
    for (int i = 1; i <= n; ++i) {
      ASSERT_OK(log().Append(ReadEntry("agent", "search", 1000 * i)));
    }
  }

  // Raw access to the column family, as an attacker with the files has.
  std::string RawGet(uint64_t seq) {
    std::string value;
    EXPECT_TRUE(
        db_->rocks()
            ->Get(rocksdb::ReadOptions(), db_->handle(Cf::kAudit), keys::AuditKey(seq), &value)
            .ok());
    return value;
  }
  void RawPut(uint64_t seq, const std::string& value) {
    ASSERT_TRUE(
        db_->rocks()
            ->Put(rocksdb::WriteOptions(), db_->handle(Cf::kAudit), keys::AuditKey(seq), value)
            .ok());
  }
  void RawDelete(uint64_t seq) {
    ASSERT_TRUE(db_->rocks()
                    ->Delete(rocksdb::WriteOptions(), db_->handle(Cf::kAudit), keys::AuditKey(seq))
                    .ok());
  }
  // Every byte of the audit column family, keys and values.
  std::string RawBytes() {
    std::string out;
    auto it = db_->NewIterator(Cf::kAudit);
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      out += it->key().ToString() + it->value().ToString();
    }
    return out;
  }

  void ExpectBroken(uint64_t first_bad, uint64_t checked, const std::string& reason) {
    ASSERT_OK_AND_ASSIGN(AuditVerifyResult r, log().Verify());
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.first_bad_seq, first_bad);
    EXPECT_EQ(r.entries_checked, checked);
    EXPECT_EQ(r.reason, reason);
  }

  AllowAllWrites guard_;
};

TEST_F(AuditLogTest, EntriesChainFromZeroWithExactHashes) {
  ASSERT_OK_AND_ASSIGN(AuditEntry first, log().Append(ReadEntry("agent", "search", 1000)));
  ASSERT_OK_AND_ASSIGN(AuditEntry second,
                       log().Append(ReadEntry("agent", "retrieve", 2000, {NodeItem("doc-1", 3)})));
  EXPECT_EQ(first.seq, 1u);
  EXPECT_EQ(second.seq, 2u);
  EXPECT_EQ(first.prev_hash, ContentHash{});
  EXPECT_EQ(second.prev_hash, first.hash);
  // hash = SHA-256(prev_hash || body), computed here from the parts.
  EXPECT_EQ(first.hash, Sha256(std::string(32, '\0') + EncodeAuditBody(first)));
  EXPECT_EQ(second.hash, Sha256(HashBytes(first.hash) + EncodeAuditBody(second)));
  // Pinned (and computed apart from this code, from the layout documented in
  // record_codec.h): the on-disk format and chain of a known entry never change.
  EXPECT_EQ(ToHex(first.hash), "e2e44e41a0cd3efcc6c41db6b94c1985292e4440e162b1e3e08f9b73daff424e");
  // No items digests SHA-256 of nothing.
  EXPECT_EQ(ToHex(first.items_digest),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(first.items_total, 0u);
  EXPECT_EQ(second.items, (std::vector<AuditItem>{NodeItem("doc-1", 3)}));
  EXPECT_EQ(second.items_total, 1u);
  // What is stored is what Append answered.
  EXPECT_EQ(All(), (std::vector<AuditEntry>{first, second}));
  EXPECT_EQ(log().head_seq(), 2u);
}

TEST_F(AuditLogTest, ItemsBeyondTheCapAreCountedAndDigestedNotListed) {
  std::vector<AuditItem> items;
  AuditItemDigest all;
  for (size_t i = 0; i <= kMaxAuditItems; ++i) {
    items.push_back(NodeItem("n" + std::to_string(i), i));
    all.Add(items.back());
  }
  ASSERT_OK_AND_ASSIGN(AuditEntry e, log().Append(ReadEntry("agent", "search", 1, items)));
  EXPECT_EQ(e.items.size(), kMaxAuditItems);
  EXPECT_EQ(e.items.back(), NodeItem("n999", 999));
  EXPECT_EQ(e.items_total, kMaxAuditItems + 1);
  EXPECT_EQ(e.items_digest, all.Digest());
  items.pop_back();
  AuditItemDigest listed;
  for (const auto& item : items) listed.Add(item);
  EXPECT_NE(e.items_digest, listed.Digest());  // the unlisted item is committed to
}

TEST_F(AuditLogTest, VerifyAnswersOkWithTheCount) {
  AppendReads(5);
  ASSERT_OK_AND_ASSIGN(AuditVerifyResult r, log().Verify());
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.entries_checked, 5u);
  EXPECT_EQ(r.first_bad_seq, 0u);
  EXPECT_EQ(r.reason, "");
  EXPECT_EQ(r.head_seq, 5u);
  EXPECT_EQ(r.head_hash, All().back().hash);
}

// Synced appends from many threads share WAL syncs (SyncThrough); each
// still gets its own seq, and the chain has no gap or fork.
TEST_F(AuditLogTest, ConcurrentSyncedAppendsChainEveryEntryOnce) {
  constexpr int kThreads = 8, kEach = 50;
  std::vector<std::vector<uint64_t>> seqs(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        absl::StatusOr<AuditEntry> e = log().Append(ReadEntry("agent", "search", 1 + i));
        seqs[t].push_back(e.ok() ? e->seq : 0);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  std::vector<uint64_t> all;
  for (const auto& s : seqs) all.insert(all.end(), s.begin(), s.end());
  std::sort(all.begin(), all.end());
  std::vector<uint64_t> expected(kThreads * kEach);
  std::iota(expected.begin(), expected.end(), 1);
  EXPECT_EQ(all, expected);
  ASSERT_OK_AND_ASSIGN(AuditVerifyResult r, log().Verify());
  EXPECT_TRUE(r.ok) << r.reason;
  EXPECT_EQ(r.entries_checked, static_cast<uint64_t>(kThreads * kEach));
}

TEST_F(AuditLogTest, VerifyOfAnEmptyLogIsOk) {
  ASSERT_OK_AND_ASSIGN(AuditVerifyResult r, log().Verify());
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.entries_checked, 0u);
}

TEST_F(AuditLogTest, VerifyFindsAnEditedEntry) {
  AppendReads(4);
  ASSERT_OK_AND_ASSIGN(AuditEntry e, DecodeAuditEntry(RawGet(3)));
  e.principal = "someone-else";  // hashes kept as they were
  RawPut(3, EncodeAuditEntry(e));
  ExpectBroken(3, 2, "hash does not match the content: entry edited");
}

TEST_F(AuditLogTest, VerifyFindsADeletedEntry) {
  AppendReads(4);
  RawDelete(2);
  ExpectBroken(2, 1, "entry is missing (the next entry is 3)");
}

TEST_F(AuditLogTest, VerifyFindsTheLastEntriesDeleted) {
  AppendReads(4);
  RawDelete(4);
  ExpectBroken(4, 3, "entry is missing (the log ends at 3, its head is 4)");
}

TEST_F(AuditLogTest, VerifyFindsASwappedPair) {
  AppendReads(4);
  const std::string two = RawGet(2), three = RawGet(3);
  RawPut(2, three);
  RawPut(3, two);
  ExpectBroken(2, 1, "holds entry 3: entries reordered");
}

TEST_F(AuditLogTest, VerifyFindsASwappedPairWithRenumberedEntries) {
  AppendReads(4);
  ASSERT_OK_AND_ASSIGN(AuditEntry two, DecodeAuditEntry(RawGet(2)));
  ASSERT_OK_AND_ASSIGN(AuditEntry three, DecodeAuditEntry(RawGet(3)));
  std::swap(two.seq, three.seq);
  RawPut(2, EncodeAuditEntry(three));
  RawPut(3, EncodeAuditEntry(two));
  ExpectBroken(2, 1, "prev_hash does not match entry 1: entries reordered");
}

TEST_F(AuditLogTest, VerifyFindsAnUndecodableEntry) {
  AppendReads(2);
  RawPut(1, "\x01garbage");
  ExpectBroken(1, 0, "audit record: corrupt or truncated");
}

TEST_F(AuditLogTest, RestartKeepsTheChainAndContinuesIt) {
  AppendReads(2);
  const ContentHash head = All().back().hash;
  Reopen();
  EXPECT_EQ(log().head_seq(), 2u);
  ASSERT_OK_AND_ASSIGN(AuditEntry third, log().Append(ReadEntry("agent", "search", 3000)));
  EXPECT_EQ(third.seq, 3u);
  EXPECT_EQ(third.prev_hash, head);
  ASSERT_OK_AND_ASSIGN(AuditVerifyResult r, log().Verify());
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.entries_checked, 3u);
}

TEST_F(AuditLogTest, OpenRefusesToExtendAnUndecodableLastEntry) {
  AppendReads(2);
  RawPut(2, "\x01x");
  store_.reset();
  db_.reset();
  EXPECT_STATUS(Database::Open(dir_.path(), DatabaseOptions{}), absl::StatusCode::kDataLoss,
                "audit log: last entry 2: audit record: corrupt or truncated");
}

TEST_F(AuditLogTest, AWriteCommitAndItsEntryAreOne) {
  ASSERT_OK_AND_ASSIGN(WriteResult w, store_->Apply({Node("a"), Node("b"), Edge("a", "b")}, guard_,
                                                    "loader-1", "first load"));
  ASSERT_EQ(w.version, 1u);
  const std::vector<AuditEntry> entries = All();
  ASSERT_EQ(entries.size(), 1u);
  const AuditEntry& e = entries[0];
  EXPECT_EQ(e.seq, 1u);
  EXPECT_EQ(e.principal, "loader-1");
  EXPECT_EQ(e.action, "write");
  EXPECT_EQ(e.summary, "ops=3 description=first load");
  EXPECT_EQ(e.snapshot_version, 1u);
  ASSERT_OK_AND_ASSIGN(CommitRecord commit, db_->GetCommit(1));
  EXPECT_EQ(e.time, commit.time);
  const std::vector<AuditItem> want = {NodeItem("a", 1), NodeItem("b", 1), EdgeItem("a", "b", 1)};
  EXPECT_EQ(e.items, want);
  EXPECT_EQ(e.items_total, 3u);
  AuditItemDigest digest;
  for (const auto& item : want) digest.Add(item);
  EXPECT_EQ(e.items_digest, digest.Digest());
}

TEST_F(AuditLogTest, ADeleteListsTheNodeAndItsCascadedEdges) {
  ASSERT_OK(store_->Apply({Node("a"), Node("b"), Edge("a", "b"), Edge("b", "a")}, guard_, "w", ""));
  ASSERT_OK(store_->Apply({NodeDelete{"a"}}, guard_, "w", "drop a"));
  const std::vector<AuditEntry> entries = All();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[1].items, (std::vector<AuditItem>{NodeItem("a", 2), EdgeItem("a", "b", 2),
                                                      EdgeItem("b", "a", 2)}));
  EXPECT_EQ(entries[1].snapshot_version, 2u);
}

TEST_F(AuditLogTest, FailedAndNoOpWritesLeaveNoEntry) {
  ASSERT_OK(store_->Apply({Node("a")}, guard_, "w", ""));
  EXPECT_STATUS(store_->Apply({Node("b"), Edge("b", "missing")}, guard_, "w", ""),
                absl::StatusCode::kFailedPrecondition,
                "ops[1].upsert_edge.to: node \"missing\" not found");
  ASSERT_OK_AND_ASSIGN(WriteResult same, store_->Apply({Node("a")}, guard_, "w", ""));
  EXPECT_FALSE(same.committed);
  EXPECT_EQ(log().head_seq(), 1u);
  ASSERT_OK_AND_ASSIGN(WriteResult next, store_->Apply({Node("c")}, guard_, "w", ""));
  ASSERT_OK_AND_ASSIGN(AuditPage page, log().List(Filter(""), 1, 10));
  ASSERT_EQ(page.entries.size(), 1u);
  EXPECT_EQ(page.entries[0].seq, 2u);
  EXPECT_EQ(page.entries[0].snapshot_version, next.version);
  EXPECT_EQ(page.entries[0].items, (std::vector<AuditItem>{NodeItem("c", 2)}));
}

TEST_F(AuditLogTest, CommitsOverTheCapListTheFirstItemsAndCommitToAll) {
  std::vector<Mutation> ops;
  AuditItemDigest digest;
  for (size_t i = 0; i <= kMaxAuditItems; ++i) {
    ops.push_back(Node("n" + std::to_string(i)));
    digest.Add(NodeItem("n" + std::to_string(i), 1));
  }
  ASSERT_OK(store_->Apply(ops, guard_, "w", ""));
  const AuditEntry e = All().at(0);
  EXPECT_EQ(e.items.size(), kMaxAuditItems);
  EXPECT_EQ(e.items.front(), NodeItem("n0", 1));
  EXPECT_EQ(e.items_total, kMaxAuditItems + 1);
  EXPECT_EQ(e.items_digest, digest.Digest());
}

class AuditSessionTest : public AuditLogTest {
 protected:
  absl::Status WriteChunk(CommitSession& session, std::vector<Mutation> ops,
                          absl::Status fail = absl::OkStatus()) {
    std::vector<IndexedMutation> indexed;
    for (auto& op : ops) indexed.emplace_back(indexed.size(), std::move(op));
    return session.Write([&](CommitContext& ctx) -> absl::Status {
      ChunkResult result;
      RETURN_IF_ERROR(store_->ApplyEach(ctx, indexed, guard_, false, nullptr, &result));
      return fail;
    });
  }
};

TEST_F(AuditSessionTest, ABulkCommitGetsOneEntryWhenItFinishes) {
  auto session = db_->BeginSession("loader");
  ASSERT_OK(WriteChunk(*session, {Node("a"), Node("b")}));
  // A batch whose build fails writes nothing, and names nothing.
  EXPECT_STATUS(WriteChunk(*session, {Node("x")}, absl::AbortedError("dropped")),
                absl::StatusCode::kAborted, "dropped");
  ASSERT_OK(WriteChunk(*session, {Edge("a", "b")}));
  EXPECT_EQ(log().head_seq(), 0u);  // nothing before Finish
  ASSERT_OK(session->Finish("bulk"));
  const std::vector<AuditEntry> entries = All();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].action, "commit");
  EXPECT_EQ(entries[0].summary, "bulk");
  EXPECT_EQ(entries[0].principal, "loader");
  EXPECT_EQ(entries[0].snapshot_version, 1u);
  EXPECT_EQ(entries[0].items,
            (std::vector<AuditItem>{NodeItem("a", 1), NodeItem("b", 1), EdgeItem("a", "b", 1)}));
}

TEST_F(AuditSessionTest, AnAbortedSessionLeavesNoEntry) {
  {
    auto session = db_->BeginSession("loader");
    ASSERT_OK(WriteChunk(*session, {Node("a")}));
    ASSERT_OK(session->Abort());
  }
  {
    auto session = db_->BeginSession("loader");
    ASSERT_OK(WriteChunk(*session, {Node("b")}));
    // Destroyed unfinished: aborts itself.
  }
  EXPECT_EQ(log().head_seq(), 0u);
  EXPECT_EQ(RawBytes(), "");
  ASSERT_OK(store_->Apply({Node("c")}, guard_, "w", ""));
  const std::vector<AuditEntry> entries = All();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].seq, 1u);
  EXPECT_EQ(entries[0].items, (std::vector<AuditItem>{NodeItem("c", 1)}));
}

TEST_F(AuditLogTest, ExtraEntriesOfACommitFollowItsOwnInTheSameChain) {
  ASSERT_OK(store_->Apply({Node("a")}, guard_, "w", ""));
  ASSERT_OK_AND_ASSIGN(
      WriteResult w,
      store_->ApplyPlanned("steward", "relabel", guard_,
                           [&](CommitContext& ctx) -> absl::StatusOr<std::vector<Mutation>> {
                             ctx.SetAuditNote({"label.assign", "two nodes"});
                             for (const char* id : {"b", "c"}) {
                               AuditEntry e;
                               e.action = "label.assign.node";
                               e.summary = std::string("node ") + id;
                               e.items.push_back(NodeItem(id, ctx.version()));
                               ctx.AddAuditEntry(std::move(e));
                             }
                             return std::vector<Mutation>{Node("b"), Node("c")};
                           }));
  const std::vector<AuditEntry> entries = All();
  ASSERT_EQ(entries.size(), 4u);
  ASSERT_OK_AND_ASSIGN(CommitRecord commit, db_->GetCommit(w.version));
  EXPECT_EQ(entries[1].action, "label.assign");
  EXPECT_EQ(entries[1].items, (std::vector<AuditItem>{NodeItem("b", 2), NodeItem("c", 2)}));
  for (size_t i : {2u, 3u}) {
    const AuditEntry& e = entries[i];
    EXPECT_EQ(e.seq, i + 1);
    EXPECT_EQ(e.action, "label.assign.node");
    EXPECT_EQ(e.principal, "steward");
    EXPECT_EQ(e.time, commit.time);
    EXPECT_EQ(e.snapshot_version, w.version);
    EXPECT_EQ(e.items_total, 1u);
    EXPECT_EQ(e.prev_hash, entries[i - 1].hash);
  }
  EXPECT_EQ(entries[3].items, (std::vector<AuditItem>{NodeItem("c", 2)}));
  ASSERT_OK_AND_ASSIGN(AuditVerifyResult r, log().Verify());
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.entries_checked, 4u);
  // A plan that fails leaves none of its entries.
  EXPECT_STATUS(
      store_->ApplyPlanned("steward", "x", guard_,
                           [&](CommitContext& ctx) -> absl::StatusOr<std::vector<Mutation>> {
                             AuditEntry e;
                             e.action = "label.assign.node";
                             ctx.AddAuditEntry(std::move(e));
                             return absl::NotFoundError("node_ids[0]: node \"z\" not found");
                           }),
      absl::StatusCode::kNotFound, "node_ids[0]: node \"z\" not found");
  EXPECT_EQ(log().head_seq(), 4u);
}

TEST_F(AuditLogTest, AdminCommitsAreNamedByTheirNote) {
  PrincipalStore principals(db_.get());
  ASSERT_OK(principals.Update("bob", "admin", {"admin.create_principal", "admin: create bob"},
                              [](std::optional<PrincipalRecord>& p) {
                                p = PrincipalRecord{"bob", {Role::kAgent}, {}, {}, 0};
                                return absl::OkStatus();
                              }));
  const AuditEntry e = All().at(0);
  EXPECT_EQ(e.action, "admin.create_principal");
  EXPECT_EQ(e.summary, "admin: create bob");
  EXPECT_EQ(e.principal, "admin");
  EXPECT_EQ(e.items_total, 0u);
  ASSERT_OK_AND_ASSIGN(CommitRecord commit, db_->GetCommit(1));
  EXPECT_EQ(commit.description, "admin: create bob");
}

TEST_F(AuditLogTest, EntriesNeverHoldPropValues) {
  const std::string canary = "canary-4f1d9c-secret-prop-value";
  ASSERT_OK(store_->Apply({Node("doc-1", {{"title", Value{canary}}})}, guard_, "w", "load"));
  ASSERT_OK(log().Append(ReadEntry("agent", "retrieve", 1, {NodeItem("doc-1", 1)})));
  const std::string raw = RawBytes();
  EXPECT_NE(raw.find("doc-1"), std::string::npos);
  EXPECT_EQ(raw.find(canary), std::string::npos);
}

TEST_F(AuditLogTest, ListFiltersByPrincipalActionNodeAndTime) {
  ASSERT_OK(log().Append(ReadEntry("alice", "search", 100, {NodeItem("n1", 1)})));          // 1
  ASSERT_OK(log().Append(ReadEntry("bob", "search", 200, {NodeItem("n2", 1)})));            // 2
  ASSERT_OK(log().Append(ReadEntry("alice", "retrieve", 300, {EdgeItem("n3", "n1", 1)})));  // 3
  ASSERT_OK(log().Append(ReadEntry("bob", "retrieve", 400)));                               // 4
  EXPECT_EQ(Seqs(Filter("")), (std::vector<uint64_t>{1, 2, 3, 4}));
  EXPECT_EQ(Seqs(Filter("alice")), (std::vector<uint64_t>{1, 3}));
  EXPECT_EQ(Seqs(Filter("", "retrieve")), (std::vector<uint64_t>{3, 4}));
  EXPECT_EQ(Seqs(Filter("bob", "search")), (std::vector<uint64_t>{2}));
  // A node is named as a node or as either end of an edge.
  EXPECT_EQ(Seqs(Filter("", "", "n1")), (std::vector<uint64_t>{1, 3}));
  EXPECT_EQ(Seqs(Filter("", "", "n3")), (std::vector<uint64_t>{3}));
  EXPECT_EQ(Seqs(Filter("", "", "LINKS")), (std::vector<uint64_t>{}));
  // since inclusive, until exclusive.
  EXPECT_EQ(Seqs(Filter("", "", "", Timestamp{200}, Timestamp{400})),
            (std::vector<uint64_t>{2, 3}));
  EXPECT_EQ(Seqs(Filter("", "", "", Timestamp{401})), (std::vector<uint64_t>{}));
}

TEST_F(AuditLogTest, ListPagesAfterASeq) {
  AppendReads(5);
  ASSERT_OK_AND_ASSIGN(AuditPage first, log().List(Filter(""), 0, 2));
  ASSERT_EQ(first.entries.size(), 2u);
  EXPECT_EQ(first.entries[1].seq, 2u);
  EXPECT_TRUE(first.more);
  EXPECT_EQ(Seqs(Filter(""), 2, 2), (std::vector<uint64_t>{3, 4}));
  ASSERT_OK_AND_ASSIGN(AuditPage last, log().List(Filter(""), 3, 2));
  EXPECT_EQ(last.entries.size(), 2u);
  EXPECT_FALSE(last.more);  // exactly filled: no further entry
  // Filtered: "more" only when another matching entry follows.
  ASSERT_OK(log().Append(ReadEntry("bob", "retrieve", 1)));  // 6
  ASSERT_OK_AND_ASSIGN(AuditPage agent, log().List(Filter("agent"), 3, 2));
  EXPECT_FALSE(agent.more);
  EXPECT_EQ(Seqs(Filter(""), ~uint64_t{0}), (std::vector<uint64_t>{}));
}

TEST_F(AuditLogTest, AListPageEndsAfterTheEntryThatReachesItsByteBound) {
  std::vector<AuditItem> items;
  for (int i = 0; i < 100; ++i)
    items.push_back(NodeItem(absl::StrCat(std::string(100, 'n'), i), 1));
  for (int i = 0; i < 4; ++i) ASSERT_OK(log().Append(ReadEntry("alice", "search", 100, items)));
  // Each entry is over 10,000 bytes: the page ends after the second.
  ASSERT_OK_AND_ASSIGN(AuditPage page, log().List(Filter(""), 0, 10, 15000));
  EXPECT_EQ(page.entries.size(), 2u);
  EXPECT_TRUE(page.more);
  ASSERT_OK_AND_ASSIGN(page, log().List(Filter(""), 2, 10, 15000));
  EXPECT_EQ(page.entries.size(), 2u);
  EXPECT_FALSE(page.more);
  // One entry per page at least, however small the bound.
  EXPECT_EQ(Seqs(Filter(""), 0, 10, 1), (std::vector<uint64_t>{1}));
}

TEST_F(AuditLogTest, AScanBudgetEndsAPageShortOrEmptyAndItResumesWhereItStopped) {
  // Ten entries; only 3 and 10 are bob's.
  for (int i = 1; i <= 10; ++i) {
    ASSERT_OK(log().Append(ReadEntry(i == 3 || i == 10 ? "bob" : "alice", "retrieve", i)));
  }
  // Four entries read per call.
  ASSERT_OK_AND_ASSIGN(AuditPage page, log().List(Filter("bob"), 0, 5, SIZE_MAX, 4));
  ASSERT_EQ(page.entries.size(), 1u);
  EXPECT_EQ(page.entries[0].seq, 3u);
  EXPECT_TRUE(page.more);
  EXPECT_EQ(page.resume_after, 4u);  // 4 read and skipped: the next call starts at 5
  ASSERT_OK_AND_ASSIGN(page, log().List(Filter("bob"), page.resume_after, 5, SIZE_MAX, 4));
  EXPECT_TRUE(page.entries.empty());
  EXPECT_TRUE(page.more);
  EXPECT_EQ(page.resume_after, 8u);
  ASSERT_OK_AND_ASSIGN(page, log().List(Filter("bob"), page.resume_after, 5, SIZE_MAX, 4));
  ASSERT_EQ(page.entries.size(), 1u);
  EXPECT_EQ(page.entries[0].seq, 10u);
  EXPECT_FALSE(page.more);
  EXPECT_EQ(page.resume_after, 10u);
  // A budget spent on exactly the last entry: nothing is left, so no more.
  ASSERT_OK_AND_ASSIGN(page, log().List(Filter("bob"), 6, 5, SIZE_MAX, 4));
  EXPECT_FALSE(page.more);
  // A full page resumes after its last entry, not after the match it found
  // beyond it.
  ASSERT_OK_AND_ASSIGN(page, log().List(Filter(""), 0, 2, SIZE_MAX, 4));
  EXPECT_TRUE(page.more);
  EXPECT_EQ(page.resume_after, 2u);
  // Without a budget, nothing changes: bob's two entries in one page.
  EXPECT_EQ(Seqs(Filter("bob")), (std::vector<uint64_t>{3, 10}));
}

TEST_F(AuditLogTest, AScanResumesByTheKeyWhateverSeqAnEntryClaims) {
  AppendReads(6);
  // Entry 4, edited on disk to claim seq 1: a page that ends on it must not
  // send the next one back to 2.
  AuditEntry forged = All()[3];
  forged.seq = 1;
  RawPut(4, EncodeAuditEntry(forged));
  ASSERT_OK_AND_ASSIGN(AuditPage page, log().List(Filter("nobody"), 0, 5, SIZE_MAX, 4));
  EXPECT_TRUE(page.more);
  EXPECT_EQ(page.resume_after, 4u);
}

TEST_F(AuditLogTest, ListReportsAnUndecodableEntry) {
  AppendReads(2);
  RawPut(2, "\x01x");
  EXPECT_STATUS(log().List(Filter(""), 0, 10), absl::StatusCode::kDataLoss,
                "audit entry 2: audit record: corrupt or truncated");
}

}  // namespace
}  // namespace ctxgraph
