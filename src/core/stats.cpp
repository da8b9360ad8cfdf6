#include "core/stats.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace glet {

double PercentileOfSorted(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) {
    return 0;
  }
  double rank = std::ceil(q / 100.0 * static_cast<double>(sorted.size()));
  size_t idx = rank <= 1 ? 0 : static_cast<size_t>(rank) - 1;
  return sorted[std::min(idx, sorted.size() - 1)];
}

LatencySummary Summarize(std::vector<double> samples) {
  LatencySummary s;
  if (samples.empty()) {
    return s;
  }
  std::sort(samples.begin(), samples.end());
  s.count = static_cast<int>(samples.size());
  s.mean = std::accumulate(samples.begin(), samples.end(), 0.0) / samples.size();
  s.p50 = PercentileOfSorted(samples, 50);
  s.p95 = PercentileOfSorted(samples, 95);
  s.p99 = PercentileOfSorted(samples, 99);
  s.max = samples.back();
  return s;
}

}  // namespace glet
