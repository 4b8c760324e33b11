// Conversions between the Retrieve / receipt wire messages and the query
// layer's retrieval types (query/retriever.h, query/retrieval_request.h).
#ifndef CTXGRAPH_SERVER_RETRIEVAL_CONVERT_H_
#define CTXGRAPH_SERVER_RETRIEVAL_CONVERT_H_

#include <string>

#include "absl/status/statusor.h"
#include "ctxgraph/v1/context.pb.h"
#include "query/retrieval_request.h"
#include "query/retriever.h"
#include "server/edge_wire_cache.h"
#include "server/node_wire_cache.h"

namespace ctxgraph::server {

// INVALID_ARGUMENT "expansion.direction: unknown value N" for an enum value
// this server does not know; DIRECTION_UNSPECIFIED means BOTH.
absl::StatusOr<RetrievalRequest> RetrievalRequestFromProto(const v1::RetrieveRequest& request);
void RetrievalRequestToProto(const RetrievalRequest& request, v1::RetrieveRequest* out);

void ReceiptToProto(const RetrievalReceipt& receipt, v1::Receipt* out);
// Appends `item`'s v1::RetrievedItem encoding to `out`, its node from
// `nodes`: what building the message and serializing it would, without the
// message (proto3: zero fields left out, fields in number order).
void AppendRetrievedItem(const RetrievedItem& item, NodeWireCache& nodes, std::string* out);

// Items (AppendRetrievedItem) and edges (through `edges`, AddEdgeField) go
// in as encoded fields (AddEncodedField): read back from `out`, they are
// unset; serialized and parsed, they are there, in order.
void RetrievalResultToProto(const RetrievalResult& result, NodeWireCache& nodes,
                            EdgeWireCache& edges, v1::RetrieveResponse* out);

}  // namespace ctxgraph::server

#endif  // CTXGRAPH_SERVER_RETRIEVAL_CONVERT_H_
