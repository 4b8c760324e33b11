// GraphService: thin adapter from ctxgraph.v1.GraphService to the query layer.
#ifndef CTXGRAPH_SERVER_GRAPH_SERVICE_H_
#define CTXGRAPH_SERVER_GRAPH_SERVICE_H_

#include "ctxgraph/v1/graph.grpc.pb.h"
#include "server/backend.h"

namespace ctxgraph::server {

class GraphServiceImpl final : public v1::GraphService::Service {
 public:
  explicit GraphServiceImpl(Backend& backend) : backend_(backend) {}

  grpc::Status Write(grpc::ServerContext* context, const v1::WriteRequest* request,
                     v1::WriteResponse* response) override;
  grpc::Status GetNode(grpc::ServerContext* context, const v1::GetNodeRequest* request,
                       v1::GetNodeResponse* response) override;
  grpc::Status ListNodes(grpc::ServerContext* context, const v1::ListNodesRequest* request,
                         v1::ListNodesResponse* response) override;
  grpc::Status ListNeighbors(grpc::ServerContext* context, const v1::ListNeighborsRequest* request,
                             v1::ListNeighborsResponse* response) override;
  grpc::Status Import(grpc::ServerContext* context, grpc::ServerReader<v1::ImportRequest>* reader,
                      v1::ImportResponse* response) override;
  grpc::Status GetCommit(grpc::ServerContext* context, const v1::GetCommitRequest* request,
                         v1::GetCommitResponse* response) override;

 private:
  Backend& backend_;
};

}  // namespace ctxgraph::server

#endif  // CTXGRAPH_SERVER_GRAPH_SERVICE_H_
