// Feasibility must be monotone in rate and device count: more devices never hurt, less load
// never hurts. Checked over random cases on the reference profile with a fixed seed.
#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "core/strings.h"
#include "sched/plan_checker.h"
#include "sched/plan_search.h"
#include "sched/planner_factory.h"
#include "testing/ref_profile.h"
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
  auto ref = glet::testing::RefGpuProfile();
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

// Several device types: one more device of any type never turns a fit into a failure, and less
// load never hurts. ref-gpu (cost 1) with a copy twice as slow at a fifth of the price (each
// cheaper for some models, not for others) and the CPU (mobilenet_v2 only, with a loose SLO).
TEST(MixedMonotonicityTest, MoreDevicesOfAnyTypeAndLessLoadNeverHurt) {
  glet::testing::TempDir dir;
  const std::string ref_dir = glet::testing::SourcePath("resource/profiles/ref-gpu");
  std::filesystem::create_directories(dir.path() + "/ref-gpu-x2");
  dir.WriteFile("ref-gpu-x2/device.json",
                R"({"base": ")" + ref_dir + R"(", "time_scale": 2, "cost": 0.2})");
  auto ref = perf::DeviceProfile::LoadDir(ref_dir).value();
  auto slow = perf::DeviceProfile::LoadDir(dir.path() + "/ref-gpu-x2").value();
  auto cpu =
      perf::DeviceProfile::LoadDir(glet::testing::SourcePath("resource/profiles/cpu")).value();
  static const std::vector<std::pair<std::string, double>> kModels = {
      {"resnet50", 108}, {"vgg16", 142}, {"mobilenet_v2", 400}, {"googlenet", 112}};
  auto planner = MakePlanner("glet", PlannerOptions{}).value();
  PlanChecker checker({{"ref-gpu", &ref}, {"ref-gpu-x2", &slow}, {"cpu", &cpu}}, true);
  std::mt19937 rng(11);
  std::uniform_real_distribution<double> rate(20, 500);
  constexpr int kMax = 3;
  int fit_count = 0;
  int fail_count = 0;
  for (int trial = 0; trial < 6; ++trial) {
    Workload w;
    for (const auto& [model, slo] : kModels) {
      if (w.models.empty() || rng() % 2 == 0) {
        w.models.push_back(ModelDemand{model, rate(rng), slo, 32});
      }
    }
    const bool with_cpu = trial % 3 == 2;
    std::vector<bool> prev;  // fits per (gpus, slows) at the previous, smaller scale
    for (double scale : {1.0, 2.5, 5.0}) {
      std::vector<bool> fits(kMax * kMax);
      for (int g = 1; g <= kMax; ++g) {
        for (int x = 1; x <= kMax; ++x) {
          std::vector<DevicePool> pools = {{&ref, g}, {&slow, x}};
          if (with_cpu) {
            pools.push_back({&cpu, 1});
          }
          auto plan = planner->MakePlan(w.Scaled(scale), Fleet(pools), nullptr);
          ASSERT_TRUE(plan.ok() || plan.status().code() == StatusCode::kResourceExhausted)
              << plan.status().ToString();
          fits[(g - 1) * kMax + (x - 1)] = plan.ok();
          ++(plan.ok() ? fit_count : fail_count);
          if (plan.ok()) {
            EXPECT_TRUE(checker.Check(*plan).ok()) << Join(checker.Check(*plan).violations, "; ");
          }
        }
      }
      for (int g = 1; g <= kMax; ++g) {
        for (int x = 1; x <= kMax; ++x) {
          const bool here = fits[(g - 1) * kMax + (x - 1)];
          const std::string where = "trial " + std::to_string(trial) + " scale " +
                                    FormatDouble(scale, 1) + " ref-gpu:" + std::to_string(g) +
                                    ",ref-gpu-x2:" + std::to_string(x);
          if (here && g < kMax) {
            EXPECT_TRUE(fits[g * kMax + (x - 1)]) << where << " + 1 ref-gpu";
          }
          if (here && x < kMax) {
            EXPECT_TRUE(fits[(g - 1) * kMax + x]) << where << " + 1 ref-gpu-x2";
          }
          if (!prev.empty() && prev[(g - 1) * kMax + (x - 1)] == false) {
            EXPECT_FALSE(here) << where << " fits, but not at a smaller scale";
          }
        }
      }
      prev = fits;
    }
  }
  // The cases span the boundary.
  EXPECT_GT(fit_count, 20);
  EXPECT_GT(fail_count, 20);
}

TEST(PlanSearchTest, PeakScaleIsTheLargestThatFits) {
  auto ref = glet::testing::RefGpuProfile();
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
