#include "tools/gen/graph_layout.h"

#include <algorithm>

#include "tools/gen/prng.h"

namespace ctxgraph::gen {
namespace {

constexpr std::array<std::string_view, kNodeTypeCount> kLabels = {
    "Person", "Document", "DecisionThread", "Decision", "Conversation", "Message"};
constexpr std::array<std::string_view, kNodeTypeCount> kPrefixes = {"person", "doc",  "thread",
                                                                    "dec",    "conv", "msg"};
// Percent shares in NodeType order; messages take the rounding remainder.
constexpr std::array<uint64_t, kNodeTypeCount> kPercent = {5, 30, 5, 10, 5, 45};

constexpr int64_t kPeriod = kPeriodEnd - kPeriodStart + 1;
constexpr int64_t kDay = 86400;
// Parents leave room at the end of the period for their children.
constexpr int64_t kConversationPeriod = kPeriod - 30 * kDay;
constexpr int64_t kThreadPeriod = kPeriod - 90 * kDay;
constexpr int64_t kMessageGap = 600;    // seconds between messages, on average
constexpr int64_t kDecisionGap = kDay;  // between a thread's decisions

// Splits `children` consecutive children among `parents` (children >=
// parents >= 1) in order, each parent getting at least one and about
// children / parents on average. Fills child -> parent and the begin offsets.
void Partition(uint64_t children, uint64_t parents, Xoshiro256& rng,
               std::vector<uint32_t>* parent_of, std::vector<uint32_t>* begin) {
  parent_of->resize(children);
  begin->assign(parents + 1, 0);
  uint64_t parent = 0;
  for (uint64_t c = 0; c < children; ++c) {
    if (c > 0 && parent + 1 < parents) {
      const uint64_t children_left = children - c;
      const uint64_t parents_left = parents - 1 - parent;
      if (children_left <= parents_left || rng.Uniform(children) < parents) {
        ++parent;
        (*begin)[parent] = static_cast<uint32_t>(c);
      }
    }
    (*parent_of)[c] = static_cast<uint32_t>(parent);
  }
  (*begin)[parents] = static_cast<uint32_t>(children);
}

}  // namespace

std::string_view TypeLabel(NodeType type) { return kLabels[static_cast<int>(type)]; }
std::string_view IdPrefix(NodeType type) { return kPrefixes[static_cast<int>(type)]; }

void AppendNodeId(NodeType type, uint64_t index, std::string* out) {
  out->append(IdPrefix(type));
  out->push_back('-');
  char digits[20];
  int n = 0;
  for (uint64_t v = index + 1; v != 0 || n < 8; v /= 10)
    digits[n++] = static_cast<char>('0' + v % 10);
  while (n > 0) out->push_back(digits[--n]);
}

void AppendRfc3339(int64_t seconds, std::string* out) {
  // Days to civil date: Howard Hinnant's algorithm (proleptic Gregorian).
  const int64_t days = seconds / kDay;
  int64_t rem = seconds % kDay;
  const int64_t z = days + 719468;
  const int64_t era = z / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t day = doy - (153 * mp + 2) / 5 + 1;
  const int64_t month = mp < 10 ? mp + 3 : mp - 9;
  const int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  auto put = [out](int64_t v, int width) {
    char buf[8];
    for (int i = width - 1; i >= 0; --i, v /= 10) buf[i] = static_cast<char>('0' + v % 10);
    out->append(buf, width);
  };
  put(year, 4);
  out->push_back('-');
  put(month, 2);
  out->push_back('-');
  put(day, 2);
  out->push_back('T');
  put(rem / 3600, 2);
  rem %= 3600;
  out->push_back(':');
  put(rem / 60, 2);
  out->push_back(':');
  put(rem % 60, 2);
  out->push_back('Z');
}

GraphLayout::GraphLayout(uint64_t nodes, uint64_t seed) : seed_(seed), total_(nodes) {
  uint64_t assigned = 0;
  for (int t = 0; t < kNodeTypeCount; ++t) {
    counts_[t] = nodes * kPercent[t] / 100;
    assigned += counts_[t];
  }
  counts_[static_cast<int>(NodeType::kMessage)] += nodes - assigned;

  Xoshiro256 rng(KeyedHash(seed, kDomainPartition));
  Partition(count(NodeType::kMessage), count(NodeType::kConversation), rng, &message_conversation_,
            &conversation_begin_);
  Partition(count(NodeType::kDecision), count(NodeType::kDecisionThread), rng, &decision_thread_,
            &thread_begin_);
}

int64_t GraphLayout::SlotTime(NodeType type, uint64_t index, int64_t span) const {
  const auto n = static_cast<int64_t>(count(type));
  const int64_t slot = std::max<int64_t>(1, span / n);
  const int64_t jitter = static_cast<int64_t>(
      HashToRange(KeyedHash(seed_, kDomainTime, static_cast<uint64_t>(type), index),
                  static_cast<uint64_t>(slot)));
  return kPeriodStart + static_cast<int64_t>(index) * span / n + jitter;
}

int64_t GraphLayout::CreatedAt(NodeType type, uint64_t index) const {
  const uint64_t h = KeyedHash(seed_, kDomainTime, static_cast<uint64_t>(type), index);
  switch (type) {
    case NodeType::kPerson:
    case NodeType::kDocument:
      return SlotTime(type, index, kPeriod);
    case NodeType::kConversation:
      return SlotTime(type, index, kConversationPeriod);
    case NodeType::kDecisionThread:
      return SlotTime(type, index, kThreadPeriod);
    case NodeType::kMessage: {
      const uint64_t conv = ConversationOf(index);
      const auto position = static_cast<int64_t>(index - ConversationBegin(conv));
      const int64_t t = SlotTime(NodeType::kConversation, conv, kConversationPeriod) +
                        (position + 1) * kMessageGap + static_cast<int64_t>(h % kMessageGap);
      return std::min(t, kPeriodEnd);
    }
    case NodeType::kDecision: {
      const uint64_t thread = ThreadOf(index);
      const auto position = static_cast<int64_t>(index - ThreadBegin(thread));
      const int64_t t = SlotTime(NodeType::kDecisionThread, thread, kThreadPeriod) +
                        (position + 1) * kDecisionGap + static_cast<int64_t>(h % kDecisionGap);
      return std::min(t, kPeriodEnd);
    }
  }
  return kPeriodStart;
}

uint64_t GraphLayout::DocumentsBefore(int64_t time) const {
  // Document j is created before kPeriodStart + floor((j + 1) * kPeriod / n),
  // so every j < k with (k * kPeriod) <= (time - start + 1) * n - 1 is older.
  if (time <= kPeriodStart) return 0;
  const auto n = static_cast<int64_t>(count(NodeType::kDocument));
  const int64_t k = ((time - kPeriodStart + 1) * n - 1) / kPeriod;
  return static_cast<uint64_t>(std::clamp<int64_t>(k, 0, n));
}

uint32_t GraphLayout::TeamOf(NodeType type, uint64_t index) const {
  switch (type) {
    case NodeType::kPerson:
      return static_cast<uint32_t>(index % kTeamCount);
    case NodeType::kMessage:
      return TeamOf(NodeType::kConversation, ConversationOf(index));
    case NodeType::kDecision:
      return TeamOf(NodeType::kDecisionThread, ThreadOf(index));
    default:
      return static_cast<uint32_t>(
          KeyedHash(seed_, kDomainTeam, static_cast<uint64_t>(type), index) % kTeamCount);
  }
}

uint32_t GraphLayout::ParticipantCount(uint64_t conv) const {
  return 2 + static_cast<uint32_t>(KeyedHash(seed_, kDomainParticipantCount, conv) % 5);
}

uint64_t GraphLayout::Participant(uint64_t conv, uint32_t k) const {
  return PersonInTeam(TeamOf(NodeType::kConversation, conv),
                      KeyedHash(seed_, kDomainParticipant, conv, k));
}

uint64_t GraphLayout::AuthorOf(uint64_t message) const {
  const uint64_t conv = ConversationOf(message);
  const auto k =
      static_cast<uint32_t>(KeyedHash(seed_, kDomainAuthor, message) % ParticipantCount(conv));
  return Participant(conv, k);
}

uint64_t GraphLayout::PersonInTeam(uint32_t team, uint64_t h) const {
  const uint64_t people = count(NodeType::kPerson);
  if (people < kTeamCount) return h % people;
  const uint64_t in_team = (people - team + kTeamCount - 1) / kTeamCount;
  return team + kTeamCount * (h % in_team);
}

}  // namespace ctxgraph::gen
