// VisibleSetCache: which interned boundary sets (storage/boundary_sets.h) a
// clearance list may see, computed once per distinct clearance list and
// extended as new sets are interned, so a search does not re-check every
// boundary of the database against the policy on every call.
//
// Thread safety: safe for concurrent use. Views are immutable once returned.
#ifndef CTXGRAPH_QUERY_VISIBLE_SETS_H_
#define CTXGRAPH_QUERY_VISIBLE_SETS_H_

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "query/boundary_policy.h"
#include "storage/boundary_sets.h"
#include "storage/text_index.h"

namespace ctxgraph {

struct VisibleSets {
  std::vector<char> visible;  // by set id, over the sets known when computed
  SetSelection selection;     // the same, as a selection for statistics reads
  // Names the view: equal keys see the same sets (the clearances, joined).
  std::string key;

  bool Contains(uint64_t set) const { return set < visible.size() && visible[set]; }
};

class VisibleSetCache {
 public:
  explicit VisibleSetCache(const BoundarySets& sets) : sets_(sets) {}

  // The sets `policy` may see, covering at least every set interned before
  // the call. A set interned later is not in the view: callers must take a
  // view after fixing the version they read, so every set a record at that
  // version names is known.
  std::shared_ptr<const VisibleSets> Get(const BoundaryPolicy& policy);

  // Distinct clearance lists cached beyond this are dropped all at once.
  static constexpr size_t kMaxEntries = 4096;

 private:
  const BoundarySets& sets_;
  std::mutex mu_;
  // Keyed by the policy's clearances; guarded by mu_.
  absl::flat_hash_map<std::string, std::shared_ptr<const VisibleSets>> cache_;
};

}  // namespace ctxgraph

#endif  // CTXGRAPH_QUERY_VISIBLE_SETS_H_
