#include "server/retrieval_convert.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "query/validation.h"
#include "server/proto_convert.h"
#include "server/wire_format.h"
#include "storage/record_codec.h"
#include "storage/status_macros.h"

namespace ctxgraph::server {

absl::StatusOr<RetrievalRequest> RetrievalRequestFromProto(const v1::RetrieveRequest& request) {
  RetrievalRequest out;
  out.seeds.assign(request.seeds().begin(), request.seeds().end());
  out.query = request.query();
  const v1::Expansion& expansion = request.expansion();
  if (expansion.has_max_hops()) out.max_hops = expansion.max_hops();
  RETURN_IF_ERROR(CheckLabelFilterSize("expansion.edge_labels", expansion.edge_labels_size()));
  out.edge_labels.assign(expansion.edge_labels().begin(), expansion.edge_labels().end());
  switch (expansion.direction()) {
    case v1::DIRECTION_UNSPECIFIED:
    case v1::DIRECTION_BOTH:
      out.direction = DirectionFilter::kBoth;
      break;
    case v1::DIRECTION_OUT:
      out.direction = DirectionFilter::kOut;
      break;
    case v1::DIRECTION_IN:
      out.direction = DirectionFilter::kIn;
      break;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("expansion.direction: unknown value ", expansion.direction()));
  }
  out.max_items = request.budget().max_items();
  out.max_bytes = request.budget().max_bytes();
  out.as_of = request.as_of_version();
  return out;
}

void RetrievalRequestToProto(const RetrievalRequest& request, v1::RetrieveRequest* out) {
  for (const std::string& seed : request.seeds) out->add_seeds(seed);
  out->set_query(request.query);
  v1::Expansion* expansion = out->mutable_expansion();
  if (request.max_hops) expansion->set_max_hops(*request.max_hops);
  for (const std::string& label : request.edge_labels) expansion->add_edge_labels(label);
  switch (request.direction) {
    case DirectionFilter::kOut:
      expansion->set_direction(v1::DIRECTION_OUT);
      break;
    case DirectionFilter::kIn:
      expansion->set_direction(v1::DIRECTION_IN);
      break;
    case DirectionFilter::kBoth:
      expansion->set_direction(v1::DIRECTION_BOTH);
      break;
  }
  out->mutable_budget()->set_max_items(request.max_items);
  out->mutable_budget()->set_max_bytes(request.max_bytes);
  out->set_as_of_version(request.as_of);
}

void ReceiptToProto(const RetrievalReceipt& receipt, v1::Receipt* out) {
  out->set_receipt_id(receipt.receipt_id);
  out->set_snapshot_version(receipt.snapshot_version);
  out->set_principal(receipt.principal);
  for (const std::string& c : receipt.clearances) out->add_clearances(c);
  out->set_digest(ToHex(receipt.digest));
}

void AppendRetrievedItem(const RetrievedItem& item, NodeWireCache& nodes, std::string* out) {
  std::string node;
  nodes.AppendNode(item.node, &node);
  wire::AppendBytesField(v1::RetrievedItem::kNodeFieldNumber, node, out);
  wire::AppendDoubleField(v1::RetrievedItem::kScoreFieldNumber, item.score, out);
  wire::AppendInt32Field(v1::RetrievedItem::kHopFieldNumber, item.hop, out);
  for (const auto& edge : item.via) {
    wire::AppendEdgeEndsField(v1::RetrievedItem::kViaFieldNumber, edge->from, edge->label, edge->to,
                              out);
  }
}

void RetrievalResultToProto(const RetrievalResult& result, NodeWireCache& nodes,
                            EdgeWireCache& edges, v1::RetrieveResponse* out) {
  for (const RetrievedItem& item : result.items) {
    AppendRetrievedItem(item, nodes, AddEncodedField(out, v1::RetrieveResponse::kItemsFieldNumber));
  }
  for (const auto& edge : result.edges) {
    edges.AddEdgeField(*edge, v1::RetrieveResponse::kEdgesFieldNumber, out);
  }
  out->set_truncated(result.truncated);
  ReceiptToProto(result.receipt, out->mutable_receipt());
}

}  // namespace ctxgraph::server
