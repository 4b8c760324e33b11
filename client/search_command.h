// `ctxgraph search QUERY [--label L]... [--limit N] [--as-of V]`:
// ContextService.Search, printed as a ranked table (rank, score, id, labels,
// snippet) or, with --json, as {"hits": [...], "snapshot_version": V}.
#ifndef CTXGRAPH_CLIENT_SEARCH_COMMAND_H_
#define CTXGRAPH_CLIENT_SEARCH_COMMAND_H_

#include <CLI/CLI.hpp>

#include "client/command_context.h"

namespace ctxgraph::client {

// Adds `search` to `app`. When it is parsed, `*action` is set to run it.
// `context` and `action` must outlive `app`.
void AddSearchCommand(CLI::App& app, CommandContext& context, CommandAction* action);

}  // namespace ctxgraph::client

#endif  // CTXGRAPH_CLIENT_SEARCH_COMMAND_H_
