// NameThisThread: names the calling thread for `top -H`, `ps -L`, perf and
// gdb, which otherwise show every thread ctxgraphd starts by the name of the
// gRPC thread that started it. Linux keeps 15 bytes of a name; a longer one
// is cut there. Best effort: a name that cannot be set changes nothing else.
#ifndef CTXGRAPH_STORAGE_THREAD_NAME_H_
#define CTXGRAPH_STORAGE_THREAD_NAME_H_

#include <string>
#include <string_view>

namespace ctxgraph {

inline constexpr size_t kMaxThreadNameBytes = 15;

void NameThisThread(std::string_view name);

// The calling thread's name, or empty when it cannot be read.
std::string ThisThreadName();

}  // namespace ctxgraph

#endif  // CTXGRAPH_STORAGE_THREAD_NAME_H_
