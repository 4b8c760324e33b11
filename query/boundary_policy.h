// BoundaryPolicy: the one place that decides what a principal may see.
//
// A boundary label is a string such as "pii", "team:finance" or
// "personal:alice". A clearance is an exact label, a namespace wildcard
// ("team:*" matches every label that starts with "team:"), or "*".
// A node is visible iff every label in its effective boundary (its own
// labels plus those propagated to it, NodeRecord::inherited) is matched by
// some clearance; a node with an empty boundary is visible to everyone; an edge is
// visible iff both endpoints are. No clearances means only unlabeled nodes.
//
// Every read path in query/ asks this class; nothing else filters.
// Immutable after construction; safe to share across threads.
#ifndef CTXGRAPH_QUERY_BOUNDARY_POLICY_H_
#define CTXGRAPH_QUERY_BOUNDARY_POLICY_H_

#include <string>
#include <string_view>
#include <vector>

#include "storage/records.h"

namespace ctxgraph {

class BoundaryPolicy {
 public:
  // `clearances` must be valid (see ValidateClearance in validation.h).
  explicit BoundaryPolicy(std::vector<std::string> clearances);

  // True when one clearance matches `label`.
  bool Allows(std::string_view label) const;
  // True when every label in `boundary` is allowed.
  bool CanSee(const std::vector<std::string>& boundary) const;
  // True when every label of the node's effective boundary (its own labels
  // and those it inherits along DERIVED_FROM) is allowed.
  bool CanSee(const NodeRecord& node) const;

  // True when the clearances hold "*": every node is visible.
  bool SeesAll() const { return all_; }

  const std::vector<std::string>& clearances() const { return clearances_; }

 private:
  std::vector<std::string> clearances_;
  bool all_ = false;                   // holds "*"
  std::vector<std::string> exact_;     // sorted
  std::vector<std::string> prefixes_;  // "team:" for "team:*"
};

}  // namespace ctxgraph

#endif  // CTXGRAPH_QUERY_BOUNDARY_POLICY_H_
