// AllowAllWrites: a WriteGuard (storage/graph_store.h) that allows every
// write and shows every node, for storage tests and tools that exercise the
// store without a boundary policy.
#ifndef CTXGRAPH_STORAGE_TESTING_ALLOW_ALL_WRITES_H_
#define CTXGRAPH_STORAGE_TESTING_ALLOW_ALL_WRITES_H_

#include "storage/graph_store.h"

namespace ctxgraph {

class AllowAllWrites final : public WriteGuard {
 public:
  absl::Status CheckNodeWrite(std::string_view, const NodeRecord*, const NodeRecord*) override {
    return absl::OkStatus();
  }
  bool CanSee(const NodeRecord&) override { return true; }
  absl::Status CheckLabelDefine(std::string_view, const LabelDefinition&) override {
    return absl::OkStatus();
  }
};

}  // namespace ctxgraph

#endif  // CTXGRAPH_STORAGE_TESTING_ALLOW_ALL_WRITES_H_
