#include "client/import_command.h"

#include <unistd.h>

#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "client/cli_validators.h"
#include "client/import_progress.h"
#include "client/import_sink.h"
#include "client/importer.h"

namespace ctxgraph::client {
namespace {

namespace v1 = ::ctxgraph::v1;

constexpr size_t kMaxDescriptionNames = 200;  // bytes of file names in the commit description

struct ImportArgs {
  std::vector<std::string> files;
  std::vector<std::string> nodes;
  std::vector<std::string> relationships;
  std::vector<std::string> labels;
  std::string format = "auto";
  int batch_size = 2000;
  bool bulk = false;
  bool strict = false;
  bool dry_run = false;
  std::string rejects;
};

std::string BaseName(const std::string& path) { return path.substr(path.find_last_of('/') + 1); }

// "import graph.jsonl", "import nodes.csv, rels.csv".
std::string Description(const ImportPlan& plan) {
  std::string names;
  for (const auto* list :
       {&plan.label_files, &plan.jsonl_files, &plan.node_csv_files, &plan.relationship_csv_files}) {
    for (const std::string& path : *list) {
      absl::StrAppend(&names, names.empty() ? "" : ", ", BaseName(path));
    }
  }
  if (names.size() > kMaxDescriptionNames) {
    size_t cut = kMaxDescriptionNames;
    while (cut > 0 && (static_cast<unsigned char>(names[cut]) & 0xC0) == 0x80) --cut;
    names = absl::StrCat(names.substr(0, cut), "...");
  }
  return absl::StrCat("import ", names);
}

// `answered`: the server's answer came, with its counts. Without it (the
// import ended with an error) they are unknown, not 0: earlier requests of
// an import without --bulk may have committed, which the error then says.
void PrintSummary(CommandContext& ctx, const ImportSummary& s, bool completed, bool dry_run,
                  bool answered) {
  const double rate = s.elapsed_seconds > 0 ? s.lines_read / s.elapsed_seconds : 0;
  if (ctx.json()) {
    const auto counted = [&](uint64_t n) { return answered ? nlohmann::json(n) : nullptr; };
    nlohmann::json summary = {{"lines_read", s.lines_read},
                              {"nodes", s.node_ops},
                              {"edges", s.edge_ops},
                              {"rejected", s.rejected},
                              {"rejects_unlisted", s.rejects_unlisted},
                              {"commits", counted(s.commits)},
                              {"version", counted(s.last_version)},
                              {"nodes_written", counted(s.nodes_written)},
                              {"edges_written", counted(s.edges_written)},
                              {"deleted", counted(s.deleted)},
                              {"unchanged", counted(s.unchanged)},
                              {"labels_defined", counted(s.labels_defined)},
                              {"completed", completed},
                              {"aborted", s.aborted},
                              {"elapsed_seconds", s.elapsed_seconds},
                              {"records_per_second", rate}};
    if (dry_run) summary["dry_run"] = true;
    ctx.PrintJson(summary);
    return;
  }
  std::cerr << (dry_run ? "dry run: " : "") << "read " << s.lines_read << " records: " << s.node_ops
            << " node and " << s.edge_ops << " edge ops accepted, " << s.rejected << " rejected"
            << (s.aborted ? " (stopped: --strict)" : "") << "; ";
  if (answered) {
    std::cerr << s.commits << " commits (version " << s.last_version << "); written "
              << s.nodes_written << " nodes, " << s.edges_written << " edges, " << s.labels_defined
              << " labels; deleted " << s.deleted << "; unchanged " << s.unchanged << "; ";
  } else {
    std::cerr << "what the server wrote is unknown (the error below says); ";
  }
  std::cerr << absl::StrFormat("%.2f s, %.0f records/s", s.elapsed_seconds, rate) << "\n";
  if (s.rejects_unlisted > 0) {
    std::cerr << s.rejects_unlisted
              << " of the rejected records are not in the rejects file: the server lists only "
                 "the first 100,000 (or 16 MiB of reasons)\n";
  }
}

int RunImport(CommandContext& ctx, const ImportArgs& args) {
  absl::StatusOr<ImportPlan> plan =
      ResolveImportPlan(args.files, args.nodes, args.relationships, args.format, args.labels);
  if (!plan.ok()) return ctx.Fail(plan.status(), kExitUsage);
  absl::StatusOr<uint64_t> total_bytes = CheckImportInputs(*plan);
  if (!total_bytes.ok()) return ctx.Fail(total_bytes.status(), kExitUsage);
  std::ofstream rejects_file;
  if (!args.rejects.empty()) {
    rejects_file.open(args.rejects, std::ios::binary | std::ios::trunc);
    if (!rejects_file) {
      return ctx.Fail(absl::InvalidArgumentError(
                          absl::StrCat("cannot write rejects file \"", args.rejects, "\"")),
                      kExitUsage);
    }
  }

  v1::ImportOptions options;
  options.set_description(Description(*plan));
  options.set_bulk(args.bulk);
  options.set_strict(args.strict);
  std::unique_ptr<ImportSink> sink;
  if (args.dry_run) {
    sink = NewDryRunImportSink(options);
  } else {
    ServerConnection& conn = ctx.connection();
    sink = NewGrpcImportSink(conn.graph(), conn.NewStreamContext(), options);
  }
  RejectLog rejects(std::cerr, args.rejects.empty() ? nullptr : &rejects_file);
  ImportProgress progress(std::cerr, ::isatty(STDERR_FILENO) == 1, *total_bytes, absl::Now());
  Importer importer(
      *sink, ImportOptions{args.batch_size, args.strict, ImportOptions().batch_bytes, args.bulk},
      rejects, &progress);
  ImportSummary summary;
  const absl::Status status = importer.Run(*plan, &summary);
  progress.Done();
  rejects.Finish();
  PrintSummary(ctx, summary, status.ok() && !summary.aborted, args.dry_run, status.ok());
  if (!status.ok()) return ctx.Fail(status);
  return summary.rejected > 0 || summary.aborted ? kExitFailure : kExitOk;
}

}  // namespace

void AddImportCommand(CLI::App& app, CommandContext& ctx, CommandAction* action) {
  auto args = std::make_shared<ImportArgs>();
  CLI::App* import = app.add_subcommand(
      "import", "Load JSONL or Neo4j-style CSV files (optionally gzipped) in one Import stream");
  import->add_option("file", args->files, "JSONL file(s), one op per line");
  import->add_option("--nodes", args->nodes, "Neo4j-style node CSV file (repeatable)");
  import->add_option("--relationships", args->relationships,
                     "Neo4j-style relationship CSV file (repeatable)");
  import->add_option("--labels", args->labels,
                     "JSONL file of {\"type\":\"boundary\",...} label definitions, sent before "
                     "every other record (repeatable; needs the steward or admin role)");
  import->add_option("--format", args->format, "auto (by extension), jsonl or csv")
      ->check(CLI::IsMember({"auto", "jsonl", "csv"}));
  import->add_option("--batch-size", args->batch_size, "Ops per Import request (default 2000)")
      ->transform(DecimalNumber())
      ->check(CLI::Range(1, 50000));
  import->add_flag("--bulk", args->bulk,
                   "One commit for the whole import, durable at the end; nothing on failure");
  import->add_flag("--strict", args->strict, "Stop at the first rejected record (exit 1)");
  import->add_option("--rejects", args->rejects, "Write each rejected record as FILE:LINE: reason");
  import->add_flag("--dry-run", args->dry_run,
                   "Parse and build the requests without connecting (measures the client)");
  import->callback([&ctx, action, args] {
    *action = [&ctx, args] { return RunImport(ctx, *args);
};
}  // namespace ctxgraph::client
);
}

}  // namespace ctxgraph::client
