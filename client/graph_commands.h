// GraphService subcommands of `ctxgraph`: get, neighbors, ls, put, delete,
// import, commit.
#ifndef CTXGRAPH_CLIENT_GRAPH_COMMANDS_H_
#define CTXGRAPH_CLIENT_GRAPH_COMMANDS_H_

#include <CLI/CLI.hpp>

#include "client/command_context.h"

namespace ctxgraph::client {

// Adds the subcommands to `app`. When one of them is parsed, `*action` is set
// to run it. `context` and `action` must outlive `app`.
void AddGraphCommands(CLI::App& app, CommandContext& context, CommandAction* action);

}  // namespace ctxgraph::client

#endif  // CTXGRAPH_CLIENT_GRAPH_COMMANDS_H_
