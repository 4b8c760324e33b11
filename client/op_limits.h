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

// OK, or INVALID_ARGUMENT naming the first string prop value (list elements
// included) longer than kMaxStringValueBytes:
//   prop "body": oversized value: string of 1048577 bytes exceeds the limit of 1048576
//   prop "tags": element 3: oversized value: string of ... bytes exceeds the limit of 1048576
absl::Status CheckValueSizes(const ctxgraph::v1::WriteOp& op);

}  // namespace ctxgraph::client

#endif  // CTXGRAPH_CLIENT_OP_LIMITS_H_
