// One of the crash test's concurrent writers: between kills it commits
// batches through GraphService.Write and logs each acknowledged one; after
// each restart it checks that the server holds what it was told.
#ifndef CTXGRAPH_TOOLS_CRASHTEST_CRASH_WRITER_H_
#define CTXGRAPH_TOOLS_CRASHTEST_CRASH_WRITER_H_

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ctxgraph/v1/graph.grpc.pb.h"
#include "tools/crashtest/writer_model.h"

namespace ctxgraph::crashtest {

// The acknowledged-writes log, outside the data directory: one line per
// batch outcome, written (write(2), O_APPEND) before the writer's next op,
// so it survives whatever happens to the server. Thread-safe.
class AckLog {
 public:
  explicit AckLog(int fd) : fd_(fd) {}
  // "<batch> <version> <outcome>\n"; outcome is "acked", or "committed" /
  // "absent" for a batch whose Write never answered.
  void Record(const std::string& batch, uint64_t version, const std::string& outcome);

 private:
  std::mutex mu_;
  int fd_;
};

// What a check after a restart found, for one writer.
struct CheckResult {
  std::vector<std::string> losses;        // acknowledged state the server does not hold
  std::vector<std::string> half_applied;  // an unanswered batch partly there
  int unacked_committed = 0;              // unanswered batches found whole
  int unacked_absent = 0;                 // unanswered batches found absent
  uint64_t nodes_checked = 0;
};

// Not thread-safe: each writer is driven by one thread at a time.
class CrashWriter {
 public:
  CrashWriter(int writer, uint64_t seed) : model_(writer), rng_(seed) {}

  // Commits batches until `killed` is set and a Write fails. Stops early
  // (with error() set) when a Write fails before the kill or answers a
  // version that does not move forward.
  void WriteUntilKilled(v1::GraphService::Stub& stub, const std::string& token,
                        const std::atomic<bool>& killed, AckLog& log);

  // After a restart: reads every node the writer touched since the last
  // check (all it ever wrote when `everything`), compares it to the model,
  // and settles the batch left unanswered by the kill: whole (committed,
  // applied to the model at the version the server shows, which must lie
  // above this writer's last acknowledged one) or absent. Fails only when
  // the server cannot be read.
  absl::StatusOr<CheckResult> Check(v1::GraphService::Stub& stub, const std::string& token,
                                    bool everything, AckLog& log);

  const WriterModel& model() const { return model_; }
  uint64_t acked() const { return acked_; }
  uint64_t last_acked_version() const { return last_version_; }
  const std::string& error() const { return error_; }

 private:
  WriterModel model_;
  std::mt19937_64 rng_;
  std::optional<Batch> in_flight_;   // sent (or about to be), no answer
  std::set<std::string> unchecked_;  // touched by acknowledged batches since the last check
  uint64_t acked_ = 0;
  uint64_t last_version_ = 0;
  std::string error_;
};

}  // namespace ctxgraph::crashtest

#endif  // CTXGRAPH_TOOLS_CRASHTEST_CRASH_WRITER_H_
