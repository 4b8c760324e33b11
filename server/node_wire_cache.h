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
// Bounded as WireCache is (wire_cache.h), each entry charged three times
// its bytes (for the record it keeps alive, which the read cache usually
// shares). Thread-safe.
#ifndef CTXGRAPH_SERVER_NODE_WIRE_CACHE_H_
#define CTXGRAPH_SERVER_NODE_WIRE_CACHE_H_

#include <google/protobuf/message.h>

#include <cstddef>
#include <memory>
#include <string>

#include "server/wire_cache.h"
#include "storage/records.h"

namespace ctxgraph::server {

class NodeWireCache {
 public:
  static constexpr size_t kShards = WireCache<const NodeRecord*>::kShards;

  // 0 keeps nothing: every call encodes.
  explicit NodeWireCache(size_t max_bytes) : cache_(max_bytes) {}

  NodeWireCache(const NodeWireCache&) = delete;
  NodeWireCache& operator=(const NodeWireCache&) = delete;

  // Appends the v1::Node encoding of `node` (non-null) to `out`.
  void AppendNode(const std::shared_ptr<const NodeRecord>& node, std::string* out);

  // Sets `message`'s v1::Node field number `field` to `node` (adds it, for
  // a repeated field), as AddEncodedField does (wire_cache.h).
  void AddNodeField(const std::shared_ptr<const NodeRecord>& node, int field,
                    google::protobuf::Message* message);

  // hits: nodes copied from an entry; misses: nodes looked up and encoded,
  // none with no budget.
  using Stats = WireCache<const NodeRecord*>::Stats;
  Stats stats() const { return cache_.stats(); }

 private:
  // Keyed by the record object, which each entry keeps alive.
  WireCache<const NodeRecord*> cache_;
};

}  // namespace ctxgraph::server

#endif  // CTXGRAPH_SERVER_NODE_WIRE_CACHE_H_
