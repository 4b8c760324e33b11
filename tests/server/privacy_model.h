// PrivacyModel: a deliberately naive, in-memory reference for what each
// caller may read, written apart from the server's policy code so the
// property test (privacy_property_test.cc) can compare every read API
// against an independent answer.
//
// It keeps every version of one small graph as a full copy (std::map of
// nodes and edges), recomputes inherited boundary labels by iterating the
// propagation rule to a fixpoint on every question, and answers each read
// with a plain breadth-first search over the nodes the caller may see. The
// rule it encodes is the README's:
//   - a clearance is an exact label, "ns:*" (any label starting "ns:" and
//     longer than it) or "*";
//   - a node's effective boundary is its own labels plus the propagating
//     labels that flow to it along DERIVED_FROM (a -DERIVED_FROM-> b gives a
//     what b carries or inherits, minus what the edge sanitizes), the least
//     fixpoint;
//   - a node is visible at version V iff it exists at V, every label of its
//     effective boundary at V is cleared, and every label of its effective
//     boundary at the latest version is too, or, when it was deleted since,
//     at the last version that held it;
//   - an edge is visible iff both ends are.
// Nothing here is fast; graphs hold tens of nodes. Not thread-safe.
#ifndef CTXGRAPH_TESTS_SERVER_PRIVACY_MODEL_H_
#define CTXGRAPH_TESTS_SERVER_PRIVACY_MODEL_H_

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

namespace ctxgraph::privacy_model {

struct ModelNode {
  std::vector<std::string> types;  // type labels
  std::set<std::string> own;       // own boundary labels
  std::map<std::string, std::string> props;
  std::set<std::string> words;  // the search terms its text holds
};

// (from, label, to)
using EdgeId = std::tuple<std::string, std::string, std::string>;

struct ModelEdge {
  std::set<std::string> sanitizes;
};

// One committed state of the graph.
struct ModelGraph {
  std::map<std::string, ModelNode> nodes;
  std::map<EdgeId, ModelEdge> edges;
};

struct ModelCaller {
  std::vector<std::string> clearances;
  bool auditor = false;  // lineage walks through hidden nodes as stubs
};

// True when one of `clearances` matches `label`.
bool Cleared(const std::vector<std::string>& clearances, const std::string& label);

enum class Dir { kOut, kIn, kBoth };

// A lineage answer: visible nodes by id with their depth, the depths of the
// redacted stubs (auditors only), and whether a node at max_depth has a
// lineage edge to a node the walk may step on but did not reach.
struct LineageAnswer {
  std::map<std::string, int> visible;
  std::multiset<int> stub_depths;
  bool depth_limited = false;
};

// A lineage path answer: nullopt when there is none within max_depth.
struct PathAnswer {
  bool upstream = true;
  int edges = 0;
};

class PrivacyModel {
 public:
  void DefineLabel(const std::string& name, bool propagate);
  // Records the state committed at server version `version` (increasing).
  void Commit(uint64_t version, ModelGraph graph);

  uint64_t latest_version() const { return versions_.rbegin()->first; }
  // The state as of server version `version` (the last commit at or before it).
  const ModelGraph& At(uint64_t version) const;
  // The order the server interns ids in: first creation.
  const std::vector<std::string>& intern_order() const { return intern_order_; }

  // Inherited labels of every node of the state as of `version`.
  const std::map<std::string, std::set<std::string>>& Inherited(uint64_t version) const;
  // The own plus inherited labels of `id` as of `version` (empty if absent).
  std::set<std::string> Effective(const std::string& id, uint64_t version) const;

  bool Visible(const std::string& id, const ModelCaller& caller, uint64_t version) const;

  // Visible nodes holding type `type`, in intern order.
  std::vector<std::string> ListNodes(const std::string& type, const ModelCaller& caller,
                                     uint64_t version) const;
  // "OUT:label:id" / "IN:label:id" in the server's adjacency order (out
  // before in; then label by (length, bytes); then the other end's intern
  // order). `labels` empty: every label. nullopt: `id` is not visible.
  std::optional<std::vector<std::string>> Neighbors(const std::string& id, Dir dir,
                                                    const std::set<std::string>& labels,
                                                    const ModelCaller& caller,
                                                    uint64_t version) const;
  // Visible nodes whose text holds `word` (and one of `types`, if any).
  std::set<std::string> SearchHits(const std::string& word, const std::set<std::string>& types,
                                   const ModelCaller& caller, uint64_t version) const;
  // Visible nodes within `max_hops` of the seeds through visible nodes, with
  // their hop.
  std::map<std::string, int> Reach(const std::vector<std::string>& seeds, int max_hops, Dir dir,
                                   const std::set<std::string>& labels, const ModelCaller& caller,
                                   uint64_t version) const;
  // Edges (matching `labels`) with both ends in `nodes`, as "from|label|to".
  std::set<std::string> EdgesAmong(const std::map<std::string, int>& nodes,
                                   const std::set<std::string>& labels, uint64_t version) const;
  // Upstream (from -> to) or downstream lineage of a visible `start`.
  LineageAnswer Lineage(const std::string& start, bool upstream, int max_depth,
                        const std::set<std::string>& labels, const ModelCaller& caller,
                        uint64_t version) const;
  std::optional<PathAnswer> Path(const std::string& from, const std::string& to, int max_depth,
                                 const std::set<std::string>& labels, const ModelCaller& caller,
                                 uint64_t version) const;

  // A readable dump of every version, for failure messages.
  std::string Dump() const;

 private:
  // Whether a lineage walk of `caller` may step onto `id`.
  bool Walkable(const std::string& id, const ModelCaller& caller, uint64_t version) const;
  // BFS distances from `start` along `labels` edges (from -> to when
  // `forward`), over nodes `ok` accepts, up to `max_depth`.
  template <typename Ok>
  std::map<std::string, int> Distances(const std::string& start, bool forward, int max_depth,
                                       const std::set<std::string>& labels, uint64_t version,
                                       Ok ok) const;

  std::map<std::string, bool> propagate_;  // label -> propagate
  std::map<uint64_t, ModelGraph> versions_;
  // Inherited(), by the commit version a state was recorded at.
  mutable std::map<uint64_t, std::map<std::string, std::set<std::string>>> inherited_;
  std::vector<std::string> intern_order_;
};

}  // namespace ctxgraph::privacy_model

#endif  // CTXGRAPH_TESTS_SERVER_PRIVACY_MODEL_H_
