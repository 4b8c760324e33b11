#include "tools/gen/edge_synthesizer.h"

#include <algorithm>
#include <string_view>

namespace ctxgraph::gen {
namespace {

constexpr std::string_view kPartOf = "PART_OF";
constexpr std::string_view kReplyTo = "REPLY_TO";
constexpr std::string_view kMentions = "MENTIONS";
constexpr std::string_view kReferences = "REFERENCES";
constexpr std::string_view kDerivedFrom = "DERIVED_FROM";

// Mean fan-outs at scale 1000, per mille per source node.
constexpr uint64_t kDocumentDerivedMilli = 1000;
constexpr uint64_t kDocumentReferencesMilli = 1200;
constexpr uint64_t kDocumentMentionsMilli = 500;
constexpr uint64_t kDecisionDerivedMilli = 1500;
constexpr uint64_t kMessageMentionsMilli = 700;
constexpr uint64_t kMessageReferencesMilli = 600;

// Documents revise recent documents: most DERIVED_FROM targets are among the
// previous few dozen, which is what builds long chains.
constexpr uint64_t kRevisionWindow = 30;
constexpr uint64_t kRevisionRecentPercent = 60;
constexpr int kAttempts = 3;  // draws per wanted edge before giving up on it

bool Remember(std::vector<uint64_t>* seen, uint64_t target) {
  if (std::find(seen->begin(), seen->end(), target) != seen->end()) return false;
  seen->push_back(target);
  return true;
}

EdgeRecord& AddEdge(EdgeList* edges, NodeType from_type, uint64_t from, std::string_view label,
                    NodeType to_type, uint64_t to) {
  EdgeRecord& edge = edges->Add();
  AppendNodeId(from_type, from, &edge.from);
  AppendNodeId(to_type, to, &edge.to);
  edge.label = label;
  return edge;
}

void AddWeightedEdge(EdgeList* edges, NodeType from_type, uint64_t from, std::string_view label,
                     NodeType to_type, uint64_t to, Xoshiro256& rng) {
  AddEdge(edges, from_type, from, label, to_type, to).weight_milli =
      static_cast<uint32_t>(rng.Between(1, 999));
}

}  // namespace

EdgeRecord& EdgeList::Add() {
  if (size_ == edges_.size()) edges_.emplace_back();
  EdgeRecord& edge = edges_[size_++];
  edge.from.clear();
  edge.to.clear();
  edge.label = {};
  edge.weight_milli.reset();
  return edge;
}

EdgeSynthesizer::EdgeSynthesizer(const GraphLayout& layout, uint64_t fanout_milli)
    : layout_(layout),
      fanout_milli_(fanout_milli),
      document_depth_(layout.count(NodeType::kDocument), 0),
      decision_depth_(layout.count(NodeType::kDecision), 0) {}

uint64_t EdgeSynthesizer::FanoutForEdgesPerNode(uint64_t edges_per_node_milli) {
  if (edges_per_node_milli <= kStructuralEdgesMilli) return 0;
  return (edges_per_node_milli - kStructuralEdgesMilli) * 1000 / kFanoutEdgesMilli;
}

uint32_t EdgeSynthesizer::Fanout(Xoshiro256& rng, uint64_t base_mean_milli) const {
  return rng.CountWithMeanMilli(base_mean_milli * fanout_milli_ / 1000);
}

uint64_t EdgeSynthesizer::PickOlderDocument(Xoshiro256& rng, uint64_t bound, uint64_t window) {
  if (rng.ChancePercent(50)) return bound - 1 - rng.Uniform(std::min(bound, window));
  return rng.Uniform(bound);
}

void EdgeSynthesizer::Make(NodeType type, uint64_t index, EdgeList* edges) {
  edges->Clear();
  Xoshiro256 rng(KeyedHash(layout_.seed(), kDomainEdgeStream, static_cast<uint64_t>(type), index));
  switch (type) {
    case NodeType::kDocument:
      MakeDocumentEdges(index, rng, edges);
      break;
    case NodeType::kDecision:
      MakeDecisionEdges(index, rng, edges);
      break;
    case NodeType::kMessage:
      MakeMessageEdges(index, rng, edges);
      break;
    default:
      break;  // people, conversations and threads have no out-edges
  }
}

void EdgeSynthesizer::MakeDocumentEdges(uint64_t doc, Xoshiro256& rng, EdgeList* edges) {
  constexpr NodeType kDoc = NodeType::kDocument;
  uint8_t depth = 0;
  if (doc > 0) {
    targets_.clear();
    const uint32_t wanted = Fanout(rng, kDocumentDerivedMilli);
    for (uint32_t i = 0; i < wanted; ++i) {
      for (int attempt = 0; attempt < kAttempts; ++attempt) {
        const uint64_t parent = rng.ChancePercent(kRevisionRecentPercent)
                                    ? doc - 1 - rng.Uniform(std::min(doc, kRevisionWindow))
                                    : rng.Uniform(doc);
        if (document_depth_[parent] >= kMaxDocumentDepth || !Remember(&targets_, parent)) continue;
        AddEdge(edges, kDoc, doc, kDerivedFrom, kDoc, parent);
        depth = std::max<uint8_t>(depth, document_depth_[parent] + 1);
        break;
      }
    }

    targets_.clear();
    const uint32_t references = Fanout(rng, kDocumentReferencesMilli);
    for (uint32_t i = 0; i < references; ++i) {
      const uint64_t target = PickOlderDocument(rng, doc, 200);
      if (Remember(&targets_, target)) {
        AddWeightedEdge(edges, kDoc, doc, kReferences, kDoc, target, rng);
      }
    }
  }
  document_depth_[doc] = depth;

  targets_.clear();
  const uint32_t team = layout_.TeamOf(kDoc, doc);
  const uint32_t mentions = Fanout(rng, kDocumentMentionsMilli);
  for (uint32_t i = 0; i < mentions; ++i) {
    const uint64_t person = rng.ChancePercent(80) ? layout_.PersonInTeam(team, rng.Next())
                                                  : rng.Uniform(layout_.count(NodeType::kPerson));
    if (Remember(&targets_, person)) {
      AddWeightedEdge(edges, kDoc, doc, kMentions, NodeType::kPerson, person, rng);
    }
  }
}

void EdgeSynthesizer::MakeDecisionEdges(uint64_t decision, Xoshiro256& rng, EdgeList* edges) {
  constexpr NodeType kDec = NodeType::kDecision;
  const uint64_t thread = layout_.ThreadOf(decision);
  AddEdge(edges, kDec, decision, kPartOf, NodeType::kDecisionThread, thread);
  uint8_t depth = 0;
  if (rng.ChancePercent(50)) {
    AddEdge(edges, kDec, decision, kDerivedFrom, NodeType::kDecisionThread, thread);
    depth = 1;
  }
  const uint64_t older = layout_.DocumentsBefore(layout_.CreatedAt(kDec, decision));
  if (older > 0) {
    targets_.clear();
    const uint32_t wanted = Fanout(rng, kDecisionDerivedMilli);
    for (uint32_t i = 0; i < wanted; ++i) {
      const uint64_t doc = PickOlderDocument(rng, older, 300);
      if (!Remember(&targets_, doc)) continue;
      AddEdge(edges, kDec, decision, kDerivedFrom, NodeType::kDocument, doc);
      depth = std::max<uint8_t>(depth, document_depth_[doc] + 1);
    }
  }
  decision_depth_[decision] = depth;
}

void EdgeSynthesizer::MakeMessageEdges(uint64_t message, Xoshiro256& rng, EdgeList* edges) {
  constexpr NodeType kMsg = NodeType::kMessage;
  const uint64_t conv = layout_.ConversationOf(message);
  AddEdge(edges, kMsg, message, kPartOf, NodeType::kConversation, conv);

  const uint64_t begin = layout_.ConversationBegin(conv);
  if (message > begin && rng.ChancePercent(60)) {
    const uint64_t parent =
        rng.ChancePercent(70) ? message - 1 : begin + rng.Uniform(message - begin);
    AddEdge(edges, kMsg, message, kReplyTo, kMsg, parent);
  }

  targets_.clear();
  const uint64_t author = layout_.AuthorOf(message);
  const uint32_t mentions = Fanout(rng, kMessageMentionsMilli);
  for (uint32_t i = 0; i < mentions; ++i) {
    const uint64_t person =
        rng.ChancePercent(70)
            ? layout_.Participant(
                  conv, static_cast<uint32_t>(rng.Uniform(layout_.ParticipantCount(conv))))
            : rng.Uniform(layout_.count(NodeType::kPerson));
    if (person == author || !Remember(&targets_, person)) continue;
    AddWeightedEdge(edges, kMsg, message, kMentions, NodeType::kPerson, person, rng);
  }

  const uint64_t older = layout_.DocumentsBefore(layout_.CreatedAt(kMsg, message));
  if (older > 0) {
    targets_.clear();
    const uint32_t references = Fanout(rng, kMessageReferencesMilli);
    for (uint32_t i = 0; i < references; ++i) {
      const uint64_t doc = PickOlderDocument(rng, older, 500);
      if (Remember(&targets_, doc)) {
        AddWeightedEdge(edges, kMsg, message, kReferences, NodeType::kDocument, doc, rng);
      }
    }
  }
}

}  // namespace ctxgraph::gen
