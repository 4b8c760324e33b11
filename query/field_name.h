// FieldName: the path of a request field, such as
// ops[3].upsert_node.props["k"], spelled out only when an error names it. A
// bulk import converts and checks millions of fields and names none, and
// building each name eagerly (a few allocations per op) cost a load's
// importing thread more than the checks themselves.
#ifndef CTXGRAPH_QUERY_FIELD_NAME_H_
#define CTXGRAPH_QUERY_FIELD_NAME_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace ctxgraph {

// Quotes a client string for an error message, keeping it short (64 bytes,
// then "...") and printable (\xNN for control, quote, backslash and
// non-ASCII bytes).
std::string Quote(std::string_view s);

// Refers to its parent and its text, which must outlive it: build one where
// it is used, as an argument or a local.
class FieldName {
 public:
  explicit FieldName(std::string_view root) : text_(root) {}
  // `parent` then `member`, which brings its own dot (".id").
  FieldName(const FieldName& parent, std::string_view member) : parent_(&parent), text_(member) {}
  // parent[index]
  FieldName(const FieldName& parent, size_t index)
      : parent_(&parent), kind_(Kind::kIndex), index_(index) {}
  // parent["key"], the key quoted (Quote)
  static FieldName Key(const FieldName& parent, std::string_view key) {
    FieldName f(parent, key);
    f.kind_ = Kind::kKey;
    return f;
  }

  std::string str() const;

 private:
  enum class Kind { kText, kIndex, kKey };
  const FieldName* parent_ = nullptr;
  Kind kind_ = Kind::kText;
  std::string_view text_;
  size_t index_ = 0;
};

// INVALID_ARGUMENT "<field>: <why>".
absl::Status InvalidField(const FieldName& field, std::string_view why);

}  // namespace ctxgraph

#endif  // CTXGRAPH_QUERY_FIELD_NAME_H_
