// TermBlockCache and TextIndex::BlockSummary: the in-memory block headers a
// common-term search picks its blocks from, and when they may answer.
#include <gtest/gtest.h>

#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "storage/status_macros.h"
#include "storage/term_block_cache.h"
#include "storage/text_index.h"
#include "tests/storage/store_fixture.h"
#include "tests/test_macros.h"

namespace ctxgraph {
namespace {

// --- TermBlockCache ---

// A summary of `blocks` blocks with one frontier pair each.
std::shared_ptr<const TermBlocks> Blocks(size_t blocks) {
  auto out = std::make_shared<TermBlocks>();
  for (size_t i = 0; i < blocks; ++i) {
    out->blocks.push_back({i * 100, static_cast<uint32_t>(i), static_cast<uint32_t>(i + 1)});
    out->frontier.emplace_back(1, 1);
  }
  out->blocks.shrink_to_fit();
  out->frontier.shrink_to_fit();
  return out;
}

TEST(TermBlockCacheTest, EvictsTheLeastRecentlyUsedTermsToStayWithinItsBudget) {
  ASSERT_EQ(Blocks(10)->bytes(), 240u);  // 10 * (16 + 8) bytes
  // Four such terms with their keys and slots fit (each under a quarter of
  // the budget), five do not.
  TermBlockCache cache(1200);
  auto a = Blocks(10), b = Blocks(10), c = Blocks(10), d = Blocks(10), e = Blocks(10);
  cache.Insert("a", {1, a});
  cache.Insert("b", {2, b});
  cache.Insert("c", {3, c});
  cache.Insert("d", {4, d});
  EXPECT_EQ(cache.Find("a").blocks, a);  // now the most recently used
  EXPECT_EQ(cache.Find("a").built_at, 1u);
  cache.Insert("e", {5, e});
  EXPECT_EQ(cache.Find("b").blocks, nullptr);  // the least recently used went
  for (const auto& [term, blocks] : {std::pair{"a", a}, {"c", c}, {"d", d}, {"e", e}}) {
    EXPECT_EQ(cache.Find(term).blocks, blocks) << term;
  }
  EXPECT_LE(cache.bytes(), 1200u);
  // Inserting a term again replaces it.
  cache.Insert("c", {9, b});
  EXPECT_EQ(cache.Find("c").blocks, b);
  EXPECT_EQ(cache.Find("c").built_at, 9u);
  // A summary over a quarter of the budget is not cached, and drops the
  // one it would have replaced.
  cache.Insert("c", {10, Blocks(11)});
  EXPECT_EQ(cache.Find("c").blocks, nullptr);
  EXPECT_EQ(cache.Find("a").blocks, a);
}

TEST(TermBlocksTest, RefiningReplacesTheNamedBlocksFrontiersAndMarksThem) {
  TermBlocks base;
  base.blocks = {{100, 0, 2}, {200, 2, 3}, {300, 3, 4}};
  base.frontier = {{1, 5}, {3, 9}, {2, 2}, {4, 4}};
  // Out of order, one block left with no posting, one named twice.
  std::shared_ptr<TermBlocks> refined =
      RefineTermBlocks(base, {{2, {{1, 7}}}, {0, {}}, {2, {{9, 9}}}});
  ASSERT_EQ(refined->blocks.size(), 3u);
  EXPECT_EQ(refined->view_only, (std::vector<char>{1, 0, 1}));
  const std::vector<std::pair<uint32_t, uint32_t>> frontier = {{2, 2}, {1, 7}};
  EXPECT_EQ(refined->frontier, frontier);
  const std::vector<std::tuple<uint64_t, uint32_t, uint32_t>> want = {
      {100, 0, 0}, {200, 0, 1}, {300, 1, 2}};
  for (size_t i = 0; i < 3; ++i) {
    const TermBlocks::Block& b = refined->blocks[i];
    EXPECT_EQ(std::tuple(b.first_iid, b.frontier_begin, b.frontier_end), want[i]) << i;
  }
  EXPECT_FALSE(base.ViewOnly(0));
  // Refining a refinement keeps what it had.
  std::shared_ptr<TermBlocks> again = RefineTermBlocks(*refined, {{1, {{2, 3}}}});
  EXPECT_EQ(again->view_only, (std::vector<char>{1, 1, 1}));
  const std::vector<std::pair<uint32_t, uint32_t>> all = {{2, 3}, {1, 7}};
  EXPECT_EQ(again->frontier, all);
}

// --- TextIndex::BlockSummary ---

Mutation Doc(std::string id, std::string text) {
  NodeUpsert m;
  m.node.id = std::move(id);
  m.node.labels = {"Document"};
  m.node.props["text"] = Value{std::move(text)};
  return m;
}

class BlockSummaryTest : public StoreFixture {
 protected:
  // 700 nodes holding "common" n times each, n = 1 + i % 3: six blocks.
  uint64_t WriteCommon() {
    std::vector<Mutation> batch;
    for (int i = 0; i < 700; ++i) {
      std::string text;
      for (int n = 0; n <= i % 3; ++n) text += "common ";
      batch.push_back(Doc(absl::StrCat("n", 1000 + i), text));
    }
    return Apply(std::move(batch));
  }

  std::shared_ptr<const TermBlocks> Summary(const std::string& term, uint64_t version) {
    auto summary = text_->BlockSummary(term, version);
    EXPECT_TRUE(summary.ok()) << summary.status();
    return summary.ok() ? *summary : nullptr;
  }

  // "first_iid:(tf,length)..." for each non-empty block, read by a cursor.
  std::vector<std::string> CursorBlocks(const std::string& term, uint64_t version) {
    std::vector<std::string> out;
    auto cursor = text_->OpenTerm(term, version);
    EXPECT_TRUE(cursor.ok()) << cursor.status();
    while (cursor.ok() && cursor->valid()) {
      std::string block = absl::StrCat(cursor->first_iid(), ":");
      for (const auto& [tf, length] : cursor->header().frontier) {
        absl::StrAppend(&block, "(", tf, ",", length, ")");
      }
      out.push_back(block);
      EXPECT_OK(cursor->Next());
    }
    return out;
  }
  static std::vector<std::string> SummaryBlocks(const TermBlocks& summary) {
    std::vector<std::string> out;
    for (const TermBlocks::Block& b : summary.blocks) {
      std::string block = absl::StrCat(b.first_iid, ":");
      for (uint32_t f = b.frontier_begin; f < b.frontier_end; ++f) {
        absl::StrAppend(&block, "(", summary.frontier[f].first, ",", summary.frontier[f].second,
                        ")");
      }
      out.push_back(block);
    }
    return out;
  }
};

TEST_F(BlockSummaryTest, ListsEveryNonEmptyBlockWithItsFrontierAsACursorReadsThem) {
  const uint64_t v1 = WriteCommon();
  std::shared_ptr<const TermBlocks> summary = Summary("common", v1);
  ASSERT_NE(summary, nullptr);
  ASSERT_EQ(summary->blocks.size(), 6u);  // 128 * 5 + 60
  EXPECT_EQ(SummaryBlocks(*summary), CursorBlocks("common", v1));
  // tf and length grow together here: every pair is unbeaten.
  EXPECT_EQ(SummaryBlocks(*summary)[0],
            absl::StrCat(**store_->LookupIid("n1000"), ":(1,1)(2,2)(3,3)"));
  // A term nobody holds has no blocks.
  std::shared_ptr<const TermBlocks> none = Summary("absent", v1);
  ASSERT_NE(none, nullptr);
  EXPECT_TRUE(none->blocks.empty());

  // A cursor jumps to any block of the summary, back or forth, in one seek.
  ASSERT_OK_AND_ASSIGN(TextIndex::BlockCursor cursor, text_->OpenTerm("common", v1));
  for (size_t i : {4, 1, 5, 0}) {
    ASSERT_OK(cursor.JumpTo(summary->blocks[i].first_iid));
    EXPECT_EQ(cursor.first_iid(), summary->blocks[i].first_iid);
  }
  ASSERT_OK_AND_ASSIGN(const std::vector<Posting>* postings, cursor.Postings());
  EXPECT_EQ(postings->size(), 128u);
  // Not a block's start: INTERNAL, since only a wrong summary asks that.
  const uint64_t inside = summary->blocks[2].first_iid + 1;
  EXPECT_STATUS(
      cursor.JumpTo(inside), absl::StatusCode::kInternal,
      absl::StrCat("keyword index: no posting block starts at ", inside, " as of version ", v1));
}

TEST_F(BlockSummaryTest, AnswersFromMemoryUntilACommitChangesPostings) {
  const uint64_t v1 = WriteCommon();
  std::shared_ptr<const TermBlocks> first = Summary("common", v1);
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(Summary("common", v1), first);  // cached
  // A commit that changes no posting (a node without text) keeps it.
  NodeUpsert bare;
  bare.node.id = "bare";
  bare.node.labels = {"Document"};
  bare.node.props["count"] = Value{int64_t{1}};
  const uint64_t v2 = Apply({bare});
  EXPECT_EQ(Summary("common", v2), first);
  EXPECT_EQ(Summary("common", v1), first);
  // One that changes postings, of any term, ends it for reads from its
  // version on, and leaves older reads to the cursor (null).
  const uint64_t v3 = Apply({Doc("n9999", "common common common common")});
  std::shared_ptr<const TermBlocks> third = Summary("common", v3);
  ASSERT_NE(third, nullptr);
  EXPECT_NE(third, first);
  EXPECT_EQ(SummaryBlocks(*third), CursorBlocks("common", v3));
  EXPECT_NE(SummaryBlocks(*third), SummaryBlocks(*first));
  EXPECT_EQ(Summary("common", v2), nullptr);
  EXPECT_EQ(Summary("common", v1), nullptr);
  EXPECT_EQ(Summary("common", v3), third);
  // A version not committed yet is never summarized.
  EXPECT_EQ(Summary("common", v3 + 1), nullptr);
  const uint64_t v4 = Apply({Doc("other", "unrelated words")});
  EXPECT_NE(Summary("common", v4), third);
  EXPECT_GT(text_->block_summary_bytes(), 0u);
}

// A bulk session's keyword index flushes happen long before it commits, at
// its version: from the first one on, no summary answers (reads use the
// cursor) until the session's commit is visible, then new ones do.
TEST_F(BlockSummaryTest, NoSummaryIsUsedFromABulkSessionsFirstFlushUntilItCommits) {
  const uint64_t v1 = WriteCommon();
  std::shared_ptr<const TermBlocks> before = Summary("common", v1);
  ASSERT_NE(before, nullptr);
  auto session = db_->BeginSession("loader");
  AllowAllWrites guard;
  ImportCache cache;
  std::vector<IndexedMutation> ops;
  for (int i = 0; i < 200; ++i) ops.emplace_back(i, Doc(absl::StrCat("s", i), "common"));
  ChunkResult result;
  ASSERT_OK(session->Write([&](CommitContext& ctx) {
    RETURN_IF_ERROR(store_->ApplyEach(ctx, ops, guard, false, &cache, &result));
    return store_->FlushText(ctx, cache);
  }));
  EXPECT_EQ(Summary("common", v1), nullptr);
  ASSERT_OK_AND_ASSIGN(CommitOutcome outcome, session->Finish("bulk"));
  std::shared_ptr<const TermBlocks> after = Summary("common", outcome.version);
  ASSERT_NE(after, nullptr);
  EXPECT_NE(after, before);
  EXPECT_EQ(SummaryBlocks(*after), CursorBlocks("common", outcome.version));
  EXPECT_GT(after->blocks.size(), before->blocks.size());
  EXPECT_EQ(Summary("common", v1), nullptr);
}

TEST_F(BlockSummaryTest, ASummaryBuiltAtALaterVersionAnswersAnEarlierOneWhenNothingChanged) {
  const uint64_t v1 = WriteCommon();
  NodeUpsert bare;
  bare.node.id = "bare";
  bare.node.labels = {"Document"};
  const uint64_t v2 = Apply({bare});  // no posting changes
  std::shared_ptr<const TermBlocks> later = Summary("common", v2);
  ASSERT_NE(later, nullptr);
  EXPECT_EQ(Summary("common", v1), later);
  EXPECT_EQ(SummaryBlocks(*later), CursorBlocks("common", v1));
}

TEST_F(BlockSummaryTest, AViewsRefinementAnswersThatViewAloneUntilACommitChangesPostings) {
  const uint64_t v1 = WriteCommon();
  auto view_summary = [&](const std::string& term, const std::string& view, uint64_t version) {
    auto summary = text_->ViewBlockSummary(term, view, version);
    EXPECT_TRUE(summary.ok()) << summary.status();
    return summary.ok() ? *summary : nullptr;
  };
  std::shared_ptr<const TermBlocks> plain = Summary("common", v1);
  ASSERT_NE(plain, nullptr);
  // Nothing refined yet: the plain summary.
  EXPECT_EQ(view_summary("common", "team:a", v1), plain);
  std::shared_ptr<const TermBlocks> refined = RefineTermBlocks(*plain, {{1, {}}});
  text_->StoreViewBlockSummary("common", "team:a", v1, refined);
  EXPECT_EQ(view_summary("common", "team:a", v1), refined);
  // Not another view's, even one whose name and term join to the same bytes.
  EXPECT_EQ(view_summary("common", "team:b", v1), plain);
  EXPECT_EQ(view_summary("ommon", "team:ac", v1), Summary("ommon", v1));
  EXPECT_EQ(Summary("common", v1), plain);
  // A commit without postings keeps it; one with postings ends it.
  NodeUpsert bare;
  bare.node.id = "bare";
  bare.node.labels = {"Document"};
  const uint64_t v2 = Apply({bare});
  EXPECT_EQ(view_summary("common", "team:a", v2), refined);
  const uint64_t v3 = Apply({Doc("other", "unrelated words")});
  std::shared_ptr<const TermBlocks> now = view_summary("common", "team:a", v3);
  ASSERT_NE(now, nullptr);
  EXPECT_TRUE(now->view_only.empty());
  EXPECT_EQ(now, Summary("common", v3));
  EXPECT_EQ(view_summary("common", "team:a", v2), nullptr);
  // A refinement read before that commit is not kept.
  text_->StoreViewBlockSummary("common", "team:a", v2, refined);
  EXPECT_EQ(view_summary("common", "team:a", v3), now);
}

TEST_F(BlockSummaryTest, AReopenedIndexBuildsItsSummariesAfresh) {
  const uint64_t v1 = WriteCommon();
  ASSERT_NE(Summary("common", v1), nullptr);
  const uint64_t v2 = Apply({Doc("n9999", "common")});
  Reopen();
  // The new index does not know which versions changed postings: only
  // reads at or above the latest version at its opening get summaries.
  EXPECT_EQ(Summary("common", v1), nullptr);
  std::shared_ptr<const TermBlocks> now = Summary("common", v2);
  ASSERT_NE(now, nullptr);
  EXPECT_EQ(SummaryBlocks(*now), CursorBlocks("common", v2));
}

}  // namespace
}  // namespace ctxgraph
