// Fuzz target: the CSV import path (client/csv_reader.h, client/neo4j_csv.h).
// The first input byte picks the file kind (even: nodes, odd: relationships)
// and the reader's buffer size (its upper seven bits: 0 is 4 KiB, 1-127 that
// many bytes, so records straddle refills anywhere); the rest is the file,
// read through InputFile from an in-memory file (so a gzip-looking input also
// exercises decompression). The first well-formed record is the header.
// Invariants:
//   - a well-formed record has at least one field, and positions are 1-based;
//   - writing the well-formed records back out with every field quoted and
//     reading that file gives the same fields;
//   - a header is accepted or refused with INVALID_ARGUMENT; each data record
//     becomes an op with its kind set, or is refused with a reason.
#include <google/protobuf/stubs/logging.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "client/csv_reader.h"
#include "client/input_file.h"
#include "client/neo4j_csv.h"
#include "tests/fuzz/fuzz_check.h"

namespace ctxgraph::client {
namespace {

// Replaces the content of an in-memory file and opens it for reading.
std::unique_ptr<InputFile> OpenBytes(int fd, std::string_view bytes) {
  FUZZ_CHECK(ftruncate(fd, 0) == 0);
  FUZZ_CHECK(pwrite(fd, bytes.data(), bytes.size(), 0) == static_cast<ssize_t>(bytes.size()));
  auto file = InputFile::Open("/proc/self/fd/" + std::to_string(fd));
  FUZZ_CHECK(file.ok());
  return std::move(*file);
}

// Every well-formed record's field texts, and the file with them all quoted.
std::vector<std::vector<std::string>> ReadAll(int fd, std::string_view bytes, CsvFileKind kind,
                                              size_t buffer_bytes, bool map) {
  CsvReader reader(OpenBytes(fd, bytes), buffer_bytes);
  std::vector<std::vector<std::string>> records;
  std::optional<Neo4jCsvMapping> mapping;
  bool header_seen = false;
  CsvRecord record;
  while (reader.Next(&record)) {
    FUZZ_CHECK(record.position.line >= 1 && record.position.column >= 1);
    if (!record.error.empty()) {
      FUZZ_CHECK(record.error_position.line >= 1 && record.error_position.column >= 1);
      continue;
    }
    FUZZ_CHECK(!record.fields.empty());
    std::vector<std::string> texts;
    for (const CsvField& f : record.fields) {
      FUZZ_CHECK(f.position.line >= 1 && f.position.column >= 1);
      texts.emplace_back(f.text);
    }
    records.push_back(std::move(texts));
    if (!map) continue;
    if (!header_seen) {
      header_seen = true;
      auto m = Neo4jCsvMapping::FromHeader(kind, "fuzz.csv", record);
      if (m.ok()) {
        FUZZ_CHECK(m->kind() == kind);
        mapping = std::move(*m);
      } else {
        FUZZ_CHECK(absl::IsInvalidArgument(m.status()));
      }
      continue;
    }
    if (!mapping) continue;
    v1::WriteOp op;
    std::string reason;
    if (mapping->ToOp(record, &op, &reason)) {
      FUZZ_CHECK(reason.empty());
      FUZZ_CHECK(op.op_case() != v1::WriteOp::OP_NOT_SET);
    } else {
      FUZZ_CHECK(!reason.empty());
    }
  }
  return records;
}

std::string QuoteAll(const std::vector<std::vector<std::string>>& records) {
  std::string out;
  for (const auto& record : records) {
    for (size_t i = 0; i < record.size(); ++i) {
      if (i > 0) out.push_back(',');
      out.push_back('"');
      for (char c : record[i]) {
        if (c == '"') out.push_back('"');
        out.push_back(c);
      }
      out.push_back('"');
    }
    out.push_back('\n');
  }
  return out;
}

}  // namespace
}  // namespace ctxgraph::client

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ctxgraph::client;  // NOLINT: a fuzz entry point outside the namespace
  static const bool quiet = (google::protobuf::SetLogHandler(nullptr), true);
  (void)quiet;
  static const int fd = memfd_create("fuzz_csv", 0);
  FUZZ_CHECK(fd >= 0);
  if (size == 0) return 0;
  const CsvFileKind kind = data[0] % 2 == 0 ? CsvFileKind::kNodes : CsvFileKind::kRelationships;
  const size_t buffer_bytes = data[0] >> 1 == 0 ? 4096 : data[0] >> 1;
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  const auto records = ReadAll(fd, bytes, kind, buffer_bytes, /*map=*/true);
  FUZZ_CHECK(ReadAll(fd, QuoteAll(records), kind, buffer_bytes, /*map=*/false) == records);
  return 0;
}
