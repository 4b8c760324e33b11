#include "server/serving_flags.h"

#include <limits>

#include "client/cli_validators.h"  // header-only: the decimal check every binary's flags share

namespace ctxgraph::server {

void AddServingFlags(CLI::App& app, ServerOptions* options) {
  app.add_option("--tls-cert", options->tls.cert_file,
                 "PEM certificate (chain) to serve TLS with; needs --tls-key");
  app.add_option("--tls-key", options->tls.key_file, "PEM private key of --tls-cert (unencrypted)");
  app.add_option("--tls-client-ca", options->tls.client_ca_file,
                 "PEM CA certificate(s): require client certificates it signed (mutual TLS)");
  app.add_option("--max-message-bytes", options->max_message_bytes,
                 "Largest gRPC message received or sent; larger is RESOURCE_EXHAUSTED")
      ->transform(ctxgraph::client::DecimalNumber())
      ->capture_default_str()
      ->check(CLI::Range(4096, std::numeric_limits<int>::max()));
  app.add_option("--max-batch-ops", options->limits.max_batch_ops,
                 "Most ops in one Write request or one Import message")
      ->transform(ctxgraph::client::DecimalNumber())
      ->capture_default_str()
      ->check(CLI::Range(size_t{1}, std::numeric_limits<size_t>::max() / 8));
  app.add_option("--max-traversal-nodes", options->limits.max_traversal_nodes,
                 "Most nodes one Retrieve expansion or lineage walk visits (edges: 5x); "
                 "past it the answer is truncated")
      ->transform(ctxgraph::client::DecimalNumber())
      ->capture_default_str()
      ->check(CLI::Range(size_t{1}, std::numeric_limits<size_t>::max() / 8));
  app.add_option("--max-concurrent-requests", options->limits.max_concurrent_requests,
                 "RPCs served at once; more are refused with RESOURCE_EXHAUSTED (0: no limit)")
      ->transform(ctxgraph::client::DecimalNumber())
      ->capture_default_str()
      ->check(CLI::Range(0, 1 << 20));
  app.add_option("--max-metadata-bytes", options->max_metadata_bytes,
                 "Largest request metadata (headers) of one call; gRPC refuses a larger one")
      ->transform(ctxgraph::client::DecimalNumber())
      ->capture_default_str()
      ->check(CLI::Range(1024, 1 << 24));
  app.add_option("--max-streams-per-connection", options->max_streams_per_connection,
                 "Calls open at once on one connection (HTTP/2 streams); a client queues more")
      ->transform(ctxgraph::client::DecimalNumber())
      ->capture_default_str()
      ->check(CLI::Range(1, 1 << 20));
  app.add_option("--max-request-seconds", options->limits.max_request_seconds,
                 "Longest an Import stream may run; past it the stream ends with "
                 "DEADLINE_EXCEEDED (0: no cap)")
      ->transform(ctxgraph::client::DecimalNumber())
      ->capture_default_str()
      ->check(CLI::Range(0, 1 << 30));
  app.add_option("--bulk-idle-seconds", options->limits.bulk_idle_seconds,
                 "Longest a bulk Import stream, which holds the commit lock, may leave the "
                 "server waiting for its next message; past it the stream is cancelled and "
                 "writes nothing (0: no limit)")
      ->transform(ctxgraph::client::DecimalNumber())
      ->capture_default_str()
      ->check(CLI::Range(0, 1 << 30));
}

}  // namespace ctxgraph::server
