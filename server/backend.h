// Backend: the storage and query objects every RPC service serves from, owned
// in one place and built once at start-up.
#ifndef CTXGRAPH_SERVER_BACKEND_H_
#define CTXGRAPH_SERVER_BACKEND_H_

#include <atomic>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "query/authenticator.h"
#include "query/boundary_admin.h"
#include "query/graph_writer.h"
#include "query/opaque_id.h"
#include "query/page_token.h"
#include "query/principal_admin.h"
#include "query/receipt_id.h"
#include "query/visible_sets.h"
#include "server/blocking_pool.h"
#include "server/bulk_imports.h"
#include "server/edge_wire_cache.h"
#include "server/in_flight_limit.h"
#include "server/node_wire_cache.h"
#include "server/request_limits.h"
#include "server/stream_watchdog.h"
#include "storage/database.h"
#include "storage/graph_store.h"
#include "storage/label_registry.h"
#include "storage/principal_store.h"
#include "storage/text_index.h"

namespace ctxgraph::server {

// Threads for calls that wait for their audit entry's WAL sync: enough
// waiters to share each sync, few enough to be cheap when idle.
inline constexpr int kAuditedReadThreads = 8;

struct Backend {
  // Opens the database under `data_dir`; does not bootstrap principals.
  static absl::StatusOr<std::unique_ptr<Backend>> Open(const std::string& data_dir,
                                                       const DatabaseOptions& options,
                                                       const TextIndexConfig& text_config = {},
                                                       const RequestLimits& limits = {});

  Backend(std::unique_ptr<Database> database, std::unique_ptr<TextIndex> text_index,
          std::unique_ptr<LabelRegistry> label_registry, const RequestLimits& request_limits = {});

  std::string data_dir;  // as Open was given it; the database is in <data_dir>/db
  std::unique_ptr<Database> db;
  std::unique_ptr<TextIndex> text;
  std::unique_ptr<LabelRegistry> labels;
  // Owned by `db`, which appends every commit's entry to it atomically.
  AuditLog& audit;
  VisibleSetCache visible_sets;
  GraphStore graph;
  // Node records as encoded for answers: a quarter of the read cache's
  // budget (none without it), whose records it mostly shares.
  NodeWireCache wire_nodes;
  // Edge records as encoded for answers: a sixteenth of the read cache's
  // budget (none without it).
  EdgeWireCache wire_edges;
  PrincipalStore principals;
  Authenticator authenticator;
  PageTokenCodec page_tokens;
  OpaqueIdHasher opaque_ids;   // keyed by the database's redaction key
  ReceiptIdCodec receipt_ids;  // keyed by a key derived from the database's secret
  GraphWriter writer;
  PrincipalAdmin admin;
  BoundaryAdmin boundaries;
  const RequestLimits limits;
  InFlightLimit in_flight;         // every RPC holds a ticket while it runs (rpc_handler.h)
  StreamWatchdog stream_watchdog;  // --max-request-seconds for Import streams
  BulkImports bulk_imports;        // ended by changes that take authority away
  // Runs the audited reads (HandleUnaryOnPool). Last, so it is destroyed
  // first: its threads finish their calls while everything they use exists.
  BlockingPool audited_reads{kAuditedReadThreads};
  std::atomic<bool> audited_inline{false};  // one audited read runs on gRPC's thread
};

}  // namespace ctxgraph::server

#endif  // CTXGRAPH_SERVER_BACKEND_H_
