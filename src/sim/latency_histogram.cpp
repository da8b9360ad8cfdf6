#include "sim/latency_histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace glet::sim {

size_t LatencyHistogram::IndexOf(uint64_t us) {
  constexpr uint64_t kLinear = uint64_t{1} << kSubBits;
  if (us < kLinear) {
    return static_cast<size_t>(us);
  }
  const int e = std::bit_width(us) - kSubBits;  // >= 1
  return (static_cast<size_t>(e) << (kSubBits - 1)) + static_cast<size_t>(us >> e);
}

double LatencyHistogram::MidpointUs(size_t index) {
  constexpr size_t kLinear = size_t{1} << kSubBits;
  if (index < kLinear) {
    return static_cast<double>(index) + 0.5;
  }
  constexpr size_t kHalf = kLinear / 2;
  // index = e * kHalf + m with m in [kHalf, kLinear): values m * 2^e .. (m + 1) * 2^e - 1.
  const size_t e = index / kHalf - 1;
  const size_t m = index - e * kHalf;
  const double width = std::ldexp(1.0, static_cast<int>(e));
  return static_cast<double>(m) * width + width / 2;
}

void LatencyHistogram::Add(int64_t latency_ns) {
  const int64_t ns = std::max<int64_t>(0, latency_ns);
  const size_t idx = IndexOf(static_cast<uint64_t>(ns / 1000));
  if (idx >= buckets_.size()) {
    buckets_.resize(idx + 1, 0);
  }
  ++buckets_[idx];
  ++count_;
  sum_ns_ += static_cast<double>(ns);
  max_ns_ = std::max(max_ns_, ns);
}

double LatencyHistogram::mean_ms() const {
  return count_ == 0 ? 0 : sum_ns_ / static_cast<double>(count_) / 1e6;
}

double LatencyHistogram::PercentileMs(double q) const {
  if (count_ == 0) {
    return 0;
  }
  const double rank_d = std::ceil(q / 100.0 * static_cast<double>(count_));
  const int64_t rank = std::clamp<int64_t>(static_cast<int64_t>(rank_d), 1, count_);
  int64_t seen = 0;
  for (size_t i = 0; i < buckets_.size(); ++i) {
    seen += buckets_[i];
    if (seen >= rank) {
      return std::min(MidpointUs(i) / 1000.0, max_ms());
    }
  }
  return max_ms();
}

}  // namespace glet::sim
