// VerifyDatabaseChecksums, the offline check the crash test runs after each
// SIGKILL: a sound database (flushed tables and an unflushed WAL) passes and
// is left as it was; one flipped byte in a table is DATA_LOSS; no database
// (no CURRENT file) is NOT_FOUND, and a database that cannot be read keeps
// its own code. And Database::Open itself runs with paranoid checks.
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

// MakeDatabase, then CURRENT replaced by `current`.
void MakeDatabaseWithCurrent(const std::string& path, const std::string& current) {
  MakeDatabase(path);
  std::ofstream(fs::path(path) / "CURRENT", std::ios::trunc) << current;
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
  EXPECT_EQ(s, absl::NotFoundError("no database at " + dir.path() + "/none: no CURRENT file"));
}

TEST(VerifyDatabaseChecksumsTest, DirectoryWithoutCurrentIsNotFound) {
  TempDir dir;
  const std::string path = dir.path() + "/db";
  MakeDatabase(path);
  fs::remove(fs::path(path) / "CURRENT");
  EXPECT_EQ(VerifyDatabaseChecksums(path),
            absl::NotFoundError("no database at " + path + ": no CURRENT file"));
}

// A database is there but cannot be read: never reported as no database.
TEST(VerifyDatabaseChecksumsTest, CurrentNamingAMissingManifestIsUnavailableNotNotFound) {
  TempDir dir;
  const std::string path = dir.path() + "/db";
  MakeDatabaseWithCurrent(path, "MANIFEST-999999\n");
  const absl::Status s = VerifyDatabaseChecksums(path);
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable) << s;
  EXPECT_EQ(s.message(),
            "storage: IO error: No such file or directory: While opening a file for sequentially "
            "reading: " +
                path + "/MANIFEST-999999: No such file or directory")
      << s;
}

TEST(VerifyDatabaseChecksumsTest, CurrentWithoutANewlineIsDataLoss) {
  TempDir dir;
  const std::string path = dir.path() + "/db";
  MakeDatabaseWithCurrent(path, "MANIFEST-000001");
  EXPECT_EQ(VerifyDatabaseChecksums(path),
            absl::DataLossError("storage: Corruption: CURRENT file does not end with newline"));
}

TEST(VerifyDatabaseChecksumsTest, UnreadableCurrentIsUnavailableNotNotFound) {
  TempDir dir;
  const std::string path = dir.path() + "/db";
  MakeDatabase(path);
  // A directory in CURRENT's place: reading it fails whoever runs the test
  // (root reads a file of any mode).
  fs::remove(fs::path(path) / "CURRENT");
  fs::create_directory(fs::path(path) / "CURRENT");
  const absl::Status s = VerifyDatabaseChecksums(path);
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable) << s;
  EXPECT_EQ(s.message(), "storage: IO error: While reading file sequentially: " + path +
                             "/CURRENT: Is a directory")
      << s;
}

}  // namespace
}  // namespace ctxgraph
