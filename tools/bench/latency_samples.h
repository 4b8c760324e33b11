// Latency samples of one benchmark run and the percentiles over them.
//
// Every latency is kept (8 bytes each): at the throughputs measured here
// (at most a few million operations per run) that is cheaper and more exact
// than bucketing, and percentiles come from the sorted samples.
#ifndef CTXGRAPH_TOOLS_BENCH_LATENCY_SAMPLES_H_
#define CTXGRAPH_TOOLS_BENCH_LATENCY_SAMPLES_H_

#include <cstddef>
#include <cstdint>
#include <vector>

namespace ctxgraph::bench {

// Not thread-safe: each client thread fills its own, then they are merged.
class LatencySamples {
 public:
  void Reserve(size_t n) { nanos_.reserve(n); }
  void Add(int64_t nanos) { nanos_.push_back(nanos); }

  // Appends every sample of `other` (which stays unchanged).
  void Merge(const LatencySamples& other);

  size_t count() const { return nanos_.size(); }

  // Sorts the samples; call once after the last Add/Merge and before
  // PercentileMillis.
  void Finish();

  // The nearest-rank `p`-th percentile (0 < p <= 100) in milliseconds, or 0
  // when there are no samples. Requires Finish().
  double PercentileMillis(double p) const;

 private:
  std::vector<int64_t> nanos_;
};

}  // namespace ctxgraph::bench

#endif  // CTXGRAPH_TOOLS_BENCH_LATENCY_SAMPLES_H_
