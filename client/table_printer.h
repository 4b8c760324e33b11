// Aligned plain-text tables for the CLI's human-readable output.
#ifndef CTXGRAPH_CLIENT_TABLE_PRINTER_H_
#define CTXGRAPH_CLIENT_TABLE_PRINTER_H_

#include <ostream>
#include <string>
#include <vector>

namespace ctxgraph::client {

// Collects rows, then prints them with every column padded to its widest cell
// (width counted in UTF-8 code points), two spaces between columns, and no
// trailing spaces. Newlines and tabs inside cells are shown as "\n" and "\t"
// so one row stays one line. Not thread-safe.
class TablePrinter {
 public:
  // `headers` may be empty for a header-less table (e.g. key/value listings).
  explicit TablePrinter(std::vector<std::string> headers);

  // Rows shorter than the widest row are padded with empty cells.
  void AddRow(std::vector<std::string> cells);

  size_t row_count() const { return rows_.size(); }

  void Print(std::ostream& out) const;

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace ctxgraph::client

#endif  // CTXGRAPH_CLIENT_TABLE_PRINTER_H_
