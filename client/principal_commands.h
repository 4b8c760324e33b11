// AdminService subcommands of `ctxgraph`, all under `principal`.
#ifndef CTXGRAPH_CLIENT_PRINCIPAL_COMMANDS_H_
#define CTXGRAPH_CLIENT_PRINCIPAL_COMMANDS_H_

#include <CLI/CLI.hpp>

#include "client/command_context.h"

namespace ctxgraph::client {

// Adds `principal` and its subcommands to `app`. When one of them is parsed,
// `*action` is set to run it. `context` and `action` must outlive `app`.
void AddPrincipalCommands(CLI::App& app, CommandContext& context, CommandAction* action);

}  // namespace ctxgraph::client

#endif  // CTXGRAPH_CLIENT_PRINCIPAL_COMMANDS_H_
