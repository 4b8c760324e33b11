// EdgeWireCache: edge records kept encoded as v1::Edge (EdgeToProto), so an
// edge answered again costs a copy of its bytes instead of building a
// message, provenance, timestamp and hex hash included, and serializing it.
//
// An entry is keyed by the edge's (from, label, to) and the version of the
// record (its provenance.version): a committed version holds at most one
// record of an edge (a write that puts one twice keeps the last), a record
// never changes once committed, and no reader sees a version that was not
// (an abandoned bulk session's is reused, but never read). So the key names
// one record's content wherever it is read from (either endpoint's
// adjacency, the read cache or RocksDB) and no other. A record without a
// version (a lineage stub's edge) is encoded and not kept. Nothing is kept
// alive by an entry.
//
// Bounded as WireCache is (wire_cache.h), each entry charged its bytes, its
// key and a slot. Thread-safe.
#ifndef CTXGRAPH_SERVER_EDGE_WIRE_CACHE_H_
#define CTXGRAPH_SERVER_EDGE_WIRE_CACHE_H_

#include <google/protobuf/message.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <tuple>

#include "absl/hash/hash.h"
#include "server/wire_cache.h"
#include "storage/records.h"

namespace ctxgraph::server {

// An edge record's key (see EdgeWireCache), owned and as a view for lookups.
struct EdgeWireKeyView {
  std::string_view from, label, to;
  uint64_t version = 0;
};
struct EdgeWireKey {
  std::string from, label, to;
  uint64_t version = 0;
  EdgeWireKeyView view() const { return {from, label, to, version}; }
};
struct EdgeWireKeyHash {
  using is_transparent = void;
  size_t operator()(const EdgeWireKeyView& k) const {
    return absl::HashOf(k.from, k.label, k.to, k.version);
  }
  size_t operator()(const EdgeWireKey& k) const { return (*this)(k.view()); }
};
struct EdgeWireKeyEq {
  using is_transparent = void;
  template <typename A, typename B>
  bool operator()(const A& a, const B& b) const {
    return Tie(View(a)) == Tie(View(b));
  }

 private:
  static EdgeWireKeyView View(const EdgeWireKeyView& k) { return k; }
  static EdgeWireKeyView View(const EdgeWireKey& k) { return k.view(); }
  static auto Tie(const EdgeWireKeyView& k) { return std::tie(k.from, k.label, k.to, k.version); }
};

class EdgeWireCache {
 public:
  using Cache = WireCache<EdgeWireKey, EdgeWireKeyHash, EdgeWireKeyEq>;

  // 0 keeps nothing: every call encodes.
  explicit EdgeWireCache(size_t max_bytes) : cache_(max_bytes) {}

  EdgeWireCache(const EdgeWireCache&) = delete;
  EdgeWireCache& operator=(const EdgeWireCache&) = delete;

  // Appends the v1::Edge encoding of `edge` to `out`.
  void AppendEdge(const EdgeRecord& edge, std::string* out);

  // Sets `message`'s v1::Edge field number `field` to `edge` (adds it, for
  // a repeated field), as AddEncodedField does (wire_cache.h).
  void AddEdgeField(const EdgeRecord& edge, int field, google::protobuf::Message* message) {
    AppendEdge(edge, AddEncodedField(message, field));
  }

  // hits: edges copied from an entry; misses: edges looked up and encoded,
  // none with no budget.
  using Stats = Cache::Stats;
  Stats stats() const { return cache_.stats(); }

 private:
  Cache cache_;
};

}  // namespace ctxgraph::server

#endif  // CTXGRAPH_SERVER_EDGE_WIRE_CACHE_H_
