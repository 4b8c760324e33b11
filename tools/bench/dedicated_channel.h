// gRPC channels that never share a TCP connection with another channel.
#ifndef CTXGRAPH_TOOLS_BENCH_DEDICATED_CHANNEL_H_
#define CTXGRAPH_TOOLS_BENCH_DEDICATED_CHANNEL_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace ctxgraph::bench {

// A plaintext channel to `address` with its own subchannel (and so its own
// TCP connection): gRPC pools subchannels across channels with equal
// arguments, which would make N client threads multiplex one connection. A
// local subchannel pool plus a distinct `ctxgraph.bench.client` argument
// keeps them apart. Waits up to 10 s for the connection; UNAVAILABLE if it
// is not ready by then.
absl::StatusOr<std::shared_ptr<grpc::Channel>> NewDedicatedChannel(const std::string& address,
                                                                   int client_index);

// Sets the bearer token and a 30 s deadline on a fresh context.
void PrepareContext(const std::string& token, grpc::ClientContext* context);

}  // namespace ctxgraph::bench

#endif  // CTXGRAPH_TOOLS_BENCH_DEDICATED_CHANNEL_H_
