#include "query/searcher.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "query/graph_writer.h"
#include "query/read_stats.h"
#include "tests/query/indexed_graph.h"
#include "tests/query/make_caller.h"
#include "tests/storage/temp_dir.h"
#include "tests/test_macros.h"

namespace ctxgraph {
namespace {

struct Doc {
  std::string text;
  std::vector<std::string> boundary;
  std::string label = "Document";
};

Mutation Upsert(const std::string& id, const Doc& doc) {
  NodeUpsert m;
  m.node.id = id;
  m.node.labels = {doc.label};
  m.node.boundary = doc.boundary;
  m.node.props["text"] = Value{doc.text};
  return m;
}

// An indexed graph that searches.
class Corpus : public IndexedGraph {
 public:
  absl::StatusOr<SearchPage> Search(const Caller& caller, SearchRequest request) const {
    Searcher searcher(store(), tokens(), caller);
    searcher.set_block_summary_min_docs(block_summary_min_docs);
    return searcher.Search(request);
  }

  // 0: every one-term search reads its blocks through the block summary.
  uint64_t block_summary_min_docs = kBlockSummaryMinDocs;

  // (id, score) of every hit, following page tokens until at least `limit`
  // hits are in (always at least one page).
  std::vector<std::pair<std::string, double>> SearchAll(const Caller& caller, SearchRequest request,
                                                        std::vector<size_t>* sizes = nullptr,
                                                        size_t limit = 1000) const {
    std::vector<std::pair<std::string, double>> out;
    do {
      auto page = Search(caller, request);
      EXPECT_TRUE(page.ok()) << page.status();
      if (!page.ok()) break;
      for (const auto& hit : page->hits) out.emplace_back(hit.node->id, hit.score);
      if (sizes) sizes->push_back(page->hits.size());
      if (page->next_page_token.empty()) break;
      request.page_token = page->next_page_token;
    } while (out.size() < limit);
    return out;
  }
};

std::vector<std::string> Ids(const std::vector<std::pair<std::string, double>>& hits) {
  std::vector<std::string> ids;
  for (const auto& h : hits) ids.push_back(h.first);
  return ids;
}

SearchRequest Query(std::string q, int page_size = 0) {
  SearchRequest r;
  r.query = std::move(q);
  r.page_size = page_size;
  return r;
}

TEST(SearcherTest, RanksByBm25AsComputedByHand) {
  Corpus c;
  c.Write({Upsert("d1", {"apple apple banana"}), Upsert("d2", {"banana cherry"}),
           Upsert("d3", {"cherry cherry cherry date"})});
  // N = 3, avgdl = 3; idf(apple) = ln(1 + 2.5/1.5), idf(cherry) = ln(1 + 1.5/2.5).
  auto hits = c.SearchAll(c.admin_, Query("Apple, CHERRY!"));
  ASSERT_EQ(Ids(hits), (std::vector<std::string>{"d1", "d3", "d2"}));
  EXPECT_NEAR(hits[0].second, 1.348640222891, 1e-9);
  EXPECT_NEAR(hits[1].second, 0.689338656227, 1e-9);
  EXPECT_NEAR(hits[2].second, 0.544214728600, 1e-9);
}

TEST(SearcherTest, SnippetShowsTextAroundTheFirstMatch) {
  Corpus c;
  const std::string filler(200, 'x');
  c.Write({Upsert("short", {"Alpha beta. The quarterly Plan is ready."}),
           Upsert("long", {"lead " + filler + " the plan " + filler})});
  ASSERT_OK_AND_ASSIGN(SearchPage page, c.Search(c.admin_, Query("plan")));
  ASSERT_EQ(page.hits.size(), 2u);
  std::map<std::string, std::string> snippets;
  for (const auto& h : page.hits) snippets[h.node->id] = h.snippet;
  EXPECT_EQ(snippets["short"], "Alpha beta. The quarterly Plan is ready.");
  const std::string& s = snippets["long"];
  EXPECT_EQ(s.substr(0, 3), "…");
  EXPECT_EQ(s.substr(s.size() - 3), "…");
  EXPECT_NE(s.find(" the plan "), std::string::npos);
  EXPECT_EQ(s.size(), kSnippetBytes + 6);
}

TEST(SearcherTest, AHiddenNodeChangesNoScoreNoCountAndNoPage) {
  Corpus with_hidden, without;
  with_hidden.DefineLabels({"pii", "team:x"});
  without.DefineLabels({"pii", "team:x"});
  const std::vector<Mutation> visible = {Upsert("a", {"apple banana"}), Upsert("b", {"apple"}),
                                         Upsert("c", {"banana split"})};
  with_hidden.Write(visible);
  without.Write(visible);
  with_hidden.Write({Upsert("h", {"apple apple zebra", {"pii", "team:x"}})});
  const Caller agent = MakeCaller("agent", {"pii"});  // lacks team:x
  for (const char* q : {"apple", "apple banana", "banana zebra", "split apple"}) {
    for (int page_size : {1, 2, 10}) {
      std::vector<size_t> sizes_with, sizes_without;
      auto got = with_hidden.SearchAll(agent, Query(q, page_size), &sizes_with);
      auto want = without.SearchAll(agent, Query(q, page_size), &sizes_without);
      EXPECT_EQ(got, want) << q;  // ids and scores, bit for bit
      EXPECT_EQ(sizes_with, sizes_without) << q;
    }
  }
  // A term only the hidden node holds answers exactly like an absent term.
  ASSERT_OK_AND_ASSIGN(SearchPage zebra, with_hidden.Search(agent, Query("zebra")));
  ASSERT_OK_AND_ASSIGN(SearchPage none, with_hidden.Search(agent, Query("unicorn")));
  EXPECT_TRUE(zebra.hits.empty());
  EXPECT_TRUE(zebra.next_page_token.empty());
  EXPECT_TRUE(none.hits.empty());
  // The cleared caller finds it.
  auto all = with_hidden.SearchAll(MakeCaller("x", {"pii", "team:*"}), Query("zebra"));
  EXPECT_EQ(Ids(all), (std::vector<std::string>{"h"}));
}

TEST(SearcherTest, TiesAreBrokenByIdAndPagesNeitherRepeatNorSkip) {
  Corpus c;
  std::vector<Mutation> docs;
  for (const char* id : {"m", "c", "x", "a", "q", "b"}) docs.push_back(Upsert(id, {"same words"}));
  docs.push_back(Upsert("best", {"words words"}));
  c.Write(docs);
  const std::vector<std::string> want = {"best", "a", "b", "c", "m", "q", "x"};
  for (int page_size : {1, 2, 3, 7, 100}) {
    std::vector<size_t> sizes;
    EXPECT_EQ(Ids(c.SearchAll(c.admin_, Query("words", page_size), &sizes)), want) << page_size;
    EXPECT_EQ(sizes.size(), (want.size() + page_size - 1) / page_size) << page_size;
  }
}

TEST(SearcherTest, PageTokensBindTheCallerAndTheRequestAndPinTheSnapshot) {
  Corpus c;
  c.Write({Upsert("a", {"plan"}), Upsert("b", {"plan"}), Upsert("c", {"plan"})});
  ASSERT_OK_AND_ASSIGN(SearchPage first, c.Search(c.admin_, Query("plan", 1)));
  ASSERT_FALSE(first.next_page_token.empty());
  SearchRequest next = Query("plan", 1);
  next.page_token = first.next_page_token;
  // A later write does not move the pages of a listing already started.
  c.Write({Upsert("0", {"plan plan"})});
  ASSERT_OK_AND_ASSIGN(SearchPage second, c.Search(c.admin_, next));
  ASSERT_EQ(second.hits.size(), 1u);
  EXPECT_EQ(second.hits[0].node->id, "b");
  EXPECT_EQ(second.version, first.version);

  EXPECT_STATUS(c.Search(MakeCaller("other", {"*"}), next), absl::StatusCode::kInvalidArgument,
                "page_token: invalid");
  SearchRequest other_query = next;
  other_query.query = "plans";
  EXPECT_STATUS(c.Search(c.admin_, other_query), absl::StatusCode::kInvalidArgument,
                "page_token: invalid");
  // The same principal with other clearances: the statistics scores are
  // made of differ, so the cursor would land among other scores.
  const Caller narrowed = MakeCaller(c.admin_.principal.id, {"team:eng"}, c.admin_.principal.roles);
  EXPECT_STATUS(c.Search(narrowed, next), absl::StatusCode::kInvalidArgument,
                "page_token: invalid");
  SearchRequest tampered = next;
  tampered.page_token[tampered.page_token.size() / 2] ^= 1;
  EXPECT_STATUS(c.Search(c.admin_, tampered), absl::StatusCode::kInvalidArgument,
                "page_token: invalid");
}

// A relabel between pages hides a node from the caller: it is no hit on
// the next page, and the scores stay those of the first page, so the next
// page neither repeats nor skips a hit (the cursor is a score).
TEST(SearcherTest, ARelabelBetweenPagesNeitherRepeatsNorSkipsHits) {
  Corpus c;
  c.DefineLabels({"pii"});
  c.Write({Upsert("a", {"plan plan"}), Upsert("b", {"plan"}), Upsert("c", {"plan"}),
           Upsert("d", {"plan"}), Upsert("u", {"other words here"})});
  const Caller agent = MakeCaller("agent", {});
  ASSERT_OK_AND_ASSIGN(SearchPage first, c.Search(agent, Query("plan", 1)));
  ASSERT_EQ(first.hits.size(), 1u);
  ASSERT_EQ(first.hits[0].node->id, "a");
  // u holds no query term but counts in every score's statistics; c is a hit.
  c.Write({Upsert("u", {"other words here", {"pii"}}), Upsert("c", {"plan", {"pii"}})});

  SearchRequest next = Query("plan", 1);
  next.page_token = first.next_page_token;
  std::vector<std::pair<std::string, double>> rest = c.SearchAll(agent, next);
  ASSERT_EQ(Ids(rest), (std::vector<std::string>{"b", "d"}));
  ASSERT_OK_AND_ASSIGN(SearchPage fresh, c.Search(agent, Query("plan", 10)));
  ASSERT_EQ(fresh.hits.size(), 3u);  // a, b, d under the new statistics
  // Scored as on the first page: below its hit, as the first page saw them.
  EXPECT_LT(rest[0].second, first.hits[0].score);
  EXPECT_NE(rest[0].second, fresh.hits[1].score);
}

TEST(SearcherTest, LabelsFilterKeepsNodesCarryingOneOfThem) {
  Corpus c;
  c.Write({Upsert("d", {"budget", {}, "Document"}), Upsert("m", {"budget", {}, "Message"}),
           Upsert("p", {"budget", {}, "Person"})});
  SearchRequest r = Query("budget");
  r.labels = {"Person", "Message"};
  EXPECT_EQ(Ids(c.SearchAll(c.admin_, r)), (std::vector<std::string>{"m", "p"}));
  r.labels = {"bad label!"};
  EXPECT_STATUS(c.Search(c.admin_, r), absl::StatusCode::kInvalidArgument,
                "labels[0]: \"bad label!\" has a character outside [A-Za-z0-9_]");
}

TEST(SearcherTest, AsOfSearchSeesThePastButNotWhatIsHiddenNow) {
  Corpus c, reference;
  c.DefineLabels({"pii"});
  reference.DefineLabels({"pii"});
  const uint64_t v1 = c.Write(
      {Upsert("a", {"plan alpha"}), Upsert("b", {"plan beta"}), Upsert("s", {"plan plan secret"})});
  reference.Write({Upsert("a", {"plan alpha"}), Upsert("b", {"plan beta"})});
  c.Write({Upsert("a", {"rewritten"}), Upsert("s", {"plan plan secret", {"pii"}})});
  const Caller agent = MakeCaller("agent", {});
  SearchRequest r = Query("plan secret");
  r.as_of = v1;
  // a still holds "plan" as of v1; s was visible then but is hidden now, so
  // it neither appears nor counts: scores equal a corpus without it.
  EXPECT_EQ(c.SearchAll(agent, r), reference.SearchAll(agent, Query("plan secret")));
  EXPECT_EQ(Ids(c.SearchAll(agent, Query("plan"))), (std::vector<std::string>{"b"}));
  EXPECT_EQ(Ids(c.SearchAll(c.admin_, r)), (std::vector<std::string>{"s", "a", "b"}));
}

TEST(SearcherTest, BadRequestsNameTheField) {
  Corpus c;
  c.Write({Upsert("a", {"plan"})});
  EXPECT_STATUS(c.Search(c.admin_, Query("")), absl::StatusCode::kInvalidArgument, "query: empty");
  EXPECT_STATUS(c.Search(c.admin_, Query("the, of; and!")), absl::StatusCode::kInvalidArgument,
                "query: has no searchable terms");
  EXPECT_STATUS(c.Search(c.admin_, Query(std::string(1025, 'a'))),
                absl::StatusCode::kInvalidArgument, "query: longer than 1024 bytes");
  std::string many;
  for (int i = 0; i < 33; ++i) many += "w" + std::to_string(i) + " ";
  EXPECT_STATUS(c.Search(c.admin_, Query(many)), absl::StatusCode::kInvalidArgument,
                "query: more than 32 terms");
  EXPECT_STATUS(c.Search(c.admin_, Query("plan", -1)), absl::StatusCode::kInvalidArgument,
                "page_size: must not be negative, got -1");
  SearchRequest labelled = Query("plan");
  labelled.labels.assign(64, "Doc");
  EXPECT_OK(c.Search(c.admin_, labelled).status());
  labelled.labels.push_back("Doc");
  EXPECT_STATUS(c.Search(c.admin_, labelled), absl::StatusCode::kInvalidArgument,
                "labels: at most 64 labels, got 65");
  SearchRequest future = Query("plan");
  future.as_of = 99;
  EXPECT_STATUS(c.Search(c.admin_, future), absl::StatusCode::kInvalidArgument,
                "as_of_version: 99 is ahead of the latest version 1");
}

// --- Against a reference model ---

// Scores every visible node the simple way: no index, no pruning.
class ReferenceModel {
 public:
  using Snapshot = std::map<std::string, Doc>;  // live nodes by id

  // As of snapshots[at]; a node must be visible then and as it is in the
  // latest snapshot, or as it last was when deleted since.
  std::vector<std::pair<std::string, double>> Search(const TextIndex& text,
                                                     const BoundaryPolicy& policy,
                                                     const std::vector<Snapshot>& snapshots,
                                                     size_t at, const std::string& query) const {
    const Snapshot& then = snapshots[at];
    const auto last = [&](const std::string& id) -> const Doc* {
      for (size_t i = snapshots.size() - 1; i > at; --i) {
        if (auto it = snapshots[i].find(id); it != snapshots[i].end()) return &it->second;
      }
      return nullptr;
    };
    std::vector<std::string> terms;
    absl::flat_hash_set<std::string> seen;
    for (auto& t : text.tokenizer().Terms(query)) {
      if (seen.insert(t).second) terms.push_back(t);
    }
    std::map<std::string, NodeTerms> visible;
    for (const auto& [id, doc] : then) {
      if (!policy.CanSee(doc.boundary)) continue;
      if (const Doc* current = last(id); current && !policy.CanSee(current->boundary)) continue;
      NodeRecord node;
      node.props["text"] = Value{doc.text};
      visible[id] = text.Analyze(node);
    }
    double total = 0;
    for (const auto& [id, t] : visible) total += t.length;
    const double n = static_cast<double>(visible.size());
    const double avg = total / n;
    std::vector<double> idf;
    for (const auto& term : terms) {
      double df = 0;
      for (const auto& [id, t] : visible) df += t.tf.contains(term) ? 1 : 0;
      idf.push_back(df == 0 ? 0 : std::log(1 + (n - df + 0.5) / (df + 0.5)));
    }
    std::vector<std::pair<std::string, double>> hits;
    for (const auto& [id, t] : visible) {
      double score = 0;
      bool any = false;
      for (size_t i = 0; i < terms.size(); ++i) {
        auto it = t.tf.find(terms[i]);
        if (it == t.tf.end()) continue;
        any = true;
        const double norm = 1.2 * (1 - 0.75 + 0.75 * t.length / avg);
        score += idf[i] * it->second * (1.2 + 1) / (it->second + norm);
      }
      if (any) hits.emplace_back(id, score);
    }
    std::sort(hits.begin(), hits.end(), [](const auto& a, const auto& b) {
      return a.second != b.second ? a.second > b.second : a.first < b.first;
    });
    return hits;
  }
};

TEST(SearcherTest, MatchesAReferenceModelOnRandomCorporaCallersAndVersions) {
  const std::vector<std::string> words = {"alpha",  "beta", "gamma", "delta", "omega", "plan",
                                          "budget", "q3",   "risk",  "zeta",  "rare",  "unique"};
  const std::vector<std::vector<std::string>> boundaries = {
      {}, {}, {}, {"pii"}, {"team:a"}, {"team:b"}, {"pii", "team:a"}, {"personal:p1"}};
  const std::vector<Caller> callers = {MakeCaller("all", {"*"}),
                                       MakeCaller("none", {}),
                                       MakeCaller("pii", {"pii"}),
                                       MakeCaller("teams", {"team:*"}),
                                       MakeCaller("mixed", {"team:a", "pii"}),
                                       MakeCaller("p1", {"personal:p1", "team:b"})};
  for (uint32_t seed = 1; seed <= 12; ++seed) {
    std::mt19937 rng(seed);
    auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
    // Zipf-like: low word indexes are much more frequent.
    auto word = [&] { return words[std::min(pick(words.size()), pick(words.size()))]; };
    auto random_doc = [&] {
      Doc d;
      const size_t len = 1 + pick(12);
      for (size_t i = 0; i < len; ++i) d.text += word() + " ";
      d.boundary = boundaries[pick(boundaries.size())];
      return d;
    };
    Corpus c;
    c.DefineLabels({"pii", "team:a", "team:b", "personal:p1"});
    ReferenceModel model;
    std::vector<ReferenceModel::Snapshot> snapshots(1);
    std::vector<uint64_t> versions = {0};
    // Version 1 creates 300 nodes (enough for several posting blocks); the
    // next ones update, relabel and delete some.
    for (int round = 0; round < 4; ++round) {
      ReferenceModel::Snapshot next = snapshots.back();
      std::vector<Mutation> batch;
      const int writes = round == 0 ? 300 : 40;
      for (int i = 0; i < writes; ++i) {
        const std::string id = "n" + std::to_string(round == 0 ? i : pick(300));
        if (round > 0 && pick(5) == 0) {
          if (!next.erase(id)) continue;
          batch.push_back(NodeDelete{id});
          continue;
        }
        Doc d = random_doc();
        next[id] = d;
        batch.push_back(Upsert(id, d));
      }
      // The store applies a batch's ops in order; the model kept the last.
      versions.push_back(c.Write(std::move(batch)));
      snapshots.push_back(std::move(next));
    }
    const size_t latest = snapshots.size() - 1;
    for (size_t at : {size_t{1}, size_t{2}, latest}) {
      for (const Caller& caller : callers) {
        for (int q = 0; q < 4; ++q) {
          std::string query = word();
          for (size_t extra = pick(3); extra > 0; --extra) query += " " + word();
          if (pick(4) == 0) query += " absentword";
          auto want = model.Search(c.text(), caller.policy, snapshots, at, query);
          if (want.size() > 40) want.resize(40);
          SearchRequest r = Query(query, static_cast<int>(1 + pick(12)));
          r.as_of = versions[at];
          // Through block summaries (one-term queries) and without.
          for (uint64_t min_docs : {kBlockSummaryMinDocs, uint64_t{0}}) {
            c.block_summary_min_docs = min_docs;
            auto got = c.SearchAll(caller, r, nullptr, want.size());
            if (got.size() > want.size()) got.resize(want.size());
            ASSERT_EQ(Ids(got), Ids(want))
                << "seed " << seed << " v" << at << " " << caller.principal.id << " \"" << query
                << "\" summary from " << min_docs << " docs";
            for (size_t i = 0; i < got.size(); ++i) {
              EXPECT_DOUBLE_EQ(got[i].second, want[i].second) << got[i].first;
            }
          }
        }
      }
    }
  }
}

// A common term spans many blocks; its one-term searches take them best
// bound first through the block summary. Every page must be the reference
// model's, for every caller, before and after later writes, as of then and
// now (an as-of read of changed postings goes without a summary).
TEST(SearcherTest, OneTermSearchesThroughBlockSummariesMatchTheReferenceModel) {
  const std::vector<std::vector<std::string>> boundaries = {{}, {}, {"pii"}, {"team:a"}};
  const std::vector<Caller> callers = {MakeCaller("all", {"*"}), MakeCaller("none", {}),
                                       MakeCaller("teams", {"team:*"})};
  std::mt19937 rng(7);
  auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
  // "common" up to max_tf times among 1-20 filler words: many (tf, length)
  // pairs. The later writes bring higher tfs into blocks whose bounds were
  // low, which a stale summary would skip.
  auto random_doc = [&](size_t max_tf) {
    Doc d;
    const size_t len = 1 + pick(20), tf = pick(max_tf + 1);
    for (size_t i = 0; i < len; ++i) d.text += (i < tf ? "common " : "filler ");
    d.boundary = boundaries[pick(boundaries.size())];
    return d;
  };
  Corpus c;
  c.DefineLabels({"pii", "team:a"});
  ReferenceModel model;
  std::vector<ReferenceModel::Snapshot> snapshots(1);
  std::vector<uint64_t> versions = {0};
  for (int round = 0; round < 2; ++round) {
    ReferenceModel::Snapshot next = snapshots.back();
    std::vector<Mutation> batch;
    for (int i = 0; i < (round == 0 ? 3000 : 300); ++i) {
      const std::string id = "n" + std::to_string(round == 0 ? i : pick(3000));
      Doc d = random_doc(round == 0 ? 2 : 6);
      next[id] = d;
      batch.push_back(Upsert(id, d));
    }
    versions.push_back(c.Write(std::move(batch)));
    snapshots.push_back(std::move(next));
  }
  for (size_t at : {size_t{1}, size_t{2}}) {
    for (const Caller& caller : callers) {
      auto want = model.Search(c.text(), caller.policy, snapshots, at, "common");
      if (want.size() > 60) want.resize(60);
      for (int page_size : {1, 7, 25}) {
        SearchRequest r = Query("common", page_size);
        r.as_of = versions[at];
        for (uint64_t min_docs : {kBlockSummaryMinDocs, uint64_t{0}}) {
          c.block_summary_min_docs = min_docs;
          auto got = c.SearchAll(caller, r, nullptr, want.size());
          if (got.size() > want.size()) got.resize(want.size());
          ASSERT_EQ(Ids(got), Ids(want)) << "v" << at << " " << caller.principal.id << " pages of "
                                         << page_size << ", summary from " << min_docs;
          for (size_t i = 0; i < got.size(); ++i) {
            EXPECT_DOUBLE_EQ(got[i].second, want[i].second) << got[i].first;
          }
        }
      }
    }
  }
  EXPECT_GT(c.text().block_summary_bytes(), 0u);  // the summary path ran
  auto blocks = c.text().BlockSummary("common", versions.back());
  ASSERT_OK(blocks.status());
  EXPECT_GE((*blocks)->blocks.size(), 15u);
}

// A caller who may not see every boundary set bounds a common term's blocks
// by the postings it may see once it has read them (the summary refined
// for its view): here every block holds hidden postings that outscore all
// the visible ones, which only the first search has to read past. The
// refinement is its view's alone, and a write that changes postings ends it.
TEST(SearcherTest, ARefinedBlockSummaryReadsOnlyTheBlocksOfTheCallersTopHits) {
  Corpus c;
  c.DefineLabels({"pii", "team:a"});
  // Every tenth node is pii with the best (tf, length), two better still;
  // every tenth from the fifth on is team:a; the others are unlabelled
  // with one "common".
  // Twelve unlabelled stars, in three blocks, beat every other visible node.
  const std::set<int> stars = {1, 2, 3, 4, 1301, 1302, 1303, 1304, 2901, 2902, 2903, 2904};
  std::vector<Mutation> batch;
  for (int i = 0; i < 3000; ++i) {
    Doc d;
    if (i == 700 || i == 710) {
      d = {"common common common common common", {"pii"}};  // the pii reader's best
    } else if (i % 10 == 0) {
      d = {"common common common common", {"pii"}};
    } else if (stars.contains(i)) {
      d = {"common common common"};
    } else {
      d.text = "common";
      for (int f = 0; f < 1 + i % 7; ++f) d.text += " filler";
      if (i % 10 == 5) d.boundary = {"team:a"};
    }
    batch.push_back(Upsert(absl::StrCat("n", 10000 + i), d));
  }
  c.Write(std::move(batch));
  c.block_summary_min_docs = 0;
  const Caller agent = MakeCaller("agent", {"team:a"});
  const Caller pii = MakeCaller("pii-reader", {"pii"});
  ASSERT_OK_AND_ASSIGN(std::shared_ptr<const TermBlocks> summary,
                       c.text().BlockSummary("common", c.store().database()->LatestVersion()));
  const size_t blocks = summary->blocks.size();
  ASSERT_GE(blocks, 20u);  // 3,000 postings, about 128 a block

  // Hits (id, score) and the posting blocks the search decoded.
  auto search = [&](const Caller& caller, uint64_t min_docs) {
    c.block_summary_min_docs = min_docs;
    ReadStats stats;
    ReadStatsScope scope(&stats);
    auto hits = c.SearchAll(caller, Query("common", 10), nullptr, 10);
    return std::pair{hits, stats.posting_blocks};
  };
  const uint64_t kScan = ~uint64_t{0};  // no summary
  const auto [want, scanned] = search(agent, kScan);
  std::vector<std::string> want_ids;
  for (int i : stars) want_ids.push_back(absl::StrCat("n", 10000 + i));
  want_ids.resize(10);
  EXPECT_EQ(Ids(want), want_ids);
  EXPECT_EQ(scanned, blocks);  // every block's bound is a pii node's

  const auto [first, first_blocks] = search(agent, 0);
  EXPECT_EQ(first, want);
  EXPECT_EQ(first_blocks, blocks);
  for (int i = 0; i < 2; ++i) {
    const auto [again, again_blocks] = search(agent, 0);
    EXPECT_EQ(again, want);
    EXPECT_EQ(again_blocks, 3u);  // the stars' blocks
  }

  // Another view sees the pii nodes the agent's refinement left out.
  const auto [pii_want, pii_scanned] = search(pii, kScan);
  ASSERT_EQ(pii_want.size(), 10u);
  EXPECT_EQ(pii_want[0].first, "n10700");
  EXPECT_EQ(pii_want[1].first, "n10710");
  for (int i = 0; i < 2; ++i) EXPECT_EQ(search(pii, 0).first, pii_want);

  // A pii node in a block without stars loses its label: the agent's
  // refined bound of that block no longer holds, and must not be used.
  c.Write({Upsert("n10500", {"common common common common"})});
  const auto [after, after_scanned] = search(agent, kScan);
  ASSERT_FALSE(after.empty());
  EXPECT_EQ(after[0].first, "n10500");
  // The other blocks' refinements still hold: that block, and the stars'.
  for (int i = 0; i < 2; ++i) {
    const auto [again, again_blocks] = search(agent, 0);
    EXPECT_EQ(again, after);
    EXPECT_EQ(again_blocks, 4u);
  }
}

// Searches through summaries, now and as of recent versions, while commits
// change the term's postings (and patch its summaries): each answer must be
// what the postings give at the version it read. The writes change tfs, add
// nodes and take labels off existing ones (never put one on), so an as-of
// scan of that version, run afterwards, answers what a search then would
// have.
TEST(SearcherTest, SummarySearchesRacingCommitsAnswerAsThePostingsOfTheirVersion) {
  Corpus c;
  c.DefineLabels({"pii"});
  auto doc = [](int tf, bool pii) {
    Doc d;
    for (int f = 0; f < tf; ++f) d.text += "common ";
    d.text += "filler";
    if (pii) d.boundary = {"pii"};
    return d;
  };
  std::vector<Mutation> batch;
  for (int i = 0; i < 3000; ++i) {
    batch.push_back(Upsert(absl::StrCat("n", 10000 + i), doc(1 + i % 3, i % 4 == 0)));
  }
  c.Write(std::move(batch));
  const std::vector<Caller> callers = {MakeCaller("admin", {"*"}), MakeCaller("agent", {})};

  struct Answer {
    size_t caller;
    uint64_t version;
    std::vector<std::pair<std::string, double>> hits;
  };
  std::mutex mu;
  std::vector<Answer> answers;
  std::atomic<bool> done{false};
  std::thread writer([&] {
    std::mt19937 rng(11);
    for (int round = 0; round < 60; ++round) {
      std::vector<Mutation> w;
      for (int j = 0; j < 3; ++j) {
        w.push_back(Upsert(absl::StrCat("n", 10000 + rng() % 3000), doc(1 + rng() % 12, false)));
      }
      for (int j = 0; j < 5; ++j) {  // new nodes: the last block grows and splits
        w.push_back(Upsert(absl::StrCat("x", round, "-", j), doc(1 + rng() % 12, rng() % 2)));
      }
      c.Write(std::move(w));
    }
    done = true;
  });
  auto reader = [&](size_t first) {
    for (size_t n = first; !done; ++n) {
      Searcher searcher(c.store(), c.tokens(), callers[n % 2]);
      searcher.set_block_summary_min_docs(0);
      // Now, or as of one of the last few versions.
      SearchRequest r = Query("common", 10);
      const uint64_t latest = c.store().database()->LatestVersion();
      r.as_of = latest - std::min<uint64_t>(latest - 1, n / 2 % 4);
      auto page = searcher.Search(r);
      ASSERT_OK(page.status());
      Answer a{n % 2, page->version, {}};
      for (const SearchHit& h : page->hits) a.hits.emplace_back(h.node->id, h.score);
      std::lock_guard lock(mu);
      answers.push_back(std::move(a));
    }
  };
  std::thread r1(reader, 0), r2(reader, 1);
  writer.join();
  r1.join();
  r2.join();

  std::set<uint64_t> versions;
  for (const Answer& a : answers) {
    Searcher scan(c.store(), c.tokens(), callers[a.caller]);
    scan.set_block_summary_min_docs(~uint64_t{0});
    SearchRequest r = Query("common", 10);
    r.as_of = a.version;
    ASSERT_OK_AND_ASSIGN(SearchPage want, scan.Search(r));
    std::vector<std::pair<std::string, double>> hits;
    for (const SearchHit& h : want.hits) hits.emplace_back(h.node->id, h.score);
    ASSERT_EQ(a.hits, hits) << callers[a.caller].principal.id << " at v" << a.version;
    versions.insert(a.version);
  }
  EXPECT_GE(versions.size(), 10u);  // the searches met many commits
}

}  // namespace
}  // namespace ctxgraph
