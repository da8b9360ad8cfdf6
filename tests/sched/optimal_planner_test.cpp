#include "sched/optimal_planner.h"

#include <gtest/gtest.h>

#include "sched/plan_checker.h"
#include "sched/sched_test_util.h"
#include "testing/ref_profile.h"
#include "testing/test_util.h"

namespace glet::sched {
namespace {

using testing::MakeProfile;

TEST(OptimalPlannerTest, FindsTheHandComputedOptimum) {
  // Model a: one 100% glet serves 800 rps (batch 8), two 50% glets 2 x 300, 20% nothing.
  auto p = MakeProfile({{"a"}});
  PlannerOptions o = testing::MeanRateOptions();
  o.partitions = {20, 50, 100};
  OptimalPlanner planner(o);
  Workload w{{ModelDemand{"a", 100, 20, 8}}};
  auto one = planner.PeakScale(w, Fleet{&p, 1});
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  EXPECT_NEAR(one->first, 8.0, 1e-9);
  auto two = planner.PeakScale(w, Fleet{&p, 2});
  ASSERT_TRUE(two.ok());
  EXPECT_NEAR(two->first, 16.0, 1e-9);
  // MakePlan: fits at 8x, not above.
  EXPECT_TRUE(planner.MakePlan(w.Scaled(8), Fleet{&p, 1}, nullptr).ok());
  EXPECT_EQ(planner.MakePlan(w.Scaled(8.1), Fleet{&p, 1}, nullptr).status().code(),
            StatusCode::kResourceExhausted);
}

TEST(OptimalPlannerTest, PlansAreValidAndAtLeastTheTemporalBaseline) {
  auto ref = glet::testing::RefGpuProfile();
  PlanChecker checker({{"ref-gpu", &ref}}, true);
  OptimalPlanner planner({});
  Workload w{{ModelDemand{"resnet50", 100, 108, 32}, ModelDemand{"mobilenet_v2", 100, 64, 32}}};
  auto peak = planner.PeakScale(w, Fleet{&ref, 2});
  ASSERT_TRUE(peak.ok()) << peak.status().ToString();
  CheckReport r = checker.Check(peak->second);
  EXPECT_TRUE(r.ok()) << r.violations.front();
  PlannerOptions whole;
  whole.partitions = {100};
  auto temporal = OptimalPlanner(whole).PeakScale(w, Fleet{&ref, 2});
  ASSERT_TRUE(temporal.ok());
  EXPECT_GE(peak->first, temporal->first);
}

TEST(OptimalPlannerTest, RejectsCasesBeyondItsLimits) {
  auto p = MakeProfile({{"a"}});
  OptimalPlanner planner({});
  auto r = planner.PeakScale(Workload{{ModelDemand{"a", 1, 20, 8}}}, Fleet{&p, 9});
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("at most 4 devices"), std::string::npos);
}

}  // namespace
}  // namespace glet::sched
