#include "server/context_service.h"

#include "query/retriever.h"
#include "query/searcher.h"
#include "query/validation.h"
#include "server/node_wire_cache.h"
#include "server/proto_convert.h"
#include "server/retrieval_convert.h"
#include "server/rpc_handler.h"
#include "storage/status_macros.h"

namespace ctxgraph::server {

grpc::ServerUnaryReactor* ContextServiceImpl::Search(grpc::CallbackServerContext* context,
                                                     const v1::SearchRequest* request,
                                                     v1::SearchResponse* response) {
  return HandleUnaryOnPool(
      context, backend_, "Search", [this, request, response](const Caller& caller) {
        // Before the copy: the request may hold millions of labels.
        RETURN_IF_ERROR(CheckLabelFilterSize("labels", request->labels_size()));
        SearchRequest search;
        search.query = request->query();
        search.labels.assign(request->labels().begin(), request->labels().end());
        search.page_size = request->page_size();
        search.page_token = request->page_token();
        search.as_of = request->as_of_version();
        Searcher searcher(backend_.graph, backend_.page_tokens, caller, &backend_.visible_sets);
        ASSIGN_OR_RETURN(SearchPage page, searcher.Search(search));
        // No answer leaves without its audit entry.
        RETURN_IF_ERROR(backend_.audit.Append(SearchAuditEntry(caller, search, page)).status());
        for (const SearchHit& hit : page.hits) {
          v1::SearchHit* out = response->add_hits();
          backend_.wire_nodes.AddNodeField(hit.node, v1::SearchHit::kNodeFieldNumber, out);
          out->set_score(hit.score);
          out->set_snippet(hit.snippet);
        }
        response->set_next_page_token(page.next_page_token);
        response->set_snapshot_version(page.version);
        ReturnItems(page.hits.size());
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* ContextServiceImpl::Retrieve(grpc::CallbackServerContext* context,
                                                       const v1::RetrieveRequest* request,
                                                       v1::RetrieveResponse* response) {
  return HandleUnaryOnPool(
      context, backend_, "Retrieve", [this, request, response](const Caller& caller) {
        ASSIGN_OR_RETURN(RetrievalRequest retrieval, RetrievalRequestFromProto(*request));
        RetrieverOptions options = RetrieverOptionsFor(backend_.limits);
        options.visible_sets = &backend_.visible_sets;
        Retriever retriever(backend_.graph, backend_.page_tokens, caller, options);
        ASSIGN_OR_RETURN(
            RetrievalResult result,
            retriever.Retrieve(std::move(retrieval), backend_.audit, backend_.receipt_ids));
        RetrievalResultToProto(result, backend_.wire_nodes, backend_.wire_edges, response);
        ReturnItems(result.items.size());
        return absl::OkStatus();
      });
}

}  // namespace ctxgraph::server
