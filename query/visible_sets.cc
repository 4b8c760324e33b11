#include "query/visible_sets.h"

#include "absl/strings/str_join.h"

namespace ctxgraph {

std::shared_ptr<const VisibleSets> VisibleSetCache::Get(const BoundaryPolicy& policy) {
  const std::string key = absl::StrJoin(policy.clearances(), "\n");
  const uint64_t known = sets_.size();
  std::shared_ptr<const VisibleSets> cached;
  {
    std::lock_guard lock(mu_);
    if (auto it = cache_.find(key); it != cache_.end()) cached = it->second;
  }
  if (cached && cached->visible.size() >= known) return cached;
  // Extend (or build) outside the lock; a concurrent caller may do the same
  // work, and either result is correct.
  auto view = cached ? std::make_shared<VisibleSets>(*cached) : std::make_shared<VisibleSets>();
  view->key = key;
  const uint64_t from = view->visible.size();
  for (const auto& labels : sets_.LabelsFrom(from)) {
    view->visible.push_back(policy.CanSee(labels) ? 1 : 0);
  }
  view->selection.ids.clear();
  bool all = true;
  for (uint64_t set = 0; set < view->visible.size(); ++set) {
    if (view->visible[set]) {
      view->selection.ids.push_back(set);
    } else {
      all = false;
    }
  }
  view->selection.all = all;
  std::lock_guard lock(mu_);
  if (cache_.size() >= kMaxEntries) cache_.clear();
  cache_[key] = view;
  return view;
}

}  // namespace ctxgraph
