// FUZZ_CHECK: the invariant assertion of ctxgraph's fuzz targets.
//
// A broken invariant prints where and what, then aborts, so libFuzzer records
// the input as a crash and the corpus replay (replay_main.cc) exits nonzero.
// Unlike assert() it stays on in release builds.
#ifndef CTXGRAPH_TESTS_FUZZ_FUZZ_CHECK_H_
#define CTXGRAPH_TESTS_FUZZ_FUZZ_CHECK_H_

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(cond)                                                                     \
  do {                                                                                       \
    if (!(cond)) {                                                                           \
      std::fprintf(stderr, "%s:%d: fuzz invariant failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                          \
    }                                                                                        \
  } while (0)

#endif  // CTXGRAPH_TESTS_FUZZ_FUZZ_CHECK_H_
