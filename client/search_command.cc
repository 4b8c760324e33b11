#include "client/search_command.h"

#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "client/cli_validators.h"
#include "client/json_codec.h"
#include "client/table_printer.h"

namespace ctxgraph::client {
namespace {

using nlohmann::json;
using ContextStub = v1::ContextService::StubInterface;

constexpr int kMaxPageSize = 100;  // the server's maximum for Search

struct SearchArgs {
  std::string query;
  std::vector<std::string> labels;
  int limit = 10;
  uint64_t as_of = 0;
};

int RunSearch(CommandContext& ctx, const SearchArgs& args) {
  v1::SearchRequest request;
  request.set_query(args.query);
  for (const std::string& label : args.labels) request.add_labels(label);
  request.set_as_of_version(args.as_of);
  std::vector<v1::SearchHit> hits;
  uint64_t snapshot = 0;
  ServerConnection& conn = ctx.connection();
  do {
    request.set_page_size(std::min<int>(kMaxPageSize, args.limit - static_cast<int>(hits.size())));
    absl::StatusOr<v1::SearchResponse> page =
        conn.Call(conn.context(), &ContextStub::Search, request);
    if (!page.ok()) return ctx.Fail(page.status());
    if (snapshot == 0) snapshot = page->snapshot_version();
    for (v1::SearchHit& hit : *page->mutable_hits()) hits.push_back(std::move(hit));
    request.set_page_token(page->next_page_token());
  } while (!request.page_token().empty() && hits.size() < static_cast<size_t>(args.limit));

  if (ctx.json()) {
    json list = json::array();
    for (const v1::SearchHit& hit : hits) {
      list.push_back(
          {{"score", hit.score()}, {"snippet", hit.snippet()}, {"node", NodeToJson(hit.node())}});
    }
    ctx.PrintJson({{"hits", list}, {"snapshot_version", snapshot}});
    return kExitOk;
  }
  TablePrinter table({"RANK", "SCORE", "ID", "LABELS", "SNIPPET"});
  for (size_t i = 0; i < hits.size(); ++i) {
    const v1::SearchHit& hit = hits[i];
    table.AddRow({absl::StrCat(i + 1), absl::StrFormat("%.4f", hit.score()), hit.node().id(),
                  absl::StrJoin(hit.node().labels(), ","), hit.snippet()});
  }
  table.Print(std::cout);
  return kExitOk;
}

}  // namespace

void AddSearchCommand(CLI::App& app, CommandContext& ctx, CommandAction* action) {
  auto args = std::make_shared<SearchArgs>();
  CLI::App* search = app.add_subcommand("search", "Rank visible nodes by keyword (BM25)");
  search->add_option("query", args->query, "Words to look for")->required();
  search->add_option("--label", args->labels, "Only nodes with one of these type labels");
  search->add_option("--limit", args->limit, "Show the top N (default 10)")
      ->transform(DecimalNumber())
      ->check(CLI::Range(1, 10000));
  search->add_option("--as-of", args->as_of, "Search at this version (default: latest)")
      ->transform(DecimalNumber());
  search->callback(
      [&ctx, action, args] { *action = [&ctx, args] { return RunSearch(ctx, *args); }; });
}

}  // namespace ctxgraph::client
