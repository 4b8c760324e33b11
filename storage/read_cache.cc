#include "storage/read_cache.h"

#include <algorithm>

namespace ctxgraph {
namespace {

// Decoded records take about twice their encoded size (strings, map nodes),
// plus the slot and control block.
constexpr size_t kEntryOverhead = 160;
size_t Estimate(size_t encoded_bytes) { return 2 * encoded_bytes + kEntryOverhead; }

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
  const size_t bytes = Estimate(encoded_bytes);
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
  const size_t bytes = Estimate(encoded_bytes) + edges->size() * sizeof(AdjacencyEntry) +
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
