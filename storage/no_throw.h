// NoThrow: the body of a thread ctxgraph starts itself (a bulk session's
// batch writer, an import's keyword index worker and its flushes) runs its
// fallible work through this. An exception that left such a thread's function would end
// the process, taking every other caller's requests with it; here it
// becomes a status the thread hands on like any other error. (An RPC's own
// thread has HandleRpc's catch instead.)
#ifndef CTXGRAPH_STORAGE_NO_THROW_H_
#define CTXGRAPH_STORAGE_NO_THROW_H_

#include <exception>
#include <new>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace ctxgraph {

// Returns what `work` returns, or what it threw as a status naming `what`:
// RESOURCE_EXHAUSTED for an allocation that failed, INTERNAL otherwise.
template <typename Work>
absl::Status NoThrow(const char* what, Work&& work) {
  try {
    return std::forward<Work>(work)();
  } catch (const std::bad_alloc&) {
    return absl::ResourceExhaustedError(absl::StrCat(what, ": out of memory"));
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat(what, ": ", e.what()));
  } catch (...) {
    return absl::InternalError(absl::StrCat(what, ": unknown exception"));
  }
}

}  // namespace ctxgraph

#endif  // CTXGRAPH_STORAGE_NO_THROW_H_
