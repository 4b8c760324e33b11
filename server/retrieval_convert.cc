#include "server/retrieval_convert.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/wire_format_lite.h>

#include <cstring>

#include "absl/strings/str_cat.h"
#include "server/proto_convert.h"
#include "storage/record_codec.h"

namespace ctxgraph::server {
namespace {

using google::protobuf::internal::WireFormatLite;
using google::protobuf::io::CodedOutputStream;

// The protobuf wire format, for AppendRetrievedItem. Each piece is written
// into a small array by protobuf's own helpers, then appended.
void AppendTag(int field, WireFormatLite::WireType type, std::string* out) {
  uint8_t bytes[5];
  const uint8_t* end = WireFormatLite::WriteTagToArray(field, type, bytes);
  out->append(reinterpret_cast<const char*>(bytes), end - bytes);
}

void AppendVarint(uint64_t v, std::string* out) {
  uint8_t bytes[10];
  const uint8_t* end = CodedOutputStream::WriteVarint64ToArray(v, bytes);
  out->append(reinterpret_cast<const char*>(bytes), end - bytes);
}

// A string or message field.
void AppendBytesField(int field, std::string_view bytes, std::string* out) {
  AppendTag(field, WireFormatLite::WIRETYPE_LENGTH_DELIMITED, out);
  AppendVarint(bytes.size(), out);
  out->append(bytes);
}

// proto3 leaves an empty string out.
size_t StringFieldSize(int field, const std::string& s) {
  if (s.empty()) return 0;
  return WireFormatLite::TagSize(field, WireFormatLite::TYPE_STRING) +
         WireFormatLite::StringSize(s);
}

void AppendStringField(int field, const std::string& s, std::string* out) {
  if (!s.empty()) AppendBytesField(field, s, out);
}

}  // namespace

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

void AppendRetrievedItem(const RetrievedItem& item, NodeWireCache& nodes, std::string* out) {
  std::string node;
  nodes.AppendNode(item.node, &node);
  AppendBytesField(v1::RetrievedItem::kNodeFieldNumber, node, out);
  // proto3 leaves a zero out: a double whose bits are all 0, an int32 0.
  uint8_t bytes[16];
  uint64_t score_bits;
  std::memcpy(&score_bits, &item.score, sizeof score_bits);
  if (score_bits != 0) {
    const uint8_t* end =
        WireFormatLite::WriteDoubleToArray(v1::RetrievedItem::kScoreFieldNumber, item.score, bytes);
    out->append(reinterpret_cast<const char*>(bytes), end - bytes);
  }
  if (item.hop != 0) {
    const uint8_t* end =
        WireFormatLite::WriteInt32ToArray(v1::RetrievedItem::kHopFieldNumber, item.hop, bytes);
    out->append(reinterpret_cast<const char*>(bytes), end - bytes);
  }
  for (const auto& edge : item.via) {
    AppendTag(v1::RetrievedItem::kViaFieldNumber, WireFormatLite::WIRETYPE_LENGTH_DELIMITED, out);
    AppendVarint(StringFieldSize(v1::EdgeRef::kFromFieldNumber, edge->from) +
                     StringFieldSize(v1::EdgeRef::kLabelFieldNumber, edge->label) +
                     StringFieldSize(v1::EdgeRef::kToFieldNumber, edge->to),
                 out);
    AppendStringField(v1::EdgeRef::kFromFieldNumber, edge->from, out);
    AppendStringField(v1::EdgeRef::kLabelFieldNumber, edge->label, out);
    AppendStringField(v1::EdgeRef::kToFieldNumber, edge->to, out);
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
