// Summary statistics for latency samples: mean and percentiles (nearest-rank on sorted data).
#pragma once

#include <vector>

namespace glet {

struct LatencySummary {
  int count = 0;
  double mean = 0;
  double p50 = 0;
  double p95 = 0;
  double p99 = 0;
  double max = 0;
};

// Nearest-rank percentile q in [0,100] of `sorted` (ascending). 0 for an empty vector.
double PercentileOfSorted(const std::vector<double>& sorted, double q);
// Summarises `samples` (any order).
LatencySummary Summarize(std::vector<double> samples);

}  // namespace glet
