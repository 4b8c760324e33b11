#include "storage/graph_store.h"

#include <algorithm>
#include <array>
#include <iterator>
#include <map>
#include <set>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "storage/keys.h"
#include "storage/propagation.h"
#include "storage/record_codec.h"
#include "storage/status_macros.h"

namespace ctxgraph {
namespace {

// Builds one commit out of a list of mutations. All reads go through the
// commit context, so each mutation sees the ones before it.
//
// Two modes. Atomic (Write): edges may precede their endpoints, which are
// checked once every mutation is applied, and any error fails the batch.
// One by one (Import): an edge's endpoints must exist when it comes, and a
// mutation that breaks a rule is rejected alone; every check of a mutation
// runs before its first Put, so a rejected one leaves nothing behind.
class BatchBuilder {
 public:
  BatchBuilder(CommitContext& ctx, TextIndex& text, LabelRegistry& labels, WriteGuard& guard,
               WriteResult& result, bool one_by_one, ImportCache* cache = nullptr)
      : ctx_(ctx),
        text_(text),
        text_delta_(cache ? cache->text : own_text_delta_),
        labels_(labels),
        labels_defined_(cache ? cache->labels_defined : own_labels_defined_),
        guard_(guard),
        result_(result),
        one_by_one_(one_by_one),
        cache_(cache),
        planner_(ctx, labels) {
    if (cache_ && cache_->first_new_iid == 0) {
      cache_->first_new_iid = ctx_.PeekNextIid();
      cache_->knows_every_id = NoIdInterned();
    }
  }

  // Promises that no mutation of this batch deletes a node. Then only
  // DERIVED_FROM in-edges (propagation walks them) are read back within
  // the batch, and the other in-edges skip the batch's read index.
  void NoNodeDeletes() { in_edges_read_back_ = false; }

  absl::Status Run(const std::vector<Mutation>& mutations) {
    for (size_t i = 0; i < mutations.size(); ++i) {
      RETURN_IF_ERROR(ApplyOne(absl::StrCat("ops[", i, "]"), mutations[i]));
    }
    RETURN_IF_ERROR(CheckEdgeEndpoints());
    RETURN_IF_ERROR(Propagate());
    return FlushText();
  }

  // Brings inherited labels up to date for what this builder changed: each
  // node whose inherited labels change gets a new version (same content,
  // new provenance) and an audit entry. The writer's counts leave these
  // out: they may be nodes it cannot see.
  absl::Status Propagate() {
    if (planner_.empty() && carried_.empty() && !recompute_all_) return absl::OkStatus();
    const bool defined_here = cache_ ? cache_->propagating_defined : propagating_defined_;
    if (!labels_.AnyPropagating() && !defined_here) {
      planner_.Clear();  // nothing propagates, so every node inherits nothing
      return absl::OkStatus();
    }
    RETURN_IF_ERROR(SeedCarriers());
    ASSIGN_OR_RETURN(std::vector<PropagationChange> changes, planner_.Solve());
    for (const PropagationChange& change : changes) {
      NodeRecord after = change.before;
      after.inherited = change.inherited;
      after.provenance = MakeProvenance(change.before.provenance.content_hash);
      PutRecord(Cf::kNodes, keys::EncodeNodeVersionKey({change.iid, ctx_.version()}),
                EncodeNode(after));
      AuditEntry entry;
      entry.action = kPropagateNodeAction;
      entry.summary =
          absl::StrCat("added=", Origins(change.added), " removed=", Origins(change.removed));
      entry.items.push_back(AuditItem{after.id, "", "", ctx_.version()});
      ctx_.AddAuditEntry(std::move(entry));
      RETURN_IF_ERROR(NoteText(change.iid, change.before, std::move(after), false));
    }
    return absl::OkStatus();
  }

  // Keyword index upkeep for one node change: on the import's text worker
  // when it has one, so the records are taken by value.
  absl::Status NoteText(uint64_t iid, std::optional<NodeRecord> before,
                        std::optional<NodeRecord> after, bool came_back) {
    if (cache_ && cache_->text_worker) {
      cache_->text_worker->Note(iid, std::move(before), std::move(after), came_back);
      return absl::OkStatus();
    }
    return text_.NoteNodeChange(text_delta_, iid, before ? &*before : nullptr,
                                after ? &*after : nullptr, came_back);
  }

  // Writes the keyword index changes into the context, unless an import
  // cache holds them for its caller to flush.
  absl::Status FlushText() {
    if (cache_) return absl::OkStatus();
    return text_.Flush(ctx_, text_delta_);
  }

  // Nodes may already carry a label that starts to propagate now (defined
  // for the first time with propagate, over data from before the registry,
  // or the backfill): seeds each such carrier. A full scan of the nodes,
  // paid once per such definition.
  absl::Status SeedCarriers() {
    if (carried_.empty() && !recompute_all_) return absl::OkStatus();
    auto it = ctx_.NewIterator(Cf::kNodes);
    std::optional<uint64_t> last;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      ASSIGN_OR_RETURN(keys::NodeVersionKey k, keys::DecodeNodeVersionKey(SliceView(it->key())));
      if (last == k.iid) continue;  // only the newest version counts
      last = k.iid;
      ASSIGN_OR_RETURN(NodeRecord node, DecodeNode(SliceView(it->value())));
      if (node.deleted) continue;
      std::vector<std::string> labels;
      for (const std::string& label : node.boundary) {
        bool seed = carried_.contains(label);
        if (!seed && recompute_all_) {
          ASSIGN_OR_RETURN(std::optional<LabelDefinition> def, labels_.LatestIn(ctx_, label));
          seed = def && def->propagate;
        }
        if (seed) labels.push_back(label);
      }
      if (!labels.empty()) planner_.OwnChanged(k.iid, std::move(labels), {});
    }
    RETURN_IF_ERROR(FromRocks(it->status()));
    carried_.clear();
    recompute_all_ = false;
    return absl::OkStatus();
  }

  // "[pii<doc-1>,restricted<doc-7>]": labels and the ancestors they come from.
  static std::string Origins(const std::vector<std::pair<std::string, std::string>>& labels) {
    std::string out = "[";
    for (const auto& [label, origin] : labels) {
      if (out.size() > 1) out += ",";
      absl::StrAppend(&out, label, "<", origin, ">");
    }
    return out + "]";
  }

  // Applies `mutation`, copied or, from an rvalue, moved from.
  template <typename M>
  absl::Status ApplyOne(const std::string& field, M&& mutation) {
    return std::visit([&](auto&& m) { return Apply(field, std::forward<decltype(m)>(m)); },
                      std::forward<M>(mutation));
  }

 private:
  struct EdgeId {
    uint64_t from, to;
    std::string label;
    auto operator<=>(const EdgeId&) const = default;
  };

  // A node or edge record, or an interned id. A first load reads back only
  // what its input repeats (an id, an edge), and a session may write its
  // batch early for such a read (CommitContext::PutDeferred): keeping the
  // batch's read index up to date cost the importing thread a fifth of its
  // time. Once a read had the batch written early, the rest of it is
  // indexed, so input that repeats itself costs at most one early write
  // per batch.
  void PutRecord(Cf cf, std::string_view key, std::string_view value) {
    if (cache_ && cache_->knows_every_id && !ctx_.written_early()) {
      ctx_.PutDeferred(cf, key, value);
    } else {
      ctx_.Put(cf, key, value);
    }
  }

  Provenance MakeProvenance(const ContentHash& hash) const {
    return Provenance{ctx_.version(), ctx_.time(), ctx_.principal(), hash};
  }

  // True when the store has no interned id at all; false on a read error
  // too (the cache then reads as it would anyway).
  bool NoIdInterned() {
    auto it = ctx_.NewIterator(Cf::kNodeIds);
    it->SeekToFirst();
    return !it->Valid() && it->status().ok();
  }

  absl::StatusOr<std::optional<uint64_t>> FindIid(std::string_view id) {
    std::string value;
    ASSIGN_OR_RETURN(bool found, ctx_.Get(Cf::kNodeIds, id, &value));
    if (!found) return std::nullopt;
    return keys::ReadU64(value, 0);
  }

  absl::StatusOr<std::optional<NodeRecord>> LatestNode(uint64_t iid) {
    auto it = ctx_.NewIterator(Cf::kNodes);
    ASSIGN_OR_RETURN(auto bytes,
                     NewestAtOrBefore(it.get(), keys::NodePrefix(iid),
                                      keys::EncodeNodeVersionKey({iid, keys::kMaxVersion})));
    if (!bytes) return std::nullopt;
    ASSIGN_OR_RETURN(NodeRecord node, DecodeNode(*bytes));
    if (node.deleted) return std::nullopt;
    return node;
  }

  absl::StatusOr<std::optional<EdgeRecord>> LatestEdge(const EdgeId& e) {
    auto it = ctx_.NewIterator(Cf::kOutEdges);
    ASSIGN_OR_RETURN(
        auto bytes,
        NewestAtOrBefore(it.get(), keys::AdjacencyEdgePrefix(e.from, e.label, e.to),
                         keys::EncodeAdjacencyKey({e.from, e.label, e.to, keys::kMaxVersion})));
    if (!bytes) return std::nullopt;
    ASSIGN_OR_RETURN(EdgeRecord edge, DecodeEdge(*bytes));
    if (edge.deleted) return std::nullopt;
    return edge;
  }

  void PutNode(uint64_t iid, const NodeRecord& node) {
    PutRecord(Cf::kNodes, keys::EncodeNodeVersionKey({iid, ctx_.version()}), EncodeNode(node));
    ctx_.NoteNodeChanged(node.id);
  }

  void PutEdge(const EdgeId& e, const EdgeRecord& edge) {
    const std::string bytes = EncodeEdge(edge);
    PutRecord(Cf::kOutEdges, keys::EncodeAdjacencyKey({e.from, e.label, e.to, ctx_.version()}),
              bytes);
    const std::string in_key = keys::EncodeAdjacencyKey({e.to, e.label, e.from, ctx_.version()});
    if (in_edges_read_back_ || e.label == kDerivedFromLabel) {
      PutRecord(Cf::kInEdges, in_key, bytes);
    } else {
      ctx_.PutUnindexed(Cf::kInEdges, in_key, bytes);
    }
    ctx_.NoteEdgeChanged(edge.from, edge.label, edge.to);
  }

  // No read within a commit looks at the label index.
  void PutLabel(std::string_view label, uint64_t iid, bool present) {
    ctx_.PutUnindexed(Cf::kLabelIndex,
                      keys::EncodeLabelIndexKey({std::string(label), iid, ctx_.version()}),
                      present ? std::string_view("\x01", 1) : std::string_view("\x00", 1));
  }

  // The iid of `id` (nullopt when never interned) and its live record.
  absl::Status CurrentNode(const std::string& id, std::optional<uint64_t>* iid,
                           std::optional<NodeRecord>* existing) {
    const ImportCache::NodeState* cached = nullptr;
    if (cache_) {
      if (auto it = cache_->nodes.find(id); it != cache_->nodes.end()) cached = &it->second;
    }
    if (cached) {
      if (cached->iid != 0) *iid = cached->iid;
      if (!cached->live) return absl::OkStatus();  // known absent: no read
    } else if (cache_ && cache_->knows_every_id) {
      return absl::OkStatus();  // never interned
    } else {
      ASSIGN_OR_RETURN(*iid, FindIid(id));
    }
    if (*iid) {
      ASSIGN_OR_RETURN(*existing, LatestNode(**iid));
    }
    return absl::OkStatus();
  }

  void Remember(const std::string& id, std::optional<uint64_t> iid, const NodeRecord* live) {
    if (cache_)
      cache_->nodes[id] = {iid.value_or(0), live != nullptr, live && guard_.CanSee(*live)};
  }

  // A label the node does not carry yet must be defined: committed before
  // this commit, or earlier in it. Labels it already carries stay valid (a
  // database from before the registry keeps working).
  absl::Status CheckLabelsDefined(const std::string& field, const NodeRecord& node,
                                  const NodeRecord* existing) const {
    for (const std::string& label : node.boundary) {
      if (existing &&
          std::binary_search(existing->boundary.begin(), existing->boundary.end(), label)) {
        continue;
      }
      if (labels_.IsDefined(label) || labels_defined_.contains(label)) continue;
      return absl::FailedPreconditionError(
          absl::StrCat(field, ".upsert_node.boundary: undefined boundary label \"", label, "\""));
    }
    return absl::OkStatus();
  }

  absl::Status Apply(const std::string& field, NodeUpsert m) {
    std::optional<uint64_t> iid;
    std::optional<NodeRecord> existing;
    RETURN_IF_ERROR(CurrentNode(m.node.id, &iid, &existing));
    NodeRecord node = std::move(m.node);
    node.deleted = false;
    // Inherited labels follow the graph, not the writer.
    node.inherited = existing ? existing->inherited : std::vector<InheritedLabel>{};
    RETURN_IF_ERROR(guard_.CheckNodeWrite(field, existing ? &*existing : nullptr, &node));
    RETURN_IF_ERROR(CheckLabelsDefined(field, node, existing ? &*existing : nullptr));
    const ContentHash hash = NodeContentHash(node);
    if (existing && existing->provenance.content_hash == hash && existing->source == node.source) {
      Remember(node.id, iid, &*existing);
      ++result_.unchanged;
      return absl::OkStatus();
    }
    const bool came_back = iid.has_value() && !existing;
    if (!iid) {
      iid = ctx_.AllocateIid();
      PutRecord(Cf::kNodeIds, node.id, keys::EncodeU64(*iid));
    }
    node.provenance = MakeProvenance(hash);
    PutNode(*iid, node);
    const std::vector<std::string> no_labels;
    const auto& old_labels = existing ? existing->labels : no_labels;
    for (const auto& label : node.labels) {
      if (!std::binary_search(old_labels.begin(), old_labels.end(), label))
        PutLabel(label, *iid, true);
    }
    for (const auto& label : old_labels) {
      if (!std::binary_search(node.labels.begin(), node.labels.end(), label))
        PutLabel(label, *iid, false);
    }
    if (existing && existing->boundary != node.boundary) NoteOwnChange(*iid, *existing, node);
    Remember(node.id, iid, &node);
    ++result_.nodes_written;
    return NoteText(*iid, std::move(existing), std::move(node), came_back);
  }

  void NoteOwnChange(uint64_t iid, const NodeRecord& before, const NodeRecord& after) {
    std::vector<std::string> added, removed;
    std::set_difference(after.boundary.begin(), after.boundary.end(), before.boundary.begin(),
                        before.boundary.end(), std::back_inserter(added));
    std::set_difference(before.boundary.begin(), before.boundary.end(), after.boundary.begin(),
                        after.boundary.end(), std::back_inserter(removed));
    planner_.OwnChanged(iid, std::move(added), std::move(removed));
  }

  absl::Status Apply(const std::string& field, const NodeDelete& m) {
    std::optional<uint64_t> iid;
    std::optional<NodeRecord> existing;
    RETURN_IF_ERROR(CurrentNode(m.id, &iid, &existing));
    // Deleting what does not exist is a no-op, so deletes can be replayed.
    if (!existing) {
      ++result_.unchanged;
      return absl::OkStatus();
    }
    RETURN_IF_ERROR(guard_.CheckNodeWrite(field, &*existing, nullptr));
    Remember(m.id, iid, nullptr);
    if (!one_by_one_) deleted_here_.insert(*iid);
    NodeRecord tombstone;
    tombstone.id = existing->id;
    tombstone.deleted = true;
    tombstone.provenance = MakeProvenance(ContentHash{});
    PutNode(*iid, tombstone);
    RETURN_IF_ERROR(NoteText(*iid, *existing, std::nullopt, false));
    for (const auto& label : existing->labels) PutLabel(label, *iid, false);
    ++result_.deleted;
    return DeleteIncidentEdges(*iid);
  }

  absl::Status Apply(const std::string& field, const LabelDefine& m) {
    const std::string op = field + ".define_label";
    RETURN_IF_ERROR(guard_.CheckLabelDefine(op, m.label));
    ASSIGN_OR_RETURN(std::optional<LabelDefinition> existing, labels_.LatestIn(ctx_, m.label.name));
    if (existing && existing->propagate != m.label.propagate) {
      return absl::FailedPreconditionError(
          absl::StrCat(op, ".propagate: label \"", m.label.name,
                       "\" was defined with propagate=", existing->propagate ? "true" : "false",
                       "; the flag is fixed once a label is defined (define a new label instead)"));
    }
    if (existing && existing->description == m.label.description) {
      ++result_.unchanged;
      return absl::OkStatus();
    }
    LabelDefinition label = m.label;
    label.version = ctx_.version();
    label.created_version = existing ? existing->created_version : ctx_.version();
    label.principal = ctx_.principal();
    label.time = ctx_.time();
    labels_.Put(ctx_, label);
    labels_defined_.insert(label.name);
    if (label.propagate) {
      (cache_ ? cache_->propagating_defined : propagating_defined_) = true;
      if (!existing) carried_.insert(label.name);
    }
    ++result_.labels_defined;
    return absl::OkStatus();
  }

  // Tombstones every live edge into or out of `iid`, so no edge dangles.
  absl::Status DeleteIncidentEdges(uint64_t iid) {
    std::vector<std::pair<EdgeId, EdgeRecord>> live;
    for (EdgeDirection d : {EdgeDirection::kOut, EdgeDirection::kIn}) {
      auto it = ctx_.NewIterator(AdjacencyCf(d));
      const std::string prefix = keys::AdjacencyPrefix(iid);
      std::optional<std::pair<std::string, uint64_t>> last;
      for (it->Seek(prefix); it->Valid() && KeyStartsWith(it->key(), prefix); it->Next()) {
        ASSIGN_OR_RETURN(keys::AdjacencyKey k, keys::DecodeAdjacencyKey(SliceView(it->key())));
        // Only the newest version of each edge decides whether it is live.
        if (last && last->first == k.label && last->second == k.other) continue;
        last.emplace(k.label, k.other);
        ASSIGN_OR_RETURN(EdgeRecord edge, DecodeEdge(SliceView(it->value())));
        if (edge.deleted) continue;
        EdgeId id = d == EdgeDirection::kOut ? EdgeId{iid, k.other, k.label}
                                             : EdgeId{k.other, iid, k.label};
        live.emplace_back(std::move(id), std::move(edge));
      }
      RETURN_IF_ERROR(FromRocks(it->status()));
    }
    std::set<EdgeId> done;  // a self-loop shows up in both directions
    for (const auto& [id, edge] : live) {
      if (!done.insert(id).second) continue;
      EdgeRecord tombstone{edge.from, edge.label, edge.to, {}, MakeProvenance(ContentHash{}),
                           true,      {}};
      PutEdge(id, tombstone);
      if (id.label == kDerivedFromLabel && id.from != iid) planner_.Reset(id.from);
      // Every incident edge goes, so none dangles; but only edges the writer
      // can see are counted, or the count would reveal hidden neighbours.
      const uint64_t other = id.from == iid ? id.to : id.from;
      ASSIGN_OR_RETURN(std::optional<NodeRecord> node, LatestNode(other));
      if (other == iid || (node && guard_.CanSee(*node))) ++result_.deleted;
    }
    return absl::OkStatus();
  }

  // The iid of an edge endpoint, interning the id when it is new: the node may
  // be created later in this batch. If it is not, the endpoint check at the
  // end fails the batch and the interned id is never written.
  absl::StatusOr<uint64_t> EndpointIid(const std::string& id) {
    ASSIGN_OR_RETURN(std::optional<uint64_t> iid, FindIid(id));
    if (iid) return *iid;
    const uint64_t fresh = ctx_.AllocateIid();
    ctx_.Put(Cf::kNodeIds, id, keys::EncodeU64(fresh));
    return fresh;
  }

  static absl::Status NodeNotFound(const std::string& field, std::string_view id) {
    return absl::FailedPreconditionError(
        absl::StrCat(field, ": node \"", std::string(id), "\" not found"));
  }

  // Field names are spelled out only for an error: an import applies
  // millions of edges and names none.
  absl::Status Apply(const std::string& field, EdgeUpsert m) {
    EdgeId id;
    if (one_by_one_) {
      ASSIGN_OR_RETURN(id.from, ExistingEndpoint(field, ".upsert_edge.from", m.edge.from));
      ASSIGN_OR_RETURN(id.to, ExistingEndpoint(field, ".upsert_edge.to", m.edge.to));
    } else {
      ASSIGN_OR_RETURN(id.from, EndpointIid(m.edge.from));
      ASSIGN_OR_RETURN(id.to, EndpointIid(m.edge.to));
    }
    id.label = m.edge.label;
    return UpsertEdge(field, id, std::move(m.edge));
  }

  // The iid of a live endpoint the writer can see; absent and hidden nodes
  // get the same answer, which names the endpoint `field` + `member`.
  absl::StatusOr<uint64_t> ExistingEndpoint(const std::string& field, const char* member,
                                            const std::string& id) {
    const auto not_found = [&] { return NodeNotFound(absl::StrCat(field, member), id); };
    if (cache_) {
      if (auto it = cache_->nodes.find(id); it != cache_->nodes.end()) {
        if (!it->second.live || !it->second.visible) return not_found();
        return it->second.iid;
      }
      if (cache_->knows_every_id) return not_found();  // never interned
    }
    ASSIGN_OR_RETURN(std::optional<uint64_t> iid, FindIid(id));
    std::optional<NodeRecord> node;
    if (iid) {
      ASSIGN_OR_RETURN(node, LatestNode(*iid));
    }
    Remember(id, iid, node ? &*node : nullptr);
    if (!node || !guard_.CanSee(*node)) return not_found();
    return *iid;
  }

  // An edge with an endpoint this import created can only exist if this
  // import wrote it.
  bool CreatedHere(const EdgeId& id) const {
    return cache_ && (id.from >= cache_->first_new_iid || id.to >= cache_->first_new_iid);
  }
  static uint64_t EdgeHash(const EdgeId& id) {
    uint64_t h = std::hash<std::string>{}(id.label);
    for (uint64_t v : {id.from, id.to}) h = (h ^ v) * 0x9E3779B97F4A7C15ull;
    return h;
  }

  absl::Status UpsertEdge(const std::string& field, const EdgeId& id, EdgeRecord edge) {
    std::optional<EdgeRecord> existing;
    const bool created_here = CreatedHere(id);
    // Nothing rejects the edge from here on, so it is noted as written at
    // once: one probe of the set instead of two.
    if (!created_here || !cache_->new_edges.insert(EdgeHash(id)).second) {
      ASSIGN_OR_RETURN(existing, LatestEdge(id));
    }
    edge.deleted = false;
    // What a steward sanitized stays when a writer updates the edge.
    edge.sanitizes = existing ? existing->sanitizes : std::vector<std::string>{};
    const ContentHash hash = EdgeContentHash(edge);
    if (!one_by_one_) {
      endpoint_checks_.push_back({absl::StrCat(field, ".upsert_edge"), id, edge.from, edge.to});
    }
    if (existing && existing->provenance.content_hash == hash) {
      ++result_.unchanged;
      return absl::OkStatus();
    }
    edge.provenance = MakeProvenance(hash);
    PutEdge(id, edge);
    if (!existing && id.label == kDerivedFromLabel) planner_.Grow(id.from);
    ++result_.edges_written;
    return absl::OkStatus();
  }

  absl::Status Apply(const std::string& field, const EdgeDelete& m) {
    ASSIGN_OR_RETURN(std::optional<uint64_t> from, FindIid(m.from));
    ASSIGN_OR_RETURN(std::optional<uint64_t> to, FindIid(m.to));
    std::optional<EdgeRecord> existing;
    if (from && to) {
      ASSIGN_OR_RETURN(existing, LatestEdge({*from, *to, m.label}));
    }
    // An edge is visible only when both endpoints are; deleting one the
    // writer cannot see is answered like deleting an absent edge.
    if (existing) {
      for (uint64_t iid : {*from, *to}) {
        ASSIGN_OR_RETURN(std::optional<NodeRecord> node, LatestNode(iid));
        if (node && !guard_.CanSee(*node)) existing.reset();
      }
    }
    if (!existing) {
      ++result_.unchanged;
      return absl::OkStatus();
    }
    EdgeRecord tombstone{m.from, m.label, m.to, {}, MakeProvenance(ContentHash{}), true, {}};
    PutEdge({*from, *to, m.label}, tombstone);
    if (m.label == kDerivedFromLabel) planner_.Reset(*from);
    ++result_.deleted;
    return absl::OkStatus();
  }

  absl::Status Apply(const std::string&, const RecomputeInherited&) {
    recompute_all_ = true;
    return absl::OkStatus();
  }

  absl::Status Apply(const std::string& field, const EdgeSanitize& m) {
    const std::string op = field + ".sanitize_edge";
    ASSIGN_OR_RETURN(std::optional<uint64_t> from, FindIid(m.from));
    ASSIGN_OR_RETURN(std::optional<uint64_t> to, FindIid(m.to));
    std::optional<EdgeRecord> existing;
    if (from && to) {
      ASSIGN_OR_RETURN(existing, LatestEdge({*from, *to, kDerivedFromLabel}));
    }
    // A hidden endpoint hides the edge, exactly as an absent one.
    for (auto [iid, id] : {std::pair{from, &m.from}, std::pair{to, &m.to}}) {
      if (!existing) break;
      ASSIGN_OR_RETURN(std::optional<NodeRecord> node, LatestNode(*iid));
      if (!node || !guard_.CanSee(*node)) existing.reset();
    }
    if (!existing) {
      return absl::FailedPreconditionError(absl::StrCat(
          op, ": edge \"", m.from, "\" -", kDerivedFromLabel, "-> \"", m.to, "\" not found"));
    }
    for (const std::string& label : m.sanitizes) {
      if (std::binary_search(existing->sanitizes.begin(), existing->sanitizes.end(), label)) {
        continue;
      }
      if (labels_.IsDefined(label) || labels_defined_.contains(label)) continue;
      return absl::FailedPreconditionError(
          absl::StrCat(op, ".sanitizes: undefined boundary label \"", label, "\""));
    }
    if (existing->sanitizes == m.sanitizes) {
      ++result_.unchanged;
      return absl::OkStatus();
    }
    // Both for a swap (stop pii, let restricted through).
    const bool stops_more = !std::includes(existing->sanitizes.begin(), existing->sanitizes.end(),
                                           m.sanitizes.begin(), m.sanitizes.end());
    const bool stops_less = !std::includes(m.sanitizes.begin(), m.sanitizes.end(),
                                           existing->sanitizes.begin(), existing->sanitizes.end());
    EdgeRecord edge = *existing;
    edge.sanitizes = m.sanitizes;
    edge.provenance = MakeProvenance(existing->provenance.content_hash);
    PutEdge({*from, *to, kDerivedFromLabel}, edge);
    if (stops_more) planner_.Reset(*from);
    if (stops_less) planner_.Grow(*from);
    ++result_.edges_written;
    return absl::OkStatus();
  }

  // After every mutation: each upserted edge that is still live must join two
  // live nodes the writer can see. One deleted again later in the batch must
  // too, unless the writer deleted that end in this batch: otherwise a batch
  // could write an edge to a node that never exists, or learn from its
  // counts whether an edge to a hidden node exists (upsert it, then delete
  // its visible end). A hidden end is named first, whatever became of the
  // edge, exactly as an end that never existed: whether the edge is still
  // live can depend on the hidden node (deleting an edge to it is a no-op).
  absl::Status CheckEdgeEndpoints() {
    for (const auto& check : endpoint_checks_) {
      const std::array<std::pair<uint64_t, const char*>, 2> ends = {
          std::pair{check.id.from, ".from"}, std::pair{check.id.to, ".to"}};
      const std::array<const std::string*, 2> ids = {&check.from, &check.to};
      std::array<bool, 2> live{};
      for (size_t i = 0; i < 2; ++i) {
        ASSIGN_OR_RETURN(std::optional<NodeRecord> node, LatestNode(ends[i].first));
        live[i] = node.has_value();
        const bool ok = node ? guard_.CanSee(*node) : deleted_here_.contains(ends[i].first);
        if (!ok) return NodeNotFound(check.op + ends[i].second, *ids[i]);
      }
      if (live[0] && live[1]) continue;
      // An end this batch deleted: the edge must be gone too.
      ASSIGN_OR_RETURN(std::optional<EdgeRecord> edge, LatestEdge(check.id));
      for (size_t i = 0; i < 2 && edge; ++i) {
        if (!live[i]) return NodeNotFound(check.op + ends[i].second, *ids[i]);
      }
    }
    return absl::OkStatus();
  }

  struct EndpointCheck {
    std::string op;
    EdgeId id;
    std::string from, to;
  };

  CommitContext& ctx_;
  TextIndex& text_;
  TextIndexDelta own_text_delta_;  // used when there is no import cache
  TextIndexDelta& text_delta_;
  LabelRegistry& labels_;
  absl::flat_hash_set<std::string> own_labels_defined_;  // used when there is no import cache
  absl::flat_hash_set<std::string>& labels_defined_;
  WriteGuard& guard_;
  WriteResult& result_;
  const bool one_by_one_;
  ImportCache* cache_;  // import only; may be null
  std::vector<EndpointCheck> endpoint_checks_;
  absl::flat_hash_set<uint64_t> deleted_here_;  // nodes this batch deleted; not kept one by one
  bool propagating_defined_ = false;            // used when there is no import cache
  PropagationPlanner planner_;
  absl::flat_hash_set<std::string> carried_;  // labels newly defined with propagate
  bool recompute_all_ = false;                // a RecomputeInherited op was applied
  bool in_edges_read_back_ = true;            // see NoNodeDeletes
};

// Rule violations a one-by-one import rejects per mutation; anything else
// (I/O, corruption) fails the whole import.
bool IsRejection(const absl::Status& s) {
  switch (s.code()) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kPermissionDenied:
    case absl::StatusCode::kResourceExhausted:
      return true;
    default:
      return false;
  }
}

}  // namespace

absl::StatusOr<WriteResult> GraphStore::Apply(std::vector<Mutation> mutations, WriteGuard& guard,
                                              const std::string& principal,
                                              const std::string& description) {
  return ApplyPlanned(principal, description, guard,
                      [&](CommitContext& ctx) -> absl::StatusOr<std::vector<Mutation>> {
                        ctx.SetAuditNote({"write", absl::StrCat("ops=", mutations.size(),
                                                                " description=", description)});
                        return std::move(mutations);  // the plan runs once
                      });
}

absl::StatusOr<WriteResult> GraphStore::ApplyPlanned(
    const std::string& principal, const std::string& description, WriteGuard& guard,
    const std::function<absl::StatusOr<std::vector<Mutation>>(CommitContext&)>& plan) {
  WriteResult result;
  ASSIGN_OR_RETURN(CommitOutcome outcome,
                   db_->Commit(
                       principal, description,
                       [&](CommitContext& ctx) -> absl::Status {
                         result = WriteResult{};
                         RETURN_IF_ERROR(guard.CheckWriter());
                         ASSIGN_OR_RETURN(std::vector<Mutation> mutations, plan(ctx));
                         return BatchBuilder(ctx, *text_, *labels_, guard, result,
                                             /*one_by_one=*/false)
                             .Run(mutations);
                       },
                       Database::BehindBulk::kRefuse));
  result.version = outcome.version;
  result.committed = outcome.committed;
  return result;
}

absl::Status GraphStore::ApplyEach(CommitContext& ctx, std::vector<IndexedMutation> ops,
                                   WriteGuard& guard, bool stop_at_first_reject, ImportCache* cache,
                                   ChunkResult* result) const {
  RETURN_IF_ERROR(guard.CheckWriter());
  BatchBuilder builder(ctx, *text_, *labels_, guard, result->counts, /*one_by_one=*/true, cache);
  if (std::none_of(ops.begin(), ops.end(), [](const IndexedMutation& op) {
        return std::holds_alternative<NodeDelete>(op.second);
      })) {
    builder.NoNodeDeletes();
  }
  for (auto& [index, mutation] : ops) {
    absl::Status st = builder.ApplyOne(absl::StrCat("ops[", index, "]"), std::move(mutation));
    if (st.ok()) continue;
    if (!IsRejection(st)) return st;
    // A failed earlier batch of a bulk session fails every read after it
    // (with its own code: a full disk's is a rejection's): the commit failed,
    // not this op.
    RETURN_IF_ERROR(ctx.AwaitEarlierBatches());
    result->rejects.push_back({index, std::move(st)});
    if (stop_at_first_reject) {
      result->stopped = true;
      return absl::OkStatus();
    }
  }
  RETURN_IF_ERROR(builder.Propagate());
  return builder.FlushText();
}

absl::Status GraphStore::FlushText(CommitContext& ctx, ImportCache& cache) const {
  if (cache.text_worker) RETURN_IF_ERROR(cache.text_worker->Wait());
  RETURN_IF_ERROR(text_->Flush(ctx, cache.text, &cache.text_counts));
  return text_->FlushCounts(ctx, cache.text_counts);
}

absl::Status GraphStore::BackfillInherited() {
  std::string done;
  ASSIGN_OR_RETURN(bool found, db_->Get(Cf::kDefault, keys::kInheritedKey, &done));
  if (found) return absl::OkStatus();
  class System final : public WriteGuard {
    absl::Status CheckNodeWrite(std::string_view, const NodeRecord*, const NodeRecord*) override {
      return absl::OkStatus();
    }
    bool CanSee(const NodeRecord&) override { return true; }
    absl::Status CheckLabelDefine(std::string_view, const LabelDefinition&) override {
      return absl::OkStatus();
    }
  } guard;
  return ApplyPlanned("ctxgraphd", "backfill inherited boundary labels", guard,
                      [&](CommitContext& ctx) -> absl::StatusOr<std::vector<Mutation>> {
                        ctx.Put(Cf::kDefault, keys::kInheritedKey, "1");
                        ctx.SetAuditNote({"label.backfill", "recompute inherited labels"});
                        return std::vector<Mutation>{RecomputeInherited{}};
                      })
      .status();
}

}  // namespace ctxgraph
