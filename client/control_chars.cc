#include "client/control_chars.h"

#include "absl/strings/str_format.h"

namespace ctxgraph::client {

size_t AppendControlEscape(std::string_view text, size_t i, std::string* out) {
  const auto byte = static_cast<unsigned char>(text[i]);
  if (byte < 0x20 || byte == 0x7f) {
    *out += absl::StrFormat("\\x%02x", byte);
    return 1;
  }
  const auto next = i + 1 < text.size() ? static_cast<unsigned char>(text[i + 1]) : 0;
  if (byte == 0xc2 && next >= 0x80 && next <= 0x9f) {
    *out += absl::StrFormat("\\u%04x", next);
    return 2;
  }
  return 0;
}

}  // namespace ctxgraph::client
