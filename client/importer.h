// Loads JSONL and Neo4j-CSV inputs into the graph through one
// GraphService.Import stream (import_sink.h).
#ifndef CTXGRAPH_CLIENT_IMPORTER_H_
#define CTXGRAPH_CLIENT_IMPORTER_H_

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "client/import_progress.h"
#include "client/import_sink.h"

namespace ctxgraph::client {

// What to read. Label files (JSONL boundary lines, `--labels`) come first,
// so the labels they define exist before any record uses them. Every node
// op of every input is sent before any edge op, since the server requires
// edges after their endpoints: JSONL files are read twice (node pass over
// all of them, then edge pass), node CSV files are read before relationship
// CSV files. Boundary lines inside a JSONL file are sent in the node pass,
// in file order.
struct ImportPlan {
  std::vector<std::string> jsonl_files;
  std::vector<std::string> node_csv_files;
  std::vector<std::string> relationship_csv_files;
  std::vector<std::string> label_files;  // --labels
};

// How `ctxgraph import` names its inputs: positional `files`, `--nodes` and
// `--relationships` CSV files, `--labels` files (with either form, or alone)
// and `--format` ("auto", "jsonl" or "csv").
// auto: CSV when --nodes or --relationships is given, else JSONL (a
// positional file named *.csv or *.csv.gz is refused: CSV needs to know which
// files hold nodes). Errors (INVALID_ARGUMENT) describe the misuse, e.g.
//   no input: give FILE (JSONL) or --nodes/--relationships (CSV)
//   "x.csv": a CSV import takes --nodes FILE and --relationships FILE
//   --format jsonl takes FILE arguments, not --nodes/--relationships
absl::StatusOr<ImportPlan> ResolveImportPlan(const std::vector<std::string>& files,
                                             const std::vector<std::string>& nodes,
                                             const std::vector<std::string>& relationships,
                                             const std::string& format,
                                             const std::vector<std::string>& labels = {});

// Checks, before anything is sent, that every input opens and that every CSV
// header is valid (ReadCsvHeader). Returns the bytes the import will read on
// disk, JSONL files counting twice (for the progress line).
absl::StatusOr<uint64_t> CheckImportInputs(const ImportPlan& plan);

struct ImportOptions {
  int batch_size = 2000;  // ops per ImportRequest; >= 1
  bool strict = false;    // stop at the first rejected record (local or server)
  // A request is also sent once its ops reach about this many bytes
  // (ApproxOpBytes), so that large records do not make it bigger than the
  // server takes.
  size_t batch_bytes = size_t{16} << 20;
  // The import is one commit (--bulk): a local strict stop cancels the call,
  // so that nothing is written; otherwise the batches sent stay committed.
  bool bulk = false;
};

// Counters of one import, meaningful after a failure too.
struct ImportSummary {
  uint64_t lines_read = 0;  // JSONL lines (blank included) + CSV data records
  uint64_t node_ops = 0;    // node and delete_node ops the server accepted
  uint64_t edge_ops = 0;    // edge and delete_edge ops the server accepted
  uint64_t rejected = 0;    // records refused locally or by the server
  // Of those, refused by the server past the first it lists (100,000, or
  // 16 MiB of reasons): not in the rejects file.
  uint64_t rejects_unlisted = 0;
  uint64_t commits = 0;
  uint64_t last_version = 0;
  uint64_t nodes_written = 0;
  uint64_t edges_written = 0;
  uint64_t deleted = 0;
  uint64_t unchanged = 0;
  uint64_t labels_defined = 0;
  uint64_t ops_sent = 0;
  uint64_t bytes_read = 0;
  bool aborted = false;  // strict mode stopped at a reject
  double elapsed_seconds = 0;
};

// Reports rejected records: every one to the rejects file (when given) as
// "FILE:LINE: reason", the first `print_limit` to `diagnostics` as
// "FILE: line LINE: reason", then "... and N more" from Finish(). Not
// thread-safe; the streams must outlive the log.
class RejectLog {
 public:
  RejectLog(std::ostream& diagnostics, std::ostream* rejects_file, uint64_t print_limit = 10);
  void Add(absl::string_view file, uint64_t line, absl::string_view reason);
  void Finish();
  uint64_t count() const { return count_; }

 private:
  std::ostream& diagnostics_;
  std::ostream* rejects_file_;
  uint64_t print_limit_;
  uint64_t count_ = 0;
};

// Runs one import. Not thread-safe; one Run per Importer.
class Importer {
 public:
  // `progress` may be null. All references must outlive the importer.
  Importer(ImportSink& sink, ImportOptions options, RejectLog& rejects, ImportProgress* progress);

  // Streams every record of `plan`. Records refused locally (bad JSON or
  // CSV, missing id, unknown type, invalid UTF-8, oversized value, ...) are
  // not sent; records the server refuses are mapped from their stream index
  // back to FILE:LINE. Both go to the RejectLog. In strict mode the first
  // reject ends the import and summary->aborted is set (Run returns OK): the
  // server's (it answers at once), or a local one before anything more is
  // sent: a bulk import's call is then cancelled (nothing is written), any
  // other's closed without the batch holding the reject, and the summary
  // holds what the server committed (its own reject instead, when it
  // stopped at an earlier record).
  //
  // Returns an error, after cancelling the call, when an input cannot be
  // read, and the call's status when it fails (UNAVAILABLE,
  // PERMISSION_DENIED, ...). Input files should be checked (opened, CSV
  // headers read) before Run, which otherwise fails midway.
  absl::Status Run(const ImportPlan& plan, ImportSummary* summary);

 private:
  class RecordSourceFactory;

  // Sends the pending request; false when the call ended early.
  bool Flush();
  void ReportProgress(uint64_t bytes_read);
  absl::Status Finish(ImportSummary* summary);
  // Ends the call without writing anything still open, for local stops.
  void CancelCall(ImportSummary* summary);
  // Ends the import at a record refused locally in strict mode.
  absl::Status StopAtLocalReject(const std::string& path, uint64_t line, const std::string& reason,
                                 bool in_edges, ImportSummary* summary);

  ImportSink& sink_;
  ImportOptions options_;
  size_t request_bytes_ = 0;  // ApproxOpBytes of the pending request's ops
  RejectLog& rejects_;
  ImportProgress* progress_;
  absl::Time start_;

  std::vector<std::string> files_;     // display names, indexed by location
  std::vector<uint64_t> op_location_;  // per op sent: file index << 48 | line
  uint64_t node_ops_sent_ = 0;         // node ops are stream indexes [0, node_ops_sent_)
  bool stream_closed_ = false;
};

}  // namespace ctxgraph::client

#endif  // CTXGRAPH_CLIENT_IMPORTER_H_
