#include "tools/bench/call_loop.h"

#include <cstdint>
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
  DrainedQueue queue_;  // declared first: it outlives the call
  std::unique_ptr<AsyncCall> call_;
};

}  // namespace

absl::StatusOr<OpResult> RunCallLoop(const AsyncCallFactory& factory, const LoadSpec& spec,
                                     OpResult row) {
  DrainedQueue queue;  // declared first: it outlives the calls
  grpc::CompletionQueue& cq = queue.cq;
  // Connections are made up front so connection set-up is never measured.
  std::vector<std::unique_ptr<AsyncCall>> calls;
  std::vector<std::mt19937_64> rngs;
  for (int i = 0; i < spec.clients; ++i) {
    absl::StatusOr<std::unique_ptr<AsyncCall>> call = factory(i);
    if (!call.ok()) return call.status();
    calls.push_back(*std::move(call));
    rngs.emplace_back(spec.seed + static_cast<uint64_t>(i));
  }

  const Clock::time_point measure_from =
      Clock::now() + std::chrono::duration_cast<Clock::duration>(spec.warmup);
  const Clock::time_point measure_until =
      measure_from + std::chrono::duration_cast<Clock::duration>(spec.duration);
  std::vector<Clock::time_point> started(calls.size());
  for (size_t i = 0; i < calls.size(); ++i) {
    started[i] = Clock::now();
    calls[i]->Start(rngs[i], &cq, TagOf(i));
  }
  std::vector<LoadTally> tally(1);
  tally[0].finished = measure_from;
  CpuReading cpu_from;
  bool measuring = false;
  size_t in_flight = calls.size();
  std::string error;
  while (in_flight > 0) {
    if (!measuring && Clock::now() >= measure_from) {
      cpu_from = ReadCpu(spec);
      measuring = true;
    }
    void* tag;
    bool ok;
    if (measuring) {
      if (!cq.Next(&tag, &ok)) break;  // not shut down before the end
    } else {
      // Until the window opens, wake at its start to read the CPU clocks
      // then. gRPC takes system_clock deadlines.
      const auto deadline = std::chrono::system_clock::now() +
                            std::chrono::duration_cast<std::chrono::system_clock::duration>(
                                measure_from - Clock::now());
      const grpc::CompletionQueue::NextStatus next = cq.AsyncNext(&tag, &ok, deadline);
      if (next == grpc::CompletionQueue::TIMEOUT) continue;
      if (next == grpc::CompletionQueue::SHUTDOWN) break;
    }
    const size_t i = IndexOf(tag);
    --in_flight;
    const Outcome outcome = calls[i]->Finish(&error);
    const Clock::time_point now = Clock::now();
    if (started[i] >= measure_from) {
      tally[0].Add(outcome, (now - started[i]).count(), error);
      tally[0].finished = now;
    }
    if (now < measure_until) {
      started[i] = now;
      calls[i]->Start(rngs[i], &cq, TagOf(i));
      ++in_flight;
    }
  }
  if (!measuring) cpu_from = ReadCpu(spec);  // an empty window: nothing started in it
  const CpuReading cpu_until = ReadCpu(spec);
  return FinishRow(tally, measure_from, cpu_from, cpu_until, std::move(row));
}

OperationFactory Blocking(AsyncCallFactory factory) {
  return [factory = std::move(factory)](int index) -> absl::StatusOr<std::unique_ptr<Operation>> {
    absl::StatusOr<std::unique_ptr<AsyncCall>> call = factory(index);
    if (!call.ok()) return call.status();
    return std::unique_ptr<Operation>(std::make_unique<BlockingCall>(*std::move(call)));
  };
}

absl::StatusOr<OpResult> RunCalls(CallDriver driver, const AsyncCallFactory& factory,
                                  const LoadSpec& spec, OpResult row) {
  if (driver == CallDriver::kLoop) return RunCallLoop(factory, spec, std::move(row));
  return RunLoad(Blocking(factory), spec, std::move(row));
}

}  // namespace ctxgraph::bench
