#include "client/importer.h"

#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "client/jsonl_reader.h"

namespace ctxgraph::client {

namespace v1 = ::ctxgraph::v1;

namespace {

bool IsEdgeOp(const v1::WriteOp& op) {
  return op.op_case() == v1::WriteOp::kUpsertEdge || op.op_case() == v1::WriteOp::kDeleteEdge;
}

// The codes the server uses for "this op is wrong", as opposed to "this call
// failed" (UNAVAILABLE, DEADLINE_EXCEEDED, UNAUTHENTICATED, INTERNAL, ...).
bool IsPerOpRejection(absl::StatusCode code) {
  return code == absl::StatusCode::kInvalidArgument ||
         code == absl::StatusCode::kFailedPrecondition ||
         code == absl::StatusCode::kPermissionDenied || code == absl::StatusCode::kNotFound;
}

}  // namespace

int64_t FailingOpIndex(absl::string_view message) {
  if (!absl::ConsumePrefix(&message, "ops[")) return -1;
  const size_t close = message.find(']');
  if (close == std::string_view::npos || close == 0) return -1;
  const absl::string_view digits = message.substr(0, close);
  for (const char c : digits) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return -1;
  }
  int64_t index;
  if (!absl::SimpleAtoi(digits, &index)) return -1;
  return index;
}

JsonlImporter::JsonlImporter(WriteFunction write, ImportOptions options, std::ostream& diagnostics)
    : write_(std::move(write)), options_(std::move(options)), diagnostics_(diagnostics) {}

absl::Status JsonlImporter::Import(std::istream& in, ImportSummary* summary) {
  *summary = ImportSummary();
  if (options_.batch_size < 1) return absl::InvalidArgumentError("batch size must be at least 1");
  batch_.clear();
  if (absl::Status s = ReadPass(in, /*edge_pass=*/false, summary); !s.ok()) return s;
  in.clear();
  in.seekg(0);
  if (!in) return absl::InvalidArgumentError("input cannot be read twice (not seekable)");
  return ReadPass(in, /*edge_pass=*/true, summary);
}

absl::Status JsonlImporter::ReadPass(std::istream& in, bool edge_pass, ImportSummary* summary) {
  const char* pass_name = edge_pass ? "edges" : "nodes";
  std::string text;
  uint64_t line = 0;
  while (std::getline(in, text)) {
    ++line;
    if (!edge_pass) ++summary->lines_read;
    if (absl::StripAsciiWhitespace(text).empty()) continue;
    absl::StatusOr<v1::WriteOp> op = ParseImportLine(text);
    if (!op.ok()) {
      // Reported once, in the first pass.
      if (!edge_pass) {
        diagnostics_ << "line " << line << ": " << op.status().message() << "\n";
        ++summary->rejected;
      }
      continue;
    }
    if (IsEdgeOp(*op) != edge_pass) continue;
    batch_.push_back(PendingOp{line, *std::move(op)});
    if (batch_.size() >= static_cast<size_t>(options_.batch_size)) {
      if (absl::Status s = Flush(pass_name, summary); !s.ok()) return s;
    }
  }
  if (in.bad()) return absl::DataLossError(absl::StrCat("read failed after line ", line));
  return Flush(pass_name, summary);
}

absl::Status JsonlImporter::Flush(const char* pass_name, ImportSummary* summary) {
  while (!batch_.empty()) {
    v1::WriteRequest request;
    request.set_description(options_.description.empty()
                                ? absl::StrCat("import (", pass_name, ")")
                                : absl::StrCat(options_.description, " (", pass_name, ")"));
    for (const PendingOp& pending : batch_) *request.add_ops() = pending.op;

    absl::StatusOr<v1::WriteResponse> response = write_(request);
    if (!response.ok()) {
      const int64_t index = FailingOpIndex(response.status().message());
      if (!IsPerOpRejection(response.status().code()) || index < 0 ||
          index >= static_cast<int64_t>(batch_.size())) {
        return response.status();
      }
      diagnostics_ << "line " << batch_[index].line << ": " << response.status().message() << "\n";
      ++summary->rejected;
      batch_.erase(batch_.begin() + index);
      continue;
    }
    for (const PendingOp& pending : batch_) {
      ++(IsEdgeOp(pending.op) ? summary->edge_ops : summary->node_ops);
    }
    if (response->committed()) ++summary->commits;
    summary->last_version = response->version();
    summary->nodes_written += response->nodes_written();
    summary->edges_written += response->edges_written();
    summary->deleted += response->deleted();
    summary->unchanged += response->unchanged();
    batch_.clear();
  }
  return absl::OkStatus();
}

}  // namespace ctxgraph::client
