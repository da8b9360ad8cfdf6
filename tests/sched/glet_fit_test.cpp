#include "sched/glet_fit.h"

#include <gtest/gtest.h>

#include <cmath>

#include "sched/model_table.h"
#include "sched/sched_test_util.h"

namespace glet::sched {
namespace {

using testing::MakeProfile;
using testing::MeanRate;

ModelTable Table(const perf::DeviceProfile& p, const std::string& model, double slo,
                 int max_batch = 8) {
  return ModelTable::Build(ModelDemand{model, 100, slo, max_batch}, p, {20, 50, 100},
                           SafetyMargins{}, true)
      .value();
}

TEST(ModelTableTest, SaturatedBatchIsLargestWithTwiceLatencyWithinSlo) {
  auto p = MakeProfile({{"a"}});
  ModelTable t = Table(p, "a", 20);
  LambdaTable lambda(8, MeanRate());
  // At 100%: E(b) = 2 + b; 2E <= 20 -> b = 8, E = 10, 800 rps.
  SaturatedGlet s100 = t.Saturated(100, 1.0, lambda);
  EXPECT_EQ(s100.batch, 8);
  EXPECT_DOUBLE_EQ(s100.exec_ms, 10);
  EXPECT_DOUBLE_EQ(s100.rate_rps, 800);
  // At 50%: E(b) = 2(2 + b) <= 10 -> b = 3, 300 rps.
  SaturatedGlet s50 = t.Saturated(50, 1.0, lambda);
  EXPECT_EQ(s50.batch, 3);
  EXPECT_DOUBLE_EQ(s50.rate_rps, 300);
  // At 20%: E(1) = 15 > 10: nothing fits.
  EXPECT_EQ(t.Saturated(20, 1.0, lambda).batch, 0);
  // Under a slow-down of 1.25 at 100%: 2 * 1.25 * (2 + b) <= 20 -> b = 6, 1000*6/10 = 600 rps.
  SaturatedGlet slow = t.Saturated(100, 1.25, lambda);
  EXPECT_EQ(slow.batch, 6);
  EXPECT_DOUBLE_EQ(slow.rate_rps, 600);
}

TEST(ModelTableTest, SloBelowFastestLatencyIsInfeasibleAtAnySize) {
  auto p = MakeProfile({{"a"}});
  auto t = ModelTable::Build(ModelDemand{"a", 10, 5, 8}, p, {20, 50, 100}, SafetyMargins{}, true);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(t.status().message().find("model 'a' is infeasible at any size"), std::string::npos)
      << t.status().message();
}

TEST(ModelTableTest, ProfileGapNamesModelPartitionAndBatch) {
  auto p = MakeProfile({{"a"}}, {50, 100}, /*max_batch=*/4);
  auto t = ModelTable::Build(ModelDemand{"a", 10, 50, 8}, p, {50, 100}, SafetyMargins{}, true);
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("model 'a' partition 50 batch 5"), std::string::npos)
      << t.status().message();
  // A partition the profile does not measure for the model is not used; none measured is a gap.
  auto missing = ModelTable::Build(ModelDemand{"a", 10, 50, 4}, p, {40}, SafetyMargins{}, true);
  EXPECT_EQ(missing.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(missing.status().message().find("profile gap: model 'a': the synth profile measures it "
                                            "at none of the allowed partitions 40 (measured: "
                                            "50,100)"),
            std::string::npos)
      << missing.status().message();
  auto some = ModelTable::Build(ModelDemand{"a", 10, 50, 4}, p, {40, 50}, SafetyMargins{}, true);
  ASSERT_TRUE(some.ok()) << some.status().ToString();
  EXPECT_EQ(some->partitions(), std::vector<int>{50});
  EXPECT_FALSE(some->HasPartition(40));
}

TEST(ModelTableTest, MarginsScaleLatency) {
  auto p = MakeProfile({{"a"}});
  SafetyMargins m;
  m.latency_ratio = 1.25;
  ModelTable t = ModelTable::Build(ModelDemand{"a", 10, 20, 8}, p, {100}, m, true).value();
  EXPECT_DOUBLE_EQ(t.EffMs(100, 2), 5.0);
}

TEST(GletFitTest, ResidueTakesTheCycleWithLeastOccupancy) {
  auto p = MakeProfile({{"a"}});
  ModelTable t = Table(p, "a", 20);
  LambdaTable lambda(8, MeanRate());
  // 200 rps at 50%: b=2 (E=8) with D = min(1000*2/200, 20-8) = 10 -> occupancy 0.8;
  // b=3 gives occupancy 1.0 and b=1 cannot keep up (E=6 > D=5).
  auto s = FitGlet({FitMember{&t, 200}}, 50, 1.0, lambda);
  ASSERT_TRUE(s.has_value());
  EXPECT_DOUBLE_EQ(s->duty_ms, 10);
  EXPECT_EQ(s->batches, std::vector<int>{2});
  EXPECT_DOUBLE_EQ(s->occupancy, 0.8);
  // Residue at a rate above the saturated 300 rps does not fit at 50%.
  EXPECT_FALSE(FitGlet({FitMember{&t, 301}}, 50, 1.0, lambda).has_value());
}

TEST(GletFitTest, TwoResiduesShareOneCycle) {
  auto p = MakeProfile({{"a"}, {"b"}});
  ModelTable ta = Table(p, "a", 20);
  ModelTable tb = Table(p, "b", 20);
  LambdaTable lambda(8, MeanRate());
  // 100 rps each at 100%, E(b) = 2 + b. A request may wait a cycle D and then queue behind the
  // other model's batch, so D + E_a + E_b <= 20. b = 1 each (0.1 D <= 1 -> D <= 10; T = 6):
  // D = 10, occupancy 0.6. b = 2 each: T = 8, D <= 12 -> 0.667; b = 1 and 2: T = 7, D <= 10 ->
  // 0.7. (Were the members' batches run in fixed slots, D = 16 with b = 2 would give 0.5.)
  auto s = FitGlet({FitMember{&ta, 100}, FitMember{&tb, 100}}, 100, 1.0, lambda);
  ASSERT_TRUE(s.has_value());
  EXPECT_DOUBLE_EQ(s->duty_ms, 10);
  EXPECT_EQ(s->batches, (std::vector<int>{1, 1}));
  EXPECT_DOUBLE_EQ(s->occupancy, 0.6);
}

TEST(SafetyTest, PoissonQuantileIsExactAtLowMeans) {
  EXPECT_EQ(PoissonQuantile(0, 0.99), 0);
  EXPECT_EQ(PoissonQuantile(1.0, 0.99), 4);   // P[X<=3] = 0.981, P[X<=4] = 0.996
  EXPECT_EQ(PoissonQuantile(0.01, 0.99), 0);  // P[X=0] = 0.990
  EXPECT_EQ(PoissonQuantile(0.02, 0.99), 1);
  // Monotone in the mean, and close to mean + 2.33 sqrt(mean) when large.
  int prev = 0;
  for (double m = 0; m < 2000; m += 7.3) {
    int q = PoissonQuantile(m, 0.99);
    EXPECT_GE(q, prev) << m;
    prev = q;
  }
  EXPECT_NEAR(PoissonQuantile(1000, 0.99), 1000 + 2.326 * std::sqrt(1000.0), 2);
}

TEST(SafetyTest, LambdaTableInvertsTheQuantile) {
  LambdaTable off(4, MeanRate());
  EXPECT_DOUBLE_EQ(off.MaxMean(3, 0), 3);
  EXPECT_DOUBLE_EQ(off.MaxMean(3, 5), 3);
  EXPECT_EQ(off.max_slack(), 0);
  EXPECT_EQ(off.BatchFor(2.5, 0), 3);
  EXPECT_EQ(off.BatchFor(4.5, 0), 0);
  SafetyMargins q = MeanRate();
  q.poisson_quantile = 0.99;
  LambdaTable on(32, q);
  for (int b = 1; b <= 32; ++b) {
    EXPECT_LE(PoissonQuantile(on.MaxMean(b, 0), 0.99), b);
    EXPECT_GT(PoissonQuantile(on.MaxMean(b, 0) * 1.001 + 1e-6, 0.99), b);
  }
  SafetyMargins bad;
  bad.poisson_quantile = 1.5;
  EXPECT_NE(bad.Validate().message().find("poisson_quantile"), std::string::npos);
  bad = SafetyMargins{};
  bad.burst_miss = -0.1;
  EXPECT_NE(bad.Validate().message().find("burst_miss"), std::string::npos);
}

TEST(SafetyTest, SlackCyclesCountsWholeCyclesOfRoom) {
  // slo 100, exec 20, duty 20: the first cycle ends by 40, then 3 more whole cycles fit.
  EXPECT_EQ(SlackCycles(100, 20, 20), 3);
  EXPECT_EQ(SlackCycles(40, 20, 20), 0);
  EXPECT_EQ(SlackCycles(39, 20, 20), -1);
  EXPECT_EQ(SlackCycles(1000, 1, 1), kMaxSlackCycles);
}

// Hand-computed: b = 1, no slack, mean m. The backlog bound is exp(-theta x) with theta the root
// of m (e^theta - 1) = theta; the 0th arrival misses when Q >= 1, the i-th (i >= 1) always.
TEST(SafetyTest, BurstMissBoundMatchesTheFormulaForOneBatch) {
  const double m = 0.5;
  double theta = 0;
  for (double lo = 1e-9, hi = 10; hi - lo > 1e-13;) {
    theta = 0.5 * (lo + hi);
    (m * std::expm1(theta) - theta < 0 ? lo : hi) = theta;
  }
  double p_gt0 = 1 - std::exp(-m);
  double expected = p_gt0 * std::exp(-theta);  // i = 0: P[A > 0] * P[Q >= 1] bound
  // i >= 1: P[A > i] summed = E[A] - P[A > 0].
  expected += m - p_gt0;
  EXPECT_NEAR(BurstMissBound(m, 1, 0), expected / m, 1e-9);
}

TEST(SafetyTest, BurstMissBoundFallsWithSlackAndBatchAndRisesWithLoad) {
  EXPECT_EQ(BurstMissBound(0, 8, 0), 0);
  EXPECT_EQ(BurstMissBound(8, 8, 3), 1);  // at capacity the backlog is unbounded
  for (int b : {1, 4, 16}) {
    double prev_slack = 2;
    for (int k = 0; k <= 4; ++k) {
      double v = BurstMissBound(0.8 * b, b, k);
      EXPECT_LT(v, prev_slack) << "b " << b << " k " << k;
      prev_slack = v;
    }
    EXPECT_LT(BurstMissBound(0.5 * b, b, 1), BurstMissBound(0.7 * b, b, 1));
  }
  EXPECT_LT(BurstMissBound(12, 16, 1), BurstMissBound(6, 8, 1));  // same load, larger batch
}

TEST(SafetyTest, MaxMeanArrivalsInvertsTheBurstBound) {
  SafetyMargins m;  // default: burst_miss 0.005
  ASSERT_GT(m.burst_miss, 0);
  LambdaTable t(16, m);
  EXPECT_EQ(t.max_slack(), kMaxSlackCycles);
  for (int b : {1, 2, 8, 16}) {
    for (int k : {0, 1, 4}) {
      double mm = t.MaxMean(b, k);
      EXPECT_GT(mm, 0);
      EXPECT_LT(mm, b);
      EXPECT_LE(BurstMissBound(mm, b, k), m.burst_miss * (1 + 1e-9));
      EXPECT_GT(BurstMissBound(mm * 1.01, b, k), m.burst_miss);
      EXPECT_LE(t.MaxMean(b, k), t.MaxMean(b, k + 1));
    }
  }
  // One slack cycle is worth most of the batch: with b = 8 a glet may run near 3/4 full, where
  // the per-cycle 99th-percentile rule allows less than half.
  EXPECT_GT(t.MaxMean(8, 1), 0.7 * 8);
  SafetyMargins q = MeanRate();
  q.poisson_quantile = 0.99;
  EXPECT_LT(MaxMeanArrivals(q, 8, 1), 0.5 * 8);
  EXPECT_EQ(t.BatchFor(t.MaxMean(8, 1), 1), 8);
}

}  // namespace
}  // namespace glet::sched
