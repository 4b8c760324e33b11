#include "client/table_printer.h"

#include <algorithm>
#include <utility>

#include "client/control_chars.h"

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
// terminal (AppendControlEscape); the common three read as in C.
std::string EscapeControl(std::string cell) {
  std::string out;
  out.reserve(cell.size());
  for (size_t i = 0; i < cell.size();) {
    const char c = cell[i];
    if (c == '\n' || c == '\t' || c == '\r') {
      out += c == '\n' ? "\\n" : c == '\t' ? "\\t" : "\\r";
      ++i;
    } else if (const size_t taken = AppendControlEscape(cell, i, &out); taken > 0) {
      i += taken;
    } else {
      out.push_back(c);
      ++i;
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
