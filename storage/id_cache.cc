#include "storage/id_cache.h"

#include "absl/hash/hash.h"
#include "absl/strings/string_view.h"

namespace ctxgraph {
namespace {

// A slot (a std::string and a uint64_t), its control byte, and the spare
// capacity a hash table keeps.
constexpr size_t kEntryOverhead = 64;
size_t Estimate(std::string_view id) { return id.size() + kEntryOverhead; }

// This Abseil's string_view is its own type, not std::string_view.
absl::string_view Key(std::string_view id) { return absl::string_view(id.data(), id.size()); }

}  // namespace

IdCache::IdCache(size_t capacity_bytes) : shard_capacity_(capacity_bytes / kShards) {}

IdCache::Shard& IdCache::ShardOf(std::string_view id) {
  return shards_[absl::HashOf(Key(id)) % kShards];
}

std::optional<uint64_t> IdCache::Find(std::string_view id) {
  Shard& shard = ShardOf(id);
  std::optional<uint64_t> iid;
  {
    std::lock_guard<std::mutex> lock(shard.mu);
    if (auto it = shard.iids.find(Key(id)); it != shard.iids.end()) {
      const Slot& slot = it->second;
      if (slot.iid != kAbsent || slot.interned == interned_.load(std::memory_order_acquire)) {
        iid = slot.iid;
      }
    }
  }
  (iid ? hits_ : misses_).fetch_add(1, std::memory_order_relaxed);
  return iid;
}

void IdCache::Insert(std::string_view id, uint64_t iid, Stamp read) {
  const size_t bytes = Estimate(id);
  if (bytes > shard_capacity_) return;
  Shard& shard = ShardOf(id);
  std::lock_guard<std::mutex> lock(shard.mu);
  // Checked under the shard's lock: Forget moves the generation before it
  // takes the locks to empty the shards, so a refused mapping is never
  // filed and a filed one is emptied. An absence is checked here and again
  // by Find, since an intern empties nothing.
  if (read.generation != generation_.load(std::memory_order_acquire)) return;
  if (iid == kAbsent && read.interned != interned_.load(std::memory_order_acquire)) return;
  if (auto it = shard.iids.find(Key(id)); it != shard.iids.end()) {
    // An interned id's slot is final; an absence may have gone stale.
    if (it->second.iid == kAbsent) it->second = Slot{iid, read.interned};
    return;
  }
  if (shard.bytes + bytes > shard_capacity_) {
    shard.iids.clear();
    shard.bytes = 0;
  }
  shard.iids.emplace(std::string(id), Slot{iid, read.interned});
  shard.bytes += bytes;
}

void IdCache::Forget() {
  generation_.fetch_add(1, std::memory_order_acq_rel);
  for (Shard& shard : shards_) {
    std::lock_guard<std::mutex> lock(shard.mu);
    shard.iids.clear();
    shard.bytes = 0;
  }
}

size_t IdCache::bytes() const {
  size_t total = 0;
  for (const Shard& shard : shards_) {
    std::lock_guard<std::mutex> lock(shard.mu);
    total += shard.bytes;
  }
  return total;
}

}  // namespace ctxgraph
