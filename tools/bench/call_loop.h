// The gRPC side of the load driver. Each request kind is written once, as an
// asynchronous call on a completion queue (AsyncCall), and driven one of two
// ways:
//   - RunCallLoop: a loop thread (or a few) keeps `clients` calls in
//     flight, one per connection, and starts the next call on a connection
//     as soon as the answer of the last one is read: a closed loop, as N
//     clients that each wait for their answer, on few threads.
//   - BlockingOperations(factory) for RunLoad: a thread per client makes
//     one call at a time and waits for it on a completion queue of its own,
//     as a generated synchronous stub does on a queue it makes per call.
//
// Why the loop is the default: the benchmark shares the machine's two cores
// with the server it measures, so its own CPU is taken from the server.
// With a thread per client, gRPC 1.51's client hands each answer from the
// thread that polled the socket to the thread that waits for it; on this
// machine that cost 1.6 to 2.2 times the client CPU per call at 8 clients
// (GetNode: 29 µs with threads, 13 on the loop; see tools/bench/README.md).
#ifndef CTXGRAPH_TOOLS_BENCH_CALL_LOOP_H_
#define CTXGRAPH_TOOLS_BENCH_CALL_LOOP_H_

#include <grpcpp/completion_queue.h>

#include <functional>
#include <memory>
#include <random>
#include <string>

#include "absl/status/statusor.h"
#include "tools/bench/load_driver.h"

namespace ctxgraph::bench {

// One client of one request kind: a connection with at most one call in
// flight. Used by one thread at a time; need not be thread-safe. It must not
// be destroyed while a call is in flight (the answer would be written into
// it), and the queue given to Start must outlive it or be drained first.
class AsyncCall {
 public:
  virtual ~AsyncCall() = default;
  // Starts one request. `cq` returns `tag` once its answer or its failure
  // is in; only then may Finish (and the next Start) be called.
  virtual void Start(std::mt19937_64& rng, grpc::CompletionQueue* cq, void* tag) = 0;
  // What the request came to. On kError, sets `*error` to a short
  // description.
  virtual Outcome Finish(std::string* error) = 0;
};

// Makes client `index`'s AsyncCall (0-based), including its connection; an
// error aborts the run before any measurement.
using AsyncCallFactory = std::function<absl::StatusOr<std::unique_ptr<AsyncCall>>(int index)>;

// Runs `spec.clients` of `factory`'s calls on `threads` loop threads (at
// least one, at most one per client; client i runs on loop i % their
// number), as above, and fills a copy of `row` as RunLoad does: client i
// draws its requests from mt19937_64(spec.seed + i), a request counts when
// it starts inside the measured window, and the window closes when the last
// of those returns. If the factory fails for any client, returns that error
// and measures nothing.
absl::StatusOr<OpResult> RunCallLoop(const AsyncCallFactory& factory, const LoadSpec& spec,
                                     int threads, OpResult row);

// `factory`'s calls as blocking Operations for RunLoad: each waits for its
// call on a completion queue of its own.
OperationFactory BlockingOperations(AsyncCallFactory factory);

// How the benchmark drives gRPC calls (its --driver flag).
enum class CallDriver {
  kLoop,     // "loop": RunCallLoop
  kThreads,  // "threads": RunLoad on BlockingOperations(factory)
};

// Runs `factory` with `driver`, as RunCallLoop (on `loop_threads` threads)
// or RunLoad does.
absl::StatusOr<OpResult> RunCalls(CallDriver driver, int loop_threads,
                                  const AsyncCallFactory& factory, const LoadSpec& spec,
                                  OpResult row);

}  // namespace ctxgraph::bench

#endif  // CTXGRAPH_TOOLS_BENCH_CALL_LOOP_H_
