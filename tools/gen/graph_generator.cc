#include "tools/gen/graph_generator.h"

#include <cmath>
#include <fstream>
#include <memory>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "tools/gen/edge_synthesizer.h"
#include "tools/gen/node_synthesizer.h"
#include "tools/gen/query_set.h"
#include "tools/gen/record_writers.h"
#include "tools/gen/vocabulary.h"

namespace ctxgraph::gen {
namespace {

// Per mille, so that all later arithmetic is integral and portable.
uint64_t EdgesPerNodeMilli(double edges_per_node) {
  return static_cast<uint64_t>(std::llround(edges_per_node * 1000));
}

// Sizes the vocabulary's tail so that each tail word occurs about twice.
uint32_t TailSize(const GraphLayout& layout) {
  uint64_t tokens = 0;
  for (NodeType type : kAllNodeTypes) tokens += layout.count(type) * MeanWordsPerNode(type);
  const uint64_t tail_tokens = tokens * Vocabulary::kTailPpm / 1000000;
  return static_cast<uint32_t>(std::max<uint64_t>(8, tail_tokens / 2));
}

absl::Status WriteQueries(const std::filesystem::path& path, const nlohmann::ordered_json& queries,
                          uint64_t* bytes) {
  const std::string text = queries.dump(2) + "\n";
  std::ofstream out(path, std::ios::binary);
  out << text;
  out.close();
  if (!out) return absl::UnavailableError(path.string() + ": write failed");
  *bytes += text.size();
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateOptions(const GeneratorOptions& options) {
  if (options.nodes < GraphLayout::kMinNodes || options.nodes > GraphLayout::kMaxNodes) {
    return absl::InvalidArgumentError(
        "--nodes: must be between " + std::to_string(GraphLayout::kMinNodes) + " and " +
        std::to_string(GraphLayout::kMaxNodes) + ", got " + std::to_string(options.nodes));
  }
  if (!(options.edges_per_node >= 1.0 && options.edges_per_node <= 20.0)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--edges-per-node: must be between 1.0 and 20.0, got ", options.edges_per_node));
  }
  if (!options.write_jsonl && !options.write_csv) {
    return absl::InvalidArgumentError("--format: at least one of jsonl and csv must be written");
  }
  if (options.out_dir.empty()) return absl::InvalidArgumentError("--out: must not be empty");
  return absl::OkStatus();
}

absl::StatusOr<GeneratorSummary> GenerateGraph(const GeneratorOptions& options) {
  if (absl::Status s = ValidateOptions(options); !s.ok()) return s;
  std::error_code error;
  std::filesystem::create_directories(options.out_dir, error);
  if (error) return absl::UnavailableError(options.out_dir.string() + ": " + error.message());

  std::vector<std::unique_ptr<GraphSink>> sinks;
  if (options.write_jsonl) {
    absl::StatusOr<std::unique_ptr<GraphSink>> sink = OpenJsonlSink(options.out_dir);
    if (!sink.ok()) return sink.status();
    sinks.push_back(*std::move(sink));
  }
  if (options.write_csv) {
    absl::StatusOr<std::unique_ptr<GraphSink>> sink = OpenCsvSink(options.out_dir);
    if (!sink.ok()) return sink.status();
    sinks.push_back(*std::move(sink));
  }

  const GraphLayout layout(options.nodes, options.seed);
  const Vocabulary vocabulary(TailSize(layout));
  GeneratorSummary summary;
  summary.nodes = layout.total();

  // The label definitions come first: a node may only carry defined labels.
  NodeSynthesizer node_synthesizer(layout, vocabulary);
  for (const LabelRecord& label : node_synthesizer.BoundaryLabels()) {
    ++summary.labels;
    for (auto& sink : sinks) sink->WriteLabel(label);
  }

  // Pass 1: nodes. Word counts feed the search terms.
  std::vector<uint64_t> word_counts(vocabulary.size(), 0);
  NodeRecord node;
  for (NodeType type : kAllNodeTypes) {
    summary.nodes_by_type[static_cast<int>(type)] = layout.count(type);
    for (uint64_t i = 0; i < layout.count(type); ++i) {
      node_synthesizer.Make(type, i, &node, &word_counts);
      for (auto& sink : sinks) sink->WriteNode(node);
    }
  }

  // Pass 2: edges, in source-node order (documents before decisions, which
  // the lineage depths require).
  EdgeSynthesizer edge_synthesizer(
      layout, EdgeSynthesizer::FanoutForEdgesPerNode(EdgesPerNodeMilli(options.edges_per_node)));
  EdgeList edges;
  for (NodeType type : kAllNodeTypes) {
    for (uint64_t i = 0; i < layout.count(type); ++i) {
      edge_synthesizer.Make(type, i, &edges);
      summary.edges += edges.size();
      for (auto& sink : sinks) {
        for (size_t e = 0; e < edges.size(); ++e) sink->WriteEdge(edges[e]);
      }
    }
  }

  for (auto& sink : sinks) {
    if (absl::Status s = sink->Close(); !s.ok()) return s;
    summary.bytes += sink->bytes();
  }

  const nlohmann::ordered_json queries = BuildQuerySet(
      layout, edge_synthesizer, vocabulary, word_counts, summary.edges, &summary.warnings);
  if (absl::Status s = WriteQueries(options.out_dir / "queries.json", queries, &summary.bytes);
      !s.ok()) {
    return s;
  }
  return summary;
}

}  // namespace ctxgraph::gen
