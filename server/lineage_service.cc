#include "server/lineage_service.h"

#include "absl/strings/str_cat.h"
#include "query/lineage.h"
#include "query/validation.h"
#include "server/node_wire_cache.h"
#include "server/proto_convert.h"
#include "server/rpc_handler.h"
#include "storage/status_macros.h"

namespace ctxgraph::server {
namespace {

void LineageNodeToProto(const LineageNode& node, bool ids_only, NodeWireCache& wire,
                        v1::LineageNode* out) {
  if (node.redacted) {
    out->mutable_node()->set_id(node.node->id);  // the opaque id, and nothing else
    out->set_redacted(true);
  } else if (ids_only) {
    out->mutable_node()->set_id(node.node->id);
  } else {
    wire.AddNodeField(node.node, v1::LineageNode::kNodeFieldNumber, out);
  }
  out->set_depth(node.depth);
  out->set_layer(node.layer);
}

void LineageEdgeToProto(const EdgeRecord& edge, bool ids_only, v1::Edge* out) {
  if (edge.provenance.version != 0 && !ids_only) {
    EdgeToProto(edge, out);
    return;
  }
  // The ids view, or it touches a stub: ends and label only, no empty props
  // or provenance.
  out->set_from(edge.from);
  out->set_label(edge.label);
  out->set_to(edge.to);
}

LineageRequest LineageRequestFromProto(const v1::LineageRequest& request) {
  LineageRequest out;
  out.node_id = request.node_id();
  if (request.has_max_depth()) out.max_depth = request.max_depth();
  out.edge_labels.assign(request.edge_labels().begin(), request.edge_labels().end());
  out.as_of = request.as_of_version();
  out.ids_only = request.view() == v1::LINEAGE_VIEW_IDS;
  return out;
}

void LineageGraphToProto(const LineageGraph& graph, bool ids_only, NodeWireCache& wire,
                         v1::LineageResponse* out) {
  for (const LineageNode& node : graph.nodes) {
    LineageNodeToProto(node, ids_only, wire, out->add_nodes());
  }
  for (const EdgeRecord& edge : graph.edges) {
    LineageEdgeToProto(edge, ids_only, out->add_edges());
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

}  // namespace

grpc::ServerUnaryReactor* LineageServiceImpl::Walk(grpc::CallbackServerContext* context,
                                                   const char* method, LineageDirection direction,
                                                   const v1::LineageRequest& request,
                                                   v1::LineageResponse* response) {
  return HandleUnaryOnPool(
      context, backend_, method, [this, direction, &request, response](const Caller& caller) {
        const LineageWalker walker(backend_.graph, backend_.opaque_ids, caller,
                                   LineageLimitsFor(backend_.limits));
        RETURN_IF_ERROR(CheckLabelFilterSize("edge_labels", request.edge_labels_size()));
        LineageRequest lineage = LineageRequestFromProto(request);
        ASSIGN_OR_RETURN(LineageGraph graph,
                         direction == LineageDirection::kUpstream
                             ? walker.Upstream(std::move(lineage), backend_.audit)
                             : walker.Downstream(std::move(lineage), backend_.audit));
        LineageGraphToProto(graph, request.view() == v1::LINEAGE_VIEW_IDS, backend_.wire_nodes,
                            response);
        ReturnItems(graph.nodes.size());
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* LineageServiceImpl::Upstream(grpc::CallbackServerContext* context,
                                                       const v1::LineageRequest* request,
                                                       v1::LineageResponse* response) {
  return Walk(context, "Upstream", LineageDirection::kUpstream, *request, response);
}

grpc::ServerUnaryReactor* LineageServiceImpl::Downstream(grpc::CallbackServerContext* context,
                                                         const v1::LineageRequest* request,
                                                         v1::LineageResponse* response) {
  return Walk(context, "Downstream", LineageDirection::kDownstream, *request, response);
}

grpc::ServerUnaryReactor* LineageServiceImpl::Path(grpc::CallbackServerContext* context,
                                                   const v1::LineagePathRequest* request,
                                                   v1::LineagePathResponse* response) {
  return HandleUnaryOnPool(
      context, backend_, "Path", [this, request, response](const Caller& caller) {
        LineagePathRequest path;
        path.from = request->from();
        path.to = request->to();
        if (request->has_max_depth()) path.max_depth = request->max_depth();
        RETURN_IF_ERROR(CheckLabelFilterSize("edge_labels", request->edge_labels_size()));
        path.edge_labels.assign(request->edge_labels().begin(), request->edge_labels().end());
        path.as_of = request->as_of_version();
        ASSIGN_OR_RETURN(LineagePath result,
                         LineageWalker(backend_.graph, backend_.opaque_ids, caller,
                                       LineageLimitsFor(backend_.limits))
                             .Path(std::move(path), backend_.audit));
        response->set_direction(result.direction == LineageDirection::kUpstream
                                    ? v1::LINEAGE_DIRECTION_UPSTREAM
                                    : v1::LINEAGE_DIRECTION_DOWNSTREAM);
        for (const LineageNode& node : result.nodes) {
          LineageNodeToProto(node, /*ids_only=*/false, backend_.wire_nodes, response->add_nodes());
        }
        for (const EdgeRecord& edge : result.edges) {
          LineageEdgeToProto(edge, /*ids_only=*/false, response->add_edges());
        }
        response->set_truncated(result.truncated);
        response->set_snapshot_version(result.snapshot_version);
        response->set_audit_seq(result.audit_seq);
        ReturnItems(result.nodes.size());
        return absl::OkStatus();
      });
}

}  // namespace ctxgraph::server
