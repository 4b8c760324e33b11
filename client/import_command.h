// `ctxgraph import`: flags, the Import stream, progress and the summary.
#ifndef CTXGRAPH_CLIENT_IMPORT_COMMAND_H_
#define CTXGRAPH_CLIENT_IMPORT_COMMAND_H_

#include <CLI/CLI.hpp>

#include "client/command_context.h"

namespace ctxgraph::client {

// Adds the `import` subcommand to `app`; when parsed, `*action` runs it.
// `context` and `action` must outlive `app`.
void AddImportCommand(CLI::App& app, CommandContext& context, CommandAction* action);

}  // namespace ctxgraph::client

#endif  // CTXGRAPH_CLIENT_IMPORT_COMMAND_H_
