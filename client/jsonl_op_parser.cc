#include "client/jsonl_op_parser.h"

#include <simdjson.h>

#include <charconv>
#include <cstdint>
#include <memory>
#include <utility>

#include "client/json_codec.h"
#include "client/jsonl_reader.h"
#include "client/rfc3339.h"

namespace ctxgraph::client {

namespace v1 = ::ctxgraph::v1;
namespace od = ::simdjson::ondemand;

namespace {

// Lines the fast path leaves to ParseImportLine before parsing them: a byte
// below 0x20 (JSON forbids it unescaped inside strings, and the on-demand
// parser does not check that everywhere), or a \u escape in the surrogate
// range (unpaired surrogates are refused by nlohmann; leave every surrogate
// escape to it rather than depend on simdjson's handling). Both are rare in
// real exports; the slow path still accepts what is valid.
bool NeedsSlowPath(std::string_view line) {
  unsigned char control = 0;
  for (const char c : line) control |= static_cast<unsigned char>(c) < 0x20;
  if (control) return true;
  for (size_t i = line.find("\\u"); i != std::string_view::npos; i = line.find("\\u", i + 2)) {
    if (i + 2 < line.size() && (line[i + 2] == 'd' || line[i + 2] == 'D')) return true;
  }
  return false;
}

// The exact shape ParseRfc3339Utc accepts is at least "YYYY-MM-DDTHH:MM:SSZ";
// skip the full parse for strings that cannot be one.
bool LooksLikeTimestamp(std::string_view s) {
  return s.size() >= 20 && s[4] == '-' && s[10] == 'T' && s.back() == 'Z';
}

}  // namespace

// One line's JSON -> the parts of one op, with simdjson's on-demand API.
// Every step returns false at the first thing the fast path does not handle
// (including any JSON error); the caller then falls back to ParseImportLine,
// which decides and words the error. Every value of the line is consumed, so
// the on-demand parser validates all of it.
class JsonlOpParser::Handler {
 public:
  // Parses `line` into `op` (empty, messages on its arena). False: use the
  // slow path; `op` is untouched.
  bool Parse(std::string_view line, v1::WriteOp* op, bool* is_edge) {
    if (NeedsSlowPath(line)) return false;
    Reset(op->GetArena());
    // simdjson reads up to SIMDJSON_PADDING bytes past the end of its input.
    padded_.resize(line.size() + simdjson::SIMDJSON_PADDING);
    std::copy(line.begin(), line.end(), padded_.begin());
    od::document doc;
    od::object top;
    if (parser_.iterate(padded_.data(), line.size(), padded_.size()).get(doc) ||
        doc.get_object().get(top) || !ParseTop(top)) {
      return false;
    }
    // Nothing may follow the object: past the end, current_location fails.
    const char* rest;
    if (doc.current_location().get(rest) != simdjson::OUT_OF_BOUNDS) return false;
    return Build(op, is_edge);
  }

 private:
  // Top-level keys, as bits of seen_.
  enum Key : uint32_t {
    kType = 1,
    kId = 2,
    kFrom = 4,
    kLabel = 8,
    kTo = 16,
    kLabels = 32,
    kBoundary = 64,
    kProps = 128,
    kSource = 256,
  };

  // Starts a line whose messages go on `arena` (null: the heap).
  void Reset(google::protobuf::Arena* arena) {
    seen_ = 0;
    type_ = id_ = from_ = label_ = to_ = {};
    node_ = google::protobuf::Arena::CreateMessage<v1::Node>(arena);
    owned_node_.reset(arena == nullptr ? node_ : nullptr);
  }

  static uint32_t TopKey(std::string_view k) {
    if (k == "type") return kType;
    if (k == "id") return kId;
    if (k == "from") return kFrom;
    if (k == "label") return kLabel;
    if (k == "to") return kTo;
    if (k == "labels") return kLabels;
    if (k == "boundary") return kBoundary;
    if (k == "props") return kProps;
    if (k == "source") return kSource;
    return 0;
  }

  bool ParseTop(od::object top) {
    for (auto field : top) {
      std::string_view name;
      od::value value;
      if (field.unescaped_key().get(name) || field.value().get(value)) return false;
      const uint32_t key = TopKey(name);
      if (key == 0 || (seen_ & key)) return false;
      seen_ |= key;
      bool ok = false;
      switch (key) {
        case kType:
          ok = Text(value, &type_);
          break;
        case kId:
          ok = Text(value, &id_);
          break;
        case kFrom:
          ok = Text(value, &from_);
          break;
        case kLabel:
          ok = Text(value, &label_);
          break;
        case kTo:
          ok = Text(value, &to_);
          break;
        case kLabels:
          ok = StringList(value, node_->mutable_labels());
          break;
        case kBoundary:
          ok = StringList(value, node_->mutable_boundary());
          break;
        case kProps:
          ok = Props(value, node_->mutable_props());
          break;
        case kSource:
          ok = Source(value, node_->mutable_source());  // "source": {} still sets one
          break;
      }
      if (!ok) return false;
    }
    return true;
  }

  // A string, as a view into the parser's buffer (valid for this line).
  static bool Text(od::value value, std::string_view* out) { return !value.get_string().get(*out); }

  static bool StringList(od::value value, google::protobuf::RepeatedPtrField<std::string>* out) {
    od::array array;
    if (value.get_array().get(array)) return false;
    for (auto element : array) {
      std::string_view s;
      if (element.get_string().get(s) || s.empty()) return false;
      out->Add()->assign(s);
    }
    return true;
  }

  static bool Props(od::value value, PropMap* props) {
    od::object object;
    if (value.get_object().get(object)) return false;
    for (auto field : object) {
      std::string_view name;
      od::value element;
      if (field.unescaped_key().get(name) || field.value().get(element)) return false;
      const std::string key(name);
      if (props->contains(key)) return false;
      v1::Value& prop = (*props)[key];
      od::json_type type;
      if (element.type().get(type)) return false;
      if (type == od::json_type::array) {
        od::array array;
        if (element.get_array().get(array)) return false;
        v1::ValueList* list = prop.mutable_list_value();
        for (auto item : array) {
          od::value scalar;
          if (item.get(scalar) || !Scalar(scalar, list->add_values())) return false;
        }
      } else if (!Scalar(element, &prop)) {
        return false;
      }
    }
    return true;
  }

  // A string, number or boolean (not null, a list or an object).
  static bool Scalar(od::value value, v1::Value* out) {
    od::json_type type;
    if (value.type().get(type)) return false;
    switch (type) {
      case od::json_type::string: {
        std::string_view s;
        if (value.get_string().get(s)) return false;
        if (LooksLikeTimestamp(s)) {
          if (auto ts = ParseRfc3339Utc(s)) {
            *out->mutable_timestamp_value() = *std::move(ts);
            return true;
          }
        }
        out->set_string_value(s.data(), s.size());
        return true;
      }
      case od::json_type::number:
        return Number(value, out);
      case od::json_type::boolean: {
        bool b;
        if (value.get_bool().get(b)) return false;
        out->set_bool_value(b);
        return true;
      }
      default:
        return false;
    }
  }

  // Decided by the text, as ParseImportLine does: no '.', 'e' or 'E' makes
  // an integer, and one that does not fit int64 is an error there (named),
  // never a double here. simdjson checks the syntax; the value comes from
  // std::from_chars, because the header-only on-demand parser as built here
  // (simdjson 3.0.1, its portable kernel) misreads mantissas longer than 19
  // digits (0.5333...3 with 50 digits read as 1.56e-31; found by fuzz_jsonl).
  static bool Number(od::value value, v1::Value* out) {
    // The token runs on to the next one; the whitespace between can only be
    // spaces, since NeedsSlowPath keeps every line with a byte below 0x20.
    std::string_view token = value.raw_json_token();
    while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
    const char* end = token.data() + token.size();
    if (token.find_first_of(".eE") == std::string_view::npos) {
      int64_t checked, i;
      if (value.get_int64().get(checked)) return false;
      const auto [ptr, ec] = std::from_chars(token.data(), end, i);
      if (ec != std::errc() || ptr != end || i != checked) return false;
      out->set_int_value(i);
    } else {
      double checked, d;
      if (value.get_double().get(checked)) return false;
      // Out of range (an underflow to 0 included): ParseImportLine decides.
      const auto [ptr, ec] = std::from_chars(token.data(), end, d);
      if (ec != std::errc() || ptr != end) return false;
      out->set_double_value(d);
    }
    return true;
  }

  static bool Source(od::value value, v1::Source* source) {
    od::object object;
    if (value.get_object().get(object)) return false;
    uint32_t seen = 0;
    for (auto field : object) {
      std::string_view name, text;
      if (field.unescaped_key().get(name)) return false;
      const uint32_t key = name == "system" ? 1 : name == "uri" ? 2 : name == "authority" ? 4 : 0;
      if (key == 0 || (seen & key) || field.value().get_string().get(text)) return false;
      seen |= key;
      if (key == 1) {
        source->set_system(text.data(), text.size());
      } else if (key == 2) {
        source->set_uri(text.data(), text.size());
      } else {
        absl::StatusOr<v1::Authority> authority = ParseAuthority(text);
        if (!authority.ok()) return false;
        source->set_authority(*authority);
      }
    }
    return true;
  }

  // Checks the key set and required fields and moves the parts into `op`
  // (on the arena given to Reset). False when ParseImportLine would refuse.
  bool Build(v1::WriteOp* op, bool* is_edge) {
    if (!(seen_ & kType)) return false;
    if (type_ == "node") {
      if ((seen_ & ~(kType | kId | kLabels | kBoundary | kProps | kSource)) || id_.empty()) {
        return false;
      }
      node_->set_id(id_.data(), id_.size());
      owned_node_.release();  // now owned by op (or its arena)
      op->set_allocated_upsert_node(node_);
      *is_edge = false;
    } else if (type_ == "edge") {
      if ((seen_ & ~(kType | kFrom | kLabel | kTo | kProps)) || !HasEndpoints()) return false;
      v1::Edge* edge = op->mutable_upsert_edge();
      SetEndpoints(edge);
      edge->mutable_props()->swap(*node_->mutable_props());  // same arena: O(1)
      *is_edge = true;
    } else if (type_ == "delete_node") {
      if ((seen_ & ~(kType | kId)) || id_.empty()) return false;
      op->set_delete_node(id_.data(), id_.size());
      *is_edge = false;
    } else if (type_ == "delete_edge") {
      if ((seen_ & ~(kType | kFrom | kLabel | kTo)) || !HasEndpoints()) return false;
      SetEndpoints(op->mutable_delete_edge());
      *is_edge = true;
    } else {
      return false;
    }
    return true;
  }

  bool HasEndpoints() const { return !from_.empty() && !label_.empty() && !to_.empty(); }

  template <class EdgeLike>
  void SetEndpoints(EdgeLike* edge) const {
    edge->set_from(from_.data(), from_.size());
    edge->set_label(label_.data(), label_.size());
    edge->set_to(to_.data(), to_.size());
  }

  od::parser parser_;
  std::string padded_;  // the line, then SIMDJSON_PADDING bytes
  uint32_t seen_ = 0;
  // Views into parser_'s string buffer, valid until the next line.
  std::string_view type_, id_, from_, label_, to_;
  // Labels, boundary, props and source go straight into node_; an edge takes
  // its props from there.
  v1::Node* node_ = nullptr;
  std::unique_ptr<v1::Node> owned_node_;  // node_ when it is on the heap
};

JsonlOpParser::JsonlOpParser() : handler_(new Handler) {}
JsonlOpParser::~JsonlOpParser() { delete handler_; }

absl::Status JsonlOpParser::Parse(std::string_view line, v1::WriteOp* op) {
  if (handler_->Parse(line, op, &last_was_edge_)) return absl::OkStatus();
  // The slow path decides, and words the error.
  absl::StatusOr<v1::WriteOp> parsed = ParseImportLine(line);
  if (!parsed.ok()) return parsed.status();
  *op = *std::move(parsed);
  last_was_edge_ = op->has_upsert_edge() || op->has_delete_edge();
  return absl::OkStatus();
}

}  // namespace ctxgraph::client
