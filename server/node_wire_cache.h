// NodeWireCache: node records kept encoded as v1::Node (NodeToProto), so a
// record that is answered again costs a copy of its bytes instead of
// building a message, props map included, and serializing it.
//
// An entry is keyed by the record object and holds a reference to it.
// Records are immutable once shared (shared_ptr<const NodeRecord>), and an
// address can only be reused once every reference to the record, the
// entry's included, is gone: an entry answers for the record it was built
// from and no other. A copy of a record with its props dropped or restored
// is another object with an entry of its own. A record with an inherited
// label's origin filled in is a copy made for one reader's answer
// (query/graph_reader.h): it is encoded for that answer, not kept and not
// counted.
//
// Bounded: each of kShards shards holds at most max_bytes / kShards,
// counting each entry's bytes three times (for the record it keeps alive,
// which the read cache usually shares); a shard that would pass it is
// emptied, and a record whose charge passes an eighth of a shard is not
// kept. Thread-safe.
#ifndef CTXGRAPH_SERVER_NODE_WIRE_CACHE_H_
#define CTXGRAPH_SERVER_NODE_WIRE_CACHE_H_

#include <google/protobuf/message.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "storage/records.h"

namespace ctxgraph::server {

class NodeWireCache {
 public:
  static constexpr size_t kShards = 16;

  // 0 keeps nothing: every call encodes.
  explicit NodeWireCache(size_t max_bytes) : shard_budget_(max_bytes / kShards) {}

  NodeWireCache(const NodeWireCache&) = delete;
  NodeWireCache& operator=(const NodeWireCache&) = delete;

  // Appends the v1::Node encoding of `node` (non-null) to `out`.
  void AppendNode(const std::shared_ptr<const NodeRecord>& node, std::string* out);

  // Sets `message`'s v1::Node field number `field` to `node` (adds it, for
  // a repeated field), as the encoded bytes of an unknown field: `message`
  // must not set that field otherwise. It serializes as if the field were
  // set, after the fields that are; reading the field back from `message`
  // finds it unset.
  void AddNodeField(const std::shared_ptr<const NodeRecord>& node, int field,
                    google::protobuf::Message* message);

  struct Stats {
    uint64_t bytes = 0;   // as counted against the bound
    uint64_t hits = 0;    // nodes copied from an entry
    uint64_t misses = 0;  // nodes looked up and encoded; none with no budget
  };
  Stats stats() const;

 private:
  struct Entry {
    std::shared_ptr<const NodeRecord> record;  // what the bytes encode, kept alive
    std::string bytes;
  };
  struct Shard {
    mutable std::mutex mu;
    absl::flat_hash_map<const NodeRecord*, Entry> entries;
    size_t bytes = 0;
    uint64_t hits = 0;
    uint64_t misses = 0;
  };

  const size_t shard_budget_;
  std::array<Shard, kShards> shards_;
};

}  // namespace ctxgraph::server

#endif  // CTXGRAPH_SERVER_NODE_WIRE_CACHE_H_
