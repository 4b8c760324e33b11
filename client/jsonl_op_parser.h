// A fast path for ParseImportLine (jsonl_reader.h): builds the WriteOp
// straight from simdjson's on-demand parser, without a JSON DOM.
#ifndef CTXGRAPH_CLIENT_JSONL_OP_PARSER_H_
#define CTXGRAPH_CLIENT_JSONL_OP_PARSER_H_

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "ctxgraph/v1/graph.pb.h"

namespace ctxgraph::client {

// Accepts exactly the lines ParseImportLine accepts and produces the same op.
// Any line the fast path does not accept is handed to ParseImportLine, so
// error messages are ParseImportLine's, word for word. Keeps scratch buffers
// between calls: one parser per thread.
class JsonlOpParser {
 public:
  JsonlOpParser();
  ~JsonlOpParser();
  JsonlOpParser(const JsonlOpParser&) = delete;
  JsonlOpParser& operator=(const JsonlOpParser&) = delete;

  // Parses `line` into `op`, which must be empty (freshly added or cleared).
  // Submessages are allocated on op's arena, if it has one.
  // Errors are INVALID_ARGUMENT with ParseImportLine's message; `op` is then
  // unspecified and must be cleared by the caller before reuse.
  absl::Status Parse(std::string_view line, ctxgraph::v1::WriteOp* op);

  // The op kind of the last successful Parse.
  bool last_was_edge() const { return last_was_edge_; }

 private:
  class Handler;
  Handler* handler_;  // owned
  bool last_was_edge_ = false;
};

}  // namespace ctxgraph::client

#endif  // CTXGRAPH_CLIENT_JSONL_OP_PARSER_H_
