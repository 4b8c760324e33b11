// RequestLimits: the per-request bounds ctxgraphd enforces, set by its
// --max-* flags, and their translation into the query layer's options.
// Defaults are the bounds ctxgraph had before they were configurable.
//
// Over a limit is RESOURCE_EXHAUSTED with a message naming the field (or the
// flag) and the limit, except the traversal bound: a walk that reaches it
// stops and answers `truncated`, as it always has; and the request time cap:
// a stream past it ends with DEADLINE_EXCEEDED (StreamWatchdog); and the
// bulk idle limit: a bulk stream silent for longer is cancelled.
#ifndef CTXGRAPH_SERVER_REQUEST_LIMITS_H_
#define CTXGRAPH_SERVER_REQUEST_LIMITS_H_

#include <cstddef>

#include "query/exposure_report.h"
#include "query/graph_writer.h"
#include "query/lineage_subgraph.h"
#include "query/retriever.h"

namespace ctxgraph::server {

struct RequestLimits {
  // Ops in one Write request or one Import stream message (--max-batch-ops).
  size_t max_batch_ops = kMaxBatchOps;
  // Nodes one Retrieve expansion or lineage walk may fetch
  // (--max-traversal-nodes); the edge bound is kEdgesPerTraversalNode times
  // this, the ratio the fixed defaults had.
  size_t max_traversal_nodes = kDefaultRetrieveMaxNodes;
  // RPCs in flight at once; 0 is no limit (--max-concurrent-requests).
  int max_concurrent_requests = 0;
  // How long a streaming call (Import) may run (--max-request-seconds);
  // 0 is no cap. Unary calls are bounded by the other limits instead.
  int max_request_seconds = 3600;
  // How long a bulk Import stream may leave the server waiting for its next
  // message (--bulk-idle-seconds); 0 is no limit. A bulk import holds the
  // commit lock, so every other write waits on a client that stalled. Ten
  // minutes, not one: `ctxgraph import` reads a JSONL file twice and sends
  // nothing while it skips one kind of line, a pass that grows with the
  // file.
  int bulk_idle_seconds = 600;
};

inline constexpr size_t kEdgesPerTraversalNode = 5;

// The query layer's bounds for `limits`. Receipt replay must use the same
// options as Retrieve, or a truncated retrieval would not replay to the same
// items.
RetrieverOptions RetrieverOptionsFor(const RequestLimits& limits);
LineageLimits LineageLimitsFor(const RequestLimits& limits);
ExposureLimits ExposureLimitsFor(const RequestLimits& limits);

}  // namespace ctxgraph::server

#endif  // CTXGRAPH_SERVER_REQUEST_LIMITS_H_
