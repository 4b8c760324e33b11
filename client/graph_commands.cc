#include "client/graph_commands.h"

#include <algorithm>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client/cli_validators.h"
#include "client/import_command.h"
#include "client/json_codec.h"
#include "client/jsonl_reader.h"
#include "client/table_printer.h"

namespace ctxgraph::client {
namespace {

using nlohmann::json;
using GraphStub = v1::GraphService::StubInterface;

constexpr int kMaxPageSize = 1000;  // the server's maximum

std::string Join(const google::protobuf::RepeatedPtrField<std::string>& list) {
  return absl::StrJoin(list, ",");
}

const char* ValueTypeName(const v1::Value& value) {
  switch (value.kind_case()) {
    case v1::Value::kStringValue:
      return "string";
    case v1::Value::kIntValue:
      return "int";
    case v1::Value::kDoubleValue:
      return "double";
    case v1::Value::kBoolValue:
      return "bool";
    case v1::Value::kTimestampValue:
      return "timestamp";
    case v1::Value::kListValue:
      return "list";
    case v1::Value::KIND_NOT_SET:
      break;
  }
  return "unset";
}

void PrintProps(const PropMap& props) {
  std::vector<std::string> keys;
  for (const auto& [key, unused] : props) keys.push_back(key);
  std::sort(keys.begin(), keys.end());
  TablePrinter table({"PROP", "TYPE", "VALUE"});
  for (const std::string& key : keys) {
    const v1::Value& value = props.at(key);
    table.AddRow({key, ValueTypeName(value), ValueToDisplayText(value)});
  }
  table.Print(std::cout);
}

void PrintNode(const v1::Node& node) {
  TablePrinter fields({});
  fields.AddRow({"id", node.id()});
  fields.AddRow({"labels", Join(node.labels())});
  fields.AddRow({"boundary", Join(node.boundary())});
  if (node.inherited_size() > 0) {
    std::vector<std::string> inherited;
    for (const v1::InheritedLabel& l : node.inherited()) {
      inherited.push_back(absl::StrCat(
          l.label(), " (from ", l.from().empty() ? "an ancestor not named to you" : l.from(), ")"));
    }
    fields.AddRow({"inherited", absl::StrJoin(inherited, ", ")});
  }
  if (node.has_source()) {
    std::string source = absl::StrCat(node.source().system(), " ", node.source().uri());
    if (node.source().authority() != v1::AUTHORITY_UNSPECIFIED) {
      absl::StrAppend(&source, " (", AuthorityName(node.source().authority()), ")");
    }
    fields.AddRow({"source", source});
  }
  const json provenance = ProvenanceToJson(node.provenance());
  fields.AddRow({"version", absl::StrCat(node.provenance().version())});
  fields.AddRow({"commit_time", provenance["commit_time"].get<std::string>()});
  fields.AddRow({"writer", node.provenance().writer()});
  fields.AddRow({"content_hash", node.provenance().content_hash()});
  fields.Print(std::cout);
  if (!node.props().empty()) {
    std::cout << "\n";
    PrintProps(node.props());
  }
}

// Parses repeated `--prop key=value` flags (value typed by ValueFromCliText).
absl::Status ParsePropFlags(const std::vector<std::string>& flags, PropMap* props) {
  for (const std::string& flag : flags) {
    const size_t eq = flag.find('=');
    if (eq == std::string::npos || eq == 0) {
      return absl::InvalidArgumentError(absl::StrCat("--prop \"", flag, "\": expected key=value"));
    }
    const std::string key = flag.substr(0, eq);
    if (props->contains(key)) {
      return absl::InvalidArgumentError(absl::StrCat("--prop \"", key, "\" given twice"));
    }
    absl::StatusOr<v1::Value> value = ValueFromCliText(std::string_view(flag).substr(eq + 1));
    if (!value.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--prop \"", key, "\": ", value.status().message()));
    }
    (*props)[key] = *std::move(value);
  }
  return absl::OkStatus();
}

int RunWrite(CommandContext& ctx, const v1::WriteOp& op, const std::string& description) {
  v1::WriteRequest request;
  *request.add_ops() = op;
  request.set_description(description);
  ServerConnection& conn = ctx.connection();
  absl::StatusOr<v1::WriteResponse> response = conn.Call(conn.graph(), &GraphStub::Write, request);
  if (!response.ok()) return ctx.Fail(response.status());
  if (ctx.json()) {
    ctx.PrintJson(WriteResponseToJson(*response));
  } else if (response->committed()) {
    std::cout << "committed version " << response->version() << " (nodes written "
              << response->nodes_written() << ", edges written " << response->edges_written()
              << ", deleted " << response->deleted() << ", unchanged " << response->unchanged()
              << ")\n";
  } else {
    std::cout << "no change; latest version " << response->version() << "\n";
  }
  return kExitOk;
}

struct ReadArgs {
  std::string id;
  std::string label;
  std::string direction = "out";
  std::vector<std::string> edge_labels;
  int limit = 0;  // 0 = no limit
  uint64_t as_of = 0;
};

int RunGet(CommandContext& ctx, const ReadArgs& args) {
  v1::GetNodeRequest request;
  request.set_id(args.id);
  request.set_as_of_version(args.as_of);
  ServerConnection& conn = ctx.connection();
  absl::StatusOr<v1::GetNodeResponse> response =
      conn.Call(conn.graph(), &GraphStub::GetNode, request);
  if (!response.ok()) return ctx.Fail(response.status());
  if (ctx.json()) {
    ctx.PrintJson(NodeToJson(response->node()));
  } else {
    PrintNode(response->node());
  }
  return kExitOk;
}

int PageSize(int limit, size_t already) {
  if (limit <= 0) return kMaxPageSize;
  return static_cast<int>(std::min<size_t>(kMaxPageSize, limit - already));
}

int RunNeighbors(CommandContext& ctx, const ReadArgs& args) {
  v1::ListNeighborsRequest request;
  request.set_id(args.id);
  request.set_direction(args.direction == "in"     ? v1::DIRECTION_IN
                        : args.direction == "both" ? v1::DIRECTION_BOTH
                                                   : v1::DIRECTION_OUT);
  for (const std::string& label : args.edge_labels) request.add_edge_labels(label);
  request.set_as_of_version(args.as_of);
  std::vector<v1::Neighbor> neighbors;
  uint64_t snapshot = 0;
  ServerConnection& conn = ctx.connection();
  do {
    request.set_page_size(PageSize(args.limit, neighbors.size()));
    absl::StatusOr<v1::ListNeighborsResponse> page =
        conn.Call(conn.graph(), &GraphStub::ListNeighbors, request);
    if (!page.ok()) return ctx.Fail(page.status());
    if (snapshot == 0) snapshot = page->snapshot_version();
    for (v1::Neighbor& n : *page->mutable_neighbors()) neighbors.push_back(std::move(n));
    request.set_page_token(page->next_page_token());
  } while (!request.page_token().empty() &&
           (args.limit <= 0 || neighbors.size() < static_cast<size_t>(args.limit)));
  if (args.limit > 0 && neighbors.size() > static_cast<size_t>(args.limit)) {
    neighbors.resize(args.limit);
  }

  if (ctx.json()) {
    json list = json::array();
    for (const v1::Neighbor& n : neighbors) {
      list.push_back({{"direction", DirectionName(n.direction())},
                      {"edge", EdgeToJson(n.edge())},
                      {"node", NodeToJson(n.node())}});
    }
    ctx.PrintJson({{"neighbors", list}, {"snapshot_version", snapshot}});
    return kExitOk;
  }
  TablePrinter table({"DIR", "EDGE", "NODE", "LABELS", "BOUNDARY"});
  for (const v1::Neighbor& n : neighbors) {
    table.AddRow({DirectionName(n.direction()), n.edge().label(), n.node().id(),
                  Join(n.node().labels()), Join(n.node().boundary())});
  }
  table.Print(std::cout);
  return kExitOk;
}

int RunList(CommandContext& ctx, const ReadArgs& args) {
  v1::ListNodesRequest request;
  request.set_label(args.label);
  request.set_as_of_version(args.as_of);
  std::vector<v1::Node> nodes;
  uint64_t snapshot = 0;
  ServerConnection& conn = ctx.connection();
  do {
    request.set_page_size(PageSize(args.limit, nodes.size()));
    absl::StatusOr<v1::ListNodesResponse> page =
        conn.Call(conn.graph(), &GraphStub::ListNodes, request);
    if (!page.ok()) return ctx.Fail(page.status());
    if (snapshot == 0) snapshot = page->snapshot_version();
    for (v1::Node& node : *page->mutable_nodes()) nodes.push_back(std::move(node));
    request.set_page_token(page->next_page_token());
  } while (!request.page_token().empty() &&
           (args.limit <= 0 || nodes.size() < static_cast<size_t>(args.limit)));
  if (args.limit > 0 && nodes.size() > static_cast<size_t>(args.limit)) nodes.resize(args.limit);

  if (ctx.json()) {
    json list = json::array();
    for (const v1::Node& node : nodes) list.push_back(NodeToJson(node));
    ctx.PrintJson({{"nodes", list}, {"snapshot_version", snapshot}});
    return kExitOk;
  }
  TablePrinter table({"ID", "LABELS", "BOUNDARY", "VERSION"});
  for (const v1::Node& node : nodes) {
    table.AddRow({node.id(), Join(node.labels()), Join(node.boundary()),
                  absl::StrCat(node.provenance().version())});
  }
  table.Print(std::cout);
  return kExitOk;
}

int RunCommit(CommandContext& ctx, uint64_t version) {
  v1::GetCommitRequest request;
  request.set_version(version);
  ServerConnection& conn = ctx.connection();
  absl::StatusOr<v1::GetCommitResponse> response =
      conn.Call(conn.graph(), &GraphStub::GetCommit, request);
  if (!response.ok()) return ctx.Fail(response.status());
  const json commit = CommitToJson(response->commit());
  if (ctx.json()) {
    ctx.PrintJson(commit);
    return kExitOk;
  }
  TablePrinter fields({});
  fields.AddRow({"version", absl::StrCat(response->commit().version())});
  fields.AddRow({"time", commit["time"].get<std::string>()});
  fields.AddRow({"principal", response->commit().principal()});
  fields.AddRow({"description", response->commit().description()});
  fields.Print(std::cout);
  return kExitOk;
}

struct PutArgs {
  std::string json_line;
  v1::Node node;  // id and source filled from flags
  v1::Edge edge;
  std::vector<std::string> labels, boundary, props;
  std::string authority;
};

int RunPutNode(CommandContext& ctx, PutArgs& args) {
  v1::WriteOp op;
  v1::Node* node = op.mutable_upsert_node();
  *node = args.node;
  for (const std::string& l : args.labels) node->add_labels(l);
  for (const std::string& b : args.boundary) node->add_boundary(b);
  if (absl::Status s = ParsePropFlags(args.props, node->mutable_props()); !s.ok()) {
    return ctx.Fail(s, kExitUsage);
  }
  if (!args.authority.empty()) {
    absl::StatusOr<v1::Authority> authority = ParseAuthority(args.authority);
    if (!authority.ok()) return ctx.Fail(authority.status(), kExitUsage);
    node->mutable_source()->set_authority(*authority);
  }
  if (node->source().system().empty() && node->source().uri().empty() &&
      node->source().authority() == v1::AUTHORITY_UNSPECIFIED) {
    node->clear_source();
  }
  return RunWrite(ctx, op, "ctxgraph put node");
}

int RunPutEdge(CommandContext& ctx, PutArgs& args) {
  v1::WriteOp op;
  *op.mutable_upsert_edge() = args.edge;
  if (absl::Status s = ParsePropFlags(args.props, op.mutable_upsert_edge()->mutable_props());
      !s.ok()) {
    return ctx.Fail(s, kExitUsage);
  }
  return RunWrite(ctx, op, "ctxgraph put edge");
}

int RunPutJson(CommandContext& ctx, const PutArgs& args) {
  absl::StatusOr<v1::WriteOp> op = ParseImportLine(args.json_line);
  if (!op.ok()) return ctx.Fail(op.status(), kExitUsage);
  return RunWrite(ctx, *op, "ctxgraph put");
}

void AddPutCommand(CLI::App& app, CommandContext& ctx, CommandAction* action) {
  auto args = std::make_shared<PutArgs>();
  CLI::App* put = app.add_subcommand("put", "Write one node or edge (prints the new version)");
  CLI::Option* json_opt =
      put->add_option("--json", args->json_line, "One canonical JSONL object (see import)");

  CLI::App* node = put->add_subcommand("node", "Upsert a node");
  node->add_option("--id", *args->node.mutable_id(), "Node id")->required();
  node->add_option("--label", args->labels, "Type label (repeatable)")->required();
  node->add_option("--boundary", args->boundary, "Boundary label (repeatable)");
  node->add_option("--prop", args->props, "key=value; value typed like JSON (repeatable)");
  node->add_option("--source-system", *args->node.mutable_source()->mutable_system());
  node->add_option("--source-uri", *args->node.mutable_source()->mutable_uri());
  node->add_option("--source-authority", args->authority)
      ->check(CLI::IsMember({"imported", "asserted", "inferred"}));
  node->excludes(json_opt);
  node->callback(
      [&ctx, action, args] { *action = [&ctx, args] { return RunPutNode(ctx, *args); }; });

  CLI::App* edge = put->add_subcommand("edge", "Upsert an edge");
  edge->add_option("--from", *args->edge.mutable_from(), "Source node id")->required();
  edge->add_option("--label", *args->edge.mutable_label(), "Edge label")->required();
  edge->add_option("--to", *args->edge.mutable_to(), "Target node id")->required();
  edge->add_option("--prop", args->props, "key=value; value typed like JSON (repeatable)");
  edge->excludes(json_opt);
  edge->callback(
      [&ctx, action, args] { *action = [&ctx, args] { return RunPutEdge(ctx, *args); }; });

  put->require_subcommand(0, 1);
  put->callback([&ctx, action, args, put] {
    if (!put->get_subcommands().empty()) return;
    if (args->json_line.empty()) throw CLI::ValidationError("put", "give node, edge or --json");
    *action = [&ctx, args] { return RunPutJson(ctx, *args); };
  });
}

void AddDeleteCommand(CLI::App& app, CommandContext& ctx, CommandAction* action) {
  auto ref = std::make_shared<v1::EdgeRef>();
  auto id = std::make_shared<std::string>();
  CLI::App* del = app.add_subcommand("delete", "Delete a node (and its edges) or an edge");
  del->require_subcommand(1);
  CLI::App* node = del->add_subcommand("node", "Delete a node and its edges");
  node->add_option("id", *id, "Node id")->required();
  node->callback([&ctx, action, id] {
    *action = [&ctx, id] {
      v1::WriteOp op;
      op.set_delete_node(*id);
      return RunWrite(ctx, op, "ctxgraph delete node");
    };
  });
  CLI::App* edge = del->add_subcommand("edge", "Delete the edge FROM -LABEL-> TO");
  edge->add_option("from", *ref->mutable_from(), "Source node id")->required();
  edge->add_option("label", *ref->mutable_label(), "Edge label")->required();
  edge->add_option("to", *ref->mutable_to(), "Target node id")->required();
  edge->callback([&ctx, action, ref] {
    *action = [&ctx, ref] {
      v1::WriteOp op;
      *op.mutable_delete_edge() = *ref;
      return RunWrite(ctx, op, "ctxgraph delete edge");
    };
  });
}

}  // namespace

void AddGraphCommands(CLI::App& app, CommandContext& ctx, CommandAction* action) {
  auto args = std::make_shared<ReadArgs>();
  const auto as_of = [&args](CLI::App* cmd) {
    cmd->add_option("--as-of", args->as_of, "Read at this version (default: latest)")
        ->transform(DecimalNumber());
  };
  const auto limit = [&args](CLI::App* cmd) {
    cmd->add_option("--limit", args->limit, "Stop after N results")
        ->transform(DecimalNumber())
        ->check(CLI::Range(1, 1 << 30));
  };

  CLI::App* get = app.add_subcommand("get", "Show one node");
  get->add_option("node", args->id, "Node id")->required();
  as_of(get);
  get->callback([&ctx, action, args] { *action = [&ctx, args] { return RunGet(ctx, *args); }; });

  CLI::App* neighbors = app.add_subcommand("neighbors", "List a node's neighbors");
  neighbors->add_option("node", args->id, "Node id")->required();
  neighbors->add_option("--direction", args->direction, "out, in or both (default out)")
      ->check(CLI::IsMember({"out", "in", "both"}));
  neighbors->add_option("--edge-label", args->edge_labels, "Only these edge labels (repeatable)");
  limit(neighbors);
  as_of(neighbors);
  neighbors->callback(
      [&ctx, action, args] { *action = [&ctx, args] { return RunNeighbors(ctx, *args); }; });

  CLI::App* ls = app.add_subcommand("ls", "List nodes with a type label");
  ls->add_option("--label", args->label, "Type label")->required();
  limit(ls);
  as_of(ls);
  ls->callback([&ctx, action, args] { *action = [&ctx, args] { return RunList(ctx, *args); }; });

  AddPutCommand(app, ctx, action);
  AddDeleteCommand(app, ctx, action);

  AddImportCommand(app, ctx, action);

  auto version = std::make_shared<uint64_t>(0);
  CLI::App* commit = app.add_subcommand("commit", "Show the commit that made a version");
  commit->add_option("version", *version, "Version")->transform(DecimalNumber())->required();
  commit->callback(
      [&ctx, action, version] { *action = [&ctx, version] { return RunCommit(ctx, *version); }; });
}

}  // namespace ctxgraph::client
