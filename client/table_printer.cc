#include "client/table_printer.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_format.h"

namespace ctxgraph::client {
namespace {

size_t DisplayWidth(const std::string& text) {
  size_t width = 0;
  for (const char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++width;  // skip continuation bytes
  }
  return width;
}

// Cells hold server data (prop values, descriptions, reasons, snippets)
// that anyone who may write can set: no control character reaches the
// terminal, where ESC sequences could hide text, move the cursor over
// other rows or retitle the window.
std::string EscapeControl(std::string cell) {
  std::string out;
  out.reserve(cell.size());
  for (size_t i = 0; i < cell.size(); ++i) {
    const char c = cell[i];
    const auto byte = static_cast<unsigned char>(c);
    const auto next = i + 1 < cell.size() ? static_cast<unsigned char>(cell[i + 1]) : 0;
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (byte < 0x20 || byte == 0x7f) {
      out += absl::StrFormat("\\x%02x", byte);
    } else if (byte == 0xc2 && next >= 0x80 && next <= 0x9f) {  // U+0080..U+009F
      out += absl::StrFormat("\\u%04x", next);
      ++i;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

void PrintRow(std::ostream& out, const std::vector<std::string>& cells,
              const std::vector<size_t>& widths) {
  // Trailing empty cells print nothing, so rows carry no trailing spaces.
  size_t last = cells.size();
  while (last > 0 && cells[last - 1].empty()) --last;
  for (size_t i = 0; i < last; ++i) {
    out << cells[i];
    if (i + 1 < last) out << std::string(widths[i] - DisplayWidth(cells[i]) + 2, ' ');
  }
  out << "\n";
}

}  // namespace

TablePrinter::TablePrinter(std::vector<std::string> headers) : headers_(std::move(headers)) {}

void TablePrinter::AddRow(std::vector<std::string> cells) {
  for (std::string& cell : cells) cell = EscapeControl(std::move(cell));
  rows_.push_back(std::move(cells));
}

void TablePrinter::Print(std::ostream& out) const {
  size_t columns = headers_.size();
  for (const auto& row : rows_) columns = std::max(columns, row.size());
  std::vector<size_t> widths(columns, 0);
  auto measure = [&widths](const std::vector<std::string>& cells) {
    for (size_t i = 0; i < cells.size(); ++i) {
      widths[i] = std::max(widths[i], DisplayWidth(cells[i]));
    }
  };
  measure(headers_);
  for (const auto& row : rows_) measure(row);
  if (!headers_.empty()) PrintRow(out, headers_, widths);
  for (const auto& row : rows_) PrintRow(out, row, widths);
}

}  // namespace ctxgraph::client
