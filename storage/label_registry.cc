#include "storage/label_registry.h"

#include <mutex>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "storage/keys.h"
#include "storage/record_codec.h"
#include "storage/status_macros.h"

namespace ctxgraph {
namespace {

std::string_view View(const rocksdb::Slice& s) { return std::string_view(s.data(), s.size()); }

// Debian's absl::string_view is not std::string_view: hash lookups take this.
absl::string_view Key(std::string_view s) { return absl::string_view(s.data(), s.size()); }

// Calls `take` with the newest definition of each label as of `version`, in
// key order from `start`, until it returns false.
absl::Status ForEachLatest(rocksdb::Iterator* it, std::string_view start, uint64_t version,
                           const std::function<bool(LabelDefinition)>& take) {
  std::optional<std::string> decided;
  for (it->Seek(rocksdb::Slice(start.data(), start.size())); it->Valid(); it->Next()) {
    ASSIGN_OR_RETURN(keys::LabelKey k, keys::DecodeLabelKey(View(it->key())));
    if (k.version > version || (decided && *decided == k.name)) continue;
    decided = k.name;
    ASSIGN_OR_RETURN(LabelDefinition label, DecodeLabelDefinition(View(it->value())));
    if (!take(std::move(label))) return absl::OkStatus();
  }
  return FromRocks(it->status());
}

// The definition of `name` as of `version` in `it`'s view of the registry.
absl::StatusOr<std::optional<LabelDefinition>> NewestDefinition(rocksdb::Iterator* it,
                                                                std::string_view name,
                                                                uint64_t version) {
  ASSIGN_OR_RETURN(std::optional<std::string> bytes,
                   NewestAtOrBefore(it, keys::LabelPrefix(name),
                                    keys::EncodeLabelKey({std::string(name), version})));
  if (!bytes) return std::nullopt;
  return DecodeLabelDefinition(*bytes);
}

}  // namespace

absl::Status LabelRegistry::Load() {
  absl::flat_hash_map<std::string, LabelDefinition> latest;
  auto it = db_->NewIterator(Cf::kLabels);
  RETURN_IF_ERROR(ForEachLatest(it.get(), "", db_->LatestVersion(), [&](LabelDefinition label) {
    std::string name = label.name;
    latest.insert_or_assign(std::move(name), std::move(label));
    return true;
  }));
  size_t propagating = 0;
  for (const auto& [name, label] : latest) propagating += label.propagate ? 1 : 0;
  std::unique_lock lock(mu_);
  latest_ = std::move(latest);
  propagating_ = propagating;
  return absl::OkStatus();
}

bool LabelRegistry::IsDefined(std::string_view name) const {
  std::shared_lock lock(mu_);
  return latest_.contains(Key(name));
}

std::optional<LabelDefinition> LabelRegistry::Latest(std::string_view name) const {
  std::shared_lock lock(mu_);
  auto it = latest_.find(Key(name));
  if (it == latest_.end()) return std::nullopt;
  return it->second;
}

size_t LabelRegistry::size() const {
  std::shared_lock lock(mu_);
  return latest_.size();
}

bool LabelRegistry::AnyPropagating() const {
  std::shared_lock lock(mu_);
  return propagating_ > 0;
}

absl::StatusOr<std::optional<LabelDefinition>> LabelRegistry::Get(std::string_view name,
                                                                  uint64_t version) const {
  auto it = db_->NewIterator(Cf::kLabels);
  return NewestDefinition(it.get(), name, version);
}

absl::StatusOr<std::vector<LabelDefinition>> LabelRegistry::List(uint64_t version,
                                                                 std::string_view after,
                                                                 size_t limit, bool* more) const {
  std::vector<LabelDefinition> out;
  *more = false;
  // Version 0 is never written, so (after, 0) sorts past every version of
  // `after`.
  const std::string start = after.empty() ? "" : keys::EncodeLabelKey({std::string(after), 0});
  auto it = db_->NewIterator(Cf::kLabels);
  RETURN_IF_ERROR(ForEachLatest(it.get(), start, version, [&](LabelDefinition label) {
    if (out.size() == limit) {
      *more = true;
      return false;
    }
    out.push_back(std::move(label));
    return true;
  }));
  return out;
}

absl::StatusOr<std::optional<LabelDefinition>> LabelRegistry::LatestIn(
    CommitContext& ctx, std::string_view name) const {
  auto it = ctx.NewIterator(Cf::kLabels);
  return NewestDefinition(it.get(), name, keys::kMaxVersion);
}

void LabelRegistry::Put(CommitContext& ctx, const LabelDefinition& label) {
  ctx.Put(Cf::kLabels, keys::EncodeLabelKey({label.name, ctx.version()}),
          EncodeLabelDefinition(label));
  ctx.OnCommitted([this, label] { Publish(label); });
}

void LabelRegistry::Publish(const LabelDefinition& label) {
  std::unique_lock lock(mu_);
  auto [it, inserted] = latest_.try_emplace(label.name, label);
  if (!inserted) {
    propagating_ -= it->second.propagate ? 1 : 0;
    it->second = label;
  }
  propagating_ += label.propagate ? 1 : 0;
}

}  // namespace ctxgraph
