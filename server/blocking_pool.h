// BlockingPool: a fixed set of threads for handler bodies that wait, so
// they never park gRPC's own threads. The callback API runs handlers on a
// couple of gRPC threads (two on a 2-core machine); a Search, Retrieve or
// lineage call waits for its audit entry's WAL sync before answering, and
// while it waits on one of those threads every other request shares the
// rest. On a pool thread the wait costs only that thread, and concurrent
// waiters share one sync (AuditLog::SyncThrough).
//
// Tasks run in submission order as threads free up. The destructor runs
// every task already submitted, then joins: a submitted call is always
// finished. Admission is the submitter's job (HandleUnaryOnPool takes the
// InFlightLimit ticket first), so the queue holds at most the admitted calls.
//
// Thread safety: Submit may be called from any thread.
#ifndef CTXGRAPH_SERVER_BLOCKING_POOL_H_
#define CTXGRAPH_SERVER_BLOCKING_POOL_H_

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace ctxgraph::server {

class BlockingPool {
 public:
  explicit BlockingPool(int threads);
  ~BlockingPool();
  BlockingPool(const BlockingPool&) = delete;
  BlockingPool& operator=(const BlockingPool&) = delete;

  void Submit(std::function<void()> task);

 private:
  void Work();

  std::mutex mu_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> tasks_;  // guarded by mu_
  bool stopping_ = false;                    // guarded by mu_
  std::vector<std::thread> threads_;
};

}  // namespace ctxgraph::server

#endif  // CTXGRAPH_SERVER_BLOCKING_POOL_H_
