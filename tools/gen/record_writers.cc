#include "tools/gen/record_writers.h"

#include <cerrno>
#include <cstring>
#include <utility>

namespace ctxgraph::gen {
namespace {

constexpr std::string_view kNodesCsvHeader =
    "id:ID,:LABEL,boundary:string[],title,text,created_at:datetime,page_count:int,"
    "confidence:double,draft:boolean,tags:string[],source_system,source_uri,source_authority\n";
constexpr std::string_view kRelationshipsCsvHeader = ":START_ID,:END_ID,:TYPE,weight:double\n";

void AppendInt(int64_t value, std::string* out) {
  char digits[24];
  int n = 0;
  const bool negative = value < 0;
  uint64_t v = negative ? 0 - static_cast<uint64_t>(value) : static_cast<uint64_t>(value);
  do {
    digits[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  if (negative) out->push_back('-');
  while (n > 0) out->push_back(digits[--n]);
}

// "0." followed by `value` zero-padded to `width` digits: 87 -> "0.87".
void AppendFraction(uint32_t value, int width, std::string* out) {
  out->append("0.");
  char buf[8];
  for (int i = width - 1; i >= 0; --i, value /= 10) buf[i] = static_cast<char>('0' + value % 10);
  out->append(buf, width);
}

std::string ErrnoMessage(const std::filesystem::path& path, int error) {
  return path.string() + ": " + std::strerror(error);
}

// {"type":"boundary","name":..,"description":..,"propagate":..} and a newline.
void AppendLabelLine(const LabelRecord& label, std::string* out) {
  out->append(R"({"type":"boundary","name":)");
  AppendJsonString(label.name, out);
  out->append(R"(,"description":)");
  AppendJsonString(label.description, out);
  out->append(label.propagate ? R"(,"propagate":true})" : R"(,"propagate":false})");
  out->push_back('\n');
}

class JsonlSink final : public GraphSink {
 public:
  absl::Status Open(const std::filesystem::path& dir) { return file_.Open(dir / "graph.jsonl"); }

  void WriteLabel(const LabelRecord& label) override {
    AppendLabelLine(label, file_.buffer());
    file_.MaybeFlush();
  }

  void WriteNode(const NodeRecord& node) override {
    std::string& out = *file_.buffer();
    out.append(R"({"type":"node","id":)");
    AppendJsonString(node.id, &out);
    out.append(R"(,"labels":[")");
    out.append(TypeLabel(node.type));
    out.append(R"("],"boundary":[)");
    for (size_t i = 0; i < node.boundary.size(); ++i) {
      if (i > 0) out.push_back(',');
      AppendJsonString(node.boundary[i], &out);
    }
    // Keys in sorted order.
    out.append(R"(],"props":{)");
    if (node.confidence_pct) {
      out.append(R"("confidence":)");
      AppendFraction(*node.confidence_pct, 2, &out);
      out.push_back(',');
    }
    out.append(R"("created_at":")");
    AppendRfc3339(node.created_at, &out);
    out.push_back('"');
    if (node.draft) out.append(*node.draft ? R"(,"draft":true)" : R"(,"draft":false)");
    if (node.page_count) {
      out.append(R"(,"page_count":)");
      AppendInt(*node.page_count, &out);
    }
    if (!node.tags.empty()) {
      out.append(R"(,"tags":[)");
      for (size_t i = 0; i < node.tags.size(); ++i) {
        if (i > 0) out.push_back(',');
        AppendJsonString(node.tags[i], &out);
      }
      out.push_back(']');
    }
    if (node.text) {
      out.append(R"(,"text":)");
      AppendJsonString(*node.text, &out);
    }
    if (node.title) {
      out.append(R"(,"title":)");
      AppendJsonString(*node.title, &out);
    }
    out.append(R"(},"source":{"system":)");
    AppendJsonString(node.source_system, &out);
    out.append(R"(,"uri":)");
    AppendJsonString(node.source_uri, &out);
    out.append(R"(,"authority":)");
    AppendJsonString(node.source_authority, &out);
    out.append("}}\n");
    file_.MaybeFlush();
  }

  void WriteEdge(const EdgeRecord& edge) override {
    std::string& out = *file_.buffer();
    out.append(R"({"type":"edge","from":)");
    AppendJsonString(edge.from, &out);
    out.append(R"(,"to":)");
    AppendJsonString(edge.to, &out);
    out.append(R"(,"label":)");
    AppendJsonString(edge.label, &out);
    if (edge.weight_milli) {
      out.append(R"(,"props":{"weight":)");
      AppendFraction(*edge.weight_milli, 3, &out);
      out.append("}}\n");
    } else {
      out.append(R"(,"props":{}})"
                 "\n");
    }
    file_.MaybeFlush();
  }

  absl::Status Close() override { return file_.Close(); }
  uint64_t bytes() const override { return file_.bytes(); }

 private:
  OutputFile file_;
};

class CsvSink final : public GraphSink {
 public:
  absl::Status Open(const std::filesystem::path& dir) {
    if (absl::Status s = nodes_.Open(dir / "nodes.csv"); !s.ok()) return s;
    if (absl::Status s = edges_.Open(dir / "relationships.csv"); !s.ok()) return s;
    if (absl::Status s = labels_.Open(dir / "labels.jsonl"); !s.ok()) return s;
    nodes_.buffer()->append(kNodesCsvHeader);
    edges_.buffer()->append(kRelationshipsCsvHeader);
    return absl::OkStatus();
  }

  void WriteLabel(const LabelRecord& label) override {
    AppendLabelLine(label, labels_.buffer());
    labels_.MaybeFlush();
  }

  void WriteNode(const NodeRecord& node) override {
    std::string& out = *nodes_.buffer();
    AppendCsvField(node.id, &out);
    out.push_back(',');
    out.append(TypeLabel(node.type));
    out.push_back(',');
    scratch_.clear();
    for (size_t i = 0; i < node.boundary.size(); ++i) {
      if (i > 0) scratch_.push_back(';');
      scratch_.append(node.boundary[i]);
    }
    AppendCsvField(scratch_, &out);
    out.push_back(',');
    if (node.title) AppendCsvField(*node.title, &out);
    out.push_back(',');
    if (node.text) AppendCsvField(*node.text, &out);
    out.push_back(',');
    AppendRfc3339(node.created_at, &out);
    out.push_back(',');
    if (node.page_count) AppendInt(*node.page_count, &out);
    out.push_back(',');
    if (node.confidence_pct) AppendFraction(*node.confidence_pct, 2, &out);
    out.push_back(',');
    if (node.draft) out.append(*node.draft ? "true" : "false");
    out.push_back(',');
    scratch_.clear();
    for (size_t i = 0; i < node.tags.size(); ++i) {
      if (i > 0) scratch_.push_back(';');
      scratch_.append(node.tags[i]);
    }
    AppendCsvField(scratch_, &out);
    out.push_back(',');
    AppendCsvField(node.source_system, &out);
    out.push_back(',');
    AppendCsvField(node.source_uri, &out);
    out.push_back(',');
    AppendCsvField(node.source_authority, &out);
    out.push_back('\n');
    nodes_.MaybeFlush();
  }

  void WriteEdge(const EdgeRecord& edge) override {
    std::string& out = *edges_.buffer();
    AppendCsvField(edge.from, &out);
    out.push_back(',');
    AppendCsvField(edge.to, &out);
    out.push_back(',');
    out.append(edge.label);
    out.push_back(',');
    if (edge.weight_milli) AppendFraction(*edge.weight_milli, 3, &out);
    out.push_back('\n');
    edges_.MaybeFlush();
  }

  absl::Status Close() override {
    absl::Status nodes = nodes_.Close();
    absl::Status edges = edges_.Close();
    absl::Status labels = labels_.Close();
    return !nodes.ok() ? nodes : !edges.ok() ? edges : labels;
  }
  uint64_t bytes() const override { return nodes_.bytes() + edges_.bytes() + labels_.bytes(); }

 private:
  OutputFile nodes_;
  OutputFile edges_;
  OutputFile labels_;
  std::string scratch_;
};

}  // namespace

void AppendJsonString(std::string_view text, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  size_t run = 0;  // start of the pending run of bytes that need no escape
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out->append(text.substr(run, i - run));
    run = i + 1;
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      case '\b':
        out->append("\\b");
        break;
      case '\f':
        out->append("\\f");
        break;
      default:
        out->append("\\u00");
        out->push_back(kHex[c >> 4]);
        out->push_back(kHex[c & 0xf]);
    }
  }
  out->append(text.substr(run));
  out->push_back('"');
}

void AppendCsvField(std::string_view text, std::string* out) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) {
    out->append(text);
    return;
  }
  out->push_back('"');
  for (char c : text) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

OutputFile::~OutputFile() {
  if (file_ != nullptr) std::fclose(file_);
}

absl::Status OutputFile::Open(const std::filesystem::path& path) {
  path_ = path;
  file_ = std::fopen(path.c_str(), "wb");
  if (file_ == nullptr) return absl::UnavailableError(ErrnoMessage(path, errno));
  buffer_.reserve(kFlushBytes + (64 << 10));
  return absl::OkStatus();
}

void OutputFile::Flush() {
  if (buffer_.empty()) return;
  if (error_ == 0 && std::fwrite(buffer_.data(), 1, buffer_.size(), file_) != buffer_.size()) {
    error_ = errno != 0 ? errno : EIO;
  }
  bytes_ += buffer_.size();
  buffer_.clear();
}

absl::Status OutputFile::Close() {
  if (file_ == nullptr) return absl::OkStatus();
  Flush();
  if (std::fclose(file_) != 0 && error_ == 0) error_ = errno != 0 ? errno : EIO;
  file_ = nullptr;
  if (error_ != 0) return absl::UnavailableError(ErrnoMessage(path_, error_));
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<GraphSink>> OpenJsonlSink(const std::filesystem::path& dir) {
  auto sink = std::make_unique<JsonlSink>();
  if (absl::Status s = sink->Open(dir); !s.ok()) return s;
  return std::unique_ptr<GraphSink>(std::move(sink));
}

absl::StatusOr<std::unique_ptr<GraphSink>> OpenCsvSink(const std::filesystem::path& dir) {
  auto sink = std::make_unique<CsvSink>();
  if (absl::Status s = sink->Open(dir); !s.ok()) return s;
  return std::unique_ptr<GraphSink>(std::move(sink));
}

}  // namespace ctxgraph::gen
