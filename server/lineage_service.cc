#include "server/lineage_service.h"

#include "absl/strings/str_cat.h"
#include "query/lineage.h"
#include "query/validation.h"
#include "server/lineage_convert.h"
#include "server/rpc_handler.h"
#include "storage/status_macros.h"

namespace ctxgraph::server {

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
                            backend_.wire_edges, response);
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
        RETURN_IF_ERROR(CheckLabelFilterSize("edge_labels", request->edge_labels_size()));
        ASSIGN_OR_RETURN(LineagePath result,
                         LineageWalker(backend_.graph, backend_.opaque_ids, caller,
                                       LineageLimitsFor(backend_.limits))
                             .Path(LineagePathRequestFromProto(*request), backend_.audit));
        LineagePathToProto(result, backend_.wire_nodes, backend_.wire_edges, response);
        ReturnItems(result.nodes.size());
        return absl::OkStatus();
      });
}

}  // namespace ctxgraph::server
