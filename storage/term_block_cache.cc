#include "storage/term_block_cache.h"

#include <algorithm>

namespace ctxgraph {
namespace {

// Debian's absl::string_view is not std::string_view.
absl::string_view Key(std::string_view term) { return {term.data(), term.size()}; }

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
    const auto begin = static_cast<uint32_t>(out->frontier.size());
    while (next != refined.end() && next->block < i) ++next;  // a duplicate, or out of range
    const bool refine = next != refined.end() && next->block == i;
    if (refine) {
      out->frontier.insert(out->frontier.end(), next->frontier.begin(), next->frontier.end());
      ++next;
    } else {
      out->frontier.insert(out->frontier.end(), base.frontier.begin() + b.frontier_begin,
                           base.frontier.begin() + b.frontier_end);
    }
    out->blocks.push_back({b.first_iid, begin, static_cast<uint32_t>(out->frontier.size())});
    out->view_only.push_back(refine || base.ViewOnly(i) ? 1 : 0);
  }
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

void TermBlockCache::Insert(std::string_view term, Entry entry) {
  // The term's bytes count too: a cache of many rare terms is still bounded.
  const size_t bytes = entry.blocks->bytes() + 2 * term.size() + sizeof(Slot);
  std::lock_guard<std::mutex> lock(mu_);
  if (auto it = slots_.find(Key(term)); it != slots_.end()) {
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
