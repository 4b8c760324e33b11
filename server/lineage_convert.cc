#include "server/lineage_convert.h"

#include "server/proto_convert.h"
#include "server/wire_cache.h"
#include "server/wire_format.h"

namespace ctxgraph::server {

LineageRequest LineageRequestFromProto(const v1::LineageRequest& request) {
  LineageRequest out;
  out.node_id = request.node_id();
  if (request.has_max_depth()) out.max_depth = request.max_depth();
  out.edge_labels.assign(request.edge_labels().begin(), request.edge_labels().end());
  out.as_of = request.as_of_version();
  return out;
}

LineagePathRequest LineagePathRequestFromProto(const v1::LineagePathRequest& request) {
  LineagePathRequest out;
  out.from = request.from();
  out.to = request.to();
  if (request.has_max_depth()) out.max_depth = request.max_depth();
  out.edge_labels.assign(request.edge_labels().begin(), request.edge_labels().end());
  out.as_of = request.as_of_version();
  return out;
}

void AppendLineageNode(const LineageNode& node, bool ids_only, NodeWireCache& nodes,
                       std::string* out) {
  constexpr int kNodeField = v1::LineageNode::kNodeFieldNumber;
  // Besides the node's own bytes: tags, lengths, and redacted, depth and
  // layer, each at most eleven bytes. Reserved once, not grown field by
  // field.
  constexpr size_t kFraming = 40;
  if (node.redacted || ids_only) {
    out->reserve(out->size() + node.node->id.size() + kFraming);
    wire::AppendIdOnlyMessageField(kNodeField, node.node->id, out);
  } else {
    std::string whole;
    nodes.AppendNode(node.node, &whole);
    out->reserve(out->size() + whole.size() + kFraming);
    wire::AppendBytesField(kNodeField, whole, out);
  }
  wire::AppendBoolField(v1::LineageNode::kRedactedFieldNumber, node.redacted, out);
  wire::AppendInt32Field(v1::LineageNode::kDepthFieldNumber, node.depth, out);
  wire::AppendInt32Field(v1::LineageNode::kLayerFieldNumber, node.layer, out);
}

void AppendLineageEdge(const EdgeRecord& edge, bool ids_only, EdgeWireCache& edges,
                       std::string* out) {
  if (edge.provenance.version != 0 && !ids_only) {
    edges.AppendEdge(edge, out);
    return;
  }
  wire::AppendEdgeEnds(edge.from, edge.label, edge.to, out);
}

void LineageGraphToProto(const LineageGraph& graph, bool ids_only, NodeWireCache& nodes,
                         EdgeWireCache& edges, v1::LineageResponse* out) {
  for (const LineageNode& node : graph.nodes) {
    AppendLineageNode(node, ids_only, nodes,
                      AddEncodedField(out, v1::LineageResponse::kNodesFieldNumber));
  }
  for (const auto& edge : graph.edges) {
    AppendLineageEdge(*edge, ids_only, edges,
                      AddEncodedField(out, v1::LineageResponse::kEdgesFieldNumber));
  }
  for (const LineageCycle& cycle : graph.cycles) {
    v1::LineageCycle* c = out->add_cycles();
    for (const std::string& id : cycle.node_ids) c->add_node_ids(id);
    for (const EdgeRecord& edge : cycle.closing_edges) EdgeRefToProto(edge, c->add_closing_edges());
  }
  out->set_truncated(graph.truncated);
  out->set_depth_limited(graph.depth_limited);
  out->set_snapshot_version(graph.snapshot_version);
  out->set_audit_seq(graph.audit_seq);
}

void LineagePathToProto(const LineagePath& path, NodeWireCache& nodes, EdgeWireCache& edges,
                        v1::LineagePathResponse* out) {
  out->set_direction(path.direction == LineageDirection::kUpstream
                         ? v1::LINEAGE_DIRECTION_UPSTREAM
                         : v1::LINEAGE_DIRECTION_DOWNSTREAM);
  for (const LineageNode& node : path.nodes) {
    AppendLineageNode(node, /*ids_only=*/false, nodes,
                      AddEncodedField(out, v1::LineagePathResponse::kNodesFieldNumber));
  }
  for (const auto& edge : path.edges) {
    AppendLineageEdge(*edge, /*ids_only=*/false, edges,
                      AddEncodedField(out, v1::LineagePathResponse::kEdgesFieldNumber));
  }
  out->set_truncated(path.truncated);
  out->set_snapshot_version(path.snapshot_version);
  out->set_audit_seq(path.audit_seq);
}

}  // namespace ctxgraph::server
