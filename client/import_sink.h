// Where an import's requests go: the GraphService.Import client stream, or
// nowhere (dry run: built and serialized, never sent).
#ifndef CTXGRAPH_CLIENT_IMPORT_SINK_H_
#define CTXGRAPH_CLIENT_IMPORT_SINK_H_

#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <memory>

#include "absl/status/statusor.h"
#include "ctxgraph/v1/graph.grpc.pb.h"

namespace ctxgraph::client {

// One Import call. Use: fill request() with ops, Send(), repeat; then
// Finish() once, or Cancel() then Finish(). Not thread-safe.
class ImportSink {
 public:
  virtual ~ImportSink() = default;

  // The request being filled. The caller appends ops; the sink sets the
  // options on the first request it sends. The request lives on an arena
  // that Send() resets: the pointer and everything built in it are invalid
  // after Send(); call request() again.
  virtual ctxgraph::v1::ImportRequest* request() = 0;

  // Sends request() and starts a fresh one on the reset arena.
  // Blocks only on flow control. Returns false when the call is over: the
  // server answered early (a strict import stopped, or the call failed) or it
  // was cancelled; Finish() then says how.
  virtual bool Send() = 0;

  // Cancels the call (ClientContext::TryCancel): the server writes nothing
  // of an open bulk import, and nothing of requests it has not processed.
  virtual void Cancel() = 0;

  // Half-closes the stream (first sending the options alone if nothing was
  // sent yet) and waits for the server's answer. The gRPC status as an
  // absl::Status on failure (CANCELLED after Cancel()).
  virtual absl::StatusOr<ctxgraph::v1::ImportResponse> Finish() = 0;
};

// Starts GraphService.Import on `stub` with `context` (which carries the
// token; the sink owns it). The stub must outlive the sink.
std::unique_ptr<ImportSink> NewGrpcImportSink(ctxgraph::v1::GraphService::StubInterface& stub,
                                              std::unique_ptr<grpc::ClientContext> context,
                                              ctxgraph::v1::ImportOptions options);

// Serializes each request (the work the gRPC sink does before the wire) and
// drops it. Finish answers an ImportResponse with only ops_received set.
std::unique_ptr<ImportSink> NewDryRunImportSink(ctxgraph::v1::ImportOptions options);

}  // namespace ctxgraph::client

#endif  // CTXGRAPH_CLIENT_IMPORT_SINK_H_
