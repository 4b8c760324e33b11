#include "server/retrieval_convert.h"

#include "absl/strings/str_cat.h"
#include "server/proto_convert.h"
#include "storage/record_codec.h"

namespace ctxgraph::server {

absl::StatusOr<RetrievalRequest> RetrievalRequestFromProto(const v1::RetrieveRequest& request) {
  RetrievalRequest out;
  out.seeds.assign(request.seeds().begin(), request.seeds().end());
  out.query = request.query();
  const v1::Expansion& expansion = request.expansion();
  if (expansion.has_max_hops()) out.max_hops = expansion.max_hops();
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
  out->set_receipt_id(absl::StrCat(receipt.receipt_id));
  out->set_snapshot_version(receipt.snapshot_version);
  out->set_principal(receipt.principal);
  for (const std::string& c : receipt.clearances) out->add_clearances(c);
  out->set_digest(ToHex(receipt.digest));
}

void RetrievalResultToProto(const RetrievalResult& result, NodeWireCache& nodes,
                            EdgeWireCache& edges, v1::RetrieveResponse* out) {
  for (const RetrievedItem& item : result.items) {
    v1::RetrievedItem* i = out->add_items();
    nodes.AddNodeField(item.node, v1::RetrievedItem::kNodeFieldNumber, i);
    i->set_score(item.score);
    i->set_hop(item.hop);
    for (const auto& edge : item.via) EdgeRefToProto(*edge, i->add_via());
  }
  for (const auto& edge : result.edges) {
    edges.AddEdgeField(*edge, v1::RetrieveResponse::kEdgesFieldNumber, out);
  }
  out->set_truncated(result.truncated);
  ReceiptToProto(result.receipt, out->mutable_receipt());
}

}  // namespace ctxgraph::server
