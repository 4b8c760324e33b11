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

// "first_iid:(tf,length)..." for each block of `summary`.
std::vector<std::string> SummaryBlocks(const TermBlocks& summary) {
  std::vector<std::string> out;
  for (const TermBlocks::Block& b : summary.blocks) {
    std::string block = absl::StrCat(b.first_iid, ":");
    for (uint32_t f = b.frontier_begin; f < b.frontier_end; ++f) {
      absl::StrAppend(&block, "(", summary.frontier[f].first, ",", summary.frontier[f].second, ")");
    }
    out.push_back(block);
  }
  return out;
}

TEST(TermBlockCacheTest, EvictsTheLeastRecentlyUsedTermsToStayWithinItsBudget) {
  ASSERT_EQ(Blocks(10)->bytes(), 320u);  // 10 * (24 + 8) bytes
  // Four such terms with their keys and slots fit (each under a quarter of
  // the budget), five do not.
  TermBlockCache cache(1600);
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
  EXPECT_LE(cache.bytes(), 1600u);
  // Inserting a term again replaces it.
  cache.Insert("c", {9, b});
  EXPECT_EQ(cache.Find("c").blocks, b);
  EXPECT_EQ(cache.Find("c").built_at, 9u);
  // Nor by one built at an earlier version (a slow reader's).
  cache.Insert("c", {8, a});
  EXPECT_EQ(cache.Find("c").blocks, b);
  EXPECT_EQ(cache.Find("c").built_at, 9u);
  // A summary over a quarter of the budget is not cached, and drops the
  // one it would have replaced.
  cache.Insert("c", {10, Blocks(13)});
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

  // A bulk session (holding the commit lock) that has written, and not
  // committed, 200 nodes holding "common"; null if the write failed.
  std::unique_ptr<CommitSession> BulkWrite() {
    auto session = db_->BeginSession("loader");
    AllowAllWrites guard;
    std::vector<IndexedMutation> ops;
    for (int i = 0; i < 200; ++i) ops.emplace_back(i, Doc(absl::StrCat("s", i), "common"));
    ChunkResult result;
    const absl::Status written = session->Write([&](CommitContext& ctx) {
      RETURN_IF_ERROR(store_->ApplyEach(ctx, ops, guard, false, &import_cache_, &result));
      return store_->FlushText(ctx, import_cache_);
    });
    EXPECT_OK(written);
    return written.ok() ? std::move(session) : nullptr;
  }
  ImportCache import_cache_;

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
  // One that changes the term's postings ends it for reads from its
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
  // One that changes other terms' postings only keeps it, and ends theirs.
  std::shared_ptr<const TermBlocks> words = Summary("words", v3);
  ASSERT_NE(words, nullptr);
  EXPECT_TRUE(words->blocks.empty());
  const uint64_t v4 = Apply({Doc("other", "unrelated words")});
  EXPECT_EQ(Summary("common", v4), third);
  EXPECT_EQ(Summary("common", v3), third);
  std::shared_ptr<const TermBlocks> words_now = Summary("words", v4);
  ASSERT_NE(words_now, nullptr);
  EXPECT_EQ(words_now->blocks.size(), 1u);
  EXPECT_EQ(Summary("words", v3), nullptr);
  EXPECT_GT(text_->block_summary_bytes(), 0u);
}

// Past kTrackedTermChanges distinct terms changed, which term changed when
// is forgotten: every summary is rebuilt, from the commit that overflowed.
TEST_F(BlockSummaryTest, ACommitOfMoreTermsThanAreTrackedEndsEverySummary) {
  const uint64_t v1 = WriteCommon();
  std::shared_ptr<const TermBlocks> first = Summary("common", v1);
  ASSERT_NE(first, nullptr);
  std::vector<Mutation> many;
  std::string text;
  for (size_t i = 0; i <= TextIndex::kTrackedTermChanges; ++i) {
    absl::StrAppend(&text, "w", i, " ");
    if (text.size() > 60000) {
      many.push_back(Doc(absl::StrCat("many", many.size()), text));
      text.clear();
    }
  }
  many.push_back(Doc(absl::StrCat("many", many.size()), text));
  const uint64_t v2 = Apply(std::move(many));
  std::shared_ptr<const TermBlocks> now = Summary("common", v2);
  ASSERT_NE(now, nullptr);
  EXPECT_NE(now, first);
  EXPECT_EQ(SummaryBlocks(*now), SummaryBlocks(*first));  // the same postings
  EXPECT_EQ(Summary("common", v1), nullptr);
}

TEST(TermChangeLogTest, TracksTermsOneByOneUpToItsCapacityThenRaisesItsFloor) {
  TermChangeLog log(3);
  EXPECT_EQ(log.ChangedAt("a"), ~uint64_t{0});  // before Reset: everything, now
  log.Reset(2);
  EXPECT_EQ(log.ChangedAt("a"), 2u);
  log.Note({"a", "b"}, 5);
  log.Note({"a"}, 4);  // an older version does not lower it
  EXPECT_EQ(log.ChangedAt("a"), 5u);
  EXPECT_EQ(log.ChangedAt("b"), 5u);
  EXPECT_EQ(log.ChangedAt("c"), 2u);
  log.Note({"c"}, 6);
  EXPECT_EQ(log.ChangedAt("c"), 6u);
  EXPECT_EQ(log.ChangedAt("a"), 5u);
  // Full, but a change of tracked terms only tracks nothing more.
  log.Note({"b", "c"}, 6);
  EXPECT_EQ(log.ChangedAt("b"), 6u);
  EXPECT_EQ(log.ChangedAt("a"), 5u);
  // A fourth term: all forgotten, every term at the newest version noted.
  log.Note({"d"}, 7);
  for (const char* term : {"a", "b", "c", "d", "e"}) EXPECT_EQ(log.ChangedAt(term), 7u) << term;
  log.Note({"a"}, 9);
  EXPECT_EQ(log.ChangedAt("a"), 9u);
  EXPECT_EQ(log.ChangedAt("b"), 7u);
  log.Reset(10);
  EXPECT_EQ(log.ChangedAt("a"), 10u);
}

// A bulk session's keyword index flushes happen long before it commits, at
// its version: from the first one on, no summary answers (reads use the
// cursor) until the session's commit is visible, then new ones do.
TEST_F(BlockSummaryTest, NoSummaryIsUsedFromABulkSessionsFirstFlushUntilItCommits) {
  const uint64_t v1 = WriteCommon();
  std::shared_ptr<const TermBlocks> before = Summary("common", v1);
  ASSERT_NE(before, nullptr);
  std::unique_ptr<CommitSession> session = BulkWrite();
  ASSERT_NE(session, nullptr);
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

TEST_F(BlockSummaryTest, AViewsRefinementAnswersThatViewAloneAndOutlivesChangesToOtherBlocks) {
  const uint64_t v1 = WriteCommon();
  auto view_summary = [&](const std::string& term, const std::string& view, uint64_t version) {
    auto summary = text_->ViewBlockSummary(term, view, version);
    EXPECT_TRUE(summary.ok()) << summary.status();
    return summary.ok() ? *summary : nullptr;
  };
  std::shared_ptr<const TermBlocks> plain = Summary("common", v1);
  ASSERT_NE(plain, nullptr);
  ASSERT_EQ(plain->blocks.size(), 6u);
  // Nothing refined yet: the plain summary.
  EXPECT_EQ(view_summary("common", "team:a", v1), plain);
  // The view sees nothing in the second block, one (1, 1) in the fifth.
  std::shared_ptr<const TermBlocks> refined = RefineTermBlocks(*plain, {{1, {}}, {4, {{1, 1}}}});
  text_->StoreViewBlockSummary("common", "team:a", v1, refined);
  EXPECT_EQ(view_summary("common", "team:a", v1), refined);
  // Not another view's, even one whose name and term join to the same bytes.
  EXPECT_EQ(view_summary("common", "team:b", v1), plain);
  EXPECT_EQ(view_summary("ommon", "team:ac", v1), Summary("ommon", v1));
  EXPECT_EQ(Summary("common", v1), plain);
  // A commit without the term's postings keeps it.
  const uint64_t v2 = Apply({Doc("other", "unrelated words")});
  EXPECT_EQ(view_summary("common", "team:a", v2), refined);
  // One that rewrites the fifth block ends the refinement there; the
  // second block's still holds.
  const std::string five = "common common common common common";
  const uint64_t v3 = Apply({Doc(absl::StrCat("n", 1000 + 4 * 128 + 1), five)});
  std::shared_ptr<const TermBlocks> current = Summary("common", v3);
  ASSERT_NE(current, nullptr);
  std::shared_ptr<const TermBlocks> now = view_summary("common", "team:a", v3);
  ASSERT_NE(now, nullptr);
  EXPECT_EQ(now->view_only, (std::vector<char>{0, 1, 0, 0, 0, 0}));
  std::vector<std::string> want = SummaryBlocks(*current);
  want[1] = absl::StrCat(current->blocks[1].first_iid, ":");  // none visible
  EXPECT_EQ(SummaryBlocks(*now), want);
  EXPECT_NE(SummaryBlocks(*current)[4], SummaryBlocks(*plain)[4]);
  EXPECT_EQ(view_summary("common", "team:a", v3), now);  // cached
  EXPECT_EQ(view_summary("common", "team:a", v2), nullptr);
  // A refinement read before that commit is not kept.
  text_->StoreViewBlockSummary("common", "team:a", v2, refined);
  EXPECT_EQ(view_summary("common", "team:a", v3), now);
  // Once every refined block is rewritten, the view has the plain summary.
  const uint64_t v4 = Apply({Doc(absl::StrCat("n", 1000 + 128 + 1), five)});
  EXPECT_EQ(view_summary("common", "team:a", v4), Summary("common", v4));
}

// A commit patches the cached summaries of the terms it changes with the
// blocks it wrote, so a common term's search does not read its blocks
// again after every write that holds it.
TEST_F(BlockSummaryTest, ACommitPatchesTheCurrentSummariesOfTheTermsItChanges) {
  const uint64_t v1 = WriteCommon();
  std::shared_ptr<const TermBlocks> first = Summary("common", v1);
  ASSERT_NE(first, nullptr);
  const uint64_t builds = text_->block_summary_builds();
  // Empties the first block, raises a tf in the third, and adds 300 nodes
  // past the last (which splits).
  std::vector<Mutation> batch;
  for (int i = 0; i < 128; ++i) batch.push_back(Doc(absl::StrCat("n", 1000 + i), "other words"));
  batch.push_back(Doc("n1300", "common common common common common common"));
  for (int i = 0; i < 300; ++i) batch.push_back(Doc(absl::StrCat("late", i), "common"));
  const uint64_t v2 = Apply(std::move(batch));
  std::shared_ptr<const TermBlocks> patched = Summary("common", v2);
  ASSERT_NE(patched, nullptr);
  EXPECT_EQ(text_->block_summary_builds(), builds);  // not read from the postings
  EXPECT_EQ(SummaryBlocks(*patched), CursorBlocks("common", v2));
  ASSERT_EQ(patched->blocks.size(), 7u);  // 6 - 1 emptied - 1 split + 3 from the split
  EXPECT_NE(patched->blocks[0].first_iid, first->blocks[0].first_iid);
  EXPECT_EQ(Summary("common", v1), nullptr);  // an older read goes to the postings
  // A term nobody had summarized is summarized on first use.
  ASSERT_NE(Summary("words", v2), nullptr);
  EXPECT_EQ(text_->block_summary_builds(), builds + 1);
}

// A summary that missed a change (a bulk session's, which patches nothing)
// is not patched by the next commit: it is read again from the postings.
TEST_F(BlockSummaryTest, AStaleSummaryIsRebuiltNotPatched) {
  const uint64_t v1 = WriteCommon();
  ASSERT_NE(Summary("common", v1), nullptr);
  std::unique_ptr<CommitSession> session = BulkWrite();
  ASSERT_NE(session, nullptr);
  ASSERT_OK(session->Finish("bulk").status());
  session.reset();  // gives back the commit lock
  const uint64_t builds = text_->block_summary_builds();
  const uint64_t v3 = Apply({Doc("n1001", "common common common common common")});
  std::shared_ptr<const TermBlocks> now = Summary("common", v3);
  ASSERT_NE(now, nullptr);
  EXPECT_EQ(text_->block_summary_builds(), builds + 1);
  EXPECT_EQ(SummaryBlocks(*now), CursorBlocks("common", v3));
}

TEST(TermBlocksTest, PatchingPutsWrittenBlocksInPlaceDropsEmptiedOnesAndAddsNewOnes) {
  TermBlocks base;
  base.blocks = {{100, 0, 1, 4}, {200, 1, 2, 5}, {300, 2, 3, 6}};
  base.frontier = {{1, 1}, {2, 2}, {3, 3}};
  base.view_only = {1, 1, 1};
  std::shared_ptr<TermBlocks> patched =
      PatchTermBlocks(base, {{50, {{5, 5}}}, {100, {}}, {300, {{7, 7}}}, {350, {{8, 8}}}}, 9);
  EXPECT_EQ(SummaryBlocks(*patched),
            (std::vector<std::string>{"50:(5,5)", "200:(2,2)", "300:(7,7)", "350:(8,8)"}));
  std::vector<uint64_t> versions;
  for (const TermBlocks::Block& b : patched->blocks) versions.push_back(b.version);
  EXPECT_EQ(versions, (std::vector<uint64_t>{9, 5, 9, 9}));
  EXPECT_TRUE(patched->view_only.empty());
}

TEST(TermBlocksTest, RebasingKeepsTheViewsFrontiersOfTheBlocksNotWrittenSince) {
  TermBlocks refined;  // made at version 6
  refined.blocks = {{100, 0, 1, 4}, {200, 1, 1, 5}, {300, 1, 2, 6}, {400, 2, 3, 2}};
  refined.frontier = {{1, 1}, {2, 2}, {3, 3}};
  refined.view_only = {1, 1, 1, 0};
  TermBlocks current;  // block 300 rewritten at 8, block 250 new, 400 unrefined
  current.blocks = {{100, 0, 1, 4}, {200, 1, 2, 5}, {250, 2, 3, 8}, {300, 3, 4, 8}, {400, 4, 5, 2}};
  current.frontier = {{9, 1}, {9, 2}, {9, 3}, {9, 4}, {9, 5}};
  std::shared_ptr<TermBlocks> rebased = RebaseTermBlocks(current, refined, 6);
  EXPECT_EQ(SummaryBlocks(*rebased),
            (std::vector<std::string>{"100:(1,1)", "200:", "250:(9,3)", "300:(9,4)", "400:(9,5)"}));
  EXPECT_EQ(rebased->view_only, (std::vector<char>{1, 1, 0, 0, 0}));
  // Refined before block 200 was last written: that block is not kept.
  std::shared_ptr<TermBlocks> older = RebaseTermBlocks(current, refined, 4);
  EXPECT_EQ(older->view_only, (std::vector<char>{1, 0, 0, 0, 0}));
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
