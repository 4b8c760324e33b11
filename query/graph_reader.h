// GraphReader: every graph read a caller can make, filtered by its boundary
// policy, at one consistent version.
//
// What the caller may not see does not exist for it: a hidden node answers
// NOT_FOUND with the same message as an absent one ("node \"x\" not found"),
// and hidden nodes and edges touching them are skipped before page sizes,
// "more pages" decisions and page tokens are computed.
//
// Versions: `as_of` 0 means the latest committed version; a version ahead of
// the latest is INVALID_ARGUMENT, one before the history horizon
// (storage/history_horizon.h) FAILED_PRECONDITION. A page token pins the
// version of the listing's first page. Reading a node as of an earlier version requires
// clearance for its boundary at that version and for its current boundary
// (its last one, when it was deleted since): labelling a node today hides its
// history too, and deleting it later does not take that back.
//
// Thread safety: stateless beyond its references; one per request is cheap.
#ifndef CTXGRAPH_QUERY_GRAPH_READER_H_
#define CTXGRAPH_QUERY_GRAPH_READER_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "query/caller.h"
#include "query/page_token.h"
#include "storage/graph_store.h"

namespace ctxgraph {

inline constexpr int kDefaultPageSize = 100;
inline constexpr int kMaxPageSize = 1000;

struct NodeRead {
  // Never null. Shared with the read cache (GraphReadSession::GetNodeShared).
  std::shared_ptr<const NodeRecord> node;
  uint64_t version = 0;  // the snapshot read
};

struct NodePage {
  std::vector<std::shared_ptr<const NodeRecord>> nodes;  // never null; shared as above
  std::string next_page_token;                           // empty on the last page
  uint64_t version = 0;
};

enum class DirectionFilter { kOut, kIn, kBoth };

struct Neighbor {
  EdgeRecord edge;
  std::shared_ptr<const NodeRecord> node;  // the other endpoint; never null
  EdgeDirection direction;
};

struct NeighborPage {
  std::vector<Neighbor> neighbors;
  std::string next_page_token;
  uint64_t version = 0;
};

// Resolves a requested as_of version (0 = latest) against the database:
// INVALID_ARGUMENT when ahead of the latest version, FAILED_PRECONDITION
// "as_of_version: V is before the history horizon H (--history-retention)"
// when history before it may have been compacted away. Errors name `field`:
// a page token's pinned version is resolved as "page_token", the field the
// caller sent.
absl::StatusOr<uint64_t> ResolveVersion(const Database& db, uint64_t as_of,
                                        std::string_view field = "as_of_version");
// A listing's page size: 0 means kDefaultPageSize, more than kMaxPageSize is
// capped, a negative one is INVALID_ARGUMENT "page_size: ...".
absl::StatusOr<int> ResolvePageSize(int page_size);
// A ListNodes or ListNeighbors page also ends once its items hold this many
// bytes (ids, labels and props, as PropBytes counts them), with a next page
// token: a thousand large documents would otherwise make one answer of
// gigabytes, past what gRPC sends. A page holds at least one item.
inline constexpr size_t kMaxListPageBytes = 2 << 20;

// Node `iid` as of `snapshot`, and whether `policy` may see it there: the
// rule every read path applies. Visible means cleared for the node's
// boundary at `snapshot` and, when snapshot < policy_version, for its
// boundary at policy_version too, or its last boundary when it was deleted
// by then (a label put on later protects the node's history, even once the
// node is deleted). A node hidden at `snapshot` costs no
// second read, so hidden and absent ids cost the same unless the node is
// visible then. iid 0 is never used: it reads as absent.
struct PolicedNode {
  // Null: absent or deleted at `snapshot`. Shared with the read cache
  // (GraphReadSession::GetNodeShared): copy it to change it.
  std::shared_ptr<const NodeRecord> node;
  bool visible = false;
};
// A visible node also gets its inherited labels' origins resolved
// (ResolveOrigins). A node that exists but is hidden is counted in the
// request's ReadStats (read_stats.h).
absl::StatusOr<PolicedNode> ReadNodeUnderPolicy(GraphReadSession& reads,
                                                const BoundaryPolicy& policy, uint64_t iid,
                                                uint64_t snapshot, uint64_t policy_version);

// `node` (non-null, read as of `snapshot`) with InheritedLabel::from_id
// filled in when `policy` sees every node ("*"): an origin may be reachable
// only through a node the reader may not see, and naming it would reveal
// that hidden lineage link (and an empty name beside a visible carrier
// would reveal a hidden one). Other readers get empty ids. When there is
// an origin to name, the answer is a copy made for this reader; else it is
// `node` itself. One read per inherited label.
absl::StatusOr<std::shared_ptr<const NodeRecord>> ResolveOrigins(
    GraphReadSession& reads, const BoundaryPolicy& policy, std::shared_ptr<const NodeRecord> node,
    uint64_t snapshot, uint64_t policy_version);

class GraphReader {
 public:
  GraphReader(const GraphStore& store, const PageTokenCodec& tokens, const Caller& caller)
      : store_(store), tokens_(tokens), caller_(caller) {}
  // The reader keeps a reference: a temporary caller would dangle.
  GraphReader(const GraphStore&, const PageTokenCodec&, const Caller&&) = delete;

  // The node, or NOT_FOUND when absent, deleted or hidden as of `as_of`.
  absl::StatusOr<NodeRead> GetNode(std::string_view id, uint64_t as_of) const;

  // Visible nodes carrying type `label`, in storage order.
  absl::StatusOr<NodePage> ListNodes(std::string_view label, int page_size,
                                     std::string_view page_token, uint64_t as_of) const;

  // Visible edges of node `id` whose other end is visible.
  absl::StatusOr<NeighborPage> ListNeighbors(std::string_view id, DirectionFilter direction,
                                             std::vector<std::string> edge_labels, int page_size,
                                             std::string_view page_token, uint64_t as_of) const;

 private:
  absl::StatusOr<uint64_t> ResolveCursorId(std::string_view id) const;
  // Node `iid` at `version` if the caller may see it, else null.
  absl::StatusOr<std::shared_ptr<const NodeRecord>> VisibleNode(GraphReadSession& reads,
                                                                uint64_t iid,
                                                                uint64_t version) const;

  const GraphStore& store_;
  const PageTokenCodec& tokens_;
  const Caller& caller_;
};

}  // namespace ctxgraph

#endif  // CTXGRAPH_QUERY_GRAPH_READER_H_
