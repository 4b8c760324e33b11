#include "tools/bench/report.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <tuple>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "tools/bench/run_plan.h"

namespace ctxgraph::bench {
namespace {

using nlohmann::json;

// The order operations appear in the Markdown report.
constexpr const char* kOpOrder[] = {"get_node",
                                    "list_neighbors",
                                    "retrieve_2hop",
                                    "search_common",
                                    "search_rare",
                                    "lineage_upstream_10",
                                    "lineage_upstream_10_full",
                                    "mixed_90r10w",
                                    "mixed_search_90r10w"};

std::string Mib(uint64_t bytes) {
  return absl::StrFormat("%.1f MiB", static_cast<double>(bytes) / (1 << 20));
}

std::string Rate(double v) { return absl::StrFormat("%.0f", v); }

std::string Latencies(const OpResult& r) {
  return absl::StrFormat("%.3f / %.3f / %.3f", r.p50_ms, r.p95_ms, r.p99_ms);
}

// Share of requests answered "not found" (hidden or absent), for checking
// that both backends hide the same nodes.
std::string NotFoundShare(const OpResult& r) {
  const uint64_t total = r.ok + r.not_found + r.errors;
  return total == 0 ? "-" : absl::StrFormat("%.0f%%", 100.0 * r.not_found / total);
}

json ResultJson(const OpResult& r) {
  json j = {{"op", r.op},
            {"backend", r.backend},
            {"principal", r.principal},
            {"clients", r.clients},
            {"implemented", r.implemented}};
  if (!r.implemented) return j;
  j.update({{"ops_per_sec", r.ops_per_sec},
            {"p50_ms", r.p50_ms},
            {"p95_ms", r.p95_ms},
            {"p99_ms", r.p99_ms},
            {"ok", r.ok},
            {"not_found", r.not_found},
            {"errors", r.errors},
            {"seconds", r.seconds}});
  if (r.server_cpu_us_per_op) j["server_cpu_us_per_op"] = *r.server_cpu_us_per_op;
  if (r.client_cpu_us_per_op) j["client_cpu_us_per_op"] = *r.client_cpu_us_per_op;
  if (!r.first_error.empty()) j["first_error"] = r.first_error;
  return j;
}

using Key = std::tuple<std::string, std::string, std::string, int>;  // op backend principal n

std::map<Key, const OpResult*> Index(const BenchReport& report) {
  std::map<Key, const OpResult*> index;
  for (const OpResult& r : report.results) {
    index[{r.op, r.backend, r.principal, r.clients}] = &r;
  }
  return index;
}

// What gRPC's own handling of NOT_FOUND answers predicts for a restricted
// principal's GetNode at `clients`: the time a call answered NOT_FOUND takes
// beyond one answered OK (1/rate of the two empty-call floors), added for
// the principal's share of NOT_FOUND answers to the admin's time per call.
// With the machine saturated the time per call is machine time, at one
// client it is latency; either way it adds.
struct NotFoundCost {
  double extra_us_per_call = 0;  // empty call answered NOT_FOUND minus answered OK
  double not_found_share = 0;    // of the principal's GetNode answers
  double predicted_ratio = 0;    // principal / admin GetNode throughput, from that alone
};

std::optional<NotFoundCost> GetNodeNotFoundCost(const std::map<Key, const OpResult*>& index,
                                                int clients) {
  auto ok = index.find({"empty_call", "grpc-floor", "-", clients});
  auto nf = index.find({"empty_call_not_found", "grpc-floor", "-", clients});
  auto admin = index.find({"get_node", "ctxgraph", "admin", clients});
  auto agent = index.find({"get_node", "ctxgraph", std::string(kRestrictedPrincipal), clients});
  const auto measured = [&index](auto it) {
    return it != index.end() && it->second->implemented && it->second->ops_per_sec > 0;
  };
  if (!measured(ok) || !measured(nf) || !measured(admin) || !measured(agent)) return std::nullopt;
  const OpResult& a = *agent->second;
  const uint64_t answers = a.ok + a.not_found + a.errors;
  if (answers == 0) return std::nullopt;
  NotFoundCost cost;
  cost.extra_us_per_call = 1e6 / nf->second->ops_per_sec - 1e6 / ok->second->ops_per_sec;
  cost.not_found_share = static_cast<double>(a.not_found) / answers;
  const double admin_us = 1e6 / admin->second->ops_per_sec;
  cost.predicted_ratio = admin_us / (admin_us + cost.not_found_share * cost.extra_us_per_call);
  return cost;
}

void LoadSection(const BenchReport& report, std::ostringstream& md) {
  md << "## Load\n\n| | ctxgraph | PostgreSQL 15 |\n|---|---|---|\n";
  const auto& c = report.ctxgraph_load;
  const auto& p = report.postgres_load;
  const std::string none = "-";
  md << "| records (nodes + edges) | " << (c ? absl::StrCat(c->nodes, " + ", c->edges) : none)
     << " | " << (p ? absl::StrCat(p->nodes, " + ", p->edges) : none) << " |\n";
  md << "| load time | " << (c ? absl::StrFormat("%.1f s", c->seconds) : none) << " | "
     << (p ? absl::StrFormat("%.1f s (+ %.1f s CSV export)", p->load_seconds, p->export_seconds)
           : none)
     << " |\n";
  md << "| records/s | " << (c ? Rate(c->records_per_sec) : none) << " | "
     << (p ? Rate(p->records_per_sec) : none) << " |\n";
  md << "| server peak RSS after load / at end | "
     << (c ? absl::StrCat(Mib(c->peak_rss_bytes), " / ", Mib(report.ctxgraph_peak_rss_end_bytes))
           : none)
     << " | not measured |\n";
  md << "| bytes on disk after load / at end | "
     << (c ? absl::StrCat(Mib(c->disk_bytes), " / ", Mib(report.ctxgraph_disk_end_bytes)) : none)
     << " | " << (p ? Mib(p->disk_bytes) : none) << " |\n\n";
  md << "ctxgraph load command: `" << report.import_command
     << "`. PostgreSQL: " << report.postgres_status << ".\n\n";
}

void FloorSection(const BenchReport& report, std::ostringstream& md) {
  const auto index = Index(report);
  md << "## Floors\n\n| floor | clients | ops/s | p50 / p95 / p99 ms |\n|---|---|---|---|\n";
  for (const OpResult& r : report.results) {
    if (!absl::EndsWith(r.backend, "-floor")) continue;
    md << "| " << r.op << " | " << r.clients << " | " << Rate(r.ops_per_sec) << " | "
       << Latencies(r) << " |\n";
  }
  md << "\n";
  for (const int n : report.clients) {
    auto floor = index.find({"empty_call", "grpc-floor", "-", n});
    auto get = index.find({"get_node", "ctxgraph", "admin", n});
    if (floor == index.end() || get == index.end() || floor->second->ops_per_sec <= 0) continue;
    md << absl::StrFormat("GetNode (admin) at %d client(s) = %.0f%% of the empty-call floor.\n", n,
                          100.0 * get->second->ops_per_sec / floor->second->ops_per_sec);
  }
  md << "\n";
}

void OperationSection(const BenchReport& report, std::ostringstream& md) {
  const auto index = Index(report);
  md << "## Operations\n\nLatencies are p50 / p95 / p99 in ms; nf = share of empty "
        "answers: NOT_FOUND or no rows (the node is hidden from the principal or absent, or "
        "nothing around it is visible).\n\n"
     << "| op | principal | clients | ctxgraph ops/s | ctxgraph ms | nf | PostgreSQL ops/s | "
        "PostgreSQL ms | nf | ctxgraph / PG |\n|---|---|---|---|---|---|---|---|---|---|\n";
  for (const char* op : kOpOrder) {
    for (const char* principal : {"admin", "agent-3teams"}) {
      for (const int n : report.clients) {
        auto c = index.find({op, "ctxgraph", principal, n});
        auto p = index.find({op, "postgres", principal, n});
        if (c == index.end() && p == index.end()) continue;
        md << "| " << op << " | " << principal << " | " << n << " | ";
        if (c == index.end()) {
          md << "- | - | - | ";
        } else if (!c->second->implemented) {
          md << "not implemented yet | - | - | ";
        } else {
          md << Rate(c->second->ops_per_sec) << " | " << Latencies(*c->second) << " | "
             << NotFoundShare(*c->second) << " | ";
        }
        if (p == index.end()) {
          md << "- | - | - | ";
        } else {
          md << Rate(p->second->ops_per_sec) << " | " << Latencies(*p->second) << " | "
             << NotFoundShare(*p->second) << " | ";
        }
        const bool both = c != index.end() && p != index.end() && c->second->implemented &&
                          p->second->ops_per_sec > 0;
        md << (both ? absl::StrFormat("%.2f", c->second->ops_per_sec / p->second->ops_per_sec)
                    : "-")
           << " |\n";
      }
    }
  }
  md << "\n";
}

void BoundarySection(const BenchReport& report, std::ostringstream& md) {
  const auto index = Index(report);
  md << "## Boundary overhead (agent-3teams throughput / admin throughput)\n\n"
     << "| backend | op | clients | admin ops/s | agent-3teams ops/s | ratio |\n"
     << "|---|---|---|---|---|---|\n";
  for (const char* backend : {"ctxgraph", "postgres"}) {
    for (const char* op : kOpOrder) {
      for (const int n : report.clients) {
        auto a = index.find({op, backend, "admin", n});
        auto t = index.find({op, backend, "agent-3teams", n});
        if (a == index.end() || t == index.end() || !a->second->implemented ||
            a->second->ops_per_sec <= 0) {
          continue;
        }
        md << "| " << backend << " | " << op << " | " << n << " | " << Rate(a->second->ops_per_sec)
           << " | " << Rate(t->second->ops_per_sec) << " | "
           << absl::StrFormat("%.2f", t->second->ops_per_sec / a->second->ops_per_sec) << " |\n";
      }
    }
  }
  md << "\n";
  for (const int n : report.clients) {
    const std::optional<NotFoundCost> cost = GetNodeNotFoundCost(index, n);
    if (!cost) continue;
    md << absl::StrFormat(
        "At %d client(s), an empty call answered NOT_FOUND took %.1f µs more than one answered "
        "OK (the two gRPC floors); with %.0f%% of %s's GetNode answers NOT_FOUND, gRPC's "
        "handling of them alone predicts a GetNode ratio of %.2f.\n",
        n, cost->extra_us_per_call, 100 * cost->not_found_share, kRestrictedPrincipal,
        cost->predicted_ratio);
  }
  md << "\n";
}

// CPU time per request of every row that measured the server's.
void CpuSection(const BenchReport& report, std::ostringstream& md) {
  md << "## CPU per request (server / benchmark client, µs)\n\n"
     << "Steadier than ops/s when other tenants share the machine, not immune: repeat a run "
        "before trusting a difference under ~15%.\n\n"
     << "| op | principal | clients | server µs | client µs |\n|---|---|---|---|---|\n";
  for (const OpResult& r : report.results) {
    if (!r.server_cpu_us_per_op || !r.client_cpu_us_per_op) continue;
    md << absl::StrFormat("| %s | %s | %d | %.0f | %.0f |\n", r.op, r.principal, r.clients,
                          *r.server_cpu_us_per_op, *r.client_cpu_us_per_op);
  }
  md << "\n";
}

}  // namespace

MachineInfo DescribeMachine() {
  MachineInfo m;
  m.cpus = static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN));
  std::ifstream cpuinfo("/proc/cpuinfo");
  for (std::string line; std::getline(cpuinfo, line);) {
    if (absl::StartsWith(line, "model name")) {
      m.cpu_model = line.substr(line.find(':') + 2);
      break;
    }
  }
  std::ifstream meminfo("/proc/meminfo");
  std::string key;
  uint64_t kb = 0;
  if (meminfo >> key >> kb && key == "MemTotal:") m.memory_bytes = kb * 1024;
  utsname u{};
  if (uname(&u) == 0) m.kernel = absl::StrCat(u.sysname, " ", u.release);
  return m;
}

json ReportJson(const BenchReport& report) {
  json j;
  j["date"] = report.date;
  j["machine"] = {{"cpu_model", report.machine.cpu_model},
                  {"cpus", report.machine.cpus},
                  {"memory_bytes", report.machine.memory_bytes},
                  {"kernel", report.machine.kernel}};
  j["settings"] = {{"clients", report.clients},
                   {"seconds_per_op", report.seconds_per_op},
                   {"warmup_seconds", report.warmup_seconds},
                   {"grpc_driver", report.grpc_driver},
                   {"import_command", report.import_command}};
  if (report.grpc_driver == "loop") j["settings"]["loop_threads"] = report.loop_threads;
  j["scale"] = {{"data_dir", report.data_dir}};
  if (const auto& c = report.ctxgraph_load) {
    j["scale"]["nodes"] = c->nodes;
    j["scale"]["edges"] = c->edges;
    j["load"]["ctxgraph"] = {{"seconds", c->seconds},
                             {"records_per_sec", c->records_per_sec},
                             {"peak_rss_bytes_after_load", c->peak_rss_bytes},
                             {"peak_rss_bytes_at_end", report.ctxgraph_peak_rss_end_bytes},
                             {"disk_bytes_after_load", c->disk_bytes},
                             {"disk_bytes_at_end", report.ctxgraph_disk_end_bytes}};
  }
  j["load"]["postgres"] = {{"status", report.postgres_status}};
  if (const auto& p = report.postgres_load) {
    j["load"]["postgres"].update({{"seconds", p->load_seconds},
                                  {"csv_export_seconds", p->export_seconds},
                                  {"records_per_sec", p->records_per_sec},
                                  {"disk_bytes", p->disk_bytes}});
  }
  // GetNode (admin) throughput as a share of the empty-call floor, per client count.
  const auto index = Index(report);
  j["get_node_share_of_empty_call"] = json::object();
  for (const int n : report.clients) {
    auto floor = index.find({"empty_call", "grpc-floor", "-", n});
    auto get = index.find({"get_node", "ctxgraph", "admin", n});
    if (floor == index.end() || get == index.end() || floor->second->ops_per_sec <= 0) continue;
    j["get_node_share_of_empty_call"][std::to_string(n)] =
        get->second->ops_per_sec / floor->second->ops_per_sec;
  }
  // What gRPC's handling of NOT_FOUND alone predicts for the restricted
  // principal's GetNode, per client count (BoundarySection).
  j["get_node_not_found_cost"] = json::object();
  for (const int n : report.clients) {
    const std::optional<NotFoundCost> cost = GetNodeNotFoundCost(index, n);
    if (!cost) continue;
    j["get_node_not_found_cost"][std::to_string(n)] = {
        {"extra_us_per_call", cost->extra_us_per_call},
        {"not_found_share", cost->not_found_share},
        {"predicted_ratio", cost->predicted_ratio}};
  }
  j["results"] = json::array();
  for (const OpResult& r : report.results) j["results"].push_back(ResultJson(r));
  j["notes"] = report.notes;
  return j;
}

std::string ReportMarkdown(const BenchReport& report) {
  std::ostringstream md;
  md << "# ctxgraph-bench, " << report.date << "\n\n";
  md << "Machine: " << report.machine.cpu_model << ", " << report.machine.cpus << " CPUs, "
     << Mib(report.machine.memory_bytes) << " RAM, " << report.machine.kernel << ". Data: `"
     << report.data_dir << "`. " << report.seconds_per_op << " s per op after "
     << report.warmup_seconds << " s warm-up; clients: " << absl::StrJoin(report.clients, ", ")
     << "; one connection per client. "
     << (report.grpc_driver == "loop"
             ? absl::StrCat("gRPC clients: ",
                            report.loop_threads == 1
                                ? std::string("one thread keeps")
                                : absl::StrCat(report.loop_threads,
                                               " threads (at most one per client) keep"),
                            " one call in flight per client (--driver loop); ")
             : "gRPC clients: a thread per client, one blocking call at a time (--driver "
               "threads); ")
     << "PostgreSQL clients and RocksDB Gets: a thread per client.\n\n";
  LoadSection(report, md);
  FloorSection(report, md);
  OperationSection(report, md);
  BoundarySection(report, md);
  CpuSection(report, md);
  bool any_error = false;
  for (const OpResult& r : report.results) {
    if (r.errors == 0) continue;
    if (!any_error) md << "## Errors\n\n";
    any_error = true;
    md << "- " << r.backend << " " << r.op << " " << r.principal << " x" << r.clients << ": "
       << r.errors << " errors, first: " << r.first_error << "\n";
  }
  if (!report.notes.empty()) {
    md << "\n## Notes\n\n";
    for (const std::string& note : report.notes) md << "- " << note << "\n";
  }
  return md.str();
}

}  // namespace ctxgraph::bench
