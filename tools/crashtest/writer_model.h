// What one crash-test writer believes the server holds: every node it wrote
// and not deleted, with its props, the version that last wrote it and its
// LINKS edges. Each writer owns a disjoint set of node ids ("w<N>-..."), so
// its model depends on its own batches only.
//
// A batch (NextBatch) upserts three new nodes chained by two LINKS edges,
// links the last one to an older live node, and may update one older node
// (its "rev" prop changes) and delete another (which deletes its edges).
// Every op changes what the server holds, so a batch that was applied can
// be told from one that was not, node by node.
#ifndef CTXGRAPH_TOOLS_CRASHTEST_WRITER_MODEL_H_
#define CTXGRAPH_TOOLS_CRASHTEST_WRITER_MODEL_H_

#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "ctxgraph/v1/graph.pb.h"

namespace ctxgraph::crashtest {

// Stands for "the version of the batch whose outcome is unknown" in an
// expected state: any one version matches, the same for the whole batch.
inline constexpr uint64_t kPendingVersion = ~uint64_t{0};

// The edge label every crash-test edge carries.
inline constexpr char kLinkLabel[] = "LINKS";

struct EdgeState {
  uint64_t version = 0;  // the commit that wrote the edge
  std::string batch;     // its "batch" prop
  bool operator==(const EdgeState&) const = default;
};

// One node id as the server should show it to the admin.
struct NodeState {
  bool exists = false;
  std::vector<std::string> labels;  // sorted
  std::map<std::string, std::string> props;
  uint64_t version = 0;                  // provenance.version
  std::map<std::string, EdgeState> out;  // LINKS edges by target id
};

// "absent", or labels, props, version and edges, for failure messages.
std::string Describe(const NodeState& state);

// Whether `actual` is `expected`, where kPendingVersion in `expected` matches
// any version; *pending (when not 0) must then be that version, and is set
// to it when 0.
bool Matches(const NodeState& expected, const NodeState& actual, uint64_t* pending);

struct Batch {
  std::string id;  // "w<writer>-b<seq>", also its commit description
  v1::WriteRequest request;
  // The node ids whose state the batch changes: those it upserts, deletes,
  // links from, and those that lose an edge to a node it deletes.
  std::set<std::string> touched;
};

// Not thread-safe: one writer thread uses it at a time.
class WriterModel {
 public:
  explicit WriterModel(int writer) : writer_(writer) {}

  int writer() const { return writer_; }
  // The type label of this writer's nodes, for ListNodes.
  std::string TypeLabel() const;

  // The next batch; it changes nothing until Apply.
  Batch NextBatch(std::mt19937_64& rng);
  // Records `batch` as committed at `version` (kPendingVersion allowed in a
  // copy used to build the "applied" expectation).
  void Apply(const Batch& batch, uint64_t version);

  NodeState Expected(const std::string& id) const;
  // Every id this writer has ever written, live or deleted.
  const std::set<std::string>& written() const { return written_; }
  size_t live_count() const { return live_ids_.size(); }

 private:
  const std::string& PickLive(std::mt19937_64& rng) const;
  void Erase(const std::string& id);

  int writer_;
  uint64_t next_seq_ = 1;
  std::map<std::string, NodeState> nodes_;  // live nodes only
  // Who links to each live node: the edges a delete removes.
  std::map<std::string, std::set<std::string>> in_;
  std::vector<std::string> live_ids_;  // for uniform picks
  std::unordered_map<std::string, size_t> live_pos_;
  std::set<std::string> written_;
};

}  // namespace ctxgraph::crashtest

#endif  // CTXGRAPH_TOOLS_CRASHTEST_WRITER_MODEL_H_
