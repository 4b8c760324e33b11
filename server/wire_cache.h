// WireCache: encoded answer bytes kept by key, for the caches of records
// encoded as their v1 messages (NodeWireCache, EdgeWireCache). It knows
// nothing of what it holds: the caller decides what a key identifies,
// encodes on a miss and says what an entry costs.
//
// Bounded: each of kShards shards holds at most max_bytes / kShards of
// charges; a shard that would pass it is emptied, and an entry whose charge
// passes an eighth of a shard is not kept. Thread-safe.
#ifndef CTXGRAPH_SERVER_WIRE_CACHE_H_
#define CTXGRAPH_SERVER_WIRE_CACHE_H_

#include <google/protobuf/message.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/hash/hash.h"

namespace ctxgraph::server {

// `Hash` and `Eq` may be transparent, for lookups by a view of the key.
template <typename Key, typename Hash = absl::Hash<Key>, typename Eq = std::equal_to<Key>>
class WireCache {
 public:
  static constexpr size_t kShards = 16;

  struct Stats {
    uint64_t bytes = 0;   // as charged against the bound
    uint64_t hits = 0;    // lookups answered from an entry
    uint64_t misses = 0;  // lookups that found none
  };

  // 0 keeps nothing.
  explicit WireCache(size_t max_bytes) : shard_budget_(max_bytes / kShards) {}

  WireCache(const WireCache&) = delete;
  WireCache& operator=(const WireCache&) = delete;

  bool enabled() const { return shard_budget_ > 0; }

  // Appends the bytes kept for `key` to `out` and answers true; false, with
  // nothing appended, when none are kept.
  template <typename K>
  bool AppendKept(const K& key, std::string* out) {
    Shard& shard = ShardOf(key);
    std::lock_guard<std::mutex> lock(shard.mu);
    auto it = shard.entries.find(key);
    if (it == shard.entries.end()) {
      ++shard.misses;
      return false;
    }
    out->append(it->second.bytes);
    ++shard.hits;
    return true;
  }

  // Keeps `bytes` for `key`, charged `charge`, with `pin` (what the key
  // refers to, when it must stay alive as long as the entry; may be null).
  // An entry already kept for `key` stays.
  void Keep(Key key, std::string bytes, std::shared_ptr<const void> pin, size_t charge) {
    // An entry larger than an eighth of the shard would empty it too often.
    if (charge > shard_budget_ / 8) return;
    Shard& shard = ShardOf(key);
    Map dropped;  // freed after the lock
    std::lock_guard<std::mutex> lock(shard.mu);
    if (shard.bytes + charge > shard_budget_) {
      dropped.swap(shard.entries);
      shard.bytes = 0;
    }
    if (shard.entries.try_emplace(std::move(key), Entry{std::move(pin), std::move(bytes)}).second) {
      shard.bytes += charge;
    }
  }

  Stats stats() const {
    Stats total;
    for (const Shard& shard : shards_) {
      std::lock_guard<std::mutex> lock(shard.mu);
      total.bytes += shard.bytes;
      total.hits += shard.hits;
      total.misses += shard.misses;
    }
    return total;
  }

 private:
  struct Entry {
    std::shared_ptr<const void> pin;
    std::string bytes;
  };
  using Map = absl::flat_hash_map<Key, Entry, Hash, Eq>;
  struct Shard {
    mutable std::mutex mu;
    Map entries;
    size_t bytes = 0;
    uint64_t hits = 0;
    uint64_t misses = 0;
  };

  template <typename K>
  Shard& ShardOf(const K& key) {
    // High bits: the map itself places entries by the low ones.
    return shards_[(Hash{}(key) >> 32) % kShards];
  }

  const size_t shard_budget_;
  std::array<Shard, kShards> shards_;
};

// Adds field number `field` to `message` as an unknown length-delimited
// field and answers its bytes to fill with an encoded message: `message`
// must not set that field otherwise. It serializes as if the field were set
// (added, for a repeated field), after the fields that are; reading the
// field back from `message` finds it unset.
std::string* AddEncodedField(google::protobuf::Message* message, int field);

}  // namespace ctxgraph::server

#endif  // CTXGRAPH_SERVER_WIRE_CACHE_H_
