// History retention: the --history-retention syntax, how the horizon moves
// (candidate, receipts, never backwards, across restarts), and compaction
// dropping exactly the record versions the horizon shadows.
#include "storage/history_retention.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "storage/history_horizon.h"
#include "storage/keys.h"
#include "storage/record_codec.h"
#include "tests/storage/store_fixture.h"
#include "tests/test_macros.h"

namespace ctxgraph {
namespace {

using RawCf = std::map<std::string, std::string>;

constexpr Cf kVersioned[] = {Cf::kNodes,      Cf::kOutEdges, Cf::kInEdges,      Cf::kLabelIndex,
                             Cf::kPrincipals, Cf::kLabels,   Cf::kTextPostings, Cf::kTextStats};

RetentionSetting Versions(uint64_t n) {
  return RetentionSetting{.kind = RetentionSetting::Kind::kVersions, .versions = n};
}

Mutation Edge(std::string from, std::string to, int64_t weight) {
  EdgeUpsert m;
  m.edge.from = std::move(from);
  m.edge.label = "CITES";
  m.edge.to = std::move(to);
  m.edge.props["w"] = Value{weight};
  return m;
}

// What must survive compaction at horizon `h`, by the rule itself: per
// entity (key minus the ~version), every version above h and the newest
// one at or below it.
RawCf Survivors(const RawCf& all, uint64_t h) {
  RawCf out;
  std::string kept_entity;
  bool kept = false;
  for (const auto& [key, value] : all) {
    const std::string entity = key.substr(0, key.size() - 8);
    const uint64_t version = *keys::VersionOfVersionedKey(key);
    if (version > h) {
      out[key] = value;
      continue;
    }
    if (kept && entity == kept_entity) continue;  // shadowed at h
    kept = true;
    kept_entity = entity;
    out[key] = value;
  }
  return out;
}

class HistoryRetentionTest : public StoreFixture {
 protected:
  void SetUp() override {
    options_.history_retention = Versions(3);
    options_.sync_writes = false;  // nothing here survives a crash on purpose
    StoreFixture::SetUp();
  }

  uint64_t Advance(Timestamp now = Now()) {
    absl::StatusOr<uint64_t> h = db_->AdvanceHistoryHorizon(now);
    EXPECT_TRUE(h.ok()) << h.status();
    return h.value_or(0);
  }

  // `time` 0: now.
  void AppendReceipt(std::string action, uint64_t snapshot, Timestamp time = {}) {
    AuditEntry entry;
    entry.principal = "agent";
    entry.action = std::move(action);
    entry.snapshot_version = snapshot;
    entry.time = time;
    ASSERT_OK(db_->audit().Append(std::move(entry)));
  }

  RawCf Dump(Cf cf) {
    RawCf out;
    auto it = db_->NewIterator(cf);
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      out[std::string(SliceView(it->key()))] = std::string(SliceView(it->value()));
    }
    EXPECT_TRUE(it->status().ok());
    return out;
  }

  // Everything a read as of `version` answers for the test graph, as bytes.
  std::string ReadAll(uint64_t version) {
    std::string out;
    for (const char* id : {"a", "b", "c"}) {
      auto node = store_->GetNode(id, version);
      EXPECT_TRUE(node.ok()) << node.status();
      out += (node.ok() && *node) ? EncodeNode(**node) : std::string("<absent>");
      out += "|";
      auto iid = store_->LookupIid(id);
      EXPECT_TRUE(iid.ok() && *iid);
      EXPECT_OK(store_->ScanAdjacency(**iid, {EdgeDirection::kOut, EdgeDirection::kIn}, {}, version,
                                      std::nullopt, [&](const AdjacencyEntry& e) {
                                        out += EncodeEdge(e.edge) + ";";
                                        return true;
                                      }));
    }
    for (const char* term : {"alpha", "beta", "gamma", "one", "two"}) {
      auto docs = text_->TermDocs(term, version, SetSelection{.all = true});
      EXPECT_TRUE(docs.ok()) << docs.status();
      out += std::string(term) + "=" + std::to_string(docs.value_or(999)) + ";";
    }
    auto totals = text_->Totals(version, SetSelection{.all = true});
    EXPECT_TRUE(totals.ok());
    out += std::to_string(totals->docs) + "/" + std::to_string(totals->length);
    return out;
  }

  // Five versions: "a" rewritten at 1, 2, 3 and 5; "b" at 1 and 4; "c"
  // created at 1 and deleted at 2 (its newest record <= 3 is a tombstone);
  // the edge a->b written at 1, 3 and 5.
  void WriteHistory() {
    ASSERT_EQ(Apply({TitledNode("a", "alpha one"), TitledNode("b", "beta one"),
                     TitledNode("c", "gamma one"), Edge("a", "b", 1)}),
              1u);
    ASSERT_EQ(Apply({TitledNode("a", "alpha two"), NodeDelete{"c"}}), 2u);
    ASSERT_EQ(Apply({TitledNode("a", "alpha three"), Edge("a", "b", 3)}), 3u);
    ASSERT_EQ(Apply({TitledNode("b", "beta two")}), 4u);
    ASSERT_EQ(Apply({TitledNode("a", "alpha five"), Edge("a", "b", 5)}), 5u);
  }
};

TEST(RetentionSettingTest, ParsesDurationsAndVersionCounts) {
  using Kind = RetentionSetting::Kind;
  EXPECT_EQ(*ParseRetentionSetting(""), RetentionSetting{});
  EXPECT_EQ(*ParseRetentionSetting("all"), RetentionSetting{});
  EXPECT_EQ(*ParseRetentionSetting("30d"),
            (RetentionSetting{.kind = Kind::kDuration, .duration_micros = 30 * 86400000000LL}));
  EXPECT_EQ(*ParseRetentionSetting("12h"),
            (RetentionSetting{.kind = Kind::kDuration, .duration_micros = 12 * 3600000000LL}));
  EXPECT_EQ(*ParseRetentionSetting("90m"),
            (RetentionSetting{.kind = Kind::kDuration, .duration_micros = 90 * 60000000LL}));
  EXPECT_EQ(*ParseRetentionSetting("3600s"),
            (RetentionSetting{.kind = Kind::kDuration, .duration_micros = 3600000000LL}));
  EXPECT_EQ(*ParseRetentionSetting("10000v"), Versions(10000));
}

TEST(RetentionSettingTest, BadValuesNameTheFlag) {
  const std::string form =
      "is not a duration (e.g. 30d, 12h, 90m, 3600s) or a version count (e.g. 10000v)";
  for (const char* bad : {"10", "d", "5w", "-5d", "+5d", "1.5h", " 5d", "5 d", "v10"}) {
    EXPECT_STATUS(ParseRetentionSetting(bad), absl::StatusCode::kInvalidArgument,
                  "--history-retention: \"" + std::string(bad) + "\" " + form);
  }
  EXPECT_STATUS(ParseRetentionSetting("0v"), absl::StatusCode::kInvalidArgument,
                "--history-retention: \"0v\" must be positive (omit the flag to keep everything)");
  EXPECT_STATUS(ParseRetentionSetting("999999999999999d"), absl::StatusCode::kInvalidArgument,
                "--history-retention: \"999999999999999d\" is too long");
  EXPECT_STATUS(ParseRetentionSetting("99999999999999999999v"), absl::StatusCode::kInvalidArgument,
                "--history-retention: \"99999999999999999999v\" " + form);
}

TEST(ShadowedVersionFilterTest, KeepsTheNewestAtOrBelowTheHorizonOfEachEntity) {
  auto horizon = std::make_shared<HistoryHorizon>();
  auto factory = horizon->NewFilterFactory();
  const rocksdb::CompactionFilter::Context context{};
  EXPECT_EQ(factory->CreateCompactionFilter(context), nullptr);  // no horizon: no filtering

  horizon->Load(5);
  horizon->SetVoided({4});
  std::unique_ptr<rocksdb::CompactionFilter> filter = factory->CreateCompactionFilter(context);
  ASSERT_NE(filter, nullptr);
  using Decision = rocksdb::CompactionFilter::Decision;
  auto decide = [&](uint64_t iid, uint64_t version) {
    const std::string key = keys::EncodeNodeVersionKey({iid, version});
    std::string new_value, skip_until;
    return filter->FilterV2(0, key, rocksdb::CompactionFilter::ValueType::kValue, "v", &new_value,
                            &skip_until);
  };
  // Keys in compaction order: per entity, newest first.
  EXPECT_EQ(decide(1, 7), Decision::kKeep);    // above the horizon
  EXPECT_EQ(decide(1, 5), Decision::kKeep);    // the state at the horizon
  EXPECT_EQ(decide(1, 3), Decision::kRemove);  // shadowed by 5
  EXPECT_EQ(decide(1, 1), Decision::kRemove);
  // A voided version's record may be deleted in a level this compaction
  // does not see: it shadows nothing, and the next one is kept.
  EXPECT_EQ(decide(2, 4), Decision::kKeep);
  EXPECT_EQ(decide(2, 2), Decision::kKeep);
  EXPECT_EQ(decide(2, 1), Decision::kRemove);
  EXPECT_EQ(decide(3, 6), Decision::kKeep);
  EXPECT_EQ(decide(4, 1), Decision::kKeep);  // another entity's first record
}

TEST_F(HistoryRetentionTest, CompactionDropsExactlyTheVersionsShadowedAtTheHorizon) {
  ASSERT_NO_FATAL_FAILURE(WriteHistory());
  std::map<Cf, RawCf> before;
  for (Cf cf : kVersioned) before[cf] = Dump(cf);
  std::map<uint64_t, std::string> reads;
  for (uint64_t v = 3; v <= 5; ++v) reads[v] = ReadAll(v);

  // 3v keeps versions 3..5 readable; the second raise lets compaction act.
  EXPECT_EQ(Advance(), 3u);
  EXPECT_EQ(Advance(), 3u);
  EXPECT_EQ(db_->history_horizon().compaction_horizon(), 3u);
  ASSERT_OK(db_->CompactVersioned());

  for (Cf cf : kVersioned) {
    EXPECT_EQ(Dump(cf), Survivors(before[cf], 3)) << "column family " << static_cast<int>(cf);
  }
  // Something was shadowed in each family the history touched: a's
  // versions 1 and 2, the edge's version 1 (both directions), and the
  // rewritten posting blocks and term counts.
  for (Cf cf : {Cf::kNodes, Cf::kOutEdges, Cf::kInEdges, Cf::kTextPostings, Cf::kTextStats}) {
    EXPECT_LT(Dump(cf).size(), before[cf].size()) << "column family " << static_cast<int>(cf);
  }
  RawCf nodes = Dump(Cf::kNodes);
  const uint64_t a = **store_->LookupIid("a");
  const uint64_t c = **store_->LookupIid("c");
  EXPECT_FALSE(nodes.contains(keys::EncodeNodeVersionKey({a, 1})));
  EXPECT_FALSE(nodes.contains(keys::EncodeNodeVersionKey({a, 2})));
  EXPECT_TRUE(nodes.contains(keys::EncodeNodeVersionKey({a, 3})));
  EXPECT_TRUE(nodes.contains(keys::EncodeNodeVersionKey({a, 5})));
  // c's tombstone is its newest record <= 3: kept, so c stays deleted.
  EXPECT_FALSE(nodes.contains(keys::EncodeNodeVersionKey({c, 1})));
  EXPECT_TRUE(nodes.contains(keys::EncodeNodeVersionKey({c, 2})));

  // Reads at and after the horizon answer byte for byte as before.
  for (uint64_t v = 3; v <= 5; ++v) EXPECT_EQ(ReadAll(v), reads[v]) << "as of " << v;
  EXPECT_EQ(ReadAll(keys::kMaxVersion), reads[5]);
  EXPECT_STATUS(db_->history_horizon().CheckReadable(2), absl::StatusCode::kFailedPrecondition,
                "as_of_version: 2 is before the history horizon 3 (--history-retention)");
  EXPECT_OK(db_->history_horizon().CheckReadable(3));
}

TEST_F(HistoryRetentionTest, CompactionWaitsOneRaiseSoReadsInFlightKeepTheirVersions) {
  ASSERT_NO_FATAL_FAILURE(WriteHistory());
  std::map<Cf, RawCf> before;
  for (Cf cf : kVersioned) before[cf] = Dump(cf);
  EXPECT_EQ(Advance(), 3u);
  EXPECT_EQ(db_->history_horizon().compaction_horizon(), 0u);
  ASSERT_OK(db_->CompactVersioned());
  for (Cf cf : kVersioned) EXPECT_EQ(Dump(cf), before[cf]);
}

TEST_F(HistoryRetentionTest, RecentReceiptOfAnOldSnapshotHoldsTheHorizon) {
  options_.history_retention = Versions(3);
  Reopen();
  for (int i = 1; i <= 5; ++i) Apply({TitledNode("a", "alpha " + std::to_string(i))});
  AppendReceipt("retrieve", 3);  // an as-of read of version 3, inside the window 3..5
  AppendReceipt("retrieve", 5);  // a read of the latest never holds
  AppendReceipt("search", 1);    // not a receipt: Replay never re-reads it
  EXPECT_EQ(Advance(), 3u);
  for (int i = 6; i <= 7; ++i) Apply({TitledNode("a", "alpha " + std::to_string(i))});
  // The candidate is 7 - 3 + 1 = 5; the receipt was appended after commit
  // 5, still inside the window.
  EXPECT_EQ(Advance(), 3u);
  EXPECT_EQ(Advance(), 3u);
  ASSERT_OK(db_->CompactVersioned());
  const uint64_t a = **store_->LookupIid("a");
  RawCf nodes = Dump(Cf::kNodes);
  EXPECT_FALSE(nodes.contains(keys::EncodeNodeVersionKey({a, 2})));
  EXPECT_TRUE(nodes.contains(keys::EncodeNodeVersionKey({a, 3})));

  // Once commit 6 passes it, the receipt is outside the window.
  Apply({TitledNode("a", "alpha 8")});
  EXPECT_EQ(Advance(), 6u);
}

TEST_F(HistoryRetentionTest, AReceiptOfASnapshotAlreadyOutsideTheWindowHoldsNothing) {
  options_.history_retention = Versions(3);
  Reopen();
  for (int i = 1; i <= 5; ++i) Apply({TitledNode("a", "alpha " + std::to_string(i))});
  AppendReceipt("retrieve", 3);  // inside the window 3..5: holds 3
  for (int i = 6; i <= 7; ++i) Apply({TitledNode("a", "alpha " + std::to_string(i))});
  EXPECT_EQ(Advance(), 3u);
  // Version 3 is still readable, held by the first receipt; a read of it
  // now, outside the window 5..7, must not extend the hold (a chain of
  // such reads, one per window, would keep version 3 forever).
  AppendReceipt("retrieve", 3);
  EXPECT_EQ(Advance(), 3u);
  Apply({TitledNode("a", "alpha 8")});
  EXPECT_EQ(Advance(), 6u);
}

TEST_F(HistoryRetentionTest, ADurationWindowHoldsOnlyReceiptsOfSnapshotsInsideItThen) {
  options_.history_retention = *ParseRetentionSetting("1h");
  Reopen();
  for (int i = 1; i <= 3; ++i) Apply({TitledNode("a", "alpha " + std::to_string(i))});
  const Timestamp t2 = db_->GetCommit(2)->time;
  const Timestamp t3 = db_->GetCommit(3)->time;
  constexpr int64_t kHour = 3600000000LL;
  // Both taken an hour after commit 2, when the window began at version 2:
  // a read of version 1 was already outside it, one of version 2 inside.
  AppendReceipt("retrieve", 1, Timestamp{t2.micros + kHour});
  AppendReceipt("retrieve", 2, Timestamp{t2.micros + kHour});
  EXPECT_EQ(Advance(Timestamp{t3.micros + kHour}), 2u);
}

TEST_F(HistoryRetentionTest, HorizonNeverMovesBackAcrossRestarts) {
  options_.history_retention = Versions(2);
  Reopen();
  for (int i = 1; i <= 5; ++i) Apply({TitledNode("a", "alpha " + std::to_string(i))});
  EXPECT_EQ(Advance(), 4u);

  options_.history_retention = RetentionSetting{};  // keep everything from now on
  Reopen();
  EXPECT_EQ(db_->history_horizon().horizon(), 4u);
  EXPECT_EQ(db_->history_horizon().compaction_horizon(), 4u);
  EXPECT_EQ(Advance(), 4u);
  EXPECT_STATUS(db_->history_horizon().CheckReadable(3), absl::StatusCode::kFailedPrecondition,
                "as_of_version: 3 is before the history horizon 4 (--history-retention)");

  options_.history_retention = Versions(100);
  Reopen();
  EXPECT_EQ(Advance(), 4u);
  EXPECT_EQ(db_->history_horizon().horizon(), 4u);
}

TEST_F(HistoryRetentionTest, DurationHorizonIsTheNewestCommitOldEnough) {
  options_.history_retention = *ParseRetentionSetting("1h");
  Reopen();
  for (int i = 1; i <= 3; ++i) Apply({TitledNode("a", "alpha " + std::to_string(i))});
  const Timestamp t2 = db_->GetCommit(2)->time;
  const Timestamp t3 = db_->GetCommit(3)->time;
  ASSERT_LT(t2.micros, t3.micros);
  constexpr int64_t kHour = 3600000000LL;
  EXPECT_EQ(Advance(Timestamp{t2.micros + kHour - 1}), 1u);
  EXPECT_EQ(Advance(Timestamp{t2.micros + kHour}), 2u);
  // A clock stepping back never moves the horizon back.
  EXPECT_EQ(Advance(Timestamp{t2.micros}), 2u);
  EXPECT_EQ(Advance(Timestamp{t3.micros + kHour}), 3u);
}

// The horizon is found by a binary search over commit times: a clock that
// stepped back must not stamp a commit before the one ahead of it (which
// would put the horizon at the latest version and let compaction drop
// history kept by the setting). Here the first two commits are stamped two
// hours ahead of the clock, as if the clock then stepped back by that much.
TEST_F(HistoryRetentionTest, CommitTimesNeverGoBackWithTheClock) {
  options_.history_retention = *ParseRetentionSetting("1h");
  Reopen();
  Apply({TitledNode("a", "alpha 1")});
  Apply({TitledNode("a", "alpha 2")});
  constexpr int64_t kHour = 3600000000LL;
  const int64_t ahead = Now().micros + 2 * kHour;
  for (uint64_t v : {1, 2}) {
    CommitRecord commit = *db_->GetCommit(v);
    commit.time.micros = ahead;
    ASSERT_TRUE(db_->rocks()
                    ->Put(rocksdb::WriteOptions(), db_->handle(Cf::kCommits), keys::CommitKey(v),
                          EncodeCommit(commit))
                    .ok());
  }
  Reopen();  // the last commit's time is read at open
  for (int i = 3; i <= 5; ++i) Apply({TitledNode("a", "alpha " + std::to_string(i))});
  for (uint64_t v = 3; v <= 5; ++v) EXPECT_GE(db_->GetCommit(v)->time.micros, ahead) << v;
  // Ten minutes past the stamps: no commit is an hour old. Stamped by the
  // clock, versions 3 to 5 would look two hours old.
  EXPECT_EQ(Advance(Timestamp{ahead + 10 * 60000000LL}), 0u);
}

TEST_F(HistoryRetentionTest, VersionsOfRemovedSessionsAreVoidedDurably) {
  ASSERT_EQ(Apply({TitledNode("a", "alpha")}), 1u);
  {
    auto session = db_->BeginSession("loader");
    ASSERT_OK(session->Write([&](CommitContext& ctx) {
      ctx.Put(Cf::kNodes, keys::EncodeNodeVersionKey({99, session->version()}), "x");
      return absl::OkStatus();
    }));
    ASSERT_OK(session->Abort());
  }
  EXPECT_EQ(db_->history_horizon().voided(), std::vector<uint64_t>{2});
  Reopen();
  EXPECT_EQ(db_->history_horizon().voided(), std::vector<uint64_t>{2});
}

}  // namespace
}  // namespace ctxgraph
