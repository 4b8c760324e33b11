#include "client/importer.h"

#include <algorithm>
#include <memory>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "client/import_source.h"

namespace ctxgraph::client {

namespace v1 = ::ctxgraph::v1;

namespace {

constexpr int kLineBits = 48;
constexpr uint64_t kLineMask = (uint64_t{1} << kLineBits) - 1;
constexpr uint64_t kProgressEvery = 4096;  // records between progress checks

enum class StepKind { kLabels, kJsonlNodes, kCsvNodes, kJsonlEdges, kCsvRelationships };

struct Step {
  StepKind kind;
  size_t file;       // index into Importer::files_
  size_t jsonl = 0;  // index into the EdgeLineSets (JSONL steps)
};

bool IsEdgeStep(StepKind kind) {
  return kind == StepKind::kJsonlEdges || kind == StepKind::kCsvRelationships;
}

}  // namespace

absl::StatusOr<ImportPlan> ResolveImportPlan(const std::vector<std::string>& files,
                                             const std::vector<std::string>& nodes,
                                             const std::vector<std::string>& relationships,
                                             const std::string& format,
                                             const std::vector<std::string>& labels) {
  const bool csv_flags = !nodes.empty() || !relationships.empty();
  ImportPlan plan;
  plan.label_files = labels;
  if (format == "csv" || (format == "auto" && csv_flags)) {
    if (!files.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "\"", files[0], "\": a CSV import takes --nodes FILE and --relationships FILE"));
    }
    if (!csv_flags) {
      return absl::InvalidArgumentError("--format csv needs --nodes and/or --relationships");
    }
    plan.node_csv_files = nodes;
    plan.relationship_csv_files = relationships;
    return plan;
  }
  if (format != "auto" && format != "jsonl") {
    return absl::InvalidArgumentError(
        absl::StrCat("--format \"", format, "\": want auto, jsonl or csv"));
  }
  if (csv_flags) {
    return absl::InvalidArgumentError(
        "--format jsonl takes FILE arguments, not --nodes/--relationships");
  }
  if (files.empty()) {
    if (!labels.empty()) return plan;  // label definitions alone
    return absl::InvalidArgumentError(
        "no input: give FILE (JSONL) or --nodes/--relationships (CSV)");
  }
  for (const std::string& file : files) {
    absl::string_view name = file;
    absl::ConsumeSuffix(&name, ".gz");
    if (format == "auto" && absl::EndsWith(name, ".csv")) {
      return absl::InvalidArgumentError(
          absl::StrCat("\"", file, "\": a CSV import takes --nodes FILE and --relationships FILE"));
    }
  }
  plan.jsonl_files = files;
  return plan;
}

absl::StatusOr<uint64_t> CheckImportInputs(const ImportPlan& plan) {
  uint64_t total = 0;
  for (const std::string& path : plan.label_files) {
    absl::StatusOr<std::unique_ptr<InputFile>> file = InputFile::Open(path);
    if (!file.ok()) return file.status();
    total += (*file)->file_size();
  }
  for (const std::string& path : plan.jsonl_files) {
    absl::StatusOr<std::unique_ptr<InputFile>> file = InputFile::Open(path);
    if (!file.ok()) return file.status();
    total += 2 * (*file)->file_size();
  }
  for (const auto* list : {&plan.node_csv_files, &plan.relationship_csv_files}) {
    const CsvFileKind kind =
        list == &plan.node_csv_files ? CsvFileKind::kNodes : CsvFileKind::kRelationships;
    for (const std::string& path : *list) {
      absl::StatusOr<Neo4jCsvMapping> header = ReadCsvHeader(path, kind);
      if (!header.ok()) return header.status();
      absl::StatusOr<std::unique_ptr<InputFile>> file = InputFile::Open(path);
      if (!file.ok()) return file.status();
      total += (*file)->file_size();
    }
  }
  return total;
}

RejectLog::RejectLog(std::ostream& diagnostics, std::ostream* rejects_file, uint64_t print_limit)
    : diagnostics_(diagnostics), rejects_file_(rejects_file), print_limit_(print_limit) {}

void RejectLog::Add(absl::string_view file, uint64_t line, absl::string_view reason) {
  if (rejects_file_ != nullptr) *rejects_file_ << file << ":" << line << ": " << reason << "\n";
  if (count_ < print_limit_) diagnostics_ << file << ": line " << line << ": " << reason << "\n";
  ++count_;
}

void RejectLog::Finish() {
  if (count_ > print_limit_) diagnostics_ << "... and " << count_ - print_limit_ << " more\n";
  if (rejects_file_ != nullptr) rejects_file_->flush();
}

Importer::Importer(ImportSink& sink, ImportOptions options, RejectLog& rejects,
                   ImportProgress* progress)
    : sink_(sink), options_(options), rejects_(rejects), progress_(progress) {}

bool Importer::Flush() {
  request_bytes_ = 0;
  if (sink_.request()->ops_size() == 0 || stream_closed_) return !stream_closed_;
  if (!sink_.Send()) stream_closed_ = true;
  return !stream_closed_;
}

void Importer::ReportProgress(uint64_t bytes_read) {
  if (progress_ != nullptr) progress_->Update(op_location_.size(), bytes_read, absl::Now());
}

absl::Status Importer::Run(const ImportPlan& plan, ImportSummary* summary) {
  *summary = ImportSummary();
  start_ = absl::Now();
  if (options_.batch_size < 1) return absl::InvalidArgumentError("batch size must be at least 1");

  std::vector<Step> steps;
  for (const std::string& path : plan.label_files) {
    files_.push_back(path);
    steps.push_back(Step{StepKind::kLabels, files_.size() - 1});
  }
  // JSONL files are named by index in both passes: they follow the label files.
  const size_t first_jsonl = files_.size();
  for (size_t i = 0; i < plan.jsonl_files.size(); ++i) {
    files_.push_back(plan.jsonl_files[i]);
    steps.push_back(Step{StepKind::kJsonlNodes, files_.size() - 1, i});
  }
  for (const std::string& path : plan.node_csv_files) {
    files_.push_back(path);
    steps.push_back(Step{StepKind::kCsvNodes, files_.size() - 1});
  }
  for (size_t i = 0; i < plan.jsonl_files.size(); ++i) {
    steps.push_back(Step{StepKind::kJsonlEdges, first_jsonl + i, i});
  }
  for (const std::string& path : plan.relationship_csv_files) {
    files_.push_back(path);
    steps.push_back(Step{StepKind::kCsvRelationships, files_.size() - 1});
  }
  std::vector<EdgeLineSet> edge_lines(plan.jsonl_files.size());

  bool in_edges = false;
  for (const Step& step : steps) {
    if (IsEdgeStep(step.kind) && !in_edges) {
      // Edges start in a request of their own, after every node op.
      in_edges = true;
      node_ops_sent_ = op_location_.size();
      if (!Flush()) break;
    }
    const std::string& path = files_[step.file];
    absl::StatusOr<std::unique_ptr<RecordSource>> opened =
        step.kind == StepKind::kLabels ? OpenJsonlSource(path, JsonlPass::kLabels, nullptr)
        : step.kind == StepKind::kJsonlNodes
            ? OpenJsonlSource(path, JsonlPass::kNodes, &edge_lines[step.jsonl])
        : step.kind == StepKind::kJsonlEdges
            ? OpenJsonlSource(path, JsonlPass::kEdges, &edge_lines[step.jsonl])
            : OpenCsvSource(path, step.kind == StepKind::kCsvNodes ? CsvFileKind::kNodes
                                                                   : CsvFileKind::kRelationships);
    if (!opened.ok()) {
      CancelCall(summary);
      return opened.status();
    }
    RecordSource& source = **opened;
    const uint64_t bytes_before = summary->bytes_read;
    const uint64_t file_index = static_cast<uint64_t>(step.file) << kLineBits;
    uint64_t records = 0;
    uint64_t line = 0;
    std::string reason;
    bool stopped = false;
    while (true) {
      v1::ImportRequest* request = sink_.request();  // changes after each Flush
      v1::WriteOp* op = request->add_ops();
      const RecordSource::Result result = source.Next(op, &line, &reason);
      if (result == RecordSource::Result::kOp) {
        op_location_.push_back(file_index | (line & kLineMask));
        request_bytes_ += source.last_op_bytes();
        if ((request->ops_size() >= options_.batch_size ||
             request_bytes_ >= options_.batch_bytes) &&
            !Flush()) {
          break;
        }
        if (++records % kProgressEvery == 0) ReportProgress(bytes_before + source.bytes_consumed());
        continue;
      }
      sink_.request()->mutable_ops()->RemoveLast();
      if (result == RecordSource::Result::kEnd) break;
      if (options_.strict) {  // reported below, unless the server stopped first
        stopped = true;
        break;
      }
      rejects_.Add(path, line, reason);
      ++summary->rejected;
    }
    summary->bytes_read = bytes_before + source.bytes_consumed();
    if (step.kind != StepKind::kJsonlEdges) summary->lines_read += source.records_read();
    if (!source.status().ok()) {
      CancelCall(summary);
      return source.status();
    }
    if (stopped) return StopAtLocalReject(path, line, reason, in_edges, summary);
    ReportProgress(summary->bytes_read);
    if (stream_closed_) break;
  }
  if (!in_edges) node_ops_sent_ = op_location_.size();
  Flush();
  return Finish(summary);
}

void Importer::CancelCall(ImportSummary* summary) {
  sink_.Cancel();
  (void)sink_.Finish();  // CANCELLED, on purpose
  summary->elapsed_seconds = absl::ToDoubleSeconds(absl::Now() - start_);
}

absl::Status Importer::StopAtLocalReject(const std::string& path, uint64_t line,
                                         const std::string& reason, bool in_edges,
                                         ImportSummary* summary) {
  if (!in_edges) node_ops_sent_ = op_location_.size();
  if (options_.bulk) {
    // Nothing of a bulk import may be written: cancel rather than close.
    rejects_.Add(path, line, reason);
    ++summary->rejected;
    CancelCall(summary);
    summary->aborted = true;
    summary->ops_sent = op_location_.size() - sink_.request()->ops_size();
    return absl::OkStatus();
  }
  // Every request sent is (or is being) committed: close the stream without
  // the batch holding the reject, and report what the server did. A reject
  // of the server came first in the stream if it stopped the import.
  if (absl::Status st = Finish(summary); !st.ok()) return st;
  if (!summary->aborted) {
    rejects_.Add(path, line, reason);
    ++summary->rejected;
  }
  summary->aborted = true;
  return absl::OkStatus();
}

absl::Status Importer::Finish(ImportSummary* summary) {
  const uint64_t sent = op_location_.size() - sink_.request()->ops_size();
  summary->ops_sent = sent;
  absl::StatusOr<v1::ImportResponse> response = sink_.Finish();
  summary->elapsed_seconds = absl::ToDoubleSeconds(absl::Now() - start_);
  if (!response.ok()) return response.status();

  // Ops the server decided on: all of them, or those before a strict stop.
  uint64_t considered = sent;
  if (response->aborted()) {
    summary->aborted = true;
    if (!response->rejects().empty()) considered = response->rejects(0).index();
  } else if (stream_closed_ || response->ops_received() < sent) {
    return absl::DataLossError(absl::StrCat("the server ended the import after ",
                                            response->ops_received(), " of ", sent,
                                            " ops without saying why"));
  }
  uint64_t node_rejects = 0;
  uint64_t edge_rejects = 0;
  for (const v1::ImportReject& reject : response->rejects()) {
    const uint64_t index = reject.index();
    if (index < op_location_.size()) {
      const uint64_t location = op_location_[index];
      rejects_.Add(files_[location >> kLineBits], location & kLineMask, reject.reason());
    } else {
      rejects_.Add("<stream>", index, reject.reason());
    }
    ++summary->rejected;
    if (index < considered) ++(index < node_ops_sent_ ? node_rejects : edge_rejects);
  }
  // Rejects past those listed come later in the stream: counted, taken
  // from the last ops first, and missing from the rejects file.
  const uint64_t listed = static_cast<uint64_t>(response->rejects_size());
  const uint64_t unlisted = response->rejected() > listed ? response->rejected() - listed : 0;
  summary->rejected += unlisted;
  summary->rejects_unlisted = unlisted;
  const uint64_t node_considered = std::min(considered, node_ops_sent_);
  const uint64_t edge_considered = considered - node_considered;
  summary->edge_ops = edge_considered - std::min(edge_considered, edge_rejects);
  const uint64_t unlisted_edges = std::min(summary->edge_ops, unlisted);
  summary->edge_ops -= unlisted_edges;
  summary->node_ops = node_considered - std::min(node_considered, node_rejects);
  summary->node_ops -= std::min(summary->node_ops, unlisted - unlisted_edges);
  summary->commits = response->commits();
  summary->last_version = response->version();
  summary->nodes_written = response->nodes_written();
  summary->edges_written = response->edges_written();
  summary->deleted = response->deleted();
  summary->unchanged = response->unchanged();
  summary->labels_defined = response->labels_defined();
  return absl::OkStatus();
}

}  // namespace ctxgraph::client
