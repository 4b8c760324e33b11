// A real RocksDB-backed GraphStore in a temporary directory, reopenable to
// test what survives a restart.
#ifndef CTXGRAPH_TESTS_STORAGE_STORE_FIXTURE_H_
#define CTXGRAPH_TESTS_STORAGE_STORE_FIXTURE_H_

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "storage/graph_store.h"
#include "storage/testing/allow_all_writes.h"
#include "tests/storage/temp_dir.h"

namespace ctxgraph {

// An upsert of node `id` with a "title" prop.
inline Mutation TitledNode(std::string id, std::string title,
                           std::vector<std::string> labels = {"Document"},
                           std::vector<std::string> boundary = {}) {
  NodeUpsert m;
  m.node.id = std::move(id);
  m.node.labels = std::move(labels);
  m.node.boundary = std::move(boundary);
  m.node.props["title"] = Value{std::move(title)};
  return m;
}

// Defines `labels` in one commit, as a write must before it puts a label on
// a node; returns the commit's version (0, and a test failure, on error).
inline uint64_t DefineLabels(GraphStore& store, const std::vector<std::string>& labels) {
  std::vector<Mutation> defines;
  for (const std::string& name : labels) {
    defines.push_back(
        LabelDefine{LabelDefinition{.name = name, .description = "test label " + name}});
  }
  AllowAllWrites guard;
  absl::StatusOr<WriteResult> r = store.Apply(std::move(defines), guard, "steward", "labels");
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? r->version : 0;
}

class StoreFixture : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }

  // Closes the database (if open) and opens it again on the same directory.
  void Reopen() {
    store_.reset();
    labels_.reset();
    text_.reset();
    db_.reset();
    auto db = Database::Open(dir_.path(), options_);
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(*db);
    text_ = std::make_unique<TextIndex>(db_.get(), TextIndexConfig{});
    ASSERT_TRUE(text_->Open().ok());
    labels_ = std::make_unique<LabelRegistry>(db_.get());
    ASSERT_TRUE(labels_->Load().ok());
    store_ = std::make_unique<GraphStore>(db_.get(), text_.get(), labels_.get());
  }

  // Applies `m` in one commit as "tester"; returns its version (0, and a
  // test failure, on error).
  uint64_t Apply(std::vector<Mutation> m) {
    AllowAllWrites guard;
    absl::StatusOr<WriteResult> r = store_->Apply(std::move(m), guard, "tester", "");
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? r->version : 0;
  }

  TempDir dir_;
  DatabaseOptions options_;  // used by the next Reopen
  std::unique_ptr<Database> db_;
  std::unique_ptr<TextIndex> text_;
  std::unique_ptr<LabelRegistry> labels_;
  std::unique_ptr<GraphStore> store_;
};

}  // namespace ctxgraph

#endif  // CTXGRAPH_TESTS_STORAGE_STORE_FIXTURE_H_
