#include "client/admin_commands.h"

#include <iostream>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "client/rfc3339.h"
#include "client/table_printer.h"

namespace ctxgraph::client {
namespace {

using AdminStub = v1::AdminService::StubInterface;

int RunBackup(CommandContext& ctx, const std::string& dir) {
  // DIR is passed as given: it names a place on the server's machine, which
  // the server checks (absolute, outside its data dir, absent or empty).
  v1::BackupRequest request;
  request.set_dir(dir);
  ServerConnection& conn = ctx.connection();
  absl::StatusOr<v1::BackupResponse> response =
      conn.Call(conn.admin(), &AdminStub::Backup, request);
  if (!response.ok()) return ctx.Fail(response.status());
  const std::string created = FormatRfc3339Utc(response->created());
  if (ctx.json()) {
    ctx.PrintJson({{"dir", response->dir()},
                   {"version", response->version()},
                   {"audit_seq", response->audit_seq()},
                   {"audit_head_hash", response->audit_head_hash()},
                   {"created", created},
                   {"files", response->files()},
                   {"bytes", response->bytes()}});
    return kExitOk;
  }
  TablePrinter fields({});
  fields.AddRow({"dir", response->dir()});
  fields.AddRow({"version", absl::StrCat(response->version())});
  fields.AddRow({"audit_seq", absl::StrCat(response->audit_seq())});
  fields.AddRow({"audit_head_hash", response->audit_head_hash()});
  fields.AddRow({"created", created});
  fields.AddRow({"files", absl::StrCat(response->files())});
  fields.AddRow({"bytes", absl::StrCat(response->bytes())});
  fields.Print(std::cout);
  return kExitOk;
}

}  // namespace

void AddAdminCommands(CLI::App& app, CommandContext& ctx, CommandAction* action) {
  CLI::App* admin = app.add_subcommand("admin", "Server operations (admin)");
  admin->require_subcommand(1);

  auto dir = std::make_shared<std::string>();
  CLI::App* backup = admin->add_subcommand(
      "backup",
      "Write a consistent online backup to DIR on the server's machine (a copy to another "
      "filesystem can outlast --timeout's 30 s: raise it; the server finishes either way)");
  backup->add_option("dir", *dir, "Absolute path on the server: absent, or an empty directory")
      ->required();
  backup->callback([&ctx, action, dir] { *action = [&ctx, dir] { return RunBackup(ctx, *dir); }; });
}

}  // namespace ctxgraph::client
