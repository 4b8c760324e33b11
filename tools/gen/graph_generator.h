// ctxgraph-gen's entry point: writes a deterministic, realistic enterprise
// context graph and its benchmark query set into a directory.
//
// Output (see record_writers.h and query_set.h for the formats):
//   DIR/graph.jsonl                         (format jsonl or both)
//   DIR/nodes.csv, DIR/relationships.csv,
//   DIR/labels.jsonl                        (format csv or both)
//   DIR/queries.json                        (always)
// Boundary label definitions come first (every label a node may carry, see
// NodeSynthesizer::BoundaryLabels), then node lines, grouped by type (people, documents, threads,
// decisions, conversations, messages), then edge lines in the order of their
// source nodes. The same (nodes, seed, edges_per_node) produce byte-identical
// files on every platform; the JSONL and the CSV describe the same graph.
//
// Memory is O(nodes) for the skeleton (about 10 bytes per node) and O(1) for
// text: records are streamed, never collected.
#ifndef CTXGRAPH_TOOLS_GEN_GRAPH_GENERATOR_H_
#define CTXGRAPH_TOOLS_GEN_GRAPH_GENERATOR_H_

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tools/gen/graph_layout.h"

namespace ctxgraph::gen {

struct GeneratorOptions {
  uint64_t nodes = 0;  // GraphLayout::kMinNodes..kMaxNodes
  uint64_t seed = 0;
  double edges_per_node = 2.4;  // 1.0..20.0; read once, to 1/1000
  bool write_jsonl = true;
  bool write_csv = false;
  std::filesystem::path out_dir;  // created if missing
};

struct GeneratorSummary {
  uint64_t nodes = 0;
  uint64_t edges = 0;
  uint64_t labels = 0;  // boundary label definitions
  uint64_t bytes = 0;   // all graph files plus queries.json
  std::array<uint64_t, kNodeTypeCount> nodes_by_type{};
  // Notes about targets a small graph could not meet (see query_set.h).
  std::vector<std::string> warnings;
};

// INVALID_ARGUMENT naming the flag, e.g.
//   "--nodes: must be between 100 and 100000000, got 5"
//   "--edges-per-node: must be between 1.0 and 20.0, got 0.5"
//   "--format: at least one of jsonl and csv must be written"
//   "--out: must not be empty"
absl::Status ValidateOptions(const GeneratorOptions& options);

// Writes the graph. Errors: the ValidateOptions errors; UNAVAILABLE naming
// the path when the directory or a file cannot be created or written (files
// already written are left in place).
absl::StatusOr<GeneratorSummary> GenerateGraph(const GeneratorOptions& options);

}  // namespace ctxgraph::gen

#endif  // CTXGRAPH_TOOLS_GEN_GRAPH_GENERATOR_H_
