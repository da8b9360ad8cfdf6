// Plans over fleets of several device types: hand-computed cases on two synthetic types.
//   fast: E(b) = 2 + b ms at 100%: with slo 20 the saturated batch is 8 (2 x 10 ms), 800 rps.
//   slow: E(b) = 4 + 2b ms at 100%: saturated batch 3 (2 x 10 ms), 300 rps.
#include <gtest/gtest.h>

#include "core/strings.h"
#include "sched/plan_checker.h"
#include "sched/plan_search.h"
#include "sched/planner_factory.h"
#include "sched/sched_test_util.h"
#include "testing/ref_profile.h"
#include "testing/test_util.h"

namespace glet::sched {
namespace {

using testing::MakeProfile;
using testing::SynthModel;

perf::DeviceProfile Typed(perf::DeviceProfile p, const std::string& type, double cost) {
  p.type = type;
  p.cost = cost;
  return p;
}

perf::DeviceProfile Fast(double cost = 1, std::vector<SynthModel> models = {{"a"}}) {
  return Typed(MakeProfile(models), "fast", cost);
}

perf::DeviceProfile Slow(double cost = 1,
                         std::vector<SynthModel> models = {SynthModel{"a", 4, 2}}) {
  return Typed(MakeProfile(models), "slow", cost);
}

std::unique_ptr<Planner> Glet(const std::string& policy = "glet") {
  PlannerOptions o = testing::MeanRateOptions();
  o.partitions = {100};
  return MakePlanner(policy, o).value();
}

double PlacedOn(const Plan& plan, const std::string& type, const std::string& model) {
  double sum = 0;
  for (const PlannedDevice& d : plan.devices) {
    for (const PlannedGlet& g : d.glets) {
      for (const PlannedModel& m : g.models) {
        if (d.type == type && m.model == model) {
          sum += m.rate_rps;
        }
      }
    }
  }
  return sum;
}

bool Contains(const std::vector<std::string>& lines, const std::string& text) {
  for (const std::string& l : lines) {
    if (l.find(text) != std::string::npos) {
      return true;
    }
  }
  return false;
}

TEST(MixedFleetTest, TheCheapestCapacityTakesTheLoad) {
  // slow at cost 0.25: 300 / 0.25 = 1200 rps per unit of cost against fast's 800.
  auto fast = Fast();
  auto slow = Slow(0.25);
  Workload w{{ModelDemand{"a", 500, 20, 8}}};
  std::vector<std::string> explain;
  auto plan = Glet()->MakePlan(w, Fleet({{&fast, 4}, {&slow, 4}}), &explain);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  // One saturated slow glet (b3, 300 rps) and the 200 rps residue on a second (b2, duty 10 ms).
  ASSERT_EQ(plan->UsedDevices(), 2);
  for (const PlannedDevice& d : plan->devices) {
    EXPECT_EQ(d.type, "slow");
  }
  EXPECT_EQ(plan->devices[0].glets[0].models[0].batch, 3);
  EXPECT_DOUBLE_EQ(plan->devices[0].glets[0].models[0].rate_rps, 300);
  EXPECT_EQ(plan->devices[1].glets[0].models[0].batch, 2);
  EXPECT_DOUBLE_EQ(plan->devices[1].glets[0].duty_ms, 10);
  EXPECT_TRUE(Contains(explain,
                       "type: a 500.0 rps: fast 800.0 rps per device = 800.0 per unit of cost, "
                       "slow 300.0 rps per device = 1200.0 per unit of cost -> slow 500.0 rps "
                       "(all on slow, the cheapest)"))
      << Join(explain, "\n");
  EXPECT_TRUE(Contains(explain, "[slow] place: glet"));
  // At equal cost one fast device (800 rps) beats two slow ones.
  auto slow1 = Slow(1);
  auto equal = Glet()->MakePlan(w, Fleet({{&fast, 4}, {&slow1, 4}}), nullptr);
  ASSERT_TRUE(equal.ok()) << equal.status().ToString();
  ASSERT_EQ(equal->UsedDevices(), 1);
  EXPECT_EQ(equal->devices[0].type, "fast");
}

TEST(MixedFleetTest, WhatThePreferredTypeCannotHoldGoesToTheOther) {
  auto fast = Fast();
  auto slow = Slow();
  Workload w{{ModelDemand{"a", 1000, 20, 8}}};
  std::vector<std::string> explain;
  auto plan = Glet()->MakePlan(w, Fleet({{&fast, 1}, {&slow, 4}}), &explain);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  // One fast device holds up to 800 rps: the split moves the least grid point (1000/1024 rps)
  // above 200 rps to slow: 205 steps.
  const double moved = 1000.0 * 205 / 1024;
  EXPECT_NEAR(PlacedOn(*plan, "fast", "a"), 1000 - moved, 1e-9);
  EXPECT_NEAR(PlacedOn(*plan, "slow", "a"), moved, 1e-9);
  ASSERT_EQ(plan->devices.size(), 2u);
  EXPECT_EQ(plan->devices[0].id, 0);
  EXPECT_EQ(plan->devices[0].type, "fast");
  EXPECT_EQ(plan->devices[1].id, 1);
  EXPECT_EQ(plan->devices[1].type, "slow");
  EXPECT_TRUE(Contains(explain, "cheapest on fast, whose budget does not take it all"))
      << Join(explain, "\n");
  // Beyond both budgets: one line naming the budget and what each type could not place.
  auto big = Glet()->MakePlan(w.Scaled(3), Fleet({{&fast, 1}, {&slow, 4}}), nullptr);
  ASSERT_EQ(big.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(big.status().message().find("does not fit on fast:1,slow:4 device(s)"),
            std::string::npos)
      << big.status().message();
}

TEST(MixedFleetTest, AModelOnlyOneTypeRunsIsPlacedThere) {
  auto fast = Fast(1, {{"a"}});
  auto slow = Slow(1, {SynthModel{"a", 4, 2}, SynthModel{"b", 4, 2}});
  Workload w{{ModelDemand{"a", 100, 20, 8}, ModelDemand{"b", 100, 20, 8}}};
  std::vector<std::string> explain;
  auto plan = Glet()->MakePlan(w, Fleet({{&fast, 1}, {&slow, 1}}), &explain);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_DOUBLE_EQ(PlacedOn(*plan, "slow", "b"), 100);
  EXPECT_DOUBLE_EQ(PlacedOn(*plan, "fast", "a"), 100);
  EXPECT_TRUE(Contains(explain, "fast cannot run it (unknown model 'b'")) << Join(explain, "\n");
  EXPECT_TRUE(Contains(explain, "(only slow runs it)"));
  // b beyond slow's budget: no other type can take it.
  Workload too_much{{ModelDemand{"a", 10, 20, 8}, ModelDemand{"b", 400, 20, 8}}};
  auto full = Glet()->MakePlan(too_much, Fleet({{&fast, 4}, {&slow, 1}}), nullptr);
  ASSERT_EQ(full.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(full.status().message().find("slow: b "), std::string::npos) << full.status().message();
  // A model no type runs is bad input naming the model and every type's reason.
  Workload unknown{{ModelDemand{"c", 10, 20, 8}}};
  auto none = Glet()->MakePlan(unknown, Fleet({{&fast, 1}, {&slow, 1}}), nullptr);
  ASSERT_EQ(none.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(none.status().message().find(
                "model 'c': no device type of the budget fast:1,slow:1 can run it (fast: "
                "unknown model 'c'"),
            std::string::npos)
      << none.status().message();
  EXPECT_NE(none.status().message().find("; slow: unknown model 'c'"), std::string::npos);
  // An SLO one type cannot meet: the other takes the model.
  Workload tight{{ModelDemand{"a", 100, 13, 8}}};  // slow's fastest: 2 x 6 = 12 ms; fast: 6 ms
  auto t = Glet()->MakePlan(tight, Fleet({{&slow, 2}, {&fast, 1}}), nullptr);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  Workload tighter{{ModelDemand{"a", 100, 11, 8}}};
  auto t2 = Glet()->MakePlan(tighter, Fleet({{&slow, 2}, {&fast, 1}}), &explain);
  ASSERT_TRUE(t2.ok()) << t2.status().ToString();
  EXPECT_DOUBLE_EQ(PlacedOn(*t2, "fast", "a"), 100);
}

TEST(MixedFleetTest, PoliciesThatPlanOneTypeRefuseSeveral) {
  auto fast = Fast();
  auto slow = Slow();
  Workload w{{ModelDemand{"a", 100, 20, 8}}};
  const Fleet fleet({{&fast, 1}, {&slow, 1}});
  for (const char* policy : {"gpulet", "optimal"}) {
    auto planner = MakePlanner(policy, testing::MeanRateOptions()).value();
    EXPECT_FALSE(planner->PlansSeveralTypes()) << policy;
    auto plan = planner->MakePlan(w, fleet, nullptr);
    ASSERT_EQ(plan.status().code(), StatusCode::kInvalidArgument) << policy;
    EXPECT_NE(plan.status().message().find(std::string("--policy ") + policy +
                                           ": plans one device type at a time (the budget is "
                                           "fast:1,slow:1)"),
              std::string::npos)
        << plan.status().message();
  }
  for (const char* policy : {"glet", "glet-noint", "glet-notype", "temporal", "greedy-split"}) {
    auto planner = MakePlanner(policy, testing::MeanRateOptions()).value();
    EXPECT_TRUE(planner->PlansSeveralTypes()) << policy;
    auto plan = planner->MakePlan(w, fleet, nullptr);
    EXPECT_TRUE(plan.ok()) << policy << ": " << plan.status().ToString();
  }
}

TEST(MixedFleetTest, BadFleetsAreInvalidArguments) {
  auto fast = Fast();
  auto slow = Slow();
  Workload w{{ModelDemand{"a", 100, 20, 8}}};
  struct Case {
    Fleet fleet;
    std::string expected;
  };
  auto zero_cost = Slow(0);
  const std::vector<Case> cases = {
      {Fleet(std::vector<DevicePool>{}), "--devices: empty device budget"},
      {Fleet({{&fast, 1}, {&slow, 0}}), "device type 'slow' (count 0, must be >= 1)"},
      {Fleet({{&fast, 1}, {&slow, -2}}), "device type 'slow' (count -2, must be >= 1)"},
      {Fleet({{&fast, 1}, {&fast, 2}}), "device type 'fast' given twice"},
      {Fleet({{&fast, 1}, {&zero_cost, 2}}), "device type 'slow': cost must be > 0"},
  };
  for (const Case& c : cases) {
    auto plan = Glet()->MakePlan(w, c.fleet, nullptr);
    ASSERT_EQ(plan.status().code(), StatusCode::kInvalidArgument) << c.expected;
    EXPECT_NE(plan.status().message().find(c.expected), std::string::npos)
        << plan.status().message();
  }
}

TEST(MixedFleetTest, CheckerValidatesEachDeviceAgainstItsTypesProfile) {
  auto fast = Fast();
  auto slow = Slow();
  const Fleet fleet({{&fast, 1}, {&slow, 4}});
  auto plan = Glet()->MakePlan(Workload{{ModelDemand{"a", 1000, 20, 8}}}, fleet, nullptr);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  PlanChecker both(fleet.Profiles(), true);
  EXPECT_TRUE(both.Check(*plan).ok()) << Join(both.Check(*plan).violations, "; ");
  PlanChecker fast_only({{"fast", &fast}}, true);
  CheckReport r = fast_only.Check(*plan);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.violations.front(), "device 1: unknown device type 'slow'");
  // The fast device checked against slow's latencies misses its SLO.
  Plan swapped = *plan;
  swapped.devices[0].type = "slow";
  CheckReport s = both.Check(swapped);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.violations.front().find("device 0 glet 0 (100%) model a"), std::string::npos)
      << s.violations.front();
}

TEST(MixedFleetTest, MinDevicesLowersTheExpensiveTypeFirst) {
  auto fast = Fast(1);
  auto slow = Slow(0.25);
  auto planner = Glet();
  Workload w{{ModelDemand{"a", 1000, 20, 8}}};
  // Slow is preferred (1200 per unit of cost) but its two devices hold 600 rps: nearest that,
  // 400 rps go to one fast device (cost 1.5). Devices come whole: the fast device holds 700
  // rps, so one slow device does for the rest (cost 1.25), and the planner takes that.
  std::vector<std::string> explain;
  auto whole = planner->MakePlan(w, Fleet({{&fast, 4}, {&slow, 2}}), &explain);
  ASSERT_TRUE(whole.ok());
  EXPECT_EQ(Fleet({{&fast, 4}, {&slow, 2}}).UsedPerPool(*whole), (std::vector<int>{1, 1}));
  EXPECT_TRUE(Contains(explain,
                       "cost 1.25, less than at the split nearest each model's cheapest "
                       "type (devices come whole)"))
      << Join(explain, "\n");
  EXPECT_TRUE(Contains(explain, "but devices come whole and this split costs less in all"));
  // --min-devices: lowering fast (the expensive type) loses the fit, lowering slow too.
  auto min = FindMinDevices(*planner, w, Fleet({{&fast, 4}, {&slow, 2}}));
  ASSERT_TRUE(min.ok()) << min.status().ToString();
  EXPECT_EQ(min->per_pool, (std::vector<int>{1, 1}));
  EXPECT_EQ(min->devices, 2);
  EXPECT_DOUBLE_EQ(min->cost, 1.25);
  EXPECT_EQ(min->plan.UsedDevices(), 2);
  // A type can drop out entirely.
  auto only_slow = FindMinDevices(*planner, w.Scaled(0.5), Fleet({{&fast, 4}, {&slow, 4}}));
  ASSERT_TRUE(only_slow.ok()) << only_slow.status().ToString();
  EXPECT_EQ(only_slow->per_pool, (std::vector<int>{0, 2}));
  EXPECT_DOUBLE_EQ(only_slow->cost, 0.5);
}

TEST(MixedFleetTest, ReferenceGpuAndCpuProfiles) {
  auto ref = glet::testing::RefGpuProfile();
  auto cpu =
      perf::DeviceProfile::LoadDir(glet::testing::SourcePath("resource/profiles/cpu")).value();
  auto planner = MakePlanner("glet", PlannerOptions{}).value();
  // The CPU measures only partitions 50 and 100 and only lenet and mobilenet_v2.
  Workload w{{ModelDemand{"mobilenet_v2", 100, 64, 32}, ModelDemand{"resnet50", 100, 108, 32}}};
  auto gpu_only = FindPeakScale(*planner, w, Fleet{&ref, 1});
  auto mixed = FindPeakScale(*planner, w, Fleet({{&ref, 1}, {&cpu, 1}}));
  ASSERT_TRUE(gpu_only.ok()) << gpu_only.status().ToString();
  ASSERT_TRUE(mixed.ok()) << mixed.status().ToString();
  EXPECT_GE(mixed->scale, gpu_only->scale);
  PlanChecker checker({{"ref-gpu", &ref}, {"cpu", &cpu}}, true);
  EXPECT_TRUE(checker.Check(mixed->plan).ok());
  for (const PlannedDevice& d : mixed->plan.devices) {
    if (d.type == "cpu") {
      for (const PlannedGlet& g : d.glets) {
        EXPECT_TRUE(g.partition == 50 || g.partition == 100);
        for (const PlannedModel& m : g.models) {
          EXPECT_EQ(m.model, "mobilenet_v2");
        }
      }
    }
  }
}

}  // namespace
}  // namespace glet::sched
