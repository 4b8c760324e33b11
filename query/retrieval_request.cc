#include "query/retrieval_request.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "query/validation.h"
#include "storage/record_codec.h"
#include "storage/status_macros.h"

namespace ctxgraph {
namespace {

constexpr char kSummaryTag[] = "retrieve.v1";

bool IsPlain(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == ':' || c == '*' || c == '/' || c == '-';
}

std::string Escape(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (IsPlain(c)) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  return out;
}

std::string EscapeList(const std::vector<std::string>& list) {
  return absl::StrJoin(list, ",",
                       [](std::string* out, const std::string& s) { out->append(Escape(s)); });
}

absl::Status BadSummary(std::string_view why) {
  return absl::DataLossError(absl::StrCat("audit summary: ", std::string(why)));
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

absl::StatusOr<std::string> Unescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      if (!IsPlain(static_cast<unsigned char>(s[i]))) return BadSummary("unescaped byte");
      out.push_back(s[i]);
      continue;
    }
    if (i + 2 >= s.size()) return BadSummary("truncated escape");
    const int hi = HexDigit(s[i + 1]), lo = HexDigit(s[i + 2]);
    if (hi < 0 || lo < 0) return BadSummary("bad escape");
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

absl::StatusOr<std::vector<std::string>> UnescapeList(std::string_view s) {
  std::vector<std::string> out;
  if (s.empty()) return out;
  for (absl::string_view part : absl::StrSplit(absl::string_view(s.data(), s.size()), ',')) {
    ASSIGN_OR_RETURN(std::string value, Unescape(std::string_view(part.data(), part.size())));
    out.push_back(std::move(value));
  }
  return out;
}

template <typename Int>
absl::StatusOr<Int> ParseNumber(std::string_view s, std::string_view field) {
  Int value = 0;
  if (!absl::SimpleAtoi(absl::string_view(s.data(), s.size()), &value)) {
    return BadSummary(absl::StrCat(std::string(field), " is not a number"));
  }
  return value;
}

absl::StatusOr<DirectionFilter> ParseDirection(std::string_view s) {
  if (s == "out") return DirectionFilter::kOut;
  if (s == "in") return DirectionFilter::kIn;
  if (s == "both") return DirectionFilter::kBoth;
  return BadSummary("bad direction");
}

}  // namespace

std::string_view DirectionName(DirectionFilter direction) {
  switch (direction) {
    case DirectionFilter::kOut:
      return "out";
    case DirectionFilter::kIn:
      return "in";
    case DirectionFilter::kBoth:
      break;
  }
  return "both";
}

absl::Status NormalizeRetrievalRequest(RetrievalRequest& r) {
  if (r.seeds.empty() && r.query.empty()) {
    return absl::InvalidArgumentError("seeds: need at least one seed or a query");
  }
  if (r.seeds.size() > kMaxRetrieveSeeds) {
    return absl::InvalidArgumentError(
        absl::StrCat("seeds: at most ", kMaxRetrieveSeeds, " seeds, got ", r.seeds.size()));
  }
  absl::flat_hash_map<absl::string_view, size_t> first_at;
  for (size_t i = 0; i < r.seeds.size(); ++i) {
    RETURN_IF_ERROR(ValidateId(absl::StrCat("seeds[", i, "]"), r.seeds[i]));
    auto [it, inserted] = first_at.emplace(r.seeds[i], i);
    if (!inserted) {
      return absl::InvalidArgumentError(
          absl::StrCat("seeds[", i, "]: duplicate of seeds[", it->second, "]"));
    }
  }
  const int hops = r.max_hops.value_or(kDefaultRetrieveHops);
  if (hops < 0 || hops > kMaxRetrieveHops) {
    return absl::InvalidArgumentError(
        absl::StrCat("expansion.max_hops: must be 0..", kMaxRetrieveHops, ", got ", hops));
  }
  r.max_hops = hops;
  RETURN_IF_ERROR(NormalizeEdgeLabelFilter("expansion.edge_labels", r.edge_labels));
  if (r.max_items < 0 || r.max_items > kMaxRetrieveItems) {
    return absl::InvalidArgumentError(
        absl::StrCat("budget.max_items: must be 0..", kMaxRetrieveItems, ", got ", r.max_items));
  }
  if (r.max_items == 0) r.max_items = kDefaultRetrieveItems;
  if (r.max_bytes < 0 || r.max_bytes > kMaxRetrieveBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("budget.max_bytes: must be 0..", kMaxRetrieveBytes, ", got ", r.max_bytes));
  }
  if (r.max_bytes == 0) r.max_bytes = kDefaultRetrieveBytes;
  return absl::OkStatus();
}

std::string EncodeRetrievalSummary(const RecordedRetrieval& recorded) {
  const RetrievalRequest& r = recorded.request;
  return absl::StrCat(
      kSummaryTag, " seeds=", EscapeList(r.seeds), " query=", Escape(r.query),
      " max_hops=", r.max_hops.value_or(kDefaultRetrieveHops),
      " direction=", std::string(DirectionName(r.direction)),
      " edge_labels=", EscapeList(r.edge_labels), " max_items=", r.max_items,
      " max_bytes=", r.max_bytes, " as_of=", r.as_of, " policy_version=", recorded.policy_version,
      " clearances=", EscapeList(recorded.clearances),
      recorded.max_nodes == 0 && recorded.max_edges == 0 && !recorded.content
          ? std::string()
          : absl::StrCat(" max_nodes=", recorded.max_nodes, " max_edges=", recorded.max_edges),
      recorded.content ? absl::StrCat(" content=", ToHex(*recorded.content)) : std::string(),
      recorded.content && recorded.edges_in_budget ? " budget_edges=1" : "");
}

absl::StatusOr<RecordedRetrieval> DecodeRetrievalSummary(std::string_view summary) {
  static constexpr std::string_view kKeys[] = {
      "seeds",     "query",     "max_hops", "direction",      "edge_labels",
      "max_items", "max_bytes", "as_of",    "policy_version", "clearances",
      "max_nodes", "max_edges", "content",  "budget_edges"};
  // The traversal bound came later, the content digest after it, and the
  // edges in the budget after that: older entries end at clearances, at
  // max_edges or at content.
  constexpr size_t kRequiredKeys = std::size(kKeys) - 4;
  std::vector<absl::string_view> fields =
      absl::StrSplit(absl::string_view(summary.data(), summary.size()), ' ');
  if ((fields.size() != 1 + std::size(kKeys) && fields.size() != 1 + kRequiredKeys + 3 &&
       fields.size() != 1 + kRequiredKeys + 2 && fields.size() != 1 + kRequiredKeys) ||
      fields[0] != kSummaryTag) {
    return BadSummary("not a retrieve.v1 summary");
  }
  std::vector<std::string_view> values;
  for (size_t i = 0; i + 1 < fields.size(); ++i) {
    const absl::string_view f = fields[i + 1];
    const std::string prefix = absl::StrCat(std::string(kKeys[i]), "=");
    if (!absl::StartsWith(f, prefix)) {
      return BadSummary(absl::StrCat("expected ", std::string(kKeys[i])));
    }
    values.emplace_back(f.data() + prefix.size(), f.size() - prefix.size());
  }
  RecordedRetrieval out;
  RetrievalRequest& r = out.request;
  ASSIGN_OR_RETURN(r.seeds, UnescapeList(values[0]));
  ASSIGN_OR_RETURN(r.query, Unescape(values[1]));
  ASSIGN_OR_RETURN(r.max_hops, ParseNumber<int>(values[2], "max_hops"));
  ASSIGN_OR_RETURN(r.direction, ParseDirection(values[3]));
  ASSIGN_OR_RETURN(r.edge_labels, UnescapeList(values[4]));
  ASSIGN_OR_RETURN(r.max_items, ParseNumber<int>(values[5], "max_items"));
  ASSIGN_OR_RETURN(r.max_bytes, ParseNumber<int64_t>(values[6], "max_bytes"));
  ASSIGN_OR_RETURN(r.as_of, ParseNumber<uint64_t>(values[7], "as_of"));
  ASSIGN_OR_RETURN(out.policy_version, ParseNumber<uint64_t>(values[8], "policy_version"));
  ASSIGN_OR_RETURN(out.clearances, UnescapeList(values[9]));
  if (values.size() > kRequiredKeys) {
    ASSIGN_OR_RETURN(out.max_nodes, ParseNumber<uint64_t>(values[10], "max_nodes"));
    ASSIGN_OR_RETURN(out.max_edges, ParseNumber<uint64_t>(values[11], "max_edges"));
  }
  if (values.size() > kRequiredKeys + 2) {
    const std::string_view hex = values[12];
    ContentHash content{};
    if (hex.size() != 2 * content.size() ||
        hex.find_first_not_of("0123456789abcdef") != std::string_view::npos) {
      return BadSummary("bad content");
    }
    const std::string bytes = absl::HexStringToBytes(absl::string_view(hex.data(), hex.size()));
    std::copy(bytes.begin(), bytes.end(), content.begin());
    out.content = content;
  }
  if (values.size() > kRequiredKeys + 3) {
    if (values[13] != "1") return BadSummary("bad budget_edges");
    out.edges_in_budget = true;
  }
  return out;
}

}  // namespace ctxgraph
