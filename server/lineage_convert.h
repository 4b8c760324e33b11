// Conversions between LineageService's wire messages and the query layer's
// lineage types (query/lineage.h).
//
// Nodes and edges go into an answer as encoded fields (AddEncodedField,
// wire_cache.h), nodes from a NodeWireCache and edges from an
// EdgeWireCache: read back from the message they are unset; serialized and
// parsed, they are there, in order, as building each message would give.
#ifndef CTXGRAPH_SERVER_LINEAGE_CONVERT_H_
#define CTXGRAPH_SERVER_LINEAGE_CONVERT_H_

#include <string>

#include "ctxgraph/v1/lineage.pb.h"
#include "query/lineage.h"
#include "server/edge_wire_cache.h"
#include "server/node_wire_cache.h"

namespace ctxgraph::server {

// The caller checks the label filter's size first (CheckLabelFilterSize).
LineageRequest LineageRequestFromProto(const v1::LineageRequest& request);
LineagePathRequest LineagePathRequestFromProto(const v1::LineagePathRequest& request);

// Appends `node`'s v1::LineageNode encoding to `out`. Its node is the whole
// record (from `nodes`), or only its id with `ids_only` and for a stub,
// whose id is its opaque id.
void AppendLineageNode(const LineageNode& node, bool ids_only, NodeWireCache& nodes,
                       std::string* out);

// Appends `edge`'s v1::Edge encoding to `out`: the whole record (from
// `edges`), or only from, label and to with `ids_only` and for an edge that
// touches a stub (provenance.version 0): no empty props or provenance.
void AppendLineageEdge(const EdgeRecord& edge, bool ids_only, EdgeWireCache& edges,
                       std::string* out);

void LineageGraphToProto(const LineageGraph& graph, bool ids_only, NodeWireCache& nodes,
                         EdgeWireCache& edges, v1::LineageResponse* out);
void LineagePathToProto(const LineagePath& path, NodeWireCache& nodes, EdgeWireCache& edges,
                        v1::LineagePathResponse* out);

}  // namespace ctxgraph::server

#endif  // CTXGRAPH_SERVER_LINEAGE_CONVERT_H_
