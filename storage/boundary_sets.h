// BoundarySets: interns each distinct boundary (a sorted label list) as a
// small integer, so the keyword index can store "which boundary did this
// node have" in a few bytes per posting and keep statistics per boundary.
//
// Set 0 is the empty boundary and is never stored. Other ids count up from
// 1 in interning order. A mapping is written to RocksDB (column family
// boundary_sets) before Intern returns its id, and is never removed: ids are
// stable for the life of the database, even when the commit that first
// used one fails.
//
// Thread safety: all methods are safe to call concurrently.
#ifndef CTXGRAPH_STORAGE_BOUNDARY_SETS_H_
#define CTXGRAPH_STORAGE_BOUNDARY_SETS_H_

#include <cstdint>
#include <shared_mutex>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "storage/database.h"

namespace ctxgraph {

class BoundarySets {
 public:
  explicit BoundarySets(Database* db) : db_(db) {}

  // Loads every stored mapping. Call once, before any other method.
  absl::Status Load();

  // The id of `labels` (sorted, unique), interning it when new.
  absl::StatusOr<uint64_t> Intern(const std::vector<std::string>& labels);

  // How many ids exist (the largest id + 1).
  uint64_t size() const;

  // The labels of each id in [from, size()), in id order.
  std::vector<std::vector<std::string>> LabelsFrom(uint64_t from) const;

 private:
  Database* db_;
  mutable std::shared_mutex mu_;
  // Both guarded by mu_. by_id_[0] is the empty boundary.
  std::vector<std::vector<std::string>> by_id_{{}};
  absl::flat_hash_map<std::string, uint64_t> by_labels_;  // key: EncodeBoundarySetLabels
};

}  // namespace ctxgraph

#endif  // CTXGRAPH_STORAGE_BOUNDARY_SETS_H_
