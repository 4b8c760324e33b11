#include "tools/gen/query_set.h"

#include <algorithm>
#include <array>
#include <set>

#include "tools/gen/prng.h"

namespace ctxgraph::gen {
namespace {

using Json = nlohmann::ordered_json;

// Seed ids per type, in NodeType order (200 in all).
constexpr std::array<uint64_t, kNodeTypeCount> kSeedIdQuota = {20, 50, 20, 30, 25, 55};
constexpr size_t kLineageStarts = 50;
constexpr size_t kTermsPerBucket = 10;
constexpr uint64_t kRareMaxCount = 5;

std::string NodeId(NodeType type, uint64_t index) {
  std::string id;
  AppendNodeId(type, index, &id);
  return id;
}

// `k` of `items`, evenly spread (all of them if there are fewer).
template <typename T>
std::vector<T> Spread(const std::vector<T>& items, size_t k) {
  if (items.size() <= k) return items;
  std::vector<T> picked;
  for (size_t j = 0; j < k; ++j) picked.push_back(items[j * items.size() / k]);
  return picked;
}

Json SeedIds(const GraphLayout& layout, std::vector<std::string>* warnings) {
  Xoshiro256 rng(KeyedHash(layout.seed(), kDomainQueries));
  Json ids = Json::array();
  for (NodeType type : kAllNodeTypes) {
    const uint64_t count = layout.count(type);
    const uint64_t k = std::min(kSeedIdQuota[static_cast<int>(type)], count);
    if (k < kSeedIdQuota[static_cast<int>(type)]) {
      warnings->push_back("seed_ids: only " + std::to_string(k) + " " +
                          std::string(TypeLabel(type)) + " nodes exist");
    }
    const uint64_t stride = count / k;
    for (uint64_t i = 0; i < k; ++i) ids.push_back(NodeId(type, i * stride + rng.Uniform(stride)));
  }
  return ids;
}

struct LineageNode {
  NodeType type;
  uint64_t index;
  uint32_t depth;
};

Json LineageStarts(const GraphLayout& layout, const EdgeSynthesizer& lineage,
                   std::vector<std::string>* warnings) {
  const uint64_t decisions = layout.count(NodeType::kDecision);
  const uint64_t documents = layout.count(NodeType::kDocument);
  auto depth_of = [&](NodeType type, uint64_t i) -> uint32_t {
    return type == NodeType::kDecision ? lineage.DecisionDepth(i) : lineage.DocumentDepth(i);
  };
  // Nodes of exactly `depth` (or >= kLineageMinDepth when depth is 0).
  auto collect = [&](NodeType type, uint64_t count, uint32_t depth) {
    std::vector<LineageNode> out;
    for (uint64_t i = 0; i < count; ++i) {
      const uint32_t d = depth_of(type, i);
      if (depth == 0 ? d >= kLineageMinDepth : d == depth) out.push_back({type, i, d});
    }
    return out;
  };

  std::vector<LineageNode> deep_decisions = collect(NodeType::kDecision, decisions, 0);
  std::vector<LineageNode> deep_documents = collect(NodeType::kDocument, documents, 0);
  // Half decisions, half documents, each evenly spread; one side's shortfall
  // is taken from the other.
  const size_t want_decisions = std::max(
      kLineageStarts / 2, kLineageStarts - std::min(kLineageStarts / 2, deep_documents.size()));
  std::vector<LineageNode> picked = Spread(deep_decisions, want_decisions);
  std::vector<LineageNode> docs = Spread(deep_documents, kLineageStarts - picked.size());
  picked.insert(picked.end(), docs.begin(), docs.end());
  if (picked.size() < kLineageStarts) {
    warnings->push_back("lineage_starts: only " + std::to_string(picked.size()) +
                        " nodes have depth >= " + std::to_string(kLineageMinDepth) +
                        "; filled with the deepest others");
    for (uint32_t depth = kLineageMinDepth - 1; depth >= 1 && picked.size() < kLineageStarts;
         --depth) {
      for (NodeType type : {NodeType::kDecision, NodeType::kDocument}) {
        for (const LineageNode& node :
             collect(type, type == NodeType::kDecision ? decisions : documents, depth)) {
          if (picked.size() == kLineageStarts) break;
          picked.push_back(node);
        }
      }
    }
  }
  Json starts = Json::array();
  for (const LineageNode& node : picked) {
    starts.push_back({{"id", NodeId(node.type, node.index)}, {"depth", node.depth}});
  }
  return starts;
}

void SearchTerms(const Vocabulary& vocabulary, const std::vector<uint64_t>& counts, Json* out,
                 std::vector<std::string>* warnings) {
  std::vector<uint32_t> ranked;
  for (uint32_t id = 0; id < vocabulary.size(); ++id) {
    if (counts[id] > 0 && vocabulary.IsAscii(id)) ranked.push_back(id);
  }
  std::sort(ranked.begin(), ranked.end(), [&](uint32_t a, uint32_t b) {
    return counts[a] != counts[b] ? counts[a] > counts[b] : a < b;
  });

  std::set<uint32_t> chosen;
  auto take = [&](const std::vector<uint32_t>& ids) {
    Json words = Json::array();
    for (uint32_t id : ids) {
      chosen.insert(id);
      words.push_back(vocabulary.Word(id));
    }
    return words;
  };

  const std::vector<uint32_t> common(ranked.begin(),
                                     ranked.begin() + std::min(kTermsPerBucket, ranked.size()));

  std::vector<uint32_t> medium;
  if (!ranked.empty()) {
    uint64_t target = 1;
    while ((target + 1) * (target + 1) <= counts[ranked.front()]) ++target;  // isqrt
    size_t p = kTermsPerBucket;
    while (p < ranked.size() && counts[ranked[p]] > target) ++p;
    if (p + kTermsPerBucket > ranked.size()) {
      p = std::max(kTermsPerBucket, ranked.size() - std::min(ranked.size(), kTermsPerBucket));
    }
    for (size_t i = p; i < std::min(ranked.size(), p + kTermsPerBucket); ++i) {
      medium.push_back(ranked[i]);
    }
  }

  std::vector<uint32_t> rare_candidates;
  for (uint32_t id = 0; id < vocabulary.size(); ++id) {
    if (counts[id] >= 1 && counts[id] <= kRareMaxCount && vocabulary.IsAscii(id) &&
        std::find(medium.begin(), medium.end(), id) == medium.end()) {
      rare_candidates.push_back(id);
    }
  }
  const std::vector<uint32_t> rare = Spread(rare_candidates, kTermsPerBucket);
  if (rare.size() < kTermsPerBucket) {
    warnings->push_back("search_terms.rare: only " + std::to_string(rare.size()) +
                        " words occur 1.." + std::to_string(kRareMaxCount) + " times");
  }

  Json terms = Json::object();
  terms["common"] = take(common);
  terms["medium"] = take(medium);
  terms["rare"] = take(rare);
  (*out)["search_terms"] = std::move(terms);

  Json term_counts = Json::object();
  for (const std::vector<uint32_t>& bucket : {common, medium, rare}) {
    for (uint32_t id : bucket) term_counts[vocabulary.Word(id)] = counts[id];
  }
  (*out)["search_term_counts"] = std::move(term_counts);
}

Json Principals() {
  Json principals = Json::array();
  principals.push_back({{"id", "agent-3teams"},
                        {"roles", Json::array({"agent"})},
                        {"clearances", Json::array({"team:t00", "team:t01", "team:t02"})}});
  principals.push_back(
      {{"id", "agent-all"}, {"roles", Json::array({"agent"})}, {"clearances", Json::array({"*"})}});
  principals.push_back(
      {{"id", "auditor"}, {"roles", Json::array({"auditor"})}, {"clearances", Json::array({"*"})}});
  principals.push_back(
      {{"id", "loader"}, {"roles", Json::array({"loader"})}, {"clearances", Json::array({"*"})}});
  return principals;
}

}  // namespace

Json BuildQuerySet(const GraphLayout& layout, const EdgeSynthesizer& lineage,
                   const Vocabulary& vocabulary, const std::vector<uint64_t>& word_counts,
                   uint64_t edges, std::vector<std::string>* warnings) {
  Json out = Json::object();
  out["seed"] = layout.seed();
  out["nodes"] = layout.total();
  out["edges"] = edges;
  out["seed_ids"] = SeedIds(layout, warnings);
  out["lineage_starts"] = LineageStarts(layout, lineage, warnings);
  SearchTerms(vocabulary, word_counts, &out, warnings);
  out["principals"] = Principals();
  return out;
}

}  // namespace ctxgraph::gen
