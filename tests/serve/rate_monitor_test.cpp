#include "serve/rate_monitor.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "core/clock.h"

namespace glet::serve {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using ::testing::HasSubstr;

RateMonitor MakeMonitor(RateMonitorConfig config, TimePoint start) {
  Result<RateMonitor> m = RateMonitor::Create(config, start);
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  return std::move(m).value();
}

// Records `count` arrivals spread over the window starting at clock.Now(), then moves the
// clock to the end of that window.
void ArriveOverWindow(RateMonitor& m, ManualClock& clock, const std::string& model, int count,
                      Duration window = seconds(1)) {
  const Duration step = window / (count + 1);
  const TimePoint start = clock.Now();
  for (int i = 1; i <= count; ++i) {
    m.RecordArrival(model, start + i * step);
  }
  clock.AdvanceTo(start + window);
}

TEST(RateMonitorTest, EwmaMatchesHandComputedExample) {
  ManualClock clock;
  RateMonitorConfig config;
  config.window = seconds(1);
  config.alpha = 0.5;
  RateMonitor m = MakeMonitor(config, clock.Now());
  EXPECT_EQ(m.Rate("m", clock.Now()), 0.0);

  ArriveOverWindow(m, clock, "m", 10);  // window 0: 10 rps -> ewma = 10 (first window)
  EXPECT_DOUBLE_EQ(m.Rate("m", clock.Now()), 10.0);
  ArriveOverWindow(m, clock, "m", 20);  // 0.5 * 20 + 0.5 * 10 = 15
  EXPECT_DOUBLE_EQ(m.Rate("m", clock.Now()), 15.0);
  ArriveOverWindow(m, clock, "m", 0);  // 0.5 * 0 + 0.5 * 15 = 7.5
  EXPECT_DOUBLE_EQ(m.Rate("m", clock.Now()), 7.5);
  clock.Advance(seconds(2));  // two empty windows: 7.5 / 4
  EXPECT_DOUBLE_EQ(m.Rate("m", clock.Now()), 1.875);
}

TEST(RateMonitorTest, RateMovesOnlyWhenAWindowCloses) {
  ManualClock clock;
  RateMonitorConfig config;
  config.window = milliseconds(500);
  config.alpha = 1.0;  // the last window only
  RateMonitor m = MakeMonitor(config, clock.Now());
  for (int i = 0; i < 30; ++i) {
    m.RecordArrival("m", clock.Now());
  }
  clock.Advance(milliseconds(499));
  EXPECT_EQ(m.Rate("m", clock.Now()), 0.0);
  clock.Advance(milliseconds(1));
  EXPECT_DOUBLE_EQ(m.Rate("m", clock.Now()), 60.0);  // 30 in 0.5 s
  m.RecordArrival("m", clock.Now(), 5);              // batched arrivals
  clock.Advance(milliseconds(500));
  EXPECT_DOUBLE_EQ(m.Rate("m", clock.Now()), 10.0);
  EXPECT_EQ(m.Rate("never_seen", clock.Now()), 0.0);
}

class ReplanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RateMonitorConfig config;
    config.window = seconds(1);
    config.alpha = 1.0;  // Rate() = the last window: exact control in tests
    config.replan_threshold = 0.2;
    config.replan_epoch = seconds(10);
    // The relative threshold and the epoch alone (the evidence rule is tested below).
    config.noise_z = 0;
    config.scale_up_after = Duration::zero();
    config.scale_up_gap = seconds(10);
    config.scale_down_after = Duration::zero();
    monitor_.emplace(MakeMonitor(config, clock_.Now()));
    t0_ = clock_.Now();
    monitor_->SetPlannedRates({{"m", 100}}, t0_);
  }
  // One second of traffic at `rps` for model m.
  void Second(const std::string& model, int rps) {
    ArriveOverWindow(*monitor_, clock_, model, rps);
  }

  ManualClock clock_;
  std::optional<RateMonitor> monitor_;
  TimePoint t0_;
};

TEST_F(ReplanTest, ReplansOnlyPastTheRelativeThreshold) {
  clock_.AdvanceTo(t0_ + seconds(10));
  Second("m", 120);  // +20%: not past it
  EXPECT_FALSE(monitor_->ShouldReplan(clock_.Now()).replan);
  Second("m", 80);  // -20%
  EXPECT_FALSE(monitor_->ShouldReplan(clock_.Now()).replan);
  Second("m", 121);
  const ReplanDecision d = monitor_->ShouldReplan(clock_.Now());
  ASSERT_TRUE(d.replan);
  EXPECT_EQ(d.model, "m");
  EXPECT_DOUBLE_EQ(d.planned_rps, 100);
  EXPECT_DOUBLE_EQ(d.observed_rps, 121);
  EXPECT_EQ(d.rates_rps, (std::map<std::string, double>{{"m", 121}}));
}

TEST_F(ReplanTest, ReplansOnADropToo) {
  clock_.AdvanceTo(t0_ + seconds(10));
  Second("m", 79);
  EXPECT_TRUE(monitor_->ShouldReplan(clock_.Now()).replan);
}

TEST_F(ReplanTest, AtMostOncePerEpoch) {
  Second("m", 300);
  // Within the epoch of SetPlannedRates(): no, however far the rate moved.
  EXPECT_FALSE(monitor_->ShouldReplan(clock_.Now()).replan);
  clock_.AdvanceTo(t0_ + seconds(9));
  Second("m", 300);  // window [9 s, 10 s)
  EXPECT_EQ(clock_.Now(), t0_ + seconds(10));
  EXPECT_TRUE(monitor_->ShouldReplan(clock_.Now()).replan);
  // Not again within 10 s of that "yes", even though nobody re-planned.
  clock_.AdvanceTo(t0_ + seconds(19));
  Second("m", 300);
  EXPECT_FALSE(monitor_->ShouldReplan(t0_ + seconds(19) + milliseconds(999)).replan);
  EXPECT_TRUE(monitor_->ShouldReplan(t0_ + seconds(20)).replan);
}

TEST_F(ReplanTest, NewPlanRestartsTheEpochAndBecomesTheReference) {
  clock_.AdvanceTo(t0_ + seconds(10));
  Second("m", 300);
  ASSERT_TRUE(monitor_->ShouldReplan(clock_.Now()).replan);
  const TimePoint planned_at = clock_.Now();
  monitor_->SetPlannedRates({{"m", 300}}, planned_at);
  clock_.AdvanceTo(planned_at + seconds(10));
  Second("m", 310);
  EXPECT_FALSE(monitor_->ShouldReplan(clock_.Now()).replan);
}

TEST_F(ReplanTest, UnplannedModelWithTrafficTriggersReplan) {
  clock_.AdvanceTo(t0_ + seconds(10));
  const TimePoint w = clock_.Now();
  monitor_->RecordArrival("m", w, 100);
  monitor_->RecordArrival("new", w + milliseconds(500), 5);
  clock_.AdvanceTo(w + seconds(1));
  const ReplanDecision d = monitor_->ShouldReplan(clock_.Now());
  ASSERT_TRUE(d.replan);
  EXPECT_EQ(d.model, "new");
  EXPECT_DOUBLE_EQ(d.planned_rps, 0);
  EXPECT_DOUBLE_EQ(d.observed_rps, 5);
  EXPECT_EQ(d.rates_rps, (std::map<std::string, double>{{"m", 100}, {"new", 5}}));
}

TEST_F(ReplanTest, PlannedModelWithoutTrafficYetKeepsItsRate) {
  // A server that has just started has no evidence against its configured rates.
  monitor_->SetPlannedRates({{"m", 100}, {"idle", 50}}, t0_);
  for (int i = 0; i < 60; ++i) {
    Second("m", 100);
    EXPECT_FALSE(monitor_->ShouldReplan(clock_.Now()).replan) << i;
  }
}

TEST_F(ReplanTest, PlannedModelWhoseTrafficStoppedIsPlannedDown) {
  monitor_->SetPlannedRates({{"m", 100}, {"idle", 50}}, t0_);
  Second("idle", 50);
  clock_.AdvanceTo(t0_ + seconds(10));
  Second("m", 100);
  const ReplanDecision d = monitor_->ShouldReplan(clock_.Now());
  ASSERT_TRUE(d.replan);
  EXPECT_EQ(d.model, "idle");
  EXPECT_FALSE(d.up);
  EXPECT_DOUBLE_EQ(d.observed_rps, 0);
  // Planned for the floor, the other model for what it was planned for.
  EXPECT_EQ(d.rates_rps, (std::map<std::string, double>{{"idle", 1}, {"m", 100}}));
}

TEST_F(ReplanTest, BothSidesAreComparedAboveTheFloor) {
  // Planned 0.5 rps: the plan is made for the floor (min_rate_rps = 1) anyway, so no rate below
  // it is a move: an idle model does not re-plan again and again (the "1.0 to 0.0" churn).
  monitor_->SetPlannedRates({{"m", 0.5}}, t0_);
  clock_.AdvanceTo(t0_ + seconds(10));
  Second("m", 1);
  for (int i = 0; i < 60; ++i) {
    Second("m", 0);
    EXPECT_FALSE(monitor_->ShouldReplan(clock_.Now()).replan) << i;
  }
  Second("m", 2);  // 2 rps against the floor: change 1 > 0.2 * 1
  const ReplanDecision d = monitor_->ShouldReplan(clock_.Now());
  ASSERT_TRUE(d.replan);
  EXPECT_TRUE(d.up);
  EXPECT_EQ(d.rates_rps, (std::map<std::string, double>{{"m", 2}}));
}

TEST_F(ReplanTest, PerModelFloorKeepsAModelPlannedAboveIt) {
  RateMonitorConfig config = monitor_->config();
  config.floor_rps = {{"m", 50}};
  RateMonitor floored = MakeMonitor(config, t0_);
  floored.SetPlannedRates({{"m", 50}}, t0_);
  EXPECT_DOUBLE_EQ(floored.Floor("m"), 50);
  EXPECT_DOUBLE_EQ(floored.Floor("other"), 1);
  clock_.AdvanceTo(t0_ + seconds(10));
  ArriveOverWindow(floored, clock_, "m", 5);
  EXPECT_FALSE(floored.ShouldReplan(clock_.Now()).replan);
  ArriveOverWindow(floored, clock_, "m", 80);
  const ReplanDecision d = floored.ShouldReplan(clock_.Now());
  ASSERT_TRUE(d.replan);
  EXPECT_EQ(d.rates_rps, (std::map<std::string, double>{{"m", 80}}));
}

TEST_F(ReplanTest, MinRateFloorIgnoresATrickleOfAnUnplannedModel) {
  clock_.AdvanceTo(t0_ + seconds(10));
  // 10 s windows: "trickle" at 0.1 rps, planned at 0: 0.1 <= 0.2 * max(0, 1 rps).
  RateMonitorConfig config = monitor_->config();
  config.window = seconds(10);
  RateMonitor slow = MakeMonitor(config, clock_.Now());
  slow.SetPlannedRates({{"m", 10}}, clock_.Now());
  slow.RecordArrival("m", clock_.Now(), 100);
  slow.RecordArrival("trickle", clock_.Now());
  const ReplanDecision d = slow.ShouldReplan(clock_.Now() + seconds(10));
  EXPECT_FALSE(d.replan) << d.model;
  EXPECT_DOUBLE_EQ(slow.Rate("trickle", clock_.Now() + seconds(10)), 0.1);
}

// The evidence rule at its defaults: Poisson arrivals from a seeded generator, ShouldReplan()
// asked every 500 ms as the controller does.
class EvidenceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    monitor_.emplace(MakeMonitor(RateMonitorConfig{}, clock_.Now()));
    t0_ = clock_.Now();
  }
  // Poisson arrivals of `model` at `rps` (0: none) for `duration`; returns the first decision
  // to re-plan and when it came, if any.
  std::optional<std::pair<TimePoint, ReplanDecision>> Run(const std::string& model, double rps,
                                                          Duration duration) {
    const TimePoint end = clock_.Now() + duration;
    std::exponential_distribution<double> gap(rps > 0 ? rps : 1.0);
    TimePoint next_arrival =
        rps > 0 ? clock_.Now() + FromMillis(gap(rng_) * 1000) : TimePoint::max();
    TimePoint next_check = clock_.Now() + milliseconds(500);
    while (clock_.Now() < end) {
      if (next_arrival <= next_check) {
        clock_.AdvanceTo(next_arrival);
        monitor_->RecordArrival(model, next_arrival);
        next_arrival += FromMillis(gap(rng_) * 1000);
        continue;
      }
      clock_.AdvanceTo(next_check);
      next_check += milliseconds(500);
      ReplanDecision d = monitor_->ShouldReplan(clock_.Now());
      if (d.replan) {
        return std::make_pair(clock_.Now(), std::move(d));
      }
    }
    return std::nullopt;
  }

  ManualClock clock_;
  std::optional<RateMonitor> monitor_;
  TimePoint t0_;
  std::mt19937 rng_{7};
};

TEST_F(EvidenceTest, IdleServerNeverReplans) {
  monitor_->SetPlannedRates({{"lenet", 40}, {"mobilenet_v2", 1}}, t0_);
  EXPECT_FALSE(Run("lenet", 0, std::chrono::hours(1)));
}

TEST_F(EvidenceTest, PoissonNoiseAtSteadyRatesDoesNotReplan) {
  for (double rps : {2.0, 40.0, 300.0}) {
    monitor_->SetPlannedRates({{"m", rps}}, clock_.Now());
    auto d = Run("m", rps, std::chrono::minutes(30));
    EXPECT_FALSE(d) << rps << " rps: re-planned for " << d->second.observed_rps;
  }
}

TEST_F(EvidenceTest, RealStepUpReplansWithinSeconds) {
  monitor_->SetPlannedRates({{"m", 20}}, t0_);
  ASSERT_FALSE(Run("m", 20, seconds(60)));
  const TimePoint step = clock_.Now();
  auto d = Run("m", 150, seconds(10));
  ASSERT_TRUE(d);
  EXPECT_TRUE(d->second.up);
  EXPECT_LE(d->first - step, seconds(3));
  // Planned for the rise so far (the last window), not the EWMA lagging behind it.
  EXPECT_GT(d->second.rates_rps.at("m"), 100);
}

TEST_F(EvidenceTest, DropReplansOnlyOnceItHeldAndADipDoesNot) {
  monitor_->SetPlannedRates({{"m", 150}}, t0_);
  ASSERT_FALSE(Run("m", 150, seconds(60)));
  ASSERT_FALSE(Run("m", 20, seconds(20)));  // a dip
  ASSERT_FALSE(Run("m", 150, seconds(20)));
  const TimePoint drop = clock_.Now();
  auto d = Run("m", 20, seconds(60));
  ASSERT_TRUE(d);
  EXPECT_FALSE(d->second.up);
  EXPECT_GE(d->first - drop, seconds(30));
  EXPECT_LE(d->first - drop, seconds(40));
  EXPECT_NEAR(d->second.rates_rps.at("m"), 20, 8);
  // Planned for it: quiet again.
  monitor_->SetPlannedRates(d->second.rates_rps, clock_.Now());
  EXPECT_FALSE(Run("m", 20, std::chrono::minutes(10)));
}

// Window counts of `model` from `counts` (one per 1 s window), asking ShouldReplan() at each
// window's end; the first decision to re-plan and the rate of the window before it.
std::optional<std::pair<ReplanDecision, double>> FirstReplan(RateMonitor& m, ManualClock& clock,
                                                             const std::vector<int>& counts) {
  for (int c : counts) {
    ArriveOverWindow(m, clock, "m", c);
    ReplanDecision d = m.ShouldReplan(clock.Now());
    if (d.replan) {
      return std::make_pair(d, static_cast<double>(c));
    }
  }
  return std::nullopt;
}

TEST(RateMonitorTest, RampIsPlannedAheadByTheLeadTimeAndAStepIsNot) {
  std::vector<int> ramp(10, 100);  // steady at the planned 100, then +5 rps every second
  for (int r = 105; r <= 300; r += 5) {
    ramp.push_back(r);
  }
  std::vector<int> step(10, 100);  // steady at 100, then 200
  step.insert(step.end(), 20, 200);
  for (const auto& [name, counts, rise] :
       {std::tuple{"ramp", ramp, 5.0}, std::tuple{"step", step, 0.0}}) {
    SCOPED_TRACE(name);
    std::optional<TimePoint> without;  // when the decision came without a lead time
    for (Duration lead : {Duration::zero(), Duration(seconds(3))}) {
      ManualClock clock;
      RateMonitorConfig config;
      if (lead > Duration::zero()) {
        config.lead_time["m"] = lead;
      }
      RateMonitor m = MakeMonitor(config, clock.Now());
      m.SetPlannedRates({{"m", 100}}, clock.Now());
      auto d = FirstReplan(m, clock, counts);
      ASSERT_TRUE(d);
      ASSERT_TRUE(d->first.up);
      // With a lead time, the hold before an up-move fires (2 s) comes on top of it.
      const double lead_s =
          lead > Duration::zero() ? std::chrono::duration<double>(lead).count() + 2 : 0.0;
      // The rise so far (the last window), and with a lead time the rise extrapolated over it:
      // a new glet serves 3 s after it is asked for, so the ramp is met where it will be then.
      EXPECT_DOUBLE_EQ(d->first.rates_rps.at("m"), d->second + rise * lead_s);
      EXPECT_DOUBLE_EQ(m.Rise("m", clock.Now()), rise);
      if (!without) {
        without = clock.Now();
      } else if (rise > 0) {
        EXPECT_LT(clock.Now(), *without);  // judged ahead too: it re-plans sooner
      } else {
        EXPECT_EQ(clock.Now(), *without);
      }
    }
  }
}

TEST(RateMonitorTest, RiseIsTheLeastIncreaseBetweenBlocksOfTwoWindows) {
  ManualClock clock;
  RateMonitorConfig config;
  config.lead_time["m"] = seconds(3);
  RateMonitor m = MakeMonitor(config, clock.Now());
  for (int c : {100, 100, 120, 120, 140, 140}) {
    ArriveOverWindow(m, clock, "m", c);
    EXPECT_EQ(m.Rise("m", clock.Now()), 0);  // fewer than eight windows: no evidence
  }
  for (int c : {160, 160}) {  // blocks 100, 120, 140, 160: +20 per 2 s
    ArriveOverWindow(m, clock, "m", c);
  }
  EXPECT_DOUBLE_EQ(m.Rise("m", clock.Now()), 10);
  for (int c : {150, 150}) {  // blocks 120, 140, 160, 150: the last fell
    ArriveOverWindow(m, clock, "m", c);
  }
  EXPECT_EQ(m.Rise("m", clock.Now()), 0);
  for (int c : {170, 190}) {  // blocks 140, 160, 150, 180: one fell
    ArriveOverWindow(m, clock, "m", c);
  }
  EXPECT_EQ(m.Rise("m", clock.Now()), 0);
  for (int c : {160, 170, 180, 190}) {  // blocks 150, 180, 165, 185: one fell
    ArriveOverWindow(m, clock, "m", c);
  }
  EXPECT_EQ(m.Rise("m", clock.Now()), 0);
  for (int c : {195, 195, 240, 250}) {  // blocks 165, 185, 195, 245: least +10 per 2 s
    ArriveOverWindow(m, clock, "m", c);
  }
  EXPECT_DOUBLE_EQ(m.Rise("m", clock.Now()), 5);
  clock.Advance(seconds(2));  // two empty windows
  EXPECT_EQ(m.Rise("m", clock.Now()), 0);
}

TEST(RateMonitorTest, CreateRejectsBadConfigNamingField) {
  struct Case {
    void (*mutate)(RateMonitorConfig&);
    const char* field;
  };
  const Case cases[] = {
      {[](RateMonitorConfig& c) { c.window = Duration::zero(); }, "window_ms"},
      {[](RateMonitorConfig& c) { c.alpha = 0; }, "alpha"},
      {[](RateMonitorConfig& c) { c.alpha = 1.5; }, "alpha"},
      {[](RateMonitorConfig& c) { c.replan_threshold = 0; }, "replan_threshold"},
      {[](RateMonitorConfig& c) { c.min_rate_rps = -1; }, "min_rate_rps"},
      {[](RateMonitorConfig& c) { c.replan_epoch = -seconds(1); }, "replan_epoch_ms"},
      {[](RateMonitorConfig& c) { c.noise_z = -1; }, "noise_z"},
      {[](RateMonitorConfig& c) { c.scale_up_after = -seconds(1); }, "scale_up_after_ms"},
      {[](RateMonitorConfig& c) { c.scale_up_gap = -seconds(1); }, "scale_up_gap_ms"},
      {[](RateMonitorConfig& c) { c.scale_down_after = -seconds(1); }, "scale_down_after_ms"},
      {[](RateMonitorConfig& c) {
         c.floor_rps = {{"m", -1}};
       },
       "floor_rps: model 'm'"},
      {[](RateMonitorConfig& c) {
         c.lead_time = {{"m", -seconds(1)}};
       },
       "lead_time: model 'm'"},
  };
  ManualClock clock;
  for (const Case& k : cases) {
    RateMonitorConfig c;
    k.mutate(c);
    Result<RateMonitor> m = RateMonitor::Create(c, clock.Now());
    ASSERT_FALSE(m.ok()) << k.field;
    EXPECT_EQ(m.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(m.status().message(), HasSubstr(k.field));
  }
}

}  // namespace
}  // namespace glet::serve
