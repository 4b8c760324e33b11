// Child processes (ctxgraphd, the ctxgraph CLI, pg_setup.sh) and what the
// benchmark reads about them from /proc and the file system.
#ifndef CTXGRAPH_TOOLS_BENCH_PROCESS_CONTROL_H_
#define CTXGRAPH_TOOLS_BENCH_PROCESS_CONTROL_H_

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace ctxgraph::bench {

struct CommandOutput {
  int exit_code = -1;  // -1 when killed by a signal or not started
  std::string out;
  std::string err;
  double seconds = 0;  // wall time from fork to exit
};

// Runs argv (argv[0] is a path, not searched in $PATH), waits, and captures
// stdout and stderr. Never fails: a command that cannot start has exit -1/127.
CommandOutput RunCommand(const std::vector<std::string>& argv);

// "exit 3: <last line of stderr>" for error messages.
std::string DescribeFailure(const CommandOutput& output);

// A long-running child whose stdout/stderr go to files. Killed (SIGKILL) on
// destruction if still running. Not thread-safe.
class ChildProcess {
 public:
  ChildProcess() = default;
  ~ChildProcess() { Kill(); }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Forks and execs argv; stdout/stderr go to `log_prefix`.out/.err.
  absl::Status Start(const std::vector<std::string>& argv, const std::string& log_prefix);
  // SIGTERM, then waits; returns the exit code (-1 for a signal).
  int Stop();
  void Kill();
  // True once the child has exited (reaped here, without blocking); it is
  // then no longer running and Stop/Kill do nothing.
  bool Exited();
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
};

// Peak resident set size (VmHWM) of `pid` in bytes, from /proc/PID/status.
absl::StatusOr<uint64_t> PeakRssBytes(pid_t pid);

// User plus system CPU time, in clock ticks, from the text of a
// /proc/PID/stat file. The command name (field 2) may hold spaces and
// parentheses, so fields are counted after its last ')'.
absl::StatusOr<uint64_t> ParseStatCpuTicks(std::string_view stat);

// CPU seconds `pid` (every thread of it) has used so far, from /proc.
absl::StatusOr<double> ProcessCpuSeconds(pid_t pid);

// CPU seconds this process (every thread of it) has used so far.
double OwnCpuSeconds();

// Sum of the sizes of the regular files under `dir` (recursively).
uint64_t DirectoryBytes(const std::string& dir);

// Creates a fresh directory /tmp/<prefix>XXXXXX and returns its path.
absl::StatusOr<std::string> MakeTempDir(const std::string& prefix);

// Polls `path` every `poll_ms` for up to `timeout_ms` until it holds a
// non-empty first word and returns it (e.g. the host:port of a port file).
absl::StatusOr<std::string> WaitForFileWord(const std::string& path, int timeout_ms,
                                            int poll_ms = 50);

std::string ReadFileOrEmpty(const std::string& path);

}  // namespace ctxgraph::bench

#endif  // CTXGRAPH_TOOLS_BENCH_PROCESS_CONTROL_H_
