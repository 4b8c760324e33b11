// BoundaryService: thin adapter from ctxgraph.v1.BoundaryService to
// BoundaryAdmin (registry, AssignLabels) and BoundaryHistory (LabelHistory).
#ifndef CTXGRAPH_SERVER_BOUNDARY_SERVICE_H_
#define CTXGRAPH_SERVER_BOUNDARY_SERVICE_H_

#include "ctxgraph/v1/boundary.grpc.pb.h"
#include "server/backend.h"

namespace ctxgraph::server {

// Unary and run inline on gRPC's callback threads (see graph_service.h).
// AssignLabels over a large type selection holds the commit lock while it
// reads its targets (at most kAssignReadsPerSelected * kMaxAssignNodes node
// records), like a large Write.
class BoundaryServiceImpl final : public v1::BoundaryService::CallbackService {
 public:
  explicit BoundaryServiceImpl(Backend& backend) : backend_(backend) {}

  grpc::ServerUnaryReactor* DefineLabel(grpc::CallbackServerContext* context,
                                        const v1::DefineLabelRequest* request,
                                        v1::DefineLabelResponse* response) override;
  grpc::ServerUnaryReactor* ListLabels(grpc::CallbackServerContext* context,
                                       const v1::ListLabelsRequest* request,
                                       v1::ListLabelsResponse* response) override;
  grpc::ServerUnaryReactor* AssignLabels(grpc::CallbackServerContext* context,
                                         const v1::AssignLabelsRequest* request,
                                         v1::AssignLabelsResponse* response) override;
  grpc::ServerUnaryReactor* SanitizeEdge(grpc::CallbackServerContext* context,
                                         const v1::SanitizeEdgeRequest* request,
                                         v1::SanitizeEdgeResponse* response) override;
  grpc::ServerUnaryReactor* LabelHistory(grpc::CallbackServerContext* context,
                                         const v1::LabelHistoryRequest* request,
                                         v1::LabelHistoryResponse* response) override;

 private:
  Backend& backend_;
};

}  // namespace ctxgraph::server

#endif  // CTXGRAPH_SERVER_BOUNDARY_SERVICE_H_
