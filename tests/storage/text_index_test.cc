#include "storage/text_index.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <new>
#include <random>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "storage/graph_store.h"
#include "storage/keys.h"
#include "storage/status_macros.h"
#include "storage/text_delta_worker.h"
#include "storage/thread_name.h"
#include "tests/storage/store_fixture.h"
#include "tests/test_macros.h"

namespace ctxgraph {
namespace {

using ::testing::ElementsAre;
using Terms = std::vector<std::string>;

// --- Tokenizer ---

TEST(TokenizerTest, FoldsCaseSplitsOnNonWordCharactersAndDropsStopWords) {
  Tokenizer t(Tokenizer::DefaultStopWords());
  EXPECT_EQ(t.Terms("The Q3 plan, for ACME's budget-review!"),
            (Terms{"q3", "plan", "acme", "s", "budget", "review"}));
}

TEST(TokenizerTest, FoldsUnicodeAndKeepsAccentsAndMarks) {
  Tokenizer t({});
  EXPECT_EQ(t.Terms("ÉTÉ été Ünïcode ΣΟΦΙΑ straße"),
            (Terms{"été", "été", "ünïcode", "σοφια", "straße"}));
  // A combining mark stays inside its word.
  EXPECT_EQ(t.Terms("Cafe\xCC\x81 ok"), (Terms{"cafe\xCC\x81", "ok"}));
  // Digits of other scripts are digits.
  EXPECT_EQ(t.Terms("٣٤ x"), (Terms{"٣٤", "x"}));
}

TEST(TokenizerTest, InvalidUtf8SeparatesAndOverlongTermsAreDropped) {
  Tokenizer t({});
  EXPECT_EQ(t.Terms("ab\xFF"
                    "cd\xC3"),
            (Terms{"ab", "cd"}));
  const std::string longest(Tokenizer::kMaxTermBytes, 'a');
  EXPECT_EQ(t.Terms(longest + " " + longest + "a x"), (Terms{longest, "x"}));
}

TEST(TokenizerTest, StopWordsAreFoldedAndConfigurable) {
  Tokenizer t({"Plan", "Q3"});
  EXPECT_EQ(t.Terms("the q3 PLAN budget"), (Terms{"the", "budget"}));
}

TEST(TokenizerTest, AStopWordMustNotSplitIntoSeveralTerms) {
  // A line of no term (blank, a CRLF file's "\r", punctuation) stops
  // nothing and passes.
  EXPECT_OK(Tokenizer::CheckStopWords(
      {"The", "q3", "\xC3\xA9t\xC3\xA9", " padded ", "\r", "  ", "--", "the\r"}));
  EXPECT_OK(Tokenizer::CheckStopWords({}));
  absl::Status st = Tokenizer::CheckStopWords({"ok", "e-mail"});
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(st.message(), "search stop words: \"e-mail\" is 2 terms (e mail), not one");
  st = Tokenizer::CheckStopWords({"new york city"});
  EXPECT_EQ(st.message(),
            "search stop words: \"new york city\" is 3 terms (new york city), not one");
}

TEST(TokenizerTest, ReportsByteOffsetsOfTerms) {
  Tokenizer t(Tokenizer::DefaultStopWords());
  std::vector<std::tuple<std::string, size_t, size_t>> seen;
  t.ForEachTermAt("The été, Q3", [&](std::string_view term, size_t b, size_t e) {
    seen.emplace_back(std::string(term), b, e);
  });
  EXPECT_THAT(seen, ElementsAre(std::tuple{"été", 4u, 9u}, std::tuple{"q3", 11u, 13u}));
}

// --- Posting blocks ---

TEST(PostingBlockTest, RoundTripsAndBoundsItsPostings) {
  const std::vector<Posting> postings = {{100, 3, 40, 0}, {101, 1, 7, 5}, {5000, 9, 300, 2}};
  const std::string bytes = EncodePostingBlock(100, postings);
  ASSERT_OK_AND_ASSIGN(PostingBlockHeader h, DecodePostingBlockHeader(bytes));
  EXPECT_EQ(h.count, 3u);
  using Frontier = decltype(PostingBlockHeader::frontier);
  EXPECT_EQ(h.frontier, (Frontier{{1, 7}, {3, 40}, {9, 300}}));
  std::vector<Posting> decoded;
  ASSERT_OK(DecodePostingBlock(100, bytes, &decoded));
  EXPECT_EQ(decoded, postings);
  ASSERT_OK(DecodePostingBlock(100, EncodePostingBlock(100, {}), &decoded));
  EXPECT_TRUE(decoded.empty());
}

TEST(PostingBlockTest, FrontierKeepsOnlyUnbeatenPairsAndBoundsTheRestPastItsCap) {
  using Frontier = decltype(PostingBlockHeader::frontier);
  // (2, 10) beats (2, 12) and (1, 11); (5, 10) beats (2, 10).
  std::vector<Posting> postings = {
      {1, 2, 12, 0}, {2, 1, 11, 0}, {3, 5, 10, 0}, {4, 2, 10, 0}, {5, 1, 3, 0}};
  ASSERT_OK_AND_ASSIGN(PostingBlockHeader h,
                       DecodePostingBlockHeader(EncodePostingBlock(1, postings)));
  EXPECT_EQ(h.frontier, (Frontier{{1, 3}, {5, 10}}));
  // Twenty unbeaten pairs: seven kept, the rest bounded by (max tf, min length).
  postings.clear();
  for (uint32_t i = 1; i <= 20; ++i) postings.push_back({i, i, i, 0});
  ASSERT_OK_AND_ASSIGN(h, DecodePostingBlockHeader(EncodePostingBlock(1, postings)));
  EXPECT_EQ(h.frontier,
            (Frontier{{1, 1}, {2, 2}, {3, 3}, {4, 4}, {5, 5}, {6, 6}, {7, 7}, {20, 8}}));
}

// The frontier by its definition: for each tf, its shortest length, kept
// when every higher tf's lengths are longer; then the cap.
std::vector<std::pair<uint32_t, uint32_t>> FrontierByDefinition(
    const std::vector<Posting>& postings) {
  std::map<uint32_t, uint32_t> shortest;  // tf -> length
  for (const Posting& p : postings) {
    auto [it, added] = shortest.emplace(p.tf, p.length);
    if (!added) it->second = std::min(it->second, p.length);
  }
  std::vector<std::pair<uint32_t, uint32_t>> frontier;
  for (const auto& [tf, length] : shortest) {
    bool beaten = false;
    for (auto higher = shortest.upper_bound(tf); higher != shortest.end(); ++higher) {
      beaten = beaten || higher->second <= length;
    }
    if (!beaten) frontier.emplace_back(tf, length);
  }
  if (frontier.size() > kMaxFrontier) {
    const std::pair<uint32_t, uint32_t> bound{frontier.back().first,
                                              frontier[kMaxFrontier - 1].second};
    frontier.resize(kMaxFrontier - 1);
    frontier.push_back(bound);
  }
  return frontier;
}

TEST(PostingBlockTest, FrontierMatchesItsDefinitionOnRandomBlocks) {
  std::mt19937 rng(7);
  for (int round = 0; round < 2000; ++round) {
    // Few distinct tfs (the common case) up to many more than 32 (the sort).
    const uint32_t max_tf = 1 + rng() % (round % 2 == 0 ? 4 : 80);
    const uint32_t max_length = 1 + rng() % 400;
    std::vector<Posting> postings(1 + rng() % 300);
    for (size_t i = 0; i < postings.size(); ++i) {
      postings[i] = {i + 1, 1 + static_cast<uint32_t>(rng() % max_tf),
                     1 + static_cast<uint32_t>(rng() % max_length), 0};
    }
    ASSERT_OK_AND_ASSIGN(PostingBlockHeader h,
                         DecodePostingBlockHeader(EncodePostingBlock(1, postings)));
    const std::vector<std::pair<uint32_t, uint32_t>> got(h.frontier.begin(), h.frontier.end());
    ASSERT_EQ(got, FrontierByDefinition(postings)) << "round " << round;
  }
}

TEST(PostingBlockTest, CorruptBytesAreDataLossNeverACrash) {
  const std::string bytes = EncodePostingBlock(1, {{1, 2, 3, 4}, {9, 1, 1, 0}});
  std::vector<Posting> out;
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_EQ(DecodePostingBlock(1, bytes.substr(0, n), &out).code(), absl::StatusCode::kDataLoss)
        << n;
  }
  EXPECT_EQ(DecodePostingBlock(1, bytes + "x", &out).code(), absl::StatusCode::kDataLoss);
  // A count far beyond what the bytes can hold is refused before reserving.
  EXPECT_EQ(DecodePostingBlock(1, std::string("\xFF\xFF\xFF\x0F\x01\x01", 6), &out).code(),
            absl::StatusCode::kDataLoss);
}

// --- Index maintenance through GraphStore ---

Mutation Doc(std::string id, std::string text, std::vector<std::string> boundary = {}) {
  NodeUpsert m;
  m.node.id = std::move(id);
  m.node.labels = {"Document"};
  m.node.boundary = std::move(boundary);
  m.node.props["text"] = Value{std::move(text)};
  m.node.props["count"] = Value{int64_t{7}};
  return m;
}

class TextIndexTest : public StoreFixture {
 protected:
  uint64_t Iid(std::string_view id) { return **store_->LookupIid(id); }

  // Every posting of `term` as of `version`, as "id:tf/length@set". With
  // `end_first`, each block's end is asked for before its postings.
  std::vector<std::string> Postings(const std::string& term, uint64_t version,
                                    size_t* blocks = nullptr, bool end_first = false) {
    std::vector<std::string> out;
    auto cursor = text_->OpenTerm(term, version);
    EXPECT_TRUE(cursor.ok()) << cursor.status();
    if (blocks) *blocks = 0;
    uint64_t last_iid = 0;
    while (cursor.ok() && cursor->valid()) {
      if (blocks) ++*blocks;
      EXPECT_GE(cursor->first_iid(), last_iid);
      absl::StatusOr<uint64_t> end = 0;
      if (end_first) end = cursor->EndIid();
      auto postings = cursor->Postings();
      EXPECT_TRUE(postings.ok());
      if (!end_first) end = cursor->EndIid();
      EXPECT_TRUE(end.ok());
      if (!postings.ok() || !end.ok()) break;
      for (const Posting& p : **postings) {
        EXPECT_LT(p.iid, *end);
        EXPECT_GE(p.iid, cursor->first_iid());
        auto node = store_->GetNodeByIid(p.iid, version);
        const std::string id = node.ok() && *node ? (*node)->id : "?";
        out.push_back(absl::StrCat(id, ":", p.tf, "/", p.length, "@", p.set));
        last_iid = p.iid;
      }
      EXPECT_OK(cursor->Next());
    }
    return out;
  }

  // Counts over the given sets, summing them one by one.
  uint64_t Docs(const std::string& term, uint64_t version, std::vector<uint64_t> sets) {
    auto docs = text_->TermDocs(term, version, SetSelection{false, sets});
    EXPECT_TRUE(docs.ok()) << docs.status();
    return docs.value_or(999);
  }
  // Over every set, from the maintained sums.
  uint64_t AllDocs(const std::string& term, uint64_t version) {
    auto docs = text_->TermDocs(term, version, SetSelection{true, {}});
    EXPECT_TRUE(docs.ok()) << docs.status();
    return docs.value_or(999);
  }

  CorpusTotals Totals(uint64_t version, std::vector<uint64_t> sets) {
    auto t = sets.empty() ? text_->Totals(version, SetSelection{true, {}})
                          : text_->Totals(version, SetSelection{false, sets});
    EXPECT_TRUE(t.ok()) << t.status();
    return t.value_or(CorpusTotals{999, 999});
  }

  // Gives `cache` a bulk import's text worker that writes its changes aside
  // in `session` (by default after every chunk: a budget of one byte),
  // counting flushes, and leaves the statistics to FlushText, as GraphImport
  // does.
  void StartWorkerWritingAside(CommitSession& session, ImportCache& cache, int* flushes,
                               size_t flush_bytes = 1) {
    cache.text_worker = std::make_unique<TextDeltaWorker>(
        *text_, cache.text, flush_bytes, [this, &session, &cache, flushes](TextIndexDelta& delta) {
          ++*flushes;
          return session.WriteAside(
              [&](CommitContext& ctx) { return text_->Flush(ctx, delta, &cache.text_counts); });
        });
  }

  // Writes nodes n0, n1, ... (`count` of them, each "word") in one batch of
  // `session`, and waits until the worker of `cache` took them in.
  void WriteWordsAside(CommitSession& session, ImportCache& cache, int count) {
    AllowAllWrites guard;
    std::vector<IndexedMutation> ops;
    for (int n = 0; n < count; ++n) ops.emplace_back(n, Doc(absl::StrCat("n", n), "word"));
    ChunkResult result;
    ASSERT_OK(session.Write([&](CommitContext& ctx) {
      return store_->ApplyEach(ctx, ops, guard, false, &cache, &result);
    }));
    ASSERT_OK(cache.text_worker->Wait());
  }

  std::vector<uint64_t> Relabelled(uint64_t after, uint64_t upto) {
    std::vector<uint64_t> out;
    EXPECT_OK(text_->ForEachRelabelled(after, upto, [&](uint64_t iid) { out.push_back(iid); }));
    return out;
  }
};

TEST_F(TextIndexTest, WritesPostingsAndStatisticsPerBoundarySet) {
  DefineLabels(*store_, {"pii", "team:x"});
  const uint64_t v1 = Apply({Doc("a", "apple banana apple"), Doc("b", "banana", {"pii"}),
                             Doc("c", "cherry", {"pii", "team:x"})});
  EXPECT_EQ(Postings("apple", v1), (Terms{"a:2/3@0"}));
  EXPECT_EQ(Postings("banana", v1), (Terms{"a:1/3@0", "b:1/1@1"}));
  EXPECT_EQ(Postings("cherry", v1), (Terms{"c:1/1@2"}));
  EXPECT_TRUE(Postings("count", v1).empty());  // only string props are text
  EXPECT_EQ(Docs("banana", v1, {0, 1, 2}), 2u);
  EXPECT_EQ(Docs("banana", v1, {0}), 1u);
  EXPECT_EQ(Docs("banana", v1, {1}), 1u);
  EXPECT_EQ(Docs("cherry", v1, {0, 1}), 0u);
  EXPECT_EQ(AllDocs("banana", v1), 2u);
  EXPECT_EQ(AllDocs("cherry", v1), 1u);
  EXPECT_EQ(Totals(v1, {}).docs, 3u);  // {}: every set
  EXPECT_EQ(Totals(v1, {}).length, 5u);
  EXPECT_EQ(Totals(v1, {0, 1, 2}).docs, 3u);
  EXPECT_EQ(Totals(v1, {0, 1, 2}).length, 5u);
  EXPECT_EQ(Totals(v1, {1, 2}).docs, 2u);
  EXPECT_EQ(Totals(v1, {1, 2}).length, 2u);
  EXPECT_EQ(text_->sets().LabelsFrom(1),
            (std::vector<std::vector<std::string>>{{"pii"}, {"pii", "team:x"}}));
}

TEST_F(TextIndexTest, UpdatesAndDeletesAreVersioned) {
  const uint64_t v1 = Apply({Doc("a", "apple banana"), Doc("b", "banana")});
  const uint64_t v2 = Apply({Doc("a", "banana cherry cherry")});
  const uint64_t v3 = Apply({NodeDelete{"b"}});
  EXPECT_EQ(Postings("apple", v1), (Terms{"a:1/2@0"}));
  EXPECT_TRUE(Postings("apple", v2).empty());
  EXPECT_EQ(Postings("banana", v2), (Terms{"a:1/3@0", "b:1/1@0"}));
  EXPECT_EQ(Postings("banana", v3), (Terms{"a:1/3@0"}));
  EXPECT_EQ(Postings("cherry", v3), (Terms{"a:2/3@0"}));
  EXPECT_TRUE(Postings("cherry", v1).empty());
  EXPECT_EQ(Docs("apple", v1, {0}), 1u);
  EXPECT_EQ(Docs("apple", v2, {0}), 0u);
  EXPECT_EQ(Docs("banana", v3, {0}), 1u);
  EXPECT_EQ(Totals(v1, {0}).length, 3u);
  EXPECT_EQ(Totals(v2, {0}).length, 4u);
  EXPECT_EQ(Totals(v3, {0}).docs, 1u);
  EXPECT_EQ(Totals(v3, {0}).length, 3u);
  // Changing a prop that is not text rewrites nothing of the index.
  NodeUpsert same = std::get<NodeUpsert>(Doc("a", "banana cherry cherry"));
  same.node.props["count"] = Value{int64_t{8}};
  const uint64_t v4 = Apply({same});
  EXPECT_EQ(Postings("cherry", v4), (Terms{"a:2/3@0"}));
}

TEST_F(TextIndexTest, BoundaryChangesMovePostingsAndAreLogged) {
  DefineLabels(*store_, {"pii"});
  const uint64_t v1 = Apply({Doc("a", "apple"), Doc("b", "apple")});
  const uint64_t v2 = Apply({Doc("a", "apple", {"pii"})});
  const uint64_t v3 = Apply({NodeDelete{"b"}});
  const uint64_t v4 = Apply({Doc("b", "apple", {"pii"}), Doc("c", "apple")});
  EXPECT_EQ(Postings("apple", v2), (Terms{"a:1/1@1", "b:1/1@0"}));
  EXPECT_EQ(Docs("apple", v2, {0}), 1u);
  EXPECT_EQ(Docs("apple", v1, {0}), 2u);
  // A relabel moves a node between sets; the sum over all sets is unmoved.
  EXPECT_EQ(AllDocs("apple", v2), 2u);
  EXPECT_EQ(AllDocs("apple", v3), 1u);
  EXPECT_EQ(AllDocs("apple", v4), 3u);
  EXPECT_EQ(Totals(v4, {}).docs, 3u);
  // a relabelled at v2; b came back at v4; c is new and not logged.
  EXPECT_EQ(Relabelled(0, v4), (std::vector<uint64_t>{Iid("a"), Iid("b")}));
  EXPECT_EQ(Relabelled(v2, v4), (std::vector<uint64_t>{Iid("b")}));
  EXPECT_EQ(Relabelled(v1, v3), (std::vector<uint64_t>{Iid("a")}));
  EXPECT_TRUE(Relabelled(v4, v4).empty());
}

TEST_F(TextIndexTest, LargeTermsSplitIntoBlocksThatStayConsistentAcrossRewrites) {
  std::vector<Mutation> batch;
  for (int i = 0; i < 700; ++i) batch.push_back(Doc(absl::StrCat("n", 1000 + i), "common"));
  const uint64_t v1 = Apply(batch);
  size_t blocks = 0;
  std::vector<std::string> all = Postings("common", v1, &blocks);
  ASSERT_EQ(all.size(), 700u);
  EXPECT_EQ(all.front(), "n1000:1/1@0");
  EXPECT_EQ(all.back(), "n1699:1/1@0");
  EXPECT_EQ(blocks, 6u);  // 128 * 5 + 60
  // Rewrite one node in the middle, drop another, add one past the end.
  const uint64_t v2 =
      Apply({Doc("n1300", "common common"), Doc("n1301", "other"), Doc("n9999", "common")});
  std::vector<std::string> now = Postings("common", v2, &blocks);
  ASSERT_EQ(now.size(), 700u);
  EXPECT_EQ(now[300], "n1300:2/2@0");
  EXPECT_EQ(now[301], "n1302:1/1@0");
  EXPECT_EQ(now.back(), "n9999:1/1@0");
  EXPECT_EQ(Postings("common", v1), all);  // the past is intact
  EXPECT_EQ(Docs("common", v2, {0}), 700u);
  EXPECT_EQ(AllDocs("common", v2), 700u);
  EXPECT_EQ(AllDocs("other", v2), 1u);
}

TEST_F(TextIndexTest, ACursorReadsEveryVersionOfABlockTheSameWhicheverWayItIsAsked) {
  std::vector<Mutation> batch;
  for (int i = 0; i < 700; ++i) batch.push_back(Doc(absl::StrCat("n", 1000 + i), "common"));
  const uint64_t v1 = Apply(batch);
  // A second version of the fourth block (n1384..n1511) and of the last.
  const uint64_t v2 = Apply({Doc("n1400", "common common common"), Doc("n9999", "common")});
  for (const uint64_t version : {v1, v2}) {
    SCOPED_TRACE(version);
    const std::vector<std::string> expected = Postings("common", version);
    // Headers only: the counts add up without decoding a block.
    auto headers = text_->OpenTerm("common", version);
    ASSERT_OK(headers.status());
    uint32_t counted = 0;
    while (headers->valid()) {
      counted += headers->header().count;
      ASSERT_OK(headers->Next());
    }
    EXPECT_EQ(counted, expected.size());
    // The next block's start first, then the postings: the same postings.
    EXPECT_EQ(Postings("common", version, nullptr, /*end_first=*/true), expected);
    // Seeking lands on the block holding the node.
    auto seek = text_->OpenTerm("common", version);
    ASSERT_OK(seek.status());
    ASSERT_OK(seek->SeekBlock(Iid("n1400")));
    ASSERT_TRUE(seek->valid());
    absl::StatusOr<const std::vector<Posting>*> postings = seek->Postings();
    ASSERT_OK(postings.status());
    EXPECT_EQ(seek->first_iid(), Iid("n1384"));
    ASSERT_EQ((*postings)->size(), 128u);
    EXPECT_EQ((**postings)[16].iid, Iid("n1400"));
    EXPECT_EQ((**postings)[16].tf, version == v1 ? 1u : 3u);
  }
}

TEST_F(TextIndexTest, ABlockGrownPastTwiceItsTargetIsSplit) {
  // Nodes created in one order and given the term later land in one block
  // until it is cut.
  std::vector<Mutation> create;
  for (int i = 0; i < 600; ++i) create.push_back(Doc(absl::StrCat("n", 1000 + i), "x"));
  Apply(create);
  Apply({Doc("n1000", "t")});  // one block starting at n1000
  std::vector<Mutation> grow;
  for (int i = 1; i < 600; ++i) grow.push_back(Doc(absl::StrCat("n", 1000 + i), "t"));
  const uint64_t v = Apply(grow);
  size_t blocks = 0;
  EXPECT_EQ(Postings("t", v, &blocks).size(), 600u);
  EXPECT_EQ(blocks, 5u);  // 600 > 256: cut into 128-posting blocks
}

TEST_F(TextIndexTest, StatisticsSumExactlyTheSelectedSetsAmongMany) {
  // 60 nodes in 60 boundary sets, half of them rewritten (older versions of
  // their counters stay behind), read through sparse and dense selections.
  std::vector<std::string> labels;
  for (int i = 0; i < 60; ++i) labels.push_back(absl::StrCat("personal:p", i));
  DefineLabels(*store_, labels);
  std::vector<Mutation> batch;
  for (int i = 0; i < 60; ++i) {
    batch.push_back(Doc(absl::StrCat("n", i), "w w", {absl::StrCat("personal:p", i)}));
  }
  const uint64_t v1 = Apply(batch);
  batch.clear();
  for (int i = 0; i < 60; i += 2) {
    batch.push_back(Doc(absl::StrCat("n", i), "w", {absl::StrCat("personal:p", i)}));
  }
  const uint64_t v2 = Apply(batch);
  for (size_t stride : {1u, 2u, 7u, 59u}) {
    std::vector<uint64_t> ids;
    for (uint64_t set = 1; set <= 60; set += stride) ids.push_back(set);
    EXPECT_EQ(Docs("w", v1, ids), ids.size()) << stride;
    EXPECT_EQ(Docs("w", v2, ids), ids.size()) << stride;
    EXPECT_EQ(Totals(v1, ids).length, 2 * ids.size()) << stride;
    uint64_t length = 0;  // set s holds node n(s-1); even nodes shrank to 1 term
    for (uint64_t set : ids) length += (set - 1) % 2 == 0 ? 1 : 2;
    EXPECT_EQ(Totals(v2, ids).length, length) << stride;
  }
  EXPECT_EQ(Docs("w", v2, {0, 61, 62}), 0u);
  EXPECT_EQ(Totals(v2, {}).length, 90u);
}

TEST_F(TextIndexTest, AnAbortedSessionLeavesNoIndexEntries) {
  const uint64_t v1 = Apply({Doc("a", "apple")});
  {
    auto session = db_->BeginSession("loader");
    AllowAllWrites guard;
    ImportCache cache;
    ChunkResult result;
    ASSERT_OK(session->Write([&](CommitContext& ctx) {
      RETURN_IF_ERROR(
          store_->ApplyEach(ctx, {{0, Doc("b", "apple banana")}}, guard, false, &cache, &result));
      return store_->FlushText(ctx, cache);
    }));
    ASSERT_OK(session->Abort());
  }
  EXPECT_EQ(Postings("apple", keys::kMaxVersion), (Terms{"a:1/1@0"}));
  EXPECT_TRUE(Postings("banana", keys::kMaxVersion).empty());
  EXPECT_EQ(Docs("apple", keys::kMaxVersion, {0}), 1u);
  EXPECT_EQ(Totals(keys::kMaxVersion, {0}).docs, 1u);
  EXPECT_EQ(db_->LatestVersion(), v1);
}

TEST_F(TextIndexTest, ASessionMayFlushInPartsAtOneVersion) {
  auto session = db_->BeginSession("loader");
  AllowAllWrites guard;
  ImportCache cache;
  for (int part = 0; part < 3; ++part) {
    std::vector<IndexedMutation> ops;
    for (int i = 0; i < 100; ++i) {
      const int n = part * 100 + i;
      ops.emplace_back(n, Doc(absl::StrCat("n", 1000 + n), n % 2 ? "odd word" : "even word"));
    }
    ChunkResult result;
    ASSERT_OK(session->Write([&](CommitContext& ctx) {
      RETURN_IF_ERROR(store_->ApplyEach(ctx, ops, guard, false, &cache, &result));
      return store_->FlushText(ctx, cache);
    }));
  }
  ASSERT_OK_AND_ASSIGN(CommitOutcome outcome, session->Finish("bulk"));
  EXPECT_EQ(Postings("word", outcome.version).size(), 300u);
  EXPECT_EQ(Postings("odd", outcome.version).size(), 150u);
  EXPECT_EQ(Docs("word", outcome.version, {0}), 300u);
  EXPECT_EQ(Totals(outcome.version, {0}).length, 600u);
}

// A bulk import's worker notes changes on its own thread and writes them
// aside whenever they pass its budget (here: after every chunk); the index
// must come out exactly as with inline notes, updates and deletes of nodes
// already flushed included.
TEST_F(TextIndexTest, AWorkerWritingAsideBuildsTheSameIndexAsInlineNotes) {
  auto session = db_->BeginSession("loader");
  AllowAllWrites guard;
  ImportCache cache;
  int flushes = 0;
  StartWorkerWritingAside(*session, cache, &flushes);
  auto write = [&](std::vector<IndexedMutation> ops) {
    ChunkResult result;
    return session->Write([&](CommitContext& ctx) {
      return store_->ApplyEach(ctx, ops, guard, false, &cache, &result);
    });
  };
  for (int part = 0; part < 3; ++part) {
    std::vector<IndexedMutation> ops;
    for (int i = 0; i < 200; ++i) {
      const int n = part * 200 + i;
      ops.emplace_back(n, Doc(absl::StrCat("n", 1000 + n), n % 2 ? "odd word" : "even word"));
    }
    ASSERT_OK(write(std::move(ops)));
  }
  // Both nodes were in the first chunk, written aside already.
  ASSERT_OK(write({{600, Doc("n1000", "odd odd word")}, {601, NodeDelete{"n1001"}}}));
  ASSERT_OK(session->Write([&](CommitContext& ctx) { return store_->FlushText(ctx, cache); }));
  ASSERT_OK_AND_ASSIGN(CommitOutcome outcome, session->Finish("bulk"));
  // Two full chunks of 256 changes, then the 90 left, handed over by
  // FlushText's Wait: each passed the budget, so the worker wrote them all.
  EXPECT_EQ(flushes, 3);
  EXPECT_EQ(Postings("word", outcome.version).size(), 599u);
  const Terms odd = Postings("odd", outcome.version);
  EXPECT_EQ(odd.size(), 300u);
  EXPECT_EQ(odd.front(), "n1000:2/3@0");
  EXPECT_EQ(Postings("even", outcome.version).size(), 299u);
  EXPECT_EQ(Docs("word", outcome.version, {0}), 599u);
  EXPECT_EQ(AllDocs("odd", outcome.version), 300u);
  EXPECT_EQ(Totals(outcome.version, {0}).docs, 599u);
  EXPECT_EQ(Totals(outcome.version, {0}).length, 1199u);
}

// A bulk import's usual end: the worker wrote part of the changes aside,
// and FlushText writes the rest (an update and a delete of nodes written
// aside among them) with the statistics of both, over statistics committed
// before the session.
TEST_F(TextIndexTest, FlushTextWritesTheLastChangesWithTheStatisticsOfTheFlushesBefore) {
  DefineLabels(*store_, {"pii"});
  Apply({Doc("old", "word odd")});
  auto session = db_->BeginSession("loader");
  AllowAllWrites guard;
  ImportCache cache;
  int flushes = 0;
  // One full chunk of changes passes this budget; the three after it do not.
  StartWorkerWritingAside(*session, cache, &flushes, /*flush_bytes=*/1000);
  auto write = [&](std::vector<IndexedMutation> ops) {
    ChunkResult result;
    return session->Write([&](CommitContext& ctx) {
      return store_->ApplyEach(ctx, ops, guard, false, &cache, &result);
    });
  };
  std::vector<IndexedMutation> ops;
  for (size_t i = 0; i < TextDeltaWorker::kChunkChanges; ++i) {
    std::vector<std::string> boundary;
    if (i % 4 == 0) boundary = {"pii"};
    ops.emplace_back(i, Doc(absl::StrCat("n", i), i % 2 ? "odd word" : "even word", boundary));
  }
  ASSERT_OK(write(std::move(ops)));
  ASSERT_OK(write({{256, Doc("n0", "even even word", {"pii"})},
                   {257, NodeDelete{"n1"}},
                   {258, Doc("n256", "odd", {"pii"})}}));
  ASSERT_OK(session->Write([&](CommitContext& ctx) { return store_->FlushText(ctx, cache); }));
  ASSERT_OK_AND_ASSIGN(CommitOutcome outcome, session->Finish("bulk"));
  EXPECT_EQ(flushes, 1);
  const uint64_t v = outcome.version;
  EXPECT_EQ(Postings("word", v).size(), 256u);
  EXPECT_EQ(AllDocs("word", v), 256u);  // old, n0-n255 but n1
  EXPECT_EQ(AllDocs("odd", v), 129u);   // old, the 128 odd ones but n1, n256
  EXPECT_EQ(AllDocs("even", v), 128u);
  EXPECT_EQ(Docs("word", v, {0}), 192u);  // unlabelled: old, 192 of the n's but n1
  EXPECT_EQ(Docs("odd", v, {0}), 128u);
  EXPECT_EQ(Totals(v, {}).docs, 257u);
  EXPECT_EQ(Totals(v, {}).length, 514u);  // 2 + 256 * 2, n0 one more, n1 two less, n256 one
}

// Statistics past their budget are written with the flush that took them
// there, and not again at the end.
TEST_F(TextIndexTest, StatisticsPastTheirBudgetAreWrittenWithTheFlush) {
  Apply({Doc("a", "word")});
  auto session = db_->BeginSession("loader");
  ImportCache cache;
  cache.text_counts = TextIndexCounts(/*max_bytes=*/1);
  int flushes = 0;
  StartWorkerWritingAside(*session, cache, &flushes);
  ASSERT_NO_FATAL_FAILURE(WriteWordsAside(*session, cache, 300));
  EXPECT_EQ(flushes, 2);
  EXPECT_TRUE(cache.text_counts.empty());
  // Written aside at the session's version, with the postings.
  EXPECT_EQ(AllDocs("word", keys::kMaxVersion), 301u);
  EXPECT_EQ(Totals(keys::kMaxVersion, {}).docs, 301u);
  ASSERT_OK(session->Write([&](CommitContext& ctx) { return store_->FlushText(ctx, cache); }));
  ASSERT_OK_AND_ASSIGN(CommitOutcome outcome, session->Finish("bulk"));
  EXPECT_EQ(AllDocs("word", outcome.version), 301u);
  EXPECT_EQ(Totals(outcome.version, {}).docs, 301u);
  EXPECT_EQ(Totals(outcome.version, {}).length, 301u);
}

TEST_F(TextIndexTest, AnAbortedSessionRemovesWhatItsWorkerWroteAside) {
  const uint64_t v1 = Apply({Doc("a", "word")});
  {
    auto session = db_->BeginSession("loader");
    ImportCache cache;
    int flushes = 0;
    StartWorkerWritingAside(*session, cache, &flushes);
    ASSERT_NO_FATAL_FAILURE(WriteWordsAside(*session, cache, 300));
    // Written aside at the session's version, not published.
    ASSERT_EQ(Postings("word", keys::kMaxVersion).size(), 301u);
    // The statistics are left to FlushText, written once per session.
    EXPECT_EQ(AllDocs("word", keys::kMaxVersion), 1u);
    EXPECT_EQ(Totals(keys::kMaxVersion, {}).docs, 1u);
    cache.text_worker.reset();
    ASSERT_OK(session->Abort());
  }
  EXPECT_EQ(Postings("word", keys::kMaxVersion), (Terms{"a:1/1@0"}));
  EXPECT_EQ(AllDocs("word", keys::kMaxVersion), 1u);
  EXPECT_EQ(Totals(keys::kMaxVersion, {}).docs, 1u);
  EXPECT_EQ(db_->LatestVersion(), v1);
}

// The worker runs on a thread of its own, where an exception would end the
// process: what its flush throws comes back from Wait as a status instead,
// and the worker takes nothing more.
TEST_F(TextIndexTest, WhatTheWorkersFlushThrowsComesBackFromWait) {
  TextIndexDelta delta;
  int flushes = 0;
  TextDeltaWorker worker(*text_, delta, /*flush_bytes=*/1, [&](TextIndexDelta&) -> absl::Status {
    ++flushes;
    throw std::bad_alloc();
  });
  NodeUpsert doc = std::get<NodeUpsert>(Doc("a", "word"));
  worker.Note(1, std::nullopt, doc.node, false);
  const absl::Status first = worker.Wait();
  EXPECT_EQ(first.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(first.message(), "storage: keyword index upkeep: out of memory");
  worker.Note(2, std::nullopt, doc.node, false);
  EXPECT_EQ(worker.Wait(), first);
  EXPECT_EQ(flushes, 1);
}

// The worker flushes on a thread of the flush's own. Flushes still run one
// at a time, in order (each reads what the one before wrote), and Wait
// returns only once the last is written.
TEST_F(TextIndexTest, FlushesRunOneAtATimeAndWaitAwaitsTheLast) {
  TextIndexDelta delta;
  std::mutex mu;
  std::condition_variable cv;
  bool release = false;
  int flushes = 0, in_flight = 0, most_in_flight = 0;
  std::vector<std::string> flushed_on;
  TextDeltaWorker worker(*text_, delta, /*flush_bytes=*/1, [&](TextIndexDelta& d) {
    std::unique_lock<std::mutex> lock(mu);
    flushed_on.push_back(ThisThreadName());
    most_in_flight = std::max(most_in_flight, ++in_flight);
    cv.wait(lock, [&] { return release; });  // the first flush holds until released
    ++flushes;
    d = TextIndexDelta();
    --in_flight;
    return absl::OkStatus();
  });
  NodeUpsert doc = std::get<NodeUpsert>(Doc("a", "word"));
  // A chunk is handed over every kChunkChanges notes, and each passes the
  // one-byte budget: two flushes.
  for (uint64_t i = 1; i <= 2 * TextDeltaWorker::kChunkChanges; ++i) {
    worker.Note(i, std::nullopt, doc.node, false);
  }
  std::thread releaser([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::lock_guard<std::mutex> lock(mu);
    release = true;
    cv.notify_all();
  });
  EXPECT_OK(worker.Wait());
  {
    std::lock_guard<std::mutex> lock(mu);
    EXPECT_EQ(flushes, 2);
    EXPECT_EQ(in_flight, 0);
    EXPECT_EQ(most_in_flight, 1);
    // Named for `top -H`, not after the thread that started it.
    EXPECT_EQ(flushed_on, (std::vector<std::string>{"text-flush", "text-flush"}));
  }
  EXPECT_TRUE(delta.empty());
  releaser.join();
}

// Index records written aside with no node written are not a commit.
TEST_F(TextIndexTest, ASessionThatOnlyWroteAsideCommitsNothingAndLeavesNothing) {
  const uint64_t v1 = Apply({Doc("a", "word")});
  auto session = db_->BeginSession("loader");
  NodeUpsert stray = std::get<NodeUpsert>(Doc("stray", "word"));
  TextIndexDelta delta;
  ASSERT_OK(text_->NoteNodeChange(delta, 12345, nullptr, &stray.node, false));
  ASSERT_OK(session->WriteAside([&](CommitContext& ctx) { return text_->Flush(ctx, delta); }));
  ASSERT_EQ(Postings("word", keys::kMaxVersion).size(), 2u);
  ASSERT_OK_AND_ASSIGN(CommitOutcome outcome, session->Finish("nothing"));
  EXPECT_FALSE(outcome.committed);
  EXPECT_EQ(outcome.version, v1);
  EXPECT_EQ(Postings("word", keys::kMaxVersion), (Terms{"a:1/1@0"}));
  EXPECT_EQ(AllDocs("word", keys::kMaxVersion), 1u);
}

TEST_F(TextIndexTest, IndexSurvivesRestart) {
  // "hr" is first used after the restart: the registry is read back too.
  DefineLabels(*store_, {"pii", "hr"});
  const uint64_t v1 = Apply({Doc("a", "apple", {"pii"})});
  Reopen();
  EXPECT_EQ(Postings("apple", v1), (Terms{"a:1/1@1"}));
  const uint64_t v2 = Apply({Doc("b", "apple", {"pii"}), Doc("c", "apple", {"hr"})});
  EXPECT_EQ(Postings("apple", v2), (Terms{"a:1/1@1", "b:1/1@1", "c:1/1@2"}));
}

TEST_F(TextIndexTest, ABoundarySetCutBetweenItsLabelsIsDataLossNotASmallerSet) {
  DefineLabels(*store_, {"pii", "hr"});
  Apply({Doc("a", "apple", {"hr", "pii"})});
  {
    TextIndex again(db_.get(), TextIndexConfig{});
    ASSERT_OK(again.Open());
  }
  // Set 1 is {hr, pii}; its by-id value cut to {hr} would let a caller
  // cleared for hr count it as visible.
  const std::string by_id = keys::BoundarySetByIdKey(1);
  std::string value;
  ASSERT_OK_AND_ASSIGN(bool found, db_->Get(Cf::kBoundarySets, by_id, &value));
  ASSERT_TRUE(found);
  ASSERT_EQ(value, keys::EncodeBoundarySetLabels({"hr", "pii"}));
  ASSERT_TRUE(db_->rocks()
                  ->Put(rocksdb::WriteOptions(), db_->handle(Cf::kBoundarySets), by_id,
                        keys::EncodeBoundarySetLabels({"hr"}))
                  .ok());
  TextIndex cut(db_.get(), TextIndexConfig{});
  const absl::Status st = cut.Open();
  EXPECT_EQ(st.code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(st.message(), "boundary_sets: set 1 does not map back to itself");
}

TEST_F(TextIndexTest, OnlyConfiguredPropsAreIndexedAndTheConfigIsFixedAtCreation) {
  TextIndex other(db_.get(), TextIndexConfig{{"title"}, {}});
  absl::Status st = other.Open();
  EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(st.message(),
            "search settings (indexed props [title], 0 stop words) differ from the ones this "
            "database was created with; start with the original settings");

  TempDir dir;
  auto db = Database::Open(dir.path(), DatabaseOptions{});
  ASSERT_OK(db.status());
  // A stop word that splits would stop each part: refused at creation, and
  // nothing is stored, so the database can still be created.
  TextIndex split(db->get(), TextIndexConfig{{"title"}, {"don't"}});
  st = split.Open();
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(st.message(), "search stop words: \"don\\'t\" is 2 terms (don t), not one");
  TextIndex titles(db->get(), TextIndexConfig{{"title"}, {}});
  ASSERT_OK(titles.Open());
  NodeRecord node;
  node.props["title"] = Value{std::string("Quarterly plan")};
  node.props["text"] = Value{std::string("ignored words")};
  node.props["tags"] = Value{ValueList{Value{std::string("not indexed")}}};
  NodeTerms terms = titles.Analyze(node);
  EXPECT_EQ(terms.length, 2u);
  EXPECT_EQ(terms.tf.size(), 2u);
  EXPECT_TRUE(terms.tf.contains("quarterly"));
  // Lists of strings are text when their prop is indexed.
  // ("not" is a default stop word.)
  EXPECT_EQ(text_->Analyze(node).length, 5u);
}

}  // namespace
}  // namespace ctxgraph
