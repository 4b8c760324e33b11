#include "storage/records.h"

#include <algorithm>

namespace ctxgraph {

std::vector<std::string> EffectiveBoundary(const NodeRecord& node) {
  if (node.inherited.empty()) return node.boundary;
  std::vector<std::string> out = node.boundary;
  out.reserve(out.size() + node.inherited.size());
  for (const InheritedLabel& l : node.inherited) out.push_back(l.label);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace ctxgraph
