#include "storage/boundary_sets.h"

#include <algorithm>
#include <functional>
#include <mutex>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "storage/keys.h"
#include "storage/status_macros.h"

namespace ctxgraph {

absl::Status BoundarySets::Load() {
  std::unique_lock lock(mu_);
  auto it = db_->NewIterator(Cf::kBoundarySets);
  const std::string prefix = keys::BoundarySetByIdKey(0).substr(0, 1);
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    const std::string_view key(it->key().data(), it->key().size());
    ASSIGN_OR_RETURN(const uint64_t id, keys::ReadU64(key, 1));
    const std::string_view bytes(it->value().data(), it->value().size());
    ASSIGN_OR_RETURN(std::vector<std::string> labels, keys::DecodeBoundarySetLabels(bytes));
    // Ids are dense: a gap means a lost mapping, and postings naming the
    // missing id could never be checked against a policy.
    if (id != by_id_.size()) {
      return absl::DataLossError(
          absl::StrCat("boundary_sets: expected id ", by_id_.size(), ", found ", id));
    }
    // The value has no count: a cut between two labels would read as a
    // smaller set, seen by callers cleared only for what is left. Its
    // labels must be sorted, unique and map back to this id.
    const bool canonical =
        !labels.empty() &&
        std::adjacent_find(labels.begin(), labels.end(), std::greater_equal<>()) == labels.end();
    std::string back;
    bool mapped = false;
    if (canonical) {
      ASSIGN_OR_RETURN(mapped,
                       db_->Get(Cf::kBoundarySets, keys::BoundarySetByLabelsKey(labels), &back));
    }
    if (!mapped || back != keys::EncodeU64(id)) {
      return absl::DataLossError(
          absl::StrCat("boundary_sets: set ", id, " does not map back to itself"));
    }
    by_labels_.emplace(bytes, id);
    by_id_.push_back(std::move(labels));
  }
  return FromRocks(it->status());
}

absl::StatusOr<uint64_t> BoundarySets::Intern(const std::vector<std::string>& labels) {
  if (labels.empty()) return 0;
  const std::string bytes = keys::EncodeBoundarySetLabels(labels);
  {
    std::shared_lock lock(mu_);
    if (auto it = by_labels_.find(bytes); it != by_labels_.end()) return it->second;
  }
  std::unique_lock lock(mu_);
  if (auto it = by_labels_.find(bytes); it != by_labels_.end()) return it->second;
  const uint64_t id = by_id_.size();
  rocksdb::WriteBatch batch;
  RETURN_IF_ERROR(
      FromRocks(batch.Put(db_->handle(Cf::kBoundarySets), keys::BoundarySetByIdKey(id), bytes)));
  RETURN_IF_ERROR(FromRocks(batch.Put(db_->handle(Cf::kBoundarySets),
                                      keys::BoundarySetByLabelsKey(labels), keys::EncodeU64(id))));
  // Unsynced: the WAL is ordered, so the commit that uses the id (synced)
  // makes this mapping durable too.
  RETURN_IF_ERROR(db_->WriteOutsideCommit(rocksdb::WriteOptions(), &batch));
  by_labels_.emplace(bytes, id);
  by_id_.push_back(labels);
  return id;
}

uint64_t BoundarySets::size() const {
  std::shared_lock lock(mu_);
  return by_id_.size();
}

std::vector<std::vector<std::string>> BoundarySets::LabelsFrom(uint64_t from) const {
  std::shared_lock lock(mu_);
  if (from >= by_id_.size()) return {};
  return {by_id_.begin() + static_cast<ptrdiff_t>(from), by_id_.end()};
}

}  // namespace ctxgraph
