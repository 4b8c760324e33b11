#include "query/read_stats.h"

namespace ctxgraph {
namespace {

constinit thread_local ReadStats* current = nullptr;

}  // namespace

ReadStatsScope::ReadStatsScope(ReadStats* stats) : previous_(current) { current = stats; }

ReadStatsScope::~ReadStatsScope() { current = previous_; }

void CountHiddenNodes(uint64_t n) {
  if (current != nullptr) current->hidden_nodes += n;
}

void CountPostingBlocks(uint64_t n) {
  if (current != nullptr) current->posting_blocks += n;
}

}  // namespace ctxgraph
