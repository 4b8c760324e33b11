// VerifyDatabaseChecksums, the offline check the crash test runs after each
// SIGKILL: a sound database (flushed tables and an unflushed WAL) passes and
// is left as it was; one flipped byte in a table is DATA_LOSS; no database is
// NOT_FOUND. And Database::Open itself runs with paranoid checks.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "storage/database.h"
#include "tests/storage/temp_dir.h"
#include "tests/test_macros.h"

namespace ctxgraph {
namespace {

namespace fs = std::filesystem;

// Commits `key` = `value` in the default column family.
absl::Status PutCommitted(Database& db, const std::string& key, const std::string& value) {
  return db
      .Commit("tester", "put",
              [&](CommitContext& c) {
                c.Put(Cf::kDefault, key, value);
                return absl::OkStatus();
              })
      .status();
}

// A database with one key flushed to a table and one only in the WAL.
void MakeDatabase(const std::string& path) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Database> db, Database::Open(path, DatabaseOptions{}));
  ASSERT_OK(PutCommitted(*db, "flushed", std::string(8192, 'f')));
  ASSERT_OK(FromRocks(db->rocks()->Flush(rocksdb::FlushOptions(), db->handle(Cf::kDefault))));
  ASSERT_OK(PutCommitted(*db, "in-wal", "w"));
}

std::vector<fs::path> TableFiles(const std::string& path) {
  std::vector<fs::path> tables;
  for (const auto& entry : fs::directory_iterator(path)) {
    if (entry.path().extension() == ".sst") tables.push_back(entry.path());
  }
  return tables;
}

TEST(VerifyDatabaseChecksumsTest, SoundDatabasePassesAndKeepsItsWal) {
  TempDir dir;
  const std::string path = dir.path() + "/db";
  MakeDatabase(path);
  ASSERT_FALSE(TableFiles(path).empty());

  EXPECT_OK(VerifyDatabaseChecksums(path));

  // Read-only: the WAL-only commit is still there for the next real open.
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Database> db, Database::Open(path, DatabaseOptions{}));
  std::string value;
  ASSERT_OK_AND_ASSIGN(bool found, db->Get(Cf::kDefault, "in-wal", &value));
  EXPECT_TRUE(found);
  EXPECT_EQ(value, "w");
  EXPECT_EQ(db->LatestVersion(), 2u);
}

TEST(VerifyDatabaseChecksumsTest, FlippedByteInATableIsDataLoss) {
  TempDir dir;
  const std::string path = dir.path() + "/db";
  MakeDatabase(path);
  // Byte 100 of every table lies in its first data block, which only a
  // full read checks.
  for (const fs::path& table : TableFiles(path)) {
    std::fstream f(table, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(100);
    char c = 0;
    f.get(c);
    f.seekp(100);
    f.put(static_cast<char>(c ^ 0x5a));
  }

  const absl::Status s = VerifyDatabaseChecksums(path);
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss) << s;
  EXPECT_NE(s.message().find(".sst"), std::string::npos) << s;
}

// The server's own open: a damaged file found while reading fails the
// database instead of being skipped.
TEST(VerifyDatabaseChecksumsTest, DatabaseOpensWithParanoidChecks) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Database> db,
                       Database::Open(dir.path() + "/db", DatabaseOptions{}));
  EXPECT_TRUE(db->rocks()->GetDBOptions().paranoid_checks);
}

TEST(VerifyDatabaseChecksumsTest, MissingDatabaseIsNotFound) {
  TempDir dir;
  const absl::Status s = VerifyDatabaseChecksums(dir.path() + "/none");
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound) << s;
  EXPECT_NE(s.message().find("no database at " + dir.path() + "/none"), std::string::npos) << s;
}

}  // namespace
}  // namespace ctxgraph
