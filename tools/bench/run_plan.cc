#include "tools/bench/run_plan.h"

#include <algorithm>
#include <iostream>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace ctxgraph::bench {

RunPlan::RunPlan(const Workload& workload, double seconds, double warmup, BenchReport* report,
                 std::vector<std::string> only_ops, CallDriver driver, int loop_threads)
    : seconds_(seconds),
      warmup_(warmup),
      report_(report),
      principals_{kAdminPrincipal},
      only_ops_(std::move(only_ops)),
      driver_(driver),
      loop_threads_(loop_threads) {
  if (workload.FindPrincipal(kRestrictedPrincipal) != nullptr) {
    principals_.push_back(kRestrictedPrincipal);
  } else {
    report_->notes.push_back(absl::StrCat("queries.json defines no \"", kRestrictedPrincipal,
                                          "\": boundary overhead not measured"));
  }
}

bool RunPlan::Selected(const std::string& op) const {
  return only_ops_.empty() || std::find(only_ops_.begin(), only_ops_.end(), op) != only_ops_.end();
}

LoadSpec RunPlan::Spec(const OpResult& row,
                       std::function<absl::StatusOr<double>()> server_cpu) const {
  LoadSpec spec;
  spec.server_cpu_seconds = std::move(server_cpu);
  spec.clients = row.clients;
  spec.duration = std::chrono::duration<double>(seconds_);
  spec.warmup = std::chrono::duration<double>(warmup_);
  return spec;
}

void RunPlan::Run(const OperationFactory& factory, OpResult row,
                  std::function<absl::StatusOr<double>()> server_cpu_seconds) {
  if (!Selected(row.op)) return;
  absl::StatusOr<OpResult> result = RunLoad(factory, Spec(row, std::move(server_cpu_seconds)), row);
  Record(std::move(result), std::move(row));
}

void RunPlan::Run(const AsyncCallFactory& factory, OpResult row,
                  std::function<absl::StatusOr<double>()> server_cpu_seconds) {
  if (!Selected(row.op)) return;
  absl::StatusOr<OpResult> result =
      RunCalls(driver_, loop_threads_, factory, Spec(row, std::move(server_cpu_seconds)), row);
  Record(std::move(result), std::move(row));
}

void RunPlan::Record(absl::StatusOr<OpResult> result, OpResult row) {
  if (!result.ok()) {
    row.errors = 1;
    row.first_error = std::string(result.status().message());
    result = row;
  }
  std::string cpu;
  if (result->server_cpu_us_per_op) {
    absl::StrAppendFormat(&cpu, "  cpu/op server %.0f", *result->server_cpu_us_per_op);
  }
  if (result->client_cpu_us_per_op) {
    absl::StrAppendFormat(&cpu, "%s client %.0f us", cpu.empty() ? "  cpu/op" : "",
                          *result->client_cpu_us_per_op);
  }
  std::cerr << absl::StrFormat(
      "%-13s %-19s %-12s x%-2d %9.0f ops/s  p50 %.3f p95 %.3f p99 %.3f ms  nf %llu err %llu%s%s\n",
      result->backend, result->op, result->principal, result->clients, result->ops_per_sec,
      result->p50_ms, result->p95_ms, result->p99_ms, result->not_found, result->errors, cpu,
      result->first_error.empty() ? "" : absl::StrCat(" (", result->first_error, ")"));
  report_->results.push_back(*std::move(result));
}

void RunPlan::NotImplemented(OpResult row) {
  if (!Selected(row.op)) return;
  row.implemented = false;
  report_->results.push_back(std::move(row));
}

}  // namespace ctxgraph::bench
