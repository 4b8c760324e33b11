// Database::Open merges a column family whose flushes left many small SST
// files (Database::FragmentedFamilies): the audit, commit and boundary-log
// families are append-only, so level compaction only moves their files down.
#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <cstdint>
#include <string>

#include "storage/audit_log.h"
#include "storage/database.h"
#include "tests/storage/store_fixture.h"

namespace ctxgraph {
namespace {

class FragmentationTest : public StoreFixture {
 protected:
  uint64_t SstFiles(Cf cf) const {
    return db_->Stats().column_families.at(static_cast<size_t>(cf)).sst_files;
  }

  // One read-side audit entry, flushed on its own: one more small file.
  void AppendAndFlush(int i) {
    AuditEntry entry;
    entry.principal = "agent";
    entry.action = "search";
    entry.summary = "query=q" + std::to_string(i);
    ASSERT_TRUE(db_->audit().Append(entry).ok());
    ASSERT_TRUE(db_->rocks()->Flush(rocksdb::FlushOptions(), db_->handle(Cf::kAudit)).ok());
  }

  // Every entry of the log, in order, from seq 1: its summaries.
  std::vector<std::string> Summaries() const {
    std::vector<std::string> out;
    uint64_t after = 0;
    for (;;) {
      absl::StatusOr<AuditPage> page = db_->audit().List(AuditFilter{}, after, 100);
      EXPECT_TRUE(page.ok()) << page.status();
      if (!page.ok() || page->entries.empty()) return out;
      for (const AuditEntry& e : page->entries) {
        out.push_back(e.summary);
        after = e.seq;
      }
    }
  }
};

TEST_F(FragmentationTest, OpenMergesAFamilyOfManySmallFilesAndKeepsEveryEntry) {
  for (int i = 0; i < 70; ++i) ASSERT_NO_FATAL_FAILURE(AppendAndFlush(i));
  // The premise: RocksDB's own compaction left the flushes unmerged.
  ASSERT_GE(SstFiles(Cf::kAudit), 64u);

  // Closing while the compaction Open started may still run cancels it;
  // nothing is lost, and the next Open starts it again.
  Reopen();
  Reopen();
  db_->WaitForBackgroundCompaction();

  EXPECT_EQ(SstFiles(Cf::kAudit), 1u);
  std::vector<std::string> expected;
  for (int i = 0; i < 70; ++i) expected.push_back("query=q" + std::to_string(i));
  EXPECT_EQ(Summaries(), expected);
  absl::StatusOr<AuditVerifyResult> verified = db_->audit().Verify();
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_TRUE(verified->ok) << verified->reason;
  EXPECT_EQ(verified->entries_checked, 70u);
}

TEST_F(FragmentationTest, OpenLeavesAFamilyOfFewerFilesAsItIs) {
  for (int i = 0; i < 40; ++i) ASSERT_NO_FATAL_FAILURE(AppendAndFlush(i));
  const uint64_t before = SstFiles(Cf::kAudit);
  ASSERT_GE(before, 2u);
  ASSERT_LT(before, 64u);

  Reopen();
  db_->WaitForBackgroundCompaction();

  EXPECT_EQ(SstFiles(Cf::kAudit), before);
  EXPECT_EQ(Summaries().size(), 40u);
}

}  // namespace
}  // namespace ctxgraph
