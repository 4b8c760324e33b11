// The records of one input file, one pass at a time, as write ops.
#ifndef CTXGRAPH_CLIENT_IMPORT_SOURCE_H_
#define CTXGRAPH_CLIENT_IMPORT_SOURCE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "client/csv_reader.h"
#include "client/input_file.h"
#include "client/jsonl_op_parser.h"
#include "client/neo4j_csv.h"
#include "ctxgraph/v1/graph.pb.h"

namespace ctxgraph::client {

// One pass over one input. Not thread-safe.
class RecordSource {
 public:
  enum class Result {
    kOp,        // *op holds the next record's op
    kRejected,  // the record at *line is refused locally; *reason says why
    kEnd,       // no more records; status() says whether the file was read whole
  };
  virtual ~RecordSource() = default;

  // Reads the next record. `op` must be empty; after kRejected it is
  // unspecified and the caller clears it. *line is the 1-based line the
  // record starts on (for CSV syntax errors, the line of the error).
  virtual Result Next(ctxgraph::v1::WriteOp* op, uint64_t* line, std::string* reason) = 0;
  virtual const absl::Status& status() const = 0;
  // Bytes of the file on disk consumed so far.
  virtual uint64_t bytes_consumed() const = 0;
  // ApproxOpBytes of the op the last kOp answer filled in.
  size_t last_op_bytes() const { return last_op_bytes_; }
  // Records seen so far (JSONL: physical lines, blank ones included; CSV:
  // data records, the header excluded).
  virtual uint64_t records_read() const = 0;

 protected:
  size_t last_op_bytes_ = 0;
};

// Which lines of a JSONL file hold valid edge ops: found by the node pass,
// so the edge pass parses only those lines.
class EdgeLineSet {
 public:
  void Add(uint64_t line) {
    if (line >= bits_.size()) bits_.resize(line + 1 + bits_.size() / 2);
    bits_[line] = true;
  }
  bool Contains(uint64_t line) const { return line < bits_.size() && bits_[line]; }

 private:
  std::vector<bool> bits_;
};

// JSONL, canonical format (jsonl_reader.h). The node pass parses every line,
// yields node, delete_node and boundary (define_label) ops, rejects bad lines
// (and edge lines whose values are too large) and records valid edge lines
// in `edges`; the edge pass yields the ops of exactly those lines and rejects
// nothing, so every bad line is reported once. `edges` must outlive the
// source. The labels pass (a --labels file, read before everything else)
// yields boundary lines and rejects every other line with the reason
//   only "boundary" lines belong in a --labels file
// (`edges` is not used).
enum class JsonlPass { kNodes, kEdges, kLabels };
absl::StatusOr<std::unique_ptr<RecordSource>> OpenJsonlSource(const std::string& path,
                                                              JsonlPass pass, EdgeLineSet* edges);

// Reads the header of a Neo4j CSV file (neo4j_csv.h). Errors: the file cannot
// be opened, is empty ("FILE:1:1: no header row") or has a bad header.
absl::StatusOr<Neo4jCsvMapping> ReadCsvHeader(const std::string& path, CsvFileKind kind);

// A Neo4j CSV node or relationship file, after its header. A malformed
// record is rejected with the reason "column C: <CsvReader message>" at the
// line of the error; a record that does not convert with the reason
// Neo4jCsvMapping::ToOp gives.
absl::StatusOr<std::unique_ptr<RecordSource>> OpenCsvSource(const std::string& path,
                                                            CsvFileKind kind);

}  // namespace ctxgraph::client

#endif  // CTXGRAPH_CLIENT_IMPORT_SOURCE_H_
