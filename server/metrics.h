// ServerMetrics: the counters and histograms ctxgraphd keeps for its
// operator, and their rendering in the Prometheus text exposition format
// 0.0.4 (served by metrics_http.h on the metrics port, never over gRPC).
//
// What is counted: every RPC by method and gRPC code, its latency, the
// PERMISSION_DENIED answers, the items answers carried, the nodes reads
// withheld from their callers (query/read_stats.h), imports, and the last
// audit log verification. Everything is an aggregate over all callers:
// no series names a principal, so the hidden node count cannot tell one
// caller what another may see.
//
// The registry is process-wide (ServerMetrics::Global()): one ctxgraphd
// serves one database per process. State read at scrape time (the audit
// log head, RocksDB's figures) comes from the serving backend instead, see
// RenderMetrics.
//
// Thread safety: every method is safe to call concurrently. The per-RPC
// path (ForMethod, RpcMethodMetrics::Record) takes no lock: relaxed atomic
// adds, and a lookup in an immutable map that is replaced (under a mutex)
// only the first time a method name is seen.
#ifndef CTXGRAPH_SERVER_METRICS_H_
#define CTXGRAPH_SERVER_METRICS_H_

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "storage/database.h"

namespace ctxgraph::server {

class Counter {
 public:
  void Add(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

class Gauge {
 public:
  void Add(int64_t n) { value_.fetch_add(n, std::memory_order_relaxed); }
  int64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> value_{0};
};

// Latency buckets, as Prometheus `le` bounds in seconds: 100µs to 10s.
inline constexpr std::array<double, 16> kLatencyBucketsSeconds = {
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
    0.05,   0.1,     0.25,   0.5,   1.0,    2.5,   5.0,  10.0};

// A latency histogram over kLatencyBucketsSeconds. The sum is kept in whole
// nanoseconds, so it stays exact.
class LatencyHistogram {
 public:
  struct Snapshot {
    // Cumulative counts per bound, then +Inf (== count).
    std::array<uint64_t, kLatencyBucketsSeconds.size() + 1> cumulative{};
    uint64_t count = 0;
    uint64_t sum_nanos = 0;
  };

  void Observe(std::chrono::nanoseconds duration);
  // Counts read bucket by bucket: the count is the buckets' total, so a
  // snapshot is always consistent with itself even while calls go on.
  Snapshot Read() const;

 private:
  std::array<std::atomic<uint64_t>, kLatencyBucketsSeconds.size() + 1> buckets_{};
  std::atomic<uint64_t> sum_nanos_{0};
};

inline constexpr int kGrpcCodeCount = 17;  // OK (0) .. UNAUTHENTICATED (16)

// One RPC method's figures.
struct RpcMethodMetrics {
  // One answered call: its status code, how long it took, how many items
  // it returned, how many nodes its reads withheld from the caller and how
  // many posting blocks its search decoded.
  void Record(absl::StatusCode code, std::chrono::nanoseconds duration, uint64_t items,
              uint64_t hidden_nodes, uint64_t posting_blocks);

  std::array<Counter, kGrpcCodeCount> requests;  // by code; PERMISSION_DENIED is a denial
  LatencyHistogram latency;
  Counter items;
  Counter hidden_nodes;
  Counter posting_blocks;
};

class ServerMetrics {
 public:
  static ServerMetrics& Global();

  ServerMetrics() = default;
  ServerMetrics(const ServerMetrics&) = delete;
  ServerMetrics& operator=(const ServerMetrics&) = delete;

  // The figures of RPC method `method`, created on first use; the reference
  // stays valid for the registry's lifetime.
  RpcMethodMetrics& ForMethod(std::string_view method);
  // Every method seen so far, sorted by name.
  std::vector<std::pair<std::string, const RpcMethodMetrics*>> Methods() const;

  // Import streams running now, and the ops they received, wrote (records
  // changed, including labels defined; for a bulk import, written into its
  // still unpublished commit) and rejected.
  Gauge imports_in_progress;
  Counter import_ops_received;
  Counter import_ops_written;
  Counter import_ops_rejected;

  // The outcome of the latest VerifyLog run, and when it finished.
  void RecordAuditVerify(bool ok, std::chrono::system_clock::time_point when);
  struct AuditVerify {
    bool verified = false;  // false before any VerifyLog answered
    bool ok = false;
    double unix_seconds = 0;
  };
  AuditVerify LastAuditVerify() const;

 private:
  using MethodMap = absl::flat_hash_map<std::string, RpcMethodMetrics*>;

  // The current map, replaced by a larger copy when a method is added; old
  // maps stay alive (in `maps_`) for lookups still reading them.
  std::atomic<const MethodMap*> methods_{nullptr};
  mutable std::mutex mu_;
  // Guarded by mu_: every map published, and the methods they point to.
  std::vector<std::unique_ptr<MethodMap>> maps_;
  std::vector<std::unique_ptr<RpcMethodMetrics>> storage_;

  mutable std::mutex verify_mu_;
  AuditVerify verify_;  // guarded by verify_mu_
};

// Writes the Prometheus text format: a `# HELP` and `# TYPE` line per
// family, then its samples, label values and help text escaped.
class ExpositionWriter {
 public:
  using Labels = std::initializer_list<std::pair<std::string_view, std::string_view>>;

  // `type`: "counter", "gauge" or "histogram".
  void Family(std::string_view name, std::string_view type, std::string_view help);
  void Sample(std::string_view name, Labels labels, uint64_t value);
  void Sample(std::string_view name, Labels labels, int64_t value);
  void Sample(std::string_view name, Labels labels, double value);
  // _bucket (cumulative, ending with le="+Inf"), _sum and _count of `name`,
  // each with `labels` (le added last).
  void Histogram(std::string_view name, Labels labels, const LatencyHistogram::Snapshot& h);

  const std::string& text() const { return out_; }

 private:
  void SampleText(std::string_view name, Labels labels, std::string_view extra_label,
                  std::string_view extra_value, std::string_view value);

  std::string out_;
};

// Figures read from the serving backend at scrape time.
struct ServingState {
  uint64_t audit_head_seq = 0;   // the audit log's length
  uint64_t history_horizon = 0;  // as-of reads before it are refused; 0: all history kept
  int requests_in_flight = 0;    // admitted under --max-concurrent-requests
  // The cache of node records encoded for answers (node_wire_cache.h).
  uint64_t wire_cache_bytes = 0;
  uint64_t wire_cache_hits = 0;
  uint64_t wire_cache_misses = 0;
  // The cache of edge records encoded for answers (edge_wire_cache.h).
  uint64_t edge_wire_cache_bytes = 0;
  uint64_t edge_wire_cache_hits = 0;
  uint64_t edge_wire_cache_misses = 0;
};

// The exposition ctxgraphd serves: `metrics`' families, then `state`'s
// figures and `storage`'s RocksDB figures.
std::string RenderMetrics(const ServerMetrics& metrics, const ServingState& state,
                          const StorageStats& storage);

}  // namespace ctxgraph::server

#endif  // CTXGRAPH_SERVER_METRICS_H_
