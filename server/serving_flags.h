// ctxgraphd's TLS and request-limit flags (--tls-*, --max-*), kept out of
// main.cc so each group of flags sits beside what it configures.
#ifndef CTXGRAPH_SERVER_SERVING_FLAGS_H_
#define CTXGRAPH_SERVER_SERVING_FLAGS_H_

#include <CLI/CLI.hpp>

#include "server/server.h"

namespace ctxgraph::server {

// Adds the flags to `app`; parsing writes them into `*options`, which must
// outlive the parse. Their values' ranges are checked by CLI11 (a usage
// error); the TLS files are checked by CtxgraphServer::Start.
void AddServingFlags(CLI::App& app, ServerOptions* options);

}  // namespace ctxgraph::server

#endif  // CTXGRAPH_SERVER_SERVING_FLAGS_H_
