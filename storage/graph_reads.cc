// GraphStore's reads and GraphReadSession (graph_store.h): versioned point
// reads and scans, kept apart from the write path in graph_store.cc.
#include <algorithm>
#include <cstring>

#include "absl/status/status.h"
#include "storage/graph_store.h"
#include "storage/keys.h"
#include "storage/record_codec.h"
#include "storage/status_macros.h"

namespace ctxgraph {

absl::StatusOr<bool> GraphStore::HasLabel(std::string_view label, uint64_t iid,
                                          uint64_t version) const {
  auto it = db_->NewIterator(Cf::kLabelIndex);
  const std::string label_string(label);
  ASSIGN_OR_RETURN(auto bytes,
                   NewestAtOrBefore(it.get(),
                                    keys::EncodeLabelIndexKey({label_string, iid, 0})
                                        .substr(0, keys::LabelIndexPrefix(label).size() + 8),
                                    keys::EncodeLabelIndexKey({label_string, iid, version})));
  return bytes && bytes->size() == 1 && (*bytes)[0] == 1;
}

absl::StatusOr<std::optional<uint64_t>> GraphStore::LookupIid(std::string_view id) const {
  IdCache* cache = db_->id_cache();
  IdCache::Stamp stamp;
  if (cache != nullptr) {
    if (std::optional<uint64_t> iid = cache->Find(id)) {
      if (*iid == IdCache::kAbsent) return std::nullopt;
      return iid;
    }
    stamp = cache->stamp();
  }
  std::string value;
  ASSIGN_OR_RETURN(bool found, db_->Get(Cf::kNodeIds, id, &value));
  if (!found) {
    if (cache != nullptr) cache->Insert(id, IdCache::kAbsent, stamp);
    return std::nullopt;
  }
  ASSIGN_OR_RETURN(const uint64_t iid, keys::ReadU64(value, 0));
  if (cache != nullptr && iid != IdCache::kAbsent) cache->Insert(id, iid, stamp);
  return iid;
}

absl::StatusOr<std::optional<NodeRecord>> GraphStore::GetNode(std::string_view id,
                                                              uint64_t version) const {
  ASSIGN_OR_RETURN(std::optional<uint64_t> iid, LookupIid(id));
  if (!iid) return std::nullopt;
  return GetNodeByIid(*iid, version);
}

absl::StatusOr<std::optional<NodeRecord>> GraphStore::GetNodeByIid(uint64_t iid,
                                                                   uint64_t version) const {
  return GraphReadSession(*this).GetNodeByIid(iid, version);
}

absl::Status GraphStore::ScanNodeVersions(
    uint64_t iid, uint64_t after, uint64_t upto,
    const std::function<bool(const NodeRecord&)>& visit) const {
  // Keys sort newest first, so oldest first is backwards: from the oldest
  // version above `after`.
  const std::string prefix = keys::NodePrefix(iid);
  auto it = db_->NewIterator(Cf::kNodes);
  for (it->SeekForPrev(keys::EncodeNodeVersionKey({iid, after + 1}));
       it->Valid() && KeyStartsWith(it->key(), prefix); it->Prev()) {
    ASSIGN_OR_RETURN(keys::NodeVersionKey k, keys::DecodeNodeVersionKey(SliceView(it->key())));
    if (k.version > upto) break;
    ASSIGN_OR_RETURN(NodeRecord node, DecodeNode(SliceView(it->value())));
    if (!visit(node)) return absl::OkStatus();
  }
  return FromRocks(it->status());
}

absl::Status GraphStore::ScanLabel(std::string_view label, uint64_t version, uint64_t after_iid,
                                   const std::function<bool(uint64_t iid)>& visit) const {
  const std::string prefix = keys::LabelIndexPrefix(label);
  auto it = db_->NewIterator(Cf::kLabelIndex);
  it->Seek(after_iid == 0 ? prefix : keys::EncodeLabelIndexKey({std::string(label), after_iid, 0}));
  uint64_t decided = 0;  // the iid whose newest visible entry was already used
  bool any_decided = false;
  for (; it->Valid() && KeyStartsWith(it->key(), prefix); it->Next()) {
    ASSIGN_OR_RETURN(keys::LabelIndexKey k, keys::DecodeLabelIndexKey(SliceView(it->key())));
    if (k.iid == after_iid && after_iid != 0) continue;
    if (any_decided && k.iid == decided) continue;
    if (k.version > version) continue;
    decided = k.iid;
    any_decided = true;
    const rocksdb::Slice v = it->value();
    if (v.size() == 1 && v[0] == 1 && !visit(k.iid)) return absl::OkStatus();
  }
  return FromRocks(it->status());
}

absl::Status GraphStore::ScanAdjacency(
    uint64_t iid, const std::vector<EdgeDirection>& directions,
    const std::vector<std::string>& labels, uint64_t version,
    const std::optional<AdjacencyCursor>& after,
    const std::function<bool(const AdjacencyEntry&)>& visit) const {
  return GraphReadSession(*this).ScanAdjacency(iid, directions, labels, version, after, visit);
}

rocksdb::Iterator* GraphReadSession::Iterator(Cf cf) {
  std::unique_ptr<rocksdb::Iterator>* slot = cf == Cf::kNodes      ? &nodes_
                                             : cf == Cf::kOutEdges ? &out_edges_
                                                                   : &in_edges_;
  if (*slot == nullptr) {
    // Read before the iterator exists: every version up to it is then in
    // its view (a version is published after its batch is written).
    if (nodes_ == nullptr && out_edges_ == nullptr && in_edges_ == nullptr) {
      cacheable_through_ = db_->LatestVersion();
    }
    *slot = db_->NewIterator(cf);
  }
  return slot->get();
}

absl::StatusOr<std::optional<NodeRecord>> GraphReadSession::GetNodeByIid(uint64_t iid,
                                                                         uint64_t version) {
  ASSIGN_OR_RETURN(std::shared_ptr<const NodeRecord> node, GetNodeShared(iid, version));
  if (node == nullptr) return std::nullopt;
  return *node;
}

absl::StatusOr<std::shared_ptr<const NodeRecord>> GraphReadSession::GetNodeShared(
    uint64_t iid, uint64_t version) {
  if (cache_ != nullptr) {
    if (std::optional<std::shared_ptr<const NodeRecord>> hit = cache_->FindNode(iid, version)) {
      return *std::move(hit);
    }
  }
  rocksdb::Iterator* it = Iterator(Cf::kNodes);
  const std::string seek_key = keys::EncodeNodeVersionKey({iid, version});
  it->Seek(seek_key);
  if (!it->Valid()) RETURN_IF_ERROR(FromRocks(it->status()));
  if (!it->Valid() || !KeyStartsWith(it->key(), keys::NodePrefix(iid))) {
    // No record at or below `version` (iid 0, an absent id's, never has
    // one): cached like a tombstone, so that an absent id costs what a
    // hidden one does; the first record written invalidates it.
    if (ReadCache* cache = CacheFor(version); cache != nullptr) {
      cache->InsertNode(iid, version, /*since=*/0, nullptr, 0);
    }
    return nullptr;
  }
  ASSIGN_OR_RETURN(NodeRecord decoded, DecodeNode(SliceView(it->value())));
  std::shared_ptr<const NodeRecord> node;
  if (!decoded.deleted) node = std::make_shared<const NodeRecord>(std::move(decoded));
  if (ReadCache* cache = CacheFor(version); cache != nullptr) {
    ASSIGN_OR_RETURN(keys::NodeVersionKey k, keys::DecodeNodeVersionKey(SliceView(it->key())));
    cache->InsertNode(iid, version, k.version, node, it->value().size());
  }
  return node;
}

absl::StatusOr<std::shared_ptr<const NodeRecord>> GraphReadSession::GetNodeOrLastLive(
    uint64_t iid, uint64_t version) {
  ASSIGN_OR_RETURN(std::shared_ptr<const NodeRecord> node, GetNodeShared(iid, version));
  if (node != nullptr) return node;
  rocksdb::Iterator* it = Iterator(Cf::kNodes);
  const std::string prefix = keys::NodePrefix(iid);
  // Newest first: a node's keys sort by descending version.
  for (it->Seek(keys::EncodeNodeVersionKey({iid, version}));
       it->Valid() && KeyStartsWith(it->key(), prefix); it->Next()) {
    ASSIGN_OR_RETURN(NodeRecord decoded, DecodeNode(SliceView(it->value())));
    if (!decoded.deleted) return std::make_shared<const NodeRecord>(std::move(decoded));
  }
  RETURN_IF_ERROR(FromRocks(it->status()));
  return nullptr;
}

absl::Status GraphReadSession::ScanAdjacency(
    uint64_t iid, const std::vector<EdgeDirection>& directions,
    const std::vector<std::string>& labels, uint64_t version,
    const std::optional<AdjacencyCursor>& after,
    const std::function<bool(const AdjacencyEntry&)>& visit) {
  return Scan(iid, directions, labels, version, after,
              [&visit](const AdjacencyEntry& entry, const auto&) { return visit(entry); });
}

absl::Status GraphReadSession::ScanAdjacencyListed(uint64_t iid,
                                                   const std::vector<EdgeDirection>& directions,
                                                   const std::vector<std::string>& labels,
                                                   uint64_t version,
                                                   const ListedEdgeVisitor& visit) {
  return Scan(iid, directions, labels, version, std::nullopt, visit);
}

absl::Status GraphReadSession::Scan(uint64_t iid, const std::vector<EdgeDirection>& directions,
                                    const std::vector<std::string>& labels, uint64_t version,
                                    const std::optional<AdjacencyCursor>& after,
                                    const ListedEdgeVisitor& visit) {
  // Built for the first direction the cache does not answer.
  std::vector<std::string> prefixes;
  auto build_prefixes = [&] {
    if (!prefixes.empty()) return;
    if (labels.empty()) {
      prefixes.push_back(keys::AdjacencyPrefix(iid));
      return;
    }
    for (const auto& label : labels) prefixes.push_back(keys::AdjacencyPrefix(iid, label));
    std::sort(prefixes.begin(), prefixes.end());
    prefixes.erase(std::unique(prefixes.begin(), prefixes.end()), prefixes.end());
  };
  // A resumed scan (a page) is neither answered from nor filed in the cache.
  ReadCache* cache = after.has_value() ? nullptr : cache_;
  // A copy (short: the labels and a separator each): a visitor may scan
  // again through this session with another filter before this scan files
  // its list under the key.
  const std::string labels_key = cache != nullptr ? LabelsKey(labels) : "";
  // Directions before the cursor's are done; the cursor's resumes after it.
  bool reached_cursor_direction = !after.has_value();
  for (EdgeDirection d : directions) {
    std::string resume;
    if (!reached_cursor_direction) {
      if (d != after->direction) continue;
      reached_cursor_direction = true;
      // Version 0 is never written, so its key sorts after every version of
      // the cursor's edge.
      resume = keys::EncodeAdjacencyKey({iid, after->label, after->other_iid, 0});
    }
    if (cache != nullptr) {
      if (std::shared_ptr<const ReadCache::EdgeList> list =
              cache->FindEdges(iid, d, labels_key, version)) {
        for (const AdjacencyEntry& entry : *list) {
          if (!visit(entry, list)) return absl::OkStatus();
        }
        continue;
      }
    }
    build_prefixes();
    bool stopped = false;
    RETURN_IF_ERROR(ScanDirection(iid, d, prefixes, version, resume, cache != nullptr, labels_key,
                                  visit, &stopped));
    if (stopped) return absl::OkStatus();
  }
  return absl::OkStatus();
}

const std::string& GraphReadSession::LabelsKey(const std::vector<std::string>& labels) {
  if (keyed_labels_ != labels) {
    labels_key_ = AdjacencyLabelsKey(labels);
    keyed_labels_ = labels;
  }
  return labels_key_;
}

absl::Status GraphReadSession::ScanDirection(uint64_t iid, EdgeDirection d,
                                             const std::vector<std::string>& prefixes,
                                             uint64_t version, const std::string& resume,
                                             bool fill_cache, const std::string& labels_key,
                                             const ListedEdgeVisitor& visit, bool* stopped) {
  rocksdb::Iterator* it = Iterator(AdjacencyCf(d));
  // Decided once the iterator exists (CacheFor).
  ReadCache* fill = fill_cache ? CacheFor(version) : nullptr;
  std::shared_ptr<ReadCache::EdgeList> list;
  if (fill != nullptr) list = std::make_shared<ReadCache::EdgeList>();
  uint64_t since = 0;  // the newest record version passed, for the cache
  size_t encoded_bytes = 0;
  for (const std::string& prefix : prefixes) {
    const std::string& start = std::max(prefix, resume);
    std::optional<std::pair<std::string, uint64_t>> decided;
    for (it->Seek(start); it->Valid() && KeyStartsWith(it->key(), prefix); it->Next()) {
      ASSIGN_OR_RETURN(keys::AdjacencyKey k, keys::DecodeAdjacencyKey(SliceView(it->key())));
      if (k.version > version) continue;
      since = std::max(since, k.version);
      if (decided && decided->first == k.label && decided->second == k.other) continue;
      decided.emplace(k.label, k.other);
      ASSIGN_OR_RETURN(EdgeRecord edge, DecodeEdge(SliceView(it->value())));
      if (edge.deleted) continue;
      AdjacencyEntry entry{d, k.other, std::move(edge)};
      if (!visit(entry, nullptr)) {
        *stopped = true;  // the list is incomplete: not cached
        return absl::OkStatus();
      }
      if (list != nullptr) {
        if (list->size() == ReadCache::kMaxCachedEdges) {
          list = nullptr;  // too long to cache
        } else {
          encoded_bytes += it->value().size();
          list->push_back(std::move(entry));
        }
      }
    }
    RETURN_IF_ERROR(FromRocks(it->status()));
  }
  if (list != nullptr) {
    fill->InsertEdges(iid, d, labels_key, version, since, std::move(list), encoded_bytes);
  }
  return absl::OkStatus();
}

}  // namespace ctxgraph
