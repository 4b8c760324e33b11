// LineageService subcommands of `ctxgraph`:
//   ctxgraph lineage up ID [--depth N] [--labels L,..] [--as-of V] [--format F]
//   ctxgraph lineage down ID [--depth N] [--labels L,..] [--as-of V] [--format F]
//   ctxgraph lineage path FROM TO [--depth N] [--labels L,..] [--as-of V] [--format F]
// `up` lists what ID was derived from (its sources, transitively), `down`
// what was derived from ID, `path` the shortest chain between two nodes.
// Printed as a table in output order (depth, layer, labels, boundary,
// version; redacted stubs marked), then the edges, cycles and flags; with
// --format json (or the global --json), the whole response as JSON; with
// --format dot or mermaid, a picture (client/lineage_picture.h).
#ifndef CTXGRAPH_CLIENT_LINEAGE_COMMANDS_H_
#define CTXGRAPH_CLIENT_LINEAGE_COMMANDS_H_

#include <CLI/CLI.hpp>

#include "client/command_context.h"

namespace ctxgraph::client {

// Adds `lineage` to `app`. When it is parsed, `*action` is set to run it.
// `context` and `action` must outlive `app`.
void AddLineageCommands(CLI::App& app, CommandContext& context, CommandAction* action);

}  // namespace ctxgraph::client

#endif  // CTXGRAPH_CLIENT_LINEAGE_COMMANDS_H_
