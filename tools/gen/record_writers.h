// Streaming writers for generated records: the canonical JSONL import format
// and Neo4j bulk-import CSV.
//
// Both writers buffer about 1 MiB and hold nothing else, so memory does not
// grow with the graph. Output is a pure function of the records written:
// doubles are printed from integers ("0.87", "0.125"), times as
// "YYYY-MM-DDTHH:MM:SSZ", JSONL prop keys in sorted order (as
// ctxgraph::client::FormatImportLine writes them).
//
// JSONL (DIR/graph.jsonl), one object per line, label definitions first:
//   {"type":"boundary","name":..,"description":..,"propagate":true|false}
//   {"type":"node","id":..,"labels":[..],"boundary":[..],"props":{..},"source":{..}}
//   {"type":"edge","from":..,"to":..,"label":..,"props":{} | {"weight":0.125}}
// CSV (DIR/nodes.csv, DIR/relationships.csv), RFC 4180 quoting (a field with
// ',', '"', CR or LF is quoted, quotes doubled), arrays joined with ';', an
// empty field for an absent prop:
//   id:ID,:LABEL,boundary:string[],title,text,created_at:datetime,page_count:int,
//   confidence:double,draft:boolean,tags:string[],source_system,source_uri,source_authority
//   :START_ID,:END_ID,:TYPE,weight:double
// and the label definitions, which CSV has no place for, as the same JSONL
// boundary lines in DIR/labels.jsonl (`ctxgraph import --labels`).
//
// Errors: Open fails with the path and strerror when a file cannot be
// created; a failed write is remembered and reported by Close. Not
// thread-safe.
#ifndef CTXGRAPH_TOOLS_GEN_RECORD_WRITERS_H_
#define CTXGRAPH_TOOLS_GEN_RECORD_WRITERS_H_

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tools/gen/graph_records.h"

namespace ctxgraph::gen {

// Appends `text` as a JSON string literal (quotes included). Escapes '"',
// '\\' and control characters; other bytes (UTF-8) pass through.
void AppendJsonString(std::string_view text, std::string* out);
// Appends `text` as one CSV field, quoted only when it must be.
void AppendCsvField(std::string_view text, std::string* out);

// A buffered output file counting the bytes written.
class OutputFile {
 public:
  OutputFile() = default;
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;
  ~OutputFile();

  [[nodiscard]] absl::Status Open(const std::filesystem::path& path);
  // Callers append to *buffer() and then call MaybeFlush(), which writes the
  // buffer out once it holds about 1 MiB.
  void MaybeFlush() {
    if (buffer_.size() >= kFlushBytes) Flush();
  }
  std::string* buffer() { return &buffer_; }
  // Flushes and closes; returns the first write error, if any.
  [[nodiscard]] absl::Status Close();
  uint64_t bytes() const { return bytes_ + buffer_.size(); }

 private:
  static constexpr size_t kFlushBytes = 1 << 20;
  void Flush();

  std::filesystem::path path_;
  std::FILE* file_ = nullptr;
  std::string buffer_;
  uint64_t bytes_ = 0;
  int error_ = 0;  // errno of the first failed write
};

// Receives every label definition, then every node, then every edge.
class GraphSink {
 public:
  virtual ~GraphSink() = default;
  virtual void WriteLabel(const LabelRecord& label) = 0;
  virtual void WriteNode(const NodeRecord& node) = 0;
  virtual void WriteEdge(const EdgeRecord& edge) = 0;
  [[nodiscard]] virtual absl::Status Close() = 0;
  virtual uint64_t bytes() const = 0;
};

// Writes `dir`/graph.jsonl.
absl::StatusOr<std::unique_ptr<GraphSink>> OpenJsonlSink(const std::filesystem::path& dir);
// Writes `dir`/nodes.csv and `dir`/relationships.csv (headers included), and
// `dir`/labels.jsonl.
absl::StatusOr<std::unique_ptr<GraphSink>> OpenCsvSink(const std::filesystem::path& dir);

}  // namespace ctxgraph::gen

#endif  // CTXGRAPH_TOOLS_GEN_RECORD_WRITERS_H_
