// The label registry and its enforcement in GraphStore: a node may only take
// on a defined label; definitions are versioned, cached in step with commits
// (never ahead of them), survive a restart, and vanish with an aborted bulk
// session.
#include "storage/label_registry.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "storage/keys.h"
#include "tests/storage/store_fixture.h"
#include "tests/test_macros.h"

namespace ctxgraph {
namespace {

Mutation Node(std::string id, std::vector<std::string> boundary = {}, std::string title = "t") {
  NodeUpsert m;
  m.node.id = std::move(id);
  m.node.labels = {"Document"};
  m.node.boundary = std::move(boundary);
  m.node.props["title"] = Value{std::move(title)};
  return m;
}

Mutation Define(std::string name, std::string description, bool propagate = false) {
  return LabelDefine{LabelDefinition{
      .name = std::move(name), .description = std::move(description), .propagate = propagate}};
}

class LabelRegistryTest : public StoreFixture {
 protected:
  absl::StatusOr<WriteResult> Apply(std::vector<Mutation> m) {
    return store_->Apply(std::move(m), guard_, "steward", "test");
  }
  bool Exists(std::string_view id) {
    auto node = store_->GetNode(id, keys::kMaxVersion);
    return node.ok() && node->has_value();
  }
  // "name@version" of every label as of `version`, paging by `page`.
  std::vector<std::string> AllLabels(uint64_t version, size_t page) {
    std::vector<std::string> out;
    std::string after;
    for (int i = 0; i < 100; ++i) {
      bool more = false;
      auto labels = labels_->List(version, after, page, &more);
      EXPECT_TRUE(labels.ok()) << labels.status();
      if (!labels.ok()) break;
      for (const auto& l : *labels) out.push_back(absl::StrCat(l.name, "@", l.version));
      if (!more) break;
      after = labels->back().name;
    }
    return out;
  }

  AllowAllWrites guard_;
};

TEST_F(LabelRegistryTest, AnUndefinedLabelFailsTheWholeBatchAndWritesNothing) {
  ASSERT_OK(Apply({Node("before")}));
  EXPECT_STATUS(Apply({Node("a"), Node("b", {"pii", "team:x"})}),
                absl::StatusCode::kFailedPrecondition,
                "ops[1].upsert_node.boundary: undefined boundary label \"pii\"");
  EXPECT_EQ(db_->LatestVersion(), 1u);
  EXPECT_FALSE(Exists("a"));
  EXPECT_FALSE(Exists("b"));
  ASSERT_OK_AND_ASSIGN(auto iid, store_->LookupIid("b"));
  EXPECT_FALSE(iid.has_value());
}

TEST_F(LabelRegistryTest, ALabelDefinedEarlierInTheBatchMayBeUsedLaterInIt) {
  ASSERT_OK_AND_ASSIGN(WriteResult r, Apply({Define("pii", "Personal data"), Node("a", {"pii"})}));
  EXPECT_EQ(r.labels_defined, 1u);
  EXPECT_EQ(r.nodes_written, 1u);
  EXPECT_TRUE(labels_->IsDefined("pii"));
  // Order matters: a use before the definition fails.
  EXPECT_STATUS(Apply({Node("b", {"hr"}), Define("hr", "HR")}),
                absl::StatusCode::kFailedPrecondition,
                "ops[0].upsert_node.boundary: undefined boundary label \"hr\"");
  EXPECT_FALSE(labels_->IsDefined("hr"));
}

TEST_F(LabelRegistryTest, RedefinitionIsVersionedAndTheSameDefinitionIsANoOp) {
  ASSERT_OK_AND_ASSIGN(WriteResult v1, Apply({Define("pii", "Personal data")}));
  ASSERT_OK_AND_ASSIGN(WriteResult same, Apply({Define("pii", "Personal data")}));
  EXPECT_FALSE(same.committed);
  EXPECT_EQ(same.unchanged, 1u);
  EXPECT_EQ(same.labels_defined, 0u);
  // The propagate flag is fixed once defined: flipping it would change
  // who sees nodes the label was never put on.
  EXPECT_STATUS(Apply({Define("pii", "Personal data (GDPR)", true)}),
                absl::StatusCode::kFailedPrecondition,
                "ops[0].define_label.propagate: label \"pii\" was defined with propagate=false; "
                "the flag is fixed once a label is defined (define a new label instead)");
  ASSERT_EQ(db_->LatestVersion(), v1.version);
  ASSERT_OK_AND_ASSIGN(WriteResult v2, Apply({Define("pii", "Personal data (GDPR)")}));
  ASSERT_EQ(v2.version, v1.version + 1);

  ASSERT_OK_AND_ASSIGN(auto at_v1, labels_->Get("pii", v1.version));
  ASSERT_TRUE(at_v1.has_value());
  EXPECT_EQ(*at_v1, (LabelDefinition{"pii", "Personal data", false, v1.version, v1.version,
                                     "steward", at_v1->time}));
  ASSERT_OK_AND_ASSIGN(auto at_v2, labels_->Get("pii", v2.version));
  ASSERT_TRUE(at_v2.has_value());
  EXPECT_EQ(at_v2->description, "Personal data (GDPR)");
  EXPECT_FALSE(at_v2->propagate);
  EXPECT_EQ(at_v2->version, v2.version);
  EXPECT_EQ(at_v2->created_version, v1.version);
  EXPECT_EQ(labels_->Latest("pii"), at_v2);
  ASSERT_OK_AND_ASSIGN(auto before, labels_->Get("pii", v1.version - 1));
  EXPECT_FALSE(before.has_value());
}

TEST_F(LabelRegistryTest, ListIsVersionedAndPagesInKeyOrder) {
  ASSERT_OK_AND_ASSIGN(WriteResult v1,
                       Apply({Define("team:eng", "Engineering"), Define("pii", "Personal data")}));
  ASSERT_OK_AND_ASSIGN(WriteResult v2,
                       Apply({Define("restricted", "Need to know"), Define("pii", "PII")}));
  // Shorter names first, then bytes.
  EXPECT_EQ(AllLabels(v1.version, 10),
            (std::vector<std::string>{absl::StrCat("pii@", v1.version),
                                      absl::StrCat("team:eng@", v1.version)}));
  const std::vector<std::string> want = {absl::StrCat("pii@", v2.version),
                                         absl::StrCat("team:eng@", v1.version),
                                         absl::StrCat("restricted@", v2.version)};
  EXPECT_EQ(AllLabels(v2.version, 10), want);
  EXPECT_EQ(AllLabels(v2.version, 1), want);
  EXPECT_EQ(AllLabels(v2.version, 2), want);
  EXPECT_TRUE(AllLabels(v1.version - 1, 10).empty());
}

TEST_F(LabelRegistryTest, TheCacheIsReadBackAfterARestart) {
  ASSERT_OK(Apply({Define("pii", "Personal data")}));
  Reopen();
  EXPECT_TRUE(labels_->IsDefined("pii"));
  EXPECT_EQ(labels_->size(), 1u);
  ASSERT_OK(Apply({Node("a", {"pii"})}));
}

TEST_F(LabelRegistryTest, ALabelANodeAlreadyCarriesStaysValidWithoutADefinition) {
  // A database from before the registry: nodes carry labels nobody defined.
  ASSERT_OK(Apply({Define("legacy", "old"), Node("a", {"legacy"})}));
  auto it = db_->NewIterator(Cf::kLabels);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    ASSERT_OK(FromRocks(
        db_->rocks()->Delete(rocksdb::WriteOptions(), db_->handle(Cf::kLabels), it->key())));
  }
  it.reset();
  Reopen();
  ASSERT_FALSE(labels_->IsDefined("legacy"));
  // Rewriting the node keeps its label; giving the label to another is refused.
  ASSERT_OK(Apply({Node("a", {"legacy"}, "new title")}));
  EXPECT_STATUS(Apply({Node("b", {"legacy"})}), absl::StatusCode::kFailedPrecondition,
                "ops[0].upsert_node.boundary: undefined boundary label \"legacy\"");
}

TEST_F(LabelRegistryTest, ImportRejectsAnUndefinedLabelAloneAndSeesItsOwnDefinitions) {
  auto session = db_->BeginSession("loader");
  ImportCache cache;
  ChunkResult first, second;
  ASSERT_OK(session->Write([&](CommitContext& ctx) {
    return store_->ApplyEach(
        ctx,
        {{0, Node("a", {"pii"})}, {1, Define("pii", "Personal data")}, {2, Node("b", {"pii"})}},
        guard_, false, &cache, &first);
  }));
  ASSERT_EQ(first.rejects.size(), 1u);
  EXPECT_EQ(first.rejects[0].index, 0u);
  EXPECT_STATUS(first.rejects[0].status, absl::StatusCode::kFailedPrecondition,
                "ops[0].upsert_node.boundary: undefined boundary label \"pii\"");
  // A later batch of the same session sees the pending definition; the
  // registry's cache does not until the session is published.
  ASSERT_OK(session->Write([&](CommitContext& ctx) {
    return store_->ApplyEach(ctx, {{3, Node("c", {"pii"})}}, guard_, false, &cache, &second);
  }));
  EXPECT_TRUE(second.rejects.empty());
  EXPECT_FALSE(labels_->IsDefined("pii"));
  ASSERT_OK_AND_ASSIGN(CommitOutcome outcome, session->Finish("bulk"));
  EXPECT_TRUE(labels_->IsDefined("pii"));
  ASSERT_OK_AND_ASSIGN(auto pii, labels_->Get("pii", outcome.version));
  ASSERT_TRUE(pii.has_value());
  EXPECT_EQ(pii->version, outcome.version);
  EXPECT_FALSE(Exists("a"));
  EXPECT_TRUE(Exists("b") && Exists("c"));
}

TEST_F(LabelRegistryTest, AnAbortedSessionLeavesNoDefinitionBehind) {
  {
    auto session = db_->BeginSession("loader");
    ImportCache cache;
    ChunkResult result;
    ASSERT_OK(session->Write([&](CommitContext& ctx) {
      return store_->ApplyEach(ctx, {{0, Define("pii", "Personal data")}}, guard_, false, &cache,
                               &result);
    }));
    ASSERT_OK(session->Abort());
  }
  EXPECT_FALSE(labels_->IsDefined("pii"));
  ASSERT_OK_AND_ASSIGN(auto pii, labels_->Get("pii", keys::kMaxVersion));
  EXPECT_FALSE(pii.has_value());
  Reopen();
  EXPECT_FALSE(labels_->IsDefined("pii"));
}

}  // namespace
}  // namespace ctxgraph
