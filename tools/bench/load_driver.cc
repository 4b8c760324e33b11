#include "tools/bench/load_driver.h"

#include <atomic>
#include <barrier>
#include <thread>
#include <vector>

#include "tools/bench/latency_samples.h"
#include "tools/bench/process_control.h"

namespace ctxgraph::bench {
namespace {

using Clock = std::chrono::steady_clock;

struct ThreadTally {
  LatencySamples samples;
  uint64_t ok = 0, not_found = 0, errors = 0;
  std::string first_error;
  Clock::time_point finished;
};

struct CpuReading {
  double own = 0;
  std::optional<double> server;  // absent when not asked for or unreadable
};

CpuReading ReadCpu(const LoadSpec& spec) {
  CpuReading r;
  r.own = OwnCpuSeconds();
  if (spec.server_cpu_seconds) {
    absl::StatusOr<double> server = spec.server_cpu_seconds();
    if (server.ok()) r.server = *server;
  }
  return r;
}

}  // namespace

absl::StatusOr<OpResult> RunLoad(const OperationFactory& factory, const LoadSpec& spec,
                                 OpResult row) {
  // Connections are made up front so connection set-up is never measured.
  std::vector<std::unique_ptr<Operation>> ops;
  for (int i = 0; i < spec.clients; ++i) {
    absl::StatusOr<std::unique_ptr<Operation>> op = factory(i);
    if (!op.ok()) return op.status();
    ops.push_back(*std::move(op));
  }

  std::vector<ThreadTally> tallies(spec.clients);
  std::barrier start(spec.clients + 1);
  Clock::time_point measure_from, measure_until;  // written before `start` releases
  std::vector<std::thread> threads;
  for (int i = 0; i < spec.clients; ++i) {
    threads.emplace_back([&, i] {
      std::mt19937_64 rng(spec.seed + static_cast<uint64_t>(i));
      ThreadTally& tally = tallies[i];
      std::string error;
      start.arrive_and_wait();
      while (Clock::now() < measure_from) ops[i]->RunOnce(rng, &error);  // warm-up
      for (;;) {
        const Clock::time_point begin = Clock::now();
        if (begin >= measure_until) break;
        const Outcome outcome = ops[i]->RunOnce(rng, &error);
        tally.samples.Add((Clock::now() - begin).count());
        switch (outcome) {
          case Outcome::kOk:
            ++tally.ok;
            break;
          case Outcome::kNotFound:
            ++tally.not_found;
            break;
          case Outcome::kError:
            if (tally.errors++ == 0) tally.first_error = error;
            break;
        }
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

  LatencySamples all;
  Clock::time_point last_finish = measure_from;
  for (const ThreadTally& t : tallies) {
    all.Merge(t.samples);
    row.ok += t.ok;
    row.not_found += t.not_found;
    row.errors += t.errors;
    if (row.first_error.empty()) row.first_error = t.first_error;
    last_finish = std::max(last_finish, t.finished);
  }
  all.Finish();
  // The window ends when the last in-flight request returns, so slow requests
  // that straddle the deadline are charged to the run.
  row.seconds = std::chrono::duration<double>(last_finish - measure_from).count();
  const uint64_t total = row.ok + row.not_found + row.errors;
  row.ops_per_sec = row.seconds > 0 ? static_cast<double>(total) / row.seconds : 0;
  row.p50_ms = all.PercentileMillis(50);
  row.p95_ms = all.PercentileMillis(95);
  row.p99_ms = all.PercentileMillis(99);
  if (total > 0) {
    const auto per_op_us = [total](double from, double until) {
      return (until - from) * 1e6 / static_cast<double>(total);
    };
    row.client_cpu_us_per_op = per_op_us(cpu_from.own, cpu_until.own);
    if (cpu_from.server && cpu_until.server) {
      row.server_cpu_us_per_op = per_op_us(*cpu_from.server, *cpu_until.server);
    }
  }
  return row;
}

}  // namespace ctxgraph::bench
