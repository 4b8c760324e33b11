// Test support: strict readers for ctxgraph-gen's JSONL and CSV output,
// producing one normalised form so that the two formats can be compared.
//
// Prop values are normalised to "<type>:<text>": s (string), t (timestamp,
// an RFC 3339 "YYYY-MM-DDTHH:MM:SSZ" string in JSONL or a datetime column in
// CSV), i (int64), d (double, printed shortest round-trip), b (bool),
// l (list of strings, joined with ';').
#ifndef CTXGRAPH_TESTS_TOOLS_GENERATED_GRAPH_H_
#define CTXGRAPH_TESTS_TOOLS_GENERATED_GRAPH_H_

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace ctxgraph::gen_test {

struct ParsedNode {
  std::string id;
  std::string label;
  std::vector<std::string> boundary;
  std::map<std::string, std::string> props;
  std::string system;
  std::string uri;
  std::string authority;

  bool operator==(const ParsedNode&) const = default;
};

struct ParsedEdge {
  std::string from;
  std::string label;
  std::string to;
  std::string weight;  // "" when the edge has no props, else "d:<value>"

  auto operator<=>(const ParsedEdge&) const = default;
};

struct ParsedLabel {
  std::string name;
  std::string description;
  bool propagate = false;

  bool operator==(const ParsedLabel&) const = default;
};

struct ParsedGraph {
  std::vector<ParsedLabel> labels;  // boundary label definitions, file order
  std::vector<ParsedNode> nodes;    // file order
  std::vector<ParsedEdge> edges;    // file order
};

// Reads DIR/graph.jsonl. Fails (INVALID_ARGUMENT "line N: reason") on a line
// that is not a JSON object with exactly the canonical keys
//   boundary: type, name, description, propagate (before any node or edge)
//   node: type, id, labels, boundary, props, source{system, uri, authority}
//   edge: type, from, to, label, props
// with a single type label, boundary labels matching [A-Za-z0-9_.:-]+, props
// that are scalars or lists of strings, an edge props that is {} or
// {"weight": double}, or a node line after an edge line.
absl::StatusOr<ParsedGraph> ReadJsonl(const std::filesystem::path& path);

// Reads DIR/nodes.csv and DIR/relationships.csv (RFC 4180), checking their
// headers, and the label definitions of DIR/labels.jsonl (boundary lines
// only). Fails (INVALID_ARGUMENT "<file> record N: reason") on a malformed
// record.
absl::StatusOr<ParsedGraph> ReadCsv(const std::filesystem::path& dir);

// Splits RFC 4180 text into records of fields.
absl::StatusOr<std::vector<std::vector<std::string>>> ParseCsv(const std::string& text);

std::string ReadFileOrDie(const std::filesystem::path& path);

}  // namespace ctxgraph::gen_test

#endif  // CTXGRAPH_TESTS_TOOLS_GENERATED_GRAPH_H_
