#include "query/graph_reader.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "query/prop_bytes.h"
#include "query/read_stats.h"
#include "query/validation.h"
#include "storage/keys.h"
#include "storage/status_macros.h"

namespace ctxgraph {
namespace {

absl::Status NodeNotFound(std::string_view id) {
  return absl::NotFoundError(absl::StrCat("node \"", std::string(id), "\" not found"));
}

}  // namespace

absl::StatusOr<uint64_t> ResolveVersion(const Database& db, uint64_t as_of,
                                        std::string_view field) {
  const uint64_t latest = db.LatestVersion();
  if (as_of == 0) return latest;
  if (as_of > latest) {
    return absl::InvalidArgumentError(
        absl::StrCat(std::string(field), ": ", as_of, " is ahead of the latest version ", latest));
  }
  // The one check every as-of read path (and every page token) passes.
  RETURN_IF_ERROR(db.history_horizon().CheckReadable(as_of, field));
  return as_of;
}

absl::StatusOr<uint64_t> GraphReader::ResolveCursorId(std::string_view id) const {
  ASSIGN_OR_RETURN(std::optional<uint64_t> iid, store_.LookupIid(id));
  // Signed tokens only name nodes that were returned, whose ids stay interned.
  if (!iid) return absl::InvalidArgumentError("page_token: invalid");
  return *iid;
}

absl::StatusOr<int> ResolvePageSize(int page_size) {
  if (page_size < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("page_size: must not be negative, got ", page_size));
  }
  if (page_size == 0) return kDefaultPageSize;
  return std::min(page_size, kMaxPageSize);
}

namespace {

// ReadNodeUnderPolicy without resolving origins.
absl::StatusOr<PolicedNode> ReadVisibility(GraphReadSession& reads, const BoundaryPolicy& policy,
                                           uint64_t iid, uint64_t snapshot,
                                           uint64_t policy_version) {
  PolicedNode out;
  ASSIGN_OR_RETURN(out.node, reads.GetNodeShared(iid, snapshot));
  if (!out.node || !policy.CanSee(*out.node)) return out;
  // A label put on a node later protects its history too: reading the past
  // needs clearance for the node's boundary then and now. A node deleted
  // since is judged by its last boundary: deleting it must not undo a label
  // put on before.
  if (snapshot < policy_version) {
    ASSIGN_OR_RETURN(std::shared_ptr<const NodeRecord> now,
                     reads.GetNodeOrLastLive(iid, policy_version));
    if (now && !policy.CanSee(*now)) return out;
  }
  out.visible = true;
  return out;
}

}  // namespace

absl::StatusOr<PolicedNode> ReadNodeUnderPolicy(GraphReadSession& reads,
                                                const BoundaryPolicy& policy, uint64_t iid,
                                                uint64_t snapshot, uint64_t policy_version) {
  ASSIGN_OR_RETURN(PolicedNode out, ReadVisibility(reads, policy, iid, snapshot, policy_version));
  if (out.node && !out.visible) CountHiddenNodes();
  if (out.visible) {
    ASSIGN_OR_RETURN(out.node,
                     ResolveOrigins(reads, policy, std::move(out.node), snapshot, policy_version));
  }
  return out;
}

absl::StatusOr<std::shared_ptr<const NodeRecord>> ResolveOrigins(
    GraphReadSession& reads, const BoundaryPolicy& policy, std::shared_ptr<const NodeRecord> node,
    uint64_t snapshot, uint64_t policy_version) {
  if (!policy.SeesAll() || node->inherited.empty()) return node;
  // Copied at the first origin to name: with none, the shared record (whose
  // from_id are never set) already says the same, and a copy would only
  // be a record no cache could find again.
  std::shared_ptr<NodeRecord> resolved;
  for (size_t i = 0; i < node->inherited.size(); ++i) {
    ASSIGN_OR_RETURN(PolicedNode origin, ReadVisibility(reads, policy, node->inherited[i].from_iid,
                                                        snapshot, policy_version));
    if (!origin.visible) continue;
    if (!resolved) resolved = std::make_shared<NodeRecord>(*node);
    resolved->inherited[i].from_id = origin.node->id;
  }
  if (!resolved) return node;
  return resolved;
}

absl::StatusOr<std::shared_ptr<const NodeRecord>> GraphReader::VisibleNode(GraphReadSession& reads,
                                                                           uint64_t iid,
                                                                           uint64_t version) const {
  ASSIGN_OR_RETURN(PolicedNode read, ReadNodeUnderPolicy(reads, caller_.policy, iid, version,
                                                         store_.database()->LatestVersion()));
  if (!read.visible) return nullptr;
  return std::move(read.node);
}

absl::StatusOr<NodeRead> GraphReader::GetNode(std::string_view id, uint64_t as_of) const {
  RETURN_IF_ERROR(ValidateId("id", id));
  ASSIGN_OR_RETURN(const uint64_t version, ResolveVersion(*store_.database(), as_of));
  ASSIGN_OR_RETURN(std::optional<uint64_t> iid, store_.LookupIid(id));
  // An unknown id still pays for one record lookup (iid 0 is never used), so
  // absent and hidden ids cost the same.
  GraphReadSession reads(store_);
  ASSIGN_OR_RETURN(std::shared_ptr<const NodeRecord> node,
                   VisibleNode(reads, iid.value_or(0), version));
  if (node == nullptr) return NodeNotFound(id);
  return NodeRead{std::move(node), version};
}

absl::StatusOr<NodePage> GraphReader::ListNodes(std::string_view label, int page_size,
                                                std::string_view page_token, uint64_t as_of) const {
  RETURN_IF_ERROR(ValidateTypeLabel("label", label));
  ASSIGN_OR_RETURN(const int limit, ResolvePageSize(page_size));
  const std::string fingerprint = RequestFingerprint({"ListNodes", caller_.principal.id, label});
  NodePage page;
  uint64_t after = 0;
  if (!page_token.empty()) {
    ASSIGN_OR_RETURN(PageToken token, tokens_.Decode(fingerprint, page_token));
    // The cursor is the id of the last node returned: something the caller
    // already saw, never an internal id whose gaps would count hidden nodes.
    ASSIGN_OR_RETURN(after, ResolveCursorId(token.cursor));
    ASSIGN_OR_RETURN(page.version, ResolveVersion(*store_.database(), token.version, "page_token"));
  } else {
    ASSIGN_OR_RETURN(page.version, ResolveVersion(*store_.database(), as_of));
  }
  // Look one visible node past the page, so a next token exists only when a
  // node the caller can see follows.
  bool more = false;
  size_t bytes = 0;
  absl::Status inner;
  GraphReadSession reads(store_);
  RETURN_IF_ERROR(store_.ScanLabel(label, page.version, after, [&](uint64_t iid) {
    auto node = VisibleNode(reads, iid, page.version);
    if (!node.ok()) {
      inner = node.status();
      return false;
    }
    if (*node == nullptr) return true;
    if (static_cast<int>(page.nodes.size()) == limit || bytes >= kMaxListPageBytes) {
      more = true;
      return false;
    }
    bytes += (*node)->id.size() + PropBytes((*node)->props);
    page.nodes.push_back(*std::move(node));
    return true;
  }));
  RETURN_IF_ERROR(inner);
  if (more)
    page.next_page_token = tokens_.Encode(fingerprint, {page.version, page.nodes.back()->id});
  return page;
}

absl::StatusOr<NeighborPage> GraphReader::ListNeighbors(std::string_view id,
                                                        DirectionFilter direction,
                                                        std::vector<std::string> edge_labels,
                                                        int page_size, std::string_view page_token,
                                                        uint64_t as_of) const {
  RETURN_IF_ERROR(ValidateId("id", id));
  RETURN_IF_ERROR(NormalizeEdgeLabelFilter("edge_labels", edge_labels));
  ASSIGN_OR_RETURN(const int limit, ResolvePageSize(page_size));

  std::string labels_key;
  for (const auto& l : edge_labels) absl::StrAppend(&labels_key, l, ",");
  const std::string fingerprint =
      RequestFingerprint({"ListNeighbors", caller_.principal.id, id,
                          std::string(1, static_cast<char>(direction)), labels_key});
  NeighborPage page;
  std::optional<AdjacencyCursor> after;
  if (!page_token.empty()) {
    ASSIGN_OR_RETURN(PageToken token, tokens_.Decode(fingerprint, page_token));
    // cursor: direction (1) | label length (1) | label | other node id, all
    // of which the caller saw in the last neighbour returned.
    const std::string_view c = token.cursor;
    if (c.size() < 2) return absl::InvalidArgumentError("page_token: invalid");
    const uint8_t direction = static_cast<uint8_t>(c[0]);
    const size_t label_len = static_cast<uint8_t>(c[1]);
    if (direction > 1 || c.size() < 2 + label_len) {
      return absl::InvalidArgumentError("page_token: invalid");
    }
    ASSIGN_OR_RETURN(uint64_t other, ResolveCursorId(c.substr(2 + label_len)));
    after = AdjacencyCursor{direction == 0 ? EdgeDirection::kOut : EdgeDirection::kIn,
                            std::string(c.substr(2, label_len)), other};
    ASSIGN_OR_RETURN(page.version, ResolveVersion(*store_.database(), token.version, "page_token"));
  } else {
    ASSIGN_OR_RETURN(page.version, ResolveVersion(*store_.database(), as_of));
  }

  ASSIGN_OR_RETURN(std::optional<uint64_t> iid, store_.LookupIid(id));
  GraphReadSession reads(store_);
  ASSIGN_OR_RETURN(std::shared_ptr<const NodeRecord> self,
                   VisibleNode(reads, iid.value_or(0), page.version));
  if (self == nullptr) return NodeNotFound(id);

  std::vector<EdgeDirection> directions;
  if (direction != DirectionFilter::kIn) directions.push_back(EdgeDirection::kOut);
  if (direction != DirectionFilter::kOut) directions.push_back(EdgeDirection::kIn);

  bool more = false;
  size_t bytes = 0;
  absl::Status inner;
  // The visibility reads go to the nodes family while the scan holds the
  // adjacency iterator, so one session serves both.
  RETURN_IF_ERROR(reads.ScanAdjacency(
      *iid, directions, edge_labels, page.version, after, [&](const AdjacencyEntry& entry) {
        auto other = VisibleNode(reads, entry.other_iid, page.version);
        if (!other.ok()) {
          inner = other.status();
          return false;
        }
        if (*other == nullptr) return true;
        if (static_cast<int>(page.neighbors.size()) == limit || bytes >= kMaxListPageBytes) {
          more = true;
          return false;
        }
        bytes += (*other)->id.size() + PropBytes((*other)->props) + entry.edge.label.size() +
                 PropBytes(entry.edge.props);
        page.neighbors.push_back(Neighbor{entry.edge, *std::move(other), entry.direction});
        return true;
      }));
  RETURN_IF_ERROR(inner);
  if (more) {
    const Neighbor& last = page.neighbors.back();
    std::string cursor(1, last.direction == EdgeDirection::kOut ? 0 : 1);
    cursor.push_back(static_cast<char>(last.edge.label.size()));  // labels are <= 128 bytes
    cursor.append(last.edge.label);
    cursor.append(last.node->id);
    page.next_page_token = tokens_.Encode(fingerprint, {page.version, cursor});
  }
  return page;
}

}  // namespace ctxgraph
