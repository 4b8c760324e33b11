#include "tools/bench/latency_samples.h"

#include <algorithm>
#include <cmath>

namespace ctxgraph::bench {

void LatencySamples::Merge(const LatencySamples& other) {
  nanos_.insert(nanos_.end(), other.nanos_.begin(), other.nanos_.end());
}

void LatencySamples::Finish() { std::sort(nanos_.begin(), nanos_.end()); }

double LatencySamples::PercentileMillis(double p) const {
  if (nanos_.empty()) return 0;
  // Nearest rank: the smallest sample with at least p% of samples <= it.
  size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(nanos_.size())));
  rank = std::clamp<size_t>(rank, 1, nanos_.size());
  return static_cast<double>(nanos_[rank - 1]) / 1e6;
}

}  // namespace ctxgraph::bench
