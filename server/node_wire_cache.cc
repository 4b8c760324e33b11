#include "server/node_wire_cache.h"

#include <google/protobuf/reflection.h>
#include <google/protobuf/unknown_field_set.h>

#include <utility>

#include "absl/hash/hash.h"
#include "ctxgraph/v1/types.pb.h"
#include "server/proto_convert.h"

namespace ctxgraph::server {
namespace {

// The bytes, the record kept alive (about twice its encoding, as the read
// cache reckons it), the slot and the map's bookkeeping: an estimate.
size_t Charge(const std::string& bytes) { return 3 * bytes.size() + 96; }

// A record with an inherited label's origin filled in is a copy made for
// one reader (query/graph_reader.h): answered once, never found again.
bool MadeForOneReader(const NodeRecord& node) {
  for (const InheritedLabel& l : node.inherited) {
    if (!l.from_id.empty()) return true;
  }
  return false;
}

v1::Node Encode(const NodeRecord& node) {
  v1::Node out;
  NodeToProto(node, &out);
  return out;
}

}  // namespace

void NodeWireCache::AppendNode(const std::shared_ptr<const NodeRecord>& node, std::string* out) {
  if (shard_budget_ == 0 || MadeForOneReader(*node)) {
    Encode(*node).AppendToString(out);
    return;
  }
  // High bits: the map itself places entries by the low ones.
  Shard& shard = shards_[(absl::Hash<const NodeRecord*>{}(node.get()) >> 32) % kShards];
  bool found = false;
  {
    std::lock_guard<std::mutex> lock(shard.mu);
    if (auto it = shard.entries.find(node.get()); it != shard.entries.end()) {
      out->append(it->second.bytes);
      found = true;
      ++shard.hits;
    } else {
      ++shard.misses;
    }
  }
  if (!found) {
    std::string bytes = Encode(*node).SerializeAsString();
    out->append(bytes);
    // A record larger than an eighth of the shard would empty it too often.
    if (const size_t charge = Charge(bytes); charge <= shard_budget_ / 8) {
      absl::flat_hash_map<const NodeRecord*, Entry> dropped;  // freed after the lock
      std::lock_guard<std::mutex> lock(shard.mu);
      if (shard.bytes + charge > shard_budget_) {
        dropped.swap(shard.entries);
        shard.bytes = 0;
      }
      if (shard.entries.try_emplace(node.get(), Entry{node, std::move(bytes)}).second) {
        shard.bytes += charge;
      }
    }
  }
}

void NodeWireCache::AddNodeField(const std::shared_ptr<const NodeRecord>& node, int field,
                                 google::protobuf::Message* message) {
  std::string* out =
      message->GetReflection()->MutableUnknownFields(message)->AddLengthDelimited(field);
  AppendNode(node, out);
}

NodeWireCache::Stats NodeWireCache::stats() const {
  Stats total;
  for (const Shard& shard : shards_) {
    std::lock_guard<std::mutex> lock(shard.mu);
    total.bytes += shard.bytes;
    total.hits += shard.hits;
    total.misses += shard.misses;
  }
  return total;
}

}  // namespace ctxgraph::server
