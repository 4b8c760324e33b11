// Limits the client checks before sending, so a record the server would
// refuse anyway is reported against its source line without a round trip.
#ifndef CTXGRAPH_CLIENT_OP_LIMITS_H_
#define CTXGRAPH_CLIENT_OP_LIMITS_H_

#include <cstddef>

#include "absl/status/status.h"
#include "ctxgraph/v1/graph.pb.h"

namespace ctxgraph::client {

// The server's limit on one string value (query/validation.h
// kMaxStringValueBytes), mirrored here because the client does not link the
// server's libraries.
inline constexpr size_t kMaxStringValueBytes = size_t{1} << 20;

// The most one record may take in a request, estimated by ApproxOpBytes:
// with an Import request cut at ImportOptions::batch_bytes (16 MiB by
// default), a request then stays well under the server's 64 MiB message
// limit (ctxgraphd --max-message-bytes).
inline constexpr size_t kMaxRecordBytes = size_t{16} << 20;

// OK, or INVALID_ARGUMENT naming the first string prop value (list elements
// included) longer than kMaxStringValueBytes, or a record over
// kMaxRecordBytes:
//   prop "body": oversized value: string of 1048577 bytes exceeds the limit of 1048576
//   prop "tags": element 3: oversized value: string of ... bytes exceeds the limit of 1048576
//   oversized record: about 16777300 bytes exceeds the limit of 16777216
// `approx_bytes`, when given, gets ApproxOpBytes(op) (when OK).
absl::Status CheckValueSizes(const ctxgraph::v1::WriteOp& op, size_t* approx_bytes = nullptr);

// An upper bound of `op`'s size in an Import request, from its strings and
// the number of its values (cheaper than serializing it).
size_t ApproxOpBytes(const ctxgraph::v1::WriteOp& op);

}  // namespace ctxgraph::client

#endif  // CTXGRAPH_CLIENT_OP_LIMITS_H_
