// LabelRegistry: the boundary labels a node may carry, as managed data.
//
// A label must be defined here before a write may put it on a node (the
// write path, GraphStore, enforces it). Definitions are versioned like every
// other record (column family "labels", layout in keys.h): each one is
// written by a commit, so it has a version, a time, a principal and an audit
// entry, and the registry can be read as of any version. Labels are never
// removed: a label once defined stays defined at every later version, which
// is what lets a writer check a label before taking the commit lock.
// Redefining a label (a new description or propagate flag) writes a new
// version of its record; its created_version stays.
//
// Cache: the latest definition of every label is held in memory for the
// write path (IsDefined is a hash lookup). Put() publishes a definition to
// the cache from the commit's OnCommitted hook, which runs under the commit
// lock once the commit is visible: so every commit sees exactly the labels
// committed before it, and a failed or aborted commit never reaches the
// cache. Versioned reads (Get, List) read RocksDB, not the cache.
//
// Memory: ~100 bytes plus the description per label.
// Thread safety: every method is safe to call concurrently.
#ifndef CTXGRAPH_STORAGE_LABEL_REGISTRY_H_
#define CTXGRAPH_STORAGE_LABEL_REGISTRY_H_

#include <cstdint>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "storage/database.h"
#include "storage/records.h"

namespace ctxgraph {

class LabelRegistry {
 public:
  // `db` must outlive the registry. Call Load() before anything else.
  explicit LabelRegistry(Database* db) : db_(db) {}
  LabelRegistry(const LabelRegistry&) = delete;
  LabelRegistry& operator=(const LabelRegistry&) = delete;

  // Fills the cache with the latest committed definition of every label.
  absl::Status Load();

  // --- The cache: the latest committed definitions. ---
  bool IsDefined(std::string_view name) const;
  std::optional<LabelDefinition> Latest(std::string_view name) const;
  size_t size() const;
  // Whether some committed label has propagate=true.
  bool AnyPropagating() const;

  // --- Versioned reads from RocksDB. ---

  // The definition of `name` as of `version`, or nullopt when it was not
  // defined then.
  absl::StatusOr<std::optional<LabelDefinition>> Get(std::string_view name, uint64_t version) const;
  // Up to `limit` definitions as of `version`, in key order (shorter names
  // first, then byte order), starting after the label `after` (empty: from
  // the first). *more says whether another one follows.
  absl::StatusOr<std::vector<LabelDefinition>> List(uint64_t version, std::string_view after,
                                                    size_t limit, bool* more) const;

  // --- Writes, inside a commit. ---

  // The newest definition of `name` as `ctx` sees it: committed, written by
  // an earlier batch of the same CommitSession, or put earlier in `ctx`.
  absl::StatusOr<std::optional<LabelDefinition>> LatestIn(CommitContext& ctx,
                                                          std::string_view name) const;
  // Writes `label` (whose version must be ctx.version()) and publishes it to
  // the cache when the commit lands.
  void Put(CommitContext& ctx, const LabelDefinition& label);

 private:
  void Publish(const LabelDefinition& label);

  Database* db_;
  mutable std::shared_mutex mu_;
  // Guarded by mu_: the latest committed definition of each label.
  absl::flat_hash_map<std::string, LabelDefinition> latest_;
  size_t propagating_ = 0;  // guarded by mu_: labels of latest_ with propagate
};

}  // namespace ctxgraph

#endif  // CTXGRAPH_STORAGE_LABEL_REGISTRY_H_
