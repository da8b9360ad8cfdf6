#include "serve/rate_monitor.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <string>

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

TEST_F(ReplanTest, PlannedModelWithoutTrafficTriggersReplan) {
  monitor_->SetPlannedRates({{"m", 100}, {"idle", 50}}, t0_);
  clock_.AdvanceTo(t0_ + seconds(10));
  Second("m", 100);
  const ReplanDecision d = monitor_->ShouldReplan(clock_.Now());
  ASSERT_TRUE(d.replan);
  EXPECT_EQ(d.model, "idle");
  EXPECT_DOUBLE_EQ(d.observed_rps, 0);
}

TEST_F(ReplanTest, MinRateFloorDampsChangesOfTinyRates) {
  // Planned 0.5 rps; the reference is max(0.5, min_rate_rps = 1) = 1 rps, so only a change of
  // more than 0.2 rps counts.
  monitor_->SetPlannedRates({{"m", 0.5}}, t0_);
  clock_.AdvanceTo(t0_ + seconds(10));
  Second("m", 0);  // 0 rps: change 0.5 > 0.2 * 1
  EXPECT_TRUE(monitor_->ShouldReplan(clock_.Now()).replan);

  monitor_->SetPlannedRates({{"m", 0.9}}, clock_.Now());
  clock_.Advance(seconds(10));
  Second("m", 1);  // change 0.1 <= 0.2 * 1: no; without the floor 0.1 <= 0.18 too
  EXPECT_FALSE(monitor_->ShouldReplan(clock_.Now()).replan);
  monitor_->SetPlannedRates({{"m", 0.7}}, clock_.Now());
  clock_.Advance(seconds(10));
  Second("m", 1);  // change 0.3 > 0.2 * 1: yes
  EXPECT_TRUE(monitor_->ShouldReplan(clock_.Now()).replan);
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
