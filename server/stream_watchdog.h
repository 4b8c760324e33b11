// StreamWatchdog: cancels streaming calls that outlive --max-request-seconds.
// A client-driven stream (Import) can be held open while sending nothing,
// and a blocked synchronous Read cannot look at the clock, so one thread
// per server waits for the earliest registered time and cancels that call
// (grpc::ServerContextBase::TryCancel; its client sees CANCELLED). A stream
// that keeps sending is ended earlier, by its handler, with the
// DEADLINE_EXCEEDED message naming the flag (see GraphServiceImpl::Import).
//
// Thread safety: safe for concurrent use. The thread starts with the first
// Watch and stops in the destructor, which must run after every Watch is gone.
#ifndef CTXGRAPH_SERVER_STREAM_WATCHDOG_H_
#define CTXGRAPH_SERVER_STREAM_WATCHDOG_H_

#include <grpcpp/server_context.h>

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

namespace ctxgraph::server {

class StreamWatchdog {
  struct Call {
    grpc::ServerContextBase* context;
    bool cancelled;
  };

 public:
  using Clock = std::chrono::steady_clock;

  StreamWatchdog() = default;
  StreamWatchdog(const StreamWatchdog&) = delete;
  StreamWatchdog& operator=(const StreamWatchdog&) = delete;
  ~StreamWatchdog();

  // Keeps one call registered while it lives; move-only.
  class Watch {
   public:
    Watch() = default;
    Watch(Watch&& other) noexcept : owner_(other.owner_), it_(other.it_) { other.owner_ = nullptr; }
    Watch& operator=(Watch&&) = delete;
    ~Watch();

   private:
    friend class StreamWatchdog;
    using Entry = std::multimap<Clock::time_point, Call>::iterator;
    Watch(StreamWatchdog* owner, Entry it) : owner_(owner), it_(it) {}
    StreamWatchdog* owner_ = nullptr;
    Entry it_;
  };

  // Cancels `context` at `cancel_at` unless the returned Watch is destroyed
  // first. `context` must outlive the Watch.
  Watch Start(grpc::ServerContextBase* context, Clock::time_point cancel_at);

 private:
  void Run();

  std::mutex mu_;
  std::condition_variable cv_;
  // Guarded by mu_: the calls to cancel, by when; whether to stop; the
  // thread (started by the first Start).
  // A cancelled call stays until its Watch goes, when its handler returns.
  std::multimap<Clock::time_point, Call> pending_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace ctxgraph::server

#endif  // CTXGRAPH_SERVER_STREAM_WATCHDOG_H_
