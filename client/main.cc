// ctxgraph: command-line client for ctxgraphd.
//
//   ctxgraph [--server HOST:PORT] [--token-file F] [--json] [--timeout S]
//            [--ca-cert F [--client-cert F --client-key F] [--tls-server-name N]] <command> ...
//
// Exit codes: 0 success, 1 the server refused or failed (or import lines were
// rejected), 2 usage errors (bad flags, unreadable token or input files), 3 a
// check that ran and found a problem (`audit verify`, `audit replay`).
// Errors are one line on stderr starting "error: ".
#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>
#include <memory>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "client/admin_commands.h"
#include "client/audit_commands.h"
#include "client/command_context.h"
#include "client/connection.h"
#include "client/context_commands.h"
#include "client/graph_commands.h"
#include "client/label_commands.h"
#include "client/lineage_commands.h"
#include "client/principal_commands.h"
#include "client/search_command.h"
#include "client/tls_channel.h"

namespace ctxgraph::client {
namespace {

int Main(int argc, char** argv) {
  CommandContext ctx;
  CommandAction action;

  CLI::App app("ctxgraph: command-line client for the ctxgraph context graph server", "ctxgraph");
  app.fallthrough();  // global flags may follow the subcommand
  app.require_subcommand(1);
  app.add_option("--server", ctx.flags().server,
                 "HOST:PORT (env CTXGRAPH_SERVER, default 127.0.0.1:50051)");
  app.add_option("--token-file", ctx.flags().token_file,
                 "File holding the bearer token (env CTXGRAPH_TOKEN, CTXGRAPH_TOKEN_FILE)");
  app.add_flag("--json", ctx.flags().json, "Print machine-readable JSON on stdout");
  app.add_option("--timeout", ctx.flags().timeout_seconds, "Deadline per call in seconds (30)")
      ->check(CLI::Validator(
          [](std::string& text) -> std::string {
            double seconds = 0;
            if (!absl::SimpleAtod(text, &seconds) || !(seconds > 0) || seconds > 1e9) {
              return "must be a number of seconds > 0";
            }
            return "";
          },
          "SECONDS"));

  app.add_option("--ca-cert", ctx.flags().tls.ca_cert,
                 "PEM CA certificate that signed the server's: connect with TLS");
  app.add_option("--client-cert", ctx.flags().tls.client_cert,
                 "PEM client certificate for mutual TLS (with --client-key)");
  app.add_option("--client-key", ctx.flags().tls.client_key, "PEM private key of --client-cert");
  app.add_option("--tls-server-name", ctx.flags().tls.server_name,
                 "Name the server's certificate must carry, when not the --server host");
  app.add_flag("--insecure", ctx.flags().tls.insecure,
               "Connect without TLS to a server that is not on this machine (the token crosses "
               "the network in plaintext)");

  AddGraphCommands(app, ctx, &action);
  AddPrincipalCommands(app, ctx, &action);
  AddAdminCommands(app, ctx, &action);
  AddAuditCommands(app, ctx, &action);
  AddSearchCommand(app, ctx, &action);
  AddContextCommands(app, ctx, &action);
  AddLineageCommands(app, ctx, &action);
  AddLabelCommands(app, ctx, &action);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "error: " << e.what() << " (see --help)" << std::endl;
    return kExitUsage;
  }
  if (!action) {
    std::cerr << "error: no command given (see --help)" << std::endl;
    return kExitUsage;
  }

  absl::StatusOr<std::string> token = ResolveToken(ctx.flags().token_file);
  if (!token.ok()) return ctx.Fail(token.status(), kExitUsage);
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      OpenChannel(ResolveServerAddress(ctx.flags().server), ctx.flags().tls);
  if (!channel.ok()) return ctx.Fail(channel.status(), kExitUsage);
  ctx.set_connection(std::make_unique<ServerConnection>(
      *std::move(channel), *std::move(token), absl::Seconds(ctx.flags().timeout_seconds)));
  const int code = action();
  // Output that never arrived (a full disk, a closed pipe, /dev/full) is a
  // failure: `principal token` shows a new token once, and a --json file cut
  // short is not JSON.
  if (!std::cout.flush()) {
    std::cerr << "error: writing the output failed" << std::endl;
    return code == kExitOk ? kExitFailure : code;
  }
  return code;
}

}  // namespace
}  // namespace ctxgraph::client

int main(int argc, char** argv) {
  // Debian's Abseil keeps its debug-build default of checking lock order on
  // every absl::Mutex acquisition (gRPC's, several per call); see
  // server/main.cc. An import makes millions of calls.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  // The boundary for exceptions: nothing below is expected to throw, but an
  // escaping one must still end as one "error:" line, not an abort.
  try {
    return ctxgraph::client::Main(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "error: INTERNAL: " << e.what() << std::endl;
    return ctxgraph::client::kExitFailure;
  }
}
