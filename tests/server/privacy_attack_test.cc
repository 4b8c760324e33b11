// Privacy attacks that need no random graph: a relabel or a revoked
// clearance must hold for the very next request (thousands of trials,
// checked against PrivacyModel), tampered page tokens of every paginated
// API are INVALID_ARGUMENT and nothing else, and a hidden id answers byte
// for byte like an absent one on the APIs the other tests leave out
// (Retrieve, Downstream, Path, SanitizeEdge, ListNodes of a hidden-only
// type).
//
// CTXGRAPH_REVOCATION_TRIALS overrides the number of trials (default
// kDefaultTrials).
#include <cstdlib>
#include <functional>
#include <random>
#include <regex>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "ctxgraph/v1/audit.grpc.pb.h"
#include "ctxgraph/v1/lineage.grpc.pb.h"
#include "tests/server/observed_call.h"
#include "tests/server/privacy_model.h"
#include "tests/server/server_test_fixture.h"

namespace ctxgraph::server {
namespace {

using privacy_model::ModelCaller;
using privacy_model::ModelGraph;
using privacy_model::PrivacyModel;

constexpr uint64_t kDefaultTrials = 2000;

class PrivacyAttackTest : public ServerTest {
 protected:
  void Configure(ServerOptions* options) override { options->database.sync_audit_appends = false; }
  void SetUp() override {
    ServerTest::SetUp();
    lineage_ = v1::LineageService::NewStub(channel_);
    audit_ = v1::AuditService::NewStub(channel_);
  }

  // One page of a paginated API, as the admin: `token` is the request's
  // page_token (empty: the first page); `next` gets the response's
  // next_page_token and `bytes` the serialized response.
  using Page =
      std::function<grpc::Status(const std::string& token, std::string* next, std::string* bytes)>;
  template <typename Stub, typename Req, typename Resp>
  Page Paged(Stub* stub, grpc::Status (Stub::*method)(grpc::ClientContext*, const Req&, Resp*),
             const Req& request) {
    return [=, this](const std::string& token, std::string* next, std::string* bytes) {
      Req paged = request;
      paged.set_page_token(token);
      Resp response;
      grpc::Status status = Call(stub, method, admin_token_, paged, &response);
      *next = response.next_page_token();
      *bytes = response.SerializeAsString();
      return status;
    };
  }

  std::unique_ptr<v1::LineageService::Stub> lineage_;
  std::unique_ptr<v1::AuditService::Stub> audit_;
};

// Each trial changes who may see what — a steward adds or removes a label
// on a node (the root of a DERIVED_FROM chain, so a propagating label
// moves the chain with it), or an admin grants or revokes a clearance —
// and the very next request, through one of five read APIs, must answer
// by the new rule.
TEST_F(PrivacyAttackTest, RelabelAndRevocationHoldForTheVeryNextRequest) {
  const char* env = std::getenv("CTXGRAPH_REVOCATION_TRIALS");
  const uint64_t trials = env && *env ? std::strtoull(env, nullptr, 10) : kDefaultTrials;
  const std::vector<std::string> labels = {"r:a", "r:b", "rp"};
  ASSERT_NE(DefineLabels({"r:a", "r:b"}), 0u);
  ASSERT_NE(AdminWrite({DefineLabel("rp", /*propagate=*/true)}), 0u);
  PrivacyModel model;
  for (const auto& l : labels) model.DefineLabel(l, l == "rp");
  ModelGraph graph;
  const std::vector<std::string> ids = {"root", "mid", "leaf"};
  std::vector<v1::WriteOp> ops;
  for (const auto& id : ids) {
    graph.nodes[id].types = {"Doc"};
    graph.nodes[id].words = {"revocable"};
    ops.push_back(UpsertNode(MakeNode(id, {}, "Doc", {{"text", Str("revocable")}})));
  }
  for (const auto& [from, to] : {std::pair{"mid", "root"}, std::pair{"leaf", "mid"}}) {
    graph.edges[{from, "DERIVED_FROM", to}] = {};
    ops.push_back(UpsertEdge(from, "DERIVED_FROM", to));
  }
  uint64_t version = AdminWrite(ops);
  ASSERT_NE(version, 0u);
  model.Commit(version, graph);
  const std::string steward = CreatePrincipal("steward", {v1::ROLE_STEWARD}, {"*"});
  ModelCaller agent;
  const std::string token = CreatePrincipal("agent", {v1::ROLE_AGENT}, {});

  std::mt19937_64 rng(7);
  uint64_t violations = 0;
  std::string first_violation;
  for (uint64_t trial = 0; trial < trials; ++trial) {
    if (trial % 2 == 0) {
      const std::string& id = ids[rng() % ids.size()];
      const std::string& label = labels[rng() % labels.size()];
      auto& own = graph.nodes[id].own;
      const bool add = !own.count(label);
      v1::AssignLabelsRequest request;
      request.add_node_ids(id);
      (add ? request.mutable_add() : request.mutable_remove())->Add(std::string(label));
      request.set_reason("trial");
      v1::AssignLabelsResponse response;
      ASSERT_OK(Call(boundary_.get(), &v1::BoundaryService::Stub::AssignLabels, steward, request,
                     &response));
      if (add) {
        own.insert(label);
      } else {
        own.erase(label);
      }
      version = response.version();
    } else {
      std::vector<std::string> clearances;
      for (const char* c : {"r:a", "r:b", "r:*", "rp"}) {
        if (rng() % 2) clearances.push_back(c);
      }
      v1::SetClearancesRequest request;
      request.set_id("agent");
      for (const auto& c : clearances) request.add_clearances(c);
      v1::PrincipalResponse response;
      ASSERT_OK(Call(admin_.get(), &v1::AdminService::Stub::SetClearances, admin_token_, request,
                     &response));
      agent.clearances = clearances;
      version = response.principal().version();
    }
    model.Commit(version, graph);

    // The very next request.
    std::set<std::string> want, got;
    for (const auto& id : ids) {
      if (model.Visible(id, agent, version)) want.insert(id);
    }
    grpc::Status status;
    switch (trial % 10 / 2) {
      case 0: {  // GetNode of each node
        for (const auto& id : ids) {
          v1::GetNodeResponse r;
          const grpc::Status s = GetNode(token, id, &r);
          if (s.ok()) {
            got.insert(r.node().id());
          } else {
            // Hidden is NOT_FOUND, exactly as for an absent id: never
            // another code from a stale cache or a half-applied change.
            EXPECT_EQ(Transcript(s, r),
                      Transcript(grpc::Status(grpc::StatusCode::NOT_FOUND,
                                              absl::StrCat("node \"", id, "\" not found")),
                                 v1::GetNodeResponse()));
          }
        }
        break;
      }
      case 1: {
        v1::ListNodesRequest request;
        request.set_label("Doc");
        v1::ListNodesResponse r;
        status = ListNodes(token, request, &r);
        for (const auto& n : r.nodes()) got.insert(n.id());
        break;
      }
      case 2: {
        v1::SearchRequest request;
        request.set_query("revocable");
        v1::SearchResponse r;
        status = Search(token, request, &r);
        for (const auto& h : r.hits()) got.insert(h.node().id());
        break;
      }
      case 3: {  // Retrieve from each node the agent sees, one hop away
        for (const auto& id : ids) {
          v1::RetrieveRequest request;
          request.add_seeds(id);
          request.mutable_expansion()->set_max_hops(1);
          v1::RetrieveResponse r;
          const grpc::Status s =
              Call(context_.get(), &v1::ContextService::Stub::Retrieve, token, request, &r);
          if (!s.ok()) {
            EXPECT_EQ(
                Transcript(s, r),
                Transcript(grpc::Status(grpc::StatusCode::NOT_FOUND,
                                        absl::StrCat("seeds[0]: node \"", id, "\" not found")),
                           v1::RetrieveResponse()));
            continue;
          }
          for (const auto& item : r.items()) got.insert(item.node().id());
        }
        break;
      }
      default: {  // Downstream of the root and upstream of the leaf
        for (const auto& [id, up] : {std::pair{"root", false}, std::pair{"leaf", true}}) {
          v1::LineageRequest request;
          request.set_node_id(id);
          v1::LineageResponse r;
          auto method =
              up ? &v1::LineageService::Stub::Upstream : &v1::LineageService::Stub::Downstream;
          const grpc::Status s = Call(lineage_.get(), method, token, request, &r);
          if (!s.ok()) {
            EXPECT_EQ(Transcript(s, r),
                      Transcript(grpc::Status(grpc::StatusCode::NOT_FOUND,
                                              absl::StrCat("node_id: node \"", id, "\" not found")),
                                 v1::LineageResponse()));
            continue;
          }
          for (const auto& n : r.nodes()) got.insert(n.node().id());
        }
        // Lineage reaches only through visible nodes: narrow the want.
        const auto down = model.Lineage("root", false, 10, {}, agent, version).visible;
        const auto up = model.Lineage("leaf", true, 10, {}, agent, version).visible;
        want.clear();
        if (model.Visible("root", agent, version)) {
          for (const auto& [id, d] : down) want.insert(id);
        }
        if (model.Visible("leaf", agent, version)) {
          for (const auto& [id, d] : up) want.insert(id);
        }
      }
    }
    ASSERT_TRUE(status.ok()) << status.error_message();
    if (got != want) {
      ++violations;
      if (first_violation.empty()) {
        first_violation = absl::StrCat("trial ", trial, "\n", model.Dump());
      }
    }
  }
  EXPECT_EQ(violations, 0u) << first_violation;
  RecordProperty("trials", static_cast<int>(trials));
}

// Every way of altering a real token of every paginated API: each
// character replaced, each decoded byte flipped, cut short, extended,
// garbage, and a token of another API. Always INVALID_ARGUMENT with an
// empty response: never another code, never a page.
TEST_F(PrivacyAttackTest, TamperedPageTokensOfEveryApiAreInvalidArgument) {
  ASSERT_NE(DefineLabels({"pii", "fin"}), 0u);
  ASSERT_NE(AdminWrite({UpsertNode(MakeNode("hub", {}, "Doc", {{"text", Str("token words")}})),
                        UpsertNode(MakeNode("a", {}, "Doc", {{"text", Str("token")}})),
                        UpsertNode(MakeNode("b", {}, "Doc", {{"text", Str("token")}})),
                        UpsertEdge("hub", "R", "a"), UpsertEdge("hub", "R", "b")}),
            0u);
  // Two label changes give the hub a history of three events.
  for (const char* op : {"add", "remove"}) {
    v1::AssignLabelsRequest request;
    request.add_node_ids("hub");
    (std::string(op) == "add" ? request.mutable_add() : request.mutable_remove())->Add("pii");
    request.set_reason("r");
    v1::AssignLabelsResponse response;
    ASSERT_OK(Call(boundary_.get(), &v1::BoundaryService::Stub::AssignLabels, admin_token_, request,
                   &response));
  }
  v1::SearchRequest search;
  search.set_query("token");
  search.set_page_size(1);
  for (int i = 0; i < 2; ++i) {  // receipts for the exposure report
    v1::SearchRequest all = search;
    all.set_page_size(10);
    v1::SearchResponse response;
    ASSERT_OK(Search(admin_token_, all, &response));
  }

  v1::ListNodesRequest list_nodes;
  list_nodes.set_label("Doc");
  list_nodes.set_page_size(1);
  v1::ListNeighborsRequest neighbors;
  neighbors.set_id("hub");
  neighbors.set_page_size(1);
  v1::ListLabelsRequest labels;
  labels.set_page_size(1);
  v1::LabelHistoryRequest history;
  history.set_node_id("hub");
  history.set_page_size(1);
  v1::ListEntriesRequest entries;
  entries.set_page_size(1);
  v1::ExposureReportRequest exposure;
  exposure.set_node_id("a");
  exposure.set_page_size(1);
  std::map<std::string, Page> apis = {
      {"ListNodes", Paged(graph_.get(), &v1::GraphService::Stub::ListNodes, list_nodes)},
      {"ListNeighbors", Paged(graph_.get(), &v1::GraphService::Stub::ListNeighbors, neighbors)},
      {"Search", Paged(context_.get(), &v1::ContextService::Stub::Search, search)},
      {"ListLabels", Paged(boundary_.get(), &v1::BoundaryService::Stub::ListLabels, labels)},
      {"LabelHistory", Paged(boundary_.get(), &v1::BoundaryService::Stub::LabelHistory, history)},
      {"ListEntries", Paged(audit_.get(), &v1::AuditService::Stub::ListEntries, entries)},
      {"ExposureReport", Paged(audit_.get(), &v1::AuditService::Stub::ExposureReport, exposure)},
  };

  std::map<std::string, std::string> tokens;  // each API's first-page token
  for (const auto& [name, call] : apis) {
    std::string first, next, bytes;
    SCOPED_TRACE(name);
    ASSERT_OK(call("", &first, &bytes));
    ASSERT_FALSE(first.empty()) << name << " has one page only";
    ASSERT_OK(call(first, &next, &bytes));  // the real token works
    tokens[name] = first;
  }
  static const char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  int tampered_calls = 0;
  for (const auto& [name, call] : apis) {
    const std::string& real = tokens[name];
    const std::optional<std::string> raw = Base64UrlDecode(real);
    ASSERT_TRUE(raw.has_value()) << name;
    std::vector<std::string> variants;
    for (size_t i = 0; i < real.size(); ++i) {
      std::string v = real;
      v[i] = kAlphabet[(std::string(kAlphabet).find(v[i]) + 1 + i % 63) % 64];
      variants.push_back(v);
    }
    for (size_t i = 0; i < raw->size(); ++i) {
      std::string b = *raw;
      b[i] = static_cast<char>(b[i] ^ (1 << (i % 8)));
      variants.push_back(Base64UrlEncode(b));
    }
    for (size_t cut : {size_t{1}, size_t{2}, size_t{3}, real.size() / 2, real.size() - 1}) {
      variants.push_back(real.substr(0, real.size() - cut));
    }
    variants.push_back(Base64UrlEncode(raw->substr(0, raw->size() - 1)));
    variants.push_back(Base64UrlEncode(*raw + std::string(1, '\0')));
    variants.push_back(Base64UrlEncode(*raw + *raw));
    for (const char* suffix : {"A", "AA", "AAAA", "!", "=="}) variants.push_back(real + suffix);
    variants.push_back("not a token");
    // (Bytes that are not UTF-8 cannot travel in a string field: gRPC
    // itself refuses the request body before ctxgraph's code runs.)
    variants.push_back("%%%%");
    for (const auto& [other, token] : tokens) {
      if (other != name) variants.push_back(token);  // another API's token
    }
    for (const std::string& v : variants) {
      if (v == real || v.empty()) continue;
      std::string next, bytes;
      grpc::Status status = call(v, &next, &bytes);
      ++tampered_calls;
      ASSERT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
          << name << " token " << v << ": " << status.error_message();
      ASSERT_EQ(status.error_message(), "page_token: invalid") << name;
      ASSERT_EQ(bytes, "") << name << " answered data for token " << v;
    }
  }
  EXPECT_GT(tampered_calls, 600);
}

// A call's status and answer as text, commit times blanked: the two worlds
// below commit at different moments, and times are no count.
std::string Timeless(const grpc::Status& status, const google::protobuf::Message& response) {
  static const std::regex kTime(R"((seconds|nanos): [0-9]+)");
  return absl::StrCat(status.error_code(), " ", status.error_message(), " ",
                      std::regex_replace(response.ShortDebugString(), kTime, "$1: T"), "\n");
}

// Audit seqs count every principal's entries, and a write that carries a
// propagating label down DERIVED_FROM appends one entry per node it
// relabels, nodes the writer may not see included. A loader that links its
// node to a pii source and retrieves before and after could have read, in
// the gap between two bare seqs, how many hidden nodes derive from its
// node. Nothing it is given may count them: receipt ids name entries
// without their seqs, and lineage gives it no seq.
TEST_F(PrivacyAttackTest, NothingALoaderIsGivenCountsTheHiddenNodesItsWriteRelabels) {
  std::string seen[2];
  uint64_t gap[2] = {0, 0};  // entries between the two receipts, as the server counts them
  for (int world = 0; world < 2; ++world) {
    if (world == 1) ResetServer();
    lineage_ = v1::LineageService::NewStub(channel_);
    const ReceiptIdCodec& receipt_ids = server_->backend().receipt_ids;
    std::vector<uint64_t> seqs;
    ASSERT_NE(DefineLabels({"team:eng", "team:fin"}), 0u);
    ASSERT_NE(AdminWrite({DefineLabel("pii", /*propagate=*/true)}), 0u);
    std::vector<v1::WriteOp> ops = {
        UpsertNode(MakeNode("src", {"pii"}, "Doc", {{"text", Str("source")}})),
        UpsertNode(MakeNode("mine", {"team:eng"}, "Doc", {{"text", Str("mine")}}))};
    for (int i = 0; world == 1 && i < 3; ++i) {  // derived from "mine", hidden from the loader
      const std::string id = absl::StrCat("fin-", i);
      ops.push_back(UpsertNode(MakeNode(id, {"team:fin"}, "Doc", {{"text", Str("fin")}})));
      ops.push_back(UpsertEdge(id, "DERIVED_FROM", "mine"));
    }
    ASSERT_NE(AdminWrite(ops), 0u);
    const std::string loader =
        CreatePrincipal("loader", {v1::ROLE_LOADER, v1::ROLE_AGENT}, {"team:eng", "pii"});

    grpc::Status status;
    v1::RetrieveRequest retrieve;
    retrieve.add_seeds("src");
    retrieve.mutable_expansion()->set_max_hops(0);
    auto retrieved = [&] {
      v1::RetrieveResponse r;
      status = Call(context_.get(), &v1::ContextService::Stub::Retrieve, loader, retrieve, &r);
      EXPECT_OK(status);
      const std::string& id = r.receipt().receipt_id();
      EXPECT_EQ(id.size(), 32u) << id;
      EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos) << id;
      // The server's key reads the entry's seq in it; the id is no
      // encoding of the seq anyone could undo.
      const std::optional<ReceiptRef> ref = receipt_ids.Decode(id).value_or(std::nullopt);
      EXPECT_TRUE(ref.has_value() && ref->seq == server_->backend().audit.head_seq()) << id;
      if (ref) {
        seqs.push_back(ref->seq);
        EXPECT_NE(id, absl::StrFormat("%032x", ref->seq));
        EXPECT_NE(id, absl::StrFormat("%032d", ref->seq));
      }
      r.mutable_receipt()->clear_receipt_id();  // opaque, different in each world
      return Timeless(status, r);
    };
    seen[world] += retrieved();
    v1::WriteResponse wrote;
    status = Write(loader, {UpsertEdge("mine", "DERIVED_FROM", "src")}, &wrote);
    EXPECT_OK(status);
    seen[world] += Timeless(status, wrote);
    seen[world] += retrieved();
    v1::LineageRequest up;
    up.set_node_id("mine");
    v1::LineageResponse lineage;
    status = Call(lineage_.get(), &v1::LineageService::Stub::Upstream, loader, up, &lineage);
    EXPECT_OK(status);
    EXPECT_EQ(lineage.nodes_size(), 2);
    seen[world] += Timeless(status, lineage);
    ASSERT_EQ(seqs.size(), 2u);
    gap[world] = seqs[1] - seqs[0];
  }
  // The log did count the three hidden nodes (their propagation entries);
  // nothing the loader was given did.
  EXPECT_EQ(gap[1], gap[0] + 3);
  EXPECT_EQ(seen[0], seen[1]);
}

// The hidden-versus-absent cases no other test covers: a Retrieve seed or
// query term, Downstream, either end of a Path (agent and auditor), a
// SanitizeEdge target, and ListNodes of a type label only hidden nodes
// carry. Each hidden answer is the absent one with the id swapped in.
TEST_F(PrivacyAttackTest, HiddenIdsAnswerLikeAbsentIdsOnRemainingApis) {
  ASSERT_NE(DefineLabels({"fin"}), 0u);
  ASSERT_NE(AdminWrite({DefineLabel("pii", /*propagate=*/true)}), 0u);
  ASSERT_NE(AdminWrite({UpsertNode(MakeNode("open", {}, "Doc", {{"text", Str("public")}})),
                        UpsertNode(MakeNode("secret", {"fin"}, "Ledger",
                                            {{"text", Str("quarterlyhush")}})),
                        UpsertEdge("open", "DERIVED_FROM", "secret")}),
            0u);
  const std::string agent = CreatePrincipal("agent", {v1::ROLE_AGENT}, {});
  const std::string auditor = CreatePrincipal("auditor", {v1::ROLE_AUDITOR}, {});
  const std::string steward = CreatePrincipal("steward", {v1::ROLE_STEWARD}, {"pii"});
  auto same = [](const std::string& hidden, const std::string& absent) {
    return absl::StrReplaceAll(absent, {{"s3cret", "secret"}}) == hidden;
  };
  grpc::Status status;
  for (const std::string& token : {agent, auditor}) {
    std::string seen[2];  // hidden, absent
    for (int i = 0; i < 2; ++i) {
      const std::string id = i == 0 ? "secret" : "s3cret";
      v1::RetrieveRequest retrieve;
      retrieve.add_seeds("open");
      retrieve.add_seeds(id);
      v1::RetrieveResponse r;
      seen[i] = ObservedCall(context_.get(), &v1::ContextService::Stub::Retrieve, token, retrieve,
                             &r, &status);
      EXPECT_EQ(status.error_message(), absl::StrCat("seeds[1]: node \"", id, "\" not found"));
      v1::LineageRequest lineage;
      lineage.set_node_id(id);
      v1::LineageResponse l;
      seen[i] += ObservedCall(lineage_.get(), &v1::LineageService::Stub::Downstream, token, lineage,
                              &l, &status);
      EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
      for (bool hidden_from : {true, false}) {
        v1::LineagePathRequest path;
        path.set_from(hidden_from ? id : "open");
        path.set_to(hidden_from ? "open" : id);
        v1::LineagePathResponse p;
        seen[i] +=
            ObservedCall(lineage_.get(), &v1::LineageService::Stub::Path, token, path, &p, &status);
        EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
      }
      v1::ListNodesRequest list;
      list.set_label(i == 0 ? "Ledger" : "Ledg3r");
      v1::ListNodesResponse n;
      seen[i] +=
          ObservedCall(graph_.get(), &v1::GraphService::Stub::ListNodes, token, list, &n, &status);
      EXPECT_OK(status);
      // A query only the hidden node matches seeds nothing. The receipt id
      // is the audit seq, which every call advances whatever it finds.
      v1::RetrieveRequest by_query;
      by_query.set_query(i == 0 ? "quarterlyhush" : "quarterlyhash");
      v1::RetrieveResponse q;
      status = Call(context_.get(), &v1::ContextService::Stub::Retrieve, token, by_query, &q);
      EXPECT_OK(status);
      EXPECT_EQ(q.items_size(), 0);
      q.mutable_receipt()->clear_receipt_id();
      seen[i] += Transcript(status, q);
    }
    EXPECT_TRUE(same(seen[0], absl::StrReplaceAll(seen[1], {{"Ledg3r", "Ledger"}})))
        << seen[0] << "\n"
        << seen[1];
  }
  // SanitizeEdge to a node the steward cannot see.
  std::string seen[2];
  for (int i = 0; i < 2; ++i) {
    v1::SanitizeEdgeRequest request;
    request.set_from("open");
    request.set_to(i == 0 ? "secret" : "s3cret");
    request.add_add("pii");
    request.set_reason("r");
    v1::SanitizeEdgeResponse response;
    seen[i] = ObservedCall(boundary_.get(), &v1::BoundaryService::Stub::SanitizeEdge, steward,
                           request, &response, &status);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND) << status.error_message();
  }
  EXPECT_TRUE(same(seen[0], seen[1])) << seen[0] << "\n" << seen[1];
}

}  // namespace
}  // namespace ctxgraph::server
