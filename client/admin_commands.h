// Server operations subcommands of `ctxgraph`, under `admin` (admin role):
//   ctxgraph admin backup DIR   a consistent online backup into DIR, a path
//                               on the server's machine (AdminService.Backup)
#ifndef CTXGRAPH_CLIENT_ADMIN_COMMANDS_H_
#define CTXGRAPH_CLIENT_ADMIN_COMMANDS_H_

#include <CLI/CLI.hpp>

#include "client/command_context.h"

namespace ctxgraph::client {

// Adds `admin` and its subcommands to `app`. When one of them is parsed,
// `*action` is set to run it. `context` and `action` must outlive `app`.
void AddAdminCommands(CLI::App& app, CommandContext& context, CommandAction* action);

}  // namespace ctxgraph::client

#endif  // CTXGRAPH_CLIENT_ADMIN_COMMANDS_H_
