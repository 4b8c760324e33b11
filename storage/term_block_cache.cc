#include "storage/term_block_cache.h"

#include <algorithm>
#include <optional>

namespace ctxgraph {
namespace {

// Debian's absl::string_view is not std::string_view.
absl::string_view Key(std::string_view term) { return {term.data(), term.size()}; }

using Pair = std::pair<uint32_t, uint32_t>;

// Appends a block with frontier [begin, end) to `out`, and its view_only
// flag when `view_only` is set.
void AppendBlock(TermBlocks& out, uint64_t first_iid, uint64_t version, const Pair* begin,
                 const Pair* end, std::optional<bool> view_only = std::nullopt) {
  const auto from = static_cast<uint32_t>(out.frontier.size());
  out.frontier.insert(out.frontier.end(), begin, end);
  out.blocks.push_back({first_iid, from, static_cast<uint32_t>(out.frontier.size()), version});
  if (view_only) out.view_only.push_back(*view_only ? 1 : 0);
}

// Block `i`'s frontier in `blocks`, as a [begin, end) pair of pointers.
std::pair<const Pair*, const Pair*> FrontierOf(const TermBlocks& blocks, size_t i) {
  const TermBlocks::Block& b = blocks.blocks[i];
  return {blocks.frontier.data() + b.frontier_begin, blocks.frontier.data() + b.frontier_end};
}

}  // namespace

std::shared_ptr<TermBlocks> RefineTermBlocks(const TermBlocks& base,
                                             std::vector<ViewFrontier> refined) {
  std::sort(refined.begin(), refined.end(),
            [](const ViewFrontier& a, const ViewFrontier& b) { return a.block < b.block; });
  auto out = std::make_shared<TermBlocks>();
  out->blocks.reserve(base.blocks.size());
  out->frontier.reserve(base.frontier.size());
  out->view_only.reserve(base.blocks.size());
  auto next = refined.begin();
  for (size_t i = 0; i < base.blocks.size(); ++i) {
    const TermBlocks::Block& b = base.blocks[i];
    while (next != refined.end() && next->block < i) ++next;  // a duplicate, or out of range
    if (next != refined.end() && next->block == i) {
      AppendBlock(*out, b.first_iid, b.version, next->frontier.data(),
                  next->frontier.data() + next->frontier.size(), true);
      ++next;
    } else {
      const auto [begin, end] = FrontierOf(base, i);
      AppendBlock(*out, b.first_iid, b.version, begin, end, base.ViewOnly(i));
    }
  }
  out->frontier.shrink_to_fit();
  return out;
}

std::shared_ptr<TermBlocks> RebaseTermBlocks(const TermBlocks& current, const TermBlocks& refined,
                                             uint64_t refined_at) {
  auto out = std::make_shared<TermBlocks>();
  out->blocks.reserve(current.blocks.size());
  out->frontier.reserve(current.frontier.size());
  out->view_only.reserve(current.blocks.size());
  size_t j = 0;
  for (size_t i = 0; i < current.blocks.size(); ++i) {
    const TermBlocks::Block& b = current.blocks[i];
    while (j < refined.blocks.size() && refined.blocks[j].first_iid < b.first_iid) ++j;
    // The view's frontier holds while the block is as it was then.
    const bool keep = j < refined.blocks.size() && refined.blocks[j].first_iid == b.first_iid &&
                      refined.ViewOnly(j) && b.version <= refined_at &&
                      refined.blocks[j].version == b.version;
    const auto [begin, end] = keep ? FrontierOf(refined, j) : FrontierOf(current, i);
    AppendBlock(*out, b.first_iid, b.version, begin, end, keep);
  }
  out->frontier.shrink_to_fit();
  return out;
}

void TermChangeLog::Reset(uint64_t version) {
  absl::flat_hash_map<std::string, uint64_t> forgotten;
  std::lock_guard<std::mutex> lock(mu_);
  changed_.swap(forgotten);  // freed after the lock
  floor_ = newest_ = version;
}

void TermChangeLog::Note(const std::vector<std::string_view>& terms, uint64_t version) {
  absl::flat_hash_map<std::string, uint64_t> forgotten;
  std::lock_guard<std::mutex> lock(mu_);
  newest_ = std::max(newest_, version);
  size_t untracked = 0;
  for (std::string_view term : terms) untracked += changed_.contains(Key(term)) ? 0 : 1;
  if (changed_.size() + untracked > capacity_) {
    changed_.swap(forgotten);
    floor_ = newest_;
    return;
  }
  for (std::string_view term : terms) {
    uint64_t& at = changed_[Key(term)];
    at = std::max(at, version);
  }
}

uint64_t TermChangeLog::ChangedAt(std::string_view term) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = changed_.find(Key(term));
  return it == changed_.end() ? floor_ : std::max(it->second, floor_);
}

std::shared_ptr<TermBlocks> PatchTermBlocks(const TermBlocks& base,
                                            const std::vector<WrittenBlock>& written,
                                            uint64_t version) {
  auto out = std::make_shared<TermBlocks>();
  out->blocks.reserve(base.blocks.size() + written.size());
  out->frontier.reserve(base.frontier.size() + written.size());
  auto add_written = [&](const WrittenBlock& b) {
    if (b.frontier.empty()) return;  // no postings left
    AppendBlock(*out, b.first_iid, version, b.frontier.data(),
                b.frontier.data() + b.frontier.size());
  };
  size_t w = 0;
  for (size_t i = 0; i < base.blocks.size(); ++i) {
    const TermBlocks::Block& b = base.blocks[i];
    for (; w < written.size() && written[w].first_iid < b.first_iid; ++w) add_written(written[w]);
    if (w < written.size() && written[w].first_iid == b.first_iid) {
      add_written(written[w++]);  // in place of b
      continue;
    }
    const auto [begin, end] = FrontierOf(base, i);
    AppendBlock(*out, b.first_iid, b.version, begin, end);
  }
  for (; w < written.size(); ++w) add_written(written[w]);
  out->blocks.shrink_to_fit();
  out->frontier.shrink_to_fit();
  return out;
}

TermBlockCache::Entry TermBlockCache::Find(std::string_view term) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = slots_.find(Key(term));
  if (it == slots_.end()) return {};
  lru_.splice(lru_.begin(), lru_, it->second.lru);
  return it->second.entry;
}

TermBlockCache::Entry TermBlockCache::Peek(std::string_view term) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = slots_.find(Key(term));
  return it == slots_.end() ? Entry{} : it->second.entry;
}

void TermBlockCache::Insert(std::string_view term, Entry entry) {
  // The term's bytes count too: a cache of many rare terms is still bounded.
  const size_t bytes = entry.blocks->bytes() + 2 * term.size() + sizeof(Slot);
  std::lock_guard<std::mutex> lock(mu_);
  if (auto it = slots_.find(Key(term)); it != slots_.end()) {
    if (it->second.entry.built_at > entry.built_at) return;
    bytes_ -= it->second.bytes;
    lru_.erase(it->second.lru);
    slots_.erase(it);
  }
  if (bytes > capacity_ / 4) return;
  while (bytes_ + bytes > capacity_ && !lru_.empty()) {
    auto victim = slots_.find(lru_.back());
    bytes_ -= victim->second.bytes;
    slots_.erase(victim);
    lru_.pop_back();
  }
  // Should an allocation throw, the list and the map still name the same
  // terms.
  auto slot = slots_.emplace(std::string(term), Slot{std::move(entry), bytes, {}}).first;
  try {
    lru_.emplace_front(slot->first);
  } catch (...) {
    slots_.erase(slot);
    throw;
  }
  slot->second.lru = lru_.begin();
  bytes_ += bytes;
}

size_t TermBlockCache::bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return bytes_;
}

}  // namespace ctxgraph
