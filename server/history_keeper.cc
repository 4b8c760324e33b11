#include "server/history_keeper.h"

#include <spdlog/spdlog.h>

#include "storage/thread_name.h"

namespace ctxgraph::server {

HistoryKeeper::HistoryKeeper(Database* db, std::chrono::milliseconds interval)
    : db_(db), interval_(interval) {
  AdvanceOnce();
  spdlog::info("history horizon {} (--history-retention: as_of reads before it are refused)",
               db_->history_horizon().horizon());
  thread_ = std::thread([this] { Run(); });
}

HistoryKeeper::~HistoryKeeper() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void HistoryKeeper::AdvanceOnce() {
  const uint64_t before = db_->history_horizon().horizon();
  absl::StatusOr<uint64_t> after = db_->AdvanceHistoryHorizon(Now());
  if (!after.ok()) {
    spdlog::warn("history horizon not advanced: {}", after.status().ToString());
  } else if (*after != before) {
    spdlog::info(
        "history horizon moved from {} to {}: as_of reads before it are refused, and "
        "compaction drops the versions it shadows",
        before, *after);
  }
}

void HistoryKeeper::Run() {
  NameThisThread("history-keeper");
  std::unique_lock<std::mutex> lock(mu_);
  while (!cv_.wait_for(lock, interval_, [this] { return stop_; })) {
    lock.unlock();
    AdvanceOnce();
    lock.lock();
  }
}

}  // namespace ctxgraph::server
