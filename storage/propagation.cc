#include "storage/propagation.h"

#include <algorithm>
#include <cstring>
#include <deque>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "storage/keys.h"
#include "storage/record_codec.h"
#include "storage/status_macros.h"

namespace ctxgraph {
namespace {

// Adds (label, origin) to `value` (sorted by label), keeping the smaller
// origin when the label is there already.
void Merge(std::vector<InheritedLabel>& value, const std::string& label, uint64_t origin) {
  auto it =
      std::lower_bound(value.begin(), value.end(), label,
                       [](const InheritedLabel& l, const std::string& x) { return l.label < x; });
  if (it != value.end() && it->label == label) {
    it->from_iid = std::min(it->from_iid, origin);
    return;
  }
  value.insert(it, InheritedLabel{label, origin});
}

bool Sanitized(const std::vector<std::string>& sanitizes, const std::string& label) {
  return std::binary_search(sanitizes.begin(), sanitizes.end(), label);
}

}  // namespace

void PropagationPlanner::OwnChanged(uint64_t iid, std::vector<std::string> added,
                                    std::vector<std::string> removed) {
  own_.push_back(OwnChange{iid, std::move(added), std::move(removed)});
}

absl::StatusOr<bool> PropagationPlanner::Propagates(const std::string& label) {
  if (auto it = propagates_.find(absl::string_view(label)); it != propagates_.end()) {
    return it->second;
  }
  // Through the context: a label defined earlier in this commit counts.
  ASSIGN_OR_RETURN(std::optional<LabelDefinition> def, labels_.LatestIn(ctx_, label));
  const bool propagates = def && def->propagate;
  propagates_.emplace(label, propagates);
  return propagates;
}

absl::StatusOr<bool> PropagationPlanner::AnyPropagates(const std::vector<std::string>& labels) {
  for (const std::string& label : labels) {
    ASSIGN_OR_RETURN(bool p, Propagates(label));
    if (p) return true;
  }
  return false;
}

absl::StatusOr<const NodeRecord*> PropagationPlanner::Node(uint64_t iid) {
  auto [it, inserted] = nodes_.try_emplace(iid);
  if (inserted) {
    ASSIGN_OR_RETURN(std::optional<std::string> bytes,
                     NewestAtOrBefore(nodes_it_.get(), keys::NodePrefix(iid),
                                      keys::EncodeNodeVersionKey({iid, keys::kMaxVersion})));
    if (bytes) {
      ASSIGN_OR_RETURN(NodeRecord node, DecodeNode(*bytes));
      if (!node.deleted) it->second = std::move(node);
    }
  }
  return it->second ? &*it->second : nullptr;
}

absl::StatusOr<std::vector<PropagationPlanner::Parent>> PropagationPlanner::Parents(uint64_t iid) {
  std::vector<Parent> out;
  const std::string prefix = keys::AdjacencyPrefix(iid, kDerivedFromLabel);
  std::optional<uint64_t> decided;
  for (out_it_->Seek(prefix); out_it_->Valid() && KeyStartsWith(out_it_->key(), prefix);
       out_it_->Next()) {
    ASSIGN_OR_RETURN(keys::AdjacencyKey k, keys::DecodeAdjacencyKey(SliceView(out_it_->key())));
    if (decided == k.other) continue;  // only the newest version of an edge counts
    decided = k.other;
    ASSIGN_OR_RETURN(EdgeRecord edge, DecodeEdge(SliceView(out_it_->value())));
    if (!edge.deleted) out.push_back(Parent{k.other, std::move(edge.sanitizes)});
  }
  RETURN_IF_ERROR(FromRocks(out_it_->status()));
  return out;
}

absl::StatusOr<std::vector<uint64_t>> PropagationPlanner::Children(uint64_t iid) {
  std::vector<uint64_t> out;
  const std::string prefix = keys::AdjacencyPrefix(iid, kDerivedFromLabel);
  std::optional<uint64_t> decided;
  for (in_it_->Seek(prefix); in_it_->Valid() && KeyStartsWith(in_it_->key(), prefix);
       in_it_->Next()) {
    ASSIGN_OR_RETURN(keys::AdjacencyKey k, keys::DecodeAdjacencyKey(SliceView(in_it_->key())));
    if (decided == k.other) continue;
    decided = k.other;
    // Deleted edges are tombstones of the same size class; only the flag
    // is needed, but the codec has no cheaper way to read it.
    ASSIGN_OR_RETURN(EdgeRecord edge, DecodeEdge(SliceView(in_it_->value())));
    if (!edge.deleted) out.push_back(k.other);
  }
  RETURN_IF_ERROR(FromRocks(in_it_->status()));
  return out;
}

absl::StatusOr<const PropagationPlanner::Value*> PropagationPlanner::CurrentValue(uint64_t iid) {
  if (auto it = values_.find(iid); it != values_.end()) return &it->second;
  ASSIGN_OR_RETURN(const NodeRecord* node, Node(iid));
  static const Value kEmpty;
  return node ? &node->inherited : &kEmpty;
}

absl::StatusOr<PropagationPlanner::Value> PropagationPlanner::Compute(uint64_t iid) {
  Value value;
  ASSIGN_OR_RETURN(std::vector<Parent> parents, Parents(iid));
  for (const Parent& parent : parents) {
    ASSIGN_OR_RETURN(const NodeRecord* p, Node(parent.iid));
    if (p == nullptr) continue;  // an edge to a node deleted in this commit
    if (parent.iid != iid) {
      for (const std::string& label : p->boundary) {
        if (Sanitized(parent.sanitizes, label)) continue;
        ASSIGN_OR_RETURN(bool propagates, Propagates(label));
        if (propagates) Merge(value, label, parent.iid);
      }
    }
    ASSIGN_OR_RETURN(const Value* inherited, CurrentValue(parent.iid));
    // Copied: Merge below must not see `values_` rehash under it.
    const Value from_parent = *inherited;
    for (const InheritedLabel& l : from_parent) {
      if (l.from_iid == iid || Sanitized(parent.sanitizes, l.label)) continue;
      Merge(value, l.label, l.from_iid);
    }
  }
  return value;
}

absl::Status PropagationPlanner::Touch(uint64_t iid) {
  if (values_.size() >= kMaxPropagationNodes && !values_.contains(iid)) {
    return absl::ResourceExhaustedError(
        absl::StrCat("boundary propagation: this change would recompute the inherited labels of "
                     "more than ",
                     kMaxPropagationNodes, " derived nodes in one commit"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> PropagationPlanner::IdOf(uint64_t iid) {
  ASSIGN_OR_RETURN(const NodeRecord* node, Node(iid));
  if (node) return node->id;
  // The origin was deleted in this commit: its id is in its tombstone.
  auto it = ctx_.NewIterator(Cf::kNodes);
  ASSIGN_OR_RETURN(std::optional<std::string> bytes,
                   NewestAtOrBefore(it.get(), keys::NodePrefix(iid),
                                    keys::EncodeNodeVersionKey({iid, keys::kMaxVersion})));
  if (!bytes) return absl::StrCat("#", iid);
  ASSIGN_OR_RETURN(NodeRecord tombstone, DecodeNode(*bytes));
  return tombstone.id;
}

absl::StatusOr<std::vector<PropagationChange>> PropagationPlanner::Solve() {
  std::vector<PropagationChange> changes;
  if (empty()) return changes;
  nodes_it_ = ctx_.NewIterator(Cf::kNodes);
  out_it_ = ctx_.NewIterator(Cf::kOutEdges);
  in_it_ = ctx_.NewIterator(Cf::kInEdges);

  // A node's own labels matter to its children only if one propagates.
  for (const OwnChange& change : own_) {
    ASSIGN_OR_RETURN(bool lost, AnyPropagates(change.removed));
    ASSIGN_OR_RETURN(bool gained, AnyPropagates(change.added));
    if (!lost && !gained) continue;
    ASSIGN_OR_RETURN(std::vector<uint64_t> children, Children(change.iid));
    // Both for a swap: the reset below skips a child that inherits nothing
    // (all its parent passed was sanitized), which may gain the new label.
    for (uint64_t child : children) {
      if (lost) reset_.insert(child);
      if (gained) grow_.insert(child);
    }
  }

  // Everything downstream of a removal starts again from nothing, except
  // where nothing is inherited: a node that inherits nothing can lose
  // nothing, and passes nothing but its own labels on, so neither it nor
  // what lies beyond it through it is reset. (So a removal in a graph
  // that carries no propagating label costs no walk at all.) It may gain
  // though, which is why a change that also lets a label through puts its
  // seed in grow_ as well.
  std::deque<uint64_t> work;
  auto reset = [&](uint64_t iid) -> absl::Status {
    if (values_.contains(iid)) return absl::OkStatus();
    ASSIGN_OR_RETURN(const NodeRecord* node, Node(iid));
    if (node == nullptr || node->inherited.empty()) return absl::OkStatus();
    RETURN_IF_ERROR(Touch(iid));
    values_.emplace(iid, Value{});
    work.push_back(iid);
    return absl::OkStatus();
  };
  for (uint64_t iid : reset_) RETURN_IF_ERROR(reset(iid));
  for (size_t i = 0; i < work.size(); ++i) {
    ASSIGN_OR_RETURN(std::vector<uint64_t> children, Children(work[i]));
    for (uint64_t child : children) RETURN_IF_ERROR(reset(child));
  }
  for (uint64_t iid : grow_) {
    if (!values_.contains(iid)) work.push_back(iid);
  }
  absl::flat_hash_set<uint64_t> queued(work.begin(), work.end());

  // From here on a node's labels only grow (an origin may move to a smaller
  // one, and a node's inherited entry for a label it carries itself may
  // come and go in a cycle, which decides no visibility). The bound below
  // only guards against a walk that would not settle.
  size_t steps = 0;
  while (!work.empty()) {
    if (++steps > 64 * (values_.size() + 1024)) {
      return absl::ResourceExhaustedError(
          "boundary propagation: the inherited labels did not settle; nothing was written");
    }
    const uint64_t iid = work.front();
    work.pop_front();
    queued.erase(iid);
    ASSIGN_OR_RETURN(const NodeRecord* node, Node(iid));
    if (node == nullptr) continue;
    ASSIGN_OR_RETURN(Value value, Compute(iid));
    ASSIGN_OR_RETURN(const Value* current, CurrentValue(iid));
    if (values_.contains(iid) && value == *current) continue;
    if (!values_.contains(iid)) {
      RETURN_IF_ERROR(Touch(iid));
      if (value == *current) {
        values_.emplace(iid, std::move(value));
        continue;
      }
    }
    values_[iid] = std::move(value);
    ASSIGN_OR_RETURN(std::vector<uint64_t> children, Children(iid));
    for (uint64_t child : children) {
      if (queued.insert(child).second) work.push_back(child);
    }
  }

  std::vector<uint64_t> order;
  for (const auto& [iid, value] : values_) order.push_back(iid);
  std::sort(order.begin(), order.end());
  for (uint64_t iid : order) {
    ASSIGN_OR_RETURN(const NodeRecord* node, Node(iid));
    const Value& value = values_[iid];
    if (node == nullptr || node->inherited == value) continue;
    PropagationChange change{iid, *node, value, {}, {}};
    for (const InheritedLabel& l : value) {
      if (std::find(node->inherited.begin(), node->inherited.end(), l) == node->inherited.end()) {
        ASSIGN_OR_RETURN(std::string origin, IdOf(l.from_iid));
        change.added.emplace_back(l.label, std::move(origin));
      }
    }
    for (const InheritedLabel& l : node->inherited) {
      if (std::find(value.begin(), value.end(), l) == value.end()) {
        ASSIGN_OR_RETURN(std::string origin, IdOf(l.from_iid));
        change.removed.emplace_back(l.label, std::move(origin));
      }
    }
    changes.push_back(std::move(change));
  }

  Clear();
  nodes_.clear();
  values_.clear();
  propagates_.clear();
  nodes_it_.reset();
  out_it_.reset();
  in_it_.reset();
  return changes;
}

}  // namespace ctxgraph
