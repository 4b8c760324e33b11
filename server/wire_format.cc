#include "server/wire_format.h"

#include <google/protobuf/io/coded_stream.h>

#include <cstring>

#include "ctxgraph/v1/types.pb.h"

namespace ctxgraph::server::wire {

using google::protobuf::io::CodedOutputStream;

void AppendVarint(uint64_t v, std::string* out) {
  uint8_t bytes[10];
  const uint8_t* end = CodedOutputStream::WriteVarint64ToArray(v, bytes);
  out->append(reinterpret_cast<const char*>(bytes), end - bytes);
}

void AppendBytesField(int field, std::string_view bytes, std::string* out) {
  AppendVarint(Tag(field, kLengthDelimited), out);
  AppendVarint(bytes.size(), out);
  out->append(bytes);
}

size_t StringFieldSize(int field, std::string_view s) {
  if (s.empty()) return 0;
  return CodedOutputStream::VarintSize32(Tag(field, kLengthDelimited)) +
         CodedOutputStream::VarintSize64(s.size()) + s.size();
}

void AppendStringField(int field, std::string_view s, std::string* out) {
  if (!s.empty()) AppendBytesField(field, s, out);
}

void AppendInt32Field(int field, int32_t v, std::string* out) {
  if (v == 0) return;
  AppendVarint(Tag(field, kVarint), out);
  AppendVarint(static_cast<uint64_t>(static_cast<int64_t>(v)), out);
}

void AppendBoolField(int field, bool v, std::string* out) {
  if (!v) return;
  AppendVarint(Tag(field, kVarint), out);
  out->push_back(1);
}

void AppendDoubleField(int field, double v, std::string* out) {
  uint64_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  if (bits == 0) return;
  AppendVarint(Tag(field, kFixed64), out);
  uint8_t bytes[8];
  CodedOutputStream::WriteLittleEndian64ToArray(bits, bytes);
  out->append(reinterpret_cast<const char*>(bytes), sizeof bytes);
}

void AppendEdgeEnds(std::string_view from, std::string_view label, std::string_view to,
                    std::string* out) {
  static_assert(v1::EdgeRef::kFromFieldNumber == 1 && v1::Edge::kFromFieldNumber == 1);
  static_assert(v1::EdgeRef::kLabelFieldNumber == 2 && v1::Edge::kLabelFieldNumber == 2);
  static_assert(v1::EdgeRef::kToFieldNumber == 3 && v1::Edge::kToFieldNumber == 3);
  AppendStringField(1, from, out);
  AppendStringField(2, label, out);
  AppendStringField(3, to, out);
}

void AppendEdgeEndsField(int field, std::string_view from, std::string_view label,
                         std::string_view to, std::string* out) {
  AppendVarint(Tag(field, kLengthDelimited), out);
  AppendVarint(StringFieldSize(1, from) + StringFieldSize(2, label) + StringFieldSize(3, to), out);
  AppendEdgeEnds(from, label, to, out);
}

void AppendIdOnlyMessageField(int field, std::string_view id, std::string* out) {
  static_assert(v1::Node::kIdFieldNumber == 1);
  AppendVarint(Tag(field, kLengthDelimited), out);
  AppendVarint(StringFieldSize(1, id), out);
  AppendStringField(1, id, out);
}

}  // namespace ctxgraph::server::wire
