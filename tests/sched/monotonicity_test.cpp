// Feasibility must be monotone in rate and device count: more devices never hurt, less load
// never hurts. Checked over random cases on the reference profile with a fixed seed.
#include <gtest/gtest.h>

#include <random>

#include "sched/plan_checker.h"
#include "sched/plan_search.h"
#include "sched/planner_factory.h"
#include "testing/test_util.h"

namespace glet::sched {
namespace {

Workload RandomWorkload(std::mt19937& rng) {
  static const std::vector<std::pair<std::string, double>> kModels = {
      {"resnet50", 108},       {"vgg16", 142}, {"mobilenet_v2", 64}, {"googlenet", 112},
      {"ssd-mobilenetv1", 90}, {"lenet1", 20}, {"densenet161", 202}, {"bert", 22}};
  std::uniform_int_distribution<int> count(1, 4);
  std::uniform_real_distribution<double> rate(1, 600);
  std::vector<int> idx(kModels.size());
  for (size_t i = 0; i < idx.size(); ++i) {
    idx[i] = static_cast<int>(i);
  }
  std::shuffle(idx.begin(), idx.end(), rng);
  Workload w;
  int n = count(rng);
  for (int i = 0; i < n; ++i) {
    w.models.push_back(ModelDemand{kModels[idx[i]].first, rate(rng), kModels[idx[i]].second, 32});
  }
  return w;
}

class MonotonicityTest : public ::testing::TestWithParam<const char*> {};

TEST_P(MonotonicityTest, LessLoadAndMoreDevicesNeverHurt) {
  auto ref =
      perf::DeviceProfile::LoadDir(glet::testing::SourcePath("resource/profiles/ref-gpu")).value();
  auto planner = MakePlanner(GetParam(), PlannerOptions{}).value();
  PlanChecker checker({{"ref-gpu", &ref}}, std::string(GetParam()) != "glet-noint");
  std::mt19937 rng(42);
  for (int trial = 0; trial < 25; ++trial) {
    Workload w = RandomWorkload(rng);
    int prev_devices = 0;
    for (double scale : {0.25, 0.5, 1.0, 1.5, 2.0, 3.0}) {
      auto min = FindMinDevices(*planner, w.Scaled(scale), ref, 64);
      ASSERT_TRUE(min.ok()) << min.status().ToString();
      EXPECT_GE(min->devices, prev_devices) << "trial " << trial << " scale " << scale;
      prev_devices = min->devices;
      EXPECT_TRUE(checker.Check(min->plan).ok());
      // Every budget above the minimum fits too.
      for (int extra = 1; extra <= 2; ++extra) {
        auto more = planner->MakePlan(w.Scaled(scale), Fleet{&ref, min->devices + extra}, nullptr);
        EXPECT_TRUE(more.ok()) << "trial " << trial << " scale " << scale;
      }
      if (min->devices > 1) {
        auto fewer = planner->MakePlan(w.Scaled(scale), Fleet{&ref, min->devices - 1}, nullptr);
        EXPECT_EQ(fewer.status().code(), StatusCode::kResourceExhausted);
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Policies, MonotonicityTest,
                         ::testing::Values("glet", "glet-noint", "glet-notype", "temporal",
                                           "greedy-split"));

TEST(PlanSearchTest, PeakScaleIsTheLargestThatFits) {
  auto ref =
      perf::DeviceProfile::LoadDir(glet::testing::SourcePath("resource/profiles/ref-gpu")).value();
  auto planner = MakePlanner("glet", PlannerOptions{}).value();
  Workload w{{ModelDemand{"resnet50", 100, 108, 32}, ModelDemand{"vgg16", 100, 142, 32}}};
  auto peak = FindPeakScale(*planner, w, Fleet{&ref, 2}, 1e-4);
  ASSERT_TRUE(peak.ok()) << peak.status().ToString();
  EXPECT_TRUE(planner->MakePlan(w.Scaled(peak->scale), Fleet{&ref, 2}, nullptr).ok());
  EXPECT_FALSE(planner->MakePlan(w.Scaled(peak->scale * 1.01), Fleet{&ref, 2}, nullptr).ok());
  // Monotone in the device count.
  auto peak4 = FindPeakScale(*planner, w, Fleet{&ref, 4}, 1e-4);
  ASSERT_TRUE(peak4.ok());
  EXPECT_GE(peak4->scale, peak->scale);
}

}  // namespace
}  // namespace glet::sched
