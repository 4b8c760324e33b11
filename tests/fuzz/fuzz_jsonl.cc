// Fuzz target: the JSONL import line parsers (client/jsonl_reader.h and its
// fast path client/jsonl_op_parser.h). The input is one line. Invariants:
//   - the fast parser and ParseImportLine agree: both accept with equal ops,
//     or both refuse with the same INVALID_ARGUMENT message;
//   - an accepted op formats (FormatImportLine) to a line that parses back to
//     an equal op and formats to the same line again.
#include <google/protobuf/stubs/logging.h>
#include <google/protobuf/util/message_differencer.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "client/jsonl_op_parser.h"
#include "client/jsonl_reader.h"
#include "tests/fuzz/fuzz_check.h"

namespace ctxgraph::client {
namespace {

using google::protobuf::util::MessageDifferencer;

void CheckLine(std::string_view line) {
  // One parser for the whole run, as the importer keeps one per thread: its
  // scratch buffers carry over from line to line.
  static JsonlOpParser fast;
  auto slow = ParseImportLine(line);
  v1::WriteOp op;
  const absl::Status st = fast.Parse(line, &op);
  FUZZ_CHECK(st.ok() == slow.ok());
  if (!slow.ok()) {
    FUZZ_CHECK(absl::IsInvalidArgument(slow.status()));
    FUZZ_CHECK(st == slow.status());
    return;
  }
  FUZZ_CHECK(MessageDifferencer::Equals(op, *slow));
  FUZZ_CHECK(fast.last_was_edge() == (op.has_upsert_edge() || op.has_delete_edge()));

  const std::string formatted = FormatImportLine(op);
  auto again = ParseImportLine(formatted);
  if (!again.ok()) std::fprintf(stderr, "%s\n", std::string(again.status().message()).c_str());
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(MessageDifferencer::Equals(*again, op));
  FUZZ_CHECK(FormatImportLine(*again) == formatted);
}

}  // namespace
}  // namespace ctxgraph::client

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Building a proto with a non-UTF-8 string is refused by the parsers
  // before it is serialized, but keep protobuf's log quiet regardless.
  static const bool quiet = (google::protobuf::SetLogHandler(nullptr), true);
  (void)quiet;
  ctxgraph::client::CheckLine(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
