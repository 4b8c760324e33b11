#include "client/input_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tests/client/import_test_util.h"
#include "tests/test_macros.h"

namespace ctxgraph::client {
namespace {

using testing::TempDir;

std::vector<std::string> Lines(const std::string& path) {
  auto file = InputFile::Open(path);
  EXPECT_TRUE(file.ok()) << file.status();
  LineReader reader(*std::move(file));
  std::vector<std::string> lines;
  std::string_view line;
  while (reader.Next(&line)) lines.emplace_back(line);
  EXPECT_TRUE(reader.status().ok()) << reader.status();
  return lines;
}

TEST(InputFileTest, LinesWithAndWithoutTerminators) {
  TempDir dir;
  EXPECT_EQ(Lines(dir.Write("a", "x\r\ny\n\nz")), (std::vector<std::string>{"x", "y", "", "z"}));
  EXPECT_EQ(Lines(dir.Write("b", "")), (std::vector<std::string>{}));
  EXPECT_EQ(Lines(dir.Write("c", "only\n")), (std::vector<std::string>{"only"}));
}

TEST(InputFileTest, LinesLongerThanTheBufferGrowIt) {
  TempDir dir;
  const std::string long_line(3 << 20, 'q');
  EXPECT_EQ(Lines(dir.Write("a", "s\n" + long_line + "\nt")),
            (std::vector<std::string>{"s", long_line, "t"}));
}

TEST(InputFileTest, GzipIsDecompressedAndEqualsPlain) {
  TempDir dir;
  std::string content;
  for (int i = 0; i < 100000; ++i) content += "line " + std::to_string(i) + "\n";
  const std::string gz = testing::WriteGzip(dir.Path("a.gz"), content);
  EXPECT_EQ(Lines(gz), Lines(dir.Write("a", content)));
  auto file = InputFile::Open(gz);
  ASSERT_OK(file.status());
  EXPECT_TRUE((*file)->compressed());
  std::vector<char> buffer(1 << 16);
  uint64_t total = 0;
  while (true) {
    absl::StatusOr<size_t> n = (*file)->Read(buffer.data(), buffer.size());
    ASSERT_OK(n.status());
    if (*n == 0) break;
    total += *n;
  }
  EXPECT_EQ(total, content.size());
  EXPECT_EQ((*file)->bytes_consumed(), (*file)->file_size());
}

absl::Status ReadToEnd(const std::string& path) {
  auto file = InputFile::Open(path);
  if (!file.ok()) return file.status();
  LineReader reader(*std::move(file));
  std::string_view line;
  while (reader.Next(&line)) {
  }
  return reader.status();
}

TEST(InputFileTest, CorruptOrTruncatedGzipIsDataLoss) {
  TempDir dir;
  std::string content;
  for (int i = 0; i < 20000; ++i) content += std::to_string(i * 7919 % 10007) + ",";
  const std::string good = testing::ReadAll(testing::WriteGzip(dir.Path("a.gz"), content));
  std::string corrupt = good;
  corrupt[corrupt.size() / 3] ^= 0x55;
  EXPECT_EQ(ReadToEnd(dir.Write("corrupt.gz", corrupt)).code(), absl::StatusCode::kDataLoss);
  const std::string path = dir.Write("truncated.gz", good.substr(0, good.size() - 10));
  const absl::Status truncated = ReadToEnd(path);
  EXPECT_EQ(truncated,
            absl::DataLossError("\"" + path + "\": corrupt gzip data: unexpected end of file"));
}

// `ctxgraph import /dev/stdin` or `<(zcat x.gz)`: an import reads its
// inputs twice (a JSONL file's nodes, then its edges), which a pipe cannot.
TEST(InputFileTest, APipeIsRefusedByName) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const std::string path = absl::StrCat("/proc/self/fd/", fds[0]);
  EXPECT_EQ(InputFile::Open(path).status().message(),
            absl::StrCat("\"", path,
                         "\": not a regular file (a pipe or a device); an import reads its inputs "
                         "more than once: save it to a file first"));
  ::close(fds[0]);
  ::close(fds[1]);
}

// A named pipe with no writer: refused at once, not waited on.
TEST(InputFileTest, ANamedPipeIsRefusedWithoutWaitingForAWriter) {
  TempDir dir;
  const std::string path = dir.Path("fifo");
  ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
  EXPECT_EQ(InputFile::Open(path).status().message(),
            absl::StrCat("\"", path,
                         "\": not a regular file (a pipe or a device); an import reads its inputs "
                         "more than once: save it to a file first"));
}

TEST(InputFileTest, MissingFileIsNamed) {
  EXPECT_EQ(InputFile::Open("/nonexistent/x.jsonl").status().message(),
            "cannot open \"/nonexistent/x.jsonl\": No such file or directory");
}

}  // namespace
}  // namespace ctxgraph::client
