#include "storage/thread_name.h"

#include <gtest/gtest.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <thread>

namespace ctxgraph {
namespace {

// What `top -H` and `ps -L` show: the kernel's name of a thread.
std::string KernelName(pid_t tid) {
  std::ifstream comm("/proc/self/task/" + std::to_string(tid) + "/comm");
  std::string name;
  std::getline(comm, name);
  return name;
}

TEST(ThreadNameTest, NamesTheCallingThreadAsTheKernelShowsIt) {
  std::string read_back, kernel;
  std::thread t([&] {
    NameThisThread("text-index");
    read_back = ThisThreadName();
    kernel = KernelName(static_cast<pid_t>(syscall(SYS_gettid)));
  });
  t.join();
  EXPECT_EQ(read_back, "text-index");
  EXPECT_EQ(kernel, "text-index");
}

TEST(ThreadNameTest, ALongNameIsCutAtFifteenBytes) {
  std::string read_back;
  std::thread t([&] {
    NameThisThread("a-name-longer-than-fifteen-bytes");
    read_back = ThisThreadName();
  });
  t.join();
  EXPECT_EQ(read_back, "a-name-longer-t");
}

}  // namespace
}  // namespace ctxgraph
