#include "client/context_commands.h"

#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "client/cli_validators.h"
#include "client/json_codec.h"
#include "client/table_printer.h"

namespace ctxgraph::client {
namespace {

using nlohmann::json;
using ContextStub = v1::ContextService::StubInterface;

struct ContextArgs {
  std::vector<std::string> seeds;
  std::string query;
  int hops = 2;
  std::vector<std::string> edge_labels;
  std::string direction = "both";
  int max_items = 0;
  int64_t max_bytes = 0;
  uint64_t as_of = 0;
};

// "seed", or the path from the seed, e.g. "doc-1 -REFERENCES-> doc-2 <-PART_OF- msg-7",
// each edge drawn in its stored direction.
std::string ViaText(const v1::RetrievedItem& item) {
  if (item.via_size() == 0) return "seed";
  const v1::EdgeRef& first = item.via(0);
  // The seed is the end of the first edge that the second one does not share.
  std::string at = first.from();
  if (item.via_size() == 1
          ? first.to() != item.node().id()
          : first.from() == item.via(1).from() || first.from() == item.via(1).to()) {
    at = first.to();
  }
  std::string out = at;
  for (const v1::EdgeRef& e : item.via()) {
    if (e.from() == at) {
      absl::StrAppend(&out, " -", e.label(), "-> ", e.to());
      at = e.to();
    } else {
      absl::StrAppend(&out, " <-", e.label(), "- ", e.from());
      at = e.from();
    }
  }
  return out;
}

json ResponseToJson(const v1::RetrieveResponse& r) {
  json items = json::array();
  for (const v1::RetrievedItem& item : r.items()) {
    json via = json::array();
    for (const v1::EdgeRef& e : item.via()) {
      via.push_back({{"from", e.from()}, {"label", e.label()}, {"to", e.to()}});
    }
    items.push_back({{"node", NodeToJson(item.node())},
                     {"score", item.score()},
                     {"hop", item.hop()},
                     {"via", std::move(via)}});
  }
  json edges = json::array();
  for (const v1::Edge& e : r.edges()) edges.push_back(EdgeToJson(e));
  const v1::Receipt& receipt = r.receipt();
  return {{"items", std::move(items)},
          {"edges", std::move(edges)},
          {"truncated", r.truncated()},
          {"receipt",
           {{"receipt_id", receipt.receipt_id()},
            {"snapshot_version", receipt.snapshot_version()},
            {"principal", receipt.principal()},
            {"clearances", json(std::vector<std::string>(receipt.clearances().begin(),
                                                         receipt.clearances().end()))},
            {"digest", receipt.digest()}}}};
}

int RunContext(CommandContext& ctx, const ContextArgs& args) {
  v1::RetrieveRequest request;
  for (const std::string& seed : args.seeds) request.add_seeds(seed);
  request.set_query(args.query);
  v1::Expansion* expansion = request.mutable_expansion();
  expansion->set_max_hops(args.hops);
  for (const std::string& label : args.edge_labels) expansion->add_edge_labels(label);
  expansion->set_direction(args.direction == "out"  ? v1::DIRECTION_OUT
                           : args.direction == "in" ? v1::DIRECTION_IN
                                                    : v1::DIRECTION_BOTH);
  request.mutable_budget()->set_max_items(args.max_items);
  request.mutable_budget()->set_max_bytes(args.max_bytes);
  request.set_as_of_version(args.as_of);
  ServerConnection& conn = ctx.connection();
  absl::StatusOr<v1::RetrieveResponse> r =
      conn.Call(conn.context(), &ContextStub::Retrieve, request);
  if (!r.ok()) return ctx.Fail(r.status());
  if (ctx.json()) {
    ctx.PrintJson(ResponseToJson(*r));
    return kExitOk;
  }
  TablePrinter table({"ID", "SCORE", "HOP", "WHY", "SOURCE", "VERSION"});
  for (const v1::RetrievedItem& item : r->items()) {
    const v1::Node& node = item.node();
    table.AddRow({node.id(), absl::StrFormat("%.6f", item.score()), absl::StrCat(item.hop()),
                  ViaText(item), absl::StrCat(node.source().system(), " ", node.source().uri()),
                  absl::StrCat(node.provenance().version())});
  }
  table.Print(std::cout);
  if (r->truncated()) std::cout << "(truncated: the work bound or the budget left items out)\n";
  std::cout << "receipt " << r->receipt().receipt_id() << " at version "
            << r->receipt().snapshot_version() << ", digest " << r->receipt().digest() << "\n";
  return kExitOk;
}

}  // namespace

void AddContextCommands(CLI::App& app, CommandContext& ctx, CommandAction* action) {
  auto args = std::make_shared<ContextArgs>();
  CLI::App* cmd = app.add_subcommand(
      "context", "Retrieve the context around seeds and/or a query, with a receipt");
  cmd->add_option("--seed", args->seeds, "A seed node id (repeatable)");
  cmd->add_option("--query", args->query, "Search text whose top 10 hits join the seeds");
  cmd->add_option("--hops", args->hops, "Expansion depth, 0..5 (2)")
      ->transform(DecimalNumber())
      ->check(CLI::Range(0, 5));
  cmd->add_option("--edge-label", args->edge_labels, "Follow only these edge labels");
  cmd->add_option("--direction", args->direction, "out, in or both (both)")
      ->check(CLI::IsMember({"out", "in", "both"}));
  cmd->add_option("--max-items", args->max_items, "At most N items (50)")
      ->transform(DecimalNumber())
      ->check(CLI::Range(1, 1000));
  cmd->add_option("--max-bytes", args->max_bytes, "At most N bytes of props (1 MiB)")
      ->transform(DecimalNumber())
      ->check(CLI::Range(int64_t{1}, int64_t{4} << 20));
  cmd->add_option("--as-of", args->as_of, "Read as of this version (latest)")
      ->transform(DecimalNumber());
  cmd->callback(
      [&ctx, action, args] { *action = [&ctx, args] { return RunContext(ctx, *args); }; });
}

}  // namespace ctxgraph::client
