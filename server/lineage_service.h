// LineageService: thin adapter from ctxgraph.v1.LineageService to the query
// layer (query/lineage.h), which checks roles, validates, walks and appends
// the audit entry. Callback API, like ContextService.
#ifndef CTXGRAPH_SERVER_LINEAGE_SERVICE_H_
#define CTXGRAPH_SERVER_LINEAGE_SERVICE_H_

#include "ctxgraph/v1/lineage.grpc.pb.h"
#include "query/lineage.h"
#include "server/arena_allocator.h"
#include "server/backend.h"

namespace ctxgraph::server {

class LineageServiceImpl final : public v1::LineageService::CallbackService {
 public:
  explicit LineageServiceImpl(Backend& backend) : backend_(backend) {
    SetMessageAllocatorFor_Upstream(&walk_messages_);
    SetMessageAllocatorFor_Downstream(&walk_messages_);
    SetMessageAllocatorFor_Path(&path_messages_);
  }

  grpc::ServerUnaryReactor* Upstream(grpc::CallbackServerContext* context,
                                     const v1::LineageRequest* request,
                                     v1::LineageResponse* response) override;
  grpc::ServerUnaryReactor* Downstream(grpc::CallbackServerContext* context,
                                       const v1::LineageRequest* request,
                                       v1::LineageResponse* response) override;
  grpc::ServerUnaryReactor* Path(grpc::CallbackServerContext* context,
                                 const v1::LineagePathRequest* request,
                                 v1::LineagePathResponse* response) override;

 private:
  grpc::ServerUnaryReactor* Walk(grpc::CallbackServerContext* context, const char* method,
                                 ctxgraph::LineageDirection direction,
                                 const v1::LineageRequest& request, v1::LineageResponse* response);

  Backend& backend_;
  ArenaAllocator<v1::LineageRequest, v1::LineageResponse> walk_messages_;
  ArenaAllocator<v1::LineagePathRequest, v1::LineagePathResponse> path_messages_;
};

}  // namespace ctxgraph::server

#endif  // CTXGRAPH_SERVER_LINEAGE_SERVICE_H_
