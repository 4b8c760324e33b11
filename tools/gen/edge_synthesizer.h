// Builds the out-edges of each generated node and tracks DERIVED_FROM depth.
//
// Edges, by source type (targets are always older than the source, so
// DERIVED_FROM, REPLY_TO and document->document REFERENCES are acyclic):
//   Message   PART_OF -> its conversation (always)
//             REPLY_TO -> an earlier message of the same conversation (60% of
//               non-first messages; the previous one 70% of the time)
//             MENTIONS -> people (mostly conversation participants)   *
//             REFERENCES -> documents older than the message          *
//   Document  DERIVED_FROM -> earlier documents (revision chains)     *
//             REFERENCES -> earlier documents                         *
//             MENTIONS -> people (mostly of the document's team)      *
//   Decision  PART_OF -> its thread (always)
//             DERIVED_FROM -> its thread (50%)
//             DERIVED_FROM -> documents older than the decision       *
// People, conversations and threads have no out-edges. The fan-outs marked *
// are scaled by `fanout_milli` / 1000 (1000 gives ~2.4 edges per node); the
// others are structural. No edge repeats (from, label, to). MENTIONS and
// REFERENCES carry a weight; the other edges have no props.
//
// Depth: a node with no DERIVED_FROM edge has depth 0, otherwise 1 + the
// largest depth of its DERIVED_FROM targets. Documents never derive from a
// document of depth >= kMaxDocumentDepth, so chains stay within ~20 hops.
//
// Make() must be called for every document in index order before any
// decision (the file order of NodeType guarantees it), since a document's
// edges depend on the depths of earlier documents. Deterministic for a given
// layout and fan-out. Not thread-safe.
#ifndef CTXGRAPH_TOOLS_GEN_EDGE_SYNTHESIZER_H_
#define CTXGRAPH_TOOLS_GEN_EDGE_SYNTHESIZER_H_

#include <cstdint>
#include <vector>

#include "tools/gen/graph_layout.h"
#include "tools/gen/graph_records.h"
#include "tools/gen/prng.h"

namespace ctxgraph::gen {

// The out-edges of one node. Records are reused across nodes to avoid
// reallocating their strings; only the first size() are valid.
class EdgeList {
 public:
  size_t size() const { return size_; }
  const EdgeRecord& operator[](size_t i) const { return edges_[i]; }
  void Clear() { size_ = 0; }
  // Returns a new record with empty from/to and no weight.
  EdgeRecord& Add();

 private:
  std::vector<EdgeRecord> edges_;
  size_t size_ = 0;
};

class EdgeSynthesizer {
 public:
  static constexpr uint8_t kMaxDocumentDepth = 20;
  // Expected edges per node from the structural edges alone, and from the
  // scaled fan-outs at fanout_milli = 1000 (measured, per mille).
  static constexpr uint64_t kStructuralEdgesMilli = 838;
  static constexpr uint64_t kFanoutEdgesMilli = 1473;

  // `layout` must outlive the synthesizer.
  EdgeSynthesizer(const GraphLayout& layout, uint64_t fanout_milli);

  // The fan-out scale giving about `edges_per_node_milli` / 1000 edges per
  // node (0 when that is below the structural edges alone).
  static uint64_t FanoutForEdgesPerNode(uint64_t edges_per_node_milli);

  // Fills `edges` with the out-edges of node `index` of `type`.
  void Make(NodeType type, uint64_t index, EdgeList* edges);

  // DERIVED_FROM depth of a document or decision already passed to Make.
  uint8_t DocumentDepth(uint64_t doc) const { return document_depth_[doc]; }
  uint8_t DecisionDepth(uint64_t decision) const { return decision_depth_[decision]; }

 private:
  void MakeDocumentEdges(uint64_t doc, Xoshiro256& rng, EdgeList* edges);
  void MakeDecisionEdges(uint64_t decision, Xoshiro256& rng, EdgeList* edges);
  void MakeMessageEdges(uint64_t message, Xoshiro256& rng, EdgeList* edges);
  // A document older than `bound` (> 0): recent ones within `window` half of
  // the time, otherwise any.
  static uint64_t PickOlderDocument(Xoshiro256& rng, uint64_t bound, uint64_t window);
  uint32_t Fanout(Xoshiro256& rng, uint64_t base_mean_milli) const;

  const GraphLayout& layout_;
  uint64_t fanout_milli_;
  std::vector<uint8_t> document_depth_;
  std::vector<uint8_t> decision_depth_;
  std::vector<uint64_t> targets_;  // scratch: targets already used for one label
};

}  // namespace ctxgraph::gen

#endif  // CTXGRAPH_TOOLS_GEN_EDGE_SYNTHESIZER_H_
