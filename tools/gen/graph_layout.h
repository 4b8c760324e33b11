// The skeleton of a generated graph: how many nodes of each type, their ids,
// their creation times, their teams, and the containment structure
// (message -> conversation, decision -> thread) that edges follow.
//
// Everything here is a pure function of (nodes, seed), computed once in the
// constructor (O(nodes) time, about 8 bytes per message and decision) or on
// demand from keyed hashes, so the node pass and the edge pass of the
// generator see the same facts without keeping any text in memory.
//
// Time model (all times are Unix seconds within 2025-01-01 .. 2026-12-31 UTC):
//  - people, documents, conversations and threads are each spread over the
//    period in index order: a node with a lower index is strictly older;
//  - a conversation's messages have consecutive indices and follow it in
//    strictly increasing time, ten minutes apart on average; likewise a
//    thread's decisions, a day or two apart.
// Every conversation has at least one message and every thread at least one
// decision.
//
// Thread-safe after construction (all methods are const).
#ifndef CTXGRAPH_TOOLS_GEN_GRAPH_LAYOUT_H_
#define CTXGRAPH_TOOLS_GEN_GRAPH_LAYOUT_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ctxgraph::gen {

// File order of the node types (nodes are written grouped by type, in this
// order; edges are written in the order of their source nodes).
enum class NodeType : uint8_t {
  kPerson = 0,
  kDocument,
  kDecisionThread,
  kDecision,
  kConversation,
  kMessage,
};
inline constexpr int kNodeTypeCount = 6;
inline constexpr std::array<NodeType, kNodeTypeCount> kAllNodeTypes = {
    NodeType::kPerson,   NodeType::kDocument,     NodeType::kDecisionThread,
    NodeType::kDecision, NodeType::kConversation, NodeType::kMessage};

// "Person", "Document", ... (the node's single type label).
std::string_view TypeLabel(NodeType type);
// "person", "doc", "thread", "dec", "conv", "msg".
std::string_view IdPrefix(NodeType type);
// Appends "<prefix>-%08d" with the 1-based number index + 1.
void AppendNodeId(NodeType type, uint64_t index, std::string* out);
// Appends "YYYY-MM-DDTHH:MM:SSZ" for Unix time `seconds` (>= 0).
void AppendRfc3339(int64_t seconds, std::string* out);

inline constexpr uint32_t kTeamCount = 20;
inline constexpr int64_t kPeriodStart = 1735689600;  // 2025-01-01T00:00:00Z
inline constexpr int64_t kPeriodEnd = 1798761599;    // 2026-12-31T23:59:59Z

class GraphLayout {
 public:
  static constexpr uint64_t kMinNodes = 100;
  static constexpr uint64_t kMaxNodes = 100000000;

  // Requires kMinNodes <= nodes <= kMaxNodes (the caller validates).
  // Type shares: documents 30%, conversations 5%, messages 45%, threads 5%,
  // decisions 10%, people 5%, rounded down; the remainder goes to messages.
  GraphLayout(uint64_t nodes, uint64_t seed);

  uint64_t seed() const { return seed_; }
  uint64_t total() const { return total_; }
  uint64_t count(NodeType type) const { return counts_[static_cast<int>(type)]; }

  // Creation time of a node, Unix seconds.
  int64_t CreatedAt(NodeType type, uint64_t index) const;
  // The number of documents strictly older than `time`: documents
  // [0, DocumentsBefore(t)) all have CreatedAt < t.
  uint64_t DocumentsBefore(int64_t time) const;

  // The team (0..kTeamCount-1) a node belongs to. A message has its
  // conversation's team, a decision its thread's; a person's team is
  // index % kTeamCount.
  uint32_t TeamOf(NodeType type, uint64_t index) const;

  // Containment: conversation of a message, and the message index range
  // [ConversationBegin, ConversationEnd) of a conversation; same for threads.
  uint64_t ConversationOf(uint64_t message) const { return message_conversation_[message]; }
  uint64_t ConversationBegin(uint64_t conv) const { return conversation_begin_[conv]; }
  uint64_t ConversationEnd(uint64_t conv) const { return conversation_begin_[conv + 1]; }
  uint64_t ThreadOf(uint64_t decision) const { return decision_thread_[decision]; }
  uint64_t ThreadBegin(uint64_t thread) const { return thread_begin_[thread]; }
  uint64_t ThreadEnd(uint64_t thread) const { return thread_begin_[thread + 1]; }

  // People taking part in a conversation (2..6, from its team; may repeat).
  uint32_t ParticipantCount(uint64_t conv) const;
  uint64_t Participant(uint64_t conv, uint32_t k) const;
  // The author of a message: one of its conversation's participants.
  uint64_t AuthorOf(uint64_t message) const;
  // A person of `team` chosen by the hash `h` (any person if there are fewer
  // people than teams).
  uint64_t PersonInTeam(uint32_t team, uint64_t h) const;

 private:
  int64_t SlotTime(NodeType type, uint64_t index, int64_t span) const;

  uint64_t seed_;
  uint64_t total_;
  std::array<uint64_t, kNodeTypeCount> counts_{};
  std::vector<uint32_t> message_conversation_;
  std::vector<uint32_t> conversation_begin_;  // count(kConversation) + 1 entries
  std::vector<uint32_t> decision_thread_;
  std::vector<uint32_t> thread_begin_;  // count(kDecisionThread) + 1 entries
};

}  // namespace ctxgraph::gen

#endif  // CTXGRAPH_TOOLS_GEN_GRAPH_LAYOUT_H_
