#include "client/input_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string_view>
#include <utility>

#include "absl/strings/str_cat.h"

namespace ctxgraph::client {
namespace {

constexpr size_t kReadBufferBytes = 1 << 20;
constexpr unsigned kGzipBufferBytes = 1 << 18;

absl::Status OpenError(const std::string& path) {
  return absl::InvalidArgumentError(
      absl::StrCat("cannot open \"", path, "\": ", std::strerror(errno)));
}

}  // namespace

absl::StatusOr<std::unique_ptr<InputFile>> InputFile::Open(const std::string& path) {
  // Opened without blocking: opening a named pipe would wait for a writer.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return OpenError(path);
  struct stat st;
  if (::fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
    if (S_ISDIR(st.st_mode)) errno = EISDIR;
    const absl::Status error = OpenError(path);
    ::close(fd);
    return error;
  }
  if (!S_ISREG(st.st_mode)) {
    // A pipe would be read once: the edge pass of a JSONL file, and a CSV
    // file after its header was checked, would find nothing (and say so
    // nowhere).
    ::close(fd);
    return absl::InvalidArgumentError(
        absl::StrCat("\"", path,
                     "\": not a regular file (a pipe or a device); an import reads its inputs "
                     "more than once: save it to a file first"));
  }
  if (::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0) {
    const absl::Status error = OpenError(path);
    ::close(fd);
    return error;
  }
  unsigned char magic[2] = {0, 0};
  const ssize_t n = ::pread(fd, magic, 2, 0);
  if (n == 2 && magic[0] == 0x1f && magic[1] == 0x8b) {
    gzFile gz = gzdopen(fd, "rb");  // owns fd from here on
    if (gz == nullptr) {
      ::close(fd);
      return absl::ResourceExhaustedError(absl::StrCat("\"", path, "\": cannot start zlib"));
    }
    gzbuffer(gz, kGzipBufferBytes);
    return std::unique_ptr<InputFile>(
        new InputFile(path, -1, gz, static_cast<uint64_t>(st.st_size)));
  }
  // Sequential reads of a file read twice: ask for aggressive readahead.
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  return std::unique_ptr<InputFile>(
      new InputFile(path, fd, nullptr, static_cast<uint64_t>(st.st_size)));
}

InputFile::InputFile(std::string path, int fd, gzFile gz, uint64_t file_size)
    : path_(std::move(path)), fd_(fd), gz_(gz), file_size_(file_size) {}

InputFile::~InputFile() {
  if (gz_ != nullptr) gzclose(gz_);
  if (fd_ >= 0) ::close(fd_);
}

absl::StatusOr<size_t> InputFile::Read(char* buffer, size_t size) {
  if (gz_ != nullptr) {
    const int n = gzread(gz_, buffer, static_cast<unsigned>(std::min<size_t>(size, 1u << 30)));
    int errnum = Z_OK;
    const char* raw = gzerror(gz_, &errnum);
    if (n < 0 || (n == 0 && errnum == Z_BUF_ERROR)) {  // Z_BUF_ERROR at EOF: truncated
      // zlib names the file "<fd:N>: " (gzdopen); we name it by path instead.
      std::string_view message = raw != nullptr ? raw : "unknown";
      if (message.starts_with("<fd:"))
        message.remove_prefix(std::min(message.size(), message.find(": ") + 2));
      return absl::DataLossError(
          absl::StrCat("\"", path_, "\": corrupt gzip data: ", std::string(message)));
    }
    return static_cast<size_t>(n);
  }
  while (true) {
    const ssize_t n = ::read(fd_, buffer, size);
    if (n >= 0) {
      plain_consumed_ += static_cast<uint64_t>(n);
      return static_cast<size_t>(n);
    }
    if (errno != EINTR) {
      return absl::DataLossError(
          absl::StrCat("\"", path_, "\": read failed: ", std::strerror(errno)));
    }
  }
}

uint64_t InputFile::bytes_consumed() const {
  if (gz_ != nullptr) {
    const z_off_t offset = gzoffset(gz_);
    return offset < 0 ? 0 : static_cast<uint64_t>(offset);
  }
  return plain_consumed_;
}

LineReader::LineReader(std::unique_ptr<InputFile> file)
    : file_(std::move(file)), buffer_(kReadBufferBytes, '\0') {}

bool LineReader::Fill() {
  if (eof_ || !status_.ok()) return false;
  // Move the partial line to the front; grow when it fills the buffer.
  if (begin_ > 0) {
    std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (end_ == buffer_.size()) buffer_.resize(buffer_.size() * 2);
  absl::StatusOr<size_t> n = file_->Read(buffer_.data() + end_, buffer_.size() - end_);
  if (!n.ok()) {
    status_ = n.status();
    return false;
  }
  if (*n == 0) {
    eof_ = true;
    return false;
  }
  end_ += *n;
  return true;
}

bool LineReader::Next(std::string_view* line) {
  size_t scanned = begin_;
  while (true) {
    const void* newline = std::memchr(buffer_.data() + scanned, '\n', end_ - scanned);
    if (newline != nullptr) {
      const size_t pos = static_cast<const char*>(newline) - buffer_.data();
      size_t length = pos - begin_;
      if (length > 0 && buffer_[pos - 1] == '\r') --length;
      *line = std::string_view(buffer_.data() + begin_, length);
      begin_ = pos + 1;
      ++line_number_;
      return true;
    }
    const size_t scanned_offset = end_ - begin_;  // Fill moves the data to the front
    if (!Fill()) break;
    scanned = scanned_offset;
  }
  if (!status_.ok() || begin_ == end_) return false;
  // The last line has no terminator.
  size_t length = end_ - begin_;
  if (buffer_[end_ - 1] == '\r') --length;
  *line = std::string_view(buffer_.data() + begin_, length);
  begin_ = end_;
  ++line_number_;
  return true;
}

}  // namespace ctxgraph::client
