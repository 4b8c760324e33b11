// ContextService: thin adapter from ctxgraph.v1.ContextService to the query
// layer (query/searcher.h, query/retriever.h). Callback API, like GraphService's reads.
#ifndef CTXGRAPH_SERVER_CONTEXT_SERVICE_H_
#define CTXGRAPH_SERVER_CONTEXT_SERVICE_H_

#include "ctxgraph/v1/context.grpc.pb.h"
#include "server/arena_allocator.h"
#include "server/backend.h"

namespace ctxgraph::server {

class ContextServiceImpl final : public v1::ContextService::CallbackService {
 public:
  explicit ContextServiceImpl(Backend& backend) : backend_(backend) {
    SetMessageAllocatorFor_Search(&search_messages_);
    SetMessageAllocatorFor_Retrieve(&retrieve_messages_);
  }

  grpc::ServerUnaryReactor* Search(grpc::CallbackServerContext* context,
                                   const v1::SearchRequest* request,
                                   v1::SearchResponse* response) override;
  grpc::ServerUnaryReactor* Retrieve(grpc::CallbackServerContext* context,
                                     const v1::RetrieveRequest* request,
                                     v1::RetrieveResponse* response) override;

 private:
  Backend& backend_;
  ArenaAllocator<v1::SearchRequest, v1::SearchResponse> search_messages_;
  ArenaAllocator<v1::RetrieveRequest, v1::RetrieveResponse> retrieve_messages_;
};

}  // namespace ctxgraph::server

#endif  // CTXGRAPH_SERVER_CONTEXT_SERVICE_H_
