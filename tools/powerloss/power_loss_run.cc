#include "tools/powerloss/power_loss_run.h"

#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <utility>

#include "absl/strings/str_cat.h"
#include "rocksdb/db.h"
#include "storage/graph_store.h"
#include "storage/label_registry.h"
#include "storage/status_macros.h"
#include "storage/testing/allow_all_writes.h"
#include "storage/testing/fault_injection_fs.h"
#include "storage/text_index.h"

namespace ctxgraph {
namespace {

// Nodes the commits write, so later commits overwrite and delete earlier
// ones' nodes.
constexpr int kNodePool = 48;
// Reads past every version filter: the newest record of a node, whatever
// LatestVersion() says.
constexpr uint64_t kNewest = std::numeric_limits<uint64_t>::max() - 1;

// What the model says each node's title is; absent = no live node.
using ModelState = std::map<std::string, std::string>;

// The database and what sits on it, opened together.
struct OpenGraph {
  std::unique_ptr<Database> db;
  std::unique_ptr<TextIndex> text;
  std::unique_ptr<LabelRegistry> labels;
  std::unique_ptr<GraphStore> store;

  ~OpenGraph() { Close(); }
  void Close() {
    store.reset();
    labels.reset();
    text.reset();
    db.reset();
  }
};

class Simulation {
 public:
  Simulation(const PowerLossOptions& options)
      : options_(options),
        rng_(options.seed),
        fs_(std::make_shared<FaultInjectionFs>()),
        env_(FaultInjectionFs::NewEnv(fs_)) {
    db_options_.env = env_;
    db_options_.sync_writes = true;
    // Small memtables and cache: flushes and compactions happen every few
    // commits, so power losses also hit those.
    db_options_.memtable_budget_bytes = 64 << 10;
    db_options_.block_cache_bytes = 1 << 20;
  }

  absl::StatusOr<PowerLossReport> Run() {
    for (int cycle = 0; cycle < options_.cycles && report_.ok(); ++cycle) {
      RETURN_IF_ERROR(Cycle(cycle));
      if (options_.progress && options_.progress_every > 0 &&
          (cycle + 1) % options_.progress_every == 0) {
        options_.progress(report_);
      }
    }
    if (report_.ok()) {
      // The last power loss is checked too.
      OpenGraph graph;
      RETURN_IF_ERROR(Open(&graph));
      Verify(graph, options_.cycles);
    }
    return report_;
  }

 private:
  absl::Status Open(OpenGraph* graph) {
    ASSIGN_OR_RETURN(graph->db, Database::Open(options_.dir, db_options_));
    graph->text = std::make_unique<TextIndex>(graph->db.get(), TextIndexConfig{});
    RETURN_IF_ERROR(graph->text->Open());
    graph->labels = std::make_unique<LabelRegistry>(graph->db.get());
    RETURN_IF_ERROR(graph->labels->Load());
    graph->store =
        std::make_unique<GraphStore>(graph->db.get(), graph->text.get(), graph->labels.get());
    return absl::OkStatus();
  }

  // Closes `graph` (its last writes fail if the power is off) and reboots.
  absl::Status PowerCycle(OpenGraph* graph) {
    fs_->SimulatePowerLoss();  // a no-op when PowerLossAfter already struck
    graph->Close();
    rocksdb::Status s = fs_->Reboot();
    if (!s.ok()) return absl::InternalError(absl::StrCat("reboot: ", s.ToString()));
    return absl::OkStatus();
  }

  absl::Status Cycle(int cycle) {
    OpenGraph graph;
    RETURN_IF_ERROR(Open(&graph));
    Verify(graph, cycle);
    if (!report_.ok()) return absl::OkStatus();
    if (options_.compact_every > 0 && (cycle + 1) % options_.compact_every == 0) {
      RETURN_IF_ERROR(CompactAll(*graph.db));
      ++report_.compactions;
    }

    // Cut the power somewhere in the next ~40 commits' worth of file
    // operations (each commit appends to and syncs the WAL; flushes and
    // compactions add more); a cycle that gets through all its commits
    // loses the power while idle.
    fs_->PowerLossAfter(std::uniform_int_distribution<uint64_t>(1, 120)(rng_));
    const int commits = std::uniform_int_distribution<int>(1, options_.max_commits_per_cycle)(rng_);
    acked_this_cycle_.clear();
    for (int i = 0; i < commits; ++i) {
      if (!Commit(graph, cycle)) break;
    }
    if (!report_.ok()) return absl::OkStatus();
    ++report_.cycles;
    RETURN_IF_ERROR(PowerCycle(&graph));

    // One cycle in four also loses the power while the database recovers.
    if (std::uniform_int_distribution<int>(0, 3)(rng_) == 0) {
      fs_->PowerLossAfter(std::uniform_int_distribution<uint64_t>(1, 40)(rng_));
      OpenGraph reopened;
      absl::Status opened = Open(&reopened);
      if (!opened.ok() && !fs_->powered_off()) {
        return absl::InternalError(
            absl::StrCat("open failed without a power loss: ", opened.ToString()));
      }
      if (fs_->powered_off()) ++report_.open_losses;
      RETURN_IF_ERROR(PowerCycle(&reopened));
    }
    return absl::OkStatus();
  }

  // Rewrites every column family into as few files as its data needs.
  static absl::Status CompactAll(Database& db) {
    rocksdb::CompactRangeOptions options;
    options.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
    for (int cf = 0; cf < static_cast<int>(Cf::kCount); ++cf) {
      RETURN_IF_ERROR(FromRocks(
          db.rocks()->CompactRange(options, db.handle(static_cast<Cf>(cf)), nullptr, nullptr)));
    }
    return absl::OkStatus();
  }

  // 1-4 node writes and deletes, applied to `next` (the model).
  std::vector<Mutation> Mutations(int cycle, ModelState& next) {
    std::uniform_int_distribution<int> pick(0, kNodePool - 1);
    const int writes = std::uniform_int_distribution<int>(1, 4)(rng_);
    std::vector<Mutation> mutations;
    for (int j = 0; j < writes; ++j) {
      std::string id = absl::StrCat("node-", pick(rng_));
      if (next.contains(id) && std::uniform_int_distribution<int>(0, 5)(rng_) == 0) {
        next.erase(id);
        mutations.push_back(NodeDelete{id});
        continue;
      }
      std::string title = absl::StrCat("c", attempts_, "-", j, " cycle ", cycle);
      NodeUpsert upsert;
      upsert.node.id = id;
      upsert.node.labels = {"Document"};
      upsert.node.props["title"] = Value{title};
      next[id] = std::move(title);
      mutations.push_back(std::move(upsert));
    }
    ++attempts_;
    return mutations;
  }

  // One commit, false once the power is off: usually one Apply, one in four
  // times a bulk CommitSession of 2-4 batches (which skip the WAL and are
  // flushed by Finish, database.h).
  bool Commit(OpenGraph& graph, int cycle) {
    ModelState next = state_;
    absl::StatusOr<WriteResult> r;
    AllowAllWrites guard;
    if (std::uniform_int_distribution<int>(0, 3)(rng_) == 0) {
      std::vector<std::vector<Mutation>> batches(std::uniform_int_distribution<int>(2, 4)(rng_));
      for (auto& batch : batches) batch = Mutations(cycle, next);
      in_flight_ = std::move(next);
      r = CommitSession(graph, std::move(batches));
      if (r.ok() && r->committed) ++report_.bulk_commits;
    } else {
      std::vector<Mutation> mutations = Mutations(cycle, next);
      in_flight_ = std::move(next);
      r = graph.store->Apply(std::move(mutations), guard, "powerloss",
                             absl::StrCat("commit ", attempts_));
    }
    if (!r.ok()) {
      if (!fs_->powered_off())
        Problem(absl::StrCat("commit failed without a power loss: ", r.status().ToString()));
      return false;
    }
    if (!r->committed) {
      in_flight_.reset();  // every write repeated the state: nothing to acknowledge
      return true;
    }
    if (r->version != last_acked_ + 1) {
      Problem(absl::StrCat("commit acknowledged at version ", r->version, ", expected ",
                           last_acked_ + 1));
      return false;
    }
    last_acked_ = r->version;
    state_ = std::move(*in_flight_);
    in_flight_.reset();
    acked_this_cycle_.push_back(last_acked_);
    ++report_.acked_commits;
    return true;
  }

  // Writes `batches` as one bulk session (as `ctxgraph import --bulk` does).
  absl::StatusOr<WriteResult> CommitSession(OpenGraph& graph,
                                            std::vector<std::vector<Mutation>> batches) {
    AllowAllWrites guard;
    std::unique_ptr<ctxgraph::CommitSession> session = graph.db->BeginSession("powerloss");
    for (std::vector<Mutation>& batch : batches) {
      std::vector<IndexedMutation> ops;
      for (Mutation& m : batch) ops.push_back({ops.size(), std::move(m)});
      ChunkResult result;
      RETURN_IF_ERROR(session->Write([&](CommitContext& ctx) {
        return graph.store->ApplyEach(ctx, ops, guard, false, nullptr, &result);
      }));
      if (!result.rejects.empty()) {
        return absl::InternalError(
            absl::StrCat("bulk batch rejected: ", result.rejects.front().status.ToString()));
      }
    }
    ASSIGN_OR_RETURN(CommitOutcome outcome, session->Finish(absl::StrCat("bulk ", attempts_)));
    WriteResult r;
    r.version = outcome.version;
    r.committed = outcome.committed;
    return r;
  }

  // Checks the recovered state against the model and adopts it.
  void Verify(OpenGraph& graph, int cycle) {
    const uint64_t latest = graph.db->LatestVersion();
    const ModelState* expected = nullptr;
    if (latest == last_acked_) {
      expected = &state_;
    } else if (latest < last_acked_) {
      report_.lost_commits += last_acked_ - latest;
      Problem(absl::StrCat("cycle ", cycle, ": recovered version ", latest, " but version ",
                           last_acked_, " was acknowledged"));
      return;
    } else if (latest == last_acked_ + 1 && in_flight_) {
      expected = &*in_flight_;
      ++report_.unacked_durable;
    } else {
      ++report_.non_prefix_states;
      Problem(absl::StrCat("cycle ", cycle, ": recovered version ", latest,
                           ", which was never written (last acknowledged ", last_acked_, ")"));
      return;
    }
    for (int n = 0; n < kNodePool; ++n) {
      const std::string id = absl::StrCat("node-", n);
      absl::StatusOr<std::optional<NodeRecord>> node = graph.store->GetNode(id, kNewest);
      if (!node.ok()) {
        Problem(absl::StrCat("cycle ", cycle, ": reading ", id, ": ", node.status().ToString()));
        return;
      }
      auto want = expected->find(id);
      std::optional<std::string> got;
      if (*node) {
        auto title = (*node)->props.find("title");
        const std::string* s =
            title == (*node)->props.end() ? nullptr : std::get_if<std::string>(&title->second.v);
        got = s ? *s : "<no title>";
      }
      const bool same = want == expected->end() ? !got : got && *got == want->second;
      if (!same) {
        ++report_.non_prefix_states;
        Problem(absl::StrCat("cycle ", cycle, ": at version ", latest, " node ", id, " reads \"",
                             got.value_or("<absent>"), "\", the commit order says \"",
                             want == expected->end() ? "<absent>" : want->second, "\""));
        return;
      }
    }
    for (uint64_t v : acked_this_cycle_) {
      if (absl::StatusOr<CommitRecord> c = graph.db->GetCommit(v); !c.ok()) {
        ++report_.non_prefix_states;
        Problem(absl::StrCat("cycle ", cycle, ": acknowledged commit ", v, ": ",
                             c.status().ToString()));
        return;
      }
    }
    if (absl::StatusOr<CommitRecord> c = graph.db->GetCommit(latest + 1); c.ok()) {
      ++report_.non_prefix_states;
      Problem(absl::StrCat("cycle ", cycle, ": a commit record for version ", latest + 1,
                           " survived without its version"));
      return;
    }
    absl::StatusOr<AuditVerifyResult> audit = graph.db->audit().Verify();
    if (!audit.ok() || !audit->ok) {
      ++report_.audit_failures;
      Problem(absl::StrCat("cycle ", cycle, ": audit chain: ",
                           audit.ok() ? audit->reason : audit.status().ToString()));
      return;
    }
    if (expected != &state_) state_ = *expected;
    last_acked_ = latest;
    in_flight_.reset();
    acked_this_cycle_.clear();
  }

  void Problem(std::string what) {
    if (report_.problems.size() < 10) report_.problems.push_back(std::move(what));
  }

  const PowerLossOptions options_;
  std::mt19937_64 rng_;
  std::shared_ptr<FaultInjectionFs> fs_;
  std::shared_ptr<rocksdb::Env> env_;
  DatabaseOptions db_options_;
  PowerLossReport report_;

  // The model: the state after the last acknowledged commit, and the state
  // after the commit in flight when the power failed, if any.
  ModelState state_;
  uint64_t last_acked_ = 0;
  std::optional<ModelState> in_flight_;
  std::vector<uint64_t> acked_this_cycle_;
  uint64_t attempts_ = 0;
};

}  // namespace

absl::StatusOr<PowerLossReport> RunPowerLoss(const PowerLossOptions& options) {
  return Simulation(options).Run();
}

}  // namespace ctxgraph
