#include "sched/glet_planner.h"

#include <gtest/gtest.h>

#include "sched/plan_checker.h"
#include "sched/planner_factory.h"
#include "sched/planner_test_util.h"
#include "sched/sched_test_util.h"
#include "testing/test_util.h"

namespace glet::sched {
namespace {

using testing::MakeProfile;

std::unique_ptr<Planner> Policy(const std::string& name, PlannerOptions o = {}) {
  return MakePlanner(name, o).value();
}

TEST(GletPlannerTest, SaturatedGletsThenResidueAtSmallestPartition) {
  const testing::SaturatedResidueCase c = testing::MakeSaturatedResidueCase();
  std::vector<std::string> explain;
  auto plan = Policy("glet", c.options)->MakePlan(c.workload, Fleet{&c.profile, 4}, &explain);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  // 100% serves 8 rps/% (800 rps), 50% 6 rps/% -> one saturated 100% glet (800 rps, batch 8,
  // duty 10 ms); the 200 rps residue fits at 50% (batch 2, duty 10 ms), not at 20%.
  testing::ExpectSaturatedGletThenResidueAt50(*plan);
  EXPECT_DOUBLE_EQ(plan->PlacedRate("a"), 1000);
  EXPECT_FALSE(explain.empty());
}

TEST(GletPlannerTest, FailsNamingWhatDoesNotFit) {
  const testing::SaturatedResidueCase c = testing::MakeSaturatedResidueCase();
  auto plan = Policy("glet", c.options)->MakePlan(c.workload, Fleet{&c.profile, 1}, nullptr);
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(plan.status().message().find("does not fit on 1 synth device(s)"), std::string::npos)
      << plan.status().message();
  EXPECT_NE(plan.status().message().find("a 200.0 rps"), std::string::npos)
      << plan.status().message();
}

TEST(GletPlannerTest, MergesResiduesIntoOneTimeSharedGlet) {
  auto p = MakeProfile({{"a"}, {"b"}});
  PlannerOptions o = testing::MeanRateOptions();
  o.partitions = {100};
  Workload w{{ModelDemand{"a", 100, 20, 8}, ModelDemand{"b", 100, 20, 8}}};
  auto plan = Policy("temporal", o)->MakePlan(w, Fleet{&p, 1}, nullptr);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  ASSERT_EQ(plan->devices.size(), 1u);
  ASSERT_EQ(plan->devices[0].glets.size(), 1u);
  const PlannedGlet& g = plan->devices[0].glets[0];
  EXPECT_EQ(g.models.size(), 2u);
  EXPECT_DOUBLE_EQ(g.duty_ms, 10);  // see GletFitTest.TwoResiduesShareOneCycle
  EXPECT_DOUBLE_EQ(g.occupancy, 0.6);
  for (const PlannedModel& m : g.models) {
    EXPECT_DOUBLE_EQ(m.expected_latency_ms, 16);  // 10 + 3 + 3: may queue behind the other
  }
}

TEST(GletPlannerTest, MemoryLimitsGletsPerDevice) {
  // Each glet takes 5000 MiB + 300 MiB context: two of them (10600) fit in 11264, three do not.
  auto p = MakeProfile({{"a", 2, 1, 5000}, {"b", 2, 1, 5000}, {"c", 2, 1, 5000}});
  PlannerOptions o = testing::MeanRateOptions();
  o.partitions = {20};
  // Each model alone on a 20% glet: E(1,20) = 15, SLO 40.
  Workload w{
      {ModelDemand{"a", 10, 40, 4}, ModelDemand{"b", 10, 40, 4}, ModelDemand{"c", 10, 40, 4}}};
  auto plan = Policy("glet-notype", o)->MakePlan(w, Fleet{&p, 4}, nullptr);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  // Merging two 20% residues into one glet would fit in time (occupancy < 1) and memory, so
  // either way no device holds more than 10600 MiB.
  for (const PlannedDevice& d : plan->devices) {
    double mem = 0;
    for (const PlannedGlet& g : d.glets) {
      mem += 300 + 5000 * g.models.size();
    }
    EXPECT_LE(mem, 11264);
  }
}

TEST(GletPlannerTest, InterferenceIsCheckedOnEveryPlacement) {
  // Every shared device slows each glet by 1.5 (c4 = 1.5): two 50% glets side by side must be
  // sized for it. glet-noint ignores it and its plan fails the interference-aware check.
  auto p = MakeProfile({{"a"}, {"b"}}, {50}, 32, {0, 0, 0, 0, 1.5});
  PlannerOptions o = testing::MeanRateOptions();
  o.partitions = {50};
  Workload w{{ModelDemand{"a", 250, 20, 8}, ModelDemand{"b", 250, 20, 8}}};
  PlanChecker checker({{"synth", &p}}, /*interference=*/true);
  auto noint = Policy("glet-noint", o)->MakePlan(w, Fleet{&p, 4}, nullptr);
  ASSERT_TRUE(noint.ok()) << noint.status().ToString();
  EXPECT_EQ(noint->UsedDevices(), 1);
  EXPECT_FALSE(checker.Check(*noint).ok());
  auto glet = Policy("glet", o)->MakePlan(w, Fleet{&p, 4}, nullptr);
  ASSERT_TRUE(glet.ok()) << glet.status().ToString();
  EXPECT_TRUE(checker.Check(*glet).ok());
  EXPECT_GE(glet->UsedDevices(), 2);
}

TEST(GletPlannerTest, LowRatesWithPoissonInflationTerminateAndAreValid) {
  auto ref = testing::RefGpuProfile();
  PlannerOptions o = testing::MeanRateOptions();
  o.margins.poisson_quantile = 0.99;
  Workload w{{ModelDemand{"resnet50", 0.5, 108, 32}, ModelDemand{"vgg16", 3, 142, 32},
              ModelDemand{"mobilenet_v2", 1, 64, 32}}};
  auto plan = Policy("glet", o)->MakePlan(w, Fleet{&ref, 4}, nullptr);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(plan->UsedDevices(), 1);
}

TEST(GletPlannerTest, EveryPolicyPlansTheReferenceScenariosValidly) {
  auto ref = testing::RefGpuProfile();
  PlanChecker checker({{"ref-gpu", &ref}}, true);
  for (const char* file : {"scenario1.csv", "scenario2.csv", "scenario3.csv"}) {
    auto w = LoadRatesCsv(glet::testing::SourcePath(std::string("resource/rates/") + file));
    ASSERT_TRUE(w.ok()) << w.status().ToString();
    for (const char* policy : {"glet", "glet-notype", "temporal", "greedy-split"}) {
      auto plan = Policy(policy)->MakePlan(*w, Fleet{&ref, 16}, nullptr);
      ASSERT_TRUE(plan.ok()) << file << " " << policy << ": " << plan.status().ToString();
      CheckReport r = checker.Check(*plan);
      EXPECT_TRUE(r.ok()) << file << " " << policy << ": " << r.violations.front();
    }
  }
}

TEST(GletPlannerTest, RejectsBadInput) {
  auto ref = testing::RefGpuProfile();
  auto planner = Policy("glet");
  auto unknown =
      planner->MakePlan(Workload{{ModelDemand{"nope", 10, 100, 32}}}, Fleet{&ref, 2}, nullptr);
  EXPECT_EQ(unknown.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(unknown.status().message().find("unknown model 'nope'"), std::string::npos);
  auto zero =
      planner->MakePlan(Workload{{ModelDemand{"resnet50", 0, 100, 32}}}, Fleet{&ref, 2}, nullptr);
  EXPECT_EQ(zero.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(zero.status().message().find("'rate_rps': must be > 0"), std::string::npos);
  auto tight =
      planner->MakePlan(Workload{{ModelDemand{"resnet50", 10, 5, 32}}}, Fleet{&ref, 2}, nullptr);
  EXPECT_EQ(tight.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(tight.status().message().find("'resnet50' is infeasible at any size"),
            std::string::npos);
  auto empty =
      planner->MakePlan(Workload{{ModelDemand{"resnet50", 10, 100, 32}}}, Fleet{&ref, 0}, nullptr);
  EXPECT_EQ(empty.status().code(), StatusCode::kInvalidArgument);
  auto huge = planner->MakePlan(Workload{{ModelDemand{"resnet50", 1e12, 108, 32}}}, Fleet{&ref, 2},
                                nullptr);
  EXPECT_EQ(huge.status().code(), StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace glet::sched
