// An RFC 4180 CSV record reader: comma-separated fields, fields optionally
// enclosed in double quotes, "" inside a quoted field standing for one ",
// and line breaks (\n or \r\n) inside quoted fields kept as data.
#ifndef CTXGRAPH_CLIENT_CSV_READER_H_
#define CTXGRAPH_CLIENT_CSV_READER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "client/input_file.h"

namespace ctxgraph::client {

// Where something is in a CSV file: 1-based physical line and 1-based byte
// column within that line.
struct CsvPosition {
  uint64_t line = 0;
  uint64_t column = 0;
};

// One field of a record: its unescaped text (a view into the reader's buffer,
// valid until the next Next() call) and where it starts in the file.
struct CsvField {
  std::string_view text;
  CsvPosition position;
  bool quoted = false;
};

// A record, or the reason it is malformed.
struct CsvRecord {
  CsvPosition position;          // of its first byte
  std::vector<CsvField> fields;  // at least one for a well-formed record
  // Non-empty when the record is malformed: `error` says why and
  // `error_position` where. The reader has skipped to the end of that
  // physical line (or of the file), so the next record is read normally.
  std::string error;
  CsvPosition error_position;
};

// Reads records one at a time. Blank lines (nothing between two line breaks)
// are skipped. Malformed records (the error messages):
//   unexpected '"' in an unquoted field
//   unexpected character 'x' after a closing quote (want ',' or end of line)
//   quoted field opened at line L, column C is not closed before the end of the file
// Not thread-safe.
class CsvReader {
 public:
  static constexpr size_t kDefaultBufferBytes = 1 << 20;

  // Reads `file` `buffer_bytes` (at least 1) at a time; records may straddle
  // any number of reads.
  explicit CsvReader(std::unique_ptr<InputFile> file, size_t buffer_bytes = kDefaultBufferBytes);

  // Fills *record with the next record and returns true; returns false at
  // end of file or on a read error (status() then says which).
  bool Next(CsvRecord* record);

  const absl::Status& status() const { return status_; }
  InputFile& file() { return *file_; }

  // "FILE:LINE:COLUMN: message", the way every CSV error is named.
  static std::string Locate(const std::string& file, CsvPosition position,
                            absl::string_view message);

 private:
  static constexpr int kEof = -1;

  // The next byte (advancing line/column), or kEof.
  int Get();
  int Peek();
  bool Refill();
  void SkipRestOfLine();

  std::unique_ptr<InputFile> file_;
  std::string input_;  // raw bytes read from the file
  size_t pos_ = 0;
  size_t end_ = 0;
  bool first_read_ = true;       // a byte order mark may lead it
  CsvPosition next_;             // position of the byte Get() returns next
  std::string text_;             // unescaped field bytes of the current record
  std::vector<size_t> offsets_;  // start offset of each field in text_
  absl::Status status_;
};

}  // namespace ctxgraph::client

#endif  // CTXGRAPH_CLIENT_CSV_READER_H_
