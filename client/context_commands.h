// ContextService subcommands of `ctxgraph`:
//   ctxgraph context --seed ID [--seed ID ...] [--query TEXT] [--hops N]
//                    [--edge-label L ...] [--direction out|in|both]
//                    [--max-items N] [--max-bytes N] [--as-of V]
// prints the retrieved items (score, hop, why-included path, source) and the
// receipt; with the global --json, the whole response as JSON for agents.
#ifndef CTXGRAPH_CLIENT_CONTEXT_COMMANDS_H_
#define CTXGRAPH_CLIENT_CONTEXT_COMMANDS_H_

#include <CLI/CLI.hpp>

#include "client/command_context.h"

namespace ctxgraph::client {

// Adds `context` to `app`. When it is parsed, `*action` is set to run it.
// `context` and `action` must outlive `app`.
void AddContextCommands(CLI::App& app, CommandContext& context, CommandAction* action);

}  // namespace ctxgraph::client

#endif  // CTXGRAPH_CLIENT_CONTEXT_COMMANDS_H_
