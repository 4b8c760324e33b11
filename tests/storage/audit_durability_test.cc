// How read-side audit entries reach disk (AuditSyncPolicy), checked against
// a simulated power loss: what an acknowledged Append may lose, and when
// Append must wait for a sync instead.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <string>
#include <vector>

#include "storage/audit_log.h"
#include "storage/testing/fault_injection_fs.h"
#include "tests/storage/store_fixture.h"
#include "tests/test_macros.h"

namespace ctxgraph {
namespace {

using std::chrono::milliseconds;

// Long enough that an Append that should return is never mistaken for one
// that waits, on a loaded machine.
constexpr auto kReturns = std::chrono::seconds(20);
// How long an Append that must wait is watched for returning early.
constexpr auto kStillWaiting = milliseconds(300);

class AuditDurabilityTest : public StoreFixture {
 protected:
  void SetUp() override { options_.env = FaultInjectionFs::NewEnv(fs_); }

  void Open(std::chrono::milliseconds window, bool sync = true) {
    options_.sync_audit_appends = sync;
    options_.audit_sync_window = window;
    StoreFixture::Reopen();
  }

  void TearDown() override { fs_->ReleaseSyncs(); }

  // Appends a read-side entry on another thread (Append may block).
  std::future<absl::StatusOr<AuditEntry>> AppendAsync(std::string summary) {
    return std::async(std::launch::async, [this, summary = std::move(summary)] {
      AuditEntry entry;
      entry.principal = "reader";
      entry.action = "search";
      entry.summary = summary;
      return db_->audit().Append(std::move(entry));
    });
  }

  // The seq of an append that returned in time; 0 (and a failure) otherwise.
  uint64_t AppendReturns(std::string summary) {
    auto appended = AppendAsync(std::move(summary));
    if (appended.wait_for(kReturns) != std::future_status::ready) {
      ADD_FAILURE() << "Append did not return";
      fs_->ReleaseSyncs();  // lets it finish before the fixture goes
      return 0;
    }
    absl::StatusOr<AuditEntry> entry = appended.get();
    EXPECT_TRUE(entry.ok()) << entry.status();
    return entry.ok() ? entry->seq : 0;
  }

  // Waits (up to kReturns) until the log's own syncs cover `seq`.
  bool SyncedThrough(uint64_t seq) {
    const auto deadline = std::chrono::steady_clock::now() + kReturns;
    while (db_->audit().synced_seq() < seq) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(milliseconds(1));
    }
    return true;
  }

  // The power goes off now; the database closes (its last writes fail),
  // the machine reboots and the database opens again.
  void PowerLossAndRestart() {
    fs_->SimulatePowerLoss();
    store_.reset();
    labels_.reset();
    text_.reset();
    db_.reset();
    ASSERT_TRUE(fs_->Reboot().ok());
    fs_->ReleaseSyncs();
    StoreFixture::Reopen();
  }

  // The summaries of every entry, in seq order, after checking the chain.
  std::vector<std::string> Summaries() {
    absl::StatusOr<AuditVerifyResult> verified = db_->audit().Verify();
    EXPECT_TRUE(verified.ok() && verified->ok) << (verified.ok() ? verified->reason : "");
    absl::StatusOr<AuditPage> page = db_->audit().List(AuditFilter{}, 0, 1000);
    EXPECT_TRUE(page.ok()) << page.status();
    std::vector<std::string> out;
    if (page.ok()) {
      for (const AuditEntry& e : page->entries) out.push_back(e.summary);
    }
    return out;
  }

  std::shared_ptr<FaultInjectionFs> fs_ = std::make_shared<FaultInjectionFs>();
};

using Strings = std::vector<std::string>;

// Window 0: no answer without a durable entry, so a disk slow to sync
// holds the append back.
TEST_F(AuditDurabilityTest, PerCallAppendWaitsForItsSync) {
  Open(milliseconds(0));
  fs_->HoldSyncs();
  auto appended = AppendAsync("a");
  EXPECT_EQ(appended.wait_for(kStillWaiting), std::future_status::timeout);
  fs_->ReleaseSyncs();
  ASSERT_EQ(appended.wait_for(kReturns), std::future_status::ready);
  ASSERT_OK_AND_ASSIGN(AuditEntry entry, appended.get());
  EXPECT_GE(db_->audit().synced_seq(), entry.seq);
  PowerLossAndRestart();
  EXPECT_EQ(Summaries(), Strings({"a"}));
}

// Within the window an append returns before its sync: the documented cost
// is that a power loss before the sync takes it, and never opens a gap.
TEST_F(AuditDurabilityTest, WindowAppendReturnsBeforeItsSyncAndAPowerLossMayTakeIt) {
  Open(milliseconds(400));
  ASSERT_NE(AppendReturns("kept"), 0u);
  ASSERT_TRUE(SyncedThrough(1));
  fs_->HoldSyncs();
  const uint64_t seq = AppendReturns("lost");
  EXPECT_EQ(seq, 2u);
  EXPECT_EQ(db_->audit().synced_seq(), 1u);
  PowerLossAndRestart();
  EXPECT_EQ(Summaries(), Strings({"kept"}));
  EXPECT_EQ(db_->audit().head_seq(), 1u);
}

// The log's own thread syncs an entry half a window after Append returned,
// without another append or commit to push it.
TEST_F(AuditDurabilityTest, WindowAppendIsSyncedByTheLogsThread) {
  Open(milliseconds(400));
  const uint64_t seq = AppendReturns("a");
  ASSERT_TRUE(SyncedThrough(seq));
  PowerLossAndRestart();
  EXPECT_EQ(Summaries(), Strings({"a"}));
}

// Appends within half a window of each other share the thread's one sync.
TEST_F(AuditDurabilityTest, WindowAppendsShareOneSync) {
  Open(milliseconds(2000));
  const uint64_t syncs = fs_->count(FaultOp::kSync);
  ASSERT_EQ(AppendReturns("a"), 1u);
  ASSERT_EQ(AppendReturns("b"), 2u);
  ASSERT_EQ(AppendReturns("c"), 3u);
  ASSERT_TRUE(SyncedThrough(3));
  EXPECT_EQ(fs_->count(FaultOp::kSync) - syncs, 1u);
  PowerLossAndRestart();
  EXPECT_EQ(Summaries(), Strings({"a", "b", "c"}));
}

// Once the oldest unsynced entry is older than the window, appends wait for
// a sync: acknowledged but undurable entries never span more than a window.
TEST_F(AuditDurabilityTest, WindowAppendWaitsOnceTheOldestUnsyncedEntryIsPastTheWindow) {
  Open(milliseconds(50));
  fs_->HoldSyncs();
  ASSERT_EQ(AppendReturns("first"), 1u);
  std::this_thread::sleep_for(milliseconds(60));
  auto late = AppendAsync("late");
  EXPECT_EQ(late.wait_for(kStillWaiting), std::future_status::timeout);
  fs_->ReleaseSyncs();
  ASSERT_EQ(late.wait_for(kReturns), std::future_status::ready);
  ASSERT_OK_AND_ASSIGN(AuditEntry entry, late.get());
  EXPECT_EQ(entry.seq, 2u);
  EXPECT_GE(db_->audit().synced_seq(), 2u);
  PowerLossAndRestart();
  EXPECT_EQ(Summaries(), Strings({"first", "late"}));
}

// Without syncs an entry is written, never synced by the log itself.
TEST_F(AuditDurabilityTest, UnsyncedAppendsAreNeverSyncedByTheLog) {
  Open(milliseconds(0), /*sync=*/false);
  fs_->HoldSyncs();
  ASSERT_EQ(AppendReturns("a"), 1u);
  std::this_thread::sleep_for(milliseconds(50));
  EXPECT_EQ(db_->audit().synced_seq(), 0u);
  PowerLossAndRestart();
  EXPECT_EQ(Summaries(), Strings({}));
}

}  // namespace
}  // namespace ctxgraph
