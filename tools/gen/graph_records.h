// One generated node, edge or label definition, as handed from the
// synthesizers to the writers.
//
// Props are a fixed, typed set so that the JSONL and the CSV writers (whose
// nodes.csv header is fixed) describe exactly the same graph. A prop that is
// not set is absent in both formats; a list prop is never empty (an empty
// CSV array cannot be told apart from an absent one), and neither is a string.
#ifndef CTXGRAPH_TOOLS_GEN_GRAPH_RECORDS_H_
#define CTXGRAPH_TOOLS_GEN_GRAPH_RECORDS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tools/gen/graph_layout.h"

namespace ctxgraph::gen {

struct NodeRecord {
  NodeType type = NodeType::kPerson;  // gives the single type label
  std::string id;
  std::vector<std::string> boundary;  // empty: no boundary

  // Props. created_at is always present.
  std::optional<std::string> title;
  std::optional<std::string> text;
  int64_t created_at = 0;                  // Unix seconds, written as RFC 3339
  std::optional<int64_t> page_count;       // int
  std::optional<uint32_t> confidence_pct;  // double confidence_pct / 100, 0..99
  std::optional<bool> draft;               // bool
  std::vector<std::string_view> tags;      // string list; empty: absent

  std::string_view source_system;  // "wiki", "drive", "slack", ...
  std::string source_uri;
  std::string_view source_authority;  // "imported" | "asserted" | "inferred"

  // Resets to the empty record, keeping allocated capacity.
  void Clear() {
    id.clear();
    boundary.clear();
    title.reset();
    text.reset();
    created_at = 0;
    page_count.reset();
    confidence_pct.reset();
    draft.reset();
    tags.clear();
    source_system = {};
    source_uri.clear();
    source_authority = {};
  }
};

// A boundary label definition: every label a node may carry is defined
// before the first node, as ctxgraph requires.
struct LabelRecord {
  std::string name;
  std::string description;
  bool propagate = false;
};

struct EdgeRecord {
  std::string from;
  std::string to;
  std::string_view label;                // PART_OF, REPLY_TO, MENTIONS, REFERENCES, DERIVED_FROM
  std::optional<uint32_t> weight_milli;  // double weight_milli / 1000, 1..999
};

}  // namespace ctxgraph::gen

#endif  // CTXGRAPH_TOOLS_GEN_GRAPH_RECORDS_H_
