// The crash test's writer model (tools/crashtest/writer_model.h): what a
// batch writes, deletes with their edges, and the matching that tells an
// applied batch from an absent one. The crash test's verdicts rest on these.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "tools/crashtest/writer_model.h"

namespace ctxgraph::crashtest {
namespace {

// Applies batches (at versions 1, 2, ...) until `pred` holds for the next
// one, which is returned unapplied.
template <typename Pred>
Batch BatchWhere(WriterModel& model, std::mt19937_64& rng, uint64_t* version, Pred pred) {
  for (int i = 0; i < 500; ++i) {
    Batch batch = model.NextBatch(rng);
    if (pred(batch)) return batch;
    model.Apply(batch, ++*version);
  }
  ADD_FAILURE() << "no such batch in 500";
  return Batch{};
}

bool Deletes(const Batch& batch) {
  for (const v1::WriteOp& op : batch.request.ops()) {
    if (op.has_delete_node()) return true;
  }
  return false;
}

TEST(WriterModelTest, FirstBatchIsThreeChainedNodes) {
  WriterModel model(2);
  std::mt19937_64 rng(1);
  const Batch batch = model.NextBatch(rng);
  EXPECT_EQ(batch.id, "w2-b000001");
  EXPECT_EQ(batch.request.description(), "w2-b000001");
  EXPECT_EQ(batch.request.ops_size(), 5);
  EXPECT_EQ(batch.touched,
            (std::set<std::string>{"w2-b000001-n0", "w2-b000001-n1", "w2-b000001-n2"}));
  EXPECT_FALSE(model.Expected("w2-b000001-n0").exists);

  model.Apply(batch, 7);
  const NodeState n0 = model.Expected("w2-b000001-n0");
  EXPECT_TRUE(n0.exists);
  EXPECT_EQ(n0.labels, (std::vector<std::string>{"Crash", "CrashW2"}));
  EXPECT_EQ(n0.props,
            (std::map<std::string, std::string>{{"batch", "w2-b000001"},
                                                {"idx", "0"},
                                                {"rev", "0"},
                                                {"text", "crash test node 0 of w2-b000001"}}));
  EXPECT_EQ(n0.version, 7u);
  EXPECT_EQ(n0.out, (std::map<std::string, EdgeState>{{"w2-b000001-n1", {7, "w2-b000001"}}}));
  EXPECT_TRUE(model.Expected("w2-b000001-n2").out.empty());
  EXPECT_EQ(model.live_count(), 3u);
}

TEST(WriterModelTest, DeleteTouchesAndUnlinksEveryNodeLinkingToIt) {
  WriterModel model(0);
  std::mt19937_64 rng(3);
  uint64_t version = 0;
  const Batch batch = BatchWhere(model, rng, &version, Deletes);
  std::string deleted;
  for (const v1::WriteOp& op : batch.request.ops()) {
    if (op.has_delete_node()) deleted = op.delete_node();
  }
  ASSERT_TRUE(model.Expected(deleted).exists);
  std::set<std::string> linking;
  for (const std::string& id : model.written()) {
    if (model.Expected(id).out.count(deleted) > 0) linking.insert(id);
  }
  for (const std::string& id : linking) EXPECT_EQ(batch.touched.count(id), 1u) << id;
  EXPECT_EQ(batch.touched.count(deleted), 1u);

  model.Apply(batch, ++version);
  EXPECT_FALSE(model.Expected(deleted).exists);
  for (const std::string& id : model.written()) {
    EXPECT_EQ(model.Expected(id).out.count(deleted), 0u) << id;
  }
}

TEST(WriterModelTest, UpdateRewritesPropsAndKeepsEdges) {
  WriterModel model(1);
  std::mt19937_64 rng(5);
  uint64_t version = 0;
  std::string updated;
  const Batch batch = BatchWhere(model, rng, &version, [&](const Batch& b) {
    for (const v1::WriteOp& op : b.request.ops()) {
      if (op.has_upsert_node() && op.upsert_node().id().rfind(b.id, 0) != 0) {
        updated = op.upsert_node().id();
        return true;
      }
    }
    return false;
  });
  const NodeState before = model.Expected(updated);
  model.Apply(batch, ++version);
  const NodeState after = model.Expected(updated);
  EXPECT_EQ(after.props.at("rev"), std::to_string(std::stoull(batch.id.substr(4))));
  EXPECT_EQ(after.props.at("updated_by"), batch.id);
  EXPECT_EQ(after.props.at("batch"), before.props.at("batch"));
  EXPECT_EQ(after.version, version);
  EXPECT_EQ(after.out, before.out);
}

// The all-or-nothing check relies on it: no node a batch touches looks the
// same before and after the batch.
TEST(WriterModelTest, EveryTouchedNodeChanges) {
  WriterModel model(3);
  std::mt19937_64 rng(11);
  for (uint64_t version = 1; version <= 300; ++version) {
    const Batch batch = model.NextBatch(rng);
    WriterModel applied = model;
    applied.Apply(batch, kPendingVersion);
    for (const std::string& id : batch.touched) {
      uint64_t pending = 0;
      EXPECT_FALSE(Matches(applied.Expected(id), model.Expected(id), &pending))
          << batch.id << " " << id;
    }
    model.Apply(batch, version);
  }
}

TEST(MatchesTest, PendingVersionMatchesOneVersionForTheWholeBatch) {
  NodeState expected;
  expected.exists = true;
  expected.labels = {"Crash"};
  expected.props = {{"rev", "1"}};
  expected.version = kPendingVersion;
  expected.out = {{"b", EdgeState{kPendingVersion, "w0-b000001"}}};
  NodeState actual = expected;
  actual.version = 12;
  actual.out["b"].version = 12;

  uint64_t pending = 0;
  EXPECT_TRUE(Matches(expected, actual, &pending));
  EXPECT_EQ(pending, 12u);
  actual.version = 13;
  EXPECT_FALSE(Matches(expected, actual, &pending));  // another version for the same batch
  actual.version = 12;
  actual.out["b"].batch = "w0-b000002";
  EXPECT_FALSE(Matches(expected, actual, &pending));
  EXPECT_FALSE(Matches(expected, NodeState{}, &pending));
  EXPECT_TRUE(Matches(NodeState{}, NodeState{}, &pending));
  EXPECT_EQ(Describe(NodeState{}), "absent");
}

}  // namespace
}  // namespace ctxgraph::crashtest
