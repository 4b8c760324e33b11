// Portable pseudo-random numbers for ctxgraph-gen.
//
// Everything the generator draws goes through this header so that one seed
// yields byte-identical output with any compiler and standard library: the
// engines are fully specified (SplitMix64, xoshiro256**) and every sampler
// uses integer arithmetic only. Never use std::*_distribution here; their
// algorithms are implementation-defined.
//
// Thread-compatible: an Xoshiro256 instance must not be shared across threads
// without external locking. The free functions are pure.
#ifndef CTXGRAPH_TOOLS_GEN_PRNG_H_
#define CTXGRAPH_TOOLS_GEN_PRNG_H_

#include <cstdint>

namespace ctxgraph::gen {

// The SplitMix64 finaliser: a bijective 64-bit mix with good avalanche.
constexpr uint64_t Mix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Keyed-hash domains: one per derived attribute or random stream, so that no
// two draws share a hash input. Never reuse or renumber a value: output
// bytes depend on them.
enum HashDomain : uint64_t {
  kDomainPartition = 1,  // message/decision -> conversation/thread split
  kDomainTime = 2,       // created_at jitter
  kDomainTeam = 3,       // team of a document, conversation or thread
  kDomainParticipantCount = 4,
  kDomainParticipant = 5,
  kDomainAuthor = 6,
  kDomainConversationSystem = 7,  // slack or email
  kDomainNodeStream = 8,          // a node's own random stream (props, boundary)
  kDomainEdgeStream = 9,          // a node's out-edges
  kDomainQueries = 10,            // queries.json sampling
};

// A keyed hash of up to four words. Used for attributes that other records
// must be able to recompute (a node's time, team, participants) without
// replaying a random stream.
constexpr uint64_t KeyedHash(uint64_t seed, uint64_t a, uint64_t b = 0, uint64_t c = 0) {
  uint64_t h = Mix64(seed ^ 0x6a09e667f3bcc909ULL);
  h = Mix64(h ^ a);
  h = Mix64(h ^ (b + 0x3c6ef372fe94f82bULL));
  return Mix64(h ^ (c + 0xa54ff53a5f1d36f1ULL));
}

// Returns a value in [0, n) from the 64-bit hash `h` (n > 0). The bias is at
// most n / 2^64, irrelevant for the ranges used here; use Xoshiro256::Uniform
// where exact uniformity matters.
constexpr uint64_t HashToRange(uint64_t h, uint64_t n) { return h % n; }

// xoshiro256** 1.0 (Blackman and Vigna), seeded through SplitMix64 as its
// authors recommend.
class Xoshiro256 {
 public:
  explicit Xoshiro256(uint64_t seed) {
    uint64_t x = seed;
    for (uint64_t& word : s_) {
      x += 0x9e3779b97f4a7c15ULL;
      uint64_t z = x;
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
      word = z ^ (z >> 31);
    }
  }

  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }

  // Exactly uniform in [0, n); n == 0 returns 0. Rejection sampling on the
  // top of the 64-bit range, so the result is the same on every platform.
  uint64_t Uniform(uint64_t n) {
    if (n <= 1) return 0;
    const uint64_t threshold = (0 - n) % n;  // 2^64 mod n
    for (;;) {
      const uint64_t x = Next();
      if (x >= threshold) return x % n;
    }
  }

  // Uniform in the closed range [lo, hi]; requires lo <= hi.
  int64_t Between(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(Uniform(static_cast<uint64_t>(hi - lo) + 1));
  }

  // True with probability ppm / 1,000,000.
  bool ChancePpm(uint64_t ppm) { return Uniform(1000000) < ppm; }

  // True with probability percent / 100.
  bool ChancePercent(uint64_t percent) { return Uniform(100) < percent; }

  // A count with mean mean_milli / 1000: the number of successes in K
  // Bernoulli trials, K growing with the mean, so counts vary like real
  // fan-outs (0 is common for small means) while the mean is exact.
  uint32_t CountWithMeanMilli(uint64_t mean_milli) {
    if (mean_milli == 0) return 0;
    const uint64_t trials = 4 + mean_milli / 500;
    const uint64_t ppm = mean_milli * 1000 / trials;  // < 1e6 since trials > mean
    uint32_t count = 0;
    for (uint64_t i = 0; i < trials; ++i) count += ChancePpm(ppm) ? 1 : 0;
    return count;
  }

 private:
  static constexpr uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

  uint64_t s_[4];
};

}  // namespace ctxgraph::gen

#endif  // CTXGRAPH_TOOLS_GEN_PRNG_H_
