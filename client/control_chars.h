// Control characters in text that reaches a terminal or a one-line record.
#ifndef CTXGRAPH_CLIENT_CONTROL_CHARS_H_
#define CTXGRAPH_CLIENT_CONTROL_CHARS_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace ctxgraph::client {

// When `text` holds a control character at `i` (C0 and DEL as one byte, C1
// as U+0080..U+009F's two UTF-8 bytes), appends its escape to `out` ("\x1b",
// "\x7f", "\u009b") and returns the bytes it took; else appends nothing and
// returns 0. Server data (prop values, descriptions, reasons) may hold any
// of them: shown raw, ESC sequences can hide text, move the cursor or
// retitle a terminal, and a newline can forge a line.
size_t AppendControlEscape(std::string_view text, size_t i, std::string* out);

}  // namespace ctxgraph::client

#endif  // CTXGRAPH_CLIENT_CONTROL_CHARS_H_
