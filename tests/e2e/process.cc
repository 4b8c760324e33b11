#include "tests/e2e/process.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace ctxgraph::e2e {

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

namespace {

pid_t Spawn(const std::vector<std::string>& argv, const std::string& out, const std::string& err) {
  const pid_t pid = fork();
  if (pid != 0) return pid;
  if (!freopen(out.c_str(), "w", stdout) || !freopen(err.c_str(), "w", stderr)) _exit(126);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  execv(args[0], args.data());
  _exit(127);
}

}  // namespace

std::string BuildDir() {
  const char* dir = std::getenv("CTXGRAPH_BUILD_DIR");
  return dir ? dir : "build";
}

CommandResult Run(const std::vector<std::string>& argv) {
  char pattern[] = "/tmp/ctxgraph-e2e-out-XXXXXX";
  const std::string dir = mkdtemp(pattern);
  const pid_t pid = Spawn(argv, dir + "/out", dir + "/err");
  CommandResult result;
  int status = 0;
  if (pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  }
  result.out = Slurp(dir + "/out");
  result.err = Slurp(dir + "/err");
  std::filesystem::remove_all(dir);
  return result;
}

bool ServerProcess::Start(const std::vector<std::string>& extra_args) {
  const std::string port_file = data_dir_ + "/port";
  std::filesystem::remove(port_file);
  std::vector<std::string> argv = {BuildDir() + "/server/ctxgraphd", "--data-dir=" + data_dir_,
                                   "--listen=127.0.0.1:0", "--port-file=" + port_file,
                                   "--log-level=warn"};
  argv.insert(argv.end(), extra_args_.begin(), extra_args_.end());
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  pid_ = Spawn(argv, data_dir_ + "/server.out", data_dir_ + "/server.err");
  for (int i = 0; i < 200; ++i) {
    std::ifstream in(port_file);
    if (in >> address_ && !address_.empty()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

int ServerProcess::Stop() {
  Signal(SIGTERM);
  return Wait();
}

void ServerProcess::Signal(int sig) {
  if (pid_ > 0) kill(pid_, sig);
}

int ServerProcess::Wait() {
  if (pid_ <= 0) return -1;
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void ServerProcess::Kill() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

}  // namespace ctxgraph::e2e
