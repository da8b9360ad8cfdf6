#include "sched/plan_checker.h"

#include <gtest/gtest.h>

#include "sched/sched_test_util.h"

namespace glet::sched {
namespace {

using testing::MakeProfile;

class PlanCheckerTest : public ::testing::Test {
 protected:
  // Model a: E(b, p) = (2 + b) * 100 / p; SLO 20 ms; 1000 MiB.
  PlanCheckerTest() : profile_(MakeProfile({{"a"}, {"b"}}, {20, 50, 100}, 8, {0, 0, 0, 0, 1.3})) {}

  // A valid plan: a at 800 rps on a saturated 100% glet.
  Plan ValidPlan() const {
    Plan plan;
    plan.policy = "test";
    plan.margins = testing::MeanRate();
    plan.workload = {ModelDemand{"a", 800, 20, 8}};
    PlannedDevice d;
    d.id = 0;
    d.type = "synth";
    d.mem_mib = 11264;
    PlannedGlet g;
    g.partition = 100;
    g.duty_ms = 10;
    g.models = {PlannedModel{"a", 8, 800, 10, 1, 20, 800}};
    d.glets.push_back(g);
    plan.devices.push_back(d);
    return plan;
  }

  std::vector<std::string> Violations(const Plan& plan) const {
    PlanChecker checker({{"synth", &profile_}}, true);
    return checker.Check(plan).violations;
  }

  static bool Has(const std::vector<std::string>& v, const std::string& needle) {
    for (const std::string& s : v) {
      if (s.find(needle) != std::string::npos) {
        return true;
      }
    }
    return false;
  }

  perf::DeviceProfile profile_;
};

TEST_F(PlanCheckerTest, AcceptsAValidPlan) { EXPECT_TRUE(Violations(ValidPlan()).empty()); }

TEST_F(PlanCheckerTest, CatchesRateNotPlaced) {
  Plan plan = ValidPlan();
  plan.workload[0].rate_rps = 900;
  EXPECT_TRUE(Has(Violations(plan), "model a: placed 800.000 of 900.000 rps"));
}

TEST_F(PlanCheckerTest, CatchesBatchThatCannotAbsorbTheRate) {
  Plan plan = ValidPlan();
  plan.devices[0].glets[0].models[0].batch = 7;  // 8 arrivals per 10 ms cycle
  plan.devices[0].glets[0].models[0].expected_latency_ms = 100;
  EXPECT_TRUE(Has(Violations(plan), "batch 7 cannot absorb 800.000 rps"));
}

TEST_F(PlanCheckerTest, BurstMarginRejectsASaturatedGletWithoutSlack) {
  // The valid mean-rate plan runs 8 arrivals per 10 ms cycle through a batch of 8 with no slack
  // (10 + 10 = slo 20): under the default burst margin its backlog is unbounded.
  Plan plan = ValidPlan();
  plan.margins = SafetyMargins{};
  EXPECT_TRUE(Has(Violations(plan), "with the plan's burst margins and 0 slack cycles"));
  // At 300 rps (3 arrivals per cycle) with a 40 ms SLO (one slack cycle: 10 + 10 + 10 <= 40) the
  // same glet passes: MaxMeanArrivals(8, 1) is about 6.2.
  plan.workload[0] = ModelDemand{"a", 300, 40, 8};
  plan.devices[0].glets[0].models[0].rate_rps = 300;
  EXPECT_TRUE(Violations(plan).empty());
}

TEST_F(PlanCheckerTest, CatchesSloMissAndDutyOverflow) {
  Plan plan = ValidPlan();
  plan.devices[0].glets[0].duty_ms = 11;  // latency 21 > 20
  plan.devices[0].glets[0].models[0].expected_latency_ms = 21;
  EXPECT_TRUE(Has(Violations(plan), "exceeds slo_ms 20.000"));
  plan = ValidPlan();
  plan.devices[0].glets[0].duty_ms = 9;  // a batch of 8 takes 10 ms
  plan.workload[0].rate_rps = 700;
  plan.devices[0].glets[0].models[0].rate_rps = 700;
  EXPECT_TRUE(Has(Violations(plan), "more than the duty cycle 9.000 ms"));
}

TEST_F(PlanCheckerTest, CatchesPartitionOverflowAndMemory) {
  Plan plan = ValidPlan();
  PlannedGlet extra = plan.devices[0].glets[0];
  extra.partition = 20;
  extra.models[0].rate_rps = 0;
  plan.devices[0].glets.push_back(extra);
  EXPECT_TRUE(Has(Violations(plan), "device 0: partitions sum to 120%"));
  plan = ValidPlan();
  for (int i = 0; i < 11; ++i) {  // 11 x (1000 + 300) MiB > 11264
    PlannedGlet g = plan.devices[0].glets[0];
    g.partition = 0 + 1;
    g.models[0].rate_rps = 0;
    plan.devices[0].glets.push_back(g);
  }
  EXPECT_TRUE(Has(Violations(plan), "memory"));
}

TEST_F(PlanCheckerTest, CatchesInterferenceSlowdown) {
  // Two saturated 50% glets: alone each meets the SLO (b=3: 10 ms + 10 ms = 20 ms), but side by
  // side each slows by 1.3 and misses it.
  Plan plan;
  plan.margins = testing::MeanRate();
  plan.workload = {ModelDemand{"a", 300, 20, 8}, ModelDemand{"b", 300, 20, 8}};
  PlannedDevice d{0, "synth", 11264, {}};
  d.glets.push_back(PlannedGlet{50, 10, 1, {PlannedModel{"a", 3, 300, 10, 1, 20, 300}}});
  d.glets.push_back(PlannedGlet{50, 10, 1, {PlannedModel{"b", 3, 300, 10, 1, 20, 300}}});
  plan.devices.push_back(d);
  auto v = Violations(plan);
  EXPECT_TRUE(Has(v, "model a: latency 23.000 ms")) << (v.empty() ? "" : v[0]);
  EXPECT_TRUE(Has(v, "slow-down 1.300"));
  EXPECT_TRUE(Has(v, "understates"));
  PlanChecker no_int({{"synth", &profile_}}, false);
  EXPECT_TRUE(no_int.Check(plan).ok());
}

TEST_F(PlanCheckerTest, CatchesUnknownDeviceTypeModelAndPartition) {
  Plan plan = ValidPlan();
  plan.devices[0].type = "other";
  EXPECT_TRUE(Has(Violations(plan), "unknown device type 'other'"));
  plan = ValidPlan();
  plan.devices[0].glets[0].models[0].model = "zzz";
  EXPECT_TRUE(Has(Violations(plan), "model zzz: model is not in the plan's workload"));
  plan = ValidPlan();
  plan.devices[0].glets[0].partition = 40;
  EXPECT_TRUE(Has(Violations(plan), "partition 40"));
}

}  // namespace
}  // namespace glet::sched
