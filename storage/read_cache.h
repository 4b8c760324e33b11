// ReadCache: decoded node records and adjacency lists that reads fetched,
// shared by every request, so that reading a node or its edges again costs
// a hash lookup instead of RocksDB seeks through every level plus a decode.
// GraphReadSession (graph_store.h) consults it; Database invalidates it.
//
// What an entry means. A read at version S that found node n's newest
// record at or below S (a live record or a tombstone) may cache it with
// `since`, that record's version. A scan of n's live edges in one direction
// under one label filter at S may cache the list with `since`, the newest
// version among the adjacency records it passed (tombstones included). Such
// an entry answers a read at any version T >= since for as long as it is
// cached: between `since` and S nothing changed by construction, and every
// commit that writes a record of n (a node version, or an edge with n as an
// endpoint) erases n's entries before its version becomes visible
// (Invalidate), so an entry still present has seen no change since. A read
// at T < since misses and goes to RocksDB.
//
// The race that rule leaves open: a reader at S fetches n's old record, a
// commit at V > S then erases n's entries, and the reader inserts the old
// record afterwards. So inserts are refused in a shard that a commit above
// the reader's S has touched (or is about to): each shard keeps the newest
// version that invalidated anything in it, and the reader compares.
//
// Memory: at most `capacity_bytes`, estimated from the encoded sizes or,
// when larger, from what a decoded record holds (props, strings, lists), over
// kShards shards. An insert that would overflow its shard empties that
// shard first: coarse, but bounded, O(1) per insert on average, and hot
// entries come back at their next miss. An entry larger than an eighth of
// its shard's share (512 KiB of a 256 MiB cache) is not cached, so one big
// node cannot empty a shard at every read.
//
// Thread safety: every method is safe to call concurrently.
#ifndef CTXGRAPH_STORAGE_READ_CACHE_H_
#define CTXGRAPH_STORAGE_READ_CACHE_H_

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "storage/records.h"

namespace ctxgraph {

class ReadCache {
 public:
  using EdgeList = std::vector<AdjacencyEntry>;

  // Adjacency lists longer than this are not cached: a hub's list would
  // crowd out many small ones, and its scan is long anyway.
  static constexpr size_t kMaxCachedEdges = 256;

  explicit ReadCache(size_t capacity_bytes);
  ReadCache(const ReadCache&) = delete;
  ReadCache& operator=(const ReadCache&) = delete;

  size_t capacity_bytes() const { return shard_capacity_ * kShards; }

  // The cached answer for node `iid` read at `version`: nullopt on a miss;
  // a null pointer when the node is deleted (a tombstone).
  std::optional<std::shared_ptr<const NodeRecord>> FindNode(uint64_t iid, uint64_t version);
  // What a read at `read_version` found: the newest record of `iid` at or
  // below it, written at `since`; `node` null for a tombstone.
  // `encoded_bytes` is the record's stored size, for the memory estimate.
  void InsertNode(uint64_t iid, uint64_t read_version, uint64_t since,
                  std::shared_ptr<const NodeRecord> node, size_t encoded_bytes);

  // The cached live edges of `iid` in direction `d` under the label filter
  // `labels_key` (AdjacencyLabelsKey), for a read at `version`; null on a
  // miss.
  std::shared_ptr<const EdgeList> FindEdges(uint64_t iid, EdgeDirection d,
                                            std::string_view labels_key, uint64_t version);
  // What a complete scan at `read_version` found; `since` as above.
  void InsertEdges(uint64_t iid, EdgeDirection d, std::string labels_key, uint64_t read_version,
                   uint64_t since, std::shared_ptr<const EdgeList> edges, size_t encoded_bytes);

  // Called by the commit that will publish `version`, before it does:
  // drops the node records of `nodes` and the adjacency lists of
  // `adjacency` (ids may repeat), and refuses inserts read below `version`
  // in the shards they fall in.
  void Invalidate(const std::vector<uint64_t>& nodes, const std::vector<uint64_t>& adjacency,
                  uint64_t version);
  // The same for every entry, for a commit too large to list.
  void InvalidateAll(uint64_t version);

  // For metrics and tests: lookups answered, lookups missed, estimated
  // bytes held.
  uint64_t hits() const;
  uint64_t misses() const;
  size_t bytes() const;

 private:
  static constexpr size_t kShards = 64;
  // No entry takes more than this fraction of its shard's budget.
  static constexpr size_t kMaxEntryShare = 8;

  struct NodeSlot {
    uint64_t since = 0;
    std::shared_ptr<const NodeRecord> node;
    size_t bytes = 0;
  };
  struct EdgeSlot {
    EdgeDirection direction = EdgeDirection::kOut;
    std::string labels_key;
    uint64_t since = 0;
    std::shared_ptr<const EdgeList> edges;
    size_t bytes = 0;
  };
  // The fields below are guarded by mu. A shard starts a cache line of its
  // own and counts its own lookups: what two cores touch for lookups in
  // different shards never shares a line (a global counter bumped on every
  // lookup moved between the cores hundreds of times per Retrieve).
  struct alignas(64) Shard {
    mutable std::mutex mu;
    // Written under mu, read by hits() and misses() without it.
    std::atomic<uint64_t> hits{0};
    std::atomic<uint64_t> misses{0};
    uint64_t invalidated_at = 0;  // the newest version that invalidated here
    size_t bytes = 0;
    absl::flat_hash_map<uint64_t, NodeSlot> nodes;
    absl::flat_hash_map<uint64_t, std::vector<EdgeSlot>> edges;  // by iid
  };

  Shard& ShardOf(uint64_t iid) { return shards_[iid % kShards]; }
  // Whether a read at `read_version` may insert into `shard`, making room
  // for `bytes` more; requires shard.mu.
  bool MakeRoom(Shard& shard, uint64_t read_version, size_t bytes) const;
  // Requires shard.mu.
  static void Count(Shard& shard, bool hit) {
    (hit ? shard.hits : shard.misses).fetch_add(1, std::memory_order_relaxed);
  }

  const size_t shard_capacity_;
  std::array<Shard, kShards> shards_;
};

// The key ReadCache files an adjacency scan's label filter under: the
// labels sorted, unique, each followed by a NUL (labels never hold one);
// empty for "every label".
std::string AdjacencyLabelsKey(std::vector<std::string> labels);

}  // namespace ctxgraph

#endif  // CTXGRAPH_STORAGE_READ_CACHE_H_
