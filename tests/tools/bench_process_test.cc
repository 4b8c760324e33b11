// What ctxgraph-bench reads about processes from /proc.
#include <gtest/gtest.h>
#include <unistd.h>

#include "tools/bench/process_control.h"

namespace ctxgraph::bench {
namespace {

TEST(ParseStatCpuTicksTest, AddsUserAndSystemTicksCountedAfterTheCommandName) {
  // A command name with a space and a ')' inside: fields are counted after
  // the last ')'. utime (field 14) is 1234, stime (15) is 56.
  EXPECT_EQ(*ParseStatCpuTicks("4242 (ctx) graphd) S 1 4242 4242 0 -1 4194560 900 0 0 0 1234 56 "
                               "0 0 20 0 9 0 100 1000 200"),
            1290u);
}

TEST(ParseStatCpuTicksTest, RefusesTextWithoutTheFields) {
  EXPECT_FALSE(ParseStatCpuTicks("").ok());
  EXPECT_FALSE(ParseStatCpuTicks("4242 (ctxgraphd) S 1 4242").ok());
  EXPECT_FALSE(ParseStatCpuTicks("4242 (ctxgraphd) S 1 2 3 4 5 6 7 8 9 10 x 56").ok());
}

TEST(ProcessCpuSecondsTest, ReadsARunningProcessAndNotAMissingOne) {
  // This process has used some CPU (it is running this test); pid -1 has no
  // /proc entry.
  ASSERT_TRUE(ProcessCpuSeconds(getpid()).ok());
  EXPECT_GE(*ProcessCpuSeconds(getpid()), 0.0);
  EXPECT_EQ(ProcessCpuSeconds(-1).status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace ctxgraph::bench
