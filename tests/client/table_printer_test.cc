#include "client/table_printer.h"

#include <gtest/gtest.h>

#include <sstream>

namespace ctxgraph::client {
namespace {

TEST(TablePrinterTest, AlignsColumnsWithoutTrailingSpaces) {
  TablePrinter table({"ID", "LABELS", "VERSION"});
  table.AddRow({"doc-1", "Document", "3"});
  table.AddRow({"person-alice", "", "12"});
  table.AddRow({"x", "Person,Employee"});  // short row: padded, not misaligned
  std::ostringstream out;
  table.Print(out);
  EXPECT_EQ(out.str(),
            "ID            LABELS           VERSION\n"
            "doc-1         Document         3\n"
            "person-alice                   12\n"
            "x             Person,Employee\n");
}

TEST(TablePrinterTest, CountsCodePointsAndEscapesNewlines) {
  TablePrinter table({});
  table.AddRow({"café", "a"});
  table.AddRow({"line\nbreak", "b"});
  std::ostringstream out;
  table.Print(out);
  EXPECT_EQ(out.str(),
            "café         a\n"
            "line\\nbreak  b\n");
}

TEST(TablePrinterTest, NoControlCharacterReachesTheTerminal) {
  TablePrinter table({});
  // ESC sequences (hide, cursor up, erase line), BEL, DEL and a C1 CSI.
  table.AddRow({"\x1b[8mhidden\x1b[0m\x1b[1A\x1b[2K",
                "\a\x7f\xc2\x9b"
                "2J"});
  std::ostringstream out;
  table.Print(out);
  EXPECT_EQ(out.str(), "\\x1b[8mhidden\\x1b[0m\\x1b[1A\\x1b[2K  \\x07\\x7f\\u009b2J\n");
}

}  // namespace
}  // namespace ctxgraph::client
