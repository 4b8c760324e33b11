#include "client/label_commands.h"

#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client/cli_validators.h"
#include "client/rfc3339.h"
#include "client/table_printer.h"

namespace ctxgraph::client {
namespace {

using nlohmann::json;
using BoundaryStub = v1::BoundaryService::StubInterface;

constexpr int kPageSize = 1000;  // the server's cap

struct LabelArgs {
  std::string name;  // label name (define) or node id (history)
  std::string description;
  bool propagate = false;
  uint64_t as_of = 0;
  std::vector<std::string> nodes;
  std::string type;
  std::string downstream_of;
  std::string from, to;  // sanitize: the edge from -DERIVED_FROM-> to
  std::vector<std::string> add;
  std::vector<std::string> remove;
  std::string reason;
};

json Strings(const google::protobuf::RepeatedPtrField<std::string>& list) {
  return std::vector<std::string>(list.begin(), list.end());
}

std::string Joined(const google::protobuf::RepeatedPtrField<std::string>& list) {
  return absl::StrCat("[", absl::StrJoin(list, ","), "]");
}

json LabelToJson(const v1::Label& l) {
  return {{"name", l.name()},
          {"description", l.description()},
          {"propagate", l.propagate()},
          {"version", l.version()},
          {"created_version", l.created_version()},
          {"defined_by", l.defined_by()},
          {"time", FormatRfc3339Utc(l.time())}};
}

// Calls `rpc` page after page, following next_page_token from `request`,
// and appends the items `items` picks from each page to `out`; `last` gets
// the last page.
template <class Request, class Response, class Item>
absl::Status FetchAllPages(
    ServerConnection& conn,
    grpc::Status (BoundaryStub::*rpc)(grpc::ClientContext*, const Request&, Response*),
    Request request, const google::protobuf::RepeatedPtrField<Item>& (Response::*items)() const,
    std::vector<Item>* out, Response* last) {
  request.set_page_size(kPageSize);
  do {
    absl::StatusOr<Response> page = conn.Call(conn.boundary(), rpc, request);
    if (!page.ok()) return page.status();
    const auto& got = ((*page).*items)();
    out->insert(out->end(), got.begin(), got.end());
    request.set_page_token(page->next_page_token());
    *last = *std::move(page);
  } while (!request.page_token().empty());
  return absl::OkStatus();
}

std::string KindName(v1::BoundaryEventKind kind) {
  switch (kind) {
    case v1::BOUNDARY_EVENT_KIND_CREATED:
      return "created";
    case v1::BOUNDARY_EVENT_KIND_CHANGED:
      return "changed";
    case v1::BOUNDARY_EVENT_KIND_DELETED:
      return "deleted";
    default:
      return "unknown";
  }
}

int RunDefine(CommandContext& ctx, const LabelArgs& args) {
  v1::DefineLabelRequest request;
  request.set_name(args.name);
  request.set_description(args.description);
  request.set_propagate(args.propagate);
  ServerConnection& conn = ctx.connection();
  absl::StatusOr<v1::DefineLabelResponse> r =
      conn.Call(conn.boundary(), &BoundaryStub::DefineLabel, request);
  if (!r.ok()) return ctx.Fail(r.status());
  if (ctx.json()) {
    ctx.PrintJson({{"label", LabelToJson(r->label())}, {"changed", r->changed()}});
    return kExitOk;
  }
  const v1::Label& l = r->label();
  TablePrinter fields({});
  fields.AddRow({"name", l.name()});
  fields.AddRow({"description", l.description()});
  fields.AddRow({"propagate", l.propagate() ? "yes" : "no"});
  fields.AddRow({"version", absl::StrCat(l.version())});
  fields.AddRow({"created_version", absl::StrCat(l.created_version())});
  fields.AddRow({"defined_by", l.defined_by()});
  fields.AddRow({"changed", r->changed() ? "yes" : "no (already defined so)"});
  fields.Print(std::cout);
  return kExitOk;
}

int RunList(CommandContext& ctx, const LabelArgs& args) {
  v1::ListLabelsRequest request;
  request.set_as_of_version(args.as_of);
  std::vector<v1::Label> labels;
  v1::ListLabelsResponse last;
  if (absl::Status s = FetchAllPages(ctx.connection(), &BoundaryStub::ListLabels, request,
                                     &v1::ListLabelsResponse::labels, &labels, &last);
      !s.ok()) {
    return ctx.Fail(s);
  }
  const uint64_t version = last.snapshot_version();
  if (ctx.json()) {
    json list = json::array();
    for (const v1::Label& l : labels) list.push_back(LabelToJson(l));
    ctx.PrintJson({{"labels", std::move(list)}, {"snapshot_version", version}});
    return kExitOk;
  }
  TablePrinter table({"NAME", "PROPAGATE", "VERSION", "DEFINED_BY", "DESCRIPTION"});
  for (const v1::Label& l : labels) {
    table.AddRow({l.name(), l.propagate() ? "yes" : "no", absl::StrCat(l.version()), l.defined_by(),
                  l.description()});
  }
  table.Print(std::cout);
  return kExitOk;
}

int RunAssign(CommandContext& ctx, const LabelArgs& args) {
  v1::AssignLabelsRequest request;
  for (const std::string& id : args.nodes) request.add_node_ids(id);
  request.set_type_label(args.type);
  request.set_downstream_of(args.downstream_of);
  for (const std::string& l : args.add) request.add_add(l);
  for (const std::string& l : args.remove) request.add_remove(l);
  request.set_reason(args.reason);
  ServerConnection& conn = ctx.connection();
  absl::StatusOr<v1::AssignLabelsResponse> r =
      conn.Call(conn.boundary(), &BoundaryStub::AssignLabels, request);
  if (!r.ok()) return ctx.Fail(r.status());
  if (ctx.json()) {
    json changed = json::array();
    for (const v1::BoundaryChange& c : r->changed()) {
      changed.push_back({{"node_id", c.node_id()},
                         {"before", Strings(c.before())},
                         {"after", Strings(c.after())}});
    }
    ctx.PrintJson({{"version", r->version()},
                   {"committed", r->committed()},
                   {"changed", std::move(changed)},
                   {"unchanged", Strings(r->unchanged())}});
    return kExitOk;
  }
  TablePrinter table({"NODE", "BEFORE", "AFTER"});
  for (const v1::BoundaryChange& c : r->changed()) {
    table.AddRow({c.node_id(), Joined(c.before()), Joined(c.after())});
  }
  table.Print(std::cout);
  std::cerr << r->changed_size() << " changed, " << r->unchanged_size() << " unchanged"
            << (r->committed() ? absl::StrCat("; committed at version ", r->version())
                               : std::string("; nothing committed"))
            << "\n";
  return kExitOk;
}

int RunSanitize(CommandContext& ctx, const LabelArgs& args) {
  v1::SanitizeEdgeRequest request;
  request.set_from(args.from);
  request.set_to(args.to);
  for (const std::string& l : args.add) request.add_add(l);
  for (const std::string& l : args.remove) request.add_remove(l);
  request.set_reason(args.reason);
  ServerConnection& conn = ctx.connection();
  absl::StatusOr<v1::SanitizeEdgeResponse> r =
      conn.Call(conn.boundary(), &BoundaryStub::SanitizeEdge, request);
  if (!r.ok()) return ctx.Fail(r.status());
  if (ctx.json()) {
    ctx.PrintJson({{"version", r->version()},
                   {"committed", r->committed()},
                   {"before", Strings(r->before())},
                   {"after", Strings(r->after())}});
    return kExitOk;
  }
  std::cout << args.from << " -DERIVED_FROM-> " << args.to << " sanitizes " << Joined(r->after())
            << " (was " << Joined(r->before()) << ")\n";
  std::cerr << (r->committed() ? absl::StrCat("committed at version ", r->version())
                               : std::string("nothing committed"))
            << "\n";
  return kExitOk;
}

int RunHistory(CommandContext& ctx, const LabelArgs& args) {
  v1::LabelHistoryRequest request;
  request.set_node_id(args.name);
  std::vector<v1::BoundaryEvent> events;
  v1::LabelHistoryResponse last;
  if (absl::Status s = FetchAllPages(ctx.connection(), &BoundaryStub::LabelHistory, request,
                                     &v1::LabelHistoryResponse::events, &events, &last);
      !s.ok()) {
    return ctx.Fail(s);
  }
  if (ctx.json()) {
    json list = json::array();
    for (const v1::BoundaryEvent& e : events) {
      list.push_back({{"version", e.version()},
                      {"time", FormatRfc3339Utc(e.time())},
                      {"principal", e.principal()},
                      {"kind", KindName(e.kind())},
                      {"before", Strings(e.before())},
                      {"after", Strings(e.after())},
                      {"inherited_before", Strings(e.inherited_before())},
                      {"inherited_after", Strings(e.inherited_after())},
                      {"reason", e.reason()}});
    }
    ctx.PrintJson({{"events", std::move(list)}});
    return kExitOk;
  }
  TablePrinter table(
      {"VERSION", "TIME", "PRINCIPAL", "KIND", "BEFORE", "AFTER", "INHERITED", "REASON"});
  for (const v1::BoundaryEvent& e : events) {
    const std::string inherited =
        e.inherited_before_size() + e.inherited_after_size() == 0
            ? ""
            : absl::StrCat(Joined(e.inherited_before()), " -> ", Joined(e.inherited_after()));
    table.AddRow({absl::StrCat(e.version()), FormatRfc3339Utc(e.time()), e.principal(),
                  KindName(e.kind()), Joined(e.before()), Joined(e.after()), inherited,
                  e.reason()});
  }
  table.Print(std::cout);
  return kExitOk;
}

// The options `assign` and `remove` share: which nodes (--node ID...,
// --type LABEL or --downstream-of ID, exactly one of them) and --reason;
// runs RunAssign.
void AddNodeSelection(CLI::App* cmd, CommandContext& ctx, CommandAction* action,
                      const std::shared_ptr<LabelArgs>& args) {
  CLI::Option* nodes = cmd->add_option("--node", args->nodes, "A node id (repeatable)");
  CLI::Option* type = cmd->add_option("--type", args->type, "Every node of this type label");
  CLI::Option* downstream =
      cmd->add_option("--downstream-of", args->downstream_of,
                      "This node and every node derived from it along DERIVED_FROM");
  nodes->excludes(type);
  downstream->excludes(nodes)->excludes(type);
  cmd->add_option("--reason", args->reason, "Why; recorded in the commit and the audit log")
      ->required();
  cmd->callback([&ctx, action, args, nodes, type, downstream] {
    if (nodes->count() == 0 && type->count() == 0 && downstream->count() == 0) {
      throw CLI::RequiredError("--node, --type or --downstream-of");
    }
    *action = [&ctx, args] { return RunAssign(ctx, *args); };
  });
}

}  // namespace

void AddLabelCommands(CLI::App& app, CommandContext& ctx, CommandAction* action) {
  auto args = std::make_shared<LabelArgs>();
  CLI::App* label = app.add_subcommand("label", "Boundary labels: the registry and assignments");
  label->require_subcommand(1);

  CLI::App* define =
      label->add_subcommand("define", "Define a boundary label or update its definition");
  define->add_option("NAME", args->name, "The label, e.g. pii or team:finance")->required();
  define->add_option("--description", args->description, "What the label protects")->required();
  define->add_flag("--propagate", args->propagate,
                   "Nodes DERIVED_FROM a labelled node inherit it (fixed once defined)");
  define->callback(
      [&ctx, action, args] { *action = [&ctx, args] { return RunDefine(ctx, *args); }; });

  CLI::App* ls = label->add_subcommand("ls", "List the defined labels");
  ls->add_option("--as-of", args->as_of, "As of this version (default: latest)")
      ->transform(DecimalNumber());
  ls->callback([&ctx, action, args] { *action = [&ctx, args] { return RunList(ctx, *args); }; });

  CLI::App* assign =
      label->add_subcommand("assign", "Add and remove labels on nodes, in one commit");
  AddNodeSelection(assign, ctx, action, args);
  assign->add_option("--add", args->add, "A label to add (repeatable)");
  assign->add_option("--remove", args->remove, "A label to remove (repeatable)");

  // `assign --remove` under its own name, the counterpart of putting a
  // label on: the same request with nothing to add.
  CLI::App* remove =
      label->add_subcommand("remove", "Take labels off nodes, in one commit (assign --remove)");
  AddNodeSelection(remove, ctx, action, args);
  remove->add_option("--label", args->remove, "A label to remove (repeatable)")->required();

  CLI::App* sanitize = label->add_subcommand(
      "sanitize", "Stop labels from propagating along the edge FROM -DERIVED_FROM-> TO");
  sanitize->add_option("FROM", args->from, "The derived node")->required();
  sanitize->add_option("TO", args->to, "The node it was derived from")->required();
  sanitize->add_option("--add", args->add, "A label the edge stops (repeatable)");
  sanitize->add_option("--remove", args->remove, "A label to let through again (repeatable)");
  sanitize->add_option("--reason", args->reason, "Why; recorded in the commit and the audit log")
      ->required();
  sanitize->callback(
      [&ctx, action, args] { *action = [&ctx, args] { return RunSanitize(ctx, *args); }; });

  CLI::App* history =
      label->add_subcommand("history", "Every change to a node's boundary, oldest first");
  history->add_option("ID", args->name, "The node id")->required();
  history->callback(
      [&ctx, action, args] { *action = [&ctx, args] { return RunHistory(ctx, *args); }; });
}

}  // namespace ctxgraph::client
