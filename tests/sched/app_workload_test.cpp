#include "sched/app_workload.h"

#include <gtest/gtest.h>

#include "sched/sched_test_util.h"

namespace glet::sched {
namespace {

using testing::MakeProfile;

model::AppSpec Chain(double slo_ms, double fanout) {
  model::AppSpec app;
  app.name = "chain";
  app.slo_ms = slo_ms;
  model::AppStage a;
  a.id = "first";
  a.model = "a";
  a.inputs = {"in"};
  a.max_batch = 8;
  a.fanout = fanout;
  model::AppStage b;
  b.id = "second";
  b.model = "b";
  b.inputs = {"first"};
  b.max_batch = 8;
  app.stages = {a, b};
  app.outputs = {"second"};
  return app;
}

TEST(AppWorkloadTest, PropagatesRatesAndSplitsTheSloOverTheChain) {
  // b is twice as slow as a: the split gives b the larger budget.
  auto p = MakeProfile({{"a", 2, 1}, {"b", 4, 2}}, {20, 50, 100}, 8);
  PlannerOptions o;
  o.partitions = {20, 50, 100};
  auto r = SplitApp(Chain(60, 2), 100, p, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->stages.size(), 2u);
  EXPECT_DOUBLE_EQ(r->stages[0].rate_rps, 100);
  EXPECT_DOUBLE_EQ(r->stages[1].rate_rps, 200);  // fanout 2
  EXPECT_EQ(r->stages[1].level, 1);
  EXPECT_LE(r->stages[0].slo_ms + r->stages[1].slo_ms, 60 + 1e-9);
  EXPECT_GT(r->stages[1].slo_ms, r->stages[0].slo_ms);
  // Each budget leaves the stage feasible: 2 * E(1) at 100% within it.
  EXPECT_GE(r->stages[0].slo_ms, 2 * 3.0);
  EXPECT_GE(r->stages[1].slo_ms, 2 * 6.0);
  ASSERT_EQ(r->workload.models.size(), 2u);
  EXPECT_EQ(r->workload.models[1].model, "b");
}

TEST(AppWorkloadTest, InfeasibleSloAndBadRateAreInvalidArguments) {
  auto p = MakeProfile({{"a"}, {"b"}}, {100}, 8);
  PlannerOptions o;
  o.partitions = {100};
  // Each stage needs at least 2 x 3 ms; 10 ms cannot hold both.
  auto tight = SplitApp(Chain(10, 1), 10, p, o);
  EXPECT_EQ(tight.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(tight.status().message().find("cannot be split"), std::string::npos)
      << tight.status().message();
  EXPECT_EQ(SplitApp(Chain(60, 1), -1, p, o).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace glet::sched
