#include "client/op_limits.h"

#include <string>

#include "absl/strings/str_cat.h"

namespace ctxgraph::client {
namespace {

namespace v1 = ::ctxgraph::v1;

std::string Oversized(size_t size) {
  return absl::StrCat("oversized value: string of ", size, " bytes exceeds the limit of ",
                      kMaxStringValueBytes);
}

absl::Status CheckProps(const google::protobuf::Map<std::string, v1::Value>& props) {
  for (const auto& [key, value] : props) {
    if (value.has_string_value() && value.string_value().size() > kMaxStringValueBytes) {
      return absl::InvalidArgumentError(
          absl::StrCat("prop \"", key, "\": ", Oversized(value.string_value().size())));
    }
    if (!value.has_list_value()) continue;
    const auto& values = value.list_value().values();
    for (int i = 0; i < values.size(); ++i) {
      if (values[i].has_string_value() && values[i].string_value().size() > kMaxStringValueBytes) {
        return absl::InvalidArgumentError(absl::StrCat("prop \"", key, "\": element ", i, ": ",
                                                       Oversized(values[i].string_value().size())));
      }
    }
  }
  return absl::OkStatus();
}

// A field's tag and length take at most this many bytes besides its
// payload (a varint length up to 2^35, a tag up to 2^14), and a value
// message at most this many more: counted per value and per string. A
// scalar's payload fits too: the largest, a timestamp before 1970, takes at
// most 21 bytes as a list element (seconds a 10-byte varint, nanos 5).
constexpr size_t kFieldOverhead = 24;

size_t ApproxValueBytes(const v1::Value& value) {
  size_t sum = kFieldOverhead;
  if (value.has_string_value()) sum += value.string_value().size();
  if (value.has_list_value()) {
    for (const v1::Value& element : value.list_value().values()) sum += ApproxValueBytes(element);
  }
  return sum;
}

size_t ApproxPropsBytes(const google::protobuf::Map<std::string, v1::Value>& props) {
  size_t sum = 0;
  for (const auto& [key, value] : props)
    sum += kFieldOverhead + key.size() + ApproxValueBytes(value);
  return sum;
}

size_t ApproxStringsBytes(const google::protobuf::RepeatedPtrField<std::string>& strings) {
  size_t sum = 0;
  for (const std::string& s : strings) sum += kFieldOverhead + s.size();
  return sum;
}

}  // namespace

size_t ApproxOpBytes(const v1::WriteOp& op) {
  // The props are estimated (the rest is small): serializing a map to
  // measure it would cost about as much as the parse that built it.
  size_t sum = 4 * kFieldOverhead;
  if (op.has_upsert_node()) {
    const v1::Node& node = op.upsert_node();
    sum += node.id().size() + ApproxPropsBytes(node.props()) + ApproxStringsBytes(node.labels()) +
           ApproxStringsBytes(node.boundary()) + ApproxStringsBytes(node.inherited_boundary()) +
           node.source().ByteSizeLong() + node.provenance().ByteSizeLong();
    for (const v1::InheritedLabel& l : node.inherited()) sum += kFieldOverhead + l.ByteSizeLong();
  } else if (op.has_upsert_edge()) {
    const v1::Edge& edge = op.upsert_edge();
    sum += edge.from().size() + edge.label().size() + edge.to().size() +
           ApproxPropsBytes(edge.props()) + ApproxStringsBytes(edge.sanitizes()) +
           edge.provenance().ByteSizeLong();
  } else {
    sum += op.ByteSizeLong();  // deletes and label definitions
  }
  return sum;
}

absl::Status CheckValueSizes(const v1::WriteOp& op, size_t* approx_bytes) {
  absl::Status values = op.has_upsert_node()   ? CheckProps(op.upsert_node().props())
                        : op.has_upsert_edge() ? CheckProps(op.upsert_edge().props())
                                               : absl::OkStatus();
  if (!values.ok()) return values;
  const size_t bytes = ApproxOpBytes(op);
  if (bytes > kMaxRecordBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "oversized record: about ", bytes, " bytes exceeds the limit of ", kMaxRecordBytes));
  }
  if (approx_bytes != nullptr) *approx_bytes = bytes;
  return absl::OkStatus();
}

}  // namespace ctxgraph::client
