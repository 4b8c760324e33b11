#include "query/lineage.h"

#include <algorithm>
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/breadth_first_search.hpp>
#include <boost/graph/depth_first_search.hpp>
#include <boost/graph/strong_components.hpp>
#include <boost/graph/topological_sort.hpp>
#include <functional>
#include <iterator>
#include <tuple>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "query/graph_reader.h"
#include "query/validation.h"
#include "storage/status_macros.h"

namespace ctxgraph {
namespace {

// The fetched subgraph in walk orientation; each edge knows its index in
// LineageSubgraph::edges().
struct WalkEdge {
  size_t index = 0;
};
// Edges are only ever added, so they are kept in a vector (vecS) rather than
// a list node each.
using WalkGraph =
    boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS, boost::no_property,
                          WalkEdge, boost::no_property, boost::vecS>;
// The condensation of its strongly connected components: a DAG.
using ComponentDag = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS>;

const char* LineageDirectionName(LineageDirection direction) {
  return direction == LineageDirection::kUpstream ? "upstream" : "downstream";
}

const char* Action(LineageDirection direction) {
  return direction == LineageDirection::kUpstream ? kLineageUpstreamAction
                                                  : kLineageDownstreamAction;
}

std::string Quoted(std::string_view s) {
  return absl::StrCat("\"", absl::CHexEscape(absl::string_view(s.data(), s.size())), "\"");
}

// Fills in the default depth and labels; INVALID_ARGUMENT naming the field.
absl::Status NormalizeWalkShape(std::optional<int>& max_depth, std::vector<std::string>& labels) {
  const int depth = max_depth.value_or(kDefaultLineageDepth);
  if (depth < 1 || depth > kMaxLineageDepth) {
    return absl::InvalidArgumentError(
        absl::StrCat("max_depth: must be 1..", kMaxLineageDepth, ", got ", depth));
  }
  max_depth = depth;
  RETURN_IF_ERROR(NormalizeEdgeLabelFilter("edge_labels", labels));
  if (labels.empty()) labels.push_back(kDefaultLineageEdgeLabel);
  return absl::OkStatus();
}

// Loaders ingest; every other role may walk lineage.
absl::Status RequireLineageRole(const Caller& caller, std::string_view method) {
  return RequireRole(caller, {Role::kAgent, Role::kAuditor, Role::kSteward, Role::kAdmin}, method);
}

absl::Status NodeNotFound(std::string_view field, std::string_view id) {
  return absl::NotFoundError(
      absl::StrCat(std::string(field), ": node \"", std::string(id), "\" not found"));
}

// The request part of an entry's summary: what was asked, as whom.
std::string RequestSummary(const Caller& caller, int max_depth,
                           const std::vector<std::string>& labels, uint64_t as_of,
                           uint64_t policy_version, HiddenNodes hidden) {
  return absl::StrCat("max_depth=", max_depth, " edge_labels=[", absl::StrJoin(labels, ","),
                      "] as_of=", as_of, " policy_version=", policy_version,
                      " hidden=", hidden == HiddenNodes::kStub ? "stub" : "cut", " clearances=[",
                      absl::StrJoin(caller.principal.clearances, ","), "]");
}

// Appends the call's audit entry; answers its seq.
absl::StatusOr<uint64_t> AppendEntry(AuditLog& audit, const Caller& caller, std::string action,
                                     uint64_t snapshot, std::string summary,
                                     const std::vector<LineageNode>& nodes) {
  AuditEntry entry;
  entry.principal = caller.principal.id;
  entry.action = std::move(action);
  entry.snapshot_version = snapshot;
  entry.summary = std::move(summary);
  for (const LineageNode& n : nodes) {
    // A stub's record is empty: (opaque id, version 0).
    entry.items.push_back(AuditItem{n.node->id, "", "", n.node->provenance.version});
  }
  ASSIGN_OR_RETURN(AuditEntry stored, audit.Append(std::move(entry)));
  return AuditSeqFor(caller, stored.seq);
}

// What the caller sees of a fetched subgraph: ids (opaque for stubs) and
// edges in stored direction named by those ids.
class ReturnedView {
 public:
  ReturnedView(const LineageSubgraph& graph, LineageDirection direction,
               const OpaqueIdHasher& opaque_ids)
      : graph_(graph), direction_(direction) {
    ids_.reserve(graph.nodes().size());
    for (const SubgraphNode& n : graph.nodes()) {
      ids_.push_back(n.stub ? opaque_ids.OpaqueId(n.node->id) : n.node->id);
    }
  }

  const std::string& id(size_t node) const { return ids_[node]; }

  // The edge as the caller may see it: between two visible nodes, the
  // stored record itself (its ends are the returned ids); one touching a
  // stub, a record of its own with only its label and the returned ids of
  // its ends.
  std::shared_ptr<const EdgeRecord> Edge(size_t index) const {
    const SubgraphEdge& e = graph_.edges()[index];
    if (!graph_.nodes()[e.near].stub && !graph_.nodes()[e.far].stub) return e.edge;
    const bool upstream = direction_ == LineageDirection::kUpstream;
    auto out = std::make_shared<EdgeRecord>();
    out->from = ids_[upstream ? e.near : e.far];
    out->label = e.edge->label;
    out->to = ids_[upstream ? e.far : e.near];
    return out;
  }

  // The node as the caller may see it.
  LineageNode TakeNode(size_t node, int depth, int layer) const {
    const SubgraphNode& n = graph_.nodes()[node];
    LineageNode out;
    if (n.stub) {
      auto stub = std::make_shared<NodeRecord>();
      stub->id = ids_[node];
      out.node = std::move(stub);
      out.redacted = true;
    } else {
      out.node = n.node;
    }
    out.depth = depth;
    out.layer = layer;
    return out;
  }

 private:
  const LineageSubgraph& graph_;
  const LineageDirection direction_;
  std::vector<std::string> ids_;
};

WalkGraph BuildWalkGraph(const LineageSubgraph& graph) {
  WalkGraph g(graph.nodes().size());
  for (size_t i = 0; i < graph.edges().size(); ++i) {
    boost::add_edge(graph.edges()[i].near, graph.edges()[i].far, WalkEdge{i}, g);
  }
  return g;
}

// Fewest edges from vertex 0 (the start) to every vertex.
std::vector<int> Depths(const WalkGraph& g) {
  std::vector<int> depth(boost::num_vertices(g), 0);
  boost::breadth_first_search(
      g, boost::vertex(0, g),
      boost::visitor(boost::make_bfs_visitor(boost::record_distances(
          boost::make_iterator_property_map(depth.begin(), boost::get(boost::vertex_index, g)),
          boost::on_tree_edge()))));
  return depth;
}

// Records the edges a depth-first search finds closing a cycle, and the
// vertices in the order the search finishes them.
class DfsRecorder : public boost::default_dfs_visitor {
 public:
  DfsRecorder(std::vector<size_t>* back_edges, std::vector<size_t>* finished)
      : back_edges_(back_edges), finished_(finished) {}
  template <class Edge, class Graph>
  void back_edge(Edge e, const Graph& g) {
    back_edges_->push_back(g[e].index);
  }
  template <class Vertex, class Graph>
  void finish_vertex(Vertex v, const Graph&) {
    if (finished_ != nullptr) finished_->push_back(v);
  }

 private:
  std::vector<size_t>* back_edges_;
  std::vector<size_t>* finished_;
};

// Depth, layer, output order and cycles of a fetched subgraph.
struct Layout {
  std::vector<int> depth;     // by subgraph node
  std::vector<int> layer;     // by subgraph node
  std::vector<size_t> order;  // subgraph nodes in output order
  std::vector<size_t> edges;  // subgraph edges in output order
  std::vector<LineageCycle> cycles;
};

// Sets `layer` of every vertex of the DAG `g` to the longest path to it from
// a source, visiting vertices in `topological` order.
template <class Graph>
void LongestPathLayers(const Graph& g, const std::vector<size_t>& topological,
                       std::vector<int>* layer) {
  layer->assign(boost::num_vertices(g), 0);
  for (size_t v : topological) {
    for (const auto& e : boost::make_iterator_range(boost::out_edges(v, g))) {
      int& next = (*layer)[boost::target(e, g)];
      next = std::max(next, (*layer)[v] + 1);
    }
  }
}

// The strongly connected components of a subgraph with a cycle.
struct Components {
  std::vector<int> of;  // by subgraph node
  int count = 0;
};

// Layers of a subgraph with a cycle: longest path from the start over the
// DAG of its strongly connected components, so a cycle's nodes share one
// layer and the order stays topological everywhere else.
std::vector<int> ComponentLayers(const WalkGraph& g, const std::vector<SubgraphEdge>& edges,
                                 Components* components) {
  const size_t n = boost::num_vertices(g);
  components->of.assign(n, 0);
  components->count =
      boost::strong_components(g, boost::make_iterator_property_map(
                                      components->of.begin(), boost::get(boost::vertex_index, g)));
  const std::vector<int>& component = components->of;
  ComponentDag dag(static_cast<size_t>(components->count));
  for (const SubgraphEdge& e : edges) {
    if (component[e.near] != component[e.far]) {
      boost::add_edge(component[e.near], component[e.far], dag);
    }
  }
  std::vector<size_t> reverse_topological;
  // The condensation has no cycle, so topological_sort cannot throw not_a_dag.
  boost::topological_sort(dag, std::back_inserter(reverse_topological));
  std::vector<int> component_layer;
  LongestPathLayers(dag,
                    std::vector<size_t>(reverse_topological.rbegin(), reverse_topological.rend()),
                    &component_layer);
  std::vector<int> layer(n);
  for (size_t v = 0; v < n; ++v) layer[v] = component_layer[component[v]];
  return layer;
}

// The cycles of a laid-out subgraph whose components are `components`:
// back edges of a depth-first search from the start, over the graph
// renumbered in output order so that which edges close a cycle depends on
// ids only, not on storage order.
std::vector<LineageCycle> FindCycles(const LineageSubgraph& graph, const ReturnedView& view,
                                     const Layout& layout, const std::vector<size_t>& position,
                                     const Components& components) {
  const size_t n = graph.nodes().size();
  const std::vector<SubgraphEdge>& edges = graph.edges();
  WalkGraph ordered(n);
  for (size_t i : layout.edges) {
    boost::add_edge(position[edges[i].near], position[edges[i].far], WalkEdge{i}, ordered);
  }
  std::vector<size_t> back_edges;
  boost::depth_first_search(
      ordered, boost::visitor(DfsRecorder(&back_edges, nullptr)).root_vertex(position[0]));
  // Every back edge lies inside one component; each component holding one
  // is reported once, in the order of its first node.
  const std::vector<int>& component = components.of;
  std::vector<std::vector<size_t>> closing(static_cast<size_t>(components.count));
  for (size_t i : back_edges) closing[component[edges[i].near]].push_back(i);
  std::vector<bool> reported(static_cast<size_t>(components.count), false);
  std::vector<LineageCycle> cycles;
  for (size_t v : layout.order) {
    const int c = component[v];
    if (reported[c] || closing[c].empty()) continue;
    reported[c] = true;
    LineageCycle cycle;
    for (size_t u = 0; u < n; ++u) {
      if (component[u] == c) cycle.node_ids.push_back(view.id(u));
    }
    std::sort(cycle.node_ids.begin(), cycle.node_ids.end());
    for (size_t i : closing[c]) cycle.closing_edges.push_back(*view.Edge(i));
    cycles.push_back(std::move(cycle));
  }
  return cycles;
}

Layout LayOut(const LineageSubgraph& graph, const ReturnedView& view) {
  const size_t n = graph.nodes().size();
  const std::vector<SubgraphEdge>& edges = graph.edges();
  const WalkGraph g = BuildWalkGraph(graph);
  Layout out;
  out.depth = Depths(g);

  // One depth-first search tells whether the subgraph has a cycle (lineage
  // data rarely does) and, when it has none, orders it topologically: its
  // layers are then longest paths over it directly, which is what the
  // components' DAG would give with one node per component.
  std::vector<size_t> back_edges;
  std::vector<size_t> finished;
  finished.reserve(n);
  boost::depth_first_search(g, boost::visitor(DfsRecorder(&back_edges, &finished)).root_vertex(0));
  const bool acyclic = back_edges.empty();
  Components components;
  if (acyclic) {
    LongestPathLayers(g, std::vector<size_t>(finished.rbegin(), finished.rend()), &out.layer);
  } else {
    out.layer = ComponentLayers(g, edges, &components);
  }

  out.order.resize(n);
  for (size_t v = 0; v < n; ++v) out.order[v] = v;
  // The start (vertex 0) leads its layer even when a cycle puts others there.
  std::sort(out.order.begin(), out.order.end(), [&](size_t a, size_t b) {
    return std::make_tuple(out.layer[a], a != 0, std::cref(view.id(a)), a) <
           std::make_tuple(out.layer[b], b != 0, std::cref(view.id(b)), b);
  });
  std::vector<size_t> position(n);
  for (size_t k = 0; k < n; ++k) position[out.order[k]] = k;
  out.edges.resize(edges.size());
  for (size_t i = 0; i < edges.size(); ++i) out.edges[i] = i;
  std::sort(out.edges.begin(), out.edges.end(), [&](size_t a, size_t b) {
    return std::tie(position[edges[a].near], position[edges[a].far], edges[a].edge->label) <
           std::tie(position[edges[b].near], position[edges[b].far], edges[b].edge->label);
  });
  if (!acyclic) out.cycles = FindCycles(graph, view, out, position, components);
  return out;
}

// The shortest chain from the start to `target` in a subgraph that reached
// it: subgraph nodes from the start, and the edges between them. Among
// equally short chains, step back from the target to the predecessor with
// the smallest (returned id, label).
void ShortestChain(const LineageSubgraph& graph, const ReturnedView& view, size_t target,
                   std::vector<size_t>* nodes, std::vector<size_t>* edges) {
  const WalkGraph g = BuildWalkGraph(graph);
  const std::vector<int> depth = Depths(g);
  const std::vector<SubgraphEdge>& all = graph.edges();
  size_t at = target;
  nodes->push_back(at);
  while (at != 0) {
    std::optional<size_t> best;
    for (const auto& e : boost::make_iterator_range(boost::in_edges(at, g))) {
      const size_t from = boost::source(e, g);
      if (depth[from] != depth[at] - 1) continue;
      const size_t i = g[e].index;
      if (!best || std::tie(view.id(from), all[i].edge->label) <
                       std::tie(view.id(all[*best].near), all[*best].edge->label)) {
        best = i;
      }
    }
    // BFS depths guarantee a predecessor one step nearer the start.
    at = all[*best].near;
    edges->push_back(*best);
    nodes->push_back(at);
  }
  std::reverse(nodes->begin(), nodes->end());
  std::reverse(edges->begin(), edges->end());
}

}  // namespace

HiddenNodes LineageWalker::hidden_nodes() const {
  return caller_.HasRole(Role::kAuditor) ? HiddenNodes::kStub : HiddenNodes::kCut;
}

absl::StatusOr<LineageGraph> LineageWalker::Upstream(LineageRequest request,
                                                     AuditLog& audit) const {
  RETURN_IF_ERROR(RequireLineageRole(caller_, "Upstream"));
  return Walk(LineageDirection::kUpstream, std::move(request), audit);
}

absl::StatusOr<LineageGraph> LineageWalker::Downstream(LineageRequest request,
                                                       AuditLog& audit) const {
  RETURN_IF_ERROR(RequireLineageRole(caller_, "Downstream"));
  return Walk(LineageDirection::kDownstream, std::move(request), audit);
}

absl::StatusOr<LineageGraph> LineageWalker::Walk(LineageDirection direction, LineageRequest request,
                                                 AuditLog& audit) const {
  RETURN_IF_ERROR(ValidateId("node_id", request.node_id));
  RETURN_IF_ERROR(NormalizeWalkShape(request.max_depth, request.edge_labels));
  const Database& db = *store_.database();
  ASSIGN_OR_RETURN(const uint64_t snapshot, ResolveVersion(db, request.as_of));
  const uint64_t policy_version = std::max(snapshot, db.LatestVersion());

  LineageWalkSpec spec;
  spec.direction = direction;
  spec.labels = request.edge_labels;
  spec.max_depth = *request.max_depth;
  spec.hidden = hidden_nodes();
  spec.snapshot = snapshot;
  spec.policy_version = policy_version;
  LineageSubgraph graph(store_, caller_.policy, limits_, std::move(spec));
  const std::string summary = absl::StrCat(
      "lineage.v1 ", LineageDirectionName(direction), " node=", Quoted(request.node_id), " ",
      RequestSummary(caller_, *request.max_depth, request.edge_labels, request.as_of,
                     policy_version, hidden_nodes()));
  ASSIGN_OR_RETURN(const bool found, graph.Start(request.node_id));
  if (!found) {
    // Recorded like any answer; hidden and absent ids log the same entry.
    RETURN_IF_ERROR(AppendEntry(audit, caller_, Action(direction), snapshot,
                                absl::StrCat(summary, " outcome=not_found"), {})
                        .status());
    return NodeNotFound("node_id", request.node_id);
  }
  RETURN_IF_ERROR(graph.Walk());

  const ReturnedView view(graph, direction, opaque_ids_);
  Layout layout = LayOut(graph, view);
  LineageGraph result;
  result.truncated = graph.truncated();
  result.depth_limited = graph.depth_limited();
  result.snapshot_version = snapshot;
  result.cycles = std::move(layout.cycles);
  size_t redacted = 0;
  for (size_t v : layout.order) {
    result.nodes.push_back(view.TakeNode(v, layout.depth[v], layout.layer[v]));
    redacted += result.nodes.back().redacted ? 1 : 0;
  }
  for (size_t i : layout.edges) result.edges.push_back(view.Edge(i));
  ASSIGN_OR_RETURN(
      result.audit_seq,
      AppendEntry(
          audit, caller_, Action(direction), snapshot,
          absl::StrCat(summary, " outcome=ok nodes=", result.nodes.size(), " redacted=", redacted,
                       " edges=", result.edges.size(), " cycles=", result.cycles.size(),
                       " truncated=", result.truncated, " depth_limited=", result.depth_limited),
          result.nodes));
  return result;
}

absl::StatusOr<LineagePath> LineageWalker::Path(LineagePathRequest request, AuditLog& audit) const {
  RETURN_IF_ERROR(RequireLineageRole(caller_, "Path"));
  RETURN_IF_ERROR(ValidateId("from", request.from));
  RETURN_IF_ERROR(ValidateId("to", request.to));
  if (request.from == request.to) return absl::InvalidArgumentError("to: same node as from");
  RETURN_IF_ERROR(NormalizeWalkShape(request.max_depth, request.edge_labels));
  const Database& db = *store_.database();
  ASSIGN_OR_RETURN(const uint64_t snapshot, ResolveVersion(db, request.as_of));
  const uint64_t policy_version = std::max(snapshot, db.LatestVersion());
  const int max_depth = *request.max_depth;
  const std::string summary =
      absl::StrCat("lineage.v1 path from=", Quoted(request.from), " to=", Quoted(request.to), " ",
                   RequestSummary(caller_, max_depth, request.edge_labels, request.as_of,
                                  policy_version, hidden_nodes()));
  auto fail = [&](std::string_view outcome, absl::Status status) -> absl::Status {
    RETURN_IF_ERROR(AppendEntry(audit, caller_, kLineagePathAction, snapshot,
                                absl::StrCat(summary, " outcome=", std::string(outcome)), {})
                        .status());
    return status;
  };

  // Both endpoints are read whatever the outcome, so that which of them is
  // hidden or absent costs the same.
  ASSIGN_OR_RETURN(std::optional<uint64_t> to_iid, store_.LookupIid(request.to));
  GraphReadSession to_reads(store_);
  ASSIGN_OR_RETURN(
      PolicedNode to_read,
      ReadNodeUnderPolicy(to_reads, caller_.policy, to_iid.value_or(0), snapshot, policy_version));
  auto spec = [&](LineageDirection direction, int depth) {
    LineageWalkSpec s;
    s.direction = direction;
    s.labels = request.edge_labels;
    s.max_depth = depth;
    s.hidden = hidden_nodes();
    s.snapshot = snapshot;
    s.policy_version = policy_version;
    s.scan_frontier = false;
    s.target_iid = to_iid.value_or(0);
    return s;
  };
  LineageSubgraph up(store_, caller_.policy, limits_, spec(LineageDirection::kUpstream, max_depth));
  ASSIGN_OR_RETURN(const bool from_found, up.Start(request.from));
  if (!from_found) return fail("not_found", NodeNotFound("from", request.from));
  if (!to_read.visible) return fail("not_found", NodeNotFound("to", request.to));

  // Upstream first; downstream only for a strictly shorter chain.
  RETURN_IF_ERROR(up.Walk());
  const std::optional<size_t> up_hit = up.IndexOf(*to_iid);
  const int down_depth = up_hit ? up.nodes()[*up_hit].depth - 1 : max_depth;
  std::optional<LineageSubgraph> down;
  std::optional<size_t> down_hit;
  if (down_depth >= 1) {
    down.emplace(store_, caller_.policy, limits_, spec(LineageDirection::kDownstream, down_depth));
    ASSIGN_OR_RETURN(const bool again, down->Start(request.from));
    if (!again) return absl::InternalError("lineage: the start vanished from its snapshot");
    RETURN_IF_ERROR(down->Walk());
    down_hit = down->IndexOf(*to_iid);
  }
  const bool truncated = up.truncated() || (down && down->truncated());
  if (!up_hit && !down_hit) {
    if (truncated) {
      return fail("work_bound",
                  absl::ResourceExhaustedError(absl::StrCat(
                      "no lineage path between \"", request.from, "\" and \"", request.to,
                      "\" found before the work bound (", limits_.max_nodes, " nodes, ",
                      limits_.max_edges, " edges) stopped the search")));
    }
    return fail("not_found", absl::NotFoundError(absl::StrCat("no lineage path between \"",
                                                              request.from, "\" and \"", request.to,
                                                              "\" within depth ", max_depth)));
  }

  LineagePath result;
  result.direction = down_hit ? LineageDirection::kDownstream : LineageDirection::kUpstream;
  LineageSubgraph& chosen = down_hit ? *down : up;
  const ReturnedView view(chosen, result.direction, opaque_ids_);
  std::vector<size_t> chain_nodes, chain_edges;
  ShortestChain(chosen, view, down_hit ? *down_hit : *up_hit, &chain_nodes, &chain_edges);
  for (size_t k = 0; k < chain_nodes.size(); ++k) {
    const int position = static_cast<int>(k);
    result.nodes.push_back(view.TakeNode(chain_nodes[k], position, position));
  }
  for (size_t i : chain_edges) result.edges.push_back(view.Edge(i));
  result.truncated = truncated;
  result.snapshot_version = snapshot;
  size_t redacted = 0;
  for (const LineageNode& n : result.nodes) redacted += n.redacted ? 1 : 0;
  ASSIGN_OR_RETURN(result.audit_seq,
                   AppendEntry(audit, caller_, kLineagePathAction, snapshot,
                               absl::StrCat(summary, " outcome=ok direction=",
                                            LineageDirectionName(result.direction),
                                            " length=", result.edges.size(), " redacted=", redacted,
                                            " truncated=", result.truncated),
                               result.nodes));
  return result;
}

}  // namespace ctxgraph
