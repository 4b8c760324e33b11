// ctxgraph-overload: does ctxgraphd refuse an overload cleanly?
//
// Starts ctxgraphd (--max-concurrent-requests N) on a temporary data
// directory, records its baseline resident memory, threads and open file
// descriptors (/proc/PID/status VmRSS and Threads, /proc/PID/fd), then opens
// --streams Import streams at once over --channels connections, each held
// open for --hold-ms before it finishes, again and again for --seconds,
// while a prober calls grpc.health.v1.Health/Check every 100 ms on a
// connection of its own. After the clients stop and --settle-seconds pass,
// it reads the same three figures again.
//
// Goals (exit status 1 when one fails):
//   - every refused call is RESOURCE_EXHAUSTED (never INTERNAL, UNAVAILABLE
//     or a dead server), and some calls were refused;
//   - every health check answers SERVING, the slowest within --health-goal-ms;
//   - peak memory (VmHWM) stays under --rss-bound-mb;
//   - afterwards threads and file descriptors are back to the baseline
//     (within --slack-threads / --slack-fds: gRPC keeps a few pool threads
//     it started, a fixed number) and memory within --slack-rss-mb of it
//     (the allocator keeps some freed memory).
//
// Not part of the test suite: it takes --seconds plus the settle time and
// loads the whole machine. Example:
//   build/tools/overload/ctxgraph-overload --bin-dir build
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "ctxgraph/v1/graph.grpc.pb.h"
#include "tools/bench/process_control.h"

namespace ctxgraph::overload {
namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::string bin_dir = "build";
  int max_concurrent_requests = 64;
  int streams = 512;
  int channels = 16;
  int seconds = 5;
  int hold_ms = 300;
  int settle_seconds = 5;
  int health_goal_ms = 1000;
  int rss_bound_mb = 512;
  // gRPC keeps some threads it started under load (its default executor,
  // a second timer thread, idle sync-server pollers): a fixed number, not
  // one per call, so the slack is a constant.
  int slack_threads = 8;
  int slack_fds = 2;
  int slack_rss_mb = 64;
};

// What /proc says of the server process.
struct Usage {
  uint64_t rss_bytes = 0;
  uint64_t peak_rss_bytes = 0;
  int threads = 0;
  int fds = 0;
  std::map<std::string, int> thread_names;  // /proc/PID/task/*/comm
};

// A "Name:   123 kB" line of /proc/PID/status, in bytes when in kB; 0 when
// absent.
uint64_t StatusField(const std::string& status, const std::string& name) {
  const size_t at = status.find("\n" + name + ":");
  if (at == std::string::npos) return 0;
  unsigned long long value = 0;
  char unit[8] = {0};
  const int read = std::sscanf(status.c_str() + at + name.size() + 2, "%llu %7s", &value, unit);
  if (read < 1) return 0;
  return read == 2 && std::string(unit) == "kB" ? value * 1024 : value;
}

Usage ReadUsage(pid_t pid) {
  Usage u;
  const std::string status = bench::ReadFileOrEmpty(absl::StrCat("/proc/", pid, "/status"));
  u.rss_bytes = StatusField(status, "VmRSS");
  u.peak_rss_bytes = StatusField(status, "VmHWM");
  u.threads = static_cast<int>(StatusField(status, "Threads"));
  std::error_code ec;
  for (auto it = std::filesystem::directory_iterator(absl::StrCat("/proc/", pid, "/task"), ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    std::string name = bench::ReadFileOrEmpty(it->path().string() + "/comm");
    ++u.thread_names[std::string(absl::StripTrailingAsciiWhitespace(name))];
  }
  for (auto it = std::filesystem::directory_iterator(absl::StrCat("/proc/", pid, "/fd"), ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    ++u.fds;
  }
  return u;
}

std::string Mib(uint64_t bytes) { return absl::StrCat(bytes / (1024 * 1024), " MiB"); }

// Health/Check with ByteBuffers: no generated health stub is installed.
class HealthProbe {
 public:
  explicit HealthProbe(std::shared_ptr<grpc::Channel> channel) : stub_(std::move(channel)) {}

  // The call's latency; `ok` when it answered SERVING.
  double CheckMs(bool* ok) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    grpc::Slice empty("");
    grpc::ByteBuffer request(&empty, 1), response;
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    grpc::Status status;
    const auto start = Clock::now();
    stub_.UnaryCall(&context, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &request,
                    &response, [&](grpc::Status s) {
                      std::lock_guard<std::mutex> lock(mu);
                      status = std::move(s);
                      done = true;
                      cv.notify_all();
                    });
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return done; });
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    std::vector<grpc::Slice> slices;
    std::string bytes;
    if (status.ok() && response.Dump(&slices).ok()) {
      for (const auto& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
    }
    *ok = status.ok() && bytes == std::string("\x08\x01", 2);  // status: SERVING
    return ms;
  }

 private:
  grpc::GenericStub stub_;
};

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return values[std::min(values.size() - 1, static_cast<size_t>(p * values.size()))];
}

int Run(const Options& o) {
  absl::StatusOr<std::string> dir = bench::MakeTempDir("ctxgraph-overload-");
  if (!dir.ok()) {
    std::fprintf(stderr, "%s\n", dir.status().ToString().c_str());
    return 2;
  }
  bench::ChildProcess server;
  const std::vector<std::string> argv = {
      absl::StrCat(o.bin_dir, "/server/ctxgraphd"),
      "--data-dir",
      *dir + "/data",
      "--listen",
      "127.0.0.1:0",
      "--port-file",
      *dir + "/port",
      "--log-level",
      "warn",
      "--no-sync-writes",
      absl::StrCat("--max-concurrent-requests=", o.max_concurrent_requests)};
  if (absl::Status s = server.Start(argv, *dir + "/ctxgraphd"); !s.ok()) {
    std::fprintf(stderr, "start: %s\n", s.ToString().c_str());
    return 2;
  }
  absl::StatusOr<std::string> address = bench::WaitForFileWord(*dir + "/port", 30000);
  if (!address.ok()) {
    std::fprintf(stderr, "ctxgraphd did not start: %s\n", address.status().ToString().c_str());
    return 2;
  }
  std::string token(
      absl::StripTrailingAsciiWhitespace(bench::ReadFileOrEmpty(*dir + "/data/admin.token")));

  // A fresh connection each: a shared subchannel would multiplex them all.
  const auto connect = [&] {
    grpc::ChannelArguments args;
    args.SetInt("grpc.use_local_subchannel_pool", 1);
    return grpc::CreateCustomChannel(*address, grpc::InsecureChannelCredentials(), args);
  };
  std::this_thread::sleep_for(std::chrono::seconds(1));
  const Usage baseline = ReadUsage(server.pid());

  std::atomic<bool> stop{false};
  std::mutex mu;
  std::map<grpc::StatusCode, uint64_t> codes;  // guarded by mu
  std::map<grpc::StatusCode, std::string> first_message;
  std::vector<double> health_ms;
  int health_failures = 0;
  uint64_t peak_rss = 0;

  std::thread prober([&] {
    HealthProbe probe(connect());
    while (!stop.load()) {
      const auto next = Clock::now() + std::chrono::milliseconds(100);
      bool ok = false;
      const double ms = probe.CheckMs(&ok);
      {
        std::lock_guard<std::mutex> lock(mu);
        health_ms.push_back(ms);
        if (!ok) ++health_failures;
        peak_rss = std::max(peak_rss, ReadUsage(server.pid()).peak_rss_bytes);
      }
      std::this_thread::sleep_until(next);
    }
  });

  std::vector<std::unique_ptr<v1::GraphService::Stub>> stubs;
  for (int i = 0; i < o.channels; ++i) stubs.push_back(v1::GraphService::NewStub(connect()));
  const auto load_end = Clock::now() + std::chrono::seconds(o.seconds);
  std::vector<std::thread> clients;
  for (int i = 0; i < o.streams; ++i) {
    clients.emplace_back([&, i] {
      v1::ImportRequest request;
      // The same content every time: after the first, an import that
      // commits nothing, so the database does not grow under the load.
      v1::Node* node = request.add_ops()->mutable_upsert_node();
      node->set_id("overload-probe");
      node->add_labels("Doc");
      while (Clock::now() < load_end) {
        grpc::ClientContext context;
        context.AddMetadata("authorization", "Bearer " + token);
        context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
        v1::ImportResponse response;
        auto writer = stubs[i % stubs.size()]->Import(&context, &response);
        writer->Write(request);
        std::this_thread::sleep_for(std::chrono::milliseconds(o.hold_ms));
        writer->WritesDone();
        const grpc::Status status = writer->Finish();
        std::lock_guard<std::mutex> lock(mu);
        ++codes[status.error_code()];
        first_message.try_emplace(status.error_code(), status.error_message());
      }
    });
  }
  for (auto& c : clients) c.join();
  stubs.clear();
  std::this_thread::sleep_for(std::chrono::seconds(1));
  stop = true;
  prober.join();
  std::this_thread::sleep_for(std::chrono::seconds(o.settle_seconds));
  const Usage after = ReadUsage(server.pid());
  peak_rss = std::max(peak_rss, after.peak_rss_bytes);
  const bool alive = ::kill(server.pid(), 0) == 0;

  bool pass = alive;
  uint64_t refused = 0, bad = 0;
  std::printf(
      "ctxgraph-overload: %d streams over %d connections for %d s, hold %d ms, "
      "--max-concurrent-requests=%d\n",
      o.streams, o.channels, o.seconds, o.hold_ms, o.max_concurrent_requests);
  for (const auto& [code, count] : codes) {
    std::printf("  calls %-3d %8llu  %s\n", static_cast<int>(code),
                static_cast<unsigned long long>(count), first_message[code].c_str());
    if (code == grpc::StatusCode::RESOURCE_EXHAUSTED) refused += count;
    if (code != grpc::StatusCode::OK && code != grpc::StatusCode::RESOURCE_EXHAUSTED) bad += count;
  }
  const double p50 = Percentile(health_ms, 0.5), p99 = Percentile(health_ms, 0.99),
               max = Percentile(health_ms, 1.0);
  std::printf("  refused (RESOURCE_EXHAUSTED) %llu, other errors %llu\n",
              static_cast<unsigned long long>(refused), static_cast<unsigned long long>(bad));
  const size_t slowest = std::max_element(health_ms.begin(), health_ms.end()) - health_ms.begin();
  std::printf(
      "  health checks %zu, failed %d, p50 %.2f ms, p99 %.2f ms, max %.2f ms (check #%zu; "
      "goal < %d)\n",
      health_ms.size(), health_failures, p50, p99, max, slowest, o.health_goal_ms);
  std::printf("  peak RSS %s (bound %d MiB)\n", Mib(peak_rss).c_str(), o.rss_bound_mb);
  std::printf("  baseline: RSS %s, threads %d, fds %d\n", Mib(baseline.rss_bytes).c_str(),
              baseline.threads, baseline.fds);
  std::printf("  after %d s: RSS %s, threads %d, fds %d%s\n", o.settle_seconds,
              Mib(after.rss_bytes).c_str(), after.threads, after.fds,
              alive ? "" : " (server died)");
  std::string names_before, names_after;
  for (const auto& [name, n] : baseline.thread_names)
    absl::StrAppend(&names_before, " ", name, "x", n);
  for (const auto& [name, n] : after.thread_names) absl::StrAppend(&names_after, " ", name, "x", n);
  std::printf("  threads by name, baseline:%s\n  threads by name, after:%s\n", names_before.c_str(),
              names_after.c_str());
  const auto check = [&pass](bool ok, const char* what) {
    if (!ok) {
      std::printf("  FAIL: %s\n", what);
      pass = false;
    }
  };
  check(alive, "the server is running");
  check(refused > 0, "some calls were refused");
  check(bad == 0, "every refused call is RESOURCE_EXHAUSTED");
  check(health_failures == 0 && !health_ms.empty(), "every health check answered SERVING");
  check(max < o.health_goal_ms, "the slowest health check is within the goal");
  check(peak_rss < uint64_t{1} * o.rss_bound_mb << 20, "peak RSS is under the bound");
  check(after.threads <= baseline.threads + o.slack_threads, "threads are back to the baseline");
  check(after.fds <= baseline.fds + o.slack_fds, "file descriptors are back to the baseline");
  check(after.rss_bytes <= baseline.rss_bytes + (uint64_t{1} * o.slack_rss_mb << 20),
        "memory is back near the baseline");
  std::printf("%s\n", pass ? "PASS" : "FAIL");
  server.Stop();
  std::filesystem::remove_all(*dir);
  return pass ? 0 : 1;
}

}  // namespace
}  // namespace ctxgraph::overload

int main(int argc, char** argv) {
  ctxgraph::overload::Options o;
  CLI::App app{"ctxgraph-overload: ctxgraphd under more concurrent streams than it admits"};
  app.add_option("--bin-dir", o.bin_dir, "Build directory holding server/ctxgraphd")
      ->capture_default_str();
  app.add_option("--max-concurrent-requests", o.max_concurrent_requests, "ctxgraphd's limit")
      ->capture_default_str();
  app.add_option("--streams", o.streams, "Import streams open at once")->capture_default_str();
  app.add_option("--channels", o.channels, "Connections they share")->capture_default_str();
  app.add_option("--seconds", o.seconds, "How long the load lasts")->capture_default_str();
  app.add_option("--hold-ms", o.hold_ms, "How long each stream stays open")->capture_default_str();
  app.add_option("--settle-seconds", o.settle_seconds, "Wait after the load before measuring")
      ->capture_default_str();
  app.add_option("--health-goal-ms", o.health_goal_ms, "Slowest health check allowed")
      ->capture_default_str();
  app.add_option("--rss-bound-mb", o.rss_bound_mb, "Peak resident memory allowed")
      ->capture_default_str();
  app.add_option("--slack-threads", o.slack_threads, "Threads above the baseline allowed after")
      ->capture_default_str();
  app.add_option("--slack-fds", o.slack_fds, "File descriptors above the baseline allowed after")
      ->capture_default_str();
  app.add_option("--slack-rss-mb", o.slack_rss_mb, "Memory above the baseline allowed after")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  return ctxgraph::overload::Run(o);
}
