// LatencyHistogram: latency percentiles in constant memory, for simulations too long to keep
// one record per request. Log-linear buckets (as HdrHistogram) over microseconds: values below
// 512 us fall in 1-us buckets; above, each power of two is cut into 256 buckets, so a bucket is
// at most 1/256 of its values wide and a percentile read at the bucket's midpoint is within
// 0.2% (+ 1 us below 0.5 ms) of the exact nearest-rank value, and never above the exact maximum.
// Memory grows with log(max latency), never with the count: ~26 KiB for latencies up to 1 s.
//
// Percentile(q) follows core/stats.h's nearest-rank rule (rank = ceil(q/100 * count)); mean
// and max are exact.
//
// Thread safety: none (a value type).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace glet::sim {

class LatencyHistogram {
 public:
  void Add(int64_t latency_ns);
  int64_t count() const { return count_; }
  double mean_ms() const;
  double max_ms() const { return static_cast<double>(max_ns_) / 1e6; }
  // Nearest-rank percentile in ms, q in [0, 100]; 0 when empty.
  double PercentileMs(double q) const;
  // Largest relative error of PercentileMs() against the exact value.
  static constexpr double kRelativeError = 1.0 / 512;

 private:
  static constexpr int kSubBits = 9;
  static size_t IndexOf(uint64_t us);
  static double MidpointUs(size_t index);

  std::vector<int64_t> buckets_;  // grown on demand
  int64_t count_ = 0;
  double sum_ns_ = 0;
  int64_t max_ns_ = 0;
};

}  // namespace glet::sim
