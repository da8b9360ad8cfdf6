// Cases shared by the planner tests (glet_planner_test.cpp, gpulet_planner_test.cpp): the
// reference profile, and a hand-computed case that the glet and gpulet policies must plan alike.
#pragma once

#include <gtest/gtest.h>

#include "perf/device_profile.h"
#include "sched/plan.h"
#include "sched/planner.h"
#include "sched/sched_test_util.h"
#include "testing/ref_profile.h"
#include "testing/test_util.h"

namespace glet::sched::testing {

using glet::testing::RefGpuProfile;

// One model "a", E(b, p) = (2 + b) x 100 / p, at 1000 rps with a 20 ms SLO and batches up to 8,
// on partitions 20/50/100 with mean-rate margins. A saturated glet (2 E <= 20) serves 8 rps/% at
// 100% (batch 8, 800 rps), 6 rps/% at 50% (batch 3) and nothing at 20%: one saturated 100% glet,
// then the 200 rps residue at 50% (batch 2 in a 10 ms cycle, occupancy 0.8), which 20% cannot
// hold (E(1) = 15 leaves 5 ms of the cycle). Two devices; one is too few.
struct SaturatedResidueCase {
  perf::DeviceProfile profile;
  PlannerOptions options;
  Workload workload;
};
inline SaturatedResidueCase MakeSaturatedResidueCase() {
  SaturatedResidueCase c{MakeProfile({{"a"}}), MeanRateOptions(),
                         Workload{{ModelDemand{"a", 1000, 20, 8}}}};
  c.options.partitions = {20, 50, 100};
  return c;
}

// Checks `plan` is the plan MakeSaturatedResidueCase() describes.
inline void ExpectSaturatedGletThenResidueAt50(const Plan& plan) {
  ASSERT_EQ(plan.UsedDevices(), 2);
  const PlannedGlet& sat = plan.devices[0].glets[0];
  EXPECT_EQ(sat.partition, 100);
  EXPECT_EQ(sat.models[0].batch, 8);
  EXPECT_DOUBLE_EQ(sat.models[0].rate_rps, 800);
  EXPECT_DOUBLE_EQ(sat.duty_ms, 10);
  EXPECT_DOUBLE_EQ(sat.models[0].expected_latency_ms, 20);
  const PlannedGlet& res = plan.devices[1].glets[0];
  EXPECT_EQ(res.partition, 50);
  EXPECT_EQ(res.models[0].batch, 2);
  EXPECT_DOUBLE_EQ(res.models[0].rate_rps, 200);
  EXPECT_DOUBLE_EQ(res.duty_ms, 10);
  EXPECT_DOUBLE_EQ(res.occupancy, 0.8);
  EXPECT_EQ(plan.ToModelList(), "0,100,0,a,8,10.000\n1,50,0,a,2,10.000\n");
}

}  // namespace glet::sched::testing
