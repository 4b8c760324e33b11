#include "tools/gen/node_synthesizer.h"

#include <algorithm>
#include <string>

#include "tools/gen/names.h"

namespace ctxgraph::gen {
namespace {

// Boundary and authority rates, parts per million of non-person nodes.
constexpr uint64_t kTeamPpm = 940000;
constexpr uint64_t kPiiPpm = 53000;
constexpr uint64_t kRestrictedPpm = 10500;
constexpr uint64_t kPersonalMessagePercent = 10;
constexpr uint64_t kInferredPpm = 20000;
constexpr uint64_t kCommaPpm = 60000;

// "tNN", the team's short name.
void AppendTeamCode(uint32_t team, std::string* out) {
  out->push_back('t');
  out->push_back(static_cast<char>('0' + team / 10));
  out->push_back(static_cast<char>('0' + team % 10));
}

void AppendTeamLabel(uint32_t team, std::string* out) {
  out->append("team:");
  AppendTeamCode(team, out);
}

}  // namespace

uint64_t MeanWordsPerNode(NodeType type) {
  switch (type) {
    case NodeType::kPerson:
      return 0;
    case NodeType::kDocument:
      return 86;  // title 3-8, text 40-120
    case NodeType::kConversation:
      return 4;  // title 2-5
    case NodeType::kMessage:
      return 24;  // text 8-40
    case NodeType::kDecisionThread:
      return 27;  // title 4-10, text 10-30
    case NodeType::kDecision:
      return 47;  // title 4-10, text 20-60
  }
  return 0;
}

NodeSynthesizer::NodeSynthesizer(const GraphLayout& layout, const Vocabulary& vocabulary)
    : layout_(layout), vocabulary_(vocabulary) {}

void NodeSynthesizer::AppendWords(Xoshiro256& rng, int64_t count, std::string* out,
                                  std::vector<uint64_t>* word_counts) const {
  for (int64_t i = 0; i < count; ++i) {
    if (i > 0) out->push_back(' ');
    const uint32_t word = vocabulary_.Sample(rng);
    ++(*word_counts)[word];
    vocabulary_.AppendWord(word, out);
  }
}

void NodeSynthesizer::AppendSentences(Xoshiro256& rng, int64_t count, std::string* out,
                                      std::vector<uint64_t>* word_counts) const {
  while (count > 0) {
    const int64_t length = std::min<int64_t>(count, rng.Between(5, 14));
    count -= length;
    for (int64_t i = 0; i < length; ++i) {
      const uint32_t word = vocabulary_.Sample(rng);
      ++(*word_counts)[word];
      vocabulary_.AppendWord(word, out);
      if (i + 1 < length) {
        out->append(rng.ChancePpm(kCommaPpm) ? ", " : " ");
      }
    }
    out->append(count > 0 ? ". " : ".");
  }
}

void NodeSynthesizer::AddTags(Xoshiro256& rng, int64_t count, NodeRecord* node) const {
  for (int64_t i = 0; i < count; ++i) {
    // The smaller of two uniform draws: low-numbered tags are more popular.
    const uint64_t tag = std::min(rng.Uniform(kTags.size()), rng.Uniform(kTags.size()));
    if (std::find(node->tags.begin(), node->tags.end(), kTags[tag]) == node->tags.end()) {
      node->tags.push_back(kTags[tag]);
    }
  }
}

void NodeSynthesizer::AddBoundary(Xoshiro256& rng, NodeType type, uint64_t index,
                                  NodeRecord* node) const {
  if (type == NodeType::kPerson) return;
  if (rng.ChancePpm(kTeamPpm)) {
    AppendTeamLabel(layout_.TeamOf(type, index), &node->boundary.emplace_back());
  }
  if (type == NodeType::kMessage && rng.ChancePercent(kPersonalMessagePercent)) {
    std::string& label = node->boundary.emplace_back("personal:");
    AppendNodeId(NodeType::kPerson, layout_.AuthorOf(index), &label);
  }
  if (rng.ChancePpm(kPiiPpm)) node->boundary.emplace_back("pii");
  if (rng.ChancePpm(kRestrictedPpm)) node->boundary.emplace_back("restricted");
}

std::vector<LabelRecord> NodeSynthesizer::BoundaryLabels() const {
  std::vector<LabelRecord> labels;
  labels.reserve(kTeamCount + 2 + layout_.count(NodeType::kPerson));
  for (uint32_t team = 0; team < kTeamCount; ++team) {
    LabelRecord& label = labels.emplace_back();
    AppendTeamLabel(team, &label.name);
    label.description = "Material of team ";
    AppendTeamCode(team, &label.description);
  }
  // They do not propagate: the benchmark compares with PostgreSQL's
  // row-level security over each row's own labels, so both sides must hide
  // the same nodes. Propagation has its own benchmark (tools/propagation).
  labels.push_back({"pii", "Personal data about people", false});
  labels.push_back({"restricted", "Need-to-know material", false});
  for (uint64_t person = 0; person < layout_.count(NodeType::kPerson); ++person) {
    LabelRecord& label = labels.emplace_back();
    label.name = "personal:";
    AppendNodeId(NodeType::kPerson, person, &label.name);
    label.description = "Private to ";
    AppendNodeId(NodeType::kPerson, person, &label.description);
  }
  return labels;
}

bool NodeSynthesizer::IsEmailConversation(uint64_t conv) const {
  return KeyedHash(layout_.seed(), kDomainConversationSystem, conv) % 4 == 0;
}

void NodeSynthesizer::Make(NodeType type, uint64_t index, NodeRecord* node,
                           std::vector<uint64_t>* word_counts) {
  node->Clear();
  node->type = type;
  AppendNodeId(type, index, &node->id);
  node->created_at = layout_.CreatedAt(type, index);
  node->source_authority = "imported";
  Xoshiro256 rng(KeyedHash(layout_.seed(), kDomainNodeStream, static_cast<uint64_t>(type), index));

  switch (type) {
    case NodeType::kPerson: {
      std::string& name = node->title.emplace(kFirstNames[rng.Uniform(kFirstNames.size())]);
      name.push_back(' ');
      name.append(kLastNames[rng.Uniform(kLastNames.size())]);
      node->text.emplace(kJobTitles[rng.Uniform(kJobTitles.size())]);
      node->source_system = "hr";
      node->source_uri = "hr://people/" + node->id;
      return;  // people carry no boundary and are always imported
    }
    case NodeType::kDocument: {
      std::string& title = node->title.emplace();
      const int64_t words = rng.Between(3, 8);
      const uint64_t style = rng.Uniform(1000);
      if (style < 30) {  // quoted phrase: plan for "alpha beta"
        AppendWords(rng, words - 2, &title, word_counts);
        title.append(" \"");
        AppendWords(rng, 2, &title, word_counts);
        title.push_back('"');
      } else {
        AppendWords(rng, words, &title, word_counts);
        if (style < 35) title.append(" (draft\\v2)");
      }
      AppendSentences(rng, rng.Between(40, 120), &node->text.emplace(), word_counts);
      node->page_count = rng.ChancePercent(95) ? rng.Between(1, 40) : rng.Between(41, 400);
      node->draft = rng.ChancePercent(15);
      AddTags(rng, rng.ChancePercent(20) ? 0 : rng.Between(1, 3), node);
      if (rng.ChancePercent(60)) {
        node->source_system = "wiki";
        node->source_uri = "wiki://spaces/";
        AppendTeamCode(layout_.TeamOf(type, index), &node->source_uri);
        node->source_uri += "/" + node->id;
      } else {
        node->source_system = "drive";
        node->source_uri = "drive://files/" + node->id;
      }
      break;
    }
    case NodeType::kConversation: {
      AppendWords(rng, rng.Between(2, 5), &node->title.emplace(), word_counts);
      if (rng.ChancePercent(30)) AddTags(rng, 1, node);
      const bool email = IsEmailConversation(index);
      node->source_system = email ? "email" : "slack";
      node->source_uri = (email ? "email://threads/" : "slack://channels/") + node->id;
      break;
    }
    case NodeType::kMessage: {
      AppendSentences(rng, rng.Between(8, 40), &node->text.emplace(), word_counts);
      const uint64_t conv = layout_.ConversationOf(index);
      const bool email = IsEmailConversation(conv);
      node->source_system = email ? "email" : "slack";
      node->source_uri = email ? "email://threads/" : "slack://channels/";
      AppendNodeId(NodeType::kConversation, conv, &node->source_uri);
      node->source_uri += "/" + node->id;
      break;
    }
    case NodeType::kDecisionThread: {
      AppendWords(rng, rng.Between(4, 10), &node->title.emplace(), word_counts);
      AppendSentences(rng, rng.Between(10, 30), &node->text.emplace(), word_counts);
      AddTags(rng, rng.Between(1, 3), node);
      node->source_system = "decisions";
      node->source_uri = "decisions://threads/" + node->id;
      break;
    }
    case NodeType::kDecision: {
      AppendWords(rng, rng.Between(4, 10), &node->title.emplace(), word_counts);
      AppendSentences(rng, rng.Between(20, 60), &node->text.emplace(), word_counts);
      node->confidence_pct = static_cast<uint32_t>(rng.Between(50, 99));
      node->draft = rng.ChancePercent(10);
      AddTags(rng, rng.Between(0, 2), node);
      node->source_system = "decisions";
      node->source_uri = "decisions://threads/";
      AppendNodeId(NodeType::kDecisionThread, layout_.ThreadOf(index), &node->source_uri);
      node->source_uri += "/" + node->id;
      node->source_authority = "asserted";
      break;
    }
  }
  AddBoundary(rng, type, index, node);
  if (rng.ChancePpm(kInferredPpm)) {
    node->source_authority = "inferred";
    node->confidence_pct = static_cast<uint32_t>(rng.Between(30, 89));
  }
}

}  // namespace ctxgraph::gen
