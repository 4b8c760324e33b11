#include "server/in_flight_limit.h"

#include "absl/strings/str_cat.h"

namespace ctxgraph::server {

InFlightLimit::Ticket::~Ticket() {
  if (owner_ != nullptr) owner_->in_flight_.fetch_sub(1, std::memory_order_acq_rel);
}

absl::StatusOr<InFlightLimit::Ticket> InFlightLimit::Admit() {
  // Take a slot first and give it back when over: a check-then-increment
  // would let two racing calls both pass at limit - 1.
  const int before = in_flight_.fetch_add(1, std::memory_order_acq_rel);
  Ticket ticket(this);
  if (limit_ > 0 && before >= limit_) {
    return absl::ResourceExhaustedError(
        absl::StrCat("server is at --max-concurrent-requests=", limit_));
  }
  return ticket;
}

}  // namespace ctxgraph::server
