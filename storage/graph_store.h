// GraphStore: versioned nodes and edges on top of Database.
//
// Reads take an explicit version V and return the state as of V: for each
// entity, the newest record with version <= V, where a tombstone means
// "absent". Reads know nothing of boundaries; query/ filters what they return.
//
// Writes go through Apply(), which turns a list of mutations into one commit.
// A commit also brings inherited boundary labels up to date wherever its
// changes reach along DERIVED_FROM (propagation.h): each node whose
// inherited labels change gets a new version in the same commit and an
// audit entry of its own ("label.propagate.node").
// A WriteGuard supplied by the caller decides, under the commit lock, whether
// the writer may change each node and see each edge endpoint, so policy stays
// in query/ while atomicity stays here.
//
// Thread safety: safe for concurrent use; Apply() calls are serialized.
#ifndef CTXGRAPH_STORAGE_GRAPH_STORE_H_
#define CTXGRAPH_STORAGE_GRAPH_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "storage/database.h"
#include "storage/label_registry.h"
#include "storage/records.h"
#include "storage/text_delta_worker.h"
#include "storage/text_index.h"

namespace ctxgraph {

struct NodeUpsert {
  NodeRecord node;  // id, labels, props, boundary, source; provenance is ignored
};
struct NodeDelete {
  std::string id;
};
struct EdgeUpsert {
  EdgeRecord edge;  // from, label, to, props; provenance is ignored
};
struct EdgeDelete {
  std::string from;
  std::string label;
  std::string to;
};
// Defines a boundary label, or redefines it with a new description or
// propagate flag (label_registry.h). Only name, description and propagate
// are read; the store fills in versions, principal and time. Later
// mutations of the same commit may use the label.
struct LabelDefine {
  LabelDefinition label;
};
// Sets the labels a live DERIVED_FROM edge sanitizes (EdgeRecord::sanitizes):
// a steward's decision that the derived node no longer carries them from
// this source. Each must be a defined label. The edge's content and props
// stay; it gets a new version.
struct EdgeSanitize {
  std::string from;
  std::string to;
  std::vector<std::string> sanitizes;  // sorted, unique: the whole new set
};
// Recomputes the inherited labels downstream of every node that carries a
// propagating label: the one-time backfill of a database written before
// propagation existed. Internal; never built from a client request.
struct RecomputeInherited {};
using Mutation = std::variant<NodeUpsert, NodeDelete, EdgeUpsert, EdgeDelete, LabelDefine,
                              EdgeSanitize, RecomputeInherited>;

// Authorization hooks for Apply(), called under the commit lock against the
// latest state (including earlier mutations of the same batch).
class WriteGuard {
 public:
  virtual ~WriteGuard() = default;
  // May the writer commit at all? Asked once per commit (per batch of an
  // import), before its first mutation: a writer whose authority was taken
  // away while it waited for the commit lock writes nothing.
  virtual absl::Status CheckWriter() { return absl::OkStatus(); }
  // May the writer replace `existing` (null when the node is new) with
  // `proposed` (null for a delete)? `field` names the op, e.g. "ops[3]".
  virtual absl::Status CheckNodeWrite(std::string_view field, const NodeRecord* existing,
                                      const NodeRecord* proposed) = 0;
  // May the writer attach an edge to `node`? When false the endpoint is
  // reported exactly like an absent node.
  virtual bool CanSee(const NodeRecord& node) = 0;
  // May the writer define (or redefine) `label`? `field` names the op, e.g.
  // "ops[0].define_label".
  virtual absl::Status CheckLabelDefine(std::string_view field, const LabelDefinition& label) = 0;
};

struct WriteResult {
  uint64_t version = 0;
  bool committed = false;
  uint32_t nodes_written = 0;
  uint32_t edges_written = 0;
  uint32_t deleted = 0;
  uint32_t unchanged = 0;  // also counts label definitions equal to the stored one
  uint32_t labels_defined = 0;
};

// A mutation and its position in an import stream.
using IndexedMutation = std::pair<uint64_t, Mutation>;

struct OpReject {
  uint64_t index = 0;
  absl::Status status;  // INVALID_ARGUMENT, FAILED_PRECONDITION, PERMISSION_DENIED, ...
};

// A memo of the node states an import has seen, so that its edges need not
// read their endpoints back from RocksDB, and of the edges it wrote next to
// nodes it created, so that a new edge needs no read at all. It is only
// valid while nothing else writes: across one CommitSession (which holds the
// commit lock), or within one batch. Memory: ~100 bytes per node touched.
struct ImportCache {
  struct NodeState {
    uint64_t iid = 0;  // 0: the id was never interned
    bool live = false;
    bool visible = false;  // to the importing principal
  };
  absl::flat_hash_map<std::string, NodeState> nodes;
  // Hashes of edges written by this import with an endpoint it created. A
  // hash collision only costs a read.
  absl::flat_hash_set<uint64_t> new_edges;
  uint64_t first_new_iid = 0;  // iids from here on were created by this import; 0 = not yet known
  // Set when the store held no interned id as the cache began (a first
  // load). An import interns ids only where it also records them in
  // `nodes`, and the cache lives no longer than the commit lock is held (a
  // session, or one batch), so an id missing from `nodes` was never
  // interned: no read needed.
  bool knows_every_id = false;
  // Keyword index changes not yet written; GraphStore::FlushText writes them.
  // Kept across batches of a session so posting blocks are rewritten once
  // per flush, not once per batch.
  TextIndexDelta text;
  // The statistics changes of the postings flushed so far (by the worker),
  // which GraphStore::FlushText writes: once per session, not per flush.
  TextIndexCounts text_counts;
  // When set (a bulk import), changes reach `text` through this worker's
  // thread, which also writes them out as they pile up; GraphStore::FlushText
  // waits for it before writing the rest. The worker holds a reference to
  // `text`: a cache with one is never moved.
  std::unique_ptr<TextDeltaWorker> text_worker;
  // Labels this import defined that are not committed yet (the registry's
  // cache holds only committed ones), and whether one of them propagates.
  absl::flat_hash_set<std::string> labels_defined;
  bool propagating_defined = false;
};

// What ApplyEach did with one batch of an import.
struct ChunkResult {
  WriteResult counts;  // version/committed are left for the caller
  std::vector<OpReject> rejects;
  bool stopped = false;  // stop_at_first_reject hit a reject
};

// The column family holding adjacency seen in direction `d`.
inline Cf AdjacencyCf(EdgeDirection d) {
  return d == EdgeDirection::kOut ? Cf::kOutEdges : Cf::kInEdges;
}

// Where an adjacency scan stopped: resume strictly after this edge.
struct AdjacencyCursor {
  EdgeDirection direction = EdgeDirection::kOut;
  std::string label;
  uint64_t other_iid = 0;
};

class GraphStore {
 public:
  // `text` (opened) is kept up to date by every write; `labels` (loaded)
  // says which boundary labels writes may set. Neither is owned.
  GraphStore(Database* db, TextIndex* text, LabelRegistry* labels)
      : db_(db), text_(text), labels_(labels) {}

  // Applies `mutations` atomically at a new version. Validation of shapes
  // (ids, labels, values) is the caller's job; Apply checks existence and
  // the label registry and calls `guard`. Errors: NOT_FOUND-free; a
  // dangling edge endpoint is FAILED_PRECONDITION naming the op
  // ("ops[2].upsert_edge.to: node \"x\" not found"), and so is a boundary
  // label the node did not carry and that is not defined at the commit's
  // version, or earlier in the batch ("ops[2].upsert_node.boundary:
  // undefined boundary label \"team:x\""); guard errors pass through. On
  // any error nothing is written. While a bulk import holds the commit lock
  // it answers UNAVAILABLE at once (Database::BehindBulk::kRefuse) rather
  // than wait for the import's end.
  absl::StatusOr<WriteResult> Apply(std::vector<Mutation> mutations, WriteGuard& guard,
                                    const std::string& principal, const std::string& description);

  // Like Apply, for a batch that must be decided against the latest state:
  // `plan` runs under the commit lock, before anything is written, and
  // returns the mutations (named "ops[i]" in errors). It may read the
  // committed state at database()->LatestVersion(), which cannot move until
  // the commit is done, and name the commit in the audit log
  // (CommitContext::SetAuditNote, AddAuditEntry). An error from `plan`
  // writes nothing and is returned unchanged.
  absl::StatusOr<WriteResult> ApplyPlanned(
      const std::string& principal, const std::string& description, WriteGuard& guard,
      const std::function<absl::StatusOr<std::vector<Mutation>>(CommitContext&)>& plan);

  // Applies import mutations one by one into `ctx` (from Database::Commit or
  // a CommitSession), moving each record out of `ops`. A mutation that
  // breaks a rule (a guard refusal, an edge endpoint that does not exist yet
  // or is hidden) is recorded in result->rejects as "ops[<index>]..." and
  // leaves nothing in `ctx`; the others apply. With `stop_at_first_reject`,
  // the first reject sets result->stopped and nothing after it is applied
  // (the caller then drops the batch). `cache` (may be null) memoizes node
  // states across calls; see ImportCache for when it is valid. Storage
  // failures are returned and fail the whole import. Keyword index changes
  // go to cache->text, and the caller writes them with FlushText into this
  // or a later context of the same version; without a cache they are
  // written into `ctx` here.
  absl::Status ApplyEach(CommitContext& ctx, std::vector<IndexedMutation> ops, WriteGuard& guard,
                         bool stop_at_first_reject, ImportCache* cache, ChunkResult* result) const;
  // Writes the keyword index changes pending in `cache` into `ctx`: the
  // worker's delta and the statistics of everything flushed before.
  absl::Status FlushText(CommitContext& ctx, ImportCache& cache) const;

  // Once per database: a database written before propagation existed may
  // hold nodes that carry labels defined with propagate=true but whose
  // derived nodes inherit nothing. Recomputes them all in one commit (a
  // full scan of the nodes) and marks the database done; a no-op later.
  absl::Status BackfillInherited();

  // The internal id of `id`, if it was ever written.
  absl::StatusOr<std::optional<uint64_t>> LookupIid(std::string_view id) const;

  // The live node as of `version`, or nullopt when absent or deleted.
  absl::StatusOr<std::optional<NodeRecord>> GetNode(std::string_view id, uint64_t version) const;
  absl::StatusOr<std::optional<NodeRecord>> GetNodeByIid(uint64_t iid, uint64_t version) const;
  // Calls `visit` with every record of node `iid`, tombstones included
  // (NodeRecord::deleted), whose version lies in (after, upto], oldest
  // first, until `visit` returns false.
  absl::Status ScanNodeVersions(uint64_t iid, uint64_t after, uint64_t upto,
                                const std::function<bool(const NodeRecord&)>& visit) const;

  // Calls `visit(iid)` for every node carrying type `label` as of `version`,
  // in iid order, starting after `after_iid` (0 = from the start), until
  // `visit` returns false.
  absl::Status ScanLabel(std::string_view label, uint64_t version, uint64_t after_iid,
                         const std::function<bool(uint64_t iid)>& visit) const;

  // Calls `visit` for every live edge of node `iid` as of `version`: out-edges
  // then in-edges (as `directions` selects), each ordered by (label, other
  // iid), restricted to `labels` when non-empty, resuming strictly after
  // `after` when given, until `visit` returns false.
  absl::Status ScanAdjacency(uint64_t iid, const std::vector<EdgeDirection>& directions,
                             const std::vector<std::string>& labels, uint64_t version,
                             const std::optional<AdjacencyCursor>& after,
                             const std::function<bool(const AdjacencyEntry&)>& visit) const;

  // Whether node `iid` carries type `label` as of `version`.
  absl::StatusOr<bool> HasLabel(std::string_view label, uint64_t iid, uint64_t version) const;

  Database* database() const { return db_; }
  TextIndex* text() const { return text_; }
  LabelRegistry* labels() const { return labels_; }

 private:
  Database* db_;
  TextIndex* text_;
  LabelRegistry* labels_;
};

// The reads of one request. GraphStore's point reads and scans each create
// a RocksDB iterator, which costs about as much as the Seek itself; a
// session keeps one iterator per column family and reuses it, which matters
// for a traversal doing hundreds of reads. Answers exactly as the
// GraphStore methods of the same name.
//
// Each iterator sees the database as of its creation (lazily, at first
// use), so create the session once the request's version is fixed: every
// version up to it is then visible. A scan's `visit` may call GetNodeByIid
// (another iterator) but must not start another scan of the same session.
//
// Node reads and whole adjacency scans (no cursor) are answered from the
// database's ReadCache when it holds them, and what they fetch from RocksDB
// goes into it, for reads at versions that were committed before the
// session's first iterator was created.
// Not thread-safe; must not outlive the store.
// Whether a GraphReadSession uses the database's ReadCache. Only a read
// that must see the stored bytes themselves (a receipt replay, which checks
// that nothing was altered underneath) bypasses it.
enum class ReadCacheUse { kShared, kBypass };

class GraphReadSession {
 public:
  explicit GraphReadSession(const GraphStore& store, ReadCacheUse use = ReadCacheUse::kShared)
      : db_(store.database()), cache_(use == ReadCacheUse::kShared ? db_->read_cache() : nullptr) {}

  absl::StatusOr<std::optional<NodeRecord>> GetNodeByIid(uint64_t iid, uint64_t version);
  // The same record without a copy: shared with the read cache, so never
  // modified. Null when absent or deleted.
  absl::StatusOr<std::shared_ptr<const NodeRecord>> GetNodeShared(uint64_t iid, uint64_t version);
  // GetNodeShared, or for a node deleted by `version` the node as it last
  // was: the newest live record at or before `version`. Null when it never
  // lived by then (or that record was compacted away, which a record at or
  // above the history horizon never is). The deleted case reads RocksDB,
  // uncached: only an as-of read of a node deleted since asks.
  absl::StatusOr<std::shared_ptr<const NodeRecord>> GetNodeOrLastLive(uint64_t iid,
                                                                      uint64_t version);
  absl::Status ScanAdjacency(uint64_t iid, const std::vector<EdgeDirection>& directions,
                             const std::vector<std::string>& labels, uint64_t version,
                             const std::optional<AdjacencyCursor>& after,
                             const std::function<bool(const AdjacencyEntry&)>& visit);

  // A whole adjacency scan (no cursor) for a reader that keeps the edges it
  // visits: `visit` also gets the read cache's list holding the entry, to
  // keep an edge by reference into it (EdgeSharedIn) instead of a copy when
  // the list is short.
  // The list is null for an entry read from RocksDB for this scan, which
  // lives only during the call.
  using ListedEdgeVisitor = std::function<bool(
      const AdjacencyEntry&, const std::shared_ptr<const ReadCache::EdgeList>& list)>;
  absl::Status ScanAdjacencyListed(uint64_t iid, const std::vector<EdgeDirection>& directions,
                                   const std::vector<std::string>& labels, uint64_t version,
                                   const ListedEdgeVisitor& visit);

  // `entry`'s edge, kept alive by `list` (the list a ListedEdgeVisitor got
  // it with) when the entry is one of its at most kMaxSharedListEdges, else
  // a copy. A kept edge keeps its whole list alive, which the read cache
  // may meanwhile have let go of: the bound keeps that to a few edges per
  // edge kept.
  static constexpr size_t kMaxSharedListEdges = 32;
  static std::shared_ptr<const EdgeRecord> EdgeSharedIn(
      const AdjacencyEntry& entry, const std::shared_ptr<const ReadCache::EdgeList>& list) {
    if (list == nullptr || list->size() > kMaxSharedListEdges || &entry < list->data() ||
        &entry >= list->data() + list->size()) {
      return std::make_shared<const EdgeRecord>(entry.edge);
    }
    return std::shared_ptr<const EdgeRecord>(list, &entry.edge);
  }

 private:
  rocksdb::Iterator* Iterator(Cf cf);
  absl::Status Scan(uint64_t iid, const std::vector<EdgeDirection>& directions,
                    const std::vector<std::string>& labels, uint64_t version,
                    const std::optional<AdjacencyCursor>& after, const ListedEdgeVisitor& visit);
  // Scans one direction of ScanAdjacency from RocksDB; with `fill_cache`,
  // also files the whole list in the read cache when it may.
  absl::Status ScanDirection(uint64_t iid, EdgeDirection d,
                             const std::vector<std::string>& prefixes, uint64_t version,
                             const std::string& resume, bool fill_cache,
                             const std::string& labels_key, const ListedEdgeVisitor& visit,
                             bool* stopped);
  // The read cache, when a read at `version` may be filed in it.
  ReadCache* CacheFor(uint64_t version) const {
    return version <= cacheable_through_ ? cache_ : nullptr;
  }
  // AdjacencyLabelsKey(labels), kept for the next scan: a walk scans node
  // after node with the same labels.
  const std::string& LabelsKey(const std::vector<std::string>& labels);

  const Database* db_;
  ReadCache* const cache_;  // null: not used
  std::unique_ptr<rocksdb::Iterator> nodes_, out_edges_, in_edges_;
  // The latest version when the first iterator was created: everything up
  // to it is in every iterator's view. 0 until then.
  uint64_t cacheable_through_ = 0;
  std::optional<std::vector<std::string>> keyed_labels_;  // what labels_key_ is the key of
  std::string labels_key_;
};

}  // namespace ctxgraph

#endif  // CTXGRAPH_STORAGE_GRAPH_STORE_H_
