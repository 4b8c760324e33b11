// Runs the real ctxgraphd and ctxgraph binaries for end-to-end tests.
#ifndef CTXGRAPH_TESTS_E2E_PROCESS_H_
#define CTXGRAPH_TESTS_E2E_PROCESS_H_

#include <sys/types.h>

#include <string>
#include <vector>

namespace ctxgraph::e2e {

// Where the binaries were built: $CTXGRAPH_BUILD_DIR (set by ctest).
std::string BuildDir();

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// The whole content of the file at `path`; empty when it cannot be read.
std::string Slurp(const std::string& path);

// Runs argv[0] with argv, waits, and captures stdout and stderr.
CommandResult Run(const std::vector<std::string>& argv);

// A ctxgraphd process on a loopback port chosen by the kernel.
class ServerProcess {
 public:
  // `extra_args` (the constructor's, then Start's) follow the ones Start
  // always passes.
  explicit ServerProcess(std::string data_dir, std::vector<std::string> extra_args = {})
      : data_dir_(std::move(data_dir)), extra_args_(std::move(extra_args)) {}
  ~ServerProcess() { Kill(); }

  // Starts ctxgraphd (with `extra_args` after the default flags, which they
  // may override) and waits (up to 10 s) until it serves. False on failure.
  // Its stdout and stderr go to <data_dir>/server.out and server.err.
  bool Start(const std::vector<std::string>& extra_args = {});
  // SIGTERM, then wait for a clean exit; returns its exit code.
  int Stop();
  // Sends `sig` without waiting.
  void Signal(int sig);
  // Waits for the process to exit; its exit code (-1 when a signal killed it).
  int Wait();
  void Kill();

  const std::string& address() const { return address_; }

 private:
  std::string data_dir_;
  std::vector<std::string> extra_args_;
  std::string address_;
  pid_t pid_ = -1;
};

}  // namespace ctxgraph::e2e

#endif  // CTXGRAPH_TESTS_E2E_PROCESS_H_
