// A property test of visibility: random graphs with random boundary labels,
// propagating labels, DERIVED_FROM chains and cycles, sanitized edges,
// relabels, deletes and several versions, read by random principals through
// every read API of a real server, each answer compared with PrivacyModel
// (privacy_model.h): zero extra or missing results. Hidden "canary" nodes
// carry a unique random string in their id, type label, boundary label,
// props and text; every byte an uncleared caller receives is scanned for it.
//
// One server holds every graph: graph g's ids, type labels, boundary labels
// and search terms all start with its own prefix, so graphs never meet.
// CTXGRAPH_PROPERTY_GRAPHS sets how many graphs (default kDefaultGraphs),
// CTXGRAPH_PROPERTY_SEED the first seed (graph g uses seed + g). A failure
// prints the seed and the graph.
#include <cstdio>
#include <cstdlib>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "ctxgraph/v1/lineage.grpc.pb.h"
#include "tests/server/observed_call.h"
#include "tests/server/privacy_model.h"
#include "tests/server/server_test_fixture.h"

namespace ctxgraph::server {
namespace {

using privacy_model::Dir;
using privacy_model::ModelCaller;
using privacy_model::ModelGraph;
using privacy_model::ModelNode;
using privacy_model::PrivacyModel;

constexpr int kDefaultGraphs = 40;
constexpr uint64_t kDefaultSeed = 20261202;
const char* const kEdgeLabels[] = {"DERIVED_FROM", "REFERENCES", "PART_OF"};

uint64_t EnvNumber(const char* name, uint64_t fallback) {
  const char* value = std::getenv(name);
  return value && *value ? std::strtoull(value, nullptr, 10) : fallback;
}

struct Principal {
  std::string id;
  std::string token;
  ModelCaller model;
  std::string transcript;  // every byte it received, for the canary scan
};

struct Canary {
  std::string secret;  // in the id, type label, boundary label, props, text
  std::string label;   // the boundary label only this node carries
};

class PrivacyPropertyTest : public ServerTest {
 protected:
  void Configure(ServerOptions* options) override {
    options->database.sync_audit_appends = false;  // thousands of audited reads
  }
  void SetUp() override {
    ServerTest::SetUp();
    lineage_ = v1::LineageService::NewStub(channel_);
  }

  // Builds graph `g` on the server and in model_, and its principals.
  void BuildGraph(int g, std::mt19937_64& rng);
  // Compares every read API, for every principal, at every version.
  void CheckGraph(std::mt19937_64& rng);
  void CheckVersion(Principal& p, uint64_t version, std::mt19937_64& rng);
  void CheckGetNode(Principal& p, uint64_t version);
  void CheckListNodes(Principal& p, uint64_t version, std::mt19937_64& rng);
  void CheckNeighbors(Principal& p, uint64_t version, std::mt19937_64& rng);
  void CheckSearch(Principal& p, uint64_t version, std::mt19937_64& rng);
  void CheckRetrieve(Principal& p, uint64_t version, std::mt19937_64& rng);
  void CheckLineage(Principal& p, uint64_t version, std::mt19937_64& rng);
  void CheckPath(Principal& p, uint64_t version, std::mt19937_64& rng);
  void ScanCanaries();

  std::string RandomSecret(std::mt19937_64& rng) {
    static const char kHex[] = "0123456789abcdef";
    std::string s = "z";  // a letter first: it is a search term and a type label
    for (int i = 0; i < 15; ++i) s += kHex[rng() % 16];
    return s;
  }
  template <typename T>
  const T& Pick(const std::vector<T>& v, std::mt19937_64& rng) {
    return v[rng() % v.size()];
  }
  std::set<std::string> RandomEdgeLabels(std::mt19937_64& rng) {
    std::set<std::string> labels;
    if (rng() % 2) return labels;  // every label
    for (const char* l : kEdgeLabels) {
      if (rng() % 2) labels.insert(l);
    }
    return labels;
  }
  Dir RandomDir(std::mt19937_64& rng) { return static_cast<Dir>(rng() % 3); }
  static v1::Direction ToProto(Dir d) {
    return d == Dir::kOut  ? v1::DIRECTION_OUT
           : d == Dir::kIn ? v1::DIRECTION_IN
                           : v1::DIRECTION_BOTH;
  }
  // The failure context: seed, caller, version and the whole graph.
  std::string Where(const Principal& p, uint64_t version) const {
    return absl::StrCat("seed ", seed_, " caller ", p.id, " [",
                        absl::StrJoin(p.model.clearances, ","), "]",
                        p.model.auditor ? " auditor" : "", " as_of ", version, "\n", model_.Dump());
  }
  template <typename Req, typename Resp, typename Stub>
  grpc::Status Observe(Principal& p, Stub* stub,
                       grpc::Status (Stub::*method)(grpc::ClientContext*, const Req&, Resp*),
                       const Req& request, Resp* response, std::string* transcript = nullptr) {
    grpc::Status status;
    std::string seen = ObservedCall(stub, method, p.token, request, response, &status);
    ++calls_;
    // The caller learns nothing from its own words echoed back (a NOT_FOUND
    // message names the id it asked for): the scan skips those. The checks
    // compare those answers with the model, and a hidden id's byte for
    // byte with an absent id's, so nothing else hides behind the echo.
    const std::string asked = request.SerializeAsString();
    std::string learned = seen;
    for (const auto& [id, canary] : canaries_) {
      if (asked.find(canary.secret) != std::string::npos) {
        learned = absl::StrReplaceAll(learned, {{canary.secret, "<echo>"}});
      }
    }
    p.transcript += learned;
    if (transcript) *transcript = std::move(seen);
    return status;
  }

  std::unique_ptr<v1::LineageService::Stub> lineage_;
  uint64_t seed_ = 0;
  std::string prefix_;
  PrivacyModel model_;
  std::vector<std::string> ids_;            // every id the graph ever had
  std::vector<std::string> types_;          // every type label it used
  std::vector<std::string> words_;          // every search term it used
  std::map<std::string, Canary> canaries_;  // by node id
  std::vector<uint64_t> versions_;          // the graph's commits
  std::vector<Principal> principals_;
  Principal seer_;  // clearance "*": the canaries must reach it
  // What the run compared, printed at the end so a vacuous run shows.
  uint64_t calls_ = 0;
  uint64_t hidden_answers_ = 0;  // hidden ids answered like absent ones
  uint64_t stubs_ = 0;           // lineage stubs checked
  uint64_t canary_scans_ = 0;    // (canary, uncleared caller) pairs scanned
};

void PrivacyPropertyTest::BuildGraph(int g, std::mt19937_64& rng) {
  model_ = PrivacyModel();
  ids_.clear();
  types_.clear();
  words_.clear();
  canaries_.clear();
  versions_.clear();
  principals_.clear();
  prefix_ = absl::StrCat("g", g);
  const std::string& pre = prefix_;
  const std::vector<std::string> pool = {pre + ":a", pre + ":b", pre + "p", pre + "q", pre + "x"};
  const std::set<std::string> propagating = {pre + "p", pre + "q"};
  // Canaries add their own type and word to types_ and words_; the other
  // nodes draw only from these.
  const std::vector<std::string> types = {"G" + pre + "Doc", "G" + pre + "Msg", "G" + pre + "Dec"};
  std::vector<std::string> words;
  for (int w = 0; w < 6; ++w) words.push_back(absl::StrCat(pre, "w", w));
  types_ = types;
  words_ = words;
  auto random_pool_labels = [&]() {
    std::set<std::string> labels;
    for (const auto& l : pool) {
      if (rng() % 4 == 0) labels.insert(l);
    }
    return labels;
  };
  auto random_words = [&]() {
    std::set<std::string> picked;
    const int n = 1 + rng() % 3;
    for (int i = 0; i < n; ++i) picked.insert(Pick(words, rng));
    return picked;
  };

  // The nodes: about one in five is a canary.
  ModelGraph graph;
  const int n = 10 + rng() % 31;
  std::vector<v1::WriteOp> define;
  for (const auto& l : pool) {
    define.push_back(DefineLabel(l, propagating.count(l) > 0));
    model_.DefineLabel(l, propagating.count(l) > 0);
  }
  for (int i = 0; i < n; ++i) {
    ModelNode node;
    std::string id = absl::StrCat(pre, "-n", i);
    node.own = random_pool_labels();
    node.types = {Pick(types, rng)};
    if (rng() % 4 == 0 && node.types[0] != types[0]) node.types.push_back(types[0]);
    node.words = random_words();
    if (rng() % 5 == 0) {
      Canary c;
      c.secret = RandomSecret(rng);
      c.label = pre + "c" + c.secret;
      const bool propagate = rng() % 2;
      define.push_back(DefineLabel(c.label, propagate));
      model_.DefineLabel(c.label, propagate);
      id += "-" + c.secret;
      node.own.insert(c.label);
      node.types.push_back("K" + c.secret);
      types_.push_back("K" + c.secret);
      node.props["secret"] = "s" + c.secret;
      node.words.insert(c.secret);
      words_.push_back(c.secret);
      canaries_[id] = c;
    }
    ids_.push_back(id);
    graph.nodes[id] = node;
  }
  // Edges: a DERIVED_FROM chain with gaps, then random edges (cycles too).
  for (int i = 1; i < n; ++i) {
    if (rng() % 5 < 2) graph.edges[{ids_[i], "DERIVED_FROM", ids_[i - 1]}] = {};
  }
  for (int e = 0; e < n * 3 / 2; ++e) {
    const std::string& a = Pick(ids_, rng);
    const std::string& b = Pick(ids_, rng);
    if (a != b) graph.edges[{a, kEdgeLabels[rng() % 3], b}] = {};
  }

  auto node_proto = [&](const std::string& id, const ModelNode& node) {
    std::map<std::string, v1::Value> props;
    props["text"] = Str(absl::StrJoin(node.words, " "));
    for (const auto& [k, v] : node.props) props[k] = Str(v);
    v1::Node proto = MakeNode(id, {node.own.begin(), node.own.end()}, node.types[0], props);
    for (size_t t = 1; t < node.types.size(); ++t) proto.add_labels(node.types[t]);
    return proto;
  };
  ASSERT_NE(AdminWrite(define), 0u);
  std::vector<v1::WriteOp> ops;
  for (const auto& [id, node] : graph.nodes) ops.push_back(UpsertNode(node_proto(id, node)));
  for (const auto& [key, edge] : graph.edges) {
    ops.push_back(UpsertEdge(std::get<0>(key), std::get<1>(key), std::get<2>(key)));
  }
  uint64_t version = AdminWrite(ops);
  ASSERT_NE(version, 0u);
  model_.Commit(version, graph);
  versions_.push_back(version);

  // A second commit: relabels, new text, new and deleted edges, deleted
  // nodes. Canaries keep their label and are never deleted.
  // Relabels one node in `one_in`, maybe with new text, into `ops`.
  auto relabel_some = [&](unsigned one_in, bool new_text) {
    for (auto& [id, node] : graph.nodes) {
      if (rng() % one_in != 0) continue;
      std::set<std::string> own = random_pool_labels();
      if (canaries_.count(id)) own.insert(canaries_[id].label);
      node.own = own;
      if (new_text && rng() % 2) node.words = random_words();
      ops.push_back(UpsertNode(node_proto(id, node)));
    }
  };
  // Writes `ops`, if any, as the admin; false when that failed.
  auto commit_ops = [&]() {
    if (ops.empty()) return true;
    version = AdminWrite(ops);
    if (version == 0) return false;
    model_.Commit(version, graph);
    versions_.push_back(version);
    return true;
  };
  // The steward's SanitizeEdge (here the admin's) on the DERIVED_FROM edge
  // `key`: it stops `add` too, and `remove` (unless empty) no longer.
  auto sanitize = [&](const privacy_model::EdgeId& key, privacy_model::ModelEdge& edge,
                      const std::string& add, const std::string& remove) {
    v1::SanitizeEdgeRequest request;
    request.set_from(std::get<0>(key));
    request.set_to(std::get<2>(key));
    request.add_add(add);
    if (!remove.empty()) request.add_remove(remove);
    request.set_reason("property test");
    v1::SanitizeEdgeResponse response;
    const grpc::Status st = Call(boundary_.get(), &v1::BoundaryService::Stub::SanitizeEdge,
                                 admin_token_, request, &response);
    EXPECT_TRUE(st.ok()) << st.error_message();
    if (!st.ok()) return false;
    edge.sanitizes.erase(remove);
    edge.sanitizes.insert(add);
    model_.Commit(response.version(), graph);
    versions_.push_back(response.version());
    return true;
  };
  ops.clear();
  relabel_some(5, true);
  std::vector<std::string> deleted;
  for (const auto& id : ids_) {
    if (!canaries_.count(id) && rng() % 10 == 0) deleted.push_back(id);
  }
  for (int e = 0; e < n / 2; ++e) {
    const std::string& a = Pick(ids_, rng);
    const std::string& b = Pick(ids_, rng);
    if (a == b || std::find(deleted.begin(), deleted.end(), a) != deleted.end() ||
        std::find(deleted.begin(), deleted.end(), b) != deleted.end()) {
      continue;
    }
    privacy_model::EdgeId key{a, kEdgeLabels[rng() % 2], b};
    if (graph.edges.emplace(key, privacy_model::ModelEdge{}).second) {
      ops.push_back(UpsertEdge(a, std::get<1>(key), b));
    }
  }
  auto is_deleted = [&](const std::string& id) {
    return std::find(deleted.begin(), deleted.end(), id) != deleted.end();
  };
  for (auto it = graph.edges.begin(); it != graph.edges.end();) {
    const auto& [a, label, b] = it->first;
    if (is_deleted(a) || is_deleted(b)) {  // goes with its node
      it = graph.edges.erase(it);
    } else if (rng() % 8 == 0) {
      ops.push_back(DeleteEdge(a, label, b));
      it = graph.edges.erase(it);
    } else {
      ++it;
    }
  }
  for (const auto& id : deleted) {
    ops.push_back(DeleteNode(id));
    graph.nodes.erase(id);
  }
  ASSERT_TRUE(commit_ops());

  // A steward (here the admin) stops a propagating label at an edge or two.
  for (auto& [key, edge] : graph.edges) {
    if (std::get<1>(key) != "DERIVED_FROM" || rng() % 6 != 0) continue;
    ASSERT_TRUE(sanitize(key, edge, rng() % 2 ? pre + "p" : pre + "q", ""));
  }

  // Changes behind sanitizing edges, where a node may inherit nothing: a
  // relabel commit, then the steward swapping what an edge stops.
  ops.clear();
  relabel_some(4, false);
  ASSERT_TRUE(commit_ops());
  for (auto& [key, edge] : graph.edges) {
    if (edge.sanitizes.size() != 1 || rng() % 2 != 0) continue;
    const std::string stopped = *edge.sanitizes.begin();
    ASSERT_TRUE(sanitize(key, edge, stopped == pre + "p" ? pre + "q" : pre + "p", stopped));
  }

  // Principals: random roles and clearances over this graph's labels.
  const std::vector<v1::Role> roles = {v1::ROLE_AGENT, v1::ROLE_AUDITOR, v1::ROLE_STEWARD};
  const int count = 3 + rng() % 2;
  for (int k = 0; k < count; ++k) {
    Principal p;
    p.id = absl::StrCat(pre, "-p", k);
    for (const auto& l : pool) {
      if (rng() % 2) p.model.clearances.push_back(l);
    }
    if (rng() % 5 == 0) p.model.clearances.push_back(pre + ":*");
    const v1::Role role = Pick(roles, rng);
    p.model.auditor = role == v1::ROLE_AUDITOR;
    p.token = CreatePrincipal(p.id, {role}, p.model.clearances);
    ASSERT_FALSE(p.token.empty());
    principals_.push_back(std::move(p));
  }
}

void PrivacyPropertyTest::CheckGraph(std::mt19937_64& rng) {
  std::vector<uint64_t> versions = {versions_.front(), 0};
  if (versions_.size() > 2) versions.push_back(versions_[1 + rng() % (versions_.size() - 2)]);
  for (uint64_t v : versions) {
    ASSERT_NO_FATAL_FAILURE(CheckVersion(seer_, v, rng));
    for (auto& p : principals_) ASSERT_NO_FATAL_FAILURE(CheckVersion(p, v, rng));
  }
  ASSERT_NO_FATAL_FAILURE(ScanCanaries());
}

void PrivacyPropertyTest::CheckVersion(Principal& p, uint64_t version, std::mt19937_64& rng) {
  ASSERT_NO_FATAL_FAILURE(CheckGetNode(p, version));
  ASSERT_NO_FATAL_FAILURE(CheckListNodes(p, version, rng));
  ASSERT_NO_FATAL_FAILURE(CheckNeighbors(p, version, rng));
  ASSERT_NO_FATAL_FAILURE(CheckSearch(p, version, rng));
  ASSERT_NO_FATAL_FAILURE(CheckRetrieve(p, version, rng));
  ASSERT_NO_FATAL_FAILURE(CheckLineage(p, version, rng));
  ASSERT_NO_FATAL_FAILURE(CheckPath(p, version, rng));
}

void PrivacyPropertyTest::CheckGetNode(Principal& p, uint64_t as_of) {
  const uint64_t version = as_of ? as_of : model_.latest_version();
  const std::string absent = prefix_ + "-absent";
  v1::GetNodeRequest request;
  request.set_as_of_version(as_of);
  request.set_id(absent);
  v1::GetNodeResponse absent_response;
  std::string absent_seen;
  Observe(p, graph_.get(), &v1::GraphService::Stub::GetNode, request, &absent_response,
          &absent_seen);
  const auto& inherited = model_.Inherited(version);
  for (const std::string& id : ids_) {
    request.set_id(id);
    v1::GetNodeResponse response;
    std::string seen;
    grpc::Status status =
        Observe(p, graph_.get(), &v1::GraphService::Stub::GetNode, request, &response, &seen);
    if (!model_.Visible(id, p.model, version)) {
      // Hidden or deleted: byte for byte the answer for an absent id.
      ++hidden_answers_;
      ASSERT_EQ(seen, absl::StrReplaceAll(absent_seen, {{absent, id}})) << "GetNode " << id << "\n"
                                                                        << Where(p, version);
      continue;
    }
    ASSERT_TRUE(status.ok()) << "GetNode " << id << ": " << status.error_message() << "\n"
                             << Where(p, version);
    const ModelNode& node = model_.At(version).nodes.at(id);
    EXPECT_EQ(
        std::set<std::string>(response.node().boundary().begin(), response.node().boundary().end()),
        node.own)
        << id << "\n"
        << Where(p, version);
    // In a cycle a node may or may not list its own label as inherited too;
    // the effective boundary is exact.
    std::set<std::string> effective(response.node().inherited_boundary().begin(),
                                    response.node().inherited_boundary().end());
    effective.insert(node.own.begin(), node.own.end());
    std::set<std::string> want = node.own;
    want.insert(inherited.at(id).begin(), inherited.at(id).end());
    ASSERT_EQ(effective, want) << "effective boundary of " << id << "\n" << Where(p, version);
    EXPECT_EQ(
        std::set<std::string>(response.node().labels().begin(), response.node().labels().end()),
        std::set<std::string>(node.types.begin(), node.types.end()))
        << id;
  }
}

void PrivacyPropertyTest::CheckListNodes(Principal& p, uint64_t as_of, std::mt19937_64& rng) {
  const uint64_t version = as_of ? as_of : model_.latest_version();
  v1::ListNodesRequest none;
  none.set_label("G" + prefix_ + "None");
  none.set_as_of_version(as_of);
  v1::ListNodesResponse none_response;
  std::string none_seen;
  Observe(p, graph_.get(), &v1::GraphService::Stub::ListNodes, none, &none_response, &none_seen);
  for (const std::string& type : types_) {
    const int page_size = 1 + rng() % 4;
    v1::ListNodesRequest request;
    request.set_label(type);
    request.set_page_size(page_size);
    request.set_as_of_version(as_of);
    std::vector<std::string> got;
    for (int page = 0; page < 50; ++page) {
      v1::ListNodesResponse response;
      std::string seen;
      grpc::Status status =
          Observe(p, graph_.get(), &v1::GraphService::Stub::ListNodes, request, &response, &seen);
      ASSERT_TRUE(status.ok()) << status.error_message();
      if (page == 0 && model_.ListNodes(type, p.model, version).empty()) {
        // A type only hidden nodes carry answers like a type nobody carries.
        ASSERT_EQ(seen, none_seen) << "ListNodes " << type << "\n" << Where(p, version);
      }
      for (const auto& n : response.nodes()) got.push_back(n.id());
      const bool last = response.next_page_token().empty();
      // Hidden nodes are skipped before pages are cut: every page but the
      // last is full, and the last is empty only when there is nothing.
      if (!last) ASSERT_EQ(response.nodes_size(), page_size) << type << "\n" << Where(p, version);
      if (last && page > 0)
        ASSERT_GT(response.nodes_size(), 0) << type << "\n" << Where(p, version);
      if (last) break;
      request.set_page_token(response.next_page_token());
    }
    ASSERT_EQ(got, model_.ListNodes(type, p.model, version))
        << "ListNodes " << type << " page_size " << page_size << "\n"
        << Where(p, version);
  }
}

void PrivacyPropertyTest::CheckNeighbors(Principal& p, uint64_t as_of, std::mt19937_64& rng) {
  const uint64_t version = as_of ? as_of : model_.latest_version();
  const std::string absent = prefix_ + "-absent";
  for (int i = 0; i < 8; ++i) {
    const std::string& id = Pick(ids_, rng);
    const Dir dir = RandomDir(rng);
    const std::set<std::string> labels = RandomEdgeLabels(rng);
    const int page_size = 1 + rng() % 3;
    v1::ListNeighborsRequest request;
    request.set_id(id);
    request.set_direction(ToProto(dir));
    for (const auto& l : labels) request.add_edge_labels(l);
    request.set_page_size(page_size);
    request.set_as_of_version(as_of);
    const auto want = model_.Neighbors(id, dir, labels, p.model, version);
    if (!want) {
      v1::ListNeighborsResponse response, absent_response;
      std::string seen, absent_seen;
      Observe(p, graph_.get(), &v1::GraphService::Stub::ListNeighbors, request, &response, &seen);
      request.set_id(absent);
      Observe(p, graph_.get(), &v1::GraphService::Stub::ListNeighbors, request, &absent_response,
              &absent_seen);
      ASSERT_EQ(seen, absl::StrReplaceAll(absent_seen, {{absent, id}}))
          << "ListNeighbors " << id << "\n"
          << Where(p, version);
      continue;
    }
    std::vector<std::string> got;
    for (int page = 0; page < 100; ++page) {
      v1::ListNeighborsResponse response;
      grpc::Status status =
          Observe(p, graph_.get(), &v1::GraphService::Stub::ListNeighbors, request, &response);
      ASSERT_TRUE(status.ok()) << status.error_message() << "\n" << Where(p, version);
      for (const auto& key : NeighborKeys(response)) got.push_back(key);
      const bool last = response.next_page_token().empty();
      if (!last) ASSERT_EQ(response.neighbors_size(), page_size) << Where(p, version);
      if (last && page > 0) ASSERT_GT(response.neighbors_size(), 0) << Where(p, version);
      if (last) break;
      request.set_page_token(response.next_page_token());
    }
    ASSERT_EQ(got, *want) << "ListNeighbors " << id << " dir " << static_cast<int>(dir)
                          << " labels [" << absl::StrJoin(labels, ",") << "] page_size "
                          << page_size << "\n"
                          << Where(p, version);
  }
}

void PrivacyPropertyTest::CheckSearch(Principal& p, uint64_t as_of, std::mt19937_64& rng) {
  const uint64_t version = as_of ? as_of : model_.latest_version();
  v1::SearchRequest nothing;
  nothing.set_query(prefix_ + "nothing");
  nothing.set_as_of_version(as_of);
  v1::SearchResponse nothing_response;
  std::string nothing_seen;
  Observe(p, context_.get(), &v1::ContextService::Stub::Search, nothing, &nothing_response,
          &nothing_seen);
  for (const std::string& word : words_) {
    std::set<std::string> types;
    if (rng() % 5 == 0) types.insert(Pick(types_, rng));
    const int page_size = 1 + rng() % 4;
    v1::SearchRequest request;
    request.set_query(word);
    for (const auto& t : types) request.add_labels(t);
    request.set_page_size(page_size);
    request.set_as_of_version(as_of);
    const std::set<std::string> want = model_.SearchHits(word, types, p.model, version);
    std::vector<std::string> got;
    double last_score = 1e300;
    for (int page = 0; page < 50; ++page) {
      v1::SearchResponse response;
      std::string seen;
      grpc::Status status =
          Observe(p, context_.get(), &v1::ContextService::Stub::Search, request, &response, &seen);
      ASSERT_TRUE(status.ok()) << status.error_message();
      if (want.empty() && types.empty()) {
        // A term only hidden nodes hold answers like a term nobody holds.
        ASSERT_EQ(seen, nothing_seen) << "Search " << word << "\n" << Where(p, version);
      }
      for (const auto& hit : response.hits()) {
        got.push_back(hit.node().id());
        EXPECT_LE(hit.score(), last_score) << "Search " << word << " order";
        last_score = hit.score();
      }
      const bool last = response.next_page_token().empty();
      if (!last) ASSERT_EQ(response.hits_size(), page_size) << Where(p, version);
      if (last && page > 0) ASSERT_GT(response.hits_size(), 0) << Where(p, version);
      if (last) break;
      request.set_page_token(response.next_page_token());
    }
    ASSERT_EQ(std::set<std::string>(got.begin(), got.end()), want)
        << "Search " << word << " types [" << absl::StrJoin(types, ",") << "]\n"
        << Where(p, version);
    ASSERT_EQ(got.size(), want.size()) << "Search " << word << ": a hit twice";
  }
}

void PrivacyPropertyTest::CheckRetrieve(Principal& p, uint64_t as_of, std::mt19937_64& rng) {
  const uint64_t version = as_of ? as_of : model_.latest_version();
  for (int i = 0; i < 3; ++i) {
    std::vector<std::string> seeds = {Pick(ids_, rng)};
    const std::string second = Pick(ids_, rng);
    if (rng() % 2 && second != seeds[0]) seeds.push_back(second);
    const int hops = rng() % 4;
    const Dir dir = RandomDir(rng);
    const std::set<std::string> labels = RandomEdgeLabels(rng);
    v1::RetrieveRequest request;
    for (const auto& s : seeds) request.add_seeds(s);
    request.mutable_expansion()->set_max_hops(hops);
    request.mutable_expansion()->set_direction(ToProto(dir));
    for (const auto& l : labels) request.mutable_expansion()->add_edge_labels(l);
    request.mutable_budget()->set_max_items(1000);
    request.set_as_of_version(as_of);
    v1::RetrieveResponse response;
    grpc::Status status =
        Observe(p, context_.get(), &v1::ContextService::Stub::Retrieve, request, &response);
    const std::string what = absl::StrCat("Retrieve [", absl::StrJoin(seeds, ","), "] hops ", hops,
                                          " dir ", static_cast<int>(dir), " labels [",
                                          absl::StrJoin(labels, ","), "]\n", Where(p, version));
    bool all_visible = true;
    for (size_t s = 0; s < seeds.size() && all_visible; ++s) {
      if (model_.Visible(seeds[s], p.model, version)) continue;
      all_visible = false;
      ASSERT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND) << what;
      ASSERT_EQ(status.error_message(),
                absl::StrCat("seeds[", s, "]: node \"", seeds[s], "\" not found"))
          << what;
      ASSERT_EQ(response.ByteSizeLong(), 0u) << what;
    }
    if (!all_visible) continue;
    ASSERT_TRUE(status.ok()) << status.error_message() << "\n" << what;
    std::map<std::string, int> got;
    for (const auto& item : response.items()) got[item.node().id()] = item.hop();
    const std::map<std::string, int> want =
        model_.Reach(seeds, hops, dir, labels, p.model, version);
    ASSERT_EQ(got, want) << what;
    std::set<std::string> edges;
    for (const auto& e : response.edges()) edges.insert(e.from() + "|" + e.label() + "|" + e.to());
    ASSERT_EQ(edges, model_.EdgesAmong(want, labels, version)) << what;
    EXPECT_FALSE(response.truncated()) << what;
  }
  // By query: its top 10 hits are the hop-0 items (the model does not
  // rank, so it knows them exactly when there are at most 10), and the
  // expansion from them is the model's.
  const std::string& word = Pick(words_, rng);
  v1::RetrieveRequest request;
  request.set_query(word);
  request.mutable_expansion()->set_max_hops(1);
  request.mutable_budget()->set_max_items(1000);
  request.set_as_of_version(as_of);
  v1::RetrieveResponse response;
  grpc::Status status =
      Observe(p, context_.get(), &v1::ContextService::Stub::Retrieve, request, &response);
  const std::string what = absl::StrCat("Retrieve query ", word, "\n", Where(p, version));
  ASSERT_TRUE(status.ok()) << status.error_message() << "\n" << what;
  const std::set<std::string> hits = model_.SearchHits(word, {}, p.model, version);
  std::vector<std::string> seeds;
  std::map<std::string, int> got;
  for (const auto& item : response.items()) {
    got[item.node().id()] = item.hop();
    if (item.hop() == 0) seeds.push_back(item.node().id());
  }
  for (const auto& s : seeds) ASSERT_TRUE(hits.count(s)) << s << " is no hit\n" << what;
  if (hits.size() <= 10) ASSERT_EQ(seeds.size(), hits.size()) << what;
  ASSERT_EQ(got, model_.Reach(seeds, 1, Dir::kBoth, {}, p.model, version)) << what;
}

void PrivacyPropertyTest::CheckLineage(Principal& p, uint64_t as_of, std::mt19937_64& rng) {
  const uint64_t version = as_of ? as_of : model_.latest_version();
  const std::string absent = prefix_ + "-absent";
  for (int i = 0; i < 6; ++i) {
    const std::string& id = Pick(ids_, rng);
    const bool upstream = rng() % 2;
    const int depth = 1 + rng() % 4;
    std::set<std::string> labels;
    if (rng() % 3 == 0) labels = {"DERIVED_FROM", "REFERENCES"};
    v1::LineageRequest request;
    request.set_node_id(id);
    request.set_max_depth(depth);
    for (const auto& l : labels) request.add_edge_labels(l);
    request.set_as_of_version(as_of);
    if (rng() % 4 == 0) request.set_view(v1::LINEAGE_VIEW_IDS);
    auto method =
        upstream ? &v1::LineageService::Stub::Upstream : &v1::LineageService::Stub::Downstream;
    v1::LineageResponse response;
    std::string seen;
    grpc::Status status = Observe(p, lineage_.get(), method, request, &response, &seen);
    const std::string what =
        absl::StrCat(upstream ? "Upstream " : "Downstream ", id, " depth ", depth, " labels [",
                     absl::StrJoin(labels, ","), "]\n", Where(p, version));
    if (!model_.Visible(id, p.model, version)) {
      request.set_node_id(absent);
      v1::LineageResponse absent_response;
      std::string absent_seen;
      Observe(p, lineage_.get(), method, request, &absent_response, &absent_seen);
      ASSERT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND) << what;
      ASSERT_EQ(seen, absl::StrReplaceAll(absent_seen, {{absent, id}})) << what;
      continue;
    }
    ASSERT_TRUE(status.ok()) << status.error_message() << "\n" << what;
    const privacy_model::LineageAnswer want =
        model_.Lineage(id, upstream, depth, labels, p.model, version);
    std::map<std::string, int> visible;
    std::multiset<int> stubs;
    std::set<std::string> returned;
    for (const auto& n : response.nodes()) {
      returned.insert(n.node().id());
      if (!n.redacted()) {
        visible[n.node().id()] = n.depth();
        continue;
      }
      stubs.insert(n.depth());
      ++stubs_;
      // A stub is an opaque id and nothing else.
      ASSERT_TRUE(n.node().id().starts_with("redacted:")) << what;
      v1::Node bare;
      bare.set_id(n.node().id());
      ASSERT_EQ(n.node().SerializeAsString(), bare.SerializeAsString()) << what;
    }
    ASSERT_EQ(visible, want.visible) << what;
    ASSERT_EQ(stubs, want.stub_depths) << what;
    EXPECT_FALSE(response.truncated()) << what;
    // A hidden node beyond max_depth must not show as "there is more".
    ASSERT_EQ(response.depth_limited(), want.depth_limited) << what;
    for (const auto& e : response.edges()) {
      ASSERT_TRUE(returned.count(e.from()) && returned.count(e.to()))
          << e.from() << " -" << e.label() << "-> " << e.to() << "\n"
          << what;
    }
  }
}

void PrivacyPropertyTest::CheckPath(Principal& p, uint64_t as_of, std::mt19937_64& rng) {
  const uint64_t version = as_of ? as_of : model_.latest_version();
  for (int i = 0; i < 4; ++i) {
    const std::string& from = Pick(ids_, rng);
    const std::string& to = Pick(ids_, rng);
    if (from == to) continue;
    const int depth = 1 + rng() % 5;
    v1::LineagePathRequest request;
    request.set_from(from);
    request.set_to(to);
    request.set_max_depth(depth);
    request.set_as_of_version(as_of);
    v1::LineagePathResponse response;
    std::string seen;
    grpc::Status status =
        Observe(p, lineage_.get(), &v1::LineageService::Stub::Path, request, &response, &seen);
    const std::string what =
        absl::StrCat("Path ", from, " -> ", to, " depth ", depth, "\n", Where(p, version));
    if (!model_.Visible(from, p.model, version) || !model_.Visible(to, p.model, version)) {
      const bool from_hidden = !model_.Visible(from, p.model, version);
      ASSERT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND) << what;
      ASSERT_EQ(status.error_message(), absl::StrCat(from_hidden ? "from" : "to", ": node \"",
                                                     from_hidden ? from : to, "\" not found"))
          << what;
      // Byte for byte the answer with that endpoint absent, metadata and
      // body included, not only the status.
      const std::string absent = prefix_ + "-absent";
      v1::LineagePathRequest absent_request = request;
      if (from_hidden) {
        absent_request.set_from(absent);
      } else {
        absent_request.set_to(absent);
      }
      v1::LineagePathResponse absent_response;
      std::string absent_seen;
      Observe(p, lineage_.get(), &v1::LineageService::Stub::Path, absent_request, &absent_response,
              &absent_seen);
      ASSERT_EQ(seen, absl::StrReplaceAll(absent_seen, {{absent, from_hidden ? from : to}}))
          << what;
      ++hidden_answers_;
      continue;
    }
    const auto want = model_.Path(from, to, depth, {}, p.model, version);
    if (!want) {
      ASSERT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND) << what;
      ASSERT_EQ(status.error_message(), absl::StrCat("no lineage path between \"", from,
                                                     "\" and \"", to, "\" within depth ", depth))
          << what;
      continue;
    }
    ASSERT_TRUE(status.ok()) << status.error_message() << "\n" << what;
    ASSERT_EQ(response.direction(),
              want->upstream ? v1::LINEAGE_DIRECTION_UPSTREAM : v1::LINEAGE_DIRECTION_DOWNSTREAM)
        << what;
    ASSERT_EQ(response.nodes_size(), want->edges + 1) << what;
    ASSERT_EQ(response.edges_size(), want->edges) << what;
    for (const auto& n : response.nodes()) {
      // Every node on the chain is one the caller sees, or a stub.
      if (n.redacted()) {
        ASSERT_TRUE(p.model.auditor) << what;
      } else {
        ASSERT_TRUE(model_.Visible(n.node().id(), p.model, version)) << n.node().id() << what;
      }
    }
  }
}

void PrivacyPropertyTest::ScanCanaries() {
  for (const auto& [id, canary] : canaries_) {
    // The canary reaches a caller cleared for it: the scan is not vacuous.
    ASSERT_NE(seer_.transcript.find(canary.secret), std::string::npos) << id;
    for (const Principal& p : principals_) {
      if (privacy_model::Cleared(p.model.clearances, canary.label)) continue;
      ++canary_scans_;
      const size_t at = p.transcript.find(canary.secret);
      ASSERT_EQ(at, std::string::npos)
          << "canary of " << id << " reached " << p.id << ": ..."
          << p.transcript.substr(at > 200 ? at - 200 : 0, 400) << "...\n"
          << Where(p, 0);
    }
  }
  seer_.transcript.clear();
}

TEST_F(PrivacyPropertyTest, EveryReadApiMatchesTheModelAndLeaksNoCanary) {
  const uint64_t graphs = EnvNumber("CTXGRAPH_PROPERTY_GRAPHS", kDefaultGraphs);
  const uint64_t first_seed = EnvNumber("CTXGRAPH_PROPERTY_SEED", kDefaultSeed);
  seer_.id = "seer";
  seer_.model.clearances = {"*"};
  seer_.token = CreatePrincipal(seer_.id, {v1::ROLE_AGENT}, {"*"});
  for (uint64_t g = 0; g < graphs; ++g) {
    seed_ = first_seed + g;
    std::mt19937_64 rng(seed_);
    ASSERT_NO_FATAL_FAILURE(BuildGraph(static_cast<int>(g), rng)) << "seed " << seed_;
    ASSERT_NO_FATAL_FAILURE(CheckGraph(rng)) << "seed " << seed_;
  }
  std::printf(
      "%llu graphs from seed %llu: %llu calls compared, %llu hidden ids answered as "
      "absent, %llu lineage stubs, %llu canary scans\n",
      static_cast<unsigned long long>(graphs), static_cast<unsigned long long>(first_seed),
      static_cast<unsigned long long>(calls_), static_cast<unsigned long long>(hidden_answers_),
      static_cast<unsigned long long>(stubs_), static_cast<unsigned long long>(canary_scans_));
  // A run that compared nothing must not pass: every kind of check ran.
  EXPECT_GT(calls_, 0u);
  EXPECT_GT(hidden_answers_, 0u);
  EXPECT_GT(stubs_, 0u);
  EXPECT_GT(canary_scans_, 0u);
}

}  // namespace
}  // namespace ctxgraph::server
