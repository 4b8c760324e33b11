#include "client/jsonl_op_parser.h"

#include <cstdint>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <utility>

#include "client/json_codec.h"
#include "client/jsonl_reader.h"
#include "client/rfc3339.h"

namespace ctxgraph::client {

namespace v1 = ::ctxgraph::v1;

// SAX events -> the parts of one op. Every event returns false (stopping the
// parse) at the first thing the fast path does not handle; the caller then
// falls back to ParseImportLine. Nothing here builds error messages.
class JsonlOpParser::Handler {
 public:
  using json = nlohmann::json;

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
    state_ = State::kStart;
    seen_ = 0;
    source_seen_ = 0;
    type_.clear();
    id_.clear();
    from_.clear();
    label_.clear();
    to_.clear();
    node_ = google::protobuf::Arena::CreateMessage<v1::Node>(arena);
    owned_node_.reset(arena == nullptr ? node_ : nullptr);
  }

  // After a successful sax_parse: checks the key set and required fields and
  // moves the parts into `op` (on the arena given to Reset). False when
  // ParseImportLine would refuse.
  bool Build(v1::WriteOp* op, bool* is_edge) {
    if (state_ != State::kDone || !(seen_ & kType)) return false;
    if (type_ == "node") {
      if ((seen_ & ~(kType | kId | kLabels | kBoundary | kProps | kSource)) || id_.empty()) {
        return false;
      }
      node_->set_id(id_);
      owned_node_.release();  // now owned by op (or its arena)
      op->set_allocated_upsert_node(node_);
      *is_edge = false;
    } else if (type_ == "edge") {
      if ((seen_ & ~(kType | kFrom | kLabel | kTo | kProps)) || !HasEndpoints()) return false;
      v1::Edge* edge = op->mutable_upsert_edge();
      edge->set_from(from_);
      edge->set_label(label_);
      edge->set_to(to_);
      edge->mutable_props()->swap(*node_->mutable_props());  // same arena: O(1)
      *is_edge = true;
    } else if (type_ == "delete_node") {
      if ((seen_ & ~(kType | kId)) || id_.empty()) return false;
      op->set_delete_node(id_);
      *is_edge = false;
    } else if (type_ == "delete_edge") {
      if ((seen_ & ~(kType | kFrom | kLabel | kTo)) || !HasEndpoints()) return false;
      v1::EdgeRef* ref = op->mutable_delete_edge();
      ref->set_from(from_);
      ref->set_label(label_);
      ref->set_to(to_);
      *is_edge = true;
    } else {
      return false;
    }
    return true;
  }

  // --- nlohmann SAX interface ---
  bool null() { return false; }
  bool boolean(bool b) {
    v1::Value* value = NewValue();
    if (value == nullptr) return false;
    value->set_bool_value(b);
    return true;
  }
  bool number_integer(json::number_integer_t i) {
    v1::Value* value = NewValue();
    if (value == nullptr) return false;
    value->set_int_value(i);
    return true;
  }
  bool number_unsigned(json::number_unsigned_t u) {
    if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return false;
    return number_integer(static_cast<int64_t>(u));
  }
  bool number_float(json::number_float_t d, const std::string& lexeme) {
    // An integer too large for 64 bits arrives here too: ParseImportLine names it.
    if (lexeme.find_first_of(".eE") == std::string::npos) return false;
    v1::Value* value = NewValue();
    if (value == nullptr) return false;
    value->set_double_value(d);
    return true;
  }
  bool string(std::string& s) {
    switch (state_) {
      case State::kTop:
        switch (top_key_) {
          case kType:
            type_.assign(s);
            return true;
          case kId:
            id_.assign(s);
            return true;
          case kFrom:
            from_.assign(s);
            return true;
          case kLabel:
            label_.assign(s);
            return true;
          case kTo:
            to_.assign(s);
            return true;
          default:
            return false;
        }
      case State::kStringList:
        if (s.empty()) return false;
        (top_key_ == kLabels ? node_->add_labels() : node_->add_boundary())->assign(s);
        return true;
      case State::kProps:
      case State::kPropList: {
        v1::Value* value = NewValue();
        if (value == nullptr) return false;
        if (LooksLikeTimestamp(s)) {
          if (auto ts = ParseRfc3339Utc(s)) {
            *value->mutable_timestamp_value() = *std::move(ts);
            return true;
          }
        }
        value->set_string_value(std::move(s));
        return true;
      }
      case State::kSource:
        if (source_key_ == 1) {
          node_->mutable_source()->set_system(s);
        } else if (source_key_ == 2) {
          node_->mutable_source()->set_uri(s);
        } else {
          absl::StatusOr<v1::Authority> authority = ParseAuthority(s);
          if (!authority.ok()) return false;
          node_->mutable_source()->set_authority(*authority);
        }
        return true;
      default:
        return false;
    }
  }
  bool binary(json::binary_t&) { return false; }
  bool start_object(std::size_t) {
    if (state_ == State::kStart) {
      state_ = State::kTop;
      return true;
    }
    if (state_ != State::kTop) return false;
    if (top_key_ == kProps) {
      state_ = State::kProps;
      return true;
    }
    if (top_key_ == kSource) {
      node_->mutable_source();  // "source": {} still sets a source
      state_ = State::kSource;
      return true;
    }
    return false;
  }
  bool key(std::string& k) {
    if (state_ == State::kTop) {
      const uint32_t key = TopKey(k);
      if (key == 0 || (seen_ & key)) return false;
      seen_ |= key;
      top_key_ = static_cast<Key>(key);
      return true;
    }
    if (state_ == State::kProps) {
      if (node_->props().contains(k)) return false;
      prop_key_.assign(k);
      return true;
    }
    if (state_ == State::kSource) {
      source_key_ = k == "system" ? 1 : k == "uri" ? 2 : k == "authority" ? 4 : 0;
      if (source_key_ == 0 || (source_seen_ & source_key_)) return false;
      source_seen_ |= source_key_;
      return true;
    }
    return false;
  }
  bool end_object() {
    if (state_ == State::kTop) {
      state_ = State::kDone;
    } else if (state_ == State::kProps || state_ == State::kSource) {
      state_ = State::kTop;
    } else {
      return false;
    }
    return true;
  }
  bool start_array(std::size_t) {
    if (state_ == State::kTop && (top_key_ == kLabels || top_key_ == kBoundary)) {
      state_ = State::kStringList;
      return true;
    }
    if (state_ == State::kProps) {
      list_ = (*node_->mutable_props())[prop_key_].mutable_list_value();
      state_ = State::kPropList;
      return true;
    }
    return false;
  }
  bool end_array() {
    if (state_ == State::kStringList) {
      state_ = State::kTop;
    } else if (state_ == State::kPropList) {
      state_ = State::kProps;
    } else {
      return false;
    }
    return true;
  }
  template <class Exception>
  bool parse_error(std::size_t, const std::string&, const Exception&) {
    return false;
  }

 private:
  enum class State { kStart, kTop, kStringList, kProps, kPropList, kSource, kDone };

  static uint32_t TopKey(const std::string& k) {
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

  // The exact shape ParseRfc3339Utc accepts is at least "YYYY-MM-DDTHH:MM:SSZ";
  // skip the full parse for strings that cannot be one.
  static bool LooksLikeTimestamp(const std::string& s) {
    return s.size() >= 20 && s[4] == '-' && s[10] == 'T' && s.back() == 'Z';
  }

  // The Value a scalar goes to: the current prop, or a new element of the
  // current prop list; nullptr where a scalar is not allowed.
  v1::Value* NewValue() {
    if (state_ == State::kProps) return &(*node_->mutable_props())[prop_key_];
    if (state_ == State::kPropList) return list_->add_values();
    return nullptr;
  }

  bool HasEndpoints() const { return !from_.empty() && !label_.empty() && !to_.empty(); }

  State state_ = State::kStart;
  uint32_t seen_ = 0;
  Key top_key_ = kType;
  uint32_t source_seen_ = 0;
  uint32_t source_key_ = 0;
  std::string type_, id_, from_, label_, to_;
  // Labels, boundary, props and source go straight into node_; an edge takes
  // its props from there.
  v1::Node* node_ = nullptr;
  std::unique_ptr<v1::Node> owned_node_;  // node_ when it is on the heap
  std::string prop_key_;
  v1::ValueList* list_ = nullptr;  // the prop list being filled, inside node_
};

JsonlOpParser::JsonlOpParser() : handler_(new Handler) {}
JsonlOpParser::~JsonlOpParser() { delete handler_; }

absl::Status JsonlOpParser::Parse(std::string_view line, v1::WriteOp* op) {
  handler_->Reset(op->GetArena());
  bool ok = false;
  try {
    // A NUL byte ends nlohmann's input: leave such a line to the slow path,
    // which refuses it.
    ok = line.find('\0') == std::string_view::npos && nlohmann::json::sax_parse(line, handler_) &&
         handler_->Build(op, &last_was_edge_);
  } catch (const nlohmann::json::exception&) {
    ok = false;  // not expected: the handler never asks for exceptions
  }
  if (ok) return absl::OkStatus();
  // The slow path decides, and words the error.
  absl::StatusOr<v1::WriteOp> parsed = ParseImportLine(line);
  if (!parsed.ok()) return parsed.status();
  *op = *std::move(parsed);
  last_was_edge_ = op->has_upsert_edge() || op->has_delete_edge();
  return absl::OkStatus();
}

}  // namespace ctxgraph::client
