#include "storage/history_horizon.h"

#include <algorithm>
#include <string>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "storage/keys.h"

namespace ctxgraph {
namespace {

// Drops the records a compaction sees that are shadowed at `horizon` (see
// the header). Created per (sub)compaction, so used by one thread.
class ShadowedVersionFilter final : public rocksdb::CompactionFilter {
 public:
  ShadowedVersionFilter(uint64_t horizon, std::shared_ptr<const std::vector<uint64_t>> voided)
      : horizon_(horizon), voided_(std::move(voided)) {}

  Decision FilterV2(int /*level*/, const rocksdb::Slice& key, ValueType value_type,
                    const rocksdb::Slice& /*existing_value*/, std::string* /*new_value*/,
                    std::string* /*skip_until*/) const override {
    if (value_type != ValueType::kValue || key.size() < 8) return Decision::kKeep;
    const std::string_view bytes(key.data(), key.size());
    absl::StatusOr<uint64_t> version = keys::VersionOfVersionedKey(bytes);
    if (!version.ok() || *version > horizon_) return Decision::kKeep;
    const std::string_view entity = bytes.substr(0, bytes.size() - 8);
    if (has_kept_ && entity == kept_entity_ && *version < kept_version_) {
      return Decision::kRemove;
    }
    // The first record <= horizon of this entity here: kept, and it
    // shadows what follows unless its own records may be deleted.
    if (!std::binary_search(voided_->begin(), voided_->end(), *version)) {
      has_kept_ = true;
      kept_entity_.assign(entity);
      kept_version_ = *version;
    }
    return Decision::kKeep;
  }

  const char* Name() const override { return "ctxgraph.ShadowedVersionFilter"; }

 private:
  const uint64_t horizon_;
  const std::shared_ptr<const std::vector<uint64_t>> voided_;
  // The entity and version of the last record kept at or below the horizon.
  mutable bool has_kept_ = false;
  mutable std::string kept_entity_;
  mutable uint64_t kept_version_ = 0;
};

class ShadowedVersionFilterFactory final : public rocksdb::CompactionFilterFactory {
 public:
  explicit ShadowedVersionFilterFactory(std::shared_ptr<HistoryHorizon> horizon)
      : horizon_(std::move(horizon)) {}

  std::unique_ptr<rocksdb::CompactionFilter> CreateCompactionFilter(
      const rocksdb::CompactionFilter::Context& /*context*/) override {
    // Voided versions first: a version voided after this read is not yet
    // below the compaction horizon (it was above the latest version).
    std::shared_ptr<const std::vector<uint64_t>> voided =
        std::make_shared<const std::vector<uint64_t>>(horizon_->voided());
    const uint64_t h = horizon_->compaction_horizon();
    if (h == 0) return nullptr;  // nothing to drop: RocksDB skips filtering
    return std::make_unique<ShadowedVersionFilter>(h, std::move(voided));
  }

  const char* Name() const override { return "ctxgraph.ShadowedVersionFilterFactory"; }

 private:
  std::shared_ptr<HistoryHorizon> horizon_;
};

}  // namespace

absl::Status HistoryHorizon::CheckReadable(uint64_t version, std::string_view field) const {
  const uint64_t h = horizon();
  if (version >= h) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(std::string(field), ": ", version,
                                                    " is before the history horizon ", h,
                                                    " (--history-retention)"));
}

void HistoryHorizon::Load(uint64_t horizon) {
  std::lock_guard<std::mutex> lock(mu_);
  horizon_.store(horizon, std::memory_order_release);
  compaction_.store(horizon, std::memory_order_release);
}

uint64_t HistoryHorizon::Raise(uint64_t horizon) {
  std::lock_guard<std::mutex> lock(mu_);
  const uint64_t current = horizon_.load(std::memory_order_acquire);
  compaction_.store(current, std::memory_order_release);
  const uint64_t raised = std::max(current, horizon);
  horizon_.store(raised, std::memory_order_release);
  return raised;
}

void HistoryHorizon::SetVoided(std::vector<uint64_t> versions) {
  std::sort(versions.begin(), versions.end());
  std::lock_guard<std::mutex> lock(mu_);
  voided_ = std::make_shared<const std::vector<uint64_t>>(std::move(versions));
}

std::vector<uint64_t> HistoryHorizon::voided() const {
  std::lock_guard<std::mutex> lock(mu_);
  return *voided_;
}

std::shared_ptr<rocksdb::CompactionFilterFactory> HistoryHorizon::NewFilterFactory() {
  return std::make_shared<ShadowedVersionFilterFactory>(shared_from_this());
}

}  // namespace ctxgraph
