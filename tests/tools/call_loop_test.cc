// The benchmark's gRPC drivers (tools/bench/call_loop.h), on calls that a
// grpc::Alarm completes after a set delay: no server, so what is checked is
// the driving itself: calls in flight, per-client random streams, what is
// counted and when the window closes.
#include "tools/bench/call_loop.h"

#include <grpcpp/alarm.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <optional>

#include "absl/strings/str_cat.h"

namespace ctxgraph::bench {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// What every ScriptedCall of one run records.
struct Script {
  milliseconds delay{2};
  Outcome outcome = Outcome::kOk;  // what every call comes to
  std::atomic<int> in_flight{0};
  std::atomic<int> max_in_flight{0};
  std::atomic<int> overlaps{0};  // Starts of a client whose last call had not returned
  std::mutex mu;
  std::vector<Clock::time_point> starts;              // guarded by mu
  Clock::time_point last_return;                      // guarded by mu
  std::vector<std::pair<int, uint64_t>> first_draws;  // (client, its first draw); by mu
  std::map<int, int> starts_by_client;                // guarded by mu
};

class ScriptedCall : public AsyncCall {
 public:
  ScriptedCall(Script* script, int index) : script_(script), index_(index) {}

  void Start(std::mt19937_64& rng, grpc::CompletionQueue* cq, void* tag) override {
    const uint64_t draw = rng();
    if (busy_) ++script_->overlaps;
    busy_ = true;
    {
      std::lock_guard<std::mutex> lock(script_->mu);
      script_->starts.push_back(Clock::now());
      ++script_->starts_by_client[index_];
      if (calls_ == 0) script_->first_draws.emplace_back(index_, draw);
    }
    const int now = ++script_->in_flight;
    int seen = script_->max_in_flight.load();
    while (now > seen && !script_->max_in_flight.compare_exchange_weak(seen, now)) {
    }
    alarm_.emplace();
    alarm_->Set(cq, std::chrono::system_clock::now() + script_->delay, tag);
  }

  Outcome Finish(std::string* error) override {
    {
      std::lock_guard<std::mutex> lock(script_->mu);
      script_->last_return = Clock::now();
    }
    busy_ = false;
    --script_->in_flight;
    ++calls_;
    if (script_->outcome == Outcome::kError) {
      *error = absl::StrCat("scripted error of client ", index_, " call ", calls_);
    }
    return script_->outcome;
  }

 private:
  Script* script_;
  int index_;
  int calls_ = 0;
  bool busy_ = false;  // a call is in flight
  std::optional<grpc::Alarm> alarm_;
};

AsyncCallFactory Scripted(Script* script) {
  return [script](int index) -> absl::StatusOr<std::unique_ptr<AsyncCall>> {
    return std::unique_ptr<AsyncCall>(std::make_unique<ScriptedCall>(script, index));
  };
}

LoadSpec Spec(int clients, milliseconds warmup, milliseconds duration) {
  LoadSpec spec;
  spec.clients = clients;
  spec.warmup = warmup;
  spec.duration = duration;
  spec.seed = 7;
  return spec;
}

// A driver, and the loop's thread count.
struct Driving {
  CallDriver driver;
  int loop_threads;
};

class CallDriverTest : public ::testing::TestWithParam<Driving> {
 protected:
  absl::StatusOr<OpResult> Run(const AsyncCallFactory& factory, const LoadSpec& spec) {
    return RunCalls(GetParam().driver, GetParam().loop_threads, factory, spec, OpResult{});
  }
};

TEST_P(CallDriverTest, KeepsOneCallInFlightPerClientAndDrawsEachClientsOwnStream) {
  Script script;
  absl::StatusOr<OpResult> row =
      Run(Scripted(&script), Spec(4, milliseconds(20), milliseconds(200)));
  ASSERT_TRUE(row.ok()) << row.status();
  EXPECT_EQ(script.max_in_flight.load(), 4);
  EXPECT_EQ(script.overlaps.load(), 0);   // never two of one client's
  EXPECT_EQ(script.in_flight.load(), 0);  // every call was waited for
  // Each client called back to back all along: 220 ms of 2 ms calls is up
  // to 110 each, and at least a few however slow the machine.
  ASSERT_EQ(script.starts_by_client.size(), 4u);
  for (const auto& [client, starts] : script.starts_by_client) {
    EXPECT_GE(starts, 5) << "client " << client;
  }
  // Client i draws from mt19937_64(seed + i), whichever thread runs it.
  std::sort(script.first_draws.begin(), script.first_draws.end());
  ASSERT_EQ(script.first_draws.size(), 4u);
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(script.first_draws[i], std::make_pair(i, std::mt19937_64(7 + i)()));
  }
}

TEST_P(CallDriverTest, CountsOnlyCallsStartedInTheWindowAndClosesItWhenTheyReturn) {
  Script script;
  script.delay = milliseconds(5);
  const Clock::time_point before = Clock::now();
  absl::StatusOr<OpResult> row =
      Run(Scripted(&script), Spec(2, milliseconds(200), milliseconds(100)));
  ASSERT_TRUE(row.ok()) << row.status();
  const size_t warmup_starts =
      std::count_if(script.starts.begin(), script.starts.end(),
                    [&](Clock::time_point t) { return t < before + milliseconds(200); });
  EXPECT_GE(warmup_starts, 2u);  // each client's first call at least
  EXPECT_GT(row->ok, 0u);
  EXPECT_LE(row->ok, script.starts.size() - warmup_starts);
  EXPECT_EQ(row->not_found, 0u);
  EXPECT_EQ(row->errors, 0u);
  // The window closes when the last counted call returns, past its end.
  EXPECT_GT(row->seconds, 0.100);
  EXPECT_DOUBLE_EQ(row->ops_per_sec, static_cast<double>(row->ok) / row->seconds);
  // No call returns before its alarm.
  EXPECT_GE(row->p50_ms, 5.0);
  EXPECT_GE(row->p99_ms, row->p50_ms);
  ASSERT_TRUE(row->client_cpu_us_per_op.has_value());
  EXPECT_FALSE(row->server_cpu_us_per_op.has_value());  // not asked for
}

TEST_P(CallDriverTest, CountsNotFoundAndErrorsApartAndKeepsTheFirstError) {
  Script not_found;
  not_found.outcome = Outcome::kNotFound;
  absl::StatusOr<OpResult> row =
      Run(Scripted(&not_found), Spec(2, milliseconds(0), milliseconds(100)));
  ASSERT_TRUE(row.ok()) << row.status();
  EXPECT_EQ(row->ok, 0u);
  EXPECT_GT(row->not_found, 0u);
  EXPECT_EQ(row->errors, 0u);
  EXPECT_EQ(row->first_error, "");

  Script errors;
  errors.outcome = Outcome::kError;
  row = Run(Scripted(&errors), Spec(1, milliseconds(0), milliseconds(100)));
  ASSERT_TRUE(row.ok()) << row.status();
  EXPECT_EQ(row->ok + row->not_found, 0u);
  EXPECT_GT(row->errors, 1u);
  // One client with no warm-up: its first call is the first counted.
  EXPECT_EQ(row->first_error, "scripted error of client 0 call 1");
  // A failure is no answer: neither the rate nor the latencies count it.
  EXPECT_EQ(row->ops_per_sec, 0.0);
  EXPECT_EQ(row->p99_ms, 0.0);
}

TEST_P(CallDriverTest, ReadsTheServersCpuAsTheWindowOpensAndCloses) {
  Script script;
  LoadSpec spec = Spec(2, milliseconds(50), milliseconds(50));
  std::mutex mu;
  std::vector<Clock::time_point> reads;  // guarded by mu
  spec.server_cpu_seconds = [&]() -> absl::StatusOr<double> {
    std::lock_guard<std::mutex> lock(mu);
    reads.push_back(Clock::now());
    return reads.size() == 1 ? 1.0 : 3.0;
  };
  const Clock::time_point before = Clock::now();
  absl::StatusOr<OpResult> row = Run(Scripted(&script), spec);
  ASSERT_TRUE(row.ok()) << row.status();
  ASSERT_EQ(reads.size(), 2u);
  // Once as the warm-up ends, once after the last call returned.
  EXPECT_GE(reads[0], before + milliseconds(50));
  EXPECT_LT(reads[0], script.last_return);
  EXPECT_GE(reads[1], script.last_return);
  ASSERT_TRUE(row->server_cpu_us_per_op.has_value());
  EXPECT_DOUBLE_EQ(*row->server_cpu_us_per_op, 2e6 / static_cast<double>(row->ok));
}

TEST_P(CallDriverTest, AFactoryFailureMeasuresNothing) {
  Script script;
  AsyncCallFactory factory = [&script](int index) -> absl::StatusOr<std::unique_ptr<AsyncCall>> {
    if (index == 2) return absl::UnavailableError("cannot connect to client 2's server");
    return std::unique_ptr<AsyncCall>(std::make_unique<ScriptedCall>(&script, index));
  };
  absl::StatusOr<OpResult> row = Run(factory, Spec(3, milliseconds(0), milliseconds(30)));
  EXPECT_EQ(row.status(), absl::UnavailableError("cannot connect to client 2's server"));
  EXPECT_TRUE(script.starts.empty());
}

INSTANTIATE_TEST_SUITE_P(Drivers, CallDriverTest,
                         ::testing::Values(Driving{CallDriver::kLoop, 1},
                                           Driving{CallDriver::kLoop, 3},
                                           Driving{CallDriver::kThreads, 1}),
                         [](const ::testing::TestParamInfo<Driving>& info) {
                           if (info.param.driver == CallDriver::kThreads)
                             return std::string("Threads");
                           return absl::StrCat("Loop", info.param.loop_threads);
                         });

}  // namespace
}  // namespace ctxgraph::bench
