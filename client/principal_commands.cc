#include "client/principal_commands.h"

#include <algorithm>
#include <cstdint>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client/cli_validators.h"
#include "client/json_codec.h"
#include "client/rfc3339.h"
#include "client/table_printer.h"

namespace ctxgraph::client {
namespace {

using nlohmann::json;
using AdminStub = v1::AdminService::StubInterface;

struct PrincipalArgs {
  std::string id;  // principal id, or token id for revoke-token
  std::vector<std::string> roles;
  std::vector<std::string> clearances;
  int64_t ttl_seconds = 0;  // token: 0 never expires
};

const std::vector<std::string> kRoleNames = {"agent", "auditor", "steward", "loader", "admin"};

std::string RoleList(const v1::Principal& p) {
  std::vector<std::string> names;
  for (int role : p.roles()) names.push_back(RoleName(static_cast<v1::Role>(role)));
  return absl::StrJoin(names, ",");
}

// Prints one principal, as JSON or as a key/value table.
int PrintPrincipal(CommandContext& ctx, const absl::StatusOr<v1::PrincipalResponse>& response) {
  if (!response.ok()) return ctx.Fail(response.status());
  const v1::Principal& p = response->principal();
  if (ctx.json()) {
    ctx.PrintJson(PrincipalToJson(p));
    return kExitOk;
  }
  TablePrinter fields({});
  fields.AddRow({"id", p.id()});
  fields.AddRow({"roles", RoleList(p)});
  fields.AddRow({"clearances", absl::StrJoin(p.clearances(), ",")});
  fields.AddRow({"status", PrincipalStatusName(p.status())});
  fields.AddRow({"version", absl::StrCat(p.version())});
  fields.Print(std::cout);
  return kExitOk;
}

void AddRoles(const std::vector<std::string>& names, google::protobuf::RepeatedField<int>* roles) {
  for (const std::string& name : names) {
    // CLI11 has already checked the names against kRoleNames.
    if (absl::StatusOr<v1::Role> role = ParseRole(name); role.ok()) roles->Add(*role);
  }
}

absl::StatusOr<v1::PrincipalResponse> GetPrincipal(CommandContext& ctx, const std::string& id) {
  v1::GetPrincipalRequest request;
  request.set_id(id);
  ServerConnection& conn = ctx.connection();
  return conn.Call(conn.admin(), &AdminStub::GetPrincipal, request);
}

int RunCreate(CommandContext& ctx, const PrincipalArgs& args) {
  v1::CreatePrincipalRequest request;
  request.set_id(args.id);
  AddRoles(args.roles, request.mutable_roles());
  for (const std::string& c : args.clearances) request.add_clearances(c);
  ServerConnection& conn = ctx.connection();
  return PrintPrincipal(ctx, conn.Call(conn.admin(), &AdminStub::CreatePrincipal, request));
}

int RunList(CommandContext& ctx) {
  ServerConnection& conn = ctx.connection();
  absl::StatusOr<v1::ListPrincipalsResponse> response =
      conn.Call(conn.admin(), &AdminStub::ListPrincipals, v1::ListPrincipalsRequest());
  if (!response.ok()) return ctx.Fail(response.status());
  if (ctx.json()) {
    json list = json::array();
    for (const v1::Principal& p : response->principals()) list.push_back(PrincipalToJson(p));
    ctx.PrintJson({{"principals", list}});
    return kExitOk;
  }
  TablePrinter table({"ID", "ROLES", "CLEARANCES", "STATUS", "VERSION"});
  for (const v1::Principal& p : response->principals()) {
    table.AddRow({p.id(), RoleList(p), absl::StrJoin(p.clearances(), ","),
                  PrincipalStatusName(p.status()), absl::StrCat(p.version())});
  }
  table.Print(std::cout);
  return kExitOk;
}

// Reads the principal's clearances, applies `edit` and writes them back when
// they changed, at the version read: a change made in between fails the
// write (FAILED_PRECONDITION) rather than being undone by it.
template <class Edit>
int RunEditClearances(CommandContext& ctx, const std::string& id, Edit edit) {
  absl::StatusOr<v1::PrincipalResponse> current = GetPrincipal(ctx, id);
  if (!current.ok()) return ctx.Fail(current.status());
  const auto& held = current->principal().clearances();
  std::vector<std::string> clearances(held.begin(), held.end());
  if (!edit(clearances)) return PrintPrincipal(ctx, current);  // nothing to change
  v1::SetClearancesRequest request;
  request.set_id(id);
  for (const std::string& c : clearances) request.add_clearances(c);
  request.set_expected_version(current->principal().version());
  ServerConnection& conn = ctx.connection();
  return PrintPrincipal(ctx, conn.Call(conn.admin(), &AdminStub::SetClearances, request));
}

int RunGrant(CommandContext& ctx, const PrincipalArgs& args) {
  return RunEditClearances(ctx, args.id, [&args](std::vector<std::string>& clearances) {
    bool changed = false;
    for (const std::string& c : args.clearances) {
      if (std::find(clearances.begin(), clearances.end(), c) == clearances.end()) {
        clearances.push_back(c);
        changed = true;
      }
    }
    return changed;
  });
}

int RunRevokeClearance(CommandContext& ctx, const PrincipalArgs& args) {
  return RunEditClearances(ctx, args.id, [&args](std::vector<std::string>& clearances) {
    const size_t before = clearances.size();
    for (const std::string& c : args.clearances) {
      if (std::find(clearances.begin(), clearances.end(), c) == clearances.end()) {
        std::cerr << "note: principal \"" << args.id << "\" does not hold clearance \"" << c
                  << "\"\n";
      }
      clearances.erase(std::remove(clearances.begin(), clearances.end(), c), clearances.end());
    }
    return clearances.size() != before;
  });
}

int RunSetRoles(CommandContext& ctx, const PrincipalArgs& args) {
  v1::SetRolesRequest request;
  request.set_id(args.id);
  AddRoles(args.roles, request.mutable_roles());
  ServerConnection& conn = ctx.connection();
  return PrintPrincipal(ctx, conn.Call(conn.admin(), &AdminStub::SetRoles, request));
}

int RunIssueToken(CommandContext& ctx, const PrincipalArgs& args) {
  v1::IssueTokenRequest request;
  request.set_principal_id(args.id);
  request.set_ttl_seconds(args.ttl_seconds);
  ServerConnection& conn = ctx.connection();
  absl::StatusOr<v1::IssueTokenResponse> response =
      conn.Call(conn.admin(), &AdminStub::IssueToken, request);
  if (!response.ok()) return ctx.Fail(response.status());
  if (args.ttl_seconds > 0 && !response->has_expires()) {
    // A server older than token expiry ignores the lifetime.
    return ctx.Fail(absl::FailedPreconditionError(absl::StrCat(
        "the server issued token ", response->token_id(),
        " without an expiry (it predates --ttl); revoke it: ctxgraph principal revoke-token ",
        response->token_id())));
  }
  const std::string expires =
      response->has_expires() ? FormatRfc3339Utc(response->expires()) : std::string();
  // The one place a token is printed: the server shows it only this once.
  if (ctx.json()) {
    ctx.PrintJson(
        {{"token_id", response->token_id()}, {"token", response->token()}, {"expires", expires}});
  } else {
    std::cout << "token_id  " << response->token_id() << "\n"
              << "token     " << response->token() << "\n"
              << "expires   " << (expires.empty() ? "never" : expires) << "\n";
    std::cerr << "(store the token now: it is not shown again)\n";
  }
  return kExitOk;
}

int RunListTokens(CommandContext& ctx, const PrincipalArgs& args) {
  v1::ListTokensRequest request;
  request.set_principal_id(args.id);
  ServerConnection& conn = ctx.connection();
  absl::StatusOr<v1::ListTokensResponse> response =
      conn.Call(conn.admin(), &AdminStub::ListTokens, request);
  if (!response.ok()) return ctx.Fail(response.status());
  if (ctx.json()) {
    json list = json::array();
    for (const v1::TokenInfo& t : response->tokens()) list.push_back(TokenInfoToJson(t));
    ctx.PrintJson({{"tokens", list}});
    return kExitOk;
  }
  TablePrinter table({"TOKEN_ID", "PRINCIPAL", "CREATED", "EXPIRES", "REVOKED"});
  for (const v1::TokenInfo& t : response->tokens()) {
    const json info = TokenInfoToJson(t);
    std::string expires = t.has_expires() ? info["expires"].get<std::string>() : "never";
    if (t.expired()) expires += " (expired)";
    table.AddRow({t.token_id(), t.principal_id(), info["created"].get<std::string>(), expires,
                  t.revoked() ? "yes" : "no"});
  }
  table.Print(std::cout);
  return kExitOk;
}

int RunRevokeToken(CommandContext& ctx, const PrincipalArgs& args) {
  v1::RevokeTokenRequest request;
  request.set_token_id(args.id);
  ServerConnection& conn = ctx.connection();
  absl::StatusOr<v1::RevokeTokenResponse> response =
      conn.Call(conn.admin(), &AdminStub::RevokeToken, request);
  if (!response.ok()) return ctx.Fail(response.status());
  if (ctx.json()) {
    ctx.PrintJson({{"token_id", args.id}, {"revoked", true}});
  } else {
    std::cout << "revoked token " << args.id << "\n";
  }
  return kExitOk;
}

}  // namespace

void AddPrincipalCommands(CLI::App& app, CommandContext& ctx, CommandAction* action) {
  auto args = std::make_shared<PrincipalArgs>();
  CLI::App* principal = app.add_subcommand("principal", "Manage principals and tokens (admin)");
  principal->require_subcommand(1);

  // Adds a subcommand taking the positional `positional` and running `run`.
  const auto add = [&](const char* name, const char* help, const char* positional,
                       int (*run)(CommandContext&, const PrincipalArgs&)) {
    CLI::App* cmd = principal->add_subcommand(name, help);
    cmd->add_option(positional, args->id, positional)->required();
    cmd->callback(
        [&ctx, action, args, run] { *action = [&ctx, args, run] { return run(ctx, *args); }; });
    return cmd;
  };
  const auto roles = [&args](CLI::App* cmd) {
    cmd->add_option("--role", args->roles, "Role (repeatable)")
        ->required()
        ->check(CLI::IsMember(kRoleNames));
  };

  CLI::App* create = add("create", "Create a principal", "id", RunCreate);
  roles(create);
  create->add_option("--clearance", args->clearances, "Clearance (repeatable)");

  CLI::App* list = principal->add_subcommand("list", "List principals");
  list->callback([&ctx, action] { *action = [&ctx] { return RunList(ctx); }; });

  add("get", "Show a principal", "id", [](CommandContext& c, const PrincipalArgs& a) {
    return PrintPrincipal(c, GetPrincipal(c, a.id));
  });
  add("grant", "Add clearances", "id", RunGrant)
      ->add_option("--clearance", args->clearances, "Clearance to add (repeatable)")
      ->required();
  add("revoke-clearance", "Remove clearances", "id", RunRevokeClearance)
      ->add_option("--clearance", args->clearances, "Clearance to remove (repeatable)")
      ->required();
  roles(add("roles", "Replace a principal's roles", "id", RunSetRoles));
  add("suspend", "Suspend a principal", "id", [](CommandContext& c, const PrincipalArgs& a) {
    v1::GetPrincipalRequest request;
    request.set_id(a.id);
    ServerConnection& conn = c.connection();
    return PrintPrincipal(c, conn.Call(conn.admin(), &AdminStub::SuspendPrincipal, request));
  });
  add("resume", "Resume a suspended principal", "id",
      [](CommandContext& c, const PrincipalArgs& a) {
        v1::GetPrincipalRequest request;
        request.set_id(a.id);
        ServerConnection& conn = c.connection();
        return PrintPrincipal(c, conn.Call(conn.admin(), &AdminStub::ResumePrincipal, request));
      });
  add("token", "Issue a bearer token (printed once)", "id", RunIssueToken)
      ->add_option("--ttl", args->ttl_seconds,
                   "Expire it after this long: 30d, 12h, 90m, 3600s (default: never; some "
                   "active admin must keep a token that never expires)")
      ->transform(Lifetime());
  add("tokens", "List a principal's tokens", "id", RunListTokens);
  add("revoke-token", "Revoke a token", "token_id", RunRevokeToken);
}

}  // namespace ctxgraph::client
