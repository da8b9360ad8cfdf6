#include "sched/stage_scaler.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

namespace glet::sched {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using ::testing::HasSubstr;

// The pipeline-scaling experiment's stage: ssd-mobilenetv1, SLO 500 ms, cold start 2.9 s.
std::vector<StagePoint> SsdProfile() {
  return {{1, milliseconds(69)},  {2, milliseconds(117)},  {4, milliseconds(209)},
          {8, milliseconds(396)}, {16, milliseconds(771)}, {32, milliseconds(1544)}};
}

StageScalerConfig SsdConfig() {
  StageScalerConfig c;
  c.profile = SsdProfile();
  c.slo = milliseconds(500);
  c.cold_start = milliseconds(2900);
  return c;
}

StageScaler MakeScaler(StageScalerConfig c = SsdConfig()) {
  Result<StageScaler> s = StageScaler::Create(std::move(c));
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return std::move(s).value();
}

// Feeds `rate` arrivals per second, spread evenly over 100 ms slots, from `from` to `to`, and
// returns the decision at each slot boundary.
std::vector<StageScale> Feed(StageScaler& s, TimePoint from, TimePoint to, double rate) {
  std::vector<StageScale> out;
  for (TimePoint t = from; t < to; t += milliseconds(100)) {
    s.OnArrivals(t, static_cast<int>(rate / 10));
    out.push_back(s.Decide(t + milliseconds(100)));
  }
  return out;
}

// n(x) for the ssd stage at b = 4 and rho = 0.85 (16.3 rps per worker).
int Workers(double rate, double rho = 0.85) {
  return static_cast<int>(std::ceil(rate * 0.209 / 4 / rho - 1e-9));
}

TEST(StageScalerTest, BatchIsTheLargestWhoseDoubleLatencyFitsTheBudget) {
  StageScaler s = MakeScaler();
  EXPECT_EQ(s.Decide(TimePoint{}).batch, 4);  // 2 x 209 <= 500 < 2 x 396
  EXPECT_TRUE(s.Decide(TimePoint{}).feasible);
  StageScalerConfig tight = SsdConfig();
  tight.slo = milliseconds(100);
  StageScaler t = MakeScaler(tight);
  EXPECT_EQ(t.Decide(TimePoint{}).batch, 1);
  EXPECT_FALSE(t.Decide(TimePoint{}).feasible);
}

TEST(StageScalerTest, IdleStageKeepsItsFloor) {
  StageScalerConfig c = SsdConfig();
  c.min_workers = 2;
  StageScaler s = MakeScaler(c);
  for (const StageScale& d : Feed(s, TimePoint{}, TimePoint{} + seconds(30), 0)) {
    EXPECT_EQ(d.workers, 2);
  }
}

// 120 s of Poisson arrivals at 150 rps; the sizes decided after the first 20 s, and how many
// workers those decisions start.
struct SteadyRun {
  int lo = 0;
  int hi = 0;
  int starts = 0;
};
SteadyRun RunSteady(StageScalerConfig config) {
  StageScaler s = MakeScaler(std::move(config));
  std::mt19937 rng(7);
  std::poisson_distribution<int> per_slot(15);
  std::vector<int> sizes;
  SteadyRun run;
  for (int i = 0; i < 1200; ++i) {
    const TimePoint t = TimePoint{} + milliseconds(100) * i;
    s.OnArrivals(t, per_slot(rng));
    const StageScale d = s.Decide(t + milliseconds(100));
    if (i >= 200) {
      run.starts += sizes.empty() ? 0 : std::max(0, d.workers - sizes.back());
      sizes.push_back(d.workers);
    }
  }
  run.lo = *std::min_element(sizes.begin(), sizes.end());
  run.hi = *std::max_element(sizes.begin(), sizes.end());
  return run;
}

// Poisson noise at a steady rate: the size stays in a narrow band, never below what the rate
// needs at full utilisation; with down_dwell, noise starts far fewer workers.
TEST(StageScalerTest, SteadyPoissonLoadKeepsTheSizeInABand) {
  const SteadyRun plain = RunSteady(SsdConfig());
  EXPECT_GE(plain.lo, Workers(150, 1.0));
  EXPECT_LE(plain.hi, Workers(150) + 3);
  StageScalerConfig dwell = SsdConfig();
  dwell.down_dwell = seconds(2);
  const SteadyRun damped = RunSteady(dwell);
  EXPECT_GE(damped.lo, Workers(150, 1.0));
  EXPECT_LE(damped.hi, Workers(150) + 3);
  EXPECT_LT(damped.starts * 3, plain.starts) << plain.starts << " starts without the dwell";
}

// A real step is sized for at once, and ahead of need: the rise is extrapolated over the cold
// start, so the workers started now cover the rate the stage will see when they are warm.
TEST(StageScalerTest, StepUpScalesAtOnceAndAheadByTheColdStart) {
  StageScaler s = MakeScaler();
  const TimePoint t0 = TimePoint{};
  const std::vector<StageScale> before = Feed(s, t0, t0 + seconds(20), 100);
  EXPECT_EQ(before.back().workers, Workers(100 + 2 * std::sqrt(100.0 / 2)));
  const std::vector<StageScale> after = Feed(s, t0 + seconds(20), t0 + seconds(22), 200);
  EXPECT_GT(after[9].workers, before.back().workers) << "half a window into the step";
  EXPECT_GT(after.back().demand_rps, 200 + 2 * std::sqrt(200.0 / 2)) << "the rise is extrapolated";
  EXPECT_GE(after.back().workers, Workers(200));
}

TEST(StageScalerTest, ScalesDownOnlyAfterTheQuietPeriod) {
  StageScaler s = MakeScaler();
  const TimePoint t0 = TimePoint{};
  const int high = Feed(s, t0, t0 + seconds(20), 200).back().workers;
  EXPECT_EQ(high, Workers(200 + 2 * std::sqrt(200.0 / 2)));
  const std::vector<StageScale> low = Feed(s, t0 + seconds(20), t0 + seconds(40), 50);
  // While 200 rps is in the last 10 s, the stage keeps what that rate needs at full
  // utilisation; once it has left, it is sized for 50 rps.
  EXPECT_GE(low[50].workers, Workers(200, 1.0)) << "5 s after the drop";
  EXPECT_GE(low[95].workers, Workers(200 * 0.05, 1.0)) << "9.5 s after the drop";
  EXPECT_EQ(low.back().workers, Workers(50 + 2 * std::sqrt(50.0 / 2)));
}

// The prototype's own worked example (r = 150: b = 8, 14 workers) and one at low rate.
TEST(StageScalerTest, ReferenceRuleIsThePrototypes) {
  const StageScale at150 = ReferenceStageScale(SsdProfile(), milliseconds(500), 150);
  EXPECT_EQ(at150.batch, 8);
  EXPECT_EQ(at150.workers, 14);
  const StageScale at20 = ReferenceStageScale(SsdProfile(), milliseconds(500), 20);
  EXPECT_EQ(at20.batch, 4);  // 396 + 7 x 396 / 20 > 500 >= 209 + 3 x 209 / 20
  EXPECT_EQ(at20.workers, 7);
}

TEST(StageScalerTest, StageLatencyRunsAtTheNextProfiledSize) {
  EXPECT_EQ(StageLatency(SsdProfile(), 1), milliseconds(69));
  EXPECT_EQ(StageLatency(SsdProfile(), 3), milliseconds(209));
  EXPECT_EQ(StageLatency(SsdProfile(), 8), milliseconds(396));
}

TEST(StageScalerTest, CreateRejectsBadConfigNamingTheField) {
  StageScalerConfig c = SsdConfig();
  c.profile.clear();
  EXPECT_THAT(StageScaler::Create(c).status().message(), HasSubstr("profile"));
  c = SsdConfig();
  c.profile[2].batch = 2;
  EXPECT_THAT(StageScaler::Create(c).status().message(), HasSubstr("increasing"));
  c = SsdConfig();
  c.utilization = 0;
  EXPECT_THAT(StageScaler::Create(c).status().message(), HasSubstr("utilization"));
  c = SsdConfig();
  c.window = milliseconds(150);
  EXPECT_THAT(StageScaler::Create(c).status().message(), HasSubstr("window"));
  c = SsdConfig();
  c.max_workers = 0;
  EXPECT_THAT(StageScaler::Create(c).status().message(), HasSubstr("workers"));
}

}  // namespace
}  // namespace glet::sched
