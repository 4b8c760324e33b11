// Reading import inputs: plain or gzip-compressed files, streamed in fixed
// buffers, never loaded whole.
#ifndef CTXGRAPH_CLIENT_INPUT_FILE_H_
#define CTXGRAPH_CLIENT_INPUT_FILE_H_

#include <zlib.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace ctxgraph::client {

// One open input file. A file whose first two bytes are the gzip magic
// (1f 8b) is decompressed on the fly with zlib (multi-member files included);
// any other file is read as is. Not thread-safe; movable only through the
// unique_ptr Open returns.
class InputFile {
 public:
  // Opens `path`. Errors are INVALID_ARGUMENT:
  //   cannot open "P": <strerror>
  //   "P": not a regular file (a pipe or a device); ... (inputs are read
  //   more than once)
  static absl::StatusOr<std::unique_ptr<InputFile>> Open(const std::string& path);
  ~InputFile();

  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;

  // Reads up to `size` decompressed bytes into `buffer`; 0 means end of file.
  // Errors are DATA_LOSS and name the file: "P": corrupt gzip data: <zlib msg>.
  absl::StatusOr<size_t> Read(char* buffer, size_t size);

  bool compressed() const { return gz_ != nullptr; }
  // Bytes of the file on disk consumed so far (compressed bytes for gzip),
  // and its size on disk: for progress, so both count the same thing.
  uint64_t bytes_consumed() const;
  uint64_t file_size() const { return file_size_; }
  const std::string& path() const { return path_; }

 private:
  InputFile(std::string path, int fd, gzFile gz, uint64_t file_size);

  std::string path_;
  int fd_;     // the plain file; -1 when gz_ owns it
  gzFile gz_;  // non-null for gzip input
  uint64_t file_size_;
  uint64_t plain_consumed_ = 0;
};

// Splits an InputFile into lines ("\n" or "\r\n" terminated; the last line
// may lack its terminator). Lines are returned without their terminator as
// views into an internal buffer that stays valid until the next call. A line
// longer than the buffer grows it; memory is bounded by the longest line.
class LineReader {
 public:
  explicit LineReader(std::unique_ptr<InputFile> file);

  // Sets *line to the next line and returns true, or returns false at end of
  // file or on a read error (then status() says which).
  bool Next(std::string_view* line);

  const absl::Status& status() const { return status_; }
  uint64_t line_number() const { return line_number_; }  // of the last line returned
  InputFile& file() { return *file_; }
  const InputFile& file() const { return *file_; }

 private:
  bool Fill();  // reads more input after the unconsumed bytes; false at EOF/error

  std::unique_ptr<InputFile> file_;
  std::string buffer_;
  size_t begin_ = 0;  // first unconsumed byte
  size_t end_ = 0;    // one past the last valid byte
  bool eof_ = false;
  uint64_t line_number_ = 0;
  absl::Status status_;
};

}  // namespace ctxgraph::client

#endif  // CTXGRAPH_CLIENT_INPUT_FILE_H_
