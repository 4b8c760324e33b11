#include "server/blocking_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "storage/thread_name.h"

namespace ctxgraph::server {
namespace {

TEST(BlockingPoolTest, RunsEveryTaskOnItsOwnThreadsNotTheSubmitters) {
  std::mutex mu;
  std::set<std::thread::id> ran_on;
  std::set<std::string> names;
  std::atomic<int> done{0};
  std::promise<void> all_done;
  {
    BlockingPool pool(3);
    for (int i = 0; i < 100; ++i) {
      pool.Submit([&] {
        {
          std::lock_guard<std::mutex> lock(mu);
          ran_on.insert(std::this_thread::get_id());
          names.insert(ThisThreadName());
        }
        if (++done == 100) all_done.set_value();
      });
    }
    ASSERT_EQ(all_done.get_future().wait_for(std::chrono::seconds(30)), std::future_status::ready);
  }
  EXPECT_EQ(done.load(), 100);
  EXPECT_FALSE(ran_on.contains(std::this_thread::get_id()));
  EXPECT_LE(ran_on.size(), 3u);
  EXPECT_EQ(names, std::set<std::string>{"audited-read"});  // as `top -H` shows them
}

TEST(BlockingPoolTest, DestructionFinishesEveryTaskAlreadySubmitted) {
  // One thread, held by the first task while ten more queue behind it and
  // the pool is being destroyed: the ten still run before it is gone.
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<int> ran{0};
  auto pool = std::make_unique<BlockingPool>(1);
  pool->Submit([released] { released.wait(); });
  for (int i = 0; i < 10; ++i) pool->Submit([&ran] { ++ran; });
  std::thread destroyer([&pool] { pool.reset(); });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // let it start stopping
  release.set_value();
  destroyer.join();
  EXPECT_EQ(ran.load(), 10);
}

}  // namespace
}  // namespace ctxgraph::server
