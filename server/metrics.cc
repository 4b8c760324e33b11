#include "server/metrics.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace ctxgraph::server {
namespace {

constexpr std::array<uint64_t, kLatencyBucketsSeconds.size()> BucketNanos() {
  std::array<uint64_t, kLatencyBucketsSeconds.size()> out{};
  for (size_t i = 0; i < out.size(); ++i) {
    out[i] = static_cast<uint64_t>(kLatencyBucketsSeconds[i] * 1e9 + 0.5);
  }
  return out;
}
constexpr std::array<uint64_t, kLatencyBucketsSeconds.size()> kBucketNanos = BucketNanos();

// Debian's absl::string_view is not std::string_view.
absl::string_view Absl(std::string_view s) { return absl::string_view(s.data(), s.size()); }

// Label values: backslash, double quote and newline escaped.
void AppendLabelValue(std::string* out, std::string_view value) {
  for (char c : value) {
    switch (c) {
      case '\\':
        out->append("\\\\");
        break;
      case '"':
        out->append("\\\"");
        break;
      case '\n':
        out->append("\\n");
        break;
      default:
        out->push_back(c);
    }
  }
}

// Seconds from whole nanoseconds, exactly: "1.000250000".
std::string NanosAsSeconds(uint64_t nanos) {
  return absl::StrFormat("%d.%09d", nanos / 1000000000, nanos % 1000000000);
}

}  // namespace

void LatencyHistogram::Observe(std::chrono::nanoseconds duration) {
  const uint64_t nanos = duration.count() < 0 ? 0 : static_cast<uint64_t>(duration.count());
  // `le` buckets: the first bound at or above the value; past the last, +Inf.
  const size_t bucket =
      std::lower_bound(kBucketNanos.begin(), kBucketNanos.end(), nanos) - kBucketNanos.begin();
  buckets_[bucket].fetch_add(1, std::memory_order_relaxed);
  sum_nanos_.fetch_add(nanos, std::memory_order_relaxed);
}

LatencyHistogram::Snapshot LatencyHistogram::Read() const {
  Snapshot s;
  uint64_t total = 0;
  for (size_t i = 0; i < buckets_.size(); ++i) {
    total += buckets_[i].load(std::memory_order_relaxed);
    s.cumulative[i] = total;
  }
  s.count = total;
  s.sum_nanos = sum_nanos_.load(std::memory_order_relaxed);
  return s;
}

void RpcMethodMetrics::Record(absl::StatusCode code, std::chrono::nanoseconds duration,
                              uint64_t returned, uint64_t hidden, uint64_t blocks) {
  const int c = static_cast<int>(code);
  requests[c >= 0 && c < kGrpcCodeCount ? c : static_cast<int>(absl::StatusCode::kUnknown)].Add();
  latency.Observe(duration);
  if (returned != 0) items.Add(returned);
  if (hidden != 0) hidden_nodes.Add(hidden);
  if (blocks != 0) posting_blocks.Add(blocks);
}

ServerMetrics& ServerMetrics::Global() {
  static ServerMetrics* metrics = new ServerMetrics();  // never destroyed: threads may outlive main
  return *metrics;
}

RpcMethodMetrics& ServerMetrics::ForMethod(std::string_view method) {
  if (const MethodMap* map = methods_.load(std::memory_order_acquire)) {
    auto it = map->find(Absl(method));
    if (it != map->end()) return *it->second;
  }
  std::lock_guard<std::mutex> lock(mu_);
  const MethodMap* current = methods_.load(std::memory_order_relaxed);
  if (current) {
    auto it = current->find(Absl(method));
    if (it != current->end()) return *it->second;  // added while we waited
  }
  auto next = current ? std::make_unique<MethodMap>(*current) : std::make_unique<MethodMap>();
  storage_.push_back(std::make_unique<RpcMethodMetrics>());
  RpcMethodMetrics* added = storage_.back().get();
  next->emplace(std::string(method), added);
  methods_.store(next.get(), std::memory_order_release);
  maps_.push_back(std::move(next));
  return *added;
}

std::vector<std::pair<std::string, const RpcMethodMetrics*>> ServerMetrics::Methods() const {
  std::vector<std::pair<std::string, const RpcMethodMetrics*>> out;
  if (const MethodMap* map = methods_.load(std::memory_order_acquire)) {
    out.assign(map->begin(), map->end());
  }
  std::sort(out.begin(), out.end());
  return out;
}

void ServerMetrics::RecordAuditVerify(bool ok, std::chrono::system_clock::time_point when) {
  std::lock_guard<std::mutex> lock(verify_mu_);
  verify_.verified = true;
  verify_.ok = ok;
  verify_.unix_seconds = std::chrono::duration<double>(when.time_since_epoch()).count();
}

ServerMetrics::AuditVerify ServerMetrics::LastAuditVerify() const {
  std::lock_guard<std::mutex> lock(verify_mu_);
  return verify_;
}

void ExpositionWriter::Family(std::string_view name, std::string_view type, std::string_view help) {
  absl::StrAppend(&out_, "# HELP ", Absl(name), " ");
  for (char c : help) {
    if (c == '\\') {
      out_.append("\\\\");
    } else if (c == '\n') {
      out_.append("\\n");
    } else {
      out_.push_back(c);
    }
  }
  absl::StrAppend(&out_, "\n# TYPE ", Absl(name), " ", Absl(type), "\n");
}

void ExpositionWriter::SampleText(std::string_view name, Labels labels,
                                  std::string_view extra_label, std::string_view extra_value,
                                  std::string_view value) {
  out_.append(name);
  if (labels.size() > 0 || !extra_label.empty()) {
    out_.push_back('{');
    bool first = true;
    auto label = [&](std::string_view key, std::string_view v) {
      if (!first) out_.push_back(',');
      first = false;
      absl::StrAppend(&out_, Absl(key), "=\"");
      AppendLabelValue(&out_, v);
      out_.push_back('"');
    };
    for (const auto& [key, v] : labels) label(key, v);
    if (!extra_label.empty()) label(extra_label, extra_value);
    out_.push_back('}');
  }
  absl::StrAppend(&out_, " ", Absl(value), "\n");
}

void ExpositionWriter::Sample(std::string_view name, Labels labels, uint64_t value) {
  SampleText(name, labels, "", "", absl::StrCat(value));
}

void ExpositionWriter::Sample(std::string_view name, Labels labels, int64_t value) {
  SampleText(name, labels, "", "", absl::StrCat(value));
}

void ExpositionWriter::Sample(std::string_view name, Labels labels, double value) {
  SampleText(name, labels, "", "", absl::StrFormat("%.17g", value));
}

void ExpositionWriter::Histogram(std::string_view name, Labels labels,
                                 const LatencyHistogram::Snapshot& h) {
  const std::string bucket = absl::StrCat(Absl(name), "_bucket");
  for (size_t i = 0; i < kLatencyBucketsSeconds.size(); ++i) {
    SampleText(bucket, labels, "le", absl::StrCat(kLatencyBucketsSeconds[i]),
               absl::StrCat(h.cumulative[i]));
  }
  SampleText(bucket, labels, "le", "+Inf", absl::StrCat(h.count));
  SampleText(absl::StrCat(Absl(name), "_sum"), labels, "", "", NanosAsSeconds(h.sum_nanos));
  SampleText(absl::StrCat(Absl(name), "_count"), labels, "", "", absl::StrCat(h.count));
}

namespace {

// One counter of every method, as a family labelled by method; methods at
// zero are left out.
template <typename Methods>
void MethodCounterFamily(const Methods& methods, Counter RpcMethodMetrics::*counter,
                         std::string_view name, std::string_view help, ExpositionWriter& w) {
  w.Family(name, "counter", help);
  for (const auto& [method, m] : methods) {
    const uint64_t n = (m->*counter).value();
    if (n != 0) w.Sample(name, {{"method", method}}, n);
  }
}

void RenderRpcFamilies(const ServerMetrics& metrics, ExpositionWriter& w) {
  const auto methods = metrics.Methods();
  w.Family("ctxgraph_rpc_requests_total", "counter",
           "RPCs answered, by method and gRPC status code.");
  for (const auto& [method, m] : methods) {
    for (int code = 0; code < kGrpcCodeCount; ++code) {
      const uint64_t n = m->requests[code].value();
      if (n == 0) continue;  // a series appears with its first call
      w.Sample("ctxgraph_rpc_requests_total",
               {{"method", method},
                {"code", absl::StatusCodeToString(static_cast<absl::StatusCode>(code))}},
               n);
    }
  }
  w.Family("ctxgraph_rpc_duration_seconds", "histogram",
           "Time from an RPC's arrival to its answer (an Import: the whole stream), by method.");
  for (const auto& [method, m] : methods) {
    w.Histogram("ctxgraph_rpc_duration_seconds", {{"method", method}}, m->latency.Read());
  }
  w.Family("ctxgraph_boundary_denials_total", "counter",
           "RPCs answered PERMISSION_DENIED (role or boundary clearance missing), by method.");
  for (const auto& [method, m] : methods) {
    const uint64_t n = m->requests[static_cast<int>(absl::StatusCode::kPermissionDenied)].value();
    if (n != 0) w.Sample("ctxgraph_boundary_denials_total", {{"method", method}}, n);
  }
  MethodCounterFamily(methods, &RpcMethodMetrics::hidden_nodes, "ctxgraph_hidden_nodes_total",
                      "Existing nodes that reads withheld from their callers (skipped, or shown "
                      "as a redacted stub) for lack of clearance, summed over all callers, by "
                      "method.",
                      w);
  MethodCounterFamily(methods, &RpcMethodMetrics::posting_blocks,
                      "ctxgraph_posting_blocks_read_total",
                      "Keyword index posting blocks that searches decoded (the work behind "
                      "Search, and Retrieve with a query), by method.",
                      w);
  MethodCounterFamily(methods, &RpcMethodMetrics::items, "ctxgraph_rpc_items_returned_total",
                      "Items answers carried (nodes, neighbours, hits, context items, lineage "
                      "nodes, audit entries), by method.",
                      w);
}

void RenderImportFamilies(const ServerMetrics& metrics, ExpositionWriter& w) {
  w.Family("ctxgraph_imports_in_progress", "gauge", "Import streams running now.");
  w.Sample("ctxgraph_imports_in_progress", {}, metrics.imports_in_progress.value());
  w.Family("ctxgraph_import_ops_received_total", "counter", "Ops Import streams received.");
  w.Sample("ctxgraph_import_ops_received_total", {}, metrics.import_ops_received.value());
  w.Family("ctxgraph_import_ops_written_total", "counter",
           "Ops imports applied that changed a record (unchanged upserts and rejects excluded; "
           "a bulk import's once it commits).");
  w.Sample("ctxgraph_import_ops_written_total", {}, metrics.import_ops_written.value());
  w.Family("ctxgraph_import_ops_rejected_total", "counter", "Ops imports rejected.");
  w.Sample("ctxgraph_import_ops_rejected_total", {}, metrics.import_ops_rejected.value());
}

void RenderAuditFamilies(const ServerMetrics& metrics, uint64_t head_seq, ExpositionWriter& w) {
  w.Family("ctxgraph_audit_log_last_seq", "gauge",
           "Sequence number of the audit log's newest entry (its length).");
  w.Sample("ctxgraph_audit_log_last_seq", {}, head_seq);
  // Absent until a VerifyLog answers: no value is better than a made-up one.
  const ServerMetrics::AuditVerify verify = metrics.LastAuditVerify();
  w.Family("ctxgraph_audit_verify_ok", "gauge",
           "1 when the latest VerifyLog found the audit hash chain intact, 0 when broken.");
  if (verify.verified) w.Sample("ctxgraph_audit_verify_ok", {}, uint64_t{verify.ok ? 1u : 0u});
  w.Family("ctxgraph_audit_verify_timestamp_seconds", "gauge",
           "Unix time the latest VerifyLog finished.");
  if (verify.verified) w.Sample("ctxgraph_audit_verify_timestamp_seconds", {}, verify.unix_seconds);
}

// A reader cache's two families: <name>_bytes and <name>_lookups_total.
void RenderCacheFamilies(const std::string& name, const char* holds, const char* looked_up,
                         uint64_t bytes, uint64_t hits, uint64_t misses, ExpositionWriter& w) {
  w.Family(name + "_bytes", "gauge",
           absl::StrCat("Memory (estimated) held by the cache of ", holds, "."));
  w.Sample(name + "_bytes", {}, bytes);
  w.Family(name + "_lookups_total", "counter",
           absl::StrCat(looked_up, " looked up in the cache, by result."));
  w.Sample(name + "_lookups_total", {{"result", "hit"}}, hits);
  w.Sample(name + "_lookups_total", {{"result", "miss"}}, misses);
}

void RenderStorageFamilies(const StorageStats& s, ExpositionWriter& w) {
  struct PerCf {
    const char* name;
    const char* type;
    const char* help;
    uint64_t StorageStats::ColumnFamily::*field;
  };
  static constexpr PerCf kPerCf[] = {
      {"ctxgraph_rocksdb_estimate_num_keys", "gauge",
       "RocksDB's estimate of the keys in a column family (rocksdb.estimate-num-keys).",
       &StorageStats::ColumnFamily::estimate_num_keys},
      {"ctxgraph_rocksdb_sst_files_bytes", "gauge",
       "Size of a column family's SST files (rocksdb.total-sst-files-size).",
       &StorageStats::ColumnFamily::sst_files_bytes},
      {"ctxgraph_rocksdb_sst_files", "gauge", "Live SST files of a column family, every level.",
       &StorageStats::ColumnFamily::sst_files},
      {"ctxgraph_rocksdb_memtable_bytes", "gauge",
       "Size of a column family's memtables (rocksdb.cur-size-all-mem-tables).",
       &StorageStats::ColumnFamily::memtable_bytes},
      {"ctxgraph_rocksdb_pending_compaction_bytes", "gauge",
       "Bytes compaction would rewrite to settle a column family "
       "(rocksdb.estimate-pending-compaction-bytes).",
       &StorageStats::ColumnFamily::pending_compaction_bytes},
      {"ctxgraph_rocksdb_write_slowdowns_total", "counter",
       "Times a column family slowed writes down since the database was opened.",
       &StorageStats::ColumnFamily::write_slowdowns},
      {"ctxgraph_rocksdb_write_stops_total", "counter",
       "Times a column family stopped writes since the database was opened.",
       &StorageStats::ColumnFamily::write_stops},
  };
  for (const PerCf& f : kPerCf) {
    w.Family(f.name, f.type, f.help);
    for (const StorageStats::ColumnFamily& cf : s.column_families) {
      w.Sample(f.name, {{"cf", cf.name}}, cf.*f.field);
    }
  }
  w.Family("ctxgraph_rocksdb_block_cache_usage_bytes", "gauge",
           "Memory held by the block cache all column families share.");
  w.Sample("ctxgraph_rocksdb_block_cache_usage_bytes", {}, s.block_cache_usage_bytes);
  RenderCacheFamilies("ctxgraph_read_cache", "decoded node records and adjacency lists",
                      "Node and adjacency reads", s.read_cache_bytes, s.read_cache_hits,
                      s.read_cache_misses, w);
  RenderCacheFamilies("ctxgraph_id_cache", "node id to internal id mappings", "Node ids",
                      s.id_cache_bytes, s.id_cache_hits, s.id_cache_misses, w);
  w.Family("ctxgraph_rocksdb_delayed_write_rate_bytes", "gauge",
           "Write rate RocksDB allows while it slows writes down; 0 when it does not.");
  w.Sample("ctxgraph_rocksdb_delayed_write_rate_bytes", {}, s.delayed_write_rate);
  w.Family("ctxgraph_rocksdb_write_stopped", "gauge", "1 while RocksDB stops writes.");
  w.Sample("ctxgraph_rocksdb_write_stopped", {}, uint64_t{s.write_stopped ? 1u : 0u});
}

}  // namespace

std::string RenderMetrics(const ServerMetrics& metrics, const ServingState& state,
                          const StorageStats& storage) {
  ExpositionWriter w;
  RenderRpcFamilies(metrics, w);
  w.Family("ctxgraph_rpc_in_flight", "gauge", "RPCs being served now (an open Import included).");
  w.Sample("ctxgraph_rpc_in_flight", {}, static_cast<uint64_t>(state.requests_in_flight));
  RenderImportFamilies(metrics, w);
  RenderAuditFamilies(metrics, state.audit_head_seq, w);
  w.Family("ctxgraph_history_horizon_version", "gauge",
           "As-of reads before this version are refused (--history-retention); 0 keeps all.");
  w.Sample("ctxgraph_history_horizon_version", {}, state.history_horizon);
  RenderStorageFamilies(storage, w);
  RenderCacheFamilies("ctxgraph_wire_cache", "node records encoded for answers", "Nodes answered",
                      state.wire_cache_bytes, state.wire_cache_hits, state.wire_cache_misses, w);
  RenderCacheFamilies("ctxgraph_edge_wire_cache", "edge records encoded for answers",
                      "Edges answered", state.edge_wire_cache_bytes, state.edge_wire_cache_hits,
                      state.edge_wire_cache_misses, w);
  return w.text();
}

}  // namespace ctxgraph::server
