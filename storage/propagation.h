// Boundary label propagation along DERIVED_FROM, maintained at write time.
//
// A label defined with propagate=true flows from a node that carries it to
// every node derived from it: `a -DERIVED_FROM-> b` gives a the labels b
// carries and those b inherits, except the labels the edge sanitizes. A
// node's inherited labels are a function of the graph, so reads never walk
// lineage: the store keeps NodeRecord::inherited up to date in the commit
// that changes anything it depends on.
//
// The planner works out what a commit's changes do to inherited labels.
// The write path tells it what changed (Grow: a DERIVED_FROM edge appeared;
// Reset: one vanished or was sanitized; OwnChanged: a node's own labels
// changed), then Solve computes the new inherited labels of every affected
// node. It is the least fixpoint of
//
//   inherited(n) = U over live edges n -DERIVED_FROM-> p:
//                    ({own(p) that propagate} U inherited(p)) - sanitized(edge)
//
// where each label names one origin, the smallest iid among those its
// parents report, and a node is never its own origin. (So in a cycle, a
// node that carries a label itself may list it without the other origins
// behind the cycle; which labels decide visibility is exact.) Additions
// only grow values, so nodes downstream of a Grow are recomputed from their
// stored values and the walk stops where nothing changes. A removal may
// leave stale support in a cycle, so the downstream closure of a Reset
// starts from empty, through the nodes that inherit something (one that
// inherits nothing can lose nothing). The work is bounded by the nodes
// whose labels depend on the change; more than kMaxPropagationNodes fails
// the commit with RESOURCE_EXHAUSTED.
//
// Solve only reads (through the commit context, so it sees the commit's
// own writes); the caller writes the changes. Not thread-safe; one commit.
#ifndef CTXGRAPH_STORAGE_PROPAGATION_H_
#define CTXGRAPH_STORAGE_PROPAGATION_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/container/node_hash_map.h"
#include "absl/status/statusor.h"
#include "storage/database.h"
#include "storage/label_registry.h"
#include "storage/records.h"

namespace ctxgraph {

// The edge label labels propagate along.
inline constexpr char kDerivedFromLabel[] = "DERIVED_FROM";
// The audit action of a node whose inherited labels a commit changed.
inline constexpr char kPropagateNodeAction[] = "label.propagate.node";
// The most nodes one commit may recompute.
inline constexpr size_t kMaxPropagationNodes = 250'000;

// One node whose inherited labels a commit changes.
struct PropagationChange {
  uint64_t iid = 0;
  NodeRecord before;                      // its latest record, as the commit saw it
  std::vector<InheritedLabel> inherited;  // the new value
  // For the audit entry: (label, origin node id) gained and lost. A label
  // whose origin moved to another ancestor shows in both.
  std::vector<std::pair<std::string, std::string>> added, removed;
};

class PropagationPlanner {
 public:
  PropagationPlanner(CommitContext& ctx, const LabelRegistry& labels)
      : ctx_(ctx), labels_(labels) {}

  // An edge `from -DERIVED_FROM-> ...` appeared or now sanitizes less.
  void Grow(uint64_t from) { grow_.insert(from); }
  // An edge `from -DERIVED_FROM-> ...` was removed or now sanitizes more.
  // Reset alone never adds a label to a node that inherits nothing: a
  // change that also lets a label through (a sanitizing edge swapping its
  // labels) calls Grow as well.
  void Reset(uint64_t from) { reset_.insert(from); }
  // Node `iid` (which existed before) changed its own boundary labels.
  void OwnChanged(uint64_t iid, std::vector<std::string> added, std::vector<std::string> removed);
  bool empty() const { return grow_.empty() && reset_.empty() && own_.empty(); }
  void Clear() {
    grow_.clear();
    reset_.clear();
    own_.clear();
  }

  // The nodes whose inherited labels change, in iid order. Clears the seeds.
  absl::StatusOr<std::vector<PropagationChange>> Solve();

 private:
  using Value = std::vector<InheritedLabel>;  // sorted by label
  struct Parent {
    uint64_t iid;
    std::vector<std::string> sanitizes;
  };
  struct OwnChange {
    uint64_t iid;
    std::vector<std::string> added, removed;
  };

  absl::StatusOr<bool> Propagates(const std::string& label);
  absl::StatusOr<bool> AnyPropagates(const std::vector<std::string>& labels);
  // The latest live record of `iid` (cached), or null.
  absl::StatusOr<const NodeRecord*> Node(uint64_t iid);
  // Live DERIVED_FROM edges out of (parents) or into (children) `iid`.
  absl::StatusOr<std::vector<Parent>> Parents(uint64_t iid);
  absl::StatusOr<std::vector<uint64_t>> Children(uint64_t iid);
  // The working value of `iid`: recomputed, reset or stored.
  absl::StatusOr<const Value*> CurrentValue(uint64_t iid);
  absl::StatusOr<Value> Compute(uint64_t iid);
  absl::Status Touch(uint64_t iid);
  absl::StatusOr<std::string> IdOf(uint64_t iid);

  CommitContext& ctx_;
  const LabelRegistry& labels_;
  absl::flat_hash_set<uint64_t> grow_, reset_;
  std::vector<OwnChange> own_;

  // Solve's state. Iterators are created once Solve starts; nothing is
  // written to the context while they live.
  std::unique_ptr<rocksdb::Iterator> nodes_it_, out_it_, in_it_;
  absl::flat_hash_map<std::string, bool> propagates_;
  absl::node_hash_map<uint64_t, std::optional<NodeRecord>> nodes_;  // stable pointers
  absl::flat_hash_map<uint64_t, Value> values_;                     // nodes recomputed or reset
};

}  // namespace ctxgraph

#endif  // CTXGRAPH_STORAGE_PROPAGATION_H_
