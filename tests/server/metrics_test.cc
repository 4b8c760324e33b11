// The metrics port: GET /metrics scraped with an HTTP client and parsed as
// the Prometheus text format. Counters are process-wide, so every test
// reads them before and after its calls and checks the exact difference.
#include "server/metrics.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <rocksdb/db.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <map>
#include <sstream>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "ctxgraph/v1/audit.grpc.pb.h"
#include "ctxgraph/v1/lineage.grpc.pb.h"
#include "storage/database.h"
#include "tests/server/server_test_fixture.h"

namespace ctxgraph::server {
namespace {

using Labels = std::map<std::string, std::string>;

// A parsed exposition: each family's TYPE and HELP, and every sample by
// name and labels. Anything malformed is listed in `errors`.
struct Exposition {
  std::map<std::string, std::string> types;
  std::map<std::string, std::string> help;
  std::map<std::pair<std::string, Labels>, double> samples;
  std::vector<std::string> errors;

  // A sample's value; 0 when the series does not exist (yet).
  double Value(const std::string& name, const Labels& labels = {}) const {
    auto it = samples.find({name, labels});
    return it == samples.end() ? 0 : it->second;
  }
  bool Has(const std::string& name, const Labels& labels = {}) const {
    return samples.contains({name, labels});
  }
};

// The family a sample belongs to: a histogram's _bucket, _sum and _count
// samples belong to the histogram.
std::string FamilyOf(const Exposition& e, const std::string& name) {
  for (const char* suffix : {"_bucket", "_sum", "_count"}) {
    const std::string s = suffix;
    if (name.size() > s.size() && name.ends_with(s)) {
      const std::string base = name.substr(0, name.size() - s.size());
      auto it = e.types.find(base);
      if (it != e.types.end() && it->second == "histogram") return base;
    }
  }
  return name;
}

// Reads `{k="v",...}` from `line` at `*pos` (just past the '{').
bool ParseLabels(const std::string& line, size_t* pos, Labels* labels) {
  size_t i = *pos;
  while (i < line.size() && line[i] != '}') {
    const size_t eq = line.find('=', i);
    if (eq == std::string::npos || eq + 1 >= line.size() || line[eq + 1] != '"') return false;
    const std::string key = line.substr(i, eq - i);
    std::string value;
    size_t j = eq + 2;
    for (; j < line.size() && line[j] != '"'; ++j) {
      if (line[j] != '\\') {
        value.push_back(line[j]);
        continue;
      }
      if (++j >= line.size()) return false;
      if (line[j] == 'n') {
        value.push_back('\n');
      } else if (line[j] == '\\' || line[j] == '"') {
        value.push_back(line[j]);
      } else {
        return false;
      }
    }
    if (j >= line.size()) return false;
    (*labels)[key] = value;
    i = j + 1;
    if (i < line.size() && line[i] == ',') ++i;
  }
  if (i >= line.size()) return false;
  *pos = i + 1;
  return true;
}

Exposition Parse(const std::string& text) {
  Exposition e;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    if (line.starts_with("# HELP ") || line.starts_with("# TYPE ")) {
      const std::string rest = line.substr(7);
      const size_t space = rest.find(' ');
      if (space == std::string::npos) {
        e.errors.push_back("bad comment: " + line);
        continue;
      }
      auto& map = line[2] == 'H' ? e.help : e.types;
      const std::string name = rest.substr(0, space);
      if (map.contains(name)) e.errors.push_back("repeated: " + line);
      map[name] = rest.substr(space + 1);
      continue;
    }
    size_t pos = line.find_first_of("{ ");
    if (pos == std::string::npos) {
      e.errors.push_back("bad sample: " + line);
      continue;
    }
    const std::string name = line.substr(0, pos);
    Labels labels;
    if (line[pos] == '{') {
      ++pos;
      if (!ParseLabels(line, &pos, &labels)) {
        e.errors.push_back("bad labels: " + line);
        continue;
      }
    }
    if (pos >= line.size() || line[pos] != ' ') {
      e.errors.push_back("no value: " + line);
      continue;
    }
    const std::string value = line.substr(pos + 1);
    char* end = nullptr;
    const double v = value == "+Inf" ? HUGE_VAL : std::strtod(value.c_str(), &end);
    if (value != "+Inf" && (end == value.c_str() || *end != '\0')) {
      e.errors.push_back("bad value: " + line);
      continue;
    }
    const std::string family = FamilyOf(e, name);
    if (!e.types.contains(family)) e.errors.push_back("sample before its TYPE: " + line);
    if (!e.samples.emplace(std::make_pair(name, labels), v).second) {
      e.errors.push_back("repeated sample: " + line);
    }
  }
  return e;
}

class MetricsTest : public ServerTest {
 protected:
  void SetUp() override {
    metrics_listen_ = "127.0.0.1:0";
    ASSERT_NO_FATAL_FAILURE(ServerTest::SetUp());
    audit_ = v1::AuditService::NewStub(channel_);
    lineage_ = v1::LineageService::NewStub(channel_);
  }

  // GET /metrics, parsed; fails the test on a malformed exposition.
  Exposition Scrape() {
    const std::string address = server_->metrics_address();
    const size_t colon = address.rfind(':');
    httplib::Client client(address.substr(0, colon), std::stoi(address.substr(colon + 1)));
    httplib::Result result = client.Get("/metrics");
    EXPECT_TRUE(result) << httplib::to_string(result.error());
    if (!result) return {};
    EXPECT_EQ(result->status, 200);
    EXPECT_EQ(result->get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
    Exposition e = Parse(result->body);
    EXPECT_TRUE(e.errors.empty()) << absl::StrJoin(e.errors, "\n");
    return e;
  }

  // Nodes of type Doc: two any agent sees, two labelled "secret" that an
  // uncleared one does not; open-1 mentions all three others and derives
  // from hidden-1. Every node's text holds "alpha".
  void WriteGraph() {
    DefineLabels({"secret"});
    AdminWrite({UpsertNode(MakeNode("open-1", {}, "Doc", {{"text", Str("alpha report")}})),
                UpsertNode(MakeNode("open-2", {}, "Doc", {{"text", Str("alpha notes")}})),
                UpsertNode(MakeNode("hidden-1", {"secret"}, "Doc", {{"text", Str("alpha x")}})),
                UpsertNode(MakeNode("hidden-2", {"secret"}, "Doc", {{"text", Str("alpha y")}})),
                UpsertEdge("open-1", "MENTIONS", "open-2"),
                UpsertEdge("open-1", "MENTIONS", "hidden-2"),
                UpsertEdge("open-1", "DERIVED_FROM", "hidden-1")});
    agent_ = CreatePrincipal("agent", {v1::ROLE_AGENT}, {});
  }

  std::string agent_;
  std::unique_ptr<v1::AuditService::Stub> audit_;
  std::unique_ptr<v1::LineageService::Stub> lineage_;
};

TEST_F(MetricsTest, CountsCallsByMethodAndCodeAndTheNodesReadsHid) {
  ASSERT_NO_FATAL_FAILURE(WriteGraph());
  const Exposition before = Scrape();

  v1::GetNodeResponse node;
  ASSERT_OK(GetNode(agent_, "open-1", &node));
  ASSERT_OK(GetNode(agent_, "open-2", &node));
  EXPECT_STATUS(GetNode(agent_, "hidden-1", &node), absl::StatusCode::kNotFound,
                "node \"hidden-1\" not found");
  v1::ListNodesRequest list;
  list.set_label("Doc");
  v1::ListNodesResponse nodes;
  ASSERT_OK(ListNodes(agent_, list, &nodes));
  ASSERT_EQ(NodeIds(nodes), (std::vector<std::string>{"open-1", "open-2"}));
  v1::ListNeighborsRequest neighbors_request;
  neighbors_request.set_id("open-1");
  neighbors_request.set_direction(v1::DIRECTION_BOTH);
  v1::ListNeighborsResponse neighbors;
  ASSERT_OK(ListNeighbors(agent_, neighbors_request, &neighbors));
  ASSERT_EQ(neighbors.neighbors_size(), 1);
  v1::WriteResponse write;
  EXPECT_EQ(Write(agent_, {UpsertNode(MakeNode("x"))}, &write).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::SearchRequest search;
  search.set_query("alpha");
  v1::SearchResponse hits;
  ASSERT_OK(Search(agent_, search, &hits));
  ASSERT_EQ(hits.hits_size(), 2);
  v1::LineageRequest lineage_request;
  lineage_request.set_node_id("open-1");
  v1::LineageResponse lineage;
  ASSERT_OK(
      Call(lineage_.get(), &v1::LineageService::Stub::Upstream, agent_, lineage_request, &lineage));
  ASSERT_EQ(lineage.nodes_size(), 1);  // open-1 alone: its source is hidden

  const Exposition after = Scrape();
  auto delta = [&](const std::string& name, const Labels& labels) {
    return after.Value(name, labels) - before.Value(name, labels);
  };
  const std::string requests = "ctxgraph_rpc_requests_total";
  EXPECT_EQ(delta(requests, {{"method", "GetNode"}, {"code", "OK"}}), 2);
  EXPECT_EQ(delta(requests, {{"method", "GetNode"}, {"code", "NOT_FOUND"}}), 1);
  EXPECT_EQ(delta(requests, {{"method", "ListNodes"}, {"code", "OK"}}), 1);
  EXPECT_EQ(delta(requests, {{"method", "ListNeighbors"}, {"code", "OK"}}), 1);
  EXPECT_EQ(delta(requests, {{"method", "Write"}, {"code", "PERMISSION_DENIED"}}), 1);
  EXPECT_EQ(delta(requests, {{"method", "Search"}, {"code", "OK"}}), 1);
  EXPECT_EQ(delta(requests, {{"method", "Upstream"}, {"code", "OK"}}), 1);
  EXPECT_EQ(delta("ctxgraph_boundary_denials_total", {{"method", "Write"}}), 1);
  EXPECT_EQ(delta("ctxgraph_boundary_denials_total", {{"method", "GetNode"}}), 0);

  // Exactly the hidden nodes each answer left out.
  const std::string hidden = "ctxgraph_hidden_nodes_total";
  EXPECT_EQ(delta(hidden, {{"method", "GetNode"}}), 1);        // hidden-1
  EXPECT_EQ(delta(hidden, {{"method", "ListNodes"}}), 2);      // hidden-1, hidden-2
  EXPECT_EQ(delta(hidden, {{"method", "ListNeighbors"}}), 2);  // hidden-1, hidden-2
  EXPECT_EQ(delta(hidden, {{"method", "Search"}}), 2);         // both match "alpha"
  EXPECT_EQ(delta(hidden, {{"method", "Upstream"}}), 1);       // hidden-1
  EXPECT_EQ(delta(hidden, {{"method", "Write"}}), 0);

  // The one posting block of "alpha"; no other read decodes any.
  const std::string blocks = "ctxgraph_posting_blocks_read_total";
  EXPECT_EQ(delta(blocks, {{"method", "Search"}}), 1);
  EXPECT_EQ(delta(blocks, {{"method", "GetNode"}}), 0);
  EXPECT_EQ(after.types.at(blocks), "counter");

  const std::string items = "ctxgraph_rpc_items_returned_total";
  EXPECT_EQ(delta(items, {{"method", "GetNode"}}), 2);  // the NOT_FOUND returned none
  EXPECT_EQ(delta(items, {{"method", "ListNodes"}}), 2);
  EXPECT_EQ(delta(items, {{"method", "ListNeighbors"}}), 1);
  EXPECT_EQ(delta(items, {{"method", "Search"}}), 2);
  EXPECT_EQ(delta(items, {{"method", "Upstream"}}), 1);

  EXPECT_EQ(after.types.at(requests), "counter");
  EXPECT_EQ(after.types.at(hidden), "counter");
  EXPECT_EQ(after.types.at("ctxgraph_boundary_denials_total"), "counter");
  EXPECT_EQ(after.help.at(requests), "RPCs answered, by method and gRPC status code.");
}

TEST_F(MetricsTest, TheLatencyHistogramIsCumulativeAndCountsEveryCall) {
  ASSERT_NO_FATAL_FAILURE(WriteGraph());
  const Exposition before = Scrape();
  v1::GetNodeResponse node;
  for (int i = 0; i < 3; ++i) ASSERT_OK(GetNode(agent_, "open-1", &node));
  EXPECT_EQ(GetNode("", "open-1", &node).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  const Exposition after = Scrape();

  const std::string name = "ctxgraph_rpc_duration_seconds";
  EXPECT_EQ(after.types.at(name), "histogram");
  const Labels method = {{"method", "GetNode"}};
  EXPECT_EQ(after.Value(name + "_count", method) - before.Value(name + "_count", method), 4);
  EXPECT_GT(after.Value(name + "_sum", method), before.Value(name + "_sum", method));

  std::vector<std::pair<double, double>> buckets;  // (le, cumulative count)
  for (const auto& [key, value] : after.samples) {
    if (key.first != name + "_bucket" || key.second.at("method") != "GetNode") continue;
    const std::string& le = key.second.at("le");
    buckets.emplace_back(le == "+Inf" ? HUGE_VAL : std::stod(le), value);
  }
  std::sort(buckets.begin(), buckets.end());
  ASSERT_EQ(buckets.size(), kLatencyBucketsSeconds.size() + 1);
  EXPECT_EQ(buckets.front().first, 0.0001);
  EXPECT_EQ(buckets[buckets.size() - 2].first, 10.0);
  for (size_t i = 1; i < buckets.size(); ++i) {
    EXPECT_LE(buckets[i - 1].second, buckets[i].second) << "le=" << buckets[i].first;
  }
  EXPECT_EQ(buckets.back().first, HUGE_VAL);
  EXPECT_EQ(buckets.back().second, after.Value(name + "_count", method));
}

TEST_F(MetricsTest, RetrieveCountsItsItemsAndTheHiddenNodesItsExpansionMet) {
  ASSERT_NO_FATAL_FAILURE(WriteGraph());
  const Exposition before = Scrape();
  v1::RetrieveRequest request;
  request.add_seeds("open-1");
  v1::RetrieveResponse response;
  ASSERT_OK(Call(context_.get(), &v1::ContextService::Stub::Retrieve, agent_, request, &response));
  const Exposition after = Scrape();
  const Labels method = {{"method", "Retrieve"}};
  EXPECT_EQ(after.Value("ctxgraph_rpc_items_returned_total", method) -
                before.Value("ctxgraph_rpc_items_returned_total", method),
            response.items_size());
  EXPECT_EQ(response.items_size(), 2);  // open-1, open-2
  EXPECT_EQ(after.Value("ctxgraph_hidden_nodes_total", method) -
                before.Value("ctxgraph_hidden_nodes_total", method),
            2);
}

TEST_F(MetricsTest, ImportProgressCountsReceivedWrittenAndRejectedOps) {
  const Exposition before = Scrape();
  grpc::ClientContext context;
  context.AddMetadata("authorization", "Bearer " + admin_token_);
  v1::ImportResponse response;
  auto writer = graph_->Import(&context, &response);
  v1::ImportRequest request;
  *request.add_ops() = UpsertNode(MakeNode("a"));
  *request.add_ops() = UpsertNode(MakeNode(""));  // rejected: empty id
  ASSERT_TRUE(writer->Write(request));
  request.Clear();
  *request.add_ops() = UpsertNode(MakeNode("b"));
  *request.add_ops() = UpsertEdge("a", "MENTIONS", "b");
  *request.add_ops() = UpsertNode(MakeNode("a"));  // unchanged: neither written nor rejected
  ASSERT_TRUE(writer->Write(request));
  writer->WritesDone();
  ASSERT_OK(writer->Finish());
  ASSERT_EQ(response.rejects_size(), 1);

  const Exposition after = Scrape();
  auto delta = [&](const std::string& name) { return after.Value(name) - before.Value(name); };
  EXPECT_EQ(delta("ctxgraph_import_ops_received_total"), 5);
  EXPECT_EQ(delta("ctxgraph_import_ops_written_total"), 3);
  EXPECT_EQ(delta("ctxgraph_import_ops_rejected_total"), 1);
  EXPECT_EQ(after.Value("ctxgraph_imports_in_progress"), 0);
  EXPECT_EQ(after.types.at("ctxgraph_imports_in_progress"), "gauge");
  EXPECT_EQ(after.types.at("ctxgraph_import_ops_received_total"), "counter");
}

TEST_F(MetricsTest, AStrictBulkImportThatAbortsCountsNoWrittenOps) {
  const Exposition before = Scrape();
  grpc::ClientContext context;
  context.AddMetadata("authorization", "Bearer " + admin_token_);
  v1::ImportResponse response;
  auto writer = graph_->Import(&context, &response);
  v1::ImportRequest request;
  request.mutable_options()->set_bulk(true);
  request.mutable_options()->set_strict(true);
  *request.add_ops() = UpsertNode(MakeNode("a"));
  *request.add_ops() = UpsertNode(MakeNode("b"));
  ASSERT_TRUE(writer->Write(request));
  // Applied to the session, not committed: not written yet, and never once
  // the import aborts (a counter that went up would have to go down).
  Exposition during = Scrape();
  auto since_before = [&](const std::string& name) {
    return during.Value(name) - before.Value(name);
  };
  for (int i = 0; i < 500 && since_before("ctxgraph_import_ops_received_total") < 2; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    during = Scrape();
  }
  EXPECT_EQ(since_before("ctxgraph_import_ops_received_total"), 2);
  EXPECT_EQ(since_before("ctxgraph_import_ops_written_total"), 0);
  request.Clear();
  *request.add_ops() = UpsertNode(MakeNode(""));  // rejected: the import aborts
  writer->Write(request);                         // the server may already have answered
  writer->WritesDone();
  ASSERT_OK(writer->Finish());
  ASSERT_TRUE(response.aborted());

  const Exposition after = Scrape();
  auto delta = [&](const std::string& name) { return after.Value(name) - before.Value(name); };
  EXPECT_EQ(delta("ctxgraph_import_ops_received_total"), 3);
  EXPECT_EQ(delta("ctxgraph_import_ops_written_total"), 0);
  EXPECT_EQ(delta("ctxgraph_import_ops_rejected_total"), 1);
}

TEST_F(MetricsTest, AuditGaugesShowTheLogHeadAndTheLastVerification) {
  ASSERT_NO_FATAL_FAILURE(WriteGraph());
  const auto start = std::chrono::system_clock::now();
  v1::VerifyLogResponse verify;
  ASSERT_OK(Call(audit_.get(), &v1::AuditService::Stub::VerifyLog, admin_token_,
                 v1::VerifyLogRequest(), &verify));
  ASSERT_TRUE(verify.ok());
  const double end_seconds =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  const Exposition e = Scrape();
  // Nothing was appended since VerifyLog walked the log.
  EXPECT_EQ(e.Value("ctxgraph_audit_log_last_seq"), verify.head_seq());
  EXPECT_GT(verify.head_seq(), 0u);
  EXPECT_EQ(e.Value("ctxgraph_audit_verify_ok"), 1);
  const double at = e.Value("ctxgraph_audit_verify_timestamp_seconds");
  EXPECT_GE(at, std::chrono::duration<double>(start.time_since_epoch()).count());
  EXPECT_LE(at, end_seconds);
  EXPECT_EQ(e.types.at("ctxgraph_audit_log_last_seq"), "gauge");
  EXPECT_EQ(e.types.at("ctxgraph_audit_verify_ok"), "gauge");
}

TEST_F(MetricsTest, TheHistoryHorizonAndRequestsInFlightAreGauges) {
  // No retention setting: all history is kept, and nothing is being served.
  Exposition e = Scrape();
  EXPECT_EQ(e.types.at("ctxgraph_history_horizon_version"), "gauge");
  EXPECT_EQ(e.Value("ctxgraph_history_horizon_version"), 0);
  EXPECT_EQ(e.types.at("ctxgraph_rpc_in_flight"), "gauge");
  EXPECT_EQ(e.Value("ctxgraph_rpc_in_flight"), 0);

  // Keep the latest 2 versions: the horizon is latest - 1 once advanced.
  ASSERT_NO_FATAL_FAILURE(StopServer());
  history_retention_ = RetentionSetting{.kind = RetentionSetting::Kind::kVersions, .versions = 2};
  ASSERT_NO_FATAL_FAILURE(StartServer());
  for (const char* title : {"one", "two", "three"}) {
    AdminWrite({UpsertNode(MakeNode("n", {}, "Doc", {{"title", Str(title)}}))});
  }
  absl::StatusOr<uint64_t> horizon = server_->backend().db->AdvanceHistoryHorizon(Now());
  ASSERT_TRUE(horizon.ok()) << horizon.status();
  ASSERT_EQ(*horizon, LatestVersion() - 1);
  e = Scrape();
  EXPECT_EQ(e.Value("ctxgraph_history_horizon_version"), static_cast<double>(*horizon));
}

TEST_F(MetricsTest, ReadCacheAndIdCacheCountHitsAndMissesAlikeForAbsentAndHiddenIds) {
  ASSERT_NO_FATAL_FAILURE(WriteGraph());
  const Exposition before = Scrape();
  for (const char* cache : {"ctxgraph_read_cache", "ctxgraph_id_cache"}) {
    EXPECT_EQ(before.types.at(absl::StrCat(cache, "_lookups_total")), "counter") << cache;
    EXPECT_EQ(before.types.at(absl::StrCat(cache, "_bytes")), "gauge") << cache;
  }
  // Two GetNodes of `id`: {read cache hits, misses, id cache hits, misses}.
  auto lookups_of_two_reads = [&](const std::string& id, absl::StatusCode code) {
    const Exposition first = Scrape();
    v1::GetNodeResponse node;
    for (int i = 0; i < 2; ++i) EXPECT_EQ(ToStatus(GetNode(agent_, id, &node)).code(), code) << id;
    const Exposition second = Scrape();
    std::vector<double> out;
    for (const char* cache : {"ctxgraph_read_cache", "ctxgraph_id_cache"}) {
      const std::string family = absl::StrCat(cache, "_lookups_total");
      for (const char* result : {"hit", "miss"}) {
        out.push_back(second.Value(family, {{"result", result}}) -
                      first.Value(family, {{"result", result}}));
      }
    }
    return out;
  };
  // A miss in each cache fills it, then a hit in each: for a visible node,
  // for a hidden one, and for an id that does not exist, so that the last
  // two cost alike.
  const std::vector<double> once_each = {1, 1, 1, 1};
  EXPECT_EQ(lookups_of_two_reads("open-1", absl::StatusCode::kOk), once_each);
  EXPECT_EQ(lookups_of_two_reads("hidden-1", absl::StatusCode::kNotFound), once_each);
  EXPECT_EQ(lookups_of_two_reads("absent-1", absl::StatusCode::kNotFound), once_each);
  const Exposition after = Scrape();
  EXPECT_GT(after.Value("ctxgraph_read_cache_bytes"), 0);
  EXPECT_GT(after.Value("ctxgraph_id_cache_bytes"), 0);
}

// A cache's {hit, miss} lookup counts (`cache`_lookups_total).
std::vector<double> HitsAndMisses(const Exposition& e, const std::string& cache) {
  const std::string family = cache + "_lookups_total";
  return {e.Value(family, {{"result", "hit"}}), e.Value(family, {{"result", "miss"}})};
}

// The first answer of a node encodes and keeps it, the second copies it.
TEST_F(MetricsTest, WireCacheCountsAMissThenAHit) {
  ASSERT_NO_FATAL_FAILURE(WriteGraph());
  const Exposition before = Scrape();
  EXPECT_EQ(before.types.at("ctxgraph_wire_cache_lookups_total"), "counter");
  EXPECT_EQ(before.types.at("ctxgraph_wire_cache_bytes"), "gauge");
  auto lookups = [](const Exposition& e) { return HitsAndMisses(e, "ctxgraph_wire_cache"); };
  v1::GetNodeResponse node;
  for (int i = 0; i < 2; ++i) ASSERT_TRUE(GetNode(agent_, "open-1", &node).ok());
  EXPECT_EQ(node.node().id(), "open-1");
  const Exposition after = Scrape();
  EXPECT_EQ(lookups(after), (std::vector<double>{lookups(before)[0] + 1, lookups(before)[1] + 1}));
  EXPECT_GT(after.Value("ctxgraph_wire_cache_bytes"), before.Value("ctxgraph_wire_cache_bytes"));
}

// Edges answer the same way: ListNeighbors of open-1 answers its one
// visible edge (the two to hidden nodes are never looked up), and Retrieve
// from open-2 answers that same edge, read through its other end.
TEST_F(MetricsTest, EdgeWireCacheCountsAMissThenAHitForTheSameRecord) {
  ASSERT_NO_FATAL_FAILURE(WriteGraph());
  const Exposition before = Scrape();
  EXPECT_EQ(before.types.at("ctxgraph_edge_wire_cache_lookups_total"), "counter");
  EXPECT_EQ(before.types.at("ctxgraph_edge_wire_cache_bytes"), "gauge");
  auto lookups = [](const Exposition& e) { return HitsAndMisses(e, "ctxgraph_edge_wire_cache"); };
  v1::ListNeighborsRequest request;
  request.set_id("open-1");
  v1::ListNeighborsResponse neighbors;
  ASSERT_OK(ListNeighbors(agent_, request, &neighbors));
  ASSERT_EQ(neighbors.neighbors_size(), 1);
  EXPECT_EQ(neighbors.neighbors(0).edge().to(), "open-2");
  const Exposition listed = Scrape();
  EXPECT_EQ(lookups(listed), (std::vector<double>{lookups(before)[0], lookups(before)[1] + 1}));
  EXPECT_GT(listed.Value("ctxgraph_edge_wire_cache_bytes"),
            before.Value("ctxgraph_edge_wire_cache_bytes"));

  v1::RetrieveRequest retrieve;
  retrieve.add_seeds("open-2");
  v1::RetrieveResponse context;
  ASSERT_OK(Call(context_.get(), &v1::ContextService::Stub::Retrieve, agent_, retrieve, &context));
  ASSERT_EQ(context.edges_size(), 1);
  EXPECT_EQ(context.edges(0).from(), "open-1");
  EXPECT_EQ(context.edges(0).provenance().version(),
            neighbors.neighbors(0).edge().provenance().version());
  EXPECT_EQ(lookups(Scrape()),
            (std::vector<double>{lookups(before)[0] + 1, lookups(before)[1] + 1}));
}

TEST_F(MetricsTest, RocksDbFiguresAreLabelledByColumnFamily) {
  ASSERT_NO_FATAL_FAILURE(WriteGraph());
  const Exposition e = Scrape();
  for (const char* name :
       {"ctxgraph_rocksdb_estimate_num_keys", "ctxgraph_rocksdb_sst_files_bytes",
        "ctxgraph_rocksdb_sst_files", "ctxgraph_rocksdb_memtable_bytes",
        "ctxgraph_rocksdb_pending_compaction_bytes", "ctxgraph_rocksdb_block_cache_usage_bytes",
        "ctxgraph_rocksdb_delayed_write_rate_bytes", "ctxgraph_rocksdb_write_stopped"}) {
    EXPECT_EQ(e.types.count(name) ? e.types.at(name) : "", "gauge") << name;
  }
  EXPECT_EQ(e.types.at("ctxgraph_rocksdb_write_stops_total"), "counter");
  // The four nodes are in the nodes column family's memtable.
  EXPECT_GE(e.Value("ctxgraph_rocksdb_estimate_num_keys", {{"cf", "nodes"}}), 4);
  EXPECT_GT(e.Value("ctxgraph_rocksdb_memtable_bytes", {{"cf", "nodes"}}), 0);
  EXPECT_TRUE(e.Has("ctxgraph_rocksdb_sst_files_bytes", {{"cf", "audit"}}));
  // Nothing was flushed yet: every write is still in a memtable.
  EXPECT_EQ(e.Value("ctxgraph_rocksdb_sst_files", {{"cf", "nodes"}}), 0);
  EXPECT_EQ(e.Value("ctxgraph_rocksdb_write_stopped"), 0);

  Database& db = *server_->backend().db;
  ASSERT_TRUE(db.rocks()->Flush(rocksdb::FlushOptions(), db.handle(Cf::kNodes)).ok());
  EXPECT_EQ(Scrape().Value("ctxgraph_rocksdb_sst_files", {{"cf", "nodes"}}), 1);
}

TEST_F(MetricsTest, OnlyMetricsIsServed) {
  const std::string address = server_->metrics_address();
  const size_t colon = address.rfind(':');
  httplib::Client client(address.substr(0, colon), std::stoi(address.substr(colon + 1)));
  httplib::Result result = client.Get("/");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 404);
}

// Sends each of `requests` on one fresh connection to the metrics port, each
// once the answer to the one before it has come in whole, and answers all
// it received: a response ends at its Content-Length, or when the server
// closes or 3 s pass without a byte (a server that waits for the rest of a
// body never answers before its own 5 s timeout).
std::string Exchange(const std::string& address, const std::vector<std::string>& requests) {
  const size_t colon = address.rfind(':');
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<uint16_t>(std::stoi(address.substr(colon + 1))));
  EXPECT_EQ(inet_pton(AF_INET, address.substr(0, colon).c_str(), &to.sin_addr), 1);
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  EXPECT_GE(fd, 0);
  timeval wait{3, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait);
  std::string received;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0) {
    for (const std::string& request : requests) {
      if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) !=
          static_cast<ssize_t>(request.size())) {
        break;
      }
      const size_t start = received.size();
      bool closed = false;
      while (true) {
        const size_t head_end = received.find("\r\n\r\n", start);
        if (head_end != std::string::npos) {
          const std::string head = absl::AsciiStrToLower(received.substr(start, head_end - start));
          const size_t at = head.find("content-length: ");
          const size_t body = at == std::string::npos ? 0 : std::stoul(head.substr(at + 16));
          if (received.size() >= head_end + 4 + body) break;
        }
        char buffer[512];
        const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
        if (n <= 0) {
          closed = true;
          break;
        }
        received.append(buffer, static_cast<size_t>(n));
      }
      if (closed) break;
    }
  }
  ::close(fd);
  return received;
}

// The status line of the answer to `head` on a fresh connection, or "".
std::string StatusLineFor(const std::string& address, const std::string& head) {
  const std::string response = Exchange(address, {head});
  return response.substr(0, response.find("\r\n"));
}

TEST_F(MetricsTest, ARequestWithABodyIsAnsweredBeforeItsBodyIsRead) {
  // A terabyte announced, a few bytes sent: answered at once, nothing held.
  const std::string address = server_->metrics_address();
  EXPECT_EQ(StatusLineFor(address,
                          "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: "
                          "1000000000000\r\n\r\nabc"),
            "HTTP/1.1 405 Method Not Allowed");
  EXPECT_EQ(StatusLineFor(address,
                          "PUT /anything HTTP/1.1\r\nHost: x\r\nContent-Encoding: gzip\r\n"
                          "Transfer-Encoding: chunked\r\n\r\n100000\r\nabc"),
            "HTTP/1.1 404 Not Found");
  EXPECT_EQ(StatusLineFor(address,
                          "GET /metrics HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: "
                          "chunked\r\n\r\n100000\r\nabc"),
            "HTTP/1.1 413 Payload Too Large");
  EXPECT_EQ(StatusLineFor(address,
                          "GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: "
                          "1000000000000\r\n\r\nabc"),
            "HTTP/1.1 413 Payload Too Large");
  // A connection carries one request, so a refused request's unread body
  // is never read as a request of its own: one answer, then it closes.
  const std::string scrape = "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n";
  const std::string after_body = Exchange(
      address,
      {absl::StrCat("POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: ", scrape.size(), "\r\n\r\n"),
       scrape});
  EXPECT_TRUE(absl::StartsWith(after_body, "HTTP/1.1 404 Not Found\r\n")) << after_body;
  EXPECT_EQ(after_body.find("HTTP/1.1 200"), std::string::npos) << after_body;
  const std::string second = Exchange(address, {scrape, scrape});
  EXPECT_TRUE(absl::StartsWith(second, "HTTP/1.1 200 OK\r\n")) << second;
  EXPECT_EQ(second.find("HTTP/1.1", 1), std::string::npos) << second;
  // And scrapes still work.
  EXPECT_EQ(StatusLineFor(address, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"), "HTTP/1.1 200 OK");
  EXPECT_TRUE(Scrape().Has("ctxgraph_rpc_in_flight"));
}

TEST(ExpositionWriterTest, EscapesLabelValuesAndHelp) {
  ExpositionWriter w;
  w.Family("x_total", "counter", "a \\ b\nc");
  w.Sample("x_total", {{"k", "q\"b\\s\nn"}, {"j", ""}}, uint64_t{3});
  w.Sample("x_total", {}, int64_t{-2});
  EXPECT_EQ(w.text(),
            "# HELP x_total a \\\\ b\\nc\n"
            "# TYPE x_total counter\n"
            "x_total{k=\"q\\\"b\\\\s\\nn\",j=\"\"} 3\n"
            "x_total -2\n");
}

TEST(ExpositionWriterTest, AHistogramHasCumulativeBucketsSumAndCount) {
  LatencyHistogram h;
  h.Observe(std::chrono::microseconds(50));   // le 0.0001
  h.Observe(std::chrono::microseconds(100));  // le 0.0001: bounds are inclusive
  h.Observe(std::chrono::milliseconds(3));    // le 0.005
  h.Observe(std::chrono::seconds(11));        // +Inf only
  ExpositionWriter w;
  w.Histogram("d_seconds", {{"method", "M"}}, h.Read());
  const std::vector<std::string> lines = absl::StrSplit(w.text(), '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), kLatencyBucketsSeconds.size() + 3);
  EXPECT_EQ(lines[0], "d_seconds_bucket{method=\"M\",le=\"0.0001\"} 2");
  EXPECT_EQ(lines[4], "d_seconds_bucket{method=\"M\",le=\"0.0025\"} 2");
  EXPECT_EQ(lines[5], "d_seconds_bucket{method=\"M\",le=\"0.005\"} 3");
  EXPECT_EQ(lines[15], "d_seconds_bucket{method=\"M\",le=\"10\"} 3");
  EXPECT_EQ(lines[16], "d_seconds_bucket{method=\"M\",le=\"+Inf\"} 4");
  EXPECT_EQ(lines[17], "d_seconds_sum{method=\"M\"} 11.003150000");
  EXPECT_EQ(lines[18], "d_seconds_count{method=\"M\"} 4");
}

}  // namespace
}  // namespace ctxgraph::server
