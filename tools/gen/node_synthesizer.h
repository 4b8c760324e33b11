// Builds the record of one generated node: labels, boundary, props, source.
//
// A node's record is a pure function of (layout, vocabulary, type, index):
// its random draws come from its own stream keyed by (seed, type, index), and
// facts shared with other records (time, team, author) come from the layout.
// So nodes can be produced in any order, one at a time, and the same node is
// byte-identical in JSONL and CSV.
//
// What a node looks like, by type:
//   Person          title = "First Last", text = job title; no boundary; hr
//   Document        title 3-8 words, text 40-120 words, page_count, draft,
//                   tags; wiki (60%) or drive
//   Conversation    title 2-5 words, sometimes a tag; slack (75%) or email
//   Message         text 8-40 words; the conversation's system
//   DecisionThread  title, text 10-30 words, tags; decisions
//   Decision        title, text 20-60 words, confidence, draft, tags;
//                   decisions, authority asserted
// Non-person nodes: team:tNN (94%), pii (~5.3%), restricted (~1%), and for
// 10% of messages personal:<author id>; ~2% have authority inferred and then
// a confidence in 0.30..0.89. Text is lowercase vocabulary words in
// sentences ("w w, w w. w w w."); ~3% of document titles quote a phrase and
// ~0.5% end in a backslash path, to exercise escaping.
//
// Not thread-safe (reuses scratch space); use one instance per thread.
#ifndef CTXGRAPH_TOOLS_GEN_NODE_SYNTHESIZER_H_
#define CTXGRAPH_TOOLS_GEN_NODE_SYNTHESIZER_H_

#include <cstdint>
#include <vector>

#include "tools/gen/graph_layout.h"
#include "tools/gen/graph_records.h"
#include "tools/gen/prng.h"
#include "tools/gen/vocabulary.h"

namespace ctxgraph::gen {

// Mean number of vocabulary words in the title and text of one node of each
// type (NodeType order); used to size the vocabulary's tail.
uint64_t MeanWordsPerNode(NodeType type);

class NodeSynthesizer {
 public:
  // `layout` and `vocabulary` must outlive the synthesizer.
  NodeSynthesizer(const GraphLayout& layout, const Vocabulary& vocabulary);

  // Fills `node` with node `index` (< layout.count(type)) of `type`, and adds
  // one to (*word_counts)[w] for every vocabulary word w written into its
  // title or text. `word_counts` must have vocabulary.size() entries.
  void Make(NodeType type, uint64_t index, NodeRecord* node, std::vector<uint64_t>* word_counts);

  // Every boundary label a node of this layout may carry, in a fixed order:
  // team:t00..team:t19, pii, restricted, then personal:<person id> for every
  // person (a superset of the personal labels messages use: which authors
  // write personal messages is only known once the messages are made).
  std::vector<LabelRecord> BoundaryLabels() const;

 private:
  void AppendWords(Xoshiro256& rng, int64_t count, std::string* out,
                   std::vector<uint64_t>* word_counts) const;
  void AppendSentences(Xoshiro256& rng, int64_t count, std::string* out,
                       std::vector<uint64_t>* word_counts) const;
  void AddTags(Xoshiro256& rng, int64_t count, NodeRecord* node) const;
  void AddBoundary(Xoshiro256& rng, NodeType type, uint64_t index, NodeRecord* node) const;
  bool IsEmailConversation(uint64_t conv) const;

  const GraphLayout& layout_;
  const Vocabulary& vocabulary_;
};

}  // namespace ctxgraph::gen

#endif  // CTXGRAPH_TOOLS_GEN_NODE_SYNTHESIZER_H_
