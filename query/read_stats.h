// ReadStats: what one request's reads did that an operator may want counted
// but the caller must never see, reported by the query layer to whoever
// serves the request (the RPC layer turns it into metrics).
//
// A server thread installs a ReadStats for the request it is running with a
// ReadStatsScope; read paths report into it with CountHiddenNodes. No scope
// installed: counts go nowhere. Counting is a thread-local pointer load and
// a plain add, no atomic: the request owns its ReadStats, and the server
// adds the totals to shared counters once per request.
//
// Thread safety: a scope belongs to the thread that made it; a read that
// hands work to another thread would have to install a scope there too
// (none does today).
#ifndef CTXGRAPH_QUERY_READ_STATS_H_
#define CTXGRAPH_QUERY_READ_STATS_H_

#include <cstdint>

namespace ctxgraph {

struct ReadStats {
  // Existing nodes a read met and withheld from the answer (skipped, or shown
  // only as a redacted stub) because the caller is not cleared for them.
  uint64_t hidden_nodes = 0;
  // Posting blocks a search decoded.
  uint64_t posting_blocks = 0;
};

// Makes `stats` the current thread's ReadStats until destroyed, then restores
// the previous one (scopes nest).
class ReadStatsScope {
 public:
  explicit ReadStatsScope(ReadStats* stats);
  ~ReadStatsScope();
  ReadStatsScope(const ReadStatsScope&) = delete;
  ReadStatsScope& operator=(const ReadStatsScope&) = delete;

 private:
  ReadStats* previous_;
};

// Adds `n` hidden nodes to the current thread's ReadStats, if any.
void CountHiddenNodes(uint64_t n = 1);
// Adds `n` decoded posting blocks to the current thread's ReadStats, if any.
void CountPostingBlocks(uint64_t n = 1);

}  // namespace ctxgraph

#endif  // CTXGRAPH_QUERY_READ_STATS_H_
