// Converts ctxgraph's canonical JSONL into the CSV files PostgreSQL's COPY
// loads: nodes.csv (id, labels text[], boundary text[], props jsonb) and
// edges.csv (src, label, dst).
#ifndef CTXGRAPH_TOOLS_BENCH_PG_CSV_EXPORT_H_
#define CTXGRAPH_TOOLS_BENCH_PG_CSV_EXPORT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace ctxgraph::bench {

struct CsvExportStats {
  uint64_t nodes = 0;
  uint64_t edges = 0;
  double seconds = 0;
};

// Reads `jsonl_path` and writes `out_dir`/nodes.csv and `out_dir`/edges.csv
// (out_dir must exist). Errors name the file and line of a malformed record;
// lines of other types are skipped.
absl::StatusOr<CsvExportStats> ExportGraphCsv(const std::string& jsonl_path,
                                              const std::string& out_dir);

// A PostgreSQL array literal with every element double-quoted, e.g.
// {"team:t00","pii"}. Exposed for tests.
std::string PgArrayLiteral(const std::vector<std::string>& items);

// One CSV field, always quoted, with inner quotes doubled.
std::string CsvField(const std::string& value);

}  // namespace ctxgraph::bench

#endif  // CTXGRAPH_TOOLS_BENCH_PG_CSV_EXPORT_H_
