#include "client/csv_reader.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/client/import_test_util.h"

namespace ctxgraph::client {
namespace {

using testing::TempDir;

// Each record as its fields joined by '|', or "ERR L:C message".
std::vector<std::string> ReadRecords(const std::string& content,
                                     size_t buffer_bytes = CsvReader::kDefaultBufferBytes) {
  TempDir dir;
  auto file = InputFile::Open(dir.Write("x.csv", content));
  EXPECT_TRUE(file.ok());
  CsvReader reader(*std::move(file), buffer_bytes);
  std::vector<std::string> out;
  CsvRecord record;
  while (reader.Next(&record)) {
    if (!record.error.empty()) {
      out.push_back("ERR " + std::to_string(record.error_position.line) + ":" +
                    std::to_string(record.error_position.column) + " " + record.error);
      continue;
    }
    std::string joined = std::to_string(record.position.line) + ":";
    for (size_t i = 0; i < record.fields.size(); ++i) {
      joined += (i ? "|" : "") + std::string(record.fields[i].text);
    }
    out.push_back(joined);
  }
  EXPECT_TRUE(reader.status().ok());
  return out;
}

using Records = std::vector<std::string>;

TEST(CsvReaderTest, PlainFieldsAndLineEndings) {
  EXPECT_EQ(ReadRecords("a,b,c\n1,2,3\r\n4,,6"), (Records{"1:a|b|c", "2:1|2|3", "3:4||6"}));
  EXPECT_EQ(ReadRecords("a\n\n\r\nb\n"), (Records{"1:a", "4:b"}));  // blank lines skipped
  EXPECT_EQ(ReadRecords(",\n"), (Records{"1:|"}));
  EXPECT_EQ(ReadRecords(""), (Records{}));
}

TEST(CsvReaderTest, QuotedFields) {
  EXPECT_EQ(ReadRecords("\"a,b\",\"say \"\"hi\"\"\",\"\"\n"), (Records{"1:a,b|say \"hi\"|"}));
  // Line breaks inside quotes are data, \r\n kept as is; the next record's
  // line number counts them.
  EXPECT_EQ(ReadRecords("\"x\ny\",\"p\r\nq\"\nnext\n"), (Records{"1:x\ny|p\r\nq", "4:next"}));
  EXPECT_EQ(ReadRecords("\"last\""), (Records{"1:last"}));
  EXPECT_EQ(ReadRecords("\"a\"\r\nb"), (Records{"1:a", "2:b"}));
}

TEST(CsvReaderTest, RecordsStraddlingReadsAreReadTheSame) {
  const std::string content =
      "id:ID,\"quoted, with \"\"quotes\"\"\"\r\n\"multi\nline\",x\n\nlast,\"unclosed";
  const Records expected = {"1:id:ID|quoted, with \"quotes\"", "2:multi\nline|x",
                            "ERR 5:6 quoted field opened at line 5, column 6 is not closed before "
                            "the end of the file"};
  ASSERT_EQ(ReadRecords(content), expected);
  for (size_t buffer : {0, 1, 2, 3, 5, 7, 16}) {
    EXPECT_EQ(ReadRecords(content, buffer), expected) << "buffer of " << buffer << " bytes";
  }
}

TEST(CsvReaderTest, FieldPositions) {
  TempDir dir;
  auto file = InputFile::Open(dir.Write("x.csv", "ab,\"c\nd\",e\n"));
  ASSERT_TRUE(file.ok());
  CsvReader reader(*std::move(file));
  CsvRecord record;
  ASSERT_TRUE(reader.Next(&record));
  ASSERT_EQ(record.fields.size(), 3u);
  EXPECT_EQ(record.fields[1].position.line, 1u);
  EXPECT_EQ(record.fields[1].position.column, 4u);
  EXPECT_TRUE(record.fields[1].quoted);
  EXPECT_EQ(record.fields[2].position.line, 2u);
  EXPECT_EQ(record.fields[2].position.column, 4u);
}

TEST(CsvReaderTest, MalformedRecordsNameLineAndColumnAndReadingGoesOn) {
  EXPECT_EQ(ReadRecords("ok\nab\"c\nnext\n"),
            (Records{"1:ok", "ERR 2:3 unexpected '\"' in an unquoted field", "3:next"}));
  EXPECT_EQ(ReadRecords("\"a\"b,c\nnext\n"),
            (Records{"ERR 1:4 unexpected character 'b' after a closing quote (want ',' or end "
                     "of line)",
                     "2:next"}));
  EXPECT_EQ(ReadRecords("x\ny,\"open\nmore\n"),
            (Records{"1:x",
                     "ERR 2:3 quoted field opened at line 2, column 3 is not closed "
                     "before the end of the file"}));
  EXPECT_EQ(CsvReader::Locate("n.csv", CsvPosition{3, 7}, "bad"), "n.csv:3:7: bad");
}

}  // namespace
}  // namespace ctxgraph::client
