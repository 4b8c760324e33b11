#include "server/edge_wire_cache.h"

#include <utility>

#include "ctxgraph/v1/types.pb.h"
#include "server/proto_convert.h"

namespace ctxgraph::server {

void EdgeWireCache::AppendEdge(const EdgeRecord& edge, std::string* out) {
  const bool cacheable = cache_.enabled() && edge.provenance.version != 0;
  const EdgeWireKeyView key{edge.from, edge.label, edge.to, edge.provenance.version};
  if (cacheable && cache_.AppendKept(key, out)) return;
  v1::Edge message;
  EdgeToProto(edge, &message);
  if (!cacheable) {
    message.AppendToString(out);
    return;
  }
  std::string bytes = message.SerializeAsString();
  out->append(bytes);
  // The bytes, the key's strings and the slot with the map's bookkeeping:
  // an estimate.
  const size_t charge = bytes.size() + edge.from.size() + edge.label.size() + edge.to.size() +
                        2 * sizeof(EdgeWireKey);
  cache_.Keep(EdgeWireKey{edge.from, edge.label, edge.to, edge.provenance.version},
              std::move(bytes), nullptr, charge);
}

}  // namespace ctxgraph::server
