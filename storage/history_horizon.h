// HistoryHorizon: the version before which history may be gone, and the
// RocksDB compaction filter that drops the record versions it shadows.
//
// Rule. With horizon H, an as-of read at V >= H answers from, for each
// entity (a key of a versioned column family minus its trailing ~version,
// keys.h), the newest record with version <= V. So every record with
// version > H is needed, and so is the newest record <= H of each entity
// (it answers reads at H and later, and may be a tombstone); every older
// record of the entity is shadowed at H and can go. Reads at V < H are
// refused (CheckReadable) rather than answered from a partial history.
//
// The filter. A compaction sees only some of the data, in key order, and
// within one entity the newest version first. Once it has passed a record
// of entity E with version <= H it may drop every later (older) record of E;
// the first one it meets is kept, even when a newer one <= H sits in another
// level (conservative: a later compaction that sees both drops it). Records
// of voided versions (a removed CommitSession's, whose RocksDB deletes may
// sit in a level this compaction does not see) never count as shadowing.
// RocksDB runs compaction filters regardless of snapshots and open
// iterators; see compaction_horizon() for how in-flight reads stay safe.
//
// Thread safety: every method is safe to call concurrently; filters read
// the values they were created with.
#ifndef CTXGRAPH_STORAGE_HISTORY_HORIZON_H_
#define CTXGRAPH_STORAGE_HISTORY_HORIZON_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "rocksdb/compaction_filter.h"

namespace ctxgraph {

class HistoryHorizon : public std::enable_shared_from_this<HistoryHorizon> {
 public:
  // Reads as of a version below this are refused; 0 means none is.
  uint64_t horizon() const { return horizon_.load(std::memory_order_acquire); }
  // What new compaction filters drop under: the horizon before the latest
  // Raise. A read that checked its version against the previous horizon and
  // is still running when the horizon moves keeps its versions until the
  // next Raise (the server raises once a minute), so compaction never pulls
  // history from under a read that was allowed to start.
  uint64_t compaction_horizon() const { return compaction_.load(std::memory_order_acquire); }

  // OK when `version` is at or after the horizon, else FAILED_PRECONDITION
  // "as_of_version: V is before the history horizon H (--history-retention)"
  // naming `field` (a page token names "page_token").
  absl::Status CheckReadable(uint64_t version, std::string_view field = "as_of_version") const;

  // At open: the persisted horizon, in force for reads and compaction alike
  // (no read can be running yet).
  void Load(uint64_t horizon);
  // Moves the compaction horizon up to the current horizon, then the
  // horizon up to `horizon` (never down). Returns the horizon now in force.
  uint64_t Raise(uint64_t horizon);

  // Versions whose records must never count as shadowing (keys.h,
  // kVoidedVersionsKey), ascending.
  void SetVoided(std::vector<uint64_t> versions);
  std::vector<uint64_t> voided() const;

  // A factory for the versioned column families' options. It keeps `this`
  // alive; its filters use the compaction horizon and voided versions of
  // the moment they are created, and do nothing while that horizon is 0.
  std::shared_ptr<rocksdb::CompactionFilterFactory> NewFilterFactory();

 private:
  std::atomic<uint64_t> horizon_{0};
  std::atomic<uint64_t> compaction_{0};
  mutable std::mutex mu_;
  // Guarded by mu_; shared with the filters created from it.
  std::shared_ptr<const std::vector<uint64_t>> voided_ =
      std::make_shared<const std::vector<uint64_t>>();
};

}  // namespace ctxgraph

#endif  // CTXGRAPH_STORAGE_HISTORY_HORIZON_H_
