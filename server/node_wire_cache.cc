#include "server/node_wire_cache.h"

#include <utility>

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
  if (!cache_.enabled() || MadeForOneReader(*node)) {
    Encode(*node).AppendToString(out);
    return;
  }
  if (cache_.AppendKept(node.get(), out)) return;
  std::string bytes = Encode(*node).SerializeAsString();
  out->append(bytes);
  const size_t charge = Charge(bytes);
  cache_.Keep(node.get(), std::move(bytes), node, charge);
}

void NodeWireCache::AddNodeField(const std::shared_ptr<const NodeRecord>& node, int field,
                                 google::protobuf::Message* message) {
  AppendNode(node, AddEncodedField(message, field));
}

}  // namespace ctxgraph::server
