// AuditService subcommands of `ctxgraph`, under `audit`:
//   ctxgraph audit ls [--principal P] [--action A] [--node ID] [--since T]
//                     [--until T] [--limit N]
//   ctxgraph audit verify     (exit 3 when the chain is broken)
//   ctxgraph audit receipt ID (a Retrieve receipt and its recorded request)
//   ctxgraph audit replay ID  (exit 3 on MISMATCH or a tampered receipt)
//   ctxgraph audit access-report --principal P [--since T] [--until T]
//                     (clearances held versus the labels its reads needed)
//   ctxgraph audit exposure NODE [--since T] [--until T] [--as-of V]
//                     [--limit N]
//                     (who was given NODE or a node derived from it)
#ifndef CTXGRAPH_CLIENT_AUDIT_COMMANDS_H_
#define CTXGRAPH_CLIENT_AUDIT_COMMANDS_H_

#include <CLI/CLI.hpp>

#include "client/command_context.h"

namespace ctxgraph::client {

// Adds `audit` and its subcommands to `app`. When one of them is parsed,
// `*action` is set to run it. `context` and `action` must outlive `app`.
void AddAuditCommands(CLI::App& app, CommandContext& context, CommandAction* action);

}  // namespace ctxgraph::client

#endif  // CTXGRAPH_CLIENT_AUDIT_COMMANDS_H_
