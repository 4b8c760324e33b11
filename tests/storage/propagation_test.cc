// Boundary label propagation along DERIVED_FROM, maintained by the store at
// write time: chains, diamonds, cycles, sanitizing edges, removals that
// un-propagate, the import path, as-of reads and the audit entries.
#include "storage/propagation.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "storage/keys.h"
#include "storage/record_codec.h"
#include "storage/status_macros.h"
#include "tests/storage/store_fixture.h"
#include "tests/test_macros.h"

namespace ctxgraph {
namespace {

Mutation Node(std::string id, std::vector<std::string> boundary = {}) {
  NodeUpsert m;
  m.node.id = std::move(id);
  m.node.labels = {"Document"};
  m.node.boundary = std::move(boundary);
  m.node.props["title"] = Value{std::string("quarterly numbers")};
  return m;
}

Mutation Derived(std::string from, std::string to) {
  return EdgeUpsert{
      EdgeRecord{.from = std::move(from), .label = "DERIVED_FROM", .to = std::move(to)}};
}

Mutation Underived(std::string from, std::string to) {
  return EdgeDelete{std::move(from), "DERIVED_FROM", std::move(to)};
}

Mutation Sanitize(std::string from, std::string to, std::vector<std::string> labels) {
  return EdgeSanitize{std::move(from), std::move(to), std::move(labels)};
}

Mutation Define(std::string name, bool propagate) {
  return LabelDefine{LabelDefinition{
      .name = std::move(name), .description = "test label", .propagate = propagate}};
}

class PropagationTest : public StoreFixture {
 protected:
  void SetUp() override {
    StoreFixture::SetUp();
    ASSERT_OK(
        Apply({Define("pii", true), Define("restricted", true), Define("team:x", false)}).status());
  }

  absl::StatusOr<WriteResult> Apply(std::vector<Mutation> m) {
    return store_->Apply(std::move(m), guard_, "steward", "test");
  }

  // "label<origin id>" of each label `id` inherits as of `version`; "absent"
  // when the node does not exist.
  std::vector<std::string> Inherited(std::string_view id, uint64_t version = keys::kMaxVersion) {
    auto node = store_->GetNode(id, version);
    EXPECT_TRUE(node.ok()) << node.status();
    if (!node.ok() || !node->has_value()) return {"absent"};
    std::vector<std::string> out;
    for (const InheritedLabel& l : (*node)->inherited) {
      auto origin = store_->GetNodeByIid(l.from_iid, keys::kMaxVersion);
      EXPECT_TRUE(origin.ok() && origin->has_value()) << id << " " << l.label;
      out.push_back(absl::StrCat(l.label, "<",
                                 origin.ok() && origin->has_value() ? (*origin)->id : "?", ">"));
    }
    return out;
  }

  // The actions and summaries of the audit entries after `seq`, skipping
  // the commits' own.
  std::vector<std::string> PropagationEntries(uint64_t after_seq) {
    std::vector<std::string> out;
    AuditFilter filter;
    filter.action = kPropagateNodeAction;
    auto page = db_->audit().List(filter, after_seq, 1000);
    EXPECT_TRUE(page.ok()) << page.status();
    if (!page.ok()) return out;
    for (const AuditEntry& e : page->entries) {
      out.push_back(absl::StrCat(e.items.at(0).node_id, " ", e.summary));
    }
    return out;
  }

  // "<to> sanitizes=[...]" of each live DERIVED_FROM edge out of `id`.
  absl::StatusOr<std::vector<std::string>> Edges(std::string_view id) {
    std::vector<std::string> out;
    ASSIGN_OR_RETURN(std::optional<uint64_t> iid, store_->LookupIid(id));
    RETURN_IF_ERROR(store_->ScanAdjacency(
        *iid, {EdgeDirection::kOut}, {"DERIVED_FROM"}, keys::kMaxVersion, std::nullopt,
        [&](const AdjacencyEntry& e) {
          out.push_back(
              absl::StrCat(e.edge.to, " sanitizes=[", absl::StrJoin(e.edge.sanitizes, ","), "]"));
          return true;
        }));
    return out;
  }

  // The boundary set of each posting of `term`, by iid.
  absl::StatusOr<std::map<uint64_t, uint64_t>> PostingSets(std::string_view term) {
    std::map<uint64_t, uint64_t> out;
    ASSIGN_OR_RETURN(TextIndex::BlockCursor cursor, text_->OpenTerm(term, keys::kMaxVersion));
    while (cursor.valid()) {
      ASSIGN_OR_RETURN(const std::vector<Posting>* postings, cursor.Postings());
      for (const Posting& p : *postings) out[p.iid] = p.set;
      RETURN_IF_ERROR(cursor.Next());
    }
    return out;
  }

  // Applies `chunks` as the import path does, one session batch each,
  // expecting no rejects, and commits them.
  void ImportInOneSession(const std::vector<std::vector<IndexedMutation>>& chunks) {
    ImportCache cache;
    std::unique_ptr<CommitSession> session = db_->BeginSession("loader");
    for (const std::vector<IndexedMutation>& chunk : chunks) {
      ChunkResult result;
      ASSERT_OK(session->Write([&](CommitContext& ctx) {
        return store_->ApplyEach(ctx, chunk, guard_, false, &cache, &result);
      }));
      EXPECT_TRUE(result.rejects.empty());
    }
    ASSERT_OK(session->Write([&](CommitContext& ctx) { return store_->FlushText(ctx, cache); }));
    ASSERT_OK(session->Finish("import").status());
  }

  using V = std::vector<std::string>;
  AllowAllWrites guard_;
};

TEST_F(PropagationTest, ALabelFlowsDownATenLevelChainAndLeavesWhenRemoved) {
  std::vector<Mutation> chain = {Node("n0", {"pii"})};
  for (int i = 1; i <= 10; ++i) {
    chain.push_back(Node(absl::StrCat("n", i)));
    chain.push_back(Derived(absl::StrCat("n", i), absl::StrCat("n", i - 1)));
  }
  ASSERT_OK_AND_ASSIGN(WriteResult built, Apply(std::move(chain)));
  // The writer's counts are what it wrote; propagation is not counted.
  EXPECT_EQ(built.nodes_written, 11u);
  EXPECT_EQ(built.edges_written, 10u);
  for (int i = 1; i <= 10; ++i) EXPECT_EQ(Inherited(absl::StrCat("n", i)), V{"pii<n0>"}) << i;
  EXPECT_EQ(Inherited("n0"), V{});

  const uint64_t seq = db_->audit().head_seq();
  ASSERT_OK_AND_ASSIGN(WriteResult removed, Apply({Node("n0")}));
  for (int i = 0; i <= 10; ++i) EXPECT_EQ(Inherited(absl::StrCat("n", i)), V{}) << i;
  // One audit entry per node that lost it, in iid order.
  V want;
  for (int i = 1; i <= 10; ++i) want.push_back(absl::StrCat("n", i, " added=[] removed=[pii<n0>]"));
  EXPECT_EQ(PropagationEntries(seq), want);
  // As of the version before, the chain still inherited it.
  EXPECT_EQ(Inherited("n10", removed.version - 1), V{"pii<n0>"});

  // Putting it back propagates it again.
  ASSERT_OK(Apply({Node("n0", {"pii"})}).status());
  EXPECT_EQ(Inherited("n10"), V{"pii<n0>"});
  // The propagation entries are links of the hash chain like any other.
  ASSERT_OK_AND_ASSIGN(AuditVerifyResult verified, db_->audit().Verify());
  EXPECT_TRUE(verified.ok) << verified.reason;
  EXPECT_EQ(verified.entries_checked, db_->audit().head_seq());
}

TEST_F(PropagationTest, OnlyLabelsDefinedToPropagateFlow) {
  ASSERT_OK(Apply({Node("src", {"team:x", "pii"}), Node("dst"), Derived("dst", "src")}).status());
  EXPECT_EQ(Inherited("dst"), V{"pii<src>"});
  // Non-propagating labels can change without touching the derived node.
  const uint64_t seq = db_->audit().head_seq();
  ASSERT_OK(Apply({Node("src", {"pii"})}).status());
  EXPECT_EQ(PropagationEntries(seq), V{});
  EXPECT_EQ(Inherited("dst"), V{"pii<src>"});
}

TEST_F(PropagationTest, ADiamondInheritsOnceAndKeepsTheLabelWhileOnePathRemains) {
  // d derives from b and c, which both derive from a.
  ASSERT_OK(Apply({Node("a", {"pii"}), Node("b"), Node("c", {"restricted"}), Node("d"),
                   Derived("b", "a"), Derived("c", "a"), Derived("d", "b"), Derived("d", "c")})
                .status());
  EXPECT_EQ(Inherited("d"), (V{"pii<a>", "restricted<c>"}));
  EXPECT_EQ(Inherited("c"), V{"pii<a>"});

  // Cutting one path leaves the other.
  ASSERT_OK(Apply({Underived("b", "a")}).status());
  EXPECT_EQ(Inherited("b"), V{});
  EXPECT_EQ(Inherited("d"), (V{"pii<a>", "restricted<c>"}));
  ASSERT_OK(Apply({Underived("d", "c")}).status());
  EXPECT_EQ(Inherited("d"), V{});
}

TEST_F(PropagationTest, TheSmallestOriginIsNamedAndTheAuditEntryShowsAMove) {
  // "a" is interned before "z", so it has the smaller iid.
  ASSERT_OK(Apply({Node("a", {"pii"}), Node("z", {"pii"}), Node("d"), Derived("d", "z")}).status());
  EXPECT_EQ(Inherited("d"), V{"pii<z>"});
  const uint64_t seq = db_->audit().head_seq();
  ASSERT_OK(Apply({Derived("d", "a")}).status());
  EXPECT_EQ(Inherited("d"), V{"pii<a>"});
  EXPECT_EQ(PropagationEntries(seq), V{"d added=[pii<a>] removed=[pii<z>]"});
}

TEST_F(PropagationTest, ACycleNeitherHangsNorKeepsALabelAfterItsSourceIsCut) {
  ASSERT_OK(Apply({Node("src", {"pii"}), Node("x"), Node("y"), Derived("x", "y"), Derived("y", "x"),
                   Derived("y", "src")})
                .status());
  EXPECT_EQ(Inherited("x"), V{"pii<src>"});
  EXPECT_EQ(Inherited("y"), V{"pii<src>"});
  // x and y support each other in the cycle; cutting the source must still
  // clear both.
  ASSERT_OK(Apply({Underived("y", "src")}).status());
  EXPECT_EQ(Inherited("x"), V{});
  EXPECT_EQ(Inherited("y"), V{});
  // A node in a cycle with its own label does not inherit from itself.
  ASSERT_OK(Apply({Node("x", {"pii"})}).status());
  EXPECT_EQ(Inherited("x"), V{});
  EXPECT_EQ(Inherited("y"), V{"pii<x>"});
}

TEST_F(PropagationTest, ASanitizingEdgeStopsTheLabelsItNames) {
  ASSERT_OK(Apply({Node("raw", {"pii", "restricted"}), Node("anon"), Node("report"),
                   Derived("anon", "raw"), Derived("report", "anon")})
                .status());
  EXPECT_EQ(Inherited("report"), (V{"pii<raw>", "restricted<raw>"}));

  ASSERT_OK_AND_ASSIGN(WriteResult sanitized, Apply({Sanitize("anon", "raw", {"pii"})}));
  EXPECT_EQ(sanitized.edges_written, 1u);
  EXPECT_EQ(Inherited("anon"), V{"restricted<raw>"});
  EXPECT_EQ(Inherited("report"), V{"restricted<raw>"});
  // A writer updating the edge keeps the steward's decision.
  EdgeRecord update;
  update.from = "anon";
  update.label = "DERIVED_FROM";
  update.to = "raw";
  update.props["job"] = Value{std::string("nightly")};
  ASSERT_OK(Apply({EdgeUpsert{update}}).status());
  ASSERT_OK_AND_ASSIGN(auto edges, Edges("anon"));
  EXPECT_EQ(edges, V{"raw sanitizes=[pii]"});
  EXPECT_EQ(Inherited("report"), V{"restricted<raw>"});

  // Lifting it lets the label through again.
  ASSERT_OK(Apply({Sanitize("anon", "raw", {})}).status());
  EXPECT_EQ(Inherited("report"), (V{"pii<raw>", "restricted<raw>"}));
}

// A change that stops one label and lets another through, at a node that
// inherited nothing before it: the node gains what now flows.
TEST_F(PropagationTest, ASanitizingEdgeThatSwapsItsLabelsLetsTheDroppedOneThrough) {
  ASSERT_OK(Apply({Node("src", {"pii"}), Node("child"), Node("grand"), Derived("child", "src"),
                   Derived("grand", "child")})
                .status());
  ASSERT_OK(Apply({Sanitize("child", "src", {"pii"})}).status());
  ASSERT_EQ(Inherited("child"), V{});
  ASSERT_EQ(Inherited("grand"), V{});

  ASSERT_OK(Apply({Sanitize("child", "src", {"restricted"})}).status());
  EXPECT_EQ(Inherited("child"), V{"pii<src>"});
  EXPECT_EQ(Inherited("grand"), V{"pii<src>"});
}

TEST_F(PropagationTest, SwappingAPropagatingOwnLabelReachesAChildBehindASanitizingEdge) {
  ASSERT_OK(Apply({Node("src", {"pii"}), Node("child"), Node("grand"), Derived("child", "src"),
                   Derived("grand", "child")})
                .status());
  ASSERT_OK(Apply({Sanitize("child", "src", {"pii"})}).status());
  ASSERT_EQ(Inherited("child"), V{});

  ASSERT_OK(Apply({Node("src", {"restricted"})}).status());
  EXPECT_EQ(Inherited("child"), V{"restricted<src>"});
  EXPECT_EQ(Inherited("grand"), V{"restricted<src>"});
}

// A diamond whose second branch sanitizes, then swaps: the label flows in
// again through it although the node inherited nothing.
TEST_F(PropagationTest, ADiamondBranchThatSwapsItsSanitizedLabelLetsTheOldOneIn) {
  ASSERT_OK(Apply({Node("top", {"pii"}), Node("left"), Node("right"), Node("bottom"),
                   Derived("left", "top"), Derived("right", "top"), Derived("bottom", "left"),
                   Derived("bottom", "right")})
                .status());
  ASSERT_OK(Apply({Sanitize("bottom", "left", {"pii"})}).status());
  ASSERT_EQ(Inherited("bottom"), V{"pii<top>"});
  ASSERT_OK(Apply({Sanitize("bottom", "right", {"pii"})}).status());
  ASSERT_EQ(Inherited("bottom"), V{});

  ASSERT_OK(Apply({Sanitize("bottom", "right", {"restricted"})}).status());
  EXPECT_EQ(Inherited("bottom"), V{"pii<top>"});
}

TEST_F(PropagationTest, SanitizeRejectsAnAbsentEdgeAndAnUndefinedLabel) {
  ASSERT_OK(Apply({Node("a"), Node("b"), Derived("b", "a")}).status());
  const uint64_t before = db_->LatestVersion();
  EXPECT_STATUS(Apply({Sanitize("a", "b", {"pii"})}), absl::StatusCode::kFailedPrecondition,
                "ops[0].sanitize_edge: edge \"a\" -DERIVED_FROM-> \"b\" not found");
  EXPECT_STATUS(Apply({Sanitize("b", "a", {"nope"})}), absl::StatusCode::kFailedPrecondition,
                "ops[0].sanitize_edge.sanitizes: undefined boundary label \"nope\"");
  EXPECT_EQ(db_->LatestVersion(), before);
}

TEST_F(PropagationTest, DeletingTheSourceNodeUnpropagates) {
  ASSERT_OK(Apply({Node("src", {"pii"}), Node("dst"), Derived("dst", "src")}).status());
  ASSERT_OK(Apply({NodeDelete{"src"}}).status());
  EXPECT_EQ(Inherited("dst"), V{});
}

TEST_F(PropagationTest, AnEdgeBeforeItsNodesInOneBatchAndAnUpsertKeepTheInheritedLabels) {
  ASSERT_OK(Apply({Derived("dst", "src"), Node("dst"), Node("src", {"pii"})}).status());
  EXPECT_EQ(Inherited("dst"), V{"pii<src>"});
  // Rewriting the derived node (its own labels, props) keeps what it inherits.
  ASSERT_OK(Apply({Node("dst", {"team:x"})}).status());
  EXPECT_EQ(Inherited("dst"), V{"pii<src>"});
  ASSERT_OK_AND_ASSIGN(std::optional<NodeRecord> dst, store_->GetNode("dst", keys::kMaxVersion));
  ASSERT_TRUE(dst.has_value());
  EXPECT_EQ(EffectiveBoundary(*dst), (V{"pii", "team:x"}));
}

TEST_F(PropagationTest, TheKeywordIndexFiltersByTheEffectiveBoundary) {
  ASSERT_OK(Apply({Node("src", {"pii"}), Node("dst"), Derived("dst", "src")}).status());
  ASSERT_OK_AND_ASSIGN(uint64_t pii_set, text_->sets().Intern({"pii"}));
  ASSERT_OK_AND_ASSIGN(auto postings, PostingSets("quarterly"));
  ASSERT_OK_AND_ASSIGN(std::optional<uint64_t> dst_iid, store_->LookupIid("dst"));
  EXPECT_EQ(postings.at(*dst_iid), pii_set);
  ASSERT_OK(Apply({Node("src")}).status());
  ASSERT_OK_AND_ASSIGN(postings, PostingSets("quarterly"));
  EXPECT_EQ(postings.at(*dst_iid), 0u);  // the empty boundary
}

TEST_F(PropagationTest, TheImportPathPropagatesAcrossBatchesOfASession) {
  ImportInOneSession({{{0, Define("secret", true)}, {1, Node("s", {"secret"})}},
                      {{2, Node("d")}, {3, Derived("d", "s")}}});
  EXPECT_EQ(Inherited("d"), V{"secret<s>"});
}

// One import batch builds a chain whose edges come in both orders:
// propagation reads back the batch's own DERIVED_FROM in-edges to reach
// nodes derived from nodes it relabels.
TEST_F(PropagationTest, OneImportBatchPropagatesDownAChainItBuilds) {
  ImportInOneSession({{{0, Node("e")},
                       {1, Node("d")},
                       {2, Node("c")},
                       {3, Node("b")},
                       {4, Node("a")},
                       {5, Derived("e", "d")},
                       {6, Derived("d", "c")},
                       {7, Derived("b", "a")},
                       {8, Derived("c", "b")},
                       {9, Node("a", {"pii"})}}});
  for (const char* id : {"b", "c", "d", "e"}) EXPECT_EQ(Inherited(id), V{"pii<a>"}) << id;
}

}  // namespace
}  // namespace ctxgraph

namespace ctxgraph {
namespace {

// A database from before propagation: a derived node stored without the
// label its source carries. The backfill's recompute finds the carrier by
// scanning and repairs it; a second run changes nothing.
TEST_F(PropagationTest, RecomputeInheritedRepairsNodesWrittenBeforePropagation) {
  ASSERT_OK(Apply({Node("src", {"pii"}), Node("dst"), Derived("dst", "src")}).status());
  ASSERT_OK_AND_ASSIGN(std::optional<uint64_t> dst_iid, store_->LookupIid("dst"));
  ASSERT_OK_AND_ASSIGN(std::optional<NodeRecord> dst, store_->GetNode("dst", keys::kMaxVersion));
  NodeRecord stripped = *dst;
  stripped.inherited.clear();
  ASSERT_OK(db_->Commit("legacy", "strip",
                        [&](CommitContext& ctx) -> absl::Status {
                          ctx.Put(Cf::kNodes, keys::EncodeNodeVersionKey({*dst_iid, ctx.version()}),
                                  EncodeNode(stripped));
                          TextIndexDelta delta;
                          RETURN_IF_ERROR(
                              text_->NoteNodeChange(delta, *dst_iid, &*dst, &stripped, false));
                          return text_->Flush(ctx, delta);
                        })
                .status());
  EXPECT_EQ(Inherited("dst"), V{});
  ASSERT_OK(Apply({RecomputeInherited{}}).status());
  EXPECT_EQ(Inherited("dst"), V{"pii<src>"});
  ASSERT_OK_AND_ASSIGN(WriteResult again, Apply({RecomputeInherited{}}));
  EXPECT_FALSE(again.committed);
  // A fresh database is marked as needing no backfill.
  const uint64_t before = db_->LatestVersion();
  ASSERT_OK(store_->BackfillInherited());
  EXPECT_EQ(db_->LatestVersion(), before);
}

}  // namespace
}  // namespace ctxgraph
