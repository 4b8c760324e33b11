#include "tools/bench/call_loop.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <thread>
#include <utility>
#include <vector>

namespace ctxgraph::bench {
namespace {

using Clock = std::chrono::steady_clock;

void* TagOf(size_t index) { return reinterpret_cast<void*>(static_cast<uintptr_t>(index)); }
size_t IndexOf(void* tag) { return static_cast<size_t>(reinterpret_cast<uintptr_t>(tag)); }

// Shuts `cq` down and takes what is left in it, as gRPC requires before a
// queue is destroyed.
void Drain(grpc::CompletionQueue& cq) {
  cq.Shutdown();
  void* tag;
  bool ok;
  while (cq.Next(&tag, &ok)) {
  }
}

// A completion queue that is shut down and drained when it goes.
struct DrainedQueue {
  ~DrainedQueue() { Drain(cq); }
  grpc::CompletionQueue cq;
};

class BlockingCall : public Operation {
 public:
  explicit BlockingCall(std::unique_ptr<AsyncCall> call) : call_(std::move(call)) {}

  Outcome RunOnce(std::mt19937_64& rng, std::string* error) override {
    call_->Start(rng, &queue_.cq, this);
    void* tag;
    bool ok;
    if (!queue_.cq.Next(&tag, &ok)) {
      *error = "completion queue shut down";
      return Outcome::kError;
    }
    return call_->Finish(error);
  }

 private:
  std::unique_ptr<AsyncCall> call_;
  // Declared after the call, so it is drained before the call goes.
  DrainedQueue queue_;
};

// One loop thread's clients: it starts each one's first call, then the
// next each time an answer comes out of its queue, until `until`.
class ClientLoop {
 public:
  void Add(AsyncCall* call, uint64_t seed) { clients_.push_back({call, std::mt19937_64(seed)}); }

  // Counts into `tally` the calls started at or after `from`.
  void Run(Clock::time_point from, Clock::time_point until, LoadTally& tally) {
    for (size_t i = 0; i < clients_.size(); ++i) Start(i, Clock::now());
    size_t in_flight = clients_.size();
    std::string error;
    while (in_flight > 0) {
      void* tag;
      bool ok;
      if (!queue_.cq.Next(&tag, &ok)) break;  // never: it is shut down after the loop
      --in_flight;
      Client& client = clients_[IndexOf(tag)];
      const Outcome outcome = client.call->Finish(&error);
      const Clock::time_point now = Clock::now();
      if (client.started >= from) {
        tally.Add(outcome, (now - client.started).count(), error);
        tally.finished = now;
      }
      if (now < until) {  // `now` is the start that is checked and counted
        Start(IndexOf(tag), now);
        ++in_flight;
      }
    }
  }

 private:
  struct Client {
    AsyncCall* call;
    std::mt19937_64 rng;
    Clock::time_point started;
  };

  void Start(size_t i, Clock::time_point now) {
    clients_[i].started = now;
    clients_[i].call->Start(clients_[i].rng, &queue_.cq, TagOf(i));
  }

  DrainedQueue queue_;
  std::vector<Client> clients_;
};

}  // namespace

absl::StatusOr<OpResult> RunCallLoop(const AsyncCallFactory& factory, const LoadSpec& spec,
                                     int threads, OpResult row) {
  // Connections are made up front so connection set-up is never measured.
  std::vector<std::unique_ptr<AsyncCall>> calls;
  for (int i = 0; i < spec.clients; ++i) {
    absl::StatusOr<std::unique_ptr<AsyncCall>> call = factory(i);
    if (!call.ok()) return call.status();
    calls.push_back(*std::move(call));
  }
  // Client i goes to loop i % threads. Declared after `calls`, so the
  // loops' queues are drained before the calls go.
  std::vector<ClientLoop> loops(std::max(1, std::min(threads, spec.clients)));
  for (size_t i = 0; i < calls.size(); ++i) {
    loops[i % loops.size()].Add(calls[i].get(), spec.seed + i);
  }

  std::vector<LoadTally> tallies(loops.size());
  const Clock::time_point measure_from =
      Clock::now() + std::chrono::duration_cast<Clock::duration>(spec.warmup);
  const Clock::time_point measure_until =
      measure_from + std::chrono::duration_cast<Clock::duration>(spec.duration);
  std::vector<std::thread> running;
  for (size_t t = 0; t < loops.size(); ++t) {
    tallies[t].finished = measure_from;
    running.emplace_back([&, t] { loops[t].Run(measure_from, measure_until, tallies[t]); });
  }
  std::this_thread::sleep_until(measure_from);
  const CpuReading cpu_from = ReadCpu(spec);
  for (std::thread& t : running) t.join();
  const CpuReading cpu_until = ReadCpu(spec);
  return FinishRow(tallies, measure_from, cpu_from, cpu_until, std::move(row));
}

OperationFactory BlockingOperations(AsyncCallFactory factory) {
  return [factory = std::move(factory)](int index) -> absl::StatusOr<std::unique_ptr<Operation>> {
    absl::StatusOr<std::unique_ptr<AsyncCall>> call = factory(index);
    if (!call.ok()) return call.status();
    return std::unique_ptr<Operation>(std::make_unique<BlockingCall>(*std::move(call)));
  };
}

absl::StatusOr<OpResult> RunCalls(CallDriver driver, int loop_threads,
                                  const AsyncCallFactory& factory, const LoadSpec& spec,
                                  OpResult row) {
  if (driver == CallDriver::kLoop) return RunCallLoop(factory, spec, loop_threads, std::move(row));
  return RunLoad(BlockingOperations(factory), spec, std::move(row));
}

}  // namespace ctxgraph::bench
