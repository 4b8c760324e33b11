#include "client/lineage_commands.h"

#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client/cli_validators.h"
#include "client/json_codec.h"
#include "client/lineage_picture.h"
#include "client/table_printer.h"

namespace ctxgraph::client {
namespace {

using nlohmann::json;
using LineageStub = v1::LineageService::StubInterface;

// ", audit entry N", or nothing: the server gives the seq only to a caller
// cleared for "*".
std::string AuditEntryText(uint64_t seq) {
  return seq == 0 ? "" : absl::StrCat(", audit entry ", seq);
}

struct LineageArgs {
  std::string from;  // the start, or Path's from
  std::string to;    // Path only
  int depth = 0;     // 0: the server's default (10)
  std::vector<std::string> labels;
  uint64_t as_of = 0;
  std::string format = "text";  // text, json, dot or mermaid
};

// The output format: --format, or json under the global --json. A picture
// format with --json is a usage error (nullopt, reported).
std::optional<std::string> OutputFormat(CommandContext& ctx, const LineageArgs& args) {
  if (!ctx.json()) return args.format;
  if (args.format == "text" || args.format == "json") return "json";
  ctx.Fail(
      absl::InvalidArgumentError(absl::StrCat("--format ", args.format, ": conflicts with --json")),
      kExitUsage);
  return std::nullopt;
}

// Prints `response` as dot or mermaid when `format` asks for a picture;
// false for text and json.
template <class Response>
bool PrintPicture(const std::string& format, const Response& response) {
  if (format == "dot") {
    std::cout << RenderDot(PictureOf(response));
  } else if (format == "mermaid") {
    std::cout << RenderMermaid(PictureOf(response));
  } else {
    return false;
  }
  return true;
}

json LineageNodeToJson(const v1::LineageNode& n) {
  json node = n.redacted() ? json{{"id", n.node().id()}} : NodeToJson(n.node());
  return {{"node", std::move(node)},
          {"redacted", n.redacted()},
          {"depth", n.depth()},
          {"layer", n.layer()}};
}

json LineageEdgeToJson(const v1::Edge& e) {
  // An edge touching a stub has no provenance: send its ends and label only.
  if (!e.has_provenance()) return {{"from", e.from()}, {"label", e.label()}, {"to", e.to()}};
  return EdgeToJson(e);
}

template <class Response>
json NodesAndEdgesToJson(const Response& r) {
  json nodes = json::array(), edges = json::array();
  for (const v1::LineageNode& n : r.nodes()) nodes.push_back(LineageNodeToJson(n));
  for (const v1::Edge& e : r.edges()) edges.push_back(LineageEdgeToJson(e));
  return {{"nodes", std::move(nodes)},
          {"edges", std::move(edges)},
          {"truncated", r.truncated()},
          {"snapshot_version", r.snapshot_version()},
          {"audit_seq", r.audit_seq()}};
}

std::string EdgeText(const std::string& from, const std::string& label, const std::string& to) {
  return absl::StrCat(from, " -", label, "-> ", to);
}

// One row per node, in the server's order.
template <class Response>
void PrintNodes(const Response& r) {
  TablePrinter table({"ID", "DEPTH", "LAYER", "LABELS", "BOUNDARY", "VERSION"});
  for (const v1::LineageNode& n : r.nodes()) {
    const v1::Node& node = n.node();
    if (n.redacted()) {
      table.AddRow({node.id(), absl::StrCat(n.depth()), absl::StrCat(n.layer()), "(redacted)",
                    "(redacted)", "-"});
      continue;
    }
    table.AddRow({node.id(), absl::StrCat(n.depth()), absl::StrCat(n.layer()),
                  absl::StrJoin(node.labels(), ","), absl::StrJoin(node.boundary(), ","),
                  absl::StrCat(node.provenance().version())});
  }
  table.Print(std::cout);
}

int RunWalk(CommandContext& ctx, const LineageArgs& args, bool upstream) {
  const std::optional<std::string> format = OutputFormat(ctx, args);
  if (!format) return kExitUsage;
  v1::LineageRequest request;
  request.set_node_id(args.from);
  if (args.depth > 0) request.set_max_depth(args.depth);
  for (const std::string& label : args.labels) request.add_edge_labels(label);
  request.set_as_of_version(args.as_of);
  ServerConnection& conn = ctx.connection();
  absl::StatusOr<v1::LineageResponse> r = conn.Call(
      conn.lineage(), upstream ? &LineageStub::Upstream : &LineageStub::Downstream, request);
  if (!r.ok()) return ctx.Fail(r.status());
  if (PrintPicture(*format, *r)) return kExitOk;
  if (*format == "json") {
    json out = NodesAndEdgesToJson(*r);
    json cycles = json::array();
    for (const v1::LineageCycle& c : r->cycles()) {
      json closing = json::array();
      for (const v1::EdgeRef& e : c.closing_edges()) {
        closing.push_back({{"from", e.from()}, {"label", e.label()}, {"to", e.to()}});
      }
      cycles.push_back(
          {{"node_ids", std::vector<std::string>(c.node_ids().begin(), c.node_ids().end())},
           {"closing_edges", std::move(closing)}});
    }
    out["cycles"] = std::move(cycles);
    out["depth_limited"] = r->depth_limited();
    ctx.PrintJson(out);
    return kExitOk;
  }
  PrintNodes(*r);
  if (r->edges_size() > 0) std::cout << "edges:\n";
  for (const v1::Edge& e : r->edges()) {
    std::cout << "  " << EdgeText(e.from(), e.label(), e.to()) << "\n";
  }
  for (const v1::LineageCycle& c : r->cycles()) {
    std::vector<std::string> closing;
    for (const v1::EdgeRef& e : c.closing_edges()) {
      closing.push_back(EdgeText(e.from(), e.label(), e.to()));
    }
    std::cout << "cycle: " << absl::StrJoin(c.node_ids(), ", ") << " (closed by "
              << absl::StrJoin(closing, "; ") << ")\n";
  }
  if (r->truncated()) std::cout << "(truncated: the work bound left lineage out)\n";
  if (r->depth_limited()) std::cout << "(the lineage goes on beyond the depth asked for)\n";
  std::cout << "at version " << r->snapshot_version() << AuditEntryText(r->audit_seq()) << "\n";
  return kExitOk;
}

int RunPath(CommandContext& ctx, const LineageArgs& args) {
  const std::optional<std::string> format = OutputFormat(ctx, args);
  if (!format) return kExitUsage;
  v1::LineagePathRequest request;
  request.set_from(args.from);
  request.set_to(args.to);
  if (args.depth > 0) request.set_max_depth(args.depth);
  for (const std::string& label : args.labels) request.add_edge_labels(label);
  request.set_as_of_version(args.as_of);
  ServerConnection& conn = ctx.connection();
  absl::StatusOr<v1::LineagePathResponse> r =
      conn.Call(conn.lineage(), &LineageStub::Path, request);
  if (!r.ok()) return ctx.Fail(r.status());
  if (PrintPicture(*format, *r)) return kExitOk;
  const bool upstream = r->direction() == v1::LINEAGE_DIRECTION_UPSTREAM;
  if (*format == "json") {
    json out = NodesAndEdgesToJson(*r);
    out["direction"] = upstream ? "upstream" : "downstream";
    ctx.PrintJson(out);
    return kExitOk;
  }
  // The chain as stored, e.g. "a -DERIVED_FROM-> x -DERIVED_FROM-> d", or
  // with arrows reversed for a downstream chain: "d <-DERIVED_FROM- x".
  std::string chain = r->nodes_size() > 0 ? r->nodes(0).node().id() : "";
  for (int i = 0; i < r->edges_size(); ++i) {
    const v1::Edge& e = r->edges(i);
    absl::StrAppend(&chain, upstream ? " -" : " <-", e.label(), upstream ? "-> " : "- ",
                    r->nodes(i + 1).node().id());
  }
  std::cout << chain << "\n";
  PrintNodes(*r);
  std::cout << (upstream ? "upstream" : "downstream") << ", " << r->edges_size() << " edges";
  if (r->truncated()) std::cout << " (the work bound cut the search: a shorter chain may exist)";
  std::cout << "\nat version " << r->snapshot_version() << AuditEntryText(r->audit_seq()) << "\n";
  return kExitOk;
}

// The options up, down and path share.
void AddShapeOptions(CLI::App* cmd, LineageArgs* args) {
  cmd->add_option("--depth", args->depth, "At most N edges from the start, 1..100 (10)")
      ->transform(DecimalNumber())
      ->check(CLI::Range(1, 100));
  cmd->add_option("--labels", args->labels, "Edge labels that count as lineage (DERIVED_FROM)")
      ->delimiter(',');
  cmd->add_option("--as-of", args->as_of, "Read as of this version (latest)")
      ->transform(DecimalNumber());
  cmd->add_option("--format", args->format,
                  "text, json (as --json), dot (Graphviz) or mermaid (flowchart) (text)")
      ->check(CLI::IsMember({"text", "json", "dot", "mermaid"}));
}

}  // namespace

void AddLineageCommands(CLI::App& app, CommandContext& ctx, CommandAction* action) {
  auto args = std::make_shared<LineageArgs>();
  CLI::App* lineage = app.add_subcommand(
      "lineage", "Where a node came from, what was derived from it, how two are related");
  lineage->require_subcommand(1);

  CLI::App* up = lineage->add_subcommand("up", "What ID was derived from, transitively");
  up->add_option("ID", args->from, "The node id")->required();
  AddShapeOptions(up, args.get());
  up->callback([&ctx, action, args] {
    *action = [&ctx, args] { return RunWalk(ctx, *args, /*upstream=*/true); };
  });

  CLI::App* down = lineage->add_subcommand("down", "What was derived from ID, transitively");
  down->add_option("ID", args->from, "The node id")->required();
  AddShapeOptions(down, args.get());
  down->callback([&ctx, action, args] {
    *action = [&ctx, args] { return RunWalk(ctx, *args, /*upstream=*/false); };
  });

  CLI::App* path = lineage->add_subcommand("path", "The shortest lineage chain from FROM to TO");
  path->add_option("FROM", args->from, "One node id")->required();
  path->add_option("TO", args->to, "The other node id")->required();
  AddShapeOptions(path, args.get());
  path->callback([&ctx, action, args] { *action = [&ctx, args] { return RunPath(ctx, *args); }; });
}

}  // namespace ctxgraph::client
