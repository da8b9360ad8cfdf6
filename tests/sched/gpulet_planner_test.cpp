#include "sched/gpulet_planner.h"

#include <gtest/gtest.h>

#include <random>

#include "sched/plan_checker.h"
#include "sched/planner_factory.h"
#include "sched/planner_test_util.h"
#include "sched/sched_test_util.h"

namespace glet::sched {
namespace {

using testing::MakeProfile;

std::unique_ptr<Planner> Gpulet(PlannerOptions o) { return MakePlanner("gpulet", o).value(); }

// A profile where small partitions are the most cost-effective (as on real GPUs):
// E(b, p) = (2 + b) x f(p), f = 2, 1.5, 1.2, 1 at 20, 50, 80, 100%.
perf::DeviceProfile SublinearProfile(const std::vector<std::string>& models) {
  perf::DeviceProfile p;
  p.type = "synth";
  std::vector<perf::LatencyRow> rows;
  std::map<std::string, std::map<int, perf::UtilSample>> util;
  const std::vector<std::pair<int, double>> factor = {{20, 2}, {50, 1.5}, {80, 1.2}, {100, 1}};
  for (const std::string& m : models) {
    for (auto [part, f] : factor) {
      for (int b = 1; b <= 8; ++b) {
        rows.push_back({m, part, b, (2.0 + b) * f});
      }
    }
    util[m][1] = perf::UtilSample{0.5, 0.2, 0.4};
    p.model_mem_mib[m] = 1000;
  }
  p.latency = perf::LatencyProfile::FromRows(rows, "synth.csv").value();
  p.interference = perf::InterferenceModel::FromParts({0, 0, 0, 0, 1}, util);
  return p;
}

bool HasLine(const std::vector<std::string>& lines, const std::string& prefix) {
  for (const std::string& l : lines) {
    if (l.rfind(prefix, 0) == 0) {
      return true;
    }
  }
  return false;
}

TEST(GpuletPlannerTest, IsRegisteredAsAPolicy) {
  const auto& names = PolicyNames();
  EXPECT_NE(std::find(names.begin(), names.end(), "gpulet"), names.end());
  EXPECT_EQ(Gpulet({})->name(), "gpulet");
}

TEST(GpuletPlannerTest, SaturatedGpuletThenResidueOnSmallestPartition) {
  const testing::SaturatedResidueCase c = testing::MakeSaturatedResidueCase();
  std::vector<std::string> explain;
  auto plan = Gpulet(c.options)->MakePlan(c.workload, Fleet{&c.profile, 4}, &explain);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  // Saturated (2 E <= 20): 100% b8 800 rps (8 rps/%), 50% b3 300 rps (6 rps/%), 20% none:
  // p_eff = 100%, one saturated gpu-let, residue 200 rps. Residue at 20%: E(1) = 15 leaves 5 ms
  // of cycle: no. At 50%: the largest batch whose cycle (b x 5 ms) fits E <= D, D + E <= 20 is
  // 3 (E 10, D 10); 2 arrivals per 10 ms need batch 2 (E 8, occupancy 0.8).
  testing::ExpectSaturatedGletThenResidueAt50(*plan);
  EXPECT_EQ(plan->policy, "gpulet");
  EXPECT_TRUE(HasLine(explain, "a: 1000.0 rps, slo 20.0 ms; most cost-effective partition 100%"));
}

TEST(GpuletPlannerTest, MergesResiduesByTemporalSharing) {
  auto p = MakeProfile({{"a"}, {"b"}});
  PlannerOptions o = testing::MeanRateOptions();
  o.partitions = {100};
  Workload w{{ModelDemand{"a", 100, 20, 8}, ModelDemand{"b", 100, 20, 8}}};
  std::vector<std::string> explain;
  auto plan = Gpulet(o)->MakePlan(w, Fleet{&p, 4}, &explain);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  // a's residue: the largest batch whose cycle fits is 8 (E 10, D = min(20 - 10, 8 x 10) = 10);
  // one arrival per 10 ms needs batch 1. b joins with its largest batch whose cycle fits within
  // 10 ms (8 again): both at batch 1 (E 3) in one 10 ms cycle, occupancy 0.6.
  ASSERT_EQ(plan->UsedDevices(), 1);
  ASSERT_EQ(plan->devices[0].glets.size(), 1u);
  const PlannedGlet& g = plan->devices[0].glets[0];
  ASSERT_EQ(g.models.size(), 2u);
  EXPECT_DOUBLE_EQ(g.duty_ms, 10);
  EXPECT_DOUBLE_EQ(g.occupancy, 0.6);
  EXPECT_EQ(g.models[0].batch, 1);
  EXPECT_EQ(g.models[1].batch, 1);
  EXPECT_TRUE(HasLine(explain, "merge: b residue 100.0 rps into 100% [a b1 100.0rps]"));
}

TEST(GpuletPlannerTest, AtMostTwoGpuletsPerGpuAndTheSecondTakesTheRemainder) {
  auto p = SublinearProfile({"a", "b", "c"});
  PlannerOptions o = testing::MeanRateOptions();
  o.partitions = {20, 50, 80, 100};
  // Saturated (2 E <= 100): batch 8 everywhere; per % 20%: 8/(10 x 2 x 20) beats the rest, so
  // each model gets one saturated 20% gpu-let (b8, 20 ms, 400 rps).
  Workload w{{ModelDemand{"a", 400, 100, 8}, ModelDemand{"b", 400, 100, 8},
              ModelDemand{"c", 400, 100, 8}}};
  auto plan = Gpulet(o)->MakePlan(w, Fleet{&p, 4}, nullptr);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  // a cuts GPU 0 into 20 + 80; b takes the whole 80% remainder (its batch and 20 ms cycle
  // kept: E = 12 at 80%); c needs a second GPU although 60% of GPU 0 would have held all three.
  ASSERT_EQ(plan->UsedDevices(), 2);
  ASSERT_EQ(plan->devices[0].glets.size(), 2u);
  EXPECT_EQ(plan->devices[0].glets[0].partition, 20);
  EXPECT_EQ(plan->devices[0].glets[0].models[0].model, "a");
  EXPECT_EQ(plan->devices[0].glets[1].partition, 80);
  EXPECT_EQ(plan->devices[0].glets[1].models[0].model, "b");
  EXPECT_DOUBLE_EQ(plan->devices[0].glets[1].duty_ms, 20);
  EXPECT_DOUBLE_EQ(plan->devices[0].glets[1].models[0].exec_ms, 12);
  EXPECT_DOUBLE_EQ(plan->devices[0].glets[1].models[0].rate_rps, 400);
  ASSERT_EQ(plan->devices[1].glets.size(), 1u);
  EXPECT_EQ(plan->devices[1].glets[0].partition, 20);
  EXPECT_EQ(plan->devices[1].glets[0].models[0].model, "c");
  // glet packs the three 20% glets onto one device.
  auto glet = MakePlanner("glet", o).value()->MakePlan(w, Fleet{&p, 4}, nullptr);
  ASSERT_TRUE(glet.ok()) << glet.status().ToString();
  EXPECT_EQ(glet->UsedDevices(), 1);
}

TEST(GpuletPlannerTest, RevertsAPlacementThatInterferenceWouldMakeMissItsSlo) {
  // Any shared GPU slows every glet by 1.5 (c4 = 1.5).
  auto p = MakeProfile({{"a"}, {"b"}}, {50}, 32, {0, 0, 0, 0, 1.5});
  PlannerOptions o = testing::MeanRateOptions();
  o.partitions = {50};
  Workload w{{ModelDemand{"a", 250, 20, 8}, ModelDemand{"b", 250, 20, 8}}};
  std::vector<std::string> explain;
  auto plan = Gpulet(o)->MakePlan(w, Fleet{&p, 4}, &explain);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  // E(b) = 4 + 2b at 50%. Saturated: b3, 300 rps > 250, so each model is one residue: the
  // largest batch whose cycle (b x 4 ms) fits E <= D, D + E <= 20 is 3 (E 10, D 10). Beside a,
  // b's batch would take 15 ms, its cycle stretch to 15 and its latency to 30 > 20: reverted,
  // b opens GPU 1.
  EXPECT_TRUE(HasLine(explain, "revert: 50% [b b3 250.0rps] duty 10.00ms on GPU 0"));
  ASSERT_EQ(plan->UsedDevices(), 2);
  for (const PlannedDevice& d : plan->devices) {
    ASSERT_EQ(d.glets.size(), 1u);
    EXPECT_DOUBLE_EQ(d.glets[0].duty_ms, 10);
    EXPECT_EQ(d.glets[0].models[0].batch, 3);
    EXPECT_DOUBLE_EQ(d.glets[0].models[0].alpha, 1);
  }
  PlanChecker checker({{"synth", &p}}, /*interference=*/true);
  EXPECT_TRUE(checker.Check(*plan).ok());
}

TEST(GpuletPlannerTest, RateLostToInterferenceIsPlannedAgain) {
  // Sharing slows every glet by 1.2: within the SLO, but a slowed cycle absorbs less.
  auto p = MakeProfile({{"a"}, {"b"}}, {50}, 32, {0, 0, 0, 0, 1.2});
  PlannerOptions o = testing::MeanRateOptions();
  o.partitions = {50};
  const double sat_rps = 4000.0 / 12;  // b4 (max_batch) at 50%: E = 12 ms, 2 E <= 40
  Workload w{{ModelDemand{"a", sat_rps, 40, 4}, ModelDemand{"b", sat_rps, 40, 4}}};
  std::vector<std::string> explain;
  auto plan = Gpulet(o)->MakePlan(w, Fleet{&p, 4}, &explain);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  // GPU 0: one saturated 50% gpu-let each; side by side their batches take 14.4 ms, so their
  // cycles stretch to 14.4 ms (latency 28.8 <= 40) and serve 4 / 14.4 ms = 277.8 rps each.
  // b's lost 55.6 rps becomes a residue on GPU 1 (largest batch 4: D = min(40 - 12, 72) = 28;
  // 1.56 arrivals per cycle need batch 2). a's lost 55.6 rps then shares that gpu-let: in a
  // shared gpu-let a request may queue behind every batch, so at 28 ms two batches of 2
  // (16 ms) would reach 44 ms > 40; a's batch-1 cycle, 1000 / 55.6 = 18 ms, holds 6 + 6 ms.
  ASSERT_EQ(plan->UsedDevices(), 2);
  ASSERT_EQ(plan->devices[0].glets.size(), 2u);
  for (const PlannedGlet& g : plan->devices[0].glets) {
    EXPECT_DOUBLE_EQ(g.duty_ms, 1.2 * 12);
    EXPECT_DOUBLE_EQ(g.models[0].alpha, 1.2);
    EXPECT_EQ(g.models[0].batch, 4);
    EXPECT_NEAR(g.models[0].rate_rps, 4000 / 14.4, 1e-9);
  }
  ASSERT_EQ(plan->devices[1].glets.size(), 1u);
  const PlannedGlet& shared = plan->devices[1].glets[0];
  EXPECT_NEAR(shared.duty_ms, 18, 1e-9);
  ASSERT_EQ(shared.models.size(), 2u);
  EXPECT_EQ(shared.models[0].model, "b");
  EXPECT_EQ(shared.models[1].model, "a");
  for (const PlannedModel& m : shared.models) {
    EXPECT_EQ(m.batch, 1);
    EXPECT_NEAR(m.rate_rps, sat_rps - 4000 / 14.4, 1e-9);
  }
  EXPECT_NEAR(plan->PlacedRate("a"), sat_rps, 1e-9);
  EXPECT_NEAR(plan->PlacedRate("b"), sat_rps, 1e-9);
  EXPECT_TRUE(HasLine(explain, "a: 55.556 rps lost to interference, planned again"));
  PlanChecker checker({{"synth", &p}}, /*interference=*/true);
  EXPECT_TRUE(checker.Check(*plan).ok());
}

TEST(GpuletPlannerTest, FailsNamingWhatDoesNotFit) {
  const testing::SaturatedResidueCase c = testing::MakeSaturatedResidueCase();
  auto plan = Gpulet(c.options)->MakePlan(c.workload, Fleet{&c.profile, 1}, nullptr);
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(plan.status().message().find("does not fit on 1 synth device(s)"), std::string::npos)
      << plan.status().message();
  EXPECT_NE(plan.status().message().find("a 200.0 rps (residue gpu-let of 50% fits on no GPU"),
            std::string::npos)
      << plan.status().message();
}

TEST(GpuletPlannerTest, HugeRatesFailFast) {
  auto ref = testing::RefGpuProfile();
  auto plan = Gpulet({})->MakePlan(Workload{{ModelDemand{"resnet50", 1e12, 108, 32}}},
                                   Fleet{&ref, 1000}, nullptr);
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(plan.status().message().find("resnet50"), std::string::npos);
  EXPECT_NE(plan.status().message().find("more than 1000 device(s) hold"), std::string::npos)
      << plan.status().message();
}

TEST(GpuletPlannerTest, LowRatesStillPlan) {
  // gpu-let's prototype cannot size a cycle when b requests take longer to arrive than the SLO
  // allows; here the cycle is cut to the SLO instead.
  auto ref = testing::RefGpuProfile();
  for (double rate : {0.01, 0.5, 3.0, 14.0}) {
    Workload w{{ModelDemand{"resnet50", rate, 108, 32}, ModelDemand{"lenet1", rate, 20, 32}}};
    auto plan = Gpulet({})->MakePlan(w, Fleet{&ref, 2}, nullptr);
    ASSERT_TRUE(plan.ok()) << rate << ": " << plan.status().ToString();
    EXPECT_NEAR(plan->PlacedRate("resnet50"), rate, rate * 1e-6);
    EXPECT_NEAR(plan->PlacedRate("lenet1"), rate, rate * 1e-6);
  }
}

TEST(GpuletPlannerTest, BadInputIsInvalidArgumentNamingTheField) {
  auto ref = testing::RefGpuProfile();
  auto unknown =
      Gpulet({})->MakePlan(Workload{{ModelDemand{"nosuch", 10, 100, 32}}}, Fleet{&ref, 1}, nullptr);
  EXPECT_EQ(unknown.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(unknown.status().message().find("nosuch"), std::string::npos);
  auto zero = Gpulet({})->MakePlan(Workload{{ModelDemand{"resnet50", 0, 108, 32}}}, Fleet{&ref, 1},
                                   nullptr);
  EXPECT_EQ(zero.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(zero.status().message().find("rate_rps"), std::string::npos) << zero.status().message();
  auto budget = Gpulet({})->MakePlan(Workload{{ModelDemand{"resnet50", 10, 108, 32}}},
                                     Fleet{&ref, 0}, nullptr);
  EXPECT_EQ(budget.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(budget.status().message().find("--devices"), std::string::npos);
  PlannerOptions bad;
  bad.partitions = {0, 50};
  auto parts = Gpulet(bad)->MakePlan(Workload{{ModelDemand{"resnet50", 10, 108, 32}}},
                                     Fleet{&ref, 1}, nullptr);
  EXPECT_EQ(parts.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(parts.status().message().find("--partitions"), std::string::npos);
}

TEST(GpuletPlannerTest, RandomPlansPassTheChecker) {
  auto ref = testing::RefGpuProfile();
  PlanChecker checker({{"ref-gpu", &ref}}, /*interference=*/true);
  const std::vector<std::pair<std::string, double>> models = {
      {"resnet50", 108},       {"vgg16", 142}, {"mobilenet_v2", 64}, {"googlenet", 112},
      {"ssd-mobilenetv1", 90}, {"lenet1", 20}, {"densenet161", 202}, {"bert", 22},
      {"mnasnet1_0", 62}};
  std::mt19937 rng(2022);
  int planned = 0;
  for (int trial = 0; trial < 100; ++trial) {
    std::vector<size_t> idx(models.size());
    for (size_t i = 0; i < idx.size(); ++i) {
      idx[i] = i;
    }
    std::shuffle(idx.begin(), idx.end(), rng);
    Workload w;
    int n = std::uniform_int_distribution<int>(1, 6)(rng);
    for (int i = 0; i < n; ++i) {
      w.models.push_back(ModelDemand{models[idx[i]].first,
                                     std::uniform_real_distribution<double>(1, 500)(rng),
                                     models[idx[i]].second, 32});
    }
    PlannerOptions o;
    if (trial % 3 == 1) {
      o.margins = testing::MeanRate();
    } else if (trial % 3 == 2) {
      o.margins.poisson_quantile = 0.99;
      o.margins.latency_ratio = 1.1;
    }
    int devices = std::uniform_int_distribution<int>(1, 10)(rng);
    auto plan = Gpulet(o)->MakePlan(w, Fleet{&ref, devices}, nullptr);
    if (!plan.ok()) {
      EXPECT_EQ(plan.status().code(), StatusCode::kResourceExhausted)
          << "trial " << trial << ": " << plan.status().ToString();
      continue;
    }
    ++planned;
    CheckReport report = checker.Check(*plan);
    EXPECT_TRUE(report.ok()) << "trial " << trial << ": " << report.violations[0];
    EXPECT_LE(plan->UsedDevices(), devices);
    for (const PlannedDevice& d : plan->devices) {
      EXPECT_LE(d.glets.size(), 2u);
    }
  }
  EXPECT_GT(planned, 50) << "too few cases planned to test the checker";
}

}  // namespace
}  // namespace glet::sched
