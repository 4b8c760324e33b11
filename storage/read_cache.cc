#include "storage/read_cache.h"

#include <algorithm>
#include <string>
#include <variant>
#include <vector>

namespace ctxgraph {
namespace {

// Decoded records take about twice their encoded size (strings, map nodes),
// plus the slot and control block.
constexpr size_t kEntryOverhead = 160;
size_t Estimate(size_t encoded_bytes) { return 2 * encoded_bytes + kEntryOverhead; }

// What a decoded record holds on the heap besides its own object, counted
// from what it holds: tiny props and long lists of small values decode to
// many times their encoded size (a bool prop: 4 bytes stored, ~120 held),
// which the estimate above would undercount by 10-28x.
size_t HeapBytes(const std::string& s) { return s.capacity() > 15 ? s.capacity() + 1 : 0; }

size_t HeapBytes(const Value& value) {
  if (const auto* s = std::get_if<std::string>(&value.v)) return HeapBytes(*s);
  size_t sum = 0;
  if (const auto* list = std::get_if<ValueList>(&value.v)) {
    sum += list->capacity() * sizeof(Value);
    for (const Value& element : *list) sum += HeapBytes(element);
  }
  return sum;
}

size_t HeapBytes(const PropMap& props) {
  constexpr size_t kTreeNode = 32;  // a std::map node's links and color
  size_t sum = 0;
  for (const auto& [key, value] : props) {
    sum += kTreeNode + sizeof(PropMap::value_type) + HeapBytes(key) + HeapBytes(value);
  }
  return sum;
}

size_t HeapBytes(const std::vector<std::string>& strings) {
  size_t sum = strings.capacity() * sizeof(std::string);
  for (const std::string& s : strings) sum += HeapBytes(s);
  return sum;
}

size_t HeapBytes(const EdgeRecord& edge) {
  return HeapBytes(edge.from) + HeapBytes(edge.label) + HeapBytes(edge.to) + HeapBytes(edge.props) +
         HeapBytes(edge.provenance.writer) + HeapBytes(edge.sanitizes);
}

size_t DecodedBytes(const NodeRecord& node) {
  size_t sum = sizeof(NodeRecord) + kEntryOverhead + HeapBytes(node.id) + HeapBytes(node.labels) +
               HeapBytes(node.props) + HeapBytes(node.boundary) + HeapBytes(node.source.system) +
               HeapBytes(node.source.uri) + HeapBytes(node.provenance.writer) +
               node.inherited.capacity() * sizeof(InheritedLabel);
  for (const InheritedLabel& l : node.inherited) sum += HeapBytes(l.label) + HeapBytes(l.from_id);
  return sum;
}

}  // namespace

ReadCache::ReadCache(size_t capacity_bytes) : shard_capacity_(capacity_bytes / kShards) {}

std::optional<std::shared_ptr<const NodeRecord>> ReadCache::FindNode(uint64_t iid,
                                                                     uint64_t version) {
  Shard& shard = ShardOf(iid);
  std::lock_guard<std::mutex> lock(shard.mu);
  auto it = shard.nodes.find(iid);
  const bool hit = it != shard.nodes.end() && it->second.since <= version;
  Count(shard, hit);
  if (!hit) return std::nullopt;
  return it->second.node;
}

uint64_t ReadCache::hits() const {
  uint64_t sum = 0;
  for (const Shard& shard : shards_) sum += shard.hits.load(std::memory_order_relaxed);
  return sum;
}

uint64_t ReadCache::misses() const {
  uint64_t sum = 0;
  for (const Shard& shard : shards_) sum += shard.misses.load(std::memory_order_relaxed);
  return sum;
}

void ReadCache::InsertNode(uint64_t iid, uint64_t read_version, uint64_t since,
                           std::shared_ptr<const NodeRecord> node, size_t encoded_bytes) {
  const size_t bytes = std::max(Estimate(encoded_bytes), node ? DecodedBytes(*node) : 0);
  Shard& shard = ShardOf(iid);
  std::lock_guard<std::mutex> lock(shard.mu);
  // A slot already there came from a read at least as new, or answers
  // reads this one does not; either way it stays.
  if (shard.nodes.contains(iid) || !MakeRoom(shard, read_version, bytes)) return;
  shard.nodes.emplace(iid, NodeSlot{since, std::move(node), bytes});
  shard.bytes += bytes;
}

std::shared_ptr<const ReadCache::EdgeList> ReadCache::FindEdges(uint64_t iid, EdgeDirection d,
                                                                std::string_view labels_key,
                                                                uint64_t version) {
  Shard& shard = ShardOf(iid);
  std::lock_guard<std::mutex> lock(shard.mu);
  if (auto it = shard.edges.find(iid); it != shard.edges.end()) {
    for (const EdgeSlot& slot : it->second) {
      if (slot.direction == d && slot.labels_key == labels_key && slot.since <= version) {
        Count(shard, true);
        return slot.edges;
      }
    }
  }
  Count(shard, false);
  return nullptr;
}

void ReadCache::InsertEdges(uint64_t iid, EdgeDirection d, std::string labels_key,
                            uint64_t read_version, uint64_t since,
                            std::shared_ptr<const EdgeList> edges, size_t encoded_bytes) {
  if (edges->size() > kMaxCachedEdges) return;
  // The filter's key too: a caller chooses its length.
  size_t decoded = edges->capacity() * sizeof(AdjacencyEntry) + kEntryOverhead;
  for (const AdjacencyEntry& entry : *edges) decoded += HeapBytes(entry.edge);
  const size_t bytes =
      std::max(Estimate(encoded_bytes) + edges->size() * sizeof(AdjacencyEntry), decoded) +
      sizeof(EdgeSlot) + labels_key.size();
  Shard& shard = ShardOf(iid);
  std::lock_guard<std::mutex> lock(shard.mu);
  if (auto it = shard.edges.find(iid); it != shard.edges.end()) {
    for (const EdgeSlot& slot : it->second) {
      if (slot.direction == d && slot.labels_key == labels_key) return;
    }
  }
  if (!MakeRoom(shard, read_version, bytes)) return;
  // Looked up again: MakeRoom may have emptied the shard.
  shard.edges[iid].push_back(EdgeSlot{d, std::move(labels_key), since, std::move(edges), bytes});
  shard.bytes += bytes;
}

bool ReadCache::MakeRoom(Shard& shard, uint64_t read_version, size_t bytes) const {
  // A large entry would empty its shard at every insert: it is not cached.
  if (read_version < shard.invalidated_at || bytes > shard_capacity_ / kMaxEntryShare) {
    return false;
  }
  if (shard.bytes + bytes > shard_capacity_) {
    shard.nodes.clear();
    shard.edges.clear();
    shard.bytes = 0;
  }
  return true;
}

void ReadCache::Invalidate(const std::vector<uint64_t>& nodes,
                           const std::vector<uint64_t>& adjacency, uint64_t version) {
  for (uint64_t iid : nodes) {
    Shard& shard = ShardOf(iid);
    std::lock_guard<std::mutex> lock(shard.mu);
    shard.invalidated_at = std::max(shard.invalidated_at, version);
    if (auto it = shard.nodes.find(iid); it != shard.nodes.end()) {
      shard.bytes -= it->second.bytes;
      shard.nodes.erase(it);
    }
  }
  for (uint64_t iid : adjacency) {
    Shard& shard = ShardOf(iid);
    std::lock_guard<std::mutex> lock(shard.mu);
    shard.invalidated_at = std::max(shard.invalidated_at, version);
    if (auto it = shard.edges.find(iid); it != shard.edges.end()) {
      for (const EdgeSlot& slot : it->second) shard.bytes -= slot.bytes;
      shard.edges.erase(it);
    }
  }
}

void ReadCache::InvalidateAll(uint64_t version) {
  for (Shard& shard : shards_) {
    std::lock_guard<std::mutex> lock(shard.mu);
    shard.invalidated_at = std::max(shard.invalidated_at, version);
    shard.nodes.clear();
    shard.edges.clear();
    shard.bytes = 0;
  }
}

size_t ReadCache::bytes() const {
  size_t total = 0;
  for (const Shard& shard : shards_) {
    std::lock_guard<std::mutex> lock(shard.mu);
    total += shard.bytes;
  }
  return total;
}

std::string AdjacencyLabelsKey(std::vector<std::string> labels) {
  std::sort(labels.begin(), labels.end());
  labels.erase(std::unique(labels.begin(), labels.end()), labels.end());
  std::string key;
  for (const std::string& label : labels) {
    key += label;
    key.push_back('\0');
  }
  return key;
}

}  // namespace ctxgraph
