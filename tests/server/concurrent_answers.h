// Many threads asking one wire cache for records at once: what the wire
// cache tests share.
#ifndef CTXGRAPH_TESTS_SERVER_CONCURRENT_ANSWERS_H_
#define CTXGRAPH_TESTS_SERVER_CONCURRENT_ANSWERS_H_

#include <google/protobuf/util/message_differencer.h>

#include <atomic>
#include <cstddef>
#include <functional>
#include <string>
#include <thread>
#include <vector>

namespace ctxgraph::server {

// Four threads, twenty rounds each: thread t has record i encoded by
// `encode(i, &bytes)` for i = t, t + (1 + t), ... below expected.size(), so
// the threads overlap on some records and not others. Returns how many
// answers did not parse as `Message` equal to expected[i] (its encoding).
template <typename Message>
int WrongConcurrentAnswers(const std::vector<std::string>& expected,
                           const std::function<void(size_t, std::string*)>& encode) {
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (size_t t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 20; ++round) {
        for (size_t i = t; i < expected.size(); i += 1 + t) {
          std::string bytes;
          encode(i, &bytes);
          Message got, want;
          if (!got.ParseFromString(bytes) || !want.ParseFromString(expected[i]) ||
              !google::protobuf::util::MessageDifferencer::Equals(got, want)) {
            ++wrong;
          }
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  return wrong.load();
}

}  // namespace ctxgraph::server

#endif  // CTXGRAPH_TESTS_SERVER_CONCURRENT_ANSWERS_H_
