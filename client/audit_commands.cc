#include "client/audit_commands.h"

#include <algorithm>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client/cli_validators.h"
#include "client/rfc3339.h"
#include "client/table_printer.h"

namespace ctxgraph::client {
namespace {

using nlohmann::json;
using AuditStub = v1::AuditService::StubInterface;

constexpr int kMaxPageSize = 1000;  // the server's cap

struct AuditArgs {
  v1::ListEntriesRequest filter;  // principal, action, node_id, since, until
  std::string since, until;       // RFC 3339, parsed when the command runs
  int limit = 50;
};

std::string TimeText(const google::protobuf::Timestamp& ts) { return FormatRfc3339Utc(ts); }

json EntryToJson(const v1::AuditEntry& e) {
  json items = json::array();
  for (const v1::AuditItem& item : e.items()) {
    json j = {{"node_id", item.node_id()}, {"version", item.version()}};
    if (!item.edge_label().empty()) {
      j["edge_label"] = item.edge_label();
      j["edge_to"] = item.edge_to();
    }
    items.push_back(std::move(j));
  }
  return {{"seq", e.seq()},
          {"time", TimeText(e.time())},
          {"principal", e.principal()},
          {"action", e.action()},
          {"snapshot_version", e.snapshot_version()},
          {"summary", e.summary()},
          {"items", std::move(items)},
          {"items_total", e.items_total()},
          {"items_digest", e.items_digest()},
          {"prev_hash", e.prev_hash()},
          {"hash", e.hash()}};
}

// Parses RFC 3339 `text` into `*out`. INVALID_ARGUMENT naming `flag`.
absl::Status ParseTime(std::string_view flag, const std::string& text,
                       google::protobuf::Timestamp* out) {
  std::optional<google::protobuf::Timestamp> ts = ParseRfc3339Utc(text);
  if (!ts) {
    return absl::InvalidArgumentError(
        absl::StrCat(std::string(flag), ": not an RFC 3339 UTC time"));
  }
  *out = *ts;
  return absl::OkStatus();
}

// Sets `request`'s since and until from RFC 3339 `since` and `until`; an
// empty one stays unset.
template <typename Request>
absl::Status SetWindow(const std::string& since, const std::string& until, Request* request) {
  if (!since.empty()) {
    if (absl::Status s = ParseTime("--since", since, request->mutable_since()); !s.ok()) return s;
  }
  if (!until.empty()) return ParseTime("--until", until, request->mutable_until());
  return absl::OkStatus();
}

int RunList(CommandContext& ctx, const AuditArgs& args) {
  v1::ListEntriesRequest request = args.filter;
  if (absl::Status s = SetWindow(args.since, args.until, &request); !s.ok()) {
    return ctx.Fail(s, kExitUsage);
  }
  ServerConnection& conn = ctx.connection();
  std::vector<v1::AuditEntry> entries;
  bool more = false;
  // Follows page tokens until --limit entries are read or the log ends.
  while (static_cast<int>(entries.size()) < args.limit) {
    request.set_page_size(std::min(args.limit - static_cast<int>(entries.size()), kMaxPageSize));
    absl::StatusOr<v1::ListEntriesResponse> page =
        conn.Call(conn.audit(), &AuditStub::ListEntries, request);
    if (!page.ok()) return ctx.Fail(page.status());
    entries.insert(entries.end(), page->entries().begin(), page->entries().end());
    more = !page->next_page_token().empty();
    if (!more) break;
    request.set_page_token(page->next_page_token());
  }
  if (ctx.json()) {
    json list = json::array();
    for (const v1::AuditEntry& e : entries) list.push_back(EntryToJson(e));
    ctx.PrintJson({{"entries", std::move(list)}, {"more", more}});
    return kExitOk;
  }
  TablePrinter table({"SEQ", "TIME", "PRINCIPAL", "ACTION", "VERSION", "ITEMS", "SUMMARY"});
  for (const v1::AuditEntry& e : entries) {
    table.AddRow({absl::StrCat(e.seq()), TimeText(e.time()), e.principal(), e.action(),
                  absl::StrCat(e.snapshot_version()), absl::StrCat(e.items_total()), e.summary()});
  }
  table.Print(std::cout);
  if (more) std::cerr << "(more entries may follow; raise --limit to see them)\n";
  return kExitOk;
}

int RunVerify(CommandContext& ctx) {
  ServerConnection& conn = ctx.connection();
  absl::StatusOr<v1::VerifyLogResponse> r =
      conn.Call(conn.audit(), &AuditStub::VerifyLog, v1::VerifyLogRequest());
  if (!r.ok()) return ctx.Fail(r.status());
  if (ctx.json()) {
    ctx.PrintJson({{"ok", r->ok()},
                   {"entries_checked", r->entries_checked()},
                   {"first_bad_seq", r->first_bad_seq()},
                   {"reason", r->reason()},
                   {"head_seq", r->head_seq()},
                   {"head_hash", r->head_hash()}});
  } else {
    TablePrinter fields({});
    fields.AddRow({"ok", r->ok() ? "yes" : "no"});
    fields.AddRow({"entries_checked", absl::StrCat(r->entries_checked())});
    if (!r->ok()) {
      fields.AddRow({"first_bad_seq", absl::StrCat(r->first_bad_seq())});
      fields.AddRow({"reason", r->reason()});
    }
    fields.AddRow({"head_seq", absl::StrCat(r->head_seq())});
    fields.AddRow({"head_hash", r->head_hash()});
    fields.Print(std::cout);
  }
  return r->ok() ? kExitOk : kExitFinding;
}

int RunReceipt(CommandContext& ctx, const std::string& receipt_id) {
  v1::GetReceiptRequest request;
  request.set_receipt_id(receipt_id);
  ServerConnection& conn = ctx.connection();
  absl::StatusOr<v1::GetReceiptResponse> r =
      conn.Call(conn.audit(), &AuditStub::GetReceipt, request);
  if (!r.ok()) return ctx.Fail(r.status());
  const v1::Receipt& receipt = r->receipt();
  const v1::RetrieveRequest& asked = r->request();
  const std::vector<std::string> seeds(asked.seeds().begin(), asked.seeds().end());
  const std::vector<std::string> clearances(receipt.clearances().begin(),
                                            receipt.clearances().end());
  const std::vector<std::string> labels(asked.expansion().edge_labels().begin(),
                                        asked.expansion().edge_labels().end());
  if (ctx.json()) {
    ctx.PrintJson({{"receipt_id", receipt.receipt_id()},
                   {"snapshot_version", receipt.snapshot_version()},
                   {"principal", receipt.principal()},
                   {"clearances", clearances},
                   {"digest", receipt.digest()},
                   {"policy_version", r->policy_version()},
                   {"request",
                    {{"seeds", seeds},
                     {"query", asked.query()},
                     {"max_hops", asked.expansion().max_hops()},
                     {"edge_labels", labels},
                     {"direction", v1::Direction_Name(asked.expansion().direction())},
                     {"max_items", asked.budget().max_items()},
                     {"max_bytes", asked.budget().max_bytes()},
                     {"as_of_version", asked.as_of_version()}}},
                   {"entry", EntryToJson(r->entry())}});
    return kExitOk;
  }
  TablePrinter fields({});
  fields.AddRow({"receipt_id", receipt.receipt_id()});
  fields.AddRow({"time", TimeText(r->entry().time())});
  fields.AddRow({"principal", receipt.principal()});
  fields.AddRow({"clearances", absl::StrJoin(clearances, ",")});
  fields.AddRow({"snapshot_version", absl::StrCat(receipt.snapshot_version())});
  fields.AddRow({"digest", receipt.digest()});
  fields.AddRow({"request", r->entry().summary()});
  std::vector<std::string> items;
  for (const v1::AuditItem& item : r->entry().items()) {
    items.push_back(absl::StrCat(item.node_id(), "@", item.version()));
  }
  fields.AddRow({"items", absl::StrJoin(items, " ")});
  fields.Print(std::cout);
  return kExitOk;
}

// Exit 3 (kExitFinding) on MISMATCH, like `audit verify` on a broken chain,
// and on DATA_LOSS: the server found the receipt's own entry edited (or
// unreadable), which is tampering the replay caught, not a check that could
// not run.
int RunReplay(CommandContext& ctx, const std::string& receipt_id) {
  v1::ReplayReceiptRequest request;
  request.set_receipt_id(receipt_id);
  ServerConnection& conn = ctx.connection();
  absl::StatusOr<v1::ReplayReceiptResponse> r =
      conn.Call(conn.audit(), &AuditStub::ReplayReceipt, request);
  if (!r.ok())
    return ctx.Fail(r.status(), absl::IsDataLoss(r.status()) ? kExitFinding : kExitFailure);
  const bool match = r->outcome() == v1::ReplayReceiptResponse::MATCH;
  const std::vector<std::string> added(r->added().begin(), r->added().end());
  const std::vector<std::string> removed(r->removed().begin(), r->removed().end());
  const std::vector<std::string> altered(r->altered().begin(), r->altered().end());
  std::vector<std::string> changed;
  for (const v1::VersionChange& c : r->changed()) {
    changed.push_back(
        absl::StrCat(c.node_id(), "@", c.recorded_version(), "->", c.replay_version()));
  }
  if (ctx.json()) {
    ctx.PrintJson({{"outcome", match ? "MATCH" : "MISMATCH"},
                   {"recorded_digest", r->recorded_digest()},
                   {"replay_digest", r->replay_digest()},
                   {"added", added},
                   {"removed", removed},
                   {"changed", changed},
                   {"order_changed", r->order_changed()},
                   {"content_changed", r->content_changed()},
                   {"altered", altered},
                   {"replay_error", r->replay_error()},
                   {"replay_entry_seq", r->replay_entry_seq()}});
  } else {
    TablePrinter fields({});
    fields.AddRow({"outcome", match ? "MATCH" : "MISMATCH"});
    fields.AddRow({"recorded_digest", r->recorded_digest()});
    fields.AddRow({"replay_digest", r->replay_digest()});
    if (!match) {
      fields.AddRow({"added", absl::StrJoin(added, " ")});
      fields.AddRow({"removed", absl::StrJoin(removed, " ")});
      fields.AddRow({"changed", absl::StrJoin(changed, " ")});
      if (r->order_changed()) fields.AddRow({"order_changed", "yes"});
      if (r->content_changed()) fields.AddRow({"content_changed", "yes"});
      if (!altered.empty()) fields.AddRow({"altered", absl::StrJoin(altered, " ")});
      if (!r->replay_error().empty()) fields.AddRow({"replay_error", r->replay_error()});
    }
    fields.Print(std::cout);
  }
  return match ? kExitOk : kExitFinding;
}

// The over-privilege report: which clearances the principal's returned
// items needed. Labels and counts only, never props.
int RunAccessReport(CommandContext& ctx, const AuditArgs& args) {
  v1::AccessReportRequest request;
  request.set_principal(args.filter.principal());
  if (absl::Status s = SetWindow(args.since, args.until, &request); !s.ok()) {
    return ctx.Fail(s, kExitUsage);
  }
  ServerConnection& conn = ctx.connection();
  absl::StatusOr<v1::AccessReportResponse> r =
      conn.Call(conn.audit(), &AuditStub::AccessReport, request);
  if (!r.ok()) return ctx.Fail(r.status());
  const std::vector<std::string> unused(r->unused_clearances().begin(),
                                        r->unused_clearances().end());
  if (ctx.json()) {
    json clearances = json::array();
    for (const v1::ClearanceUse& c : r->clearances()) {
      clearances.push_back(
          {{"clearance", c.clearance()}, {"used", c.used()}, {"items", c.items()}});
    }
    json needed = json::array();
    for (const v1::LabelNeed& n : r->needed_labels()) {
      needed.push_back({{"label", n.label()}, {"items", n.items()}});
    }
    ctx.PrintJson({{"principal", request.principal()},
                   {"policy_version", r->policy_version()},
                   {"clearances", std::move(clearances)},
                   {"needed_labels", std::move(needed)},
                   {"unused_clearances", unused},
                   {"entries_examined", r->entries_examined()},
                   {"items_examined", r->items_examined()},
                   {"items_missing", r->items_missing()},
                   {"partial", r->partial()}});
    return kExitOk;
  }
  TablePrinter table({"CLEARANCE", "USED", "ITEMS"});
  for (const v1::ClearanceUse& c : r->clearances()) {
    table.AddRow({c.clearance(), c.used() ? "yes" : "no", absl::StrCat(c.items())});
  }
  table.Print(std::cout);
  std::cout << "\n";
  TablePrinter needed({"NEEDED LABEL", "ITEMS"});
  for (const v1::LabelNeed& n : r->needed_labels()) {
    needed.AddRow({n.label(), absl::StrCat(n.items())});
  }
  needed.Print(std::cout);
  std::cout << "\n";
  TablePrinter fields({});
  fields.AddRow({"unused_clearances", absl::StrJoin(unused, ",")});
  fields.AddRow({"entries_examined", absl::StrCat(r->entries_examined())});
  fields.AddRow({"items_examined", absl::StrCat(r->items_examined())});
  if (r->items_missing() > 0) fields.AddRow({"items_missing", absl::StrCat(r->items_missing())});
  fields.AddRow({"policy_version", absl::StrCat(r->policy_version())});
  fields.Print(std::cout);
  if (r->partial()) {
    std::cerr << "(partial: some entries listed only their first 1,000 items)\n";
  }
  return kExitOk;
}

struct ExposureArgs {
  std::string node_id;
  std::string since, until;  // RFC 3339, parsed when the command runs
  uint64_t as_of = 0;
  int limit = 1000;
};

std::string ExposedItemText(const v1::ExposedItem& i) {
  return absl::StrCat(i.node_id(), "@", i.version(), " (depth ", i.depth(), ")");
}

// Who was given NODE, or anything derived from it: every page up to
// --limit receipts. Ids, versions and principals only, never props.
int RunExposure(CommandContext& ctx, const ExposureArgs& args) {
  v1::ExposureReportRequest request;
  request.set_node_id(args.node_id);
  request.set_as_of_version(args.as_of);
  if (absl::Status s = SetWindow(args.since, args.until, &request); !s.ok()) {
    return ctx.Fail(s, kExitUsage);
  }
  ServerConnection& conn = ctx.connection();
  std::vector<v1::ExposureReceipt> receipts;
  std::vector<uint64_t> audit_seqs;
  v1::ExposureReportResponse last;
  bool more = false, partial = false;
  while (static_cast<int>(receipts.size()) < args.limit) {
    request.set_page_size(std::min(args.limit - static_cast<int>(receipts.size()), kMaxPageSize));
    absl::StatusOr<v1::ExposureReportResponse> page =
        conn.Call(conn.audit(), &AuditStub::ExposureReport, request);
    if (!page.ok()) return ctx.Fail(page.status());
    receipts.insert(receipts.end(), page->receipts().begin(), page->receipts().end());
    audit_seqs.push_back(page->audit_seq());
    partial = partial || page->partial();
    more = !page->next_page_token().empty();
    request.set_page_token(page->next_page_token());
    last = *std::move(page);
    if (!more) break;
  }
  if (ctx.json()) {
    json list = json::array();
    for (const v1::ExposureReceipt& r : receipts) {
      json items = json::array();
      for (const v1::ExposedItem& i : r.items()) {
        items.push_back({{"node_id", i.node_id()},
                         {"version", i.version()},
                         {"depth", i.depth()},
                         {"redacted", i.redacted()}});
      }
      list.push_back({{"receipt_id", r.receipt_id()},
                      {"seq", r.seq()},
                      {"time", TimeText(r.time())},
                      {"principal", r.principal()},
                      {"action", r.action()},
                      {"snapshot_version", r.snapshot_version()},
                      {"items", std::move(items)},
                      {"items_total", r.items_total()},
                      {"items_unlisted", r.items_unlisted()}});
    }
    ctx.PrintJson({{"node_id", args.node_id},
                   {"snapshot_version", last.snapshot_version()},
                   {"closure_nodes", last.closure_nodes()},
                   {"closure_truncated", last.closure_truncated()},
                   {"partial", partial},
                   {"receipts", std::move(list)},
                   {"more", more},
                   {"audit_seqs", audit_seqs}});
    return kExitOk;
  }
  TablePrinter table({"RECEIPT", "TIME", "PRINCIPAL", "ACTION", "VERSION", "RETURNED"});
  for (const v1::ExposureReceipt& r : receipts) {
    std::vector<std::string> items;
    for (const v1::ExposedItem& i : r.items()) items.push_back(ExposedItemText(i));
    if (r.items_unlisted() > 0) items.push_back(absl::StrCat("+", r.items_unlisted(), " unlisted"));
    table.AddRow({r.receipt_id(), TimeText(r.time()), r.principal(), r.action(),
                  absl::StrCat(r.snapshot_version()), absl::StrJoin(items, ", ")});
  }
  table.Print(std::cout);
  std::cout << receipts.size() << " receipts; closure of " << last.closure_nodes()
            << " nodes at version " << last.snapshot_version() << "\n";
  if (last.closure_truncated()) {
    std::cerr << "(closure truncated: the lineage bound left derived nodes out)\n";
  }
  if (partial) {
    std::cerr << "(partial: some entries listed only their first 1,000 items and may have "
                 "returned more of the closure)\n";
  }
  if (more) std::cerr << "(more receipts follow; raise --limit to see them)\n";
  return kExitOk;
}

}  // namespace

void AddAuditCommands(CLI::App& app, CommandContext& ctx, CommandAction* action) {
  auto args = std::make_shared<AuditArgs>();
  CLI::App* audit =
      app.add_subcommand("audit",
                         "Read and verify the audit log (auditor, admin; ls, receipt, replay and "
                         "access-report also need clearance *)");
  audit->require_subcommand(1);

  CLI::App* ls = audit->add_subcommand("ls", "List audit entries, oldest first");
  ls->add_option("--principal", *args->filter.mutable_principal(), "Only this principal's");
  ls->add_option("--action", *args->filter.mutable_action(), "Only this action, e.g. write");
  ls->add_option("--node", *args->filter.mutable_node_id(), "Only entries naming this node id");
  ls->add_option("--since", args->since, "From this RFC 3339 UTC time (inclusive)");
  ls->add_option("--until", args->until, "Before this RFC 3339 UTC time (exclusive)");
  ls->add_option("--limit", args->limit, "Stop after N entries (50)")
      ->transform(DecimalNumber())
      ->check(CLI::Range(1, 1 << 30));
  ls->callback([&ctx, action, args] { *action = [&ctx, args] { return RunList(ctx, *args); }; });

  CLI::App* verify =
      audit->add_subcommand("verify", "Walk the hash chain; exit 3 when it is broken");
  verify->callback([&ctx, action] { *action = [&ctx] { return RunVerify(ctx); }; });

  auto receipt_id = std::make_shared<std::string>();
  CLI::App* receipt = audit->add_subcommand("receipt", "Show a Retrieve receipt and its request");
  receipt->add_option("ID", *receipt_id, "The receipt id Retrieve gave, or the entry's seq")
      ->required();
  receipt->callback([&ctx, action, receipt_id] {
    *action = [&ctx, receipt_id] { return RunReceipt(ctx, *receipt_id); };
  });
  CLI::App* replay = audit->add_subcommand(
      "replay", "Re-run a receipt's request as recorded; exit 3 on MISMATCH or a tampered receipt");
  replay->add_option("ID", *receipt_id, "The receipt id Retrieve gave, or the entry's seq")
      ->required();
  replay->callback([&ctx, action, receipt_id] {
    *action = [&ctx, receipt_id] { return RunReplay(ctx, *receipt_id); };
  });

  CLI::App* report = audit->add_subcommand(
      "access-report", "Clearances held versus the labels a principal's reads needed");
  report->add_option("--principal", *args->filter.mutable_principal(), "The principal")->required();
  report->add_option("--since", args->since, "From this RFC 3339 UTC time (inclusive)");
  report->add_option("--until", args->until, "Before this RFC 3339 UTC time (exclusive)");
  report->callback(
      [&ctx, action, args] { *action = [&ctx, args] { return RunAccessReport(ctx, *args); }; });

  auto exposure_args = std::make_shared<ExposureArgs>();
  CLI::App* exposure = audit->add_subcommand(
      "exposure", "Every receipt that returned NODE or a node derived from it (auditor, steward)");
  exposure->add_option("NODE", exposure_args->node_id, "The node id")->required();
  exposure->add_option("--since", exposure_args->since, "From this RFC 3339 UTC time (inclusive)");
  exposure->add_option("--until", exposure_args->until,
                       "Before this RFC 3339 UTC time (exclusive)");
  exposure->add_option("--as-of", exposure_args->as_of, "Derivations as of this version (latest)")
      ->transform(DecimalNumber());
  exposure->add_option("--limit", exposure_args->limit, "Stop after N receipts (1000)")
      ->transform(DecimalNumber())
      ->check(CLI::Range(1, 1 << 30));
  exposure->callback([&ctx, action, exposure_args] {
    *action = [&ctx, exposure_args] { return RunExposure(ctx, *exposure_args); };
  });
}

}  // namespace ctxgraph::client
