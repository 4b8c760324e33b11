#include "tools/bench/process_control.h"

#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace ctxgraph::bench {
namespace {

// Forks; the child redirects stdout/stderr to the files and execs argv.
pid_t Spawn(const std::vector<std::string>& argv, const std::string& out, const std::string& err) {
  const pid_t pid = fork();
  if (pid != 0) return pid;
  if (!freopen("/dev/null", "r", stdin) || !freopen(out.c_str(), "w", stdout) ||
      !freopen(err.c_str(), "w", stderr)) {
    _exit(126);
  }
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  execv(args[0], args.data());
  _exit(127);
}

int WaitExitCode(pid_t pid) {
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

std::string ReadFileOrEmpty(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

CommandOutput RunCommand(const std::vector<std::string>& argv) {
  CommandOutput result;
  absl::StatusOr<std::string> dir = MakeTempDir("ctxgraph-bench-cmd-");
  if (!dir.ok()) {
    result.err = dir.status().ToString();
    return result;
  }
  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = Spawn(argv, *dir + "/out", *dir + "/err");
  if (pid > 0) result.exit_code = WaitExitCode(pid);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.out = ReadFileOrEmpty(*dir + "/out");
  result.err = ReadFileOrEmpty(*dir + "/err");
  std::filesystem::remove_all(*dir);
  return result;
}

std::string DescribeFailure(const CommandOutput& output) {
  std::string err(absl::StripTrailingAsciiWhitespace(output.err));
  const size_t nl = err.find_last_of('\n');
  if (nl != std::string::npos) err = err.substr(nl + 1);
  return absl::StrCat("exit ", output.exit_code, ": ", err);
}

absl::Status ChildProcess::Start(const std::vector<std::string>& argv,
                                 const std::string& log_prefix) {
  if (pid_ > 0) return absl::FailedPreconditionError("process already started");
  pid_ = Spawn(argv, log_prefix + ".out", log_prefix + ".err");
  if (pid_ < 0) return absl::InternalError(absl::StrCat("fork failed for ", argv[0]));
  return absl::OkStatus();
}

int ChildProcess::Stop() {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  const int code = WaitExitCode(pid_);
  pid_ = -1;
  return code;
}

void ChildProcess::Kill() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

bool ChildProcess::Exited() {
  if (pid_ <= 0) return true;
  if (waitpid(pid_, nullptr, WNOHANG) != pid_) return false;
  pid_ = -1;
  return true;
}

absl::StatusOr<uint64_t> PeakRssBytes(pid_t pid) {
  const std::string path = absl::StrCat("/proc/", pid, "/status");
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (!absl::StartsWith(line, "VmHWM:")) continue;
    // "VmHWM:     12345 kB"
    std::vector<std::string> parts = absl::StrSplit(line.substr(6), ' ', absl::SkipWhitespace());
    uint64_t kb = 0;
    if (parts.empty() || !absl::SimpleAtoi(parts[0], &kb)) break;
    return kb * 1024;
  }
  return absl::NotFoundError(absl::StrCat(path, ": no VmHWM line"));
}

absl::StatusOr<uint64_t> ParseStatCpuTicks(std::string_view stat) {
  const size_t close = stat.rfind(')');
  if (close == std::string_view::npos) return absl::InvalidArgumentError("stat: no ')'");
  // After "(comm)": state is field 3, utime field 14, stime field 15.
  const std::string_view rest = stat.substr(close + 1);
  std::vector<std::string> fields =
      absl::StrSplit(absl::string_view(rest.data(), rest.size()), ' ', absl::SkipWhitespace());
  uint64_t user = 0, system = 0;
  if (fields.size() < 13 || !absl::SimpleAtoi(fields[11], &user) ||
      !absl::SimpleAtoi(fields[12], &system)) {
    return absl::InvalidArgumentError("stat: no utime and stime fields");
  }
  return user + system;
}

absl::StatusOr<double> ProcessCpuSeconds(pid_t pid) {
  const std::string path = absl::StrCat("/proc/", pid, "/stat");
  const std::string stat = ReadFileOrEmpty(path);
  absl::StatusOr<uint64_t> ticks = ParseStatCpuTicks(stat);
  if (!ticks.ok()) return absl::NotFoundError(absl::StrCat(path, ": ", ticks.status().message()));
  return static_cast<double>(*ticks) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

double OwnCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

uint64_t DirectoryBytes(const std::string& dir) {
  uint64_t total = 0;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    std::error_code size_ec;
    if (it->is_regular_file(size_ec)) {
      const uintmax_t size = it->file_size(size_ec);
      if (!size_ec) total += size;
    }
  }
  return total;
}

absl::StatusOr<std::string> MakeTempDir(const std::string& prefix) {
  std::string pattern = absl::StrCat("/tmp/", prefix, "XXXXXX");
  if (mkdtemp(pattern.data()) == nullptr) {
    return absl::InternalError(absl::StrCat("mkdtemp ", pattern, " failed"));
  }
  return pattern;
}

absl::StatusOr<std::string> WaitForFileWord(const std::string& path, int timeout_ms, int poll_ms) {
  for (int waited = 0; waited <= timeout_ms; waited += poll_ms) {
    std::ifstream in(path);
    std::string word;
    if (in >> word && !word.empty()) return word;
    std::this_thread::sleep_for(std::chrono::milliseconds(poll_ms));
  }
  return absl::DeadlineExceededError(
      absl::StrCat("\"", path, "\" still empty after ", timeout_ms, " ms"));
}

}  // namespace ctxgraph::bench
