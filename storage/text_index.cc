#include "storage/text_index.h"

#include <algorithm>
#include <limits>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "storage/keys.h"
#include "storage/status_macros.h"

namespace ctxgraph {
namespace {

constexpr uint64_t kNoIid = std::numeric_limits<uint64_t>::max();

bool StartsWith(const rocksdb::Slice& key, std::string_view prefix) {
  return key.size() >= prefix.size() && std::memcmp(key.data(), prefix.data(), prefix.size()) == 0;
}

std::string_view View(const rocksdb::Slice& s) { return std::string_view(s.data(), s.size()); }

std::vector<std::string> SortedUnique(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

// The key of `entity_key` without its trailing ~version: the prefix shared
// by every version of one entity.
std::string EntityPrefix(const std::string& entity_key) {
  return entity_key.substr(0, entity_key.size() - 8);
}

// The newest stored u64 value under `entity_prefix` (any version), or 0.
absl::StatusOr<uint64_t> NewestCounter(rocksdb::Iterator* it, const std::string& entity_prefix) {
  it->Seek(entity_prefix);
  if (!it->Valid()) {
    RETURN_IF_ERROR(FromRocks(it->status()));
    return 0;
  }
  if (!StartsWith(it->key(), entity_prefix)) return 0;
  return keys::ReadU64(View(it->value()), 0);
}

absl::StatusOr<uint64_t> AddCounter(uint64_t base, int64_t delta, std::string_view what) {
  if (delta < 0 && base < static_cast<uint64_t>(-delta)) {
    return absl::DataLossError(
        absl::StrCat("text index: ", std::string(what), " would go negative"));
  }
  return base + static_cast<uint64_t>(delta);
}

// Applies `changes` (sorted by iid, one per iid) to `postings` (sorted).
// Each posting replaced or removed counts -1 and each one written +1 in
// `docs_delta`, under its boundary set and under kAllSets.
std::vector<Posting> Merge(const std::vector<Posting>& postings,
                           const std::pair<uint64_t, std::optional<Posting>>* changes, size_t count,
                           absl::flat_hash_map<uint64_t, int64_t>* docs_delta) {
  std::vector<Posting> out;
  out.reserve(postings.size() + count);
  size_t i = 0, j = 0;
  while (i < postings.size() || j < count) {
    if (j == count || (i < postings.size() && postings[i].iid < changes[j].first)) {
      out.push_back(postings[i++]);
      continue;
    }
    if (i < postings.size() && postings[i].iid == changes[j].first) {  // replaced
      --(*docs_delta)[postings[i].set];
      --(*docs_delta)[TextIndex::kAllSets];
      ++i;
    }
    if (const std::optional<Posting>& p = changes[j].second) {
      out.push_back(*p);
      ++(*docs_delta)[p->set];
      ++(*docs_delta)[TextIndex::kAllSets];
    }
    ++j;
  }
  return out;
}

// What TextIndexCounts holds, roughly: per (term, set) counter, with the
// hash table's slack, and per term, besides its bytes.
constexpr size_t kCountBytes = 32;
constexpr size_t kCountedTermBytes = 128;

// Key order of terms: a term's keys start with its big-endian length, then
// its bytes.
bool TermKeyLess(const std::string& x, const std::string& y) {
  return x.size() != y.size() ? x.size() < y.size() : x < y;
}

// The view summary cache's key: unambiguous whatever bytes the two hold.
std::string ViewKey(std::string_view view, std::string_view term) {
  std::string key = keys::EncodeU64(view.size());
  key.append(view);
  key.append(term);
  return key;
}

}  // namespace

std::string TextIndexConfig::Encode() const {
  std::string out = "props:";
  out += keys::EncodeBoundarySetLabels(SortedUnique(props));
  out += "|stop:";
  out += keys::EncodeBoundarySetLabels(SortedUnique(stop_words));
  return out;
}

TextIndex::TextIndex(Database* db, TextIndexConfig config)
    : db_(db), config_(std::move(config)), tokenizer_(config_.stop_words), sets_(db) {
  config_.props = SortedUnique(config_.props);
}

absl::Status TextIndex::Open() {
  const std::string encoded = config_.Encode();
  std::string stored;
  ASSIGN_OR_RETURN(bool found, db_->Get(Cf::kDefault, keys::kTextConfigKey, &stored));
  if (!found) {
    RETURN_IF_ERROR(Tokenizer::CheckStopWords(config_.stop_words));
    rocksdb::WriteOptions sync;
    sync.sync = true;
    RETURN_IF_ERROR(FromRocks(
        db_->rocks()->Put(sync, db_->handle(Cf::kDefault), keys::kTextConfigKey, encoded)));
  } else if (stored != encoded) {
    return absl::FailedPreconditionError(absl::StrCat(
        "search settings (indexed props [", absl::StrJoin(config_.props, ","), "], ",
        config_.stop_words.size(),
        " stop words) differ from the ones this database was created with; start with the "
        "original settings"));
  }
  // What postings changed before now is unknown: no summary built below
  // this version may answer a read at or above it.
  term_changes_.Reset(db_->LatestVersion());
  return sets_.Load();
}

std::vector<std::string_view> TextIndex::IndexedText(const NodeRecord& node) const {
  std::vector<std::string_view> out;
  for (const auto& [key, value] : node.props) {
    if (!config_.props.empty() &&
        !std::binary_search(config_.props.begin(), config_.props.end(), key)) {
      continue;
    }
    if (const auto* s = std::get_if<std::string>(&value.v)) {
      out.push_back(*s);
    } else if (const auto* list = std::get_if<ValueList>(&value.v)) {
      for (const Value& element : *list) {
        if (const auto* e = std::get_if<std::string>(&element.v)) out.push_back(*e);
      }
    }
  }
  return out;
}

NodeTerms TextIndex::Analyze(const NodeRecord& node) const {
  NodeTerms terms;
  const std::vector<std::string_view> texts = IndexedText(node);
  // About one distinct term per 8 bytes of text (6.5 bytes per term, a
  // fifth repeated, in the benchmark's data): sized once, not regrown.
  size_t bytes = 0;
  for (std::string_view text : texts) bytes += text.size();
  terms.tf.reserve(std::min<size_t>(bytes / 8, 1024));
  for (std::string_view text : texts) {
    tokenizer_.ForEachTerm(text, [&](std::string_view term) {
      ++terms.tf[absl::string_view(term.data(), term.size())];
      ++terms.length;
    });
  }
  return terms;
}

absl::Status TextIndex::NoteNodeChange(TextIndexDelta& delta, uint64_t iid,
                                       const NodeRecord* before, const NodeRecord* after,
                                       bool came_back) {
  NodeTerms old_terms, new_terms;
  uint64_t old_set = 0, new_set = 0;
  if (before) {
    old_terms = Analyze(*before);
    ASSIGN_OR_RETURN(old_set, sets_.Intern(EffectiveBoundary(*before)));
  }
  if (after) {
    new_terms = Analyze(*after);
    ASSIGN_OR_RETURN(new_set, sets_.Intern(EffectiveBoundary(*after)));
  }
  if ((before && after && old_set != new_set) || (!before && after && came_back)) {
    delta.relabelled_.push_back(iid);
  }
  for (uint64_t set : {old_set, kAllSets}) {
    if (!before) break;
    auto& totals = delta.totals_[set];
    --totals.docs;
    totals.length -= old_terms.length;
  }
  for (uint64_t set : {new_set, kAllSets}) {
    if (!after) break;
    auto& totals = delta.totals_[set];
    ++totals.docs;
    totals.length += new_terms.length;
  }
  for (const auto& [term, tf] : new_terms.tf) {
    auto old = old_terms.tf.find(term);
    const bool had = old != old_terms.tf.end();
    if (had && old->second == tf && old_terms.length == new_terms.length && old_set == new_set) {
      continue;  // the same posting
    }
    auto& changes = delta.postings_[term];
    changes.changes.emplace_back(iid, Posting{iid, tf, new_terms.length, new_set});
    delta.approx_bytes_ += sizeof(changes.changes.front()) + (had ? 0 : term.size());
  }
  for (const auto& [term, tf] : old_terms.tf) {
    if (new_terms.tf.contains(term)) continue;
    auto& changes = delta.postings_[term];
    changes.changes.emplace_back(iid, std::nullopt);
    delta.approx_bytes_ += sizeof(changes.changes.front());
  }
  return absl::OkStatus();
}

absl::Status TextIndex::Flush(CommitContext& ctx, TextIndexDelta& delta,
                              TextIndexCounts* counts) const {
  // Before anything is written, so before the commit can be visible: a
  // reader that sees ctx.version() sees this too (BlockSummary). Should the
  // commit fail, summaries only stop answering early.
  //
  // First, the cached summaries of these terms that are current (no change
  // since they were built), for the commit to patch rather than leave the
  // next search to rebuild. Not in a session: its batches may flush the same
  // terms again at the same version.
  absl::flat_hash_map<const std::string*, std::shared_ptr<const TermBlocks>> current;
  if (!ctx.in_session() && delta.postings_.size() <= kMaxPatchedTerms) {
    for (const auto& [term, changes] : delta.postings_) {
      const TermBlockCache::Entry cached = block_summaries_.Peek(term);
      if (cached.blocks && term_changes_.ChangedAt(term) <= cached.built_at) {
        current.emplace(&term, cached.blocks);
      }
    }
  }
  if (!delta.postings_.empty()) {
    std::vector<std::string_view> changed;
    changed.reserve(delta.postings_.size());
    for (const auto& [term, changes] : delta.postings_) changed.push_back(term);
    term_changes_.Note(changed, ctx.version());
  }
  // In key order: the memtable inserts then walk forward instead of
  // searching the skip list from the top for every key.
  std::vector<std::pair<const std::string*, TextIndexDelta::TermChanges*>> terms;
  terms.reserve(delta.postings_.size());
  for (auto& [term, changes] : delta.postings_) terms.emplace_back(&term, &changes);
  std::sort(terms.begin(), terms.end(),
            [](const auto& a, const auto& b) { return TermKeyLess(*a.first, *b.first); });
  // Read directly, below: a session's earlier batches must be in first.
  RETURN_IF_ERROR(ctx.AwaitEarlierBatches());
  // One iterator for the whole flush, not one per term. Nothing else writes
  // index keys while a flush runs (commits hold the commit lock, and in a
  // bulk import its worker is their only writer), so it sees what per-term
  // ones would.
  auto postings = db_->NewIterator(Cf::kTextPostings);
  TextIndexCounts own_counts;
  TextIndexCounts& into = counts ? *counts : own_counts;
  std::vector<WrittenBlock> written;
  for (auto& [term, changes] : terms) {
    written.clear();
    auto base = current.find(term);
    auto [docs, new_term] = into.term_docs_.try_emplace(*term);
    const size_t sets_before = docs->second.size();
    RETURN_IF_ERROR(FlushTerm(ctx, postings.get(), *term, *changes, &docs->second,
                              base != current.end() ? &written : nullptr));
    into.approx_bytes_ += (docs->second.size() - sets_before) * kCountBytes +
                          (new_term ? kCountedTermBytes + term->size() : 0);
    if (base != current.end()) {
      std::shared_ptr<const TermBlocks> patched =
          PatchTermBlocks(*base->second, written, ctx.version());
      ctx.OnCommitted([this, term = *term, patched = std::move(patched), v = ctx.version()] {
        // Hooks must not fail: without the entry, the next search rebuilds it.
        try {
          block_summaries_.Insert(term, {v, patched});
        } catch (...) {
        }
      });
    }
  }
  for (const auto& [set, change] : delta.totals_) {
    auto [total, new_set] = into.totals_.try_emplace(set);
    total->second.docs += change.docs;
    total->second.length += change.length;
    if (new_set) into.approx_bytes_ += kCountBytes;
  }
  // A node relabelled twice in one delta gets one log key, in key order.
  std::sort(delta.relabelled_.begin(), delta.relabelled_.end());
  delta.relabelled_.erase(std::unique(delta.relabelled_.begin(), delta.relabelled_.end()),
                          delta.relabelled_.end());
  for (uint64_t iid : delta.relabelled_) {
    ctx.PutUnindexed(Cf::kBoundaryLog, keys::EncodeBoundaryLogKey({ctx.version(), iid}), "");
  }
  delta = TextIndexDelta();
  if (!counts || counts->approx_bytes_ > counts->max_bytes_) return FlushCounts(ctx, into);
  return absl::OkStatus();
}

absl::Status TextIndex::FlushCounts(CommitContext& ctx, TextIndexCounts& counts) const {
  // Read directly, below: a session's earlier batches must be in first.
  RETURN_IF_ERROR(ctx.AwaitEarlierBatches());
  auto it = db_->NewIterator(Cf::kTextStats);
  std::vector<std::pair<const std::string*, const absl::flat_hash_map<uint64_t, int64_t>*>> terms;
  terms.reserve(counts.term_docs_.size());
  for (const auto& [term, docs] : counts.term_docs_) terms.emplace_back(&term, &docs);
  std::sort(terms.begin(), terms.end(),
            [](const auto& a, const auto& b) { return TermKeyLess(*a.first, *b.first); });
  for (const auto& [term, docs] : terms) RETURN_IF_ERROR(FlushDocs(ctx, it.get(), *term, *docs));
  std::vector<std::pair<uint64_t, SetTotalsChange>> totals_by_set(counts.totals_.begin(),
                                                                  counts.totals_.end());
  std::sort(totals_by_set.begin(), totals_by_set.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });  // key order
  for (const auto& [set, totals] : totals_by_set) {
    if (totals.docs == 0 && totals.length == 0) continue;
    const std::string key = keys::EncodeSetTotalsKey({set, ctx.version()});
    const std::string prefix = EntityPrefix(key);
    it->Seek(prefix);
    uint64_t docs = 0, length = 0;
    if (it->Valid() && StartsWith(it->key(), prefix)) {
      ASSIGN_OR_RETURN(docs, keys::ReadU64(View(it->value()), 0));
      ASSIGN_OR_RETURN(length, keys::ReadU64(View(it->value()), 8));
    }
    RETURN_IF_ERROR(FromRocks(it->status()));
    ASSIGN_OR_RETURN(docs, AddCounter(docs, totals.docs, "node count"));
    ASSIGN_OR_RETURN(length, AddCounter(length, totals.length, "total length"));
    std::string value = keys::EncodeU64(docs);
    keys::AppendU64(&value, length);
    ctx.PutUnindexed(Cf::kTextStats, key, value);
  }
  counts.term_docs_.clear();
  counts.totals_.clear();
  counts.approx_bytes_ = 0;
  return absl::OkStatus();
}

absl::Status TextIndex::FlushDocs(CommitContext& ctx, rocksdb::Iterator* it,
                                  const std::string& term,
                                  const absl::flat_hash_map<uint64_t, int64_t>& docs_delta) const {
  std::vector<std::pair<uint64_t, int64_t>> sorted(docs_delta.begin(), docs_delta.end());
  std::sort(sorted.begin(), sorted.end());  // key order, for the memtable
  for (const auto& [set, d] : sorted) {
    if (d == 0) continue;
    const std::string key = keys::EncodeTermSetDocsKey({term, set, ctx.version()});
    ASSIGN_OR_RETURN(const uint64_t base, NewestCounter(it, EntityPrefix(key)));
    ASSIGN_OR_RETURN(const uint64_t docs, AddCounter(base, d, "term count"));
    ctx.PutUnindexed(Cf::kTextStats, key, keys::EncodeU64(docs));
  }
  return absl::OkStatus();
}

absl::Status TextIndex::FlushTerm(CommitContext& ctx, rocksdb::Iterator* it,
                                  const std::string& term,
                                  TextIndexDelta::TermChanges& term_changes,
                                  absl::flat_hash_map<uint64_t, int64_t>* docs_delta,
                                  std::vector<WrittenBlock>* written) const {
  auto& changes = term_changes.changes;
  if (changes.empty()) return absl::OkStatus();
  // One change per iid, the last one written. A load notes new nodes in
  // iid order: then there is nothing to sort.
  auto by_iid = [](const auto& a, const auto& b) { return a.first < b.first; };
  if (!std::is_sorted(changes.begin(), changes.end(), by_iid)) {
    std::stable_sort(changes.begin(), changes.end(), by_iid);
  }
  size_t kept = 0;
  for (size_t i = 0; i < changes.size(); ++i) {
    if (i + 1 < changes.size() && changes[i + 1].first == changes[i].first) continue;
    changes[kept++] = std::move(changes[i]);
  }
  changes.resize(kept);

  const std::string prefix = keys::PostingTermPrefix(term);
  std::vector<Posting> postings;
  size_t i = 0;
  while (i < changes.size()) {
    const uint64_t iid = changes[i].first;
    // The block covering iid: the greatest first_iid <= iid. Version 0 sorts
    // last among a block's keys, so SeekForPrev lands on that block.
    std::optional<uint64_t> block_first;
    postings.clear();
    it->SeekForPrev(keys::EncodePostingBlockKey({term, iid, 0}));
    if (it->Valid() && StartsWith(it->key(), prefix)) {
      ASSIGN_OR_RETURN(keys::PostingBlockKey k, keys::DecodePostingBlockKey(View(it->key())));
      block_first = k.first_iid;
      // Its newest version: the first key of the block.
      it->Seek(keys::EncodePostingBlockKey({term, k.first_iid, keys::kMaxVersion}));
      if (!it->Valid()) {
        RETURN_IF_ERROR(FromRocks(it->status()));
        return absl::DataLossError(absl::StrCat("text index: block of \"", term, "\" vanished"));
      }
      RETURN_IF_ERROR(DecodePostingBlock(k.first_iid, View(it->value()), &postings));
    }
    RETURN_IF_ERROR(FromRocks(it->status()));
    const uint64_t start = block_first.value_or(iid);
    // Where the next block starts, which bounds this one.
    uint64_t end = kNoIid;
    it->Seek(keys::EncodePostingBlockKey({term, start + 1, keys::kMaxVersion}));
    if (it->Valid() && StartsWith(it->key(), prefix)) {
      ASSIGN_OR_RETURN(keys::PostingBlockKey k, keys::DecodePostingBlockKey(View(it->key())));
      end = k.first_iid;
    }
    RETURN_IF_ERROR(FromRocks(it->status()));
    size_t j = i;
    while (j < changes.size() && changes[j].first < end) ++j;
    std::vector<Posting> merged = Merge(postings, changes.data() + i, j - i, docs_delta);
    i = j;
    if (!block_first && merged.empty()) continue;  // removals of postings never written
    // A block that grew past twice its target is cut into target-size
    // blocks; the first keeps the key, so the partition of iids holds.
    const size_t chunk = merged.size() > 2 * kBlockPostings ? kBlockPostings : merged.size();
    size_t from = 0;
    do {
      const size_t to = std::min(merged.size(), from + std::max<size_t>(chunk, 1));
      const uint64_t key_iid = from == 0 ? start : merged[from].iid;
      std::vector<Posting> part(merged.begin() + static_cast<ptrdiff_t>(from),
                                merged.begin() + static_cast<ptrdiff_t>(to));
      ctx.PutUnindexed(Cf::kTextPostings,
                       keys::EncodePostingBlockKey({term, key_iid, ctx.version()}),
                       EncodePostingBlock(key_iid, part));
      if (written) written->push_back({key_iid, PostingFrontier(part)});
      from = to;
    } while (from < merged.size());
  }
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> TextIndex::TermDocs(std::string_view term, uint64_t version,
                                             const SetSelection& sets) const {
  uint64_t total = 0;
  RETURN_IF_ERROR(ForEachSelectedSet(
      keys::TermSetDocsPrefix(term), version, sets, [&](std::string_view value) -> absl::Status {
        ASSIGN_OR_RETURN(const uint64_t docs, keys::ReadU64(value, 0));
        total += docs;
        return absl::OkStatus();
      }));
  return total;
}

absl::StatusOr<CorpusTotals> TextIndex::Totals(uint64_t version, const SetSelection& sets) const {
  CorpusTotals totals;
  RETURN_IF_ERROR(ForEachSelectedSet(
      keys::SetTotalsPrefix(), version, sets, [&](std::string_view value) -> absl::Status {
        ASSIGN_OR_RETURN(const uint64_t docs, keys::ReadU64(value, 0));
        ASSIGN_OR_RETURN(const uint64_t length, keys::ReadU64(value, 8));
        totals.docs += docs;
        totals.length += length;
        return absl::OkStatus();
      }));
  return totals;
}

absl::Status TextIndex::ForEachSelectedSet(
    std::string_view prefix, uint64_t version, const SetSelection& sets,
    absl::FunctionRef<absl::Status(std::string_view value)> take) const {
  // Keys are prefix | set u64 | ~version u64.
  auto key_of = [&](uint64_t set, uint64_t v) {
    std::string key(prefix);
    keys::AppendU64(&key, set);
    keys::AppendU64(&key, ~v);
    return key;
  };
  auto it = db_->NewIterator(Cf::kTextStats);
  auto set_at = [&]() -> absl::StatusOr<std::pair<uint64_t, uint64_t>> {
    const std::string_view key = View(it->key());
    if (key.size() != prefix.size() + 16) {
      return absl::DataLossError("text stats key: unexpected length");
    }
    ASSIGN_OR_RETURN(const uint64_t set, keys::ReadU64(key, prefix.size()));
    ASSIGN_OR_RETURN(const uint64_t inverted, keys::ReadU64(key, prefix.size() + 8));
    return std::pair{set, ~inverted};
  };
  const std::vector<uint64_t> all = {kAllSets};
  const std::vector<uint64_t>& ids = sets.all ? all : sets.ids;
  if (ids.empty()) return absl::OkStatus();
  // A zig-zag join of the selected ids with the sets present: a step
  // forward when the next wanted key is near, a seek when it is not.
  size_t next = 0;
  it->Seek(key_of(ids[0], version));
  while (it->Valid() && StartsWith(it->key(), prefix)) {
    ASSIGN_OR_RETURN(auto at, set_at());
    const auto [set, v] = at;
    while (next < ids.size() && ids[next] < set) ++next;
    if (next == ids.size()) break;
    if (ids[next] != set) {
      it->Seek(key_of(ids[next], version));
      continue;
    }
    if (v > version) {
      it->Seek(key_of(set, version));
      continue;
    }
    RETURN_IF_ERROR(take(View(it->value())));
    if (++next == ids.size()) break;
    int steps = 0;
    for (it->Next(); it->Valid() && StartsWith(it->key(), prefix) && steps < 4; it->Next()) {
      ASSIGN_OR_RETURN(auto step, set_at());
      if (step.first >= ids[next]) break;
      ++steps;
    }
    if (steps == 4) it->Seek(key_of(ids[next], version));
  }
  return FromRocks(it->status());
}

absl::Status TextIndex::ForEachRelabelled(uint64_t after, uint64_t upto,
                                          absl::FunctionRef<void(uint64_t iid)> visit) const {
  if (after >= upto) return absl::OkStatus();
  auto it = db_->NewIterator(Cf::kBoundaryLog);
  for (it->Seek(keys::EncodeU64(after + 1)); it->Valid(); it->Next()) {
    ASSIGN_OR_RETURN(keys::BoundaryLogKey k, keys::DecodeBoundaryLogKey(View(it->key())));
    if (k.version > upto) break;
    visit(k.iid);
  }
  return FromRocks(it->status());
}

TextIndex::CacheLookup TextIndex::LookUp(TermBlockCache& cache, std::string_view key,
                                         std::string_view term, uint64_t version) const {
  CacheLookup out;
  // Read after the caller's version: every commit at or below it noted
  // its terms before it became visible.
  if (term_changes_.ChangedAt(term) > version) return out;
  // A version not committed yet (a bulk session's, mid-import) may still
  // change: never summarized.
  if (version > db_->LatestVersion()) return out;
  out.entry = cache.Find(key);
  // And again after the lookup: an entry built at B > version was built
  // after every commit at or below B had noted its terms, and inserted
  // before this lookup found it, so a commit between version and B that
  // changed the term shows here.
  const uint64_t changed = term_changes_.ChangedAt(term);
  out.may_answer = changed <= version;
  out.answers = out.entry.blocks && changed <= std::min(out.entry.built_at, version);
  return out;
}

absl::StatusOr<std::shared_ptr<const TermBlocks>> TextIndex::BlockSummary(std::string_view term,
                                                                          uint64_t version) const {
  const CacheLookup cached = LookUp(block_summaries_, term, term, version);
  if (cached.answers) return cached.entry.blocks;
  if (!cached.may_answer) return nullptr;
  block_summary_builds_.fetch_add(1, std::memory_order_relaxed);
  auto summary = std::make_shared<TermBlocks>();
  ASSIGN_OR_RETURN(BlockCursor cursor, OpenTerm(term, version));
  while (cursor.valid()) {
    const auto& frontier = cursor.header().frontier;
    const auto begin = static_cast<uint32_t>(summary->frontier.size());
    summary->frontier.insert(summary->frontier.end(), frontier.begin(), frontier.end());
    summary->blocks.push_back({cursor.first_iid(), begin,
                               static_cast<uint32_t>(summary->frontier.size()),
                               cursor.block_version()});
    RETURN_IF_ERROR(cursor.Next());
  }
  summary->blocks.shrink_to_fit();
  summary->frontier.shrink_to_fit();
  block_summaries_.Insert(term, {version, summary});
  return summary;
}

absl::StatusOr<std::shared_ptr<const TermBlocks>> TextIndex::ViewBlockSummary(
    std::string_view term, std::string_view view, uint64_t version) const {
  const std::string key = ViewKey(view, term);
  const CacheLookup lookup = LookUp(view_summaries_, key, term, version);
  if (lookup.answers) return lookup.entry.blocks;
  if (!lookup.may_answer) return nullptr;
  const TermBlockCache::Entry& cached = lookup.entry;
  ASSIGN_OR_RETURN(std::shared_ptr<const TermBlocks> current, BlockSummary(term, version));
  // A refinement from before the term's last change (made at or below
  // `version`): its blocks not written since still hold.
  if (!current || !cached.blocks || cached.built_at > version) return current;
  std::shared_ptr<const TermBlocks> rebased =
      RebaseTermBlocks(*current, *cached.blocks, cached.built_at);
  if (std::find(rebased->view_only.begin(), rebased->view_only.end(), 1) ==
      rebased->view_only.end()) {
    return current;
  }
  view_summaries_.Insert(key, {version, rebased});
  return rebased;
}

void TextIndex::StoreViewBlockSummary(std::string_view term, std::string_view view,
                                      uint64_t version,
                                      std::shared_ptr<const TermBlocks> summary) const {
  // Postings changed since: it could never answer.
  if (term_changes_.ChangedAt(term) > version) return;
  view_summaries_.Insert(ViewKey(view, term), {version, std::move(summary)});
}

// --- BlockCursor ---

absl::StatusOr<TextIndex::BlockCursor> TextIndex::OpenTerm(std::string_view term,
                                                           uint64_t version) const {
  BlockCursor cursor(db_->NewIterator(Cf::kTextPostings), std::string(term), version);
  cursor.it_->Seek(cursor.prefix_);
  RETURN_IF_ERROR(cursor.Load());
  return cursor;
}

TextIndex::BlockCursor::BlockCursor(std::unique_ptr<rocksdb::Iterator> it, std::string term,
                                    uint64_t version)
    : it_(std::move(it)),
      prefix_(keys::PostingTermPrefix(term)),
      term_(std::move(term)),
      version_(version) {}

absl::StatusOr<TextIndex::BlockCursor::BlockKey> TextIndex::BlockCursor::KeyHere() const {
  // The key is prefix_ | first_iid | ~version; read it without copying the term.
  const std::string_view key = View(it_->key());
  if (key.size() != prefix_.size() + 16) return absl::DataLossError("posting key: bad length");
  BlockKey k;
  ASSIGN_OR_RETURN(k.first_iid, keys::ReadU64(key, prefix_.size()));
  ASSIGN_OR_RETURN(const uint64_t inverted, keys::ReadU64(key, prefix_.size() + 8));
  k.version = ~inverted;
  return k;
}

absl::StatusOr<std::optional<TextIndex::BlockCursor::BlockKey>>
TextIndex::BlockCursor::SeekVisible() {
  while (it_->Valid() && StartsWith(it_->key(), prefix_)) {
    ASSIGN_OR_RETURN(const BlockKey k, KeyHere());
    if (k.version <= version_) return k;
    it_->Seek(keys::EncodePostingBlockKey({term_, k.first_iid, version_}));
  }
  RETURN_IF_ERROR(FromRocks(it_->status()));
  return std::nullopt;
}

absl::Status TextIndex::BlockCursor::StepPast(uint64_t first_iid) {
  // Older versions of the block may follow: step over one, seek past more.
  it_->Next();
  if (!it_->Valid() || !StartsWith(it_->key(), prefix_)) return absl::OkStatus();
  ASSIGN_OR_RETURN(const BlockKey next, KeyHere());
  if (next.first_iid == first_iid) {
    it_->Seek(keys::EncodePostingBlockKey({term_, first_iid + 1, keys::kMaxVersion}));
  }
  return absl::OkStatus();
}

absl::Status TextIndex::BlockCursor::Load() {
  valid_ = false;
  at_block_ = false;
  while (true) {
    ASSIGN_OR_RETURN(const std::optional<BlockKey> k, SeekVisible());
    if (!k) return absl::OkStatus();
    ASSIGN_OR_RETURN(header_, DecodePostingBlockHeader(View(it_->value())));
    if (header_.count > 0) {
      // The iterator stays on the block: its value is read in place until
      // the cursor needs the next block's key.
      valid_ = true;
      at_block_ = true;
      first_iid_ = k->first_iid;
      block_version_ = k->version;
      decoded_ = false;
      return absl::OkStatus();
    }
    RETURN_IF_ERROR(StepPast(k->first_iid));
  }
}

absl::Status TextIndex::BlockCursor::LeaveBlock() {
  if (!at_block_) return absl::OkStatus();
  // Postings not decoded yet may still be asked for: keep their bytes.
  if (!decoded_) bytes_.assign(it_->value().data(), it_->value().size());
  at_block_ = false;
  RETURN_IF_ERROR(StepPast(first_iid_));
  // The next block that exists at version_, empty or not, ends this one.
  ASSIGN_OR_RETURN(const std::optional<BlockKey> k, SeekVisible());
  end_iid_ = k ? k->first_iid : kNoIid;
  return absl::OkStatus();
}

absl::StatusOr<const std::vector<Posting>*> TextIndex::BlockCursor::Postings() {
  if (!decoded_) {
    const std::string_view bytes = at_block_ ? View(it_->value()) : std::string_view(bytes_);
    RETURN_IF_ERROR(DecodePostingBlock(first_iid_, bytes, &postings_));
    decoded_ = true;
  }
  return &postings_;
}

absl::StatusOr<uint64_t> TextIndex::BlockCursor::EndIid() {
  if (!valid_) return kNoIid;
  RETURN_IF_ERROR(LeaveBlock());
  return end_iid_;
}

absl::Status TextIndex::BlockCursor::Next() {
  if (!valid_) return absl::OkStatus();
  if (at_block_) {
    // Leaving for good: nothing to keep, and Load finds the next block.
    at_block_ = false;
    RETURN_IF_ERROR(StepPast(first_iid_));
  }
  return Load();
}

absl::Status TextIndex::BlockCursor::JumpTo(uint64_t first_iid) {
  it_->Seek(keys::EncodePostingBlockKey({term_, first_iid, version_}));
  RETURN_IF_ERROR(Load());
  if (!valid_ || first_iid_ != first_iid) {
    return absl::InternalError(absl::StrCat("keyword index: no posting block starts at ", first_iid,
                                            " as of version ", version_));
  }
  return absl::OkStatus();
}

absl::Status TextIndex::BlockCursor::SeekBlock(uint64_t iid) {
  while (valid_) {
    ASSIGN_OR_RETURN(const uint64_t end, EndIid());
    if (end > iid) break;
    RETURN_IF_ERROR(Next());
  }
  return absl::OkStatus();
}

}  // namespace ctxgraph
