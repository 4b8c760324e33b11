#include "tools/crashtest/crash_run.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <memory>
#include <random>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "ctxgraph/v1/audit.grpc.pb.h"
#include "ctxgraph/v1/graph.grpc.pb.h"
#include "storage/database.h"
#include "storage/status_macros.h"
#include "tools/bench/dedicated_channel.h"
#include "tools/bench/process_control.h"
#include "tools/crashtest/crash_writer.h"

namespace ctxgraph::crashtest {
namespace {

using bench::ChildProcess;
using bench::PrepareContext;
using bench::ReadFileOrEmpty;
using Clock = std::chrono::steady_clock;

constexpr int kStartTimeoutMs = 60000;
constexpr int kPollMs = 2;  // restart times are tens of milliseconds

// A serving ctxgraphd and what its first answer said.
struct Serving {
  std::string address;
  std::string token;
  // One connection per writer, made before the kill timer starts.
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  int64_t restart_nanos = 0;  // spawn to the first answered call
  uint64_t snapshot_version = 0;
};

class CrashRun {
 public:
  CrashRun(const CrashRunOptions& options, CrashRunResult* result)
      : options_(options),
        result_(result),
        data_dir_(options.dir + "/data"),
        port_file_(options.dir + "/port"),
        kill_rng_(options.seed) {}

  absl::Status Run();

 private:
  absl::Status Spawn();
  absl::StatusOr<Serving> Start();
  // Starts the server and SIGKILLs it after a random part of the last
  // restart time, so recovery itself is cut short.
  absl::Status KillDuringStart(int64_t last_restart_nanos);
  // Checks after a restart; false when a failure was recorded.
  absl::StatusOr<bool> CheckAfterRestart(const Serving& serving, bool everything);
  absl::Status CheckAuditChain(const Serving& serving);
  // Lets the writers commit until a random moment, then SIGKILLs the server.
  void WriteThenKill(const Serving& serving);
  void CheckChecksums();
  void Fail(uint64_t* counter, std::string message) {
    ++*counter;
    result_->failures.push_back(std::move(message));
  }

  const CrashRunOptions& options_;
  CrashRunResult* result_;
  std::string data_dir_, port_file_;
  std::mt19937_64 kill_rng_;
  ChildProcess server_;
  std::unique_ptr<AckLog> log_;
  std::vector<std::unique_ptr<CrashWriter>> writers_;
  uint64_t audit_floor_ = 0;  // the chain may not be shorter than this
};

absl::Status CrashRun::Spawn() {
  std::filesystem::remove(port_file_);
  return server_.Start({options_.ctxgraphd, "--data-dir", data_dir_, "--listen", "127.0.0.1:0",
                        "--port-file", port_file_, "--log-level", "warn", "--no-access-log"},
                       options_.dir + "/ctxgraphd");
}

absl::Status CrashRun::KillDuringStart(int64_t last_restart_nanos) {
  RETURN_IF_ERROR(Spawn());
  std::uniform_int_distribution<int64_t> delay(0, last_restart_nanos);
  std::this_thread::sleep_for(std::chrono::nanoseconds(delay(kill_rng_)));
  server_.Kill();
  ++result_->start_kills;
  return absl::OkStatus();
}

absl::StatusOr<Serving> CrashRun::Start() {
  const Clock::time_point spawned = Clock::now();
  RETURN_IF_ERROR(Spawn());
  Serving serving;
  for (int waited = 0; serving.address.empty(); waited += kPollMs) {
    if (server_.Exited() || waited > kStartTimeoutMs) {
      return absl::UnavailableError(absl::StrCat("ctxgraphd did not start; its stderr: ",
                                                 ReadFileOrEmpty(options_.dir + "/ctxgraphd.err")));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(kPollMs));
    serving.address = std::string(absl::StripAsciiWhitespace(ReadFileOrEmpty(port_file_)));
  }
  serving.token =
      std::string(absl::StripAsciiWhitespace(ReadFileOrEmpty(data_dir_ + "/admin.token")));
  auto stub = v1::GraphService::NewStub(
      grpc::CreateChannel(serving.address, grpc::InsecureChannelCredentials()));
  v1::ListNodesRequest request;
  request.set_label("Crash");
  request.set_page_size(1);
  v1::ListNodesResponse response;
  grpc::ClientContext context;
  PrepareContext(serving.token, &context);
  context.set_wait_for_ready(true);
  const grpc::Status s = stub->ListNodes(&context, request, &response);
  if (!s.ok()) {
    return absl::UnavailableError(absl::StrCat("first ListNodes failed: ", s.error_message()));
  }
  serving.restart_nanos = std::chrono::nanoseconds(Clock::now() - spawned).count();
  serving.snapshot_version = response.snapshot_version();
  for (int i = 0; i < options_.writers; ++i) {
    ASSIGN_OR_RETURN(std::shared_ptr<grpc::Channel> channel,
                     bench::NewDedicatedChannel(serving.address, i));
    serving.channels.push_back(std::move(channel));
  }
  return serving;
}

absl::Status CrashRun::CheckAuditChain(const Serving& serving) {
  auto stub = v1::AuditService::NewStub(serving.channels[0]);
  v1::VerifyLogResponse response;
  grpc::ClientContext context;
  PrepareContext(serving.token, &context);
  const grpc::Status s = stub->VerifyLog(&context, v1::VerifyLogRequest(), &response);
  if (!s.ok()) return absl::UnavailableError(absl::StrCat("VerifyLog: ", s.error_message()));
  if (!response.ok() || response.entries_checked() != response.head_seq()) {
    Fail(&result_->verify_failures,
         absl::StrCat("audit chain broken at seq ", response.first_bad_seq(), ": ",
                      response.reason(), " (", response.entries_checked(), " of ",
                      response.head_seq(), " entries hold)"));
  } else if (response.head_seq() < audit_floor_) {
    Fail(&result_->verify_failures,
         absl::StrCat("audit chain lost entries: head seq ", response.head_seq(),
                      ", but acknowledged commits put it at ", audit_floor_, " or more"));
  }
  audit_floor_ = response.head_seq();
  result_->audit_entries = response.head_seq();
  return absl::OkStatus();
}

absl::StatusOr<bool> CrashRun::CheckAfterRestart(const Serving& serving, bool everything) {
  const size_t failures_before = result_->failures.size();
  uint64_t latest_acked = 0;
  for (const auto& w : writers_) latest_acked = std::max(latest_acked, w->last_acked_version());
  if (serving.snapshot_version < latest_acked) {
    Fail(&result_->verify_failures,
         absl::StrCat("version went backwards: the server is at ", serving.snapshot_version,
                      " after acknowledging ", latest_acked));
  }
  std::vector<absl::StatusOr<CheckResult>> checks(writers_.size(), absl::UnknownError("not run"));
  std::vector<std::thread> threads;
  for (size_t i = 0; i < writers_.size(); ++i) {
    threads.emplace_back([&, i] {
      auto stub = v1::GraphService::NewStub(serving.channels[i]);
      checks[i] = writers_[i]->Check(*stub, serving.token, everything, *log_);
    });
  }
  for (std::thread& t : threads) t.join();
  for (absl::StatusOr<CheckResult>& check : checks) {
    if (!check.ok()) return check.status();
    result_->nodes_checked += check->nodes_checked;
    result_->unacked_committed += check->unacked_committed;
    result_->unacked_absent += check->unacked_absent;
    // Each committed batch appended at least its own audit entry.
    audit_floor_ += check->unacked_committed;
    for (std::string& loss : check->losses) Fail(&result_->losses, "lost: " + loss);
    for (std::string& half : check->half_applied) Fail(&result_->half_applied, half);
  }
  RETURN_IF_ERROR(CheckAuditChain(serving));
  return result_->failures.size() == failures_before;
}

void CrashRun::WriteThenKill(const Serving& serving) {
  std::atomic<bool> killed{false};
  std::vector<std::thread> threads;
  std::vector<uint64_t> acked_before;
  for (size_t i = 0; i < writers_.size(); ++i) {
    acked_before.push_back(writers_[i]->acked());
    threads.emplace_back([&, i] {
      auto stub = v1::GraphService::NewStub(serving.channels[i]);
      writers_[i]->WriteUntilKilled(*stub, serving.token, killed, *log_);
    });
  }
  std::uniform_int_distribution<int> delay(options_.min_kill_ms, options_.max_kill_ms);
  std::this_thread::sleep_for(std::chrono::milliseconds(delay(kill_rng_)));
  killed = true;
  server_.Kill();  // SIGKILL, then waitpid
  for (std::thread& t : threads) t.join();
  for (size_t i = 0; i < writers_.size(); ++i) {
    const uint64_t acked = writers_[i]->acked() - acked_before[i];
    result_->acked_batches += acked;
    audit_floor_ += acked;
    if (!writers_[i]->error().empty()) Fail(&result_->verify_failures, writers_[i]->error());
  }
}

void CrashRun::CheckChecksums() {
  ++result_->checksum_checks;
  if (absl::Status s = VerifyDatabaseChecksums(data_dir_ + "/db"); !s.ok()) {
    Fail(&result_->verify_failures, absl::StrCat("RocksDB checksums: ", s.ToString()));
  }
}

absl::Status CrashRun::Run() {
  std::filesystem::create_directories(data_dir_);
  const int fd = open((options_.dir + "/acked.log").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (fd < 0) return absl::InternalError(absl::StrCat("cannot open ", options_.dir, "/acked.log"));
  log_ = std::make_unique<AckLog>(fd);
  for (int i = 0; i < options_.writers; ++i) {
    writers_.push_back(std::make_unique<CrashWriter>(i, options_.seed * 1000003 + i));
  }
  const Clock::time_point began = Clock::now();
  absl::Status status = absl::OkStatus();
  int64_t last_restart_nanos = 0;
  for (int cycle = 0;; ++cycle) {
    if (options_.start_kill_every > 0 && cycle > 0 && cycle % options_.start_kill_every == 0) {
      status = KillDuringStart(last_restart_nanos);
      if (!status.ok()) break;
    }
    absl::StatusOr<Serving> serving = Start();
    if (!serving.ok()) {
      status = serving.status();
      break;
    }
    if (cycle > 0) result_->restart.Add(serving->restart_nanos);
    last_restart_nanos = serving->restart_nanos;
    const bool last = cycle == options_.cycles;
    const bool everything =
        last || (options_.full_check_every > 0 && cycle % options_.full_check_every == 0);
    absl::StatusOr<bool> clean = CheckAfterRestart(*serving, everything);
    if (!clean.ok()) {
      status = clean.status();
      break;
    }
    if (!*clean) break;
    if (last) {
      if (const int code = server_.Stop(); code != 0) {
        Fail(&result_->verify_failures, absl::StrCat("ctxgraphd exited ", code, " on SIGTERM"));
      }
      CheckChecksums();
      break;
    }
    WriteThenKill(*serving);
    result_->cycles = cycle + 1;
    if (!result_->failures.empty()) break;
    if (options_.checksum_every > 0 && result_->cycles % options_.checksum_every == 0) {
      CheckChecksums();
      if (!result_->failures.empty()) break;
    }
    if (result_->cycles % 10 == 0) {
      std::cerr << "cycle " << result_->cycles << ": " << result_->acked_batches
                << " batches acknowledged, " << result_->nodes_checked << " node checks\n";
    }
  }
  server_.Kill();
  close(fd);
  result_->seconds = std::chrono::duration<double>(Clock::now() - began).count();
  result_->restart.Finish();
  return status;
}

}  // namespace

absl::Status RunCrashTest(const CrashRunOptions& options, CrashRunResult* result) {
  return CrashRun(options, result).Run();
}

}  // namespace ctxgraph::crashtest
