// The one mapping from internal statuses to gRPC statuses.
#ifndef CTXGRAPH_SERVER_STATUS_MAPPING_H_
#define CTXGRAPH_SERVER_STATUS_MAPPING_H_

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace ctxgraph::server {

grpc::Status ToGrpc(const absl::Status& status);

}  // namespace ctxgraph::server

#endif  // CTXGRAPH_SERVER_STATUS_MAPPING_H_
