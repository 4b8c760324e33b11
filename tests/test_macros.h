// Status assertions shared by every ctxgraph test binary.
#ifndef CTXGRAPH_TESTS_TEST_MACROS_H_
#define CTXGRAPH_TESTS_TEST_MACROS_H_

#include <gtest/gtest.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define CTXGRAPH_TEST_CONCAT_INNER_(a, b) a##b
#define CTXGRAPH_TEST_CONCAT_(a, b) CTXGRAPH_TEST_CONCAT_INNER_(a, b)

#define ASSERT_OK(expr)                                         \
  do {                                                          \
    const absl::Status _assert_st = ::ctxgraph::ToStatus(expr); \
    ASSERT_TRUE(_assert_st.ok()) << _assert_st;                 \
  } while (0)

#define EXPECT_OK(expr)                                         \
  do {                                                          \
    const absl::Status _expect_st = ::ctxgraph::ToStatus(expr); \
    EXPECT_TRUE(_expect_st.ok()) << _expect_st;                 \
  } while (0)

// ASSERT_OK_AND_ASSIGN(auto x, Foo()): asserts the StatusOr is OK and binds it.
#define ASSERT_OK_AND_ASSIGN(lhs, expr)                         \
  auto CTXGRAPH_TEST_CONCAT_(_statusor_, __LINE__) = (expr);    \
  ASSERT_TRUE(CTXGRAPH_TEST_CONCAT_(_statusor_, __LINE__).ok()) \
      << CTXGRAPH_TEST_CONCAT_(_statusor_, __LINE__).status();  \
  lhs = std::move(CTXGRAPH_TEST_CONCAT_(_statusor_, __LINE__)).value()

// Asserts `expr` (a Status or StatusOr) failed with `code` and exactly `message`.
#define EXPECT_STATUS(expr, want_code, want_message)                  \
  do {                                                                \
    const absl::Status _st = ::ctxgraph::ToStatus(expr);              \
    EXPECT_EQ(_st.code(), want_code) << _st;                          \
    EXPECT_EQ(std::string(_st.message()), std::string(want_message)); \
  } while (0)

namespace ctxgraph {

inline absl::Status ToStatus(const absl::Status& s) { return s; }
template <typename T>
absl::Status ToStatus(const absl::StatusOr<T>& s) {
  return s.status();
}

}  // namespace ctxgraph

#endif  // CTXGRAPH_TESTS_TEST_MACROS_H_
