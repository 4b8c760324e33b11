// IdCache: node id -> internal id (iid), the lookup every read by id starts
// with, kept in memory so that it costs a hash probe instead of a RocksDB
// Get (GraphStore::LookupIid consults it; Database owns it).
//
// Why entries stay true. A commit interns an id together with its first
// record, atomically, and interned ids are never reassigned, so a mapping
// a reader found stays right forever. The one exception is a bulk session
// (CommitSession): it writes its batches, mappings included, before it
// commits, and when it is abandoned (Abort, or Open after a crash)
// Database::RemoveVersion deletes the mappings it made. Those ids may later
// be interned again under new iids, so the cache must forget them: after
// the deletes, RemoveVersion calls Forget, which empties the cache and
// moves the generation on.
//
// The race that leaves: a reader fetches a session's mapping from RocksDB,
// the session is removed and the cache emptied, then the reader files the
// mapping. So a reader takes generation() before its Get and passes it to
// Insert, which refuses a generation Forget has moved past.
//
// Only found ids are cached: an absent id may be written at any moment.
//
// Memory: at most `capacity_bytes` (estimated: the id's length plus a
// fixed slot cost) over kShards shards; an insert that would overflow its
// shard empties that shard first, as ReadCache does.
//
// Thread safety: every method is safe to call concurrently.
#ifndef CTXGRAPH_STORAGE_ID_CACHE_H_
#define CTXGRAPH_STORAGE_ID_CACHE_H_

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"

namespace ctxgraph {

class IdCache {
 public:
  explicit IdCache(size_t capacity_bytes);
  IdCache(const IdCache&) = delete;
  IdCache& operator=(const IdCache&) = delete;

  // The iid of `id`, or nullopt on a miss.
  std::optional<uint64_t> Find(std::string_view id);

  // Take before reading a mapping from storage; pass to Insert.
  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }
  // Files `id` -> `iid`, found in storage after generation() returned
  // `generation`; refused if Forget ran since.
  void Insert(std::string_view id, uint64_t iid, uint64_t generation);

  // Drops every entry; call after removing mappings from storage.
  void Forget();

  // For metrics and tests.
  uint64_t hits() const { return hits_.load(std::memory_order_relaxed); }
  uint64_t misses() const { return misses_.load(std::memory_order_relaxed); }
  size_t bytes() const;

 private:
  static constexpr size_t kShards = 64;

  // The fields below are guarded by mu.
  struct Shard {
    mutable std::mutex mu;
    size_t bytes = 0;
    absl::flat_hash_map<std::string, uint64_t> iids;
  };

  Shard& ShardOf(std::string_view id);

  const size_t shard_capacity_;
  std::array<Shard, kShards> shards_;
  std::atomic<uint64_t> generation_{0};
  std::atomic<uint64_t> hits_{0};
  std::atomic<uint64_t> misses_{0};
};

}  // namespace ctxgraph

#endif  // CTXGRAPH_STORAGE_ID_CACHE_H_
