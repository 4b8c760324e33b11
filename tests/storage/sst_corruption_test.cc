// Random byte flips in SST files: every outcome is a refusal to open, a
// DATA_LOSS read, or correct data (a flip the reads never reach); never wrong
// data served silently. Block checksums are verified on every read
// (rocksdb::ReadOptions::verify_checksums defaults to true and Database
// never turns it off), and Open checks every table it opens.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tests/storage/store_fixture.h"
#include "tests/test_macros.h"

namespace ctxgraph {
namespace {

namespace fs = std::filesystem;

constexpr int kNodes = 200;
constexpr uint64_t kNewest = std::numeric_limits<uint64_t>::max() - 1;

std::string Title(int i) { return absl::StrCat("title of node ", i, " with some padding text"); }

class SstCorruptionTest : public StoreFixture {
 protected:
  // kNodes nodes, flushed to SST files, the database closed.
  void WriteAndFlush() {
    std::vector<Mutation> nodes;
    for (int i = 0; i < kNodes; ++i) nodes.push_back(TitledNode(absl::StrCat("doc-", i), Title(i)));
    AllowAllWrites guard;
    ASSERT_OK(store_->Apply(std::move(nodes), guard, "writer", "load").status());
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    for (int i = 0; i < static_cast<int>(Cf::kCount); ++i) {
      handles.push_back(db_->handle(static_cast<Cf>(i)));
    }
    ASSERT_TRUE(db_->rocks()->Flush(rocksdb::FlushOptions(), handles).ok());
    store_.reset();
    labels_.reset();
    text_.reset();
    db_.reset();
  }

  std::vector<fs::path> SstFiles(const std::string& dir) {
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(dir)) {
      if (entry.path().extension() == ".sst") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    return files;
  }

  static void FlipByte(const fs::path& file, uint64_t offset, uint8_t mask) {
    std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(offset);
    char c = 0;
    f.read(&c, 1);
    c = static_cast<char>(c ^ mask);
    f.seekp(offset);
    f.write(&c, 1);
  }

  // What reading every node of a copy of the database with one flipped byte
  // gave: "refused" (open failed), "data loss" (a read failed), "checksum"
  // (every read was correct, VerifyChecksum found the flip) or "correct".
  // Fails the test on wrong data or an error other than DATA_LOSS.
  std::string Outcome(const std::string& dir, const std::string& trial) {
    DatabaseOptions options;
    absl::StatusOr<std::unique_ptr<Database>> db = Database::Open(dir, options);
    if (!db.ok()) {
      EXPECT_EQ(db.status().code(), absl::StatusCode::kDataLoss) << trial << ": " << db.status();
      return "refused";
    }
    TextIndex text(db->get(), TextIndexConfig{});
    if (absl::Status s = text.Open(); !s.ok()) {
      EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss) << trial << ": " << s;
      return "refused";
    }
    LabelRegistry labels(db->get());
    if (absl::Status s = labels.Load(); !s.ok()) {
      EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss) << trial << ": " << s;
      return "refused";
    }
    GraphStore store(db->get(), &text, &labels);
    bool lost = false;
    for (int i = 0; i < kNodes; ++i) {
      absl::StatusOr<std::optional<NodeRecord>> node =
          store.GetNode(absl::StrCat("doc-", i), kNewest);
      if (!node.ok()) {
        EXPECT_EQ(node.status().code(), absl::StatusCode::kDataLoss)
            << trial << ": " << node.status();
        lost = true;
        continue;
      }
      // Present, with exactly the title written: a flip that turned a node
      // absent or changed its title would be wrong data.
      EXPECT_TRUE(node->has_value()) << trial << ": doc-" << i << " vanished";
      if (!node->has_value()) continue;
      EXPECT_EQ(std::get<std::string>((**node).props.at("title").v), Title(i)) << trial;
    }
    if (lost) return "data loss";
    // What no read reached, a full checksum pass still finds.
    if (absl::Status s = FromRocks((*db)->rocks()->VerifyChecksum()); !s.ok()) {
      EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss) << trial << ": " << s;
      return "checksum";
    }
    return "correct";
  }
};

TEST_F(SstCorruptionTest, FlippedBytesAreRefusedOrDataLossNeverWrongData) {
  WriteAndFlush();
  const std::vector<fs::path> ssts = SstFiles(dir_.path());
  ASSERT_FALSE(ssts.empty());
  std::map<std::string, int> outcomes;
  for (uint64_t seed = 1; seed <= 24; ++seed) {
    std::mt19937_64 rng(seed);
    const fs::path& sst = ssts[rng() % ssts.size()];
    const uint64_t size = fs::file_size(sst);
    // Half the trials hit the first half of the file, where the data blocks
    // are; the rest anywhere (index, filter, properties, footer).
    const uint64_t offset = seed % 2 == 0 ? rng() % (size / 2) : rng() % size;
    const uint8_t mask = static_cast<uint8_t>(1 + rng() % 255);
    TempDir copy;
    fs::copy(dir_.path(), copy.path(), fs::copy_options::recursive);
    FlipByte(fs::path(copy.path()) / sst.filename(), offset, mask);
    const std::string trial = absl::StrCat("seed ", seed, ": ", sst.filename().string(), " byte ",
                                           offset, " of ", size, " ^ ", int{mask});
    ++outcomes[Outcome(copy.path(), trial)];
  }
  // Most flips are caught; none may go unnoticed as wrong data (above).
  EXPECT_GT(outcomes["refused"] + outcomes["data loss"], 0);
  EXPECT_LT(outcomes["correct"], 24);
}

// A flip in the first data block of any table is detected: by the open, by
// a read that reaches it, or (for tables no read here touches) by a full
// checksum pass.
TEST_F(SstCorruptionTest, FlipInEveryTablesFirstDataBlockIsDetected) {
  WriteAndFlush();
  const std::vector<fs::path> ssts = SstFiles(dir_.path());
  for (const fs::path& sst : ssts) {
    TempDir copy;
    fs::copy(dir_.path(), copy.path(), fs::copy_options::recursive);
    FlipByte(fs::path(copy.path()) / sst.filename(), 16, 0x40);  // inside the first block
    const std::string outcome = Outcome(copy.path(), sst.filename().string());
    EXPECT_NE(outcome, "correct") << sst.filename();
  }
}

}  // namespace
}  // namespace ctxgraph
