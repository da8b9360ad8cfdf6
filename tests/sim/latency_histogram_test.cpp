#include "sim/latency_histogram.h"

#include <gtest/gtest.h>

#include <random>

#include "core/stats.h"

namespace glet::sim {
namespace {

TEST(LatencyHistogramTest, EmptyIsZero) {
  LatencyHistogram h;
  EXPECT_EQ(h.PercentileMs(99), 0);
  EXPECT_EQ(h.mean_ms(), 0);
}

TEST(LatencyHistogramTest, PercentilesWithinTheStatedErrorOfNearestRank) {
  std::mt19937_64 rng(42);
  std::lognormal_distribution<double> dist(3.0, 0.8);  // ms, median ~20
  LatencyHistogram h;
  std::vector<double> exact;
  for (int i = 0; i < 100000; ++i) {
    const double ms = dist(rng);
    const int64_t ns = static_cast<int64_t>(ms * 1e6);
    h.Add(ns);
    exact.push_back(static_cast<double>(ns) / 1e6);
  }
  LatencySummary s = Summarize(exact);
  for (auto [q, want] : {std::pair{50.0, s.p50}, {95.0, s.p95}, {99.0, s.p99}}) {
    EXPECT_NEAR(h.PercentileMs(q), want, want * LatencyHistogram::kRelativeError + 1e-3) << q;
  }
  EXPECT_NEAR(h.mean_ms(), s.mean, 1e-6);
  EXPECT_NEAR(h.max_ms(), s.max, 1e-9);
  EXPECT_EQ(h.count(), 100000);
}

TEST(LatencyHistogramTest, MemoryDoesNotGrowWithCount) {
  LatencyHistogram h;
  for (int i = 0; i < 1000000; ++i) {
    h.Add(50'000'000 + (i % 1000) * 1000);  // 50..51 ms
  }
  EXPECT_EQ(h.count(), 1000000);
  EXPECT_NEAR(h.PercentileMs(50), 50.5, 0.2);
}

}  // namespace
}  // namespace glet::sim
