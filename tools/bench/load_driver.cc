#include "tools/bench/load_driver.h"

#include <algorithm>
#include <barrier>
#include <thread>

#include "tools/bench/process_control.h"

namespace ctxgraph::bench {

using Clock = std::chrono::steady_clock;

void LoadTally::Add(Outcome outcome, int64_t nanos, const std::string& error) {
  // A failed call is no answer: neither its rate nor its latency counts (a
  // fast failure would flatter both); the report lists every error.
  if (outcome != Outcome::kError) samples.Add(nanos);
  switch (outcome) {
    case Outcome::kOk:
      ++ok;
      break;
    case Outcome::kNotFound:
      ++not_found;
      break;
    case Outcome::kError:
      if (errors++ == 0) first_error = error;
      break;
  }
}

CpuReading ReadCpu(const LoadSpec& spec) {
  CpuReading r;
  r.own = OwnCpuSeconds();
  if (spec.server_cpu_seconds) {
    absl::StatusOr<double> server = spec.server_cpu_seconds();
    if (server.ok()) r.server = *server;
  }
  return r;
}

OpResult FinishRow(const std::vector<LoadTally>& tallies, Clock::time_point measure_from,
                   const CpuReading& from, const CpuReading& until, OpResult row) {
  LatencySamples all;
  Clock::time_point last_finish = measure_from;
  for (const LoadTally& t : tallies) {
    all.Merge(t.samples);
    row.ok += t.ok;
    row.not_found += t.not_found;
    row.errors += t.errors;
    if (row.first_error.empty()) row.first_error = t.first_error;
    last_finish = std::max(last_finish, t.finished);
  }
  all.Finish();
  row.seconds = std::chrono::duration<double>(last_finish - measure_from).count();
  const uint64_t answered = row.ok + row.not_found;
  const uint64_t total = answered + row.errors;
  row.ops_per_sec = row.seconds > 0 ? static_cast<double>(answered) / row.seconds : 0;
  row.p50_ms = all.PercentileMillis(50);
  row.p95_ms = all.PercentileMillis(95);
  row.p99_ms = all.PercentileMillis(99);
  if (total > 0) {
    const auto per_op_us = [total](double a, double b) {
      return (b - a) * 1e6 / static_cast<double>(total);
    };
    row.client_cpu_us_per_op = per_op_us(from.own, until.own);
    if (from.server && until.server) {
      row.server_cpu_us_per_op = per_op_us(*from.server, *until.server);
    }
  }
  return row;
}

absl::StatusOr<OpResult> RunLoad(const OperationFactory& factory, const LoadSpec& spec,
                                 OpResult row) {
  // Connections are made up front so connection set-up is never measured.
  std::vector<std::unique_ptr<Operation>> ops;
  for (int i = 0; i < spec.clients; ++i) {
    absl::StatusOr<std::unique_ptr<Operation>> op = factory(i);
    if (!op.ok()) return op.status();
    ops.push_back(*std::move(op));
  }

  std::vector<LoadTally> tallies(spec.clients);
  std::barrier start(spec.clients + 1);
  Clock::time_point measure_from, measure_until;  // written before `start` releases
  std::vector<std::thread> threads;
  for (int i = 0; i < spec.clients; ++i) {
    threads.emplace_back([&, i] {
      std::mt19937_64 rng(spec.seed + static_cast<uint64_t>(i));
      LoadTally& tally = tallies[i];
      std::string error;
      start.arrive_and_wait();
      while (Clock::now() < measure_from) ops[i]->RunOnce(rng, &error);  // warm-up
      for (;;) {
        const Clock::time_point begin = Clock::now();
        if (begin >= measure_until) break;
        const Outcome outcome = ops[i]->RunOnce(rng, &error);
        tally.Add(outcome, (Clock::now() - begin).count(), error);
      }
      tally.finished = Clock::now();
    });
  }
  const Clock::time_point now = Clock::now();
  measure_from = now + std::chrono::duration_cast<Clock::duration>(spec.warmup);
  measure_until = measure_from + std::chrono::duration_cast<Clock::duration>(spec.duration);
  start.arrive_and_wait();
  std::this_thread::sleep_until(measure_from);
  const CpuReading cpu_from = ReadCpu(spec);
  for (std::thread& t : threads) t.join();
  const CpuReading cpu_until = ReadCpu(spec);
  return FinishRow(tallies, measure_from, cpu_from, cpu_until, std::move(row));
}

}  // namespace ctxgraph::bench
