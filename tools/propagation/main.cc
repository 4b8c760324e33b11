// ctxgraph-propagation-bench: how long a commit takes that re-propagates a
// boundary label to a large downstream closure (issue goal: relabelling a
// node whose closure has 10k nodes commits in under 2 s).
//
// In process, on a fresh database: builds a tree of --nodes derived nodes
// under one root (each derives from node (i-1)/--fanout, so the depth is
// about log_fanout(nodes)), then times, --repeat times each, the steward's
// calls that move a propagating label across the whole closure:
//   AssignLabels add    root gains "pii": every derived node inherits it
//   AssignLabels remove root loses it: every derived node drops it
//   SanitizeEdge add / remove on the root's first child's edge: the
//                       child's subtree (about 1/fanout of it) drops and
//                       regains it
// Each call is one commit (synced WAL, as the server runs by default) with
// one audit entry per changed node. No gRPC: this is the store's and the
// query layer's cost, which the RPC adds ~0.1 ms to.
//
//   build/tools/propagation/ctxgraph-propagation-bench --nodes 10000 --repeat 5
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "query/boundary_admin.h"
#include "query/caller.h"
#include "query/graph_writer.h"
#include "query/page_token.h"
#include "storage/graph_store.h"

namespace ctxgraph {
namespace {

using Clock = std::chrono::steady_clock;

std::string NodeId(int i) { return absl::StrCat("n", i); }

struct Timings {
  std::string name;
  std::vector<double> ms;
  size_t changed = 0;  // per-node audit entries of the last call (assigned + propagated)
};

void Print(const Timings& t) {
  std::vector<double> s = t.ms;
  std::sort(s.begin(), s.end());
  std::printf("%-28s n=%zu  min %8.1f ms  median %8.1f ms  max %8.1f ms  (%zu per-node audit entries)\n",
              t.name.c_str(), s.size(), s.front(), s[s.size() / 2], s.back(), t.changed);
}

int Run(const std::string& dir, int nodes, int fanout, int repeat) {
  std::filesystem::remove_all(dir);
  auto db = Database::Open(dir, DatabaseOptions{});
  if (!db.ok()) {
    std::fprintf(stderr, "open: %s\n", std::string(db.status().message()).c_str());
    return 1;
  }
  TextIndex text(db->get(), TextIndexConfig{});
  LabelRegistry labels(db->get());
  if (!text.Open().ok() || !labels.Load().ok()) return 1;
  GraphStore store(db->get(), &text, &labels);
  PageTokenCodec tokens((*db)->secret());
  const Caller admin(PrincipalRecord{"admin", {Role::kAdmin}, {"*"}, PrincipalStatus::kActive, 0});
  const Caller steward(
      PrincipalRecord{"steward", {Role::kSteward}, {"*"}, PrincipalStatus::kActive, 0});
  GraphWriter writer(store);
  BoundaryAdmin boundaries(store, tokens);

  LabelDefinition pii{.name = "pii", .description = "Personal data", .propagate = true};
  if (!boundaries.DefineLabel(steward, pii).ok()) return 1;

  // The tree, in batches so no single commit is huge.
  const auto build_start = Clock::now();
  std::vector<Mutation> batch;
  auto flush = [&]() -> bool {
    if (batch.empty()) return true;
    absl::StatusOr<WriteResult> r = writer.Write(admin, std::move(batch), "build tree");
    batch.clear();
    if (!r.ok()) std::fprintf(stderr, "write: %s\n", std::string(r.status().message()).c_str());
    return r.ok();
  };
  for (int i = 0; i <= nodes; ++i) {
    NodeUpsert n;
    n.node.id = NodeId(i);
    n.node.labels = {"Document"};
    n.node.props["title"] = Value{absl::StrCat("derived report number ", i)};
    batch.push_back(std::move(n));
    if (i > 0) {
      EdgeUpsert e;
      e.edge.from = NodeId(i);
      e.edge.label = "DERIVED_FROM";
      e.edge.to = NodeId((i - 1) / fanout);
      batch.push_back(std::move(e));
    }
    if (batch.size() >= 5000 && !flush()) return 1;
  }
  if (!flush()) return 1;
  std::printf("built %d derived nodes under one root (fanout %d) in %.1f s\n", nodes, fanout,
              std::chrono::duration<double>(Clock::now() - build_start).count());

  auto audit_entries = [&] { return (*db)->audit().head_seq(); };
  Timings add{"AssignLabels add (root)"}, remove{"AssignLabels remove (root)"};
  Timings sanitize{"SanitizeEdge add (child)"}, unsanitize{"SanitizeEdge remove (child)"};
  auto timed = [&](Timings& t, const std::function<absl::Status()>& call) -> bool {
    const uint64_t seq = audit_entries();
    const auto start = Clock::now();
    absl::Status s = call();
    t.ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    if (!s.ok()) {
      std::fprintf(stderr, "%s: %s\n", t.name.c_str(), std::string(s.message()).c_str());
      return false;
    }
    t.changed = audit_entries() - seq - 1;  // less the commit's own entry
    return true;
  };
  for (int r = 0; r < repeat; ++r) {
    auto assign = [&](bool adding) {
      AssignRequest request;
      request.node_ids = {NodeId(0)};
      (adding ? request.add : request.remove) = {"pii"};
      request.reason = "benchmark";
      return boundaries.AssignLabels(steward, request).status();
    };
    if (!timed(add, [&] { return assign(true); })) return 1;
    auto sanitize_edge = [&](bool adding) {
      SanitizeRequest request{NodeId(1), NodeId(0), {}, {}, "benchmark"};
      (adding ? request.add : request.remove) = {"pii"};
      return boundaries.SanitizeEdge(steward, request).status();
    };
    if (!timed(sanitize, [&] { return sanitize_edge(true); })) return 1;
    if (!timed(unsanitize, [&] { return sanitize_edge(false); })) return 1;
    if (!timed(remove, [&] { return assign(false); })) return 1;
  }
  for (const Timings* t : {&add, &remove, &sanitize, &unsanitize}) Print(*t);
  return 0;
}

}  // namespace
}  // namespace ctxgraph

int main(int argc, char** argv) {
  CLI::App app{"Times commits that re-propagate a boundary label to a large closure"};
  std::string dir = "/tmp/ctxgraph-propagation-bench";
  int nodes = 10000, fanout = 4, repeat = 5;
  app.add_option("--dir", dir, "Scratch database directory (wiped first)");
  app.add_option("--nodes", nodes, "Derived nodes under the root")->check(CLI::Range(1, 1000000));
  app.add_option("--fanout", fanout, "Children per node")->check(CLI::Range(1, 1000));
  app.add_option("--repeat", repeat, "Timed rounds")->check(CLI::Range(1, 1000));
  CLI11_PARSE(app, argc, argv);
  return ctxgraph::Run(dir, nodes, fanout, repeat);
}
