// What the generator says to ask: DIR/queries.json, parsed once and shared
// read-only by every client thread.
#ifndef CTXGRAPH_TOOLS_BENCH_WORKLOAD_H_
#define CTXGRAPH_TOOLS_BENCH_WORKLOAD_H_

#include <random>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace ctxgraph::bench {

struct PrincipalSpec {
  std::string id;
  std::vector<std::string> roles;       // "agent", "loader", ...
  std::vector<std::string> clearances;  // "team:t00", "team:*", "*"
};

struct LineageStart {
  std::string id;
  int depth = 0;
};

// Immutable after LoadWorkload; safe to share between threads.
struct Workload {
  std::vector<std::string> seed_ids;
  std::vector<LineageStart> lineage_starts;
  std::vector<std::string> common_terms, medium_terms, rare_terms;
  std::vector<PrincipalSpec> principals;

  // Nullptr when queries.json has no principal `id`.
  const PrincipalSpec* FindPrincipal(const std::string& id) const;
};

// Reads `path` (the generator's queries.json). Errors name the file and the
// missing or mistyped field; seed_ids must be non-empty.
absl::StatusOr<Workload> LoadWorkload(const std::string& path);

// A uniformly random element of a non-empty vector.
template <class T>
const T& PickOne(const std::vector<T>& items, std::mt19937_64& rng) {
  return items[std::uniform_int_distribution<size_t>(0, items.size() - 1)(rng)];
}

}  // namespace ctxgraph::bench

#endif  // CTXGRAPH_TOOLS_BENCH_WORKLOAD_H_
