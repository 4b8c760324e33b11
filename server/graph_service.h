// GraphService: thin adapter from ctxgraph.v1.GraphService to the query layer.
//
// Unary methods use gRPC's callback API and run inline on gRPC's threads:
// they are short (a few RocksDB reads), and the synchronous API's hand-off
// between threads cost more than the work (GetNode 3.6k/s sync vs the
// callback floor of ~16k/s, 1 client, on 2 cores). Import stays synchronous:
// a long stream must not hold a callback thread.
#ifndef CTXGRAPH_SERVER_GRAPH_SERVICE_H_
#define CTXGRAPH_SERVER_GRAPH_SERVICE_H_

#include "ctxgraph/v1/graph.grpc.pb.h"
#include "server/backend.h"

namespace ctxgraph::server {

using GraphServiceBase = v1::GraphService::WithCallbackMethod_Write<
    v1::GraphService::WithCallbackMethod_GetNode<v1::GraphService::WithCallbackMethod_ListNodes<
        v1::GraphService::WithCallbackMethod_ListNeighbors<
            v1::GraphService::WithCallbackMethod_GetCommit<v1::GraphService::Service>>>>>;

class GraphServiceImpl final : public GraphServiceBase {
 public:
  explicit GraphServiceImpl(Backend& backend) : backend_(backend) {}

  grpc::ServerUnaryReactor* Write(grpc::CallbackServerContext* context,
                                  const v1::WriteRequest* request,
                                  v1::WriteResponse* response) override;
  grpc::ServerUnaryReactor* GetNode(grpc::CallbackServerContext* context,
                                    const v1::GetNodeRequest* request,
                                    v1::GetNodeResponse* response) override;
  grpc::ServerUnaryReactor* ListNodes(grpc::CallbackServerContext* context,
                                      const v1::ListNodesRequest* request,
                                      v1::ListNodesResponse* response) override;
  grpc::ServerUnaryReactor* ListNeighbors(grpc::CallbackServerContext* context,
                                          const v1::ListNeighborsRequest* request,
                                          v1::ListNeighborsResponse* response) override;
  grpc::Status Import(grpc::ServerContext* context, grpc::ServerReader<v1::ImportRequest>* reader,
                      v1::ImportResponse* response) override;
  grpc::ServerUnaryReactor* GetCommit(grpc::CallbackServerContext* context,
                                      const v1::GetCommitRequest* request,
                                      v1::GetCommitResponse* response) override;

 private:
  Backend& backend_;
};

}  // namespace ctxgraph::server

#endif  // CTXGRAPH_SERVER_GRAPH_SERVICE_H_
