// ctxgraphd: the ctxgraph server.
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "client/cli_validators.h"  // header-only: the decimal check every binary's flags share
#include "server/logging.h"
#include "server/rpc_handler.h"
#include "server/server.h"
#include "server/serving_flags.h"
#include "storage/thread_name.h"

namespace {

// The server once it serves; the signal-waiting thread reads it.
std::atomic<ctxgraph::server::CtxgraphServer*> g_serving{nullptr};

// Exits at once, as a kill would: what was committed is durable (the WAL),
// what was in flight is not answered.
[[noreturn]] void ExitNow(const char* why, int sig) {
  spdlog::warn("received signal {} {}: exiting without waiting", sig, why);
  spdlog::default_logger()->flush();
  std::_Exit(1);
}

// Writes `address` to `path` through a rename, so a reader never sees half.
void WritePortFile(const std::string& path, const std::string& address) {
  std::ofstream out(path + ".tmp");
  out << address << "\n";
  out.close();
  std::rename((path + ".tmp").c_str(), path.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  // Everything the server creates (the data dir, RocksDB's files, backups,
  // admin.token, port files) holds data or keys: its user's alone, as
  // PostgreSQL's data directory is.
  ::umask(077);
  ctxgraph::server::ServerOptions options;
  std::string log_level = "info";
  std::string log_format = "text";
  bool access_log = true;
  std::string port_file;
  std::string metrics_port_file;
  bool no_sync = false;
  bool no_sync_audit_reads = false;
  int audit_sync_window_ms = static_cast<int>(options.database.audit_sync_window.count());
  std::string stop_words_file;
  std::string history_retention;
  size_t read_cache_mb = options.database.read_cache_bytes >> 20;
  size_t id_cache_mb = options.database.id_cache_bytes >> 20;

  CLI::App app{"ctxgraphd: a context knowledge graph database server"};
  app.add_option("--data-dir", options.data_dir, "Where the database lives")->capture_default_str();
  app.add_option("--listen", options.listen, "host:port to serve gRPC on (port 0: any free port)")
      ->capture_default_str();
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error (the last one given)")
      ->capture_default_str()
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast)
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}));
  app.add_option("--log-format", log_format,
                 "text, or json: one JSON object per line with ts, level, msg and the line's "
                 "fields")
      ->capture_default_str()
      ->check(CLI::IsMember({"text", "json"}));
  app.add_flag("--access-log,!--no-access-log", access_log,
               "Log one info line per RPC: request id, principal, method, status, duration, "
               "items")
      ->capture_default_str();
  app.add_option("--port-file", port_file, "Write the bound host:port here once serving");
  CLI::Option* metrics_listen =
      app.add_option("--metrics-listen", options.metrics_listen,
                     "host:port to serve Prometheus metrics on, GET /metrics (port 0: any free "
                     "port; default: no metrics server)");
  app.add_option("--metrics-port-file", metrics_port_file,
                 "Write the metrics server's bound host:port here once serving")
      ->needs(metrics_listen);
  CLI::Option* no_sync_audit =
      app.add_flag("--no-sync-audit-reads", no_sync_audit_reads,
                   "Never sync the WAL for read-side audit entries (Search, Retrieve, lineage): a "
                   "power loss may lose the newest ones, never open a gap in the chain");
  app.add_option("--audit-sync-window-ms", audit_sync_window_ms,
                 "0: a read's answer leaves once its audit entry's WAL is synced. N: a thread "
                 "syncs N/2 ms after the oldest unsynced entry, and answers wait for a sync only "
                 "when that entry is N ms old")
      ->transform(ctxgraph::client::DecimalNumber())
      ->capture_default_str()
      ->check(CLI::Range(0, 10000))
      ->excludes(no_sync_audit);
  app.add_option("--read-cache-mb", read_cache_mb,
                 "Memory for decoded node records and adjacency lists that reads share, kept "
                 "coherent with every commit, plus a quarter of it for node records and a "
                 "sixteenth for edge records encoded for answers (0: all three off)")
      ->transform(ctxgraph::client::DecimalNumber())
      ->capture_default_str()
      ->check(CLI::Range(size_t{0}, size_t{1} << 20));
  app.add_option("--id-cache-mb", id_cache_mb,
                 "Memory for node id to internal id mappings that reads share, about 80 bytes "
                 "per id (0: off)")
      ->transform(ctxgraph::client::DecimalNumber())
      ->capture_default_str()
      ->check(CLI::Range(size_t{0}, size_t{1} << 20));
  app.add_flag("--no-sync-writes", no_sync,
               "Acknowledge commits before the WAL is synced (bulk loads only)");
  app.add_option("--search-props", options.text_index.props,
                 "Props whose text search indexes (default: every string prop); fixed when the "
                 "database is created")
      ->delimiter(',');
  app.add_option("--search-stop-words", stop_words_file,
                 "File of stop words, one per line, replacing the English default (an empty file: "
                 "none); fixed when the database is created")
      ->check(CLI::ExistingFile);
  app.add_option("--history-retention", history_retention,
                 "How far back as_of reads reach: a duration (30d, 12h, 90m, 3600s) or a number "
                 "of versions (10000v); compaction drops older shadowed versions. Default: keep "
                 "everything")
      ->check([](const std::string& text) {
        absl::StatusOr<ctxgraph::RetentionSetting> s = ctxgraph::ParseRetentionSetting(text);
        if (s.ok()) return std::string();
        // CLI11 names the flag itself.
        std::string message(s.status().message());
        constexpr std::string_view kPrefix = "--history-retention: ";
        if (message.starts_with(kPrefix)) message.erase(0, kPrefix.size());
        return message;
      });
  app.add_option("--restore-from", options.restore_from,
                 "Restore the backup in this directory (ctxgraph admin backup) into "
                 "<data-dir>/db, which must not exist yet, verify it, then serve it")
      ->check(CLI::ExistingDirectory);
  ctxgraph::server::AddServingFlags(app, &options);
  CLI11_PARSE(app, argc, argv);
  options.database.history_retention = *ctxgraph::ParseRetentionSetting(history_retention);
  if (!stop_words_file.empty()) {
    std::ifstream in(stop_words_file);
    options.text_index.stop_words.clear();
    for (std::string word; std::getline(in, word);) {
      if (!word.empty()) options.text_index.stop_words.push_back(word);
    }
  }

  spdlog::set_level(spdlog::level::from_str(log_level));
  ctxgraph::server::SetLogFormat(*ctxgraph::server::ParseLogFormat(log_format));
  ctxgraph::server::SetAccessLog(access_log);
  options.database.sync_writes = !no_sync;
  options.database.sync_audit_appends = !no_sync_audit_reads;
  options.database.audit_sync_window = std::chrono::milliseconds(audit_sync_window_ms);
  options.database.read_cache_bytes = read_cache_mb << 20;
  options.database.id_cache_bytes = id_cache_mb << 20;

  // Block the shutdown signals in every thread; one thread waits for them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  // Debian's Abseil is built with its debug-build default: every absl::Mutex
  // acquisition (gRPC's, several per call) updates a lock-order graph to
  // detect deadlocks, 1-2% of a serving thread's time. A release build
  // skips it.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);

  // Waiting from before the start, which may take long (a restore's
  // checks): a signal then ends the start. Once serving, the first signal
  // shuts down gracefully (calls in flight get 5 s), a second one, say while
  // a call keeps the shutdown waiting, exits at once.
  std::thread waiter([signals] {
    ctxgraph::NameThisThread("signal-wait");
    int sig = 0;
    sigwait(&signals, &sig);
    ctxgraph::server::CtxgraphServer* server = g_serving.load();
    if (server == nullptr) ExitNow("while starting", sig);
    spdlog::info("received signal {}, shutting down (a second one exits at once)", sig);
    std::thread([signals] {
      int again = 0;
      sigwait(&signals, &again);
      ExitNow("again", again);
    }).detach();
    server->Shutdown(5.0);
  });
  auto server = ctxgraph::server::CtxgraphServer::Start(options);
  if (!server.ok()) {
    spdlog::error("cannot start: {}", server.status().ToString());
    waiter.detach();  // blocked waiting for a signal that no longer matters
    return 1;
  }
  if (!port_file.empty()) WritePortFile(port_file, (*server)->address());
  if (!metrics_port_file.empty()) WritePortFile(metrics_port_file, (*server)->metrics_address());
  g_serving.store(server->get());

  (*server)->Wait();
  waiter.join();
  server->reset();  // closes the database cleanly
  spdlog::info("ctxgraphd stopped");
  return 0;
}
