// What every `ctxgraph` subcommand shares: the global flags, the server
// connection, and one way to print results and errors.
#ifndef CTXGRAPH_CLIENT_COMMAND_CONTEXT_H_
#define CTXGRAPH_CLIENT_COMMAND_CONTEXT_H_

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "absl/status/status.h"
#include "client/connection.h"
#include "client/tls_channel.h"

namespace ctxgraph::client {

// Process exit codes.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // the server refused or failed, or lines were rejected
inline constexpr int kExitUsage = 2;    // bad flags, arguments or local files
// The check ran and found a problem: `audit verify` on a broken chain,
// `audit replay` on a MISMATCH or on a receipt whose own entry was edited
// (DATA_LOSS). Apart from 1 so a script can tell a finding from a check
// that could not run.
inline constexpr int kExitFinding = 3;

struct GlobalFlags {
  std::string server;      // "" = $CTXGRAPH_SERVER or the default
  std::string token_file;  // "" = $CTXGRAPH_TOKEN / $CTXGRAPH_TOKEN_FILE
  bool json = false;
  double timeout_seconds = 30;
  ClientTlsFlags tls;  // all empty: plaintext
};

// A subcommand's work, chosen while parsing flags and run after; returns the
// exit code.
using CommandAction = std::function<int()>;

// Owned by main; outlives every action. Not thread-safe.
class CommandContext {
 public:
  GlobalFlags& flags() { return flags_; }
  bool json() const { return flags_.json; }

  // Set by main once flags are parsed, before any action runs.
  void set_connection(std::unique_ptr<ServerConnection> connection) {
    connection_ = std::move(connection);
  }
  ServerConnection& connection() { return *connection_; }

  // Prints "error: <CODE>: <message>" on stderr and returns `exit_code`.
  int Fail(const absl::Status& status, int exit_code = kExitFailure) const;

  // Prints `json` on stdout (pretty, 2-space indent).
  void PrintJson(const nlohmann::json& json) const;

 private:
  GlobalFlags flags_;
  std::unique_ptr<ServerConnection> connection_;
};

}  // namespace ctxgraph::client

#endif  // CTXGRAPH_CLIENT_COMMAND_CONTEXT_H_
