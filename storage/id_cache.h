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
// mapping. So a reader takes stamp() before its Get and passes it to
// Insert, which refuses a generation Forget has moved past.
//
// Absent ids are cached too, so that an id that does not exist costs what
// an id the caller may not see costs (GraphReader answers both alike). Such an entry
// is true only until some write interns an id: every commit that interns
// ids, and every bulk session batch, calls NoteInterned after its write and
// before its version becomes visible, and an absent entry filed before that
// no longer answers. A reader stamps its Get the same way, so an absence
// read before an intern is not filed as current after it.
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

  // What a reader takes before its Get, and passes to Insert.
  struct Stamp {
    uint64_t generation = 0;
    uint64_t interned = 0;
  };

  // The iid of `id`; kAbsent when `id` was never interned; nullopt on a miss.
  static constexpr uint64_t kAbsent = 0;  // iid 0 is never handed out
  std::optional<uint64_t> Find(std::string_view id);

  Stamp stamp() const {
    return Stamp{generation_.load(std::memory_order_acquire),
                 interned_.load(std::memory_order_acquire)};
  }
  // Files `id` -> `iid` (kAbsent: not interned), as read from storage after
  // stamp() returned `read`; refused if a Forget, or for an absence an
  // intern, came since.
  void Insert(std::string_view id, uint64_t iid, Stamp read);

  // Called after a write that may have interned ids, before the version it
  // belongs to becomes visible: absences filed so far stop answering.
  void NoteInterned() { interned_.fetch_add(1, std::memory_order_acq_rel); }

  // Drops every entry; call after removing mappings from storage.
  void Forget();

  // For metrics and tests.
  uint64_t hits() const { return hits_.load(std::memory_order_relaxed); }
  uint64_t misses() const { return misses_.load(std::memory_order_relaxed); }
  size_t bytes() const;

 private:
  static constexpr size_t kShards = 64;

  struct Slot {
    uint64_t iid = kAbsent;
    uint64_t interned = 0;  // for kAbsent: interned_ when the absence was read
  };
  // The fields below are guarded by mu.
  struct Shard {
    mutable std::mutex mu;
    size_t bytes = 0;
    absl::flat_hash_map<std::string, Slot> iids;
  };

  Shard& ShardOf(std::string_view id);

  const size_t shard_capacity_;
  std::array<Shard, kShards> shards_;
  std::atomic<uint64_t> generation_{0};
  std::atomic<uint64_t> interned_{0};
  std::atomic<uint64_t> hits_{0};
  std::atomic<uint64_t> misses_{0};
};

}  // namespace ctxgraph

#endif  // CTXGRAPH_STORAGE_ID_CACHE_H_
