#include "storage/graph_store.h"

#include <gtest/gtest.h>

#include <memory>

#include "storage/keys.h"
#include "storage/record_codec.h"
#include "tests/storage/store_fixture.h"
#include "tests/test_macros.h"

namespace ctxgraph {
namespace {

// Hides nodes whose boundary contains "secret".
class HideSecret final : public WriteGuard {
 public:
  absl::Status CheckNodeWrite(std::string_view field, const NodeRecord* existing,
                              const NodeRecord*) override {
    if (existing && !CanSee(*existing)) return absl::PermissionDeniedError(std::string(field));
    return absl::OkStatus();
  }
  bool CanSee(const NodeRecord& n) override {
    return std::find(n.boundary.begin(), n.boundary.end(), "secret") == n.boundary.end();
  }
  absl::Status CheckLabelDefine(std::string_view, const LabelDefinition&) override {
    return absl::OkStatus();
  }
};

Mutation Edge(std::string from, std::string label, std::string to) {
  EdgeUpsert m;
  m.edge.from = std::move(from);
  m.edge.label = std::move(label);
  m.edge.to = std::move(to);
  return m;
}

class GraphStoreTest : public StoreFixture {
 protected:
  absl::StatusOr<WriteResult> Apply(std::vector<Mutation> m) {
    AllowAllWrites guard;
    return store_->Apply(m, guard, "tester", "test batch");
  }

  std::string Title(std::string_view id, uint64_t version) {
    auto node = store_->GetNode(id, version);
    if (!node.ok()) return "error: " + node.status().ToString();
    if (!*node) return "<absent>";
    return std::get<std::string>((*node)->props.at("title").v);
  }

  std::vector<std::string> LabelIds(std::string_view label, uint64_t version) {
    std::vector<std::string> ids;
    EXPECT_OK(store_->ScanLabel(label, version, 0, [&](uint64_t iid) {
      ids.push_back((*store_->GetNodeByIid(iid, version))->id);
      return true;
    }));
    return ids;
  }

  std::vector<std::string> Adjacent(std::string_view id, uint64_t version,
                                    std::vector<EdgeDirection> dirs = {EdgeDirection::kOut,
                                                                       EdgeDirection::kIn},
                                    std::vector<std::string> labels = {}) {
    std::vector<std::string> out;
    auto iid = *store_->LookupIid(id);
    EXPECT_OK(store_->ScanAdjacency(
        *iid, dirs, labels, version, std::nullopt, [&](const AdjacencyEntry& e) {
          out.push_back(e.edge.from + "-" + e.edge.label + "->" + e.edge.to);
          return true;
        }));
    return out;
  }
};

TEST_F(GraphStoreTest, MvccWriteUpdateDeleteReadAsOfEachVersion) {
  ASSERT_OK_AND_ASSIGN(WriteResult v1, Apply({TitledNode("doc-1", "first")}));
  ASSERT_OK_AND_ASSIGN(WriteResult v2, Apply({TitledNode("doc-1", "second")}));
  ASSERT_OK_AND_ASSIGN(WriteResult v3, Apply({NodeDelete{"doc-1"}}));
  EXPECT_EQ(v1.version, 1u);
  EXPECT_EQ(v2.version, 2u);
  EXPECT_EQ(v3.version, 3u);
  EXPECT_EQ(db_->LatestVersion(), 3u);

  EXPECT_EQ(Title("doc-1", 1), "first");
  EXPECT_EQ(Title("doc-1", 2), "second");
  EXPECT_EQ(Title("doc-1", 3), "<absent>");
  EXPECT_EQ(Title("doc-1", keys::kMaxVersion), "<absent>");

  ASSERT_OK_AND_ASSIGN(auto at2, store_->GetNode("doc-1", 2));
  EXPECT_EQ(at2->provenance.version, 2u);
  EXPECT_EQ(at2->provenance.writer, "tester");

  EXPECT_EQ(LabelIds("Document", 1), std::vector<std::string>{"doc-1"});
  EXPECT_EQ(LabelIds("Document", 2), std::vector<std::string>{"doc-1"});
  EXPECT_TRUE(LabelIds("Document", 3).empty());

  ASSERT_OK_AND_ASSIGN(CommitRecord c2, db_->GetCommit(2));
  EXPECT_EQ(c2.principal, "tester");
  EXPECT_EQ(c2.description, "test batch");
}

TEST_F(GraphStoreTest, RecreatedNodeAfterDeleteIsVisibleAgain) {
  ASSERT_OK(Apply({TitledNode("n", "a")}));
  ASSERT_OK(Apply({NodeDelete{"n"}}));
  ASSERT_OK(Apply({TitledNode("n", "b")}));
  EXPECT_EQ(Title("n", 1), "a");
  EXPECT_EQ(Title("n", 2), "<absent>");
  EXPECT_EQ(Title("n", 3), "b");
  EXPECT_EQ(LabelIds("Document", 3), std::vector<std::string>{"n"});
}

TEST_F(GraphStoreTest, IdenticalContentCommitsNoVersion) {
  ASSERT_OK(Apply({TitledNode("a", "x"), TitledNode("b", "y"), Edge("a", "REFERENCES", "b")}));
  ASSERT_OK_AND_ASSIGN(WriteResult again, Apply({TitledNode("a", "x"), TitledNode("b", "y"),
                                                 Edge("a", "REFERENCES", "b")}));
  EXPECT_FALSE(again.committed);
  EXPECT_EQ(again.version, 1u);
  EXPECT_EQ(again.unchanged, 3u);
  EXPECT_EQ(db_->LatestVersion(), 1u);
  // Deleting what is absent is a no-op too.
  ASSERT_OK_AND_ASSIGN(WriteResult del, Apply({NodeDelete{"never"}}));
  EXPECT_FALSE(del.committed);
}

TEST_F(GraphStoreTest, BatchWithDanglingEdgeWritesNothing) {
  ASSERT_OK(Apply({TitledNode("a", "x")}));
  auto result =
      Apply({TitledNode("b", "y"), TitledNode("c", "z"), Edge("b", "MENTIONS", "missing")});
  EXPECT_STATUS(result, absl::StatusCode::kFailedPrecondition,
                "ops[2].upsert_edge.to: node \"missing\" not found");
  EXPECT_EQ(db_->LatestVersion(), 1u);
  EXPECT_EQ(Title("b", keys::kMaxVersion), "<absent>");
  EXPECT_EQ(Title("c", keys::kMaxVersion), "<absent>");
  // The failed batch's interned ids were not persisted either.
  ASSERT_OK_AND_ASSIGN(auto iid, store_->LookupIid("missing"));
  EXPECT_FALSE(iid.has_value());
  ASSERT_OK_AND_ASSIGN(auto b_iid, store_->LookupIid("b"));
  EXPECT_FALSE(b_iid.has_value());
}

TEST_F(GraphStoreTest, EdgeMayPrecedeItsEndpointsInOneBatch) {
  ASSERT_OK_AND_ASSIGN(WriteResult r, Apply({Edge("msg-7", "PART_OF", "conv-2"),
                                             TitledNode("msg-7", "m"), TitledNode("conv-2", "c")}));
  EXPECT_EQ(r.edges_written, 1u);
  EXPECT_EQ(Adjacent("msg-7", 1), std::vector<std::string>{"msg-7-PART_OF->conv-2"});
  EXPECT_EQ(Adjacent("conv-2", 1), std::vector<std::string>{"msg-7-PART_OF->conv-2"});
}

TEST_F(GraphStoreTest, GuardFailureMidBatchWritesNothing) {
  DefineLabels(*store_, {"secret"});
  ASSERT_OK(Apply({TitledNode("s", "classified", {"Document"}, {"secret"})}));
  HideSecret guard;
  std::vector<Mutation> batch = {TitledNode("fresh", "f"), TitledNode("s", "overwrite")};
  EXPECT_STATUS(store_->Apply(batch, guard, "w", ""), absl::StatusCode::kPermissionDenied,
                "ops[1]");
  EXPECT_EQ(Title("fresh", keys::kMaxVersion), "<absent>");
  EXPECT_EQ(Title("s", keys::kMaxVersion), "classified");
  // An edge into a node the writer cannot see is reported like a missing node.
  std::vector<Mutation> edge = {TitledNode("fresh", "f"), Edge("fresh", "MENTIONS", "s")};
  EXPECT_STATUS(store_->Apply(edge, guard, "w", ""), absl::StatusCode::kFailedPrecondition,
                "ops[1].upsert_edge.to: node \"s\" not found");
}

TEST_F(GraphStoreTest, AdjacencyIsVersionedAndFilteredByLabelAndDirection) {
  ASSERT_OK(Apply({TitledNode("a", "a"), TitledNode("b", "b"), TitledNode("c", "c"),
                   Edge("a", "MENTIONS", "b"), Edge("a", "REFERENCES", "c"),
                   Edge("c", "REPLY_TO", "a")}));        // v1
  ASSERT_OK(Apply({EdgeDelete{"a", "MENTIONS", "b"}}));  // v2
  EXPECT_EQ(Adjacent("a", 1),
            (std::vector<std::string>{"a-MENTIONS->b", "a-REFERENCES->c", "c-REPLY_TO->a"}));
  EXPECT_EQ(Adjacent("a", 2), (std::vector<std::string>{"a-REFERENCES->c", "c-REPLY_TO->a"}));
  EXPECT_EQ(Adjacent("a", 1, {EdgeDirection::kIn}), std::vector<std::string>{"c-REPLY_TO->a"});
  EXPECT_EQ(Adjacent("a", 1, {EdgeDirection::kOut}, {"MENTIONS"}),
            std::vector<std::string>{"a-MENTIONS->b"});
  EXPECT_TRUE(Adjacent("a", 2, {EdgeDirection::kOut}, {"MENTIONS"}).empty());
}

// A session keeps the cache key of the last label filter it scanned with:
// scans that change the filter, on one session, cold and then warm, still
// answer by their own filter.
TEST_F(GraphStoreTest, SessionScansUseTheirOwnLabelFilter) {
  ASSERT_OK_AND_ASSIGN(
      WriteResult v1,
      Apply({TitledNode("a", "a"), TitledNode("b", "b"), TitledNode("c", "c"),
             Edge("a", "MENTIONS", "b"), Edge("a", "REFERENCES", "c"), Edge("a", "PART_OF", "c")}));
  const uint64_t a = **store_->LookupIid("a");
  GraphReadSession session(*store_);
  auto scan = [&](const std::vector<std::string>& labels) {
    std::vector<std::string> seen;
    EXPECT_OK(session.ScanAdjacency(a, {EdgeDirection::kOut}, labels, v1.version, std::nullopt,
                                    [&](const AdjacencyEntry& e) {
                                      seen.push_back(e.edge.label + "->" + e.edge.to);
                                      return true;
                                    }));
    std::sort(seen.begin(), seen.end());  // storage order is not the labels'
    return seen;
  };
  using Seen = std::vector<std::string>;
  for (int pass = 0; pass < 2; ++pass) {  // from RocksDB, then from the cache
    SCOPED_TRACE(pass);
    const uint64_t hits = db_->read_cache()->hits();
    EXPECT_EQ(scan({"MENTIONS"}), Seen{"MENTIONS->b"});
    EXPECT_EQ(scan({"REFERENCES"}), Seen{"REFERENCES->c"});
    std::vector<std::string> labels = {"PART_OF", "MENTIONS"};
    EXPECT_EQ(scan(labels), (Seen{"MENTIONS->b", "PART_OF->c"}));
    labels[1] = "REFERENCES";  // the same vector, changed in place
    EXPECT_EQ(scan(labels), (Seen{"PART_OF->c", "REFERENCES->c"}));
    EXPECT_EQ(scan({}), (Seen{"MENTIONS->b", "PART_OF->c", "REFERENCES->c"}));
    EXPECT_EQ(db_->read_cache()->hits() - hits, pass == 0 ? 0u : 5u);
  }
}

// A scan of both directions whose first the cache answers reads the second
// from RocksDB, by the scan's labels.
TEST_F(GraphStoreTest, AScanTheCacheAnswersInPartReadsTheRestByItsLabels) {
  ASSERT_OK_AND_ASSIGN(
      WriteResult v1,
      Apply({TitledNode("a", "a"), TitledNode("b", "b"), TitledNode("c", "c"),
             Edge("a", "MENTIONS", "b"), Edge("c", "MENTIONS", "a"), Edge("c", "PART_OF", "a")}));
  auto scan = [&](std::vector<EdgeDirection> directions) {
    return Adjacent("a", v1.version, std::move(directions), {"MENTIONS"});
  };
  EXPECT_EQ(scan({EdgeDirection::kOut}), std::vector<std::string>{"a-MENTIONS->b"});  // filed
  const uint64_t hits = db_->read_cache()->hits();
  EXPECT_EQ(scan({EdgeDirection::kOut, EdgeDirection::kIn}),
            (std::vector<std::string>{"a-MENTIONS->b", "c-MENTIONS->a"}));
  EXPECT_EQ(db_->read_cache()->hits() - hits, 1u);  // out from the cache, in from RocksDB
  EXPECT_EQ(scan({EdgeDirection::kIn}), std::vector<std::string>{"c-MENTIONS->a"});
  EXPECT_EQ(db_->read_cache()->hits() - hits, 2u);  // and filed then
}

TEST_F(GraphStoreTest, AdjacencyCursorResumesStrictlyAfter) {
  std::vector<Mutation> batch = {TitledNode("hub", "h")};
  for (int i = 0; i < 5; ++i) {
    batch.push_back(TitledNode("n" + std::to_string(i), "x"));
    batch.push_back(Edge("hub", "MENTIONS", "n" + std::to_string(i)));
  }
  ASSERT_OK(Apply(batch));
  auto hub = **store_->LookupIid("hub");
  std::vector<std::string> seen;
  std::optional<AdjacencyCursor> cursor;
  for (int page = 0; page < 10; ++page) {
    int taken = 0;
    ASSERT_OK(store_->ScanAdjacency(
        hub, {EdgeDirection::kOut}, {}, 1, cursor, [&](const AdjacencyEntry& e) {
          seen.push_back(e.edge.to);
          cursor = AdjacencyCursor{e.direction, e.edge.label, e.other_iid};
          return ++taken < 2;
        }));
    if (taken < 2) break;
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"n0", "n1", "n2", "n3", "n4"}));
}

TEST_F(GraphStoreTest, DeletingANodeDeletesItsEdgesIncludingSelfLoops) {
  ASSERT_OK(Apply({TitledNode("a", "a"), TitledNode("b", "b"), Edge("a", "MENTIONS", "b"),
                   Edge("b", "REPLY_TO", "a"), Edge("a", "SELF", "a")}));
  ASSERT_OK_AND_ASSIGN(WriteResult r, Apply({NodeDelete{"a"}}));
  EXPECT_EQ(r.deleted, 4u);  // the node and three edges, the self-loop once
  EXPECT_TRUE(Adjacent("b", 2).empty());
  EXPECT_EQ(Adjacent("b", 1).size(), 2u);
}

TEST_F(GraphStoreTest, LabelChangesMoveTheNodeBetweenListings) {
  ASSERT_OK(Apply({TitledNode("d", "x", {"Document"})}));
  ASSERT_OK(Apply({TitledNode("d", "x", {"Decision"})}));
  EXPECT_EQ(LabelIds("Document", 1), std::vector<std::string>{"d"});
  EXPECT_TRUE(LabelIds("Document", 2).empty());
  EXPECT_EQ(LabelIds("Decision", 2), std::vector<std::string>{"d"});
  EXPECT_TRUE(LabelIds("Decision", 1).empty());
}

TEST_F(GraphStoreTest, EverythingSurvivesARestart) {
  ASSERT_OK(
      Apply({TitledNode("a", "before restart"), TitledNode("b", "b"), Edge("a", "MENTIONS", "b")}));
  ASSERT_OK(Apply({TitledNode("c", "c")}));
  Reopen();
  EXPECT_EQ(db_->LatestVersion(), 2u);
  EXPECT_EQ(Title("a", keys::kMaxVersion), "before restart");
  EXPECT_EQ(Adjacent("a", 2), std::vector<std::string>{"a-MENTIONS->b"});
  // Versions and internal ids continue where they stopped.
  ASSERT_OK_AND_ASSIGN(WriteResult r, Apply({TitledNode("d", "d")}));
  EXPECT_EQ(r.version, 3u);
  EXPECT_NE(**store_->LookupIid("d"), **store_->LookupIid("c"));
  EXPECT_EQ(LabelIds("Document", 3), (std::vector<std::string>{"a", "b", "c", "d"}));
}

TEST_F(GraphStoreTest, TheRedactionKeyIsRandomPerDatabaseAndSurvivesARestart) {
  const std::string key = db_->redaction_key();
  ASSERT_EQ(key.size(), 32u);
  EXPECT_NE(key, db_->secret());  // never the page-token secret
  Reopen();
  EXPECT_EQ(db_->redaction_key(), key);

  TempDir other_dir;
  ASSERT_OK_AND_ASSIGN(auto other, Database::Open(other_dir.path(), DatabaseOptions{}));
  EXPECT_EQ(other->redaction_key().size(), 32u);
  EXPECT_NE(other->redaction_key(), key);
}

TEST_F(GraphStoreTest, ADatabaseWithoutARedactionKeyGetsOneAtOpen) {
  // As a database created before lineage existed: no redaction_key meta key.
  ASSERT_OK(FromRocks(db_->rocks()->Delete(rocksdb::WriteOptions(), db_->handle(Cf::kDefault),
                                           keys::kRedactionKey)));
  Reopen();
  const std::string created = db_->redaction_key();
  ASSERT_EQ(created.size(), 32u);
  Reopen();
  EXPECT_EQ(db_->redaction_key(), created);
}

TEST_F(GraphStoreTest, AFormatOneDatabaseIsUpgradedAtOpenAndAnUnknownFormatRefused) {
  // Record format 2 (inherited labels, sanitized edges) is unreadable to a
  // build of data format 1: the marker moves on, so such a build refuses
  // the database instead of failing record by record.
  const auto format = [&] {
    std::string value;
    EXPECT_TRUE(
        db_->rocks()
            ->Get(rocksdb::ReadOptions(), db_->handle(Cf::kDefault), keys::kFormatKey, &value)
            .ok());
    return value;
  };
  EXPECT_EQ(format(), "ctxgraph-2");
  ASSERT_OK(FromRocks(db_->rocks()->Put(rocksdb::WriteOptions(), db_->handle(Cf::kDefault),
                                        keys::kFormatKey, "ctxgraph-1")));
  Reopen();
  EXPECT_EQ(format(), "ctxgraph-2");
  ASSERT_OK(FromRocks(db_->rocks()->Put(rocksdb::WriteOptions(), db_->handle(Cf::kDefault),
                                        keys::kFormatKey, "ctxgraph-3")));
  store_.reset();
  text_.reset();
  db_.reset();
  EXPECT_STATUS(Database::Open(dir_.path(), DatabaseOptions{}),
                absl::StatusCode::kFailedPrecondition,
                "storage: unknown data format \"ctxgraph-3\"");
}

TEST_F(GraphStoreTest, ADamagedRedactionKeyFailsTheOpen) {
  ASSERT_OK(FromRocks(db_->rocks()->Put(rocksdb::WriteOptions(), db_->handle(Cf::kDefault),
                                        keys::kRedactionKey, "short")));
  store_.reset();
  text_.reset();
  db_.reset();
  EXPECT_STATUS(Database::Open(dir_.path(), DatabaseOptions{}), absl::StatusCode::kDataLoss,
                "storage: redaction key damaged");
}

// The read cache behind these reads (read_cache.h): every answer equals
// RocksDB's, warm or cold, at every version.
TEST_F(GraphStoreTest, WarmCachedReadsFollowUpdatesDeletesAndAsOf) {
  ASSERT_OK_AND_ASSIGN(WriteResult v1, Apply({TitledNode("a", "one"), TitledNode("b", "bee"),
                                              Edge("a", "REFERENCES", "b")}));
  const std::vector<EdgeDirection> out = {EdgeDirection::kOut};
  // Warm: twice each, the second from the cache.
  EXPECT_EQ(Title("a", v1.version), "one");
  EXPECT_EQ(Adjacent("a", v1.version, out), std::vector<std::string>{"a-REFERENCES->b"});
  const uint64_t hits_before = db_->read_cache()->hits();
  EXPECT_EQ(Title("a", v1.version), "one");
  EXPECT_EQ(Adjacent("a", v1.version, out), std::vector<std::string>{"a-REFERENCES->b"});
  EXPECT_EQ(db_->read_cache()->hits(), hits_before + 2);

  ASSERT_OK_AND_ASSIGN(WriteResult v2,
                       Apply({TitledNode("a", "two"), TitledNode("c", "sea"),
                              Edge("a", "REFERENCES", "c"), EdgeDelete{"a", "REFERENCES", "b"}}));
  for (int pass = 0; pass < 2; ++pass) {
    EXPECT_EQ(Title("a", v2.version), "two");
    EXPECT_EQ(Adjacent("a", v2.version, out), std::vector<std::string>{"a-REFERENCES->c"});
  }
  // As of v1: older than the cached records.
  EXPECT_EQ(Title("a", v1.version), "one");
  EXPECT_EQ(Adjacent("a", v1.version, out), std::vector<std::string>{"a-REFERENCES->b"});

  ASSERT_OK_AND_ASSIGN(WriteResult v3, Apply({NodeDelete{"a"}}));
  for (int pass = 0; pass < 2; ++pass) {
    EXPECT_EQ(Title("a", v3.version), "<absent>");
    EXPECT_EQ(Adjacent("a", v3.version, out), std::vector<std::string>{});
  }
  EXPECT_EQ(Title("a", v2.version), "two");
  EXPECT_EQ(Adjacent("a", v2.version, out), std::vector<std::string>{"a-REFERENCES->c"});
}

// Regression: after a restart the cache had seen no commit, so an as-of
// read of an old record was filed as if it were the newest, and answered
// the next read at the latest version.
TEST_F(GraphStoreTest, AfterARestartAnOldReadIsNotCachedAsTheNewest) {
  ASSERT_OK_AND_ASSIGN(WriteResult v1, Apply({TitledNode("a", "one"), TitledNode("b", "bee"),
                                              Edge("a", "REFERENCES", "b")}));
  ASSERT_OK_AND_ASSIGN(WriteResult v2,
                       Apply({TitledNode("a", "two"), EdgeDelete{"a", "REFERENCES", "b"}}));
  Reopen();
  const std::vector<EdgeDirection> out = {EdgeDirection::kOut};
  EXPECT_EQ(Title("a", v1.version), "one");
  EXPECT_EQ(Adjacent("a", v1.version, out), std::vector<std::string>{"a-REFERENCES->b"});
  EXPECT_EQ(Title("a", v2.version), "two");
  EXPECT_EQ(Adjacent("a", v2.version, out), std::vector<std::string>{});
}

TEST_F(GraphStoreTest, AnEdgeWrittenFromTheOtherEndDropsTheCachedInEdges) {
  ASSERT_OK_AND_ASSIGN(WriteResult v1, Apply({TitledNode("a", "one"), TitledNode("b", "bee")}));
  const std::vector<EdgeDirection> in = {EdgeDirection::kIn};
  const std::vector<std::string> references = {"REFERENCES"};
  for (int pass = 0; pass < 2; ++pass) {
    EXPECT_EQ(Adjacent("b", v1.version, in, references), std::vector<std::string>{});
  }
  ASSERT_OK_AND_ASSIGN(WriteResult v2, Apply({Edge("a", "REFERENCES", "b")}));
  EXPECT_EQ(Adjacent("b", v2.version, in, references), std::vector<std::string>{"a-REFERENCES->b"});
  EXPECT_EQ(Adjacent("b", v1.version, in, references), std::vector<std::string>{});
}

TEST_F(GraphStoreTest, ABulkSessionIsInvisibleToCachedReadsUntilFinishedThenSeen) {
  ASSERT_OK_AND_ASSIGN(WriteResult v1, Apply({TitledNode("a", "one")}));
  EXPECT_EQ(Title("a", v1.version), "one");
  const uint64_t iid = **store_->LookupIid("a");
  std::unique_ptr<CommitSession> session = db_->BeginSession("loader");
  ASSERT_OK(session->Write([&](CommitContext& ctx) {
    NodeRecord node = **store_->GetNodeByIid(iid, v1.version);
    node.props["title"] = Value{std::string("bulk")};
    node.provenance.version = ctx.version();
    ctx.Put(Cf::kNodes, keys::EncodeNodeVersionKey({iid, ctx.version()}), EncodeNode(node));
    return absl::OkStatus();
  }));
  // Read (and offered to the cache) while the session is open.
  EXPECT_EQ(Title("a", v1.version), "one");
  ASSERT_OK_AND_ASSIGN(CommitOutcome done, session->Finish("bulk"));
  EXPECT_EQ(Title("a", done.version), "bulk");
  EXPECT_EQ(Title("a", v1.version), "one");
}

// A scan that keeps its edges gets the cached list with each entry it
// read from the cache, and none with an entry read from RocksDB; either
// way the edge it keeps is the edge visited, and a kept edge outlives the
// cache letting go of its list.
TEST_F(GraphStoreTest, AListedScanKeepsCachedEdgesByReferenceAndCopiesTheRest) {
  ASSERT_OK_AND_ASSIGN(
      WriteResult v1, Apply({TitledNode("a", "one"), TitledNode("b", "bee"), TitledNode("c", "sea"),
                             Edge("a", "REFERENCES", "b"), Edge("c", "MENTIONS", "a")}));
  const uint64_t a = **store_->LookupIid("a");
  const std::vector<EdgeDirection> both = {EdgeDirection::kOut, EdgeDirection::kIn};
  struct Kept {
    std::shared_ptr<const EdgeRecord> edge;
    bool listed = false;
    bool in_list = false;  // the kept edge is the list's own entry
  };
  auto scan = [&](ReadCacheUse use) {
    std::vector<Kept> kept;
    GraphReadSession session(*store_, use);
    EXPECT_OK(session.ScanAdjacencyListed(
        a, both, {}, v1.version,
        [&](const AdjacencyEntry& entry, const std::shared_ptr<const ReadCache::EdgeList>& list) {
          Kept k{GraphReadSession::EdgeSharedIn(entry, list), list != nullptr, false};
          if (list != nullptr) {
            for (const AdjacencyEntry& e : *list) k.in_list |= (&e.edge == k.edge.get());
          } else {
            k.in_list = k.edge.get() == &entry.edge;  // a copy: never the entry itself
          }
          kept.push_back(std::move(k));
          return true;
        }));
    return kept;
  };
  auto names = [](const std::vector<Kept>& kept) {
    std::vector<std::string> out;
    for (const Kept& k : kept)
      out.push_back(k.edge->from + "-" + k.edge->label + "->" + k.edge->to);
    return out;
  };
  const std::vector<std::string> expected = {"a-REFERENCES->b", "c-MENTIONS->a"};
  const std::vector<Kept> cold = scan(ReadCacheUse::kShared);  // from RocksDB, filed in the cache
  EXPECT_EQ(names(cold), expected);
  for (const Kept& k : cold) EXPECT_FALSE(k.listed || k.in_list);
  std::vector<Kept> warm = scan(ReadCacheUse::kShared);
  EXPECT_EQ(names(warm), expected);
  for (const Kept& k : warm) EXPECT_TRUE(k.listed && k.in_list);
  const std::vector<Kept> bypass = scan(ReadCacheUse::kBypass);
  EXPECT_EQ(names(bypass), expected);
  for (const Kept& k : bypass) EXPECT_FALSE(k.listed || k.in_list);

  // The kept edges keep their lists alive once the cache lets go of them,
  // and only as long as they are kept.
  std::weak_ptr<const ReadCache::EdgeList> out_list =
      db_->read_cache()->FindEdges(a, EdgeDirection::kOut, "", v1.version);
  ASSERT_FALSE(out_list.expired());
  db_->read_cache()->InvalidateAll(db_->LatestVersion() + 1);
  EXPECT_FALSE(out_list.expired());
  EXPECT_EQ(names(warm), expected);
  EXPECT_EQ(warm[0].edge->provenance.version, v1.version);
  warm.clear();
  EXPECT_TRUE(out_list.expired());
}

// A kept edge keeps its whole list alive: edges of a list longer than
// kMaxSharedListEdges are copied, as is an entry that is not the list's.
TEST_F(GraphStoreTest, EdgesOfALongCachedListAreKeptAsCopies) {
  std::vector<Mutation> writes = {TitledNode("hub", "hub")};
  const size_t n = GraphReadSession::kMaxSharedListEdges + 1;
  for (size_t i = 0; i < n; ++i) {
    writes.push_back(TitledNode("leaf-" + std::to_string(i), "leaf"));
    writes.push_back(Edge("hub", "MENTIONS", "leaf-" + std::to_string(i)));
  }
  ASSERT_OK_AND_ASSIGN(WriteResult v1, Apply(std::move(writes)));
  const uint64_t hub = **store_->LookupIid("hub");
  for (int pass = 0; pass < 2; ++pass) {  // the second from the cache
    size_t visited = 0;
    size_t listed = 0;
    GraphReadSession session(*store_);
    ASSERT_OK(session.ScanAdjacencyListed(
        hub, {EdgeDirection::kOut}, {}, v1.version,
        [&](const AdjacencyEntry& entry, const std::shared_ptr<const ReadCache::EdgeList>& list) {
          ++visited;
          listed += list != nullptr;
          const std::shared_ptr<const EdgeRecord> kept =
              GraphReadSession::EdgeSharedIn(entry, list);
          EXPECT_NE(kept.get(), &entry.edge);  // a copy
          EXPECT_EQ(kept->to, entry.edge.to);
          if (list != nullptr) {
            const AdjacencyEntry elsewhere = entry;  // not the list's own entry
            EXPECT_EQ(GraphReadSession::EdgeSharedIn(elsewhere, list).use_count(), 1);
          }
          return true;
        }));
    EXPECT_EQ(visited, n);
    EXPECT_EQ(listed, pass == 0 ? 0u : n);
  }
}

TEST_F(GraphStoreTest, ZeroReadCacheBytesTurnsTheCacheOff) {
  options_.read_cache_bytes = 0;
  Reopen();
  EXPECT_EQ(db_->read_cache(), nullptr);
  ASSERT_OK_AND_ASSIGN(WriteResult v1, Apply({TitledNode("a", "one")}));
  EXPECT_EQ(Title("a", v1.version), "one");
  EXPECT_EQ(Title("a", v1.version), "one");
}

}  // namespace
}  // namespace ctxgraph
