// HistoryKeeper: the maintenance thread that moves the history horizon
// (storage/history_retention.h) as time passes: once in the constructor
// (so a server starts with its horizon up to date), then every `interval`,
// logging each move. Only started with a --history-retention
// setting; without one the horizon stays where an earlier run left it.
//
// Thread safety: construct and destroy from one thread; the destructor
// stops the thread and waits for it.
#ifndef CTXGRAPH_SERVER_HISTORY_KEEPER_H_
#define CTXGRAPH_SERVER_HISTORY_KEEPER_H_

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "storage/database.h"

namespace ctxgraph::server {

class HistoryKeeper {
 public:
  // `db` must outlive the keeper.
  HistoryKeeper(Database* db, std::chrono::milliseconds interval);
  ~HistoryKeeper();
  HistoryKeeper(const HistoryKeeper&) = delete;
  HistoryKeeper& operator=(const HistoryKeeper&) = delete;

 private:
  void Run();
  void AdvanceOnce();

  Database* const db_;
  const std::chrono::milliseconds interval_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace ctxgraph::server

#endif  // CTXGRAPH_SERVER_HISTORY_KEEPER_H_
