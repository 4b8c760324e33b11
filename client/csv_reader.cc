#include "client/csv_reader.h"

#include <algorithm>
#include <string_view>
#include <utility>

#include "absl/strings/str_cat.h"

namespace ctxgraph::client {
CsvReader::CsvReader(std::unique_ptr<InputFile> file, size_t buffer_bytes)
    : file_(std::move(file)), input_(std::max<size_t>(buffer_bytes, 1), '\0') {
  next_ = CsvPosition{1, 1};
}

std::string CsvReader::Locate(const std::string& file, CsvPosition position,
                              absl::string_view message) {
  return absl::StrCat(file, ":", position.line, ":", position.column, ": ", message);
}

bool CsvReader::Refill() {
  if (!status_.ok()) return false;
  absl::StatusOr<size_t> n = file_->Read(input_.data(), input_.size());
  if (!n.ok()) {
    status_ = n.status();
    return false;
  }
  pos_ = 0;
  end_ = *n;
  if (first_read_) {
    // A UTF-8 byte order mark (Excel writes one) is not part of the first
    // header; columns are counted after it. (A buffer shorter than the mark
    // only happens in tests, with a mark cut in two: left as it is.)
    first_read_ = false;
    constexpr std::string_view kBom = "\xEF\xBB\xBF";
    if (std::string_view(input_.data(), end_).starts_with(kBom)) pos_ = kBom.size();
    if (pos_ == end_) return Refill();
  }
  return end_ > 0;
}

int CsvReader::Peek() {
  if (pos_ == end_ && !Refill()) return kEof;
  return static_cast<unsigned char>(input_[pos_]);
}

int CsvReader::Get() {
  const int c = Peek();
  if (c == kEof) return kEof;
  ++pos_;
  if (c == '\n') {
    ++next_.line;
    next_.column = 1;
  } else {
    ++next_.column;
  }
  return c;
}

void CsvReader::SkipRestOfLine() {
  for (int c = Get(); c != kEof && c != '\n'; c = Get()) {
  }
}

bool CsvReader::Next(CsvRecord* record) {
  record->fields.clear();
  record->error.clear();
  text_.clear();
  offsets_.clear();
  // Skip blank lines.
  while (true) {
    const int c = Peek();
    if (c == kEof) return false;
    if (c == '\n') {
      Get();
      continue;
    }
    if (c == '\r') {
      Get();
      if (Peek() == '\n') {
        Get();
        continue;
      }
      // A lone \r starts a field; put it back into the text below.
      record->position = CsvPosition{next_.line, next_.column - 1};
      offsets_.push_back(0);
      record->fields.push_back(CsvField{{}, record->position, false});
      text_.push_back('\r');
      break;
    }
    record->position = next_;
    break;
  }

  bool in_field = !record->fields.empty();  // a field is already open (lone \r case)
  while (true) {
    if (!in_field) {
      offsets_.push_back(text_.size());
      record->fields.push_back(CsvField{{}, next_, false});
    }
    in_field = false;
    CsvField& field = record->fields.back();
    int c = Peek();
    bool end_of_record = false;
    if (c == '"' && text_.size() == offsets_.back()) {
      // Quoted field.
      field.quoted = true;
      const CsvPosition open = next_;
      Get();
      while (true) {
        c = Get();
        if (c == kEof) {
          record->error = absl::StrCat("quoted field opened at line ", open.line, ", column ",
                                       open.column, " is not closed before the end of the file");
          record->error_position = open;
          return status_.ok();
        }
        if (c == '"') {
          if (Peek() == '"') {
            Get();
            text_.push_back('"');
            continue;
          }
          break;
        }
        text_.push_back(static_cast<char>(c));
      }
      // After the closing quote: ',' or the end of the line/file.
      const CsvPosition after = next_;
      c = Get();
      if (c == '\r' && Peek() == '\n') c = Get();
      if (c == kEof || c == '\n') {
        end_of_record = true;
      } else if (c != ',') {
        record->error = absl::StrCat("unexpected character '", std::string(1, static_cast<char>(c)),
                                     "' after a closing quote (want ',' or end of line)");
        record->error_position = after;
        SkipRestOfLine();
        return status_.ok();
      }
    } else {
      while (true) {
        c = Peek();
        if (c == kEof || c == '\n' || c == ',') {
          Get();
          end_of_record = c != ',';
          break;
        }
        if (c == '"') {
          record->error = "unexpected '\"' in an unquoted field";
          record->error_position = next_;
          SkipRestOfLine();
          return status_.ok();
        }
        Get();
        if (c == '\r' && Peek() == '\n') continue;  // part of the \r\n terminator
        text_.push_back(static_cast<char>(c));
      }
    }
    if (end_of_record) break;
  }
  // text_ no longer grows: make the views.
  for (size_t i = 0; i < record->fields.size(); ++i) {
    const size_t begin = offsets_[i];
    const size_t end = i + 1 < offsets_.size() ? offsets_[i + 1] : text_.size();
    record->fields[i].text = std::string_view(text_).substr(begin, end - begin);
  }
  return status_.ok();
}

}  // namespace ctxgraph::client
