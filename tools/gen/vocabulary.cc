#include "tools/gen/vocabulary.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string_view>
#include <unordered_set>

#include "tools/gen/names.h"

namespace ctxgraph::gen {
namespace {

// No 'z' and no 'y' anywhere: tail words start with "zy", so they can never
// equal a main word.
constexpr std::array<std::string_view, 24> kOnsets = {
    "b", "d",  "f",  "g",  "k",  "l",  "m",  "n",  "p",  "r",  "s",  "t",
    "v", "br", "dr", "st", "tr", "pl", "gr", "sh", "ch", "th", "kr", "fl"};
constexpr std::array<std::string_view, 8> kVowels = {"a", "e", "i", "o", "u", "ai", "ou", "ea"};
constexpr std::array<std::string_view, 9> kCodas = {"", "", "", "n", "r", "s", "l", "m", "k"};

// Tail syllables are onset + vowel. Every syllable starts with a consonant
// and has one vowel run, so a concatenation splits back uniquely: tail
// spellings are distinct for distinct indices.
constexpr uint32_t kTailBase = kOnsets.size() * kVowels.size();  // 192
constexpr uint32_t kTailMax = kTailBase * kTailBase * kTailBase;
constexpr uint64_t kTailMultiplier = 1000003;

constexpr uint64_t kVocabularySeed = 0x63747867766f6361ULL;  // fixed: "ctxgvoca"
constexpr uint32_t kGuideBuckets = 4096;

std::unordered_set<std::string> ReservedWords() {
  std::unordered_set<std::string> reserved;
  auto add_words = [&](std::string_view text) {
    std::string word;
    for (char c : text) {
      if (c == ' ') {
        if (!word.empty()) reserved.insert(word);
        word.clear();
      } else {
        word.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
      }
    }
    if (!word.empty()) reserved.insert(word);
  };
  for (auto name : kFirstNames) add_words(name);
  for (auto name : kLastNames) add_words(name);
  for (auto title : kJobTitles) add_words(title);
  for (auto tag : kTags) add_words(tag);
  return reserved;
}

std::string MakeMainWord(uint32_t rank, Xoshiro256& rng) {
  // Frequent words are short, as in natural language.
  uint32_t syllables = 2;
  if (rank < 150) {
    syllables = 1;
  } else if (rank >= 3000) {
    const uint64_t roll = rng.Uniform(10);
    syllables = roll < 6 ? 2 : (roll < 9 ? 3 : 4);
  }
  std::string word;
  for (uint32_t i = 0; i < syllables; ++i) {
    word += kOnsets[rng.Uniform(kOnsets.size())];
    word += kVowels[rng.Uniform(kVowels.size())];
    word += kCodas[rng.Uniform(kCodas.size())];
  }
  return word;
}

}  // namespace

Vocabulary::Vocabulary(uint32_t tail_size)
    : tail_size_(std::clamp<uint32_t>(tail_size, 1, kTailMax)) {
  const std::unordered_set<std::string> reserved = ReservedWords();
  std::unordered_set<std::string> seen;
  Xoshiro256 rng(kVocabularySeed);
  words_.reserve(kMainWords);
  while (words_.size() < kMainWords) {
    const auto rank = static_cast<uint32_t>(words_.size());
    std::string word = MakeMainWord(rank, rng);
    if (reserved.count(word) != 0 || !seen.insert(word).second) continue;
    if (rank >= 1000 && rng.ChancePercent(1)) {
      const size_t e = word.find('e');
      if (e != std::string::npos) {
        std::string accented = word;
        accented.replace(e, 1, "\xc3\xa9");  // U+00E9, "é"
        if (!seen.insert(accented).second) continue;
        word = std::move(accented);
      }
    }
    words_.push_back(std::move(word));
  }

  // Zipf weights 2^32 / (rank + 1): exact integers, so sampling is portable.
  cumulative_.resize(kMainWords);
  uint64_t total = 0;
  for (uint32_t r = 0; r < kMainWords; ++r) {
    total += (uint64_t{1} << 32) / (r + 1);
    cumulative_[r] = total;
  }
  guide_step_ = total / kGuideBuckets + 1;
  guide_.resize(kGuideBuckets + 1);
  uint32_t r = 0;
  for (uint32_t k = 0; k <= kGuideBuckets; ++k) {
    const uint64_t threshold = k * guide_step_;
    while (r < kMainWords - 1 && cumulative_[r] <= threshold) ++r;
    guide_[k] = r;
  }
}

uint32_t Vocabulary::SampleMain(Xoshiro256& rng) const {
  const uint64_t u = rng.Uniform(cumulative_.back());
  const uint64_t bucket = u / guide_step_;
  const uint32_t lo = guide_[bucket];
  const uint32_t hi = std::min<uint32_t>(guide_[bucket + 1] + 1, kMainWords);
  // First rank whose cumulative weight exceeds u.
  return static_cast<uint32_t>(
      std::upper_bound(cumulative_.begin() + lo, cumulative_.begin() + hi, u) -
      cumulative_.begin());
}

uint32_t Vocabulary::Sample(Xoshiro256& rng) const {
  if (rng.Uniform(1000000) < kTailPpm) {
    return kMainWords + static_cast<uint32_t>(rng.Uniform(tail_size_));
  }
  return SampleMain(rng);
}

void Vocabulary::AppendWord(uint32_t id, std::string* out) const {
  if (id < kMainWords) {
    out->append(words_[id]);
    return;
  }
  // A bijection on [0, kTailMax) (the multiplier is prime to 2 and 3), so
  // consecutive tail indices do not all end in the same syllables.
  auto index =
      static_cast<uint32_t>((uint64_t{id - kMainWords} * kTailMultiplier + 12345) % kTailMax);
  out->append("zy");
  for (int i = 0; i < 3; ++i) {
    const uint32_t syllable = index % kTailBase;
    index /= kTailBase;
    out->append(kOnsets[syllable / kVowels.size()]);
    out->append(kVowels[syllable % kVowels.size()]);
  }
}

std::string Vocabulary::Word(uint32_t id) const {
  std::string word;
  AppendWord(id, &word);
  return word;
}

bool Vocabulary::IsAscii(uint32_t id) const {
  if (id >= kMainWords) return true;
  for (char c : words_[id]) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

}  // namespace ctxgraph::gen
