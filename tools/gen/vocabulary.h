// A synthetic, Zipf-distributed vocabulary for ctxgraph-gen's text.
//
// Word ids [0, kMainWords) are the main vocabulary: pronounceable lowercase
// syllable combinations, shorter for frequent ranks, drawn with probability
// proportional to 1 / (rank + 1), so a few words are everywhere and most are
// uncommon. Main words contain no 'z' or 'y'.
//
// Word ids [kMainWords, kMainWords + tail_size) are the long tail: words
// spelled "zy" + three syllables encoding the tail index (so they are distinct
// from each other and from every main word by construction). A drawn token is
// a tail word with probability kTailPpm / 1e6, uniformly over the tail; the
// caller sizes the tail so that each tail word occurs about twice in the whole
// corpus. That keeps words that appear 1–5 times at any corpus size, which a
// pure 1/r law over 20k words would not (at 1M nodes its rarest word occurs
// ~190 times).
//
// A small share (~1%) of the less frequent main words carry a non-ASCII
// letter ("é"), so that text exercises UTF-8 handling; IsAscii() tells them
// apart (search-term selection skips them, since tokenisers differ on them).
//
// The word list is fixed (it does not depend on the generator seed) and never
// collides, case-insensitively, with the people names, job titles and tags in
// names.h. Construction costs a few milliseconds. Thread-safe after
// construction (all methods are const).
#ifndef CTXGRAPH_TOOLS_GEN_VOCABULARY_H_
#define CTXGRAPH_TOOLS_GEN_VOCABULARY_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tools/gen/prng.h"

namespace ctxgraph::gen {

class Vocabulary {
 public:
  static constexpr uint32_t kMainWords = 20000;
  static constexpr uint64_t kTailPpm = 1000;  // share of tokens from the tail

  // `tail_size` >= 1 tail words follow the main vocabulary.
  explicit Vocabulary(uint32_t tail_size);

  // Total number of word ids: kMainWords + tail size.
  uint32_t size() const { return kMainWords + tail_size_; }

  // Draws one word id: Zipf over the main words, or uniform over the tail.
  uint32_t Sample(Xoshiro256& rng) const;

  // Appends the spelling of word `id` (< size()) to `out`.
  void AppendWord(uint32_t id, std::string* out) const;
  std::string Word(uint32_t id) const;

  // False for the main words with a non-ASCII letter.
  bool IsAscii(uint32_t id) const;

 private:
  uint32_t SampleMain(Xoshiro256& rng) const;

  uint32_t tail_size_;
  std::vector<std::string> words_;    // main words by rank
  std::vector<uint64_t> cumulative_;  // cumulative_[r] = sum of weights of ranks <= r
  std::vector<uint32_t> guide_;       // guide_[k]: first rank whose cumulative > k * step
  uint64_t guide_step_ = 1;
};

}  // namespace ctxgraph::gen

#endif  // CTXGRAPH_TOOLS_GEN_VOCABULARY_H_
