// The protobuf wire format (protobuf.dev/programming-guides/encoding), for
// answers written as encoded fields (AddEncodedField, wire_cache.h) rather
// than built as messages and serialized: each function appends what the
// generated serializer writes for one proto3 field, a zero value left out
// where proto3 leaves it out.
#ifndef CTXGRAPH_SERVER_WIRE_FORMAT_H_
#define CTXGRAPH_SERVER_WIRE_FORMAT_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace ctxgraph::server::wire {

enum WireType : uint32_t { kVarint = 0, kFixed64 = 1, kLengthDelimited = 2 };

inline uint32_t Tag(int field, WireType type) { return (static_cast<uint32_t>(field) << 3) | type; }

void AppendVarint(uint64_t v, std::string* out);

// A string, bytes or message field, written even when empty (a message
// field that is set).
void AppendBytesField(int field, std::string_view bytes, std::string* out);

// A string field; empty is left out, and sizes 0.
size_t StringFieldSize(int field, std::string_view s);
void AppendStringField(int field, std::string_view s, std::string* out);

// An int32 field; 0 is left out, a negative value is written as its 64-bit
// varint (ten bytes).
void AppendInt32Field(int field, int32_t v, std::string* out);

// A bool field; false is left out.
void AppendBoolField(int field, bool v, std::string* out);

// A double field; left out only when all its bits are 0 (so -0.0 is sent).
void AppendDoubleField(int field, double v, std::string* out);

// The fields of a v1::EdgeRef, or of a v1::Edge with only its ends and
// label (both number them from = 1, label = 2, to = 3).
void AppendEdgeEnds(std::string_view from, std::string_view label, std::string_view to,
                    std::string* out);
// A message field holding them.
void AppendEdgeEndsField(int field, std::string_view from, std::string_view label,
                         std::string_view to, std::string* out);

// A message field holding a message whose only field is string field 1 (a
// v1::Node with only its id): written even when the string is empty.
void AppendIdOnlyMessageField(int field, std::string_view id, std::string* out);

}  // namespace ctxgraph::server::wire

#endif  // CTXGRAPH_SERVER_WIRE_FORMAT_H_
