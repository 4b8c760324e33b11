// PolicyWriteGuard: the caller's boundary policy and roles applied to the
// writes of one commit (GraphStore calls it under the commit lock).
//
//  - A node the writer changes or deletes must be visible to it now
//    (PERMISSION_DENIED "<op>: not cleared for the boundary of node \"x\"",
//    naming none of its labels), and it must be cleared for every label the
//    new boundary holds (PERMISSION_DENIED "<op>.upsert_node.boundary: not
//    cleared for label \"l\"").
//  - An edge endpoint it cannot see is reported like an absent node.
//  - The caller must still hold what it was authenticated with
//    (Caller::CheckStillCurrent) when the commit's turn comes.
//  - Defining a label takes the steward or admin role (PERMISSION_DENIED
//    "<op>.define_label: defining a label requires the steward or admin
//    role"); no clearance: label names are governance metadata, not data.
//
// Holds a reference to the caller, which must outlive it.
#ifndef CTXGRAPH_QUERY_POLICY_WRITE_GUARD_H_
#define CTXGRAPH_QUERY_POLICY_WRITE_GUARD_H_

#include <string_view>

#include "query/caller.h"
#include "storage/graph_store.h"

namespace ctxgraph {

class PolicyWriteGuard final : public WriteGuard {
 public:
  explicit PolicyWriteGuard(const Caller& caller) : caller_(caller) {}
  PolicyWriteGuard(const Caller&&) = delete;

  absl::Status CheckWriter() override { return caller_.CheckStillCurrent(); }
  absl::Status CheckNodeWrite(std::string_view field, const NodeRecord* existing,
                              const NodeRecord* proposed) override;
  bool CanSee(const NodeRecord& node) override { return caller_.policy.CanSee(node); }
  absl::Status CheckLabelDefine(std::string_view field, const LabelDefinition& label) override;

 private:
  const Caller& caller_;
};

}  // namespace ctxgraph

#endif  // CTXGRAPH_QUERY_POLICY_WRITE_GUARD_H_
