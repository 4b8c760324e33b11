// A bulk CommitSession writes its batches without the WAL (database.h), so
// what survives a power loss is decided by flushes: a session RocksDB
// flushed part of before the power went off is still removed whole at
// Open, and a finished one is all there after it.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "storage/keys.h"
#include "storage/testing/allow_all_writes.h"
#include "storage/testing/fault_injection_fs.h"
#include "tests/storage/store_fixture.h"
#include "tests/test_macros.h"

namespace ctxgraph {
namespace {

class SessionDurabilityTest : public StoreFixture {
 protected:
  void SetUp() override {
    options_.env = FaultInjectionFs::NewEnv(fs_);
    StoreFixture::SetUp();
  }

  // Nodes d0..d<n-1>, each MENTIONS the next.
  static std::vector<IndexedMutation> Chain(int n) {
    std::vector<IndexedMutation> ops;
    for (int i = 0; i < n; ++i) {
      ops.push_back(
          {ops.size(), TitledNode("d" + std::to_string(i), "title " + std::to_string(i))});
    }
    for (int i = 0; i + 1 < n; ++i) {
      EdgeUpsert e;
      e.edge.from = "d" + std::to_string(i);
      e.edge.label = "MENTIONS";
      e.edge.to = "d" + std::to_string(i + 1);
      ops.push_back({ops.size(), e});
    }
    return ops;
  }

  absl::Status WriteChunk(CommitSession& session, const std::vector<IndexedMutation>& ops) {
    ChunkResult result;
    return session.Write([&](CommitContext& ctx) {
      return store_->ApplyEach(ctx, ops, guard_, false, nullptr, &result);
    });
  }

  // What RocksDB does on its own when memtables fill up: flushes some
  // column families, here every one but the default family (where the
  // open-session marker and the version live).
  void FlushAllButDefault() {
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    for (int i = 0; i < static_cast<int>(Cf::kCount); ++i) {
      if (static_cast<Cf>(i) != Cf::kDefault) handles.push_back(db_->handle(static_cast<Cf>(i)));
    }
    ASSERT_TRUE(db_->rocks()->Flush(rocksdb::FlushOptions(), handles).ok());
  }

  // The power goes off; `session` (if any) and the database close, their
  // last writes failing; the machine reboots and the database opens again.
  void PowerLossAndRestart(std::unique_ptr<CommitSession> session) {
    fs_->SimulatePowerLoss();
    session.reset();
    store_.reset();
    labels_.reset();
    text_.reset();
    db_.reset();
    ASSERT_TRUE(fs_->Reboot().ok());
    Reopen();
  }

  std::string Title(const std::string& id) {
    auto node = store_->GetNode(id, keys::kMaxVersion);
    if (!node.ok()) return node.status().ToString();
    if (!*node) return "<absent>";
    return std::get<std::string>((*node)->props.at("title").v);
  }

  // The ids node `id` has out-edges to, as of the latest version.
  std::vector<uint64_t> OutNeighbours(const std::string& id) {
    std::vector<uint64_t> out;
    auto iid = store_->LookupIid(id);
    if (!iid.ok() || !*iid) return out;
    EXPECT_OK(store_->ScanAdjacency(**iid, {EdgeDirection::kOut}, {}, db_->LatestVersion(),
                                    std::nullopt, [&](const AdjacencyEntry& e) {
                                      out.push_back(e.other_iid);
                                      return true;
                                    }));
    return out;
  }

  AllowAllWrites guard_;
  std::shared_ptr<FaultInjectionFs> fs_ = std::make_shared<FaultInjectionFs>();
};

TEST_F(SessionDurabilityTest, ASessionPartlyFlushedBeforeAPowerLossIsRemovedWhole) {
  ASSERT_OK(store_->Apply({TitledNode("before", "kept")}, guard_, "w", "before"));
  auto session = db_->BeginSession("loader");
  ASSERT_OK(WriteChunk(*session, Chain(50)));
  ASSERT_OK(session->AwaitWritten());
  FlushAllButDefault();  // the session's records are on disk, its version is not
  PowerLossAndRestart(std::move(session));

  EXPECT_EQ(db_->LatestVersion(), 1u);
  std::string marker;
  ASSERT_OK_AND_ASSIGN(bool open, db_->Get(Cf::kDefault, keys::kOpenSessionKey, &marker));
  EXPECT_FALSE(open);
  EXPECT_EQ(Title("before"), "kept");
  ASSERT_OK_AND_ASSIGN(auto d0, store_->LookupIid("d0"));
  EXPECT_FALSE(d0.has_value());
  // The next commit takes the dead session's version: had its flushed
  // records stayed, they would show now.
  ASSERT_OK_AND_ASSIGN(WriteResult next,
                       store_->Apply({TitledNode("after", "new")}, guard_, "w", "after"));
  EXPECT_EQ(next.version, 2u);
  for (const char* id : {"d0", "d25", "d49"}) EXPECT_EQ(Title(id), "<absent>") << id;
  EXPECT_EQ(Title("after"), "new");
  ASSERT_OK_AND_ASSIGN(AuditVerifyResult audit, db_->audit().Verify());
  EXPECT_TRUE(audit.ok) << audit.reason;
}

// Write returns with its batch still being written on the session's
// thread: Finish waits for it before the flush that makes it durable. (A
// batch this size is often still being written when Finish starts.)
TEST_F(SessionDurabilityTest, AFinishedSessionSurvivesAPowerLossRightAfter) {
  auto session = db_->BeginSession("loader");
  ASSERT_OK(WriteChunk(*session, Chain(2000)));
  ASSERT_OK_AND_ASSIGN(CommitOutcome outcome, session->Finish("bulk import"));
  ASSERT_TRUE(outcome.committed);
  PowerLossAndRestart(std::move(session));

  EXPECT_EQ(db_->LatestVersion(), outcome.version);
  for (int i : {0, 25, 1999}) {
    EXPECT_EQ(Title("d" + std::to_string(i)), "title " + std::to_string(i)) << i;
  }
  ASSERT_OK_AND_ASSIGN(auto d26, store_->LookupIid("d26"));
  ASSERT_TRUE(d26.has_value());
  EXPECT_EQ(OutNeighbours("d25"), std::vector<uint64_t>({*d26}));
  ASSERT_OK_AND_ASSIGN(CommitRecord commit, db_->GetCommit(outcome.version));
  EXPECT_EQ(commit.description, "bulk import");
  ASSERT_OK_AND_ASSIGN(AuditVerifyResult audit, db_->audit().Verify());
  EXPECT_TRUE(audit.ok) << audit.reason;
}

}  // namespace
}  // namespace ctxgraph
