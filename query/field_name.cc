#include "query/field_name.h"

#include "absl/strings/str_cat.h"

namespace ctxgraph {

std::string Quote(std::string_view s) {
  std::string out = "\"";
  for (size_t i = 0; i < s.size() && i < 64; ++i) {
    const unsigned char c = s[i];
    if (c < 0x20 || c == 0x7F || c == '"' || c == '\\' || c >= 0x80) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    } else {
      out += static_cast<char>(c);
    }
  }
  if (s.size() > 64) out += "...";
  return out + "\"";
}

std::string FieldName::str() const {
  std::string out = parent_ != nullptr ? parent_->str() : std::string();
  switch (kind_) {
    case Kind::kText:
      out += text_;
      break;
    case Kind::kIndex:
      absl::StrAppend(&out, "[", index_, "]");
      break;
    case Kind::kKey:
      absl::StrAppend(&out, "[", Quote(text_), "]");
      break;
  }
  return out;
}

absl::Status InvalidField(const FieldName& field, std::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(field.str(), ": ", std::string(why)));
}

}  // namespace ctxgraph
