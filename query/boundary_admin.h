// BoundaryAdmin: the label registry and boundary changes, as the steward
// works with them (BoundaryService; rules in proto/ctxgraph/v1/boundary.proto).
//
//  - DefineLabel (steward or admin): one commit, audit action "label.define".
//    The same definition again commits nothing.
//  - ListLabels (any role): the registry as of a version, paginated with
//    signed page tokens bound to the caller.
//  - AssignLabels (steward or admin): adds and removes labels on explicit
//    nodes, on every node of a type or on a node's downstream closure, in
//    one commit through the ordinary
//    node-upsert path, with one extra audit entry per changed node. Targets
//    are resolved and checked under the commit lock, so what is checked is
//    what is written.
//  - SanitizeEdge (steward or admin): which labels a DERIVED_FROM edge
//    stops from propagating.
//
// Thread safety: stateless beyond its references.
#ifndef CTXGRAPH_QUERY_BOUNDARY_ADMIN_H_
#define CTXGRAPH_QUERY_BOUNDARY_ADMIN_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "query/caller.h"
#include "query/page_token.h"
#include "storage/graph_store.h"

namespace ctxgraph {

// The most nodes one AssignLabels call may select (and so change), unless
// the BoundaryAdmin is built with another limit. It bounds the commit (one
// record and one audit entry per changed node).
inline constexpr size_t kMaxAssignNodes = 100000;
// A type or downstream selector reads at most this many times that limit
// of node records, hidden ones included (they are read to be skipped), so
// that what the caller cannot see does not set how long the selection
// holds the commit lock. (Index entries it steps over without a record
// read, such as a label's removals, are not counted.)
inline constexpr size_t kAssignReadsPerSelected = 10;
// The most bytes of nodes (ids and props, as PropBytes counts them) one
// call may select: each selected node is held, rewritten and re-indexed.
inline constexpr size_t kMaxAssignBytes = size_t{256} << 20;
// An AssignLabels reason is at most this long.
inline constexpr size_t kMaxReasonBytes = 1024;

struct DefineLabelResult {
  LabelDefinition label;  // as stored after the call
  bool changed = false;   // false: the same definition was already stored
};

struct LabelPage {
  std::vector<LabelDefinition> labels;
  std::string next_page_token;  // empty on the last page
  uint64_t version = 0;
};

struct AssignRequest {
  // Exactly one of node_ids, type_label and downstream_of.
  std::vector<std::string> node_ids;
  std::string type_label;
  // The node and every node derived from it along DERIVED_FROM, at any
  // depth, that the caller can see (hidden nodes are not walked through).
  std::string downstream_of;
  std::vector<std::string> add;
  std::vector<std::string> remove;
  std::string reason;
};

// A node's own boundary before and after a change.
struct BoundaryChange {
  std::string node_id;
  std::vector<std::string> before;
  std::vector<std::string> after;
};

struct AssignResult {
  uint64_t version = 0;  // the commit, or the latest version when nothing changed
  bool committed = false;
  std::vector<BoundaryChange> changed;  // in selection order
  std::vector<std::string> unchanged;   // selected ids whose boundary stayed
};

struct SanitizeRequest {
  std::string from, to;  // the edge from -DERIVED_FROM-> to
  std::vector<std::string> add;
  std::vector<std::string> remove;
  std::string reason;
};

struct SanitizeResult {
  uint64_t version = 0;  // the commit, or the latest version when nothing changed
  bool committed = false;
  std::vector<std::string> before, after;  // the labels the edge sanitizes
};

class BoundaryAdmin {
 public:
  BoundaryAdmin(GraphStore& store, const PageTokenCodec& tokens,
                size_t max_assign_nodes = kMaxAssignNodes,
                size_t max_assign_bytes = kMaxAssignBytes)
      : store_(store),
        tokens_(tokens),
        max_assign_nodes_(max_assign_nodes),
        max_assign_bytes_(max_assign_bytes) {}

  // `label` carries name, description and propagate. Errors: PERMISSION_DENIED
  // without the steward or admin role; INVALID_ARGUMENT "name: ..." or
  // "description: ...".
  absl::StatusOr<DefineLabelResult> DefineLabel(const Caller& caller, LabelDefinition label);

  // page_size 0 means 100; more than 1000 is capped. as_of 0 is the latest
  // version; a page token pins the first page's version.
  absl::StatusOr<LabelPage> ListLabels(const Caller& caller, int page_size,
                                       std::string_view page_token, uint64_t as_of) const;

  absl::StatusOr<AssignResult> AssignLabels(const Caller& caller, AssignRequest request);

  // Adds and removes labels the edge `from -DERIVED_FROM-> to` sanitizes
  // (stops from flowing to `from`), in one commit audited as
  // "label.sanitize.edge" with before, after and the reason. Same role,
  // label and reason rules as AssignLabels; an edge that is absent or has
  // an endpoint the caller cannot see is NOT_FOUND with the same bytes.
  absl::StatusOr<SanitizeResult> SanitizeEdge(const Caller& caller, SanitizeRequest request);

 private:
  // The visible live nodes `request` names, as of the latest version; runs
  // under the commit lock.
  absl::StatusOr<std::vector<NodeRecord>> SelectTargets(const Caller& caller,
                                                        const AssignRequest& request) const;
  absl::StatusOr<std::vector<NodeRecord>> SelectDownstream(const Caller& caller,
                                                           const std::string& id) const;

  GraphStore& store_;
  const PageTokenCodec& tokens_;
  const size_t max_assign_nodes_;
  const size_t max_assign_bytes_;
};

}  // namespace ctxgraph

#endif  // CTXGRAPH_QUERY_BOUNDARY_ADMIN_H_
