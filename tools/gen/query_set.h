// The benchmark query set written next to a generated graph (queries.json).
//
//   {"seed":S,"nodes":N,"edges":E,
//    "seed_ids":[200 ids spread over all six types],
//    "lineage_starts":[{"id":"dec-..","depth":12}, ... 50 nodes of DERIVED_FROM
//                      depth >= 8, half decisions then half documents, each
//                      evenly spread over the id range],
//    "search_terms":{"common":[10],"medium":[10],"rare":[10]},
//    "search_term_counts":{"word":occurrences, ...},
//    "principals":[agent-3teams, agent-all, auditor, loader]}
//
// Search terms are ASCII vocabulary words counted over every title and text:
// "common" are the 10 most frequent; "medium" the 10 ranked just below a
// count of sqrt(top count); "rare" 10 words occurring 1..5 times, spread over
// the candidates. Ties break by word id, so the set is deterministic.
//
// When the graph is too small to meet a target (fewer than 50 nodes of depth
// >= 8, fewer than 10 rare words, fewer people than wanted seed ids), the set
// holds what exists, and a human-readable note is appended to `warnings`.
#ifndef CTXGRAPH_TOOLS_GEN_QUERY_SET_H_
#define CTXGRAPH_TOOLS_GEN_QUERY_SET_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tools/gen/edge_synthesizer.h"
#include "tools/gen/graph_layout.h"
#include "tools/gen/vocabulary.h"

namespace ctxgraph::gen {

inline constexpr uint32_t kLineageMinDepth = 8;

// `lineage` must have seen every node (depths are final); `word_counts` has
// vocabulary.size() entries.
nlohmann::ordered_json BuildQuerySet(const GraphLayout& layout, const EdgeSynthesizer& lineage,
                                     const Vocabulary& vocabulary,
                                     const std::vector<uint64_t>& word_counts, uint64_t edges,
                                     std::vector<std::string>* warnings);

}  // namespace ctxgraph::gen

#endif  // CTXGRAPH_TOOLS_GEN_QUERY_SET_H_
