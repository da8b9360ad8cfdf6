// The merge bound (PlannerOptions::prune_fits, MayFitGlet) only saves time: plans made with and
// without it are identical, on sched_bench's 100-model planning-time workload and on a small
// case of the exhaustive planner.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "sched/optimal_planner.h"
#include "sched/planner_factory.h"
#include "testing/ref_profile.h"
#include "testing/test_util.h"

namespace glet::sched {
namespace {

perf::DeviceProfile RefGpu() { return glet::testing::RefGpuProfile(); }

// sched_bench's BM_Plan workload: n models cloned from the reference ones (aliases), random
// rates 20-400 rps, seed 11.
Workload CloneWorkload(int n, perf::DeviceProfile& profile) {
  const std::vector<std::pair<std::string, double>> base = {
      {"resnet50", 108},    {"vgg16", 142},          {"mobilenet_v2", 64},
      {"googlenet", 112},   {"ssd-mobilenetv1", 90}, {"lenet1", 20},
      {"densenet161", 202}, {"mnasnet1_0", 62},      {"bert", 22}};
  std::mt19937 rng(11);
  Workload w;
  for (int i = 0; i < n; ++i) {
    const auto& [model, slo] = base[i % base.size()];
    const std::string name = "m" + std::to_string(i);
    profile.aliases[name] = model;
    w.models.push_back(
        ModelDemand{name, std::uniform_real_distribution<double>(20, 400)(rng), slo, 32});
  }
  return w;
}

TEST(FitPruningPlanTest, HundredModelPlanIsIdenticalWithAndWithoutTheBound) {
  perf::DeviceProfile ref = RefGpu();
  const Workload w = CloneWorkload(100, ref);
  for (const char* policy : {"glet", "glet-notype"}) {
    PlannerOptions pruned;
    PlannerOptions unpruned;
    unpruned.prune_fits = false;
    auto a = MakePlanner(policy, pruned).value()->MakePlan(w, Fleet{&ref, 1000}, nullptr);
    auto b = MakePlanner(policy, unpruned).value()->MakePlan(w, Fleet{&ref, 1000}, nullptr);
    ASSERT_TRUE(a.ok()) << policy << ": " << a.status().ToString();
    ASSERT_TRUE(b.ok()) << policy << ": " << b.status().ToString();
    EXPECT_EQ(a->ToJson().dump(), b->ToJson().dump()) << policy;
    if (std::string(policy) == "glet") {
      // What the planner used before the bound (docs/benchmarks.md, planning time).
      EXPECT_LE(a->UsedDevices(), 30);
    }
  }
}

TEST(FitPruningPlanTest, OptimalPlanIsIdenticalWithAndWithoutTheBound) {
  perf::DeviceProfile ref = RefGpu();
  Workload w{{ModelDemand{"resnet50", 150, 108, 32}, ModelDemand{"googlenet", 220, 112, 32},
              ModelDemand{"mobilenet_v2", 90, 64, 32}}};
  PlannerOptions unpruned;
  unpruned.prune_fits = false;
  auto a = OptimalPlanner(PlannerOptions{}).MakePlan(w, Fleet{&ref, 2}, nullptr);
  auto b = OptimalPlanner(unpruned).MakePlan(w, Fleet{&ref, 2}, nullptr);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(a->ToJson().dump(), b->ToJson().dump());
  auto peak_a = OptimalPlanner(PlannerOptions{}).PeakScale(w, Fleet{&ref, 2});
  auto peak_b = OptimalPlanner(unpruned).PeakScale(w, Fleet{&ref, 2});
  ASSERT_TRUE(peak_a.ok()) << peak_a.status().ToString();
  ASSERT_TRUE(peak_b.ok()) << peak_b.status().ToString();
  EXPECT_EQ(peak_a->first, peak_b->first);
  EXPECT_EQ(peak_a->second.ToJson().dump(), peak_b->second.ToJson().dump());
}

}  // namespace
}  // namespace glet::sched
