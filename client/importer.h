// Loads a canonical JSONL file (jsonl_reader.h) into the graph with batched
// GraphService.Write calls.
#ifndef CTXGRAPH_CLIENT_IMPORTER_H_
#define CTXGRAPH_CLIENT_IMPORTER_H_

#include <cstdint>
#include <functional>
#include <istream>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ctxgraph/v1/graph.pb.h"

namespace ctxgraph::client {

// Sends one Write request (in the CLI: GraphService.Write over a
// ServerConnection; in tests: a fake).
using WriteFunction =
    std::function<absl::StatusOr<ctxgraph::v1::WriteResponse>(const ctxgraph::v1::WriteRequest&)>;

struct ImportOptions {
  int batch_size = 1000;    // ops per Write request; must be >= 1
  std::string description;  // recorded in each commit, suffixed " (nodes)" / " (edges)"
};

// Counters of one import. Filled in as the import goes, so they are
// meaningful after an abort too.
struct ImportSummary {
  uint64_t lines_read = 0;    // every physical line, blank ones included
  uint64_t node_ops = 0;      // node and delete_node lines the server accepted
  uint64_t edge_ops = 0;      // edge and delete_edge lines the server accepted
  uint64_t rejected = 0;      // lines refused locally or by the server
  uint64_t commits = 0;       // Write calls that committed a new version
  uint64_t last_version = 0;  // version answered by the last successful Write
  uint64_t nodes_written = 0;
  uint64_t edges_written = 0;
  uint64_t deleted = 0;
  uint64_t unchanged = 0;  // upserts whose content the server already held
};

// Not thread-safe; one import at a time.
class JsonlImporter {
 public:
  // `diagnostics` receives one "line N: reason" per rejected line. Both
  // references must outlive the importer.
  JsonlImporter(WriteFunction write, ImportOptions options, std::ostream& diagnostics);

  // Imports `in`, which must be seekable (it is read twice: pass 1 sends node
  // and delete_node lines, pass 2 edge and delete_edge lines, so edge
  // endpoints exist whatever the line order). Blank lines are skipped.
  //
  // A line that fails ParseImportLine is reported and not sent. When the
  // server refuses a batch with INVALID_ARGUMENT, FAILED_PRECONDITION,
  // PERMISSION_DENIED or NOT_FOUND and a message starting "ops[i]", op i's
  // line is reported as "line N: <server message>", dropped, and the rest of
  // the batch is resent. Any other failure stops the import and is returned;
  // `summary` then holds what was done up to that point. Returns OK when
  // every batch was answered, even if some lines were rejected.
  absl::Status Import(std::istream& in, ImportSummary* summary);

 private:
  struct PendingOp {
    uint64_t line;
    ctxgraph::v1::WriteOp op;
  };

  absl::Status ReadPass(std::istream& in, bool edge_pass, ImportSummary* summary);
  absl::Status Flush(const char* pass_name, ImportSummary* summary);

  WriteFunction write_;
  ImportOptions options_;
  std::ostream& diagnostics_;
  std::vector<PendingOp> batch_;
};

// Returns i when `message` starts with "ops[i]", else -1.
int64_t FailingOpIndex(absl::string_view message);

}  // namespace ctxgraph::client

#endif  // CTXGRAPH_CLIENT_IMPORTER_H_
