// InFlightLimit: admission control for --max-concurrent-requests. Every RPC
// takes a Ticket before its handler runs; when `limit` calls already hold
// one, the new call is refused at once with RESOURCE_EXHAUSTED
//   server is at --max-concurrent-requests=N
// rather than queued, so a burst cannot pile up memory or threads. The
// ticket is released when it is destroyed, on every exit path of the
// handler (errors and exceptions included).
//
// Thread safety: safe for concurrent use; lock-free.
#ifndef CTXGRAPH_SERVER_IN_FLIGHT_LIMIT_H_
#define CTXGRAPH_SERVER_IN_FLIGHT_LIMIT_H_

#include <atomic>

#include "absl/status/statusor.h"

namespace ctxgraph::server {

class InFlightLimit {
 public:
  // Holds one admission; move-only.
  class Ticket {
   public:
    Ticket(Ticket&& other) noexcept : owner_(other.owner_) { other.owner_ = nullptr; }
    Ticket& operator=(Ticket&&) = delete;
    ~Ticket();

   private:
    friend class InFlightLimit;
    explicit Ticket(InFlightLimit* owner) : owner_(owner) {}
    InFlightLimit* owner_;
  };

  // `limit` 0 admits everything (the calls are still counted).
  explicit InFlightLimit(int limit = 0) : limit_(limit) {}
  InFlightLimit(const InFlightLimit&) = delete;
  InFlightLimit& operator=(const InFlightLimit&) = delete;

  // A ticket, or RESOURCE_EXHAUSTED when `limit` calls are in flight.
  absl::StatusOr<Ticket> Admit();

  int limit() const { return limit_; }
  // Calls holding a ticket now.
  int in_flight() const { return in_flight_.load(std::memory_order_acquire); }

 private:
  const int limit_;
  std::atomic<int> in_flight_{0};
};

}  // namespace ctxgraph::server

#endif  // CTXGRAPH_SERVER_IN_FLIGHT_LIMIT_H_
