// Status plumbing shared by every ctxgraph module.
//
// ctxgraph uses absl::Status / absl::StatusOr<T> for every fallible call; no
// exception crosses a module boundary. rocksdb::Status is converted exactly
// once, in storage (see FromRocks in database.h).
#ifndef CTXGRAPH_STORAGE_STATUS_MACROS_H_
#define CTXGRAPH_STORAGE_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define CTXGRAPH_CONCAT_INNER_(a, b) a##b
#define CTXGRAPH_CONCAT_(a, b) CTXGRAPH_CONCAT_INNER_(a, b)

// Returns from the enclosing function when `expr` yields a non-OK status.
#define RETURN_IF_ERROR(expr)                             \
  do {                                                    \
    if (absl::Status _st = (expr); !_st.ok()) return _st; \
  } while (0)

// `ASSIGN_OR_RETURN(auto x, Foo());` binds the value of a StatusOr or returns
// its error.
#define ASSIGN_OR_RETURN(lhs, expr)                         \
  auto CTXGRAPH_CONCAT_(_statusor_, __LINE__) = (expr);     \
  if (!CTXGRAPH_CONCAT_(_statusor_, __LINE__).ok())         \
    return CTXGRAPH_CONCAT_(_statusor_, __LINE__).status(); \
  lhs = std::move(CTXGRAPH_CONCAT_(_statusor_, __LINE__)).value()

// The one greppable way to drop a status on purpose; say why at the call site.
#define IGNORE_STATUS(expr) static_cast<void>(expr)

#endif  // CTXGRAPH_STORAGE_STATUS_MACROS_H_
