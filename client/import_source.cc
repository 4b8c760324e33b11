#include "client/import_source.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "client/op_limits.h"

namespace ctxgraph::client {
namespace {

namespace v1 = ::ctxgraph::v1;

bool IsBlank(std::string_view text) {
  for (const char c : text) {
    if (!absl::ascii_isspace(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// Guesses from the text whether a JSONL line is an edge op: its "type"
// value is "edge" or "delete_edge". Only decides where the line is parsed;
// a wrong guess costs a copy, never correctness.
bool LooksLikeEdgeLine(std::string_view text) {
  const size_t key = text.find("\"type\"");
  if (key == std::string_view::npos) return false;
  size_t i = key + 6;
  while (i < text.size() && (text[i] == ' ' || text[i] == ':' || text[i] == '\t')) ++i;
  const std::string_view value = text.substr(i);
  return value.starts_with("\"edge\"") || value.starts_with("\"delete_edge\"");
}

class JsonlSource final : public RecordSource {
 public:
  JsonlSource(std::unique_ptr<InputFile> file, JsonlPass pass, EdgeLineSet* edges)
      : lines_(std::move(file)), pass_(pass), edges_(edges) {}

  Result Next(v1::WriteOp* op, uint64_t* line, std::string* reason) override {
    std::string_view text;
    while (lines_.Next(&text)) {
      const uint64_t number = lines_.line_number();
      if (pass_ == JsonlPass::kEdges) {
        if (!edges_->Contains(number)) continue;
      } else if (IsBlank(text)) {
        continue;
      }
      // The node pass parses edge lines only to check them: on a scratch
      // arena, so they take no room in the request being built.
      const bool scratch = pass_ == JsonlPass::kNodes && LooksLikeEdgeLine(text);
      v1::WriteOp* target = scratch ? ScratchOp() : op;
      absl::Status status = parser_.Parse(text, target);
      if (status.ok()) status = CheckValueSizes(*target, &last_op_bytes_);
      if (pass_ == JsonlPass::kEdges && (!status.ok() || !parser_.last_was_edge())) {
        // It was an edge when the node pass read it.
        target->Clear();
        changed_ = absl::DataLossError(absl::StrCat(
            "\"", lines_.file().path(), "\": line ", number,
            " changed between the node pass and the edge pass; import a file nothing writes to"));
        return Result::kEnd;
      }
      if (!status.ok()) {
        target->Clear();
        *line = number;
        *reason = std::string(status.message());
        return Result::kRejected;
      }
      if (pass_ == JsonlPass::kNodes && parser_.last_was_edge()) {
        edges_->Add(number);
        target->Clear();
        continue;
      }
      if (pass_ == JsonlPass::kLabels && !target->has_define_label()) {
        target->Clear();
        *line = number;
        *reason = "only \"boundary\" lines belong in a --labels file";
        return Result::kRejected;
      }
      if (scratch) op->CopyFrom(*target);  // a node that looked like an edge
      *line = number;
      return Result::kOp;
    }
    return Result::kEnd;
  }
  const absl::Status& status() const override { return changed_.ok() ? lines_.status() : changed_; }
  uint64_t bytes_consumed() const override { return lines_.file().bytes_consumed(); }
  uint64_t records_read() const override { return lines_.line_number(); }

 private:
  static constexpr int kScratchUses = 1024;  // parses between scratch arena resets

  v1::WriteOp* ScratchOp() {
    if (scratch_op_ == nullptr || ++scratch_uses_ >= kScratchUses) {
      scratch_arena_.Reset();
      scratch_op_ = google::protobuf::Arena::CreateMessage<v1::WriteOp>(&scratch_arena_);
      scratch_uses_ = 0;
    }
    scratch_op_->Clear();
    return scratch_op_;
  }

  LineReader lines_;
  absl::Status changed_;  // the file changed between the passes
  JsonlPass pass_;
  EdgeLineSet* edges_;
  JsonlOpParser parser_;
  google::protobuf::Arena scratch_arena_;
  v1::WriteOp* scratch_op_ = nullptr;  // on scratch_arena_
  int scratch_uses_ = 0;
};

class CsvSource final : public RecordSource {
 public:
  CsvSource(std::unique_ptr<CsvReader> reader, Neo4jCsvMapping mapping)
      : reader_(std::move(reader)), mapping_(std::move(mapping)) {}

  Result Next(v1::WriteOp* op, uint64_t* line, std::string* reason) override {
    if (!reader_->Next(&record_)) return Result::kEnd;
    ++records_;
    if (!record_.error.empty()) {
      *line = record_.error_position.line;
      *reason = absl::StrCat("column ", record_.error_position.column, ": ", record_.error);
      return Result::kRejected;
    }
    *line = record_.position.line;
    if (!mapping_.ToOp(record_, op, reason)) return Result::kRejected;
    if (absl::Status s = CheckValueSizes(*op, &last_op_bytes_); !s.ok()) {
      *reason = std::string(s.message());
      return Result::kRejected;
    }
    return Result::kOp;
  }
  const absl::Status& status() const override { return reader_->status(); }
  uint64_t bytes_consumed() const override { return reader_->file().bytes_consumed(); }
  uint64_t records_read() const override { return records_; }

 private:
  std::unique_ptr<CsvReader> reader_;
  Neo4jCsvMapping mapping_;
  CsvRecord record_;
  uint64_t records_ = 0;
};

// Opens `path` and reads its header record.
absl::StatusOr<std::unique_ptr<CsvReader>> OpenCsv(const std::string& path, CsvFileKind kind,
                                                   Neo4jCsvMapping* mapping) {
  absl::StatusOr<std::unique_ptr<InputFile>> file = InputFile::Open(path);
  if (!file.ok()) return file.status();
  auto reader = std::make_unique<CsvReader>(*std::move(file));
  CsvRecord header;
  if (!reader->Next(&header)) {
    if (!reader->status().ok()) return reader->status();
    return absl::InvalidArgumentError(CsvReader::Locate(path, {1, 1}, "no header row"));
  }
  absl::StatusOr<Neo4jCsvMapping> parsed = Neo4jCsvMapping::FromHeader(kind, path, header);
  if (!parsed.ok()) return parsed.status();
  *mapping = *std::move(parsed);
  return reader;
}

}  // namespace

absl::StatusOr<std::unique_ptr<RecordSource>> OpenJsonlSource(const std::string& path,
                                                              JsonlPass pass, EdgeLineSet* edges) {
  absl::StatusOr<std::unique_ptr<InputFile>> file = InputFile::Open(path);
  if (!file.ok()) return file.status();
  return std::make_unique<JsonlSource>(*std::move(file), pass, edges);
}

absl::StatusOr<Neo4jCsvMapping> ReadCsvHeader(const std::string& path, CsvFileKind kind) {
  Neo4jCsvMapping mapping;
  absl::StatusOr<std::unique_ptr<CsvReader>> reader = OpenCsv(path, kind, &mapping);
  if (!reader.ok()) return reader.status();
  return mapping;
}

absl::StatusOr<std::unique_ptr<RecordSource>> OpenCsvSource(const std::string& path,
                                                            CsvFileKind kind) {
  Neo4jCsvMapping mapping;
  absl::StatusOr<std::unique_ptr<CsvReader>> reader = OpenCsv(path, kind, &mapping);
  if (!reader.ok()) return reader.status();
  return std::make_unique<CsvSource>(*std::move(reader), std::move(mapping));
}

}  // namespace ctxgraph::client
