#include "server/stream_watchdog.h"

#include "storage/thread_name.h"

namespace ctxgraph::server {

StreamWatchdog::~StreamWatchdog() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

StreamWatchdog::Watch::~Watch() {
  if (owner_ == nullptr) return;
  std::lock_guard<std::mutex> lock(owner_->mu_);
  owner_->pending_.erase(it_);
}

StreamWatchdog::Watch StreamWatchdog::Start(grpc::ServerContextBase* context,
                                            Clock::time_point cancel_at) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!thread_.joinable()) thread_ = std::thread([this] { Run(); });
  const auto it = pending_.emplace(cancel_at, Call{context, false});
  // The thread may be sleeping towards a later time, or without a time at
  // all when every entry left is already cancelled (their handlers have not
  // returned yet): always wake it to look again.
  cv_.notify_all();
  return Watch(this, it);
}

void StreamWatchdog::Run() {
  NameThisThread("stream-watch");
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    auto it = pending_.begin();
    while (it != pending_.end() && it->second.cancelled) ++it;
    if (it == pending_.end()) {
      cv_.wait(lock);
    } else if (const Clock::time_point when = it->first; Clock::now() < when) {
      // A copy: wait_until reads its deadline again after waking, and the
      // entry may be gone by then (its Watch erases it while we wait).
      cv_.wait_until(lock, when);
    } else {
      it->second.cancelled = true;
      it->second.context->TryCancel();
    }
  }
}

}  // namespace ctxgraph::server
