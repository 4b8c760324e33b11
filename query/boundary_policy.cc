#include "query/boundary_policy.h"

#include <algorithm>

namespace ctxgraph {

BoundaryPolicy::BoundaryPolicy(std::vector<std::string> clearances)
    : clearances_(std::move(clearances)) {
  for (const auto& c : clearances_) {
    if (c == "*") {
      all_ = true;
    } else if (c.size() >= 2 && c.ends_with(":*")) {
      prefixes_.push_back(c.substr(0, c.size() - 1));
    } else {
      exact_.push_back(c);
    }
  }
  std::sort(exact_.begin(), exact_.end());
}

bool BoundaryPolicy::Allows(std::string_view label) const {
  if (all_) return true;
  if (std::binary_search(exact_.begin(), exact_.end(), label)) return true;
  for (const auto& prefix : prefixes_) {
    // "team:*" matches "team:eng" but not "team:" itself or "team".
    if (label.size() > prefix.size() && label.starts_with(prefix)) return true;
  }
  return false;
}

bool BoundaryPolicy::CanSee(const std::vector<std::string>& boundary) const {
  return std::all_of(boundary.begin(), boundary.end(),
                     [this](const std::string& label) { return Allows(label); });
}

bool BoundaryPolicy::CanSee(const NodeRecord& node) const {
  if (all_) return true;
  return CanSee(node.boundary) &&
         std::all_of(node.inherited.begin(), node.inherited.end(),
                     [this](const InheritedLabel& l) { return Allows(l.label); });
}

}  // namespace ctxgraph
