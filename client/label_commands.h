// BoundaryService subcommands of `ctxgraph`, under `label`:
//   ctxgraph label define NAME --description D [--propagate]   (steward, admin)
//   ctxgraph label ls [--as-of V]                               (any role)
//   ctxgraph label assign (--node ID... | --type LABEL) [--add L]... [--remove L]...
//                         --reason R                            (steward, admin)
//   ctxgraph label remove (--node ID... | --type LABEL) --label L... --reason R
//                         (assign --remove under its own name)  (steward, admin)
//   ctxgraph label history ID                                   (auditor, steward, admin)
#ifndef CTXGRAPH_CLIENT_LABEL_COMMANDS_H_
#define CTXGRAPH_CLIENT_LABEL_COMMANDS_H_

#include <CLI/CLI.hpp>

#include "client/command_context.h"

namespace ctxgraph::client {

// Adds `label` and its subcommands to `app`. When one of them is parsed,
// `*action` is set to run it. `context` and `action` must outlive `app`.
void AddLabelCommands(CLI::App& app, CommandContext& context, CommandAction* action);

}  // namespace ctxgraph::client

#endif  // CTXGRAPH_CLIENT_LABEL_COMMANDS_H_
