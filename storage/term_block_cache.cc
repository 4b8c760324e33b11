#include "storage/term_block_cache.h"

namespace ctxgraph {
namespace {

// Debian's absl::string_view is not std::string_view.
absl::string_view Key(std::string_view term) { return {term.data(), term.size()}; }

}  // namespace

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
