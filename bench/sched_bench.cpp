// Scheduler benchmarks (docs/benchmarks.md, section "glet schedule"):
//   1. peak uniform rate per model on 2 and 4 ref-GPUs, every policy side by side (ratios to
//      temporal, the whole-device baseline, and to gpulet, the published heuristic, both measured
//      in the same run);
//   2. fewest devices at 200, 300 and 600 rps per model;
//   3. heuristic / optimum peak ratio over 50 random small cases;
//   4. effect of the workload-type rule (glet vs glet-notype) at fixed devices;
//   5. planning time for 10, 100 and 1000 models (Google Benchmark timings below);
//   6. each policy's peak on 2 devices as a fraction of an exhaustive upper bound.
// Tables print as markdown before the timings. Run: build/bench/sched_bench
#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "core/strings.h"
#include "perf/device_profile.h"
#include "scenarios.h"
#include "sched/optimal_planner.h"
#include "sched/plan_search.h"
#include "sched/planner_factory.h"

namespace {

using glet::FormatDouble;
using glet::bench::RefGpuProfile;
using glet::bench::Scenario;
using glet::bench::StandardScenarios;
using glet::bench::UnitRateWorkload;
using glet::sched::Fleet;
using glet::sched::ModelDemand;
using glet::sched::Workload;

const std::vector<std::string> kPolicies = {"temporal",   "greedy-split", "gpulet",
                                            "glet-noint", "glet-notype",  "glet"};

double Peak(const std::string& policy, const Workload& w, int devices) {
  auto planner = glet::sched::MakePlanner(policy, {}).value();
  auto r = glet::sched::FindPeakScale(*planner, w, Fleet{&RefGpuProfile(), devices}, 1e-3);
  return r.ok() ? r->scale : 0;
}

// Header and separator rows of a table with columns scenario, `second`, then one per policy.
void PrintPolicyTableHeader(const char* second) {
  std::printf("| scenario | %s |", second);
  for (const auto& p : kPolicies) {
    std::printf(" %s |", p.c_str());
  }
  std::printf("\n|---|---|");
  for (size_t i = 0; i < kPolicies.size(); ++i) {
    std::printf("---|");
  }
  std::printf("\n");
}

void PeakTable() {
  std::printf("\n### 1. Peak rate per model (rps), uniform rates\n\n");
  std::printf("| scenario | GPUs |");
  for (const auto& p : kPolicies) {
    std::printf(" %s |", p.c_str());
  }
  std::printf(" glet / temporal | glet / gpulet |\n|---|---|");
  for (size_t i = 0; i <= kPolicies.size() + 1; ++i) {
    std::printf("---|");
  }
  std::printf("\n");
  for (const Scenario& s : StandardScenarios()) {
    for (int devices : {2, 4}) {
      std::printf("| %s | %d |", s.name.c_str(), devices);
      std::map<std::string, double> peak;
      for (const auto& p : kPolicies) {
        peak[p] = Peak(p, s.workload, devices);
        std::printf(" %s |", FormatDouble(peak[p], 1).c_str());
      }
      std::printf(" %s | %s |\n", FormatDouble(peak["glet"] / peak["temporal"], 2).c_str(),
                  FormatDouble(peak["glet"] / peak["gpulet"], 2).c_str());
    }
  }
  std::printf(
      "\nglet-noint ignores interference: its plans are not valid under the "
      "interference model (the checker rejects them), so its peak is an optimistic "
      "reference, not a result.\n");
}

void MinDevicesTable() {
  std::printf("\n### 2. Fewest devices\n\n");
  PrintPolicyTableHeader("rps/model");
  for (const Scenario& s : StandardScenarios()) {
    for (double rate : {200.0, 300.0, 600.0}) {
      std::printf("| %s | %.0f |", s.name.c_str(), rate);
      for (const auto& p : kPolicies) {
        auto planner = glet::sched::MakePlanner(p, {}).value();
        auto r =
            glet::sched::FindMinDevices(*planner, s.workload.Scaled(rate), RefGpuProfile(), 1000);
        std::printf(" %s |", r.ok() ? std::to_string(r->devices).c_str() : "-");
      }
      std::printf("\n");
    }
  }
}

void TypeRuleTable() {
  std::printf("\n### 4. Workload-type rule: peak rate per model at fixed devices\n\n");
  std::printf("| case | GPUs | glet-notype | glet | glet / notype |\n|---|---|---|---|---|\n");
  std::vector<Scenario> cases = StandardScenarios();
  // Mixed pairs of one compute-bound and one memory-bound model.
  cases.push_back(
      {"", "vgg16 + mobilenet_v2", UnitRateWorkload({{"vgg16", 142}, {"mobilenet_v2", 64}})});
  cases.push_back(
      {"", "resnet50 + mnasnet1_0", UnitRateWorkload({{"resnet50", 108}, {"mnasnet1_0", 62}})});
  cases.push_back({"", "densenet161 + ssd-mobilenetv1",
                   UnitRateWorkload({{"densenet161", 202}, {"ssd-mobilenetv1", 202}})});
  for (const Scenario& s : cases) {
    for (int devices : {1, 2, 4}) {
      double no = Peak("glet-notype", s.workload, devices);
      double yes = Peak("glet", s.workload, devices);
      std::printf("| %s | %d | %s | %s | %s |\n", s.name.c_str(), devices,
                  FormatDouble(no, 1).c_str(), FormatDouble(yes, 1).c_str(),
                  FormatDouble(no > 0 ? yes / no : 0, 3).c_str());
    }
  }
}

void OptimalTables() {
  glet::sched::OptimalPlanner optimal({});
  std::printf("\n### 3. Heuristic / optimum over 50 random small cases\n\n");
  std::mt19937 rng(7);
  const std::vector<std::pair<std::string, double>> models = {
      {"resnet50", 108},       {"vgg16", 142}, {"mobilenet_v2", 64}, {"googlenet", 112},
      {"ssd-mobilenetv1", 90}, {"lenet1", 20}, {"densenet161", 202}, {"mnasnet1_0", 62}};
  double sum = 0;
  double worst = 1e9;
  int counted = 0;
  int failed = 0;
  for (int c = 0; c < 50; ++c) {
    std::vector<int> idx(models.size());
    for (size_t i = 0; i < idx.size(); ++i) {
      idx[i] = static_cast<int>(i);
    }
    std::shuffle(idx.begin(), idx.end(), rng);
    int n = std::uniform_int_distribution<int>(1, 3)(rng);
    int devices = std::uniform_int_distribution<int>(1, 2)(rng);
    Workload w;
    for (int i = 0; i < n; ++i) {
      w.models.push_back(ModelDemand{models[idx[i]].first,
                                     std::uniform_real_distribution<double>(0.5, 2)(rng),
                                     models[idx[i]].second, 32});
    }
    auto opt = optimal.PeakScale(w, Fleet{&RefGpuProfile(), devices});
    double heur = Peak("glet", w, devices);
    if (!opt.ok() || opt->first <= 0) {
      ++failed;
      continue;
    }
    double ratio = heur / opt->first;
    sum += ratio;
    worst = std::min(worst, ratio);
    ++counted;
  }
  std::printf(
      "| cases | mean glet/optimal | worst | cases without an optimum |\n"
      "|---|---|---|---|\n| %d | %s | %s | %d |\n",
      counted, FormatDouble(counted ? sum / counted : 0, 3).c_str(),
      FormatDouble(counted ? worst : 0, 3).c_str(), failed);

  std::printf("\n### 6. Peak on 2 devices as a fraction of the exhaustive upper bound\n\n");
  glet::sched::PlannerOptions noint;
  noint.interference = false;
  glet::sched::OptimalPlanner bound(noint);
  PrintPolicyTableHeader("upper bound");
  for (const Scenario& s : StandardScenarios()) {
    auto ub = bound.PeakScale(s.workload, Fleet{&RefGpuProfile(), 2});
    if (!ub.ok()) {
      std::printf("| %s | (%s) |\n", s.name.c_str(), ub.status().message().c_str());
      continue;
    }
    std::printf("| %s | %s |", s.name.c_str(), FormatDouble(ub->first, 1).c_str());
    for (const auto& p : kPolicies) {
      std::printf(" %s |", FormatDouble(Peak(p, s.workload, 2) / ub->first, 3).c_str());
    }
    std::printf("\n");
  }
}

// Planning-time workloads: n models cloned from the reference ones (aliases), random rates.
struct Big {
  glet::perf::DeviceProfile profile;
  Workload workload;
};

const Big& BigCase(int n) {
  static std::map<int, Big> cache;
  auto it = cache.find(n);
  if (it != cache.end()) {
    return it->second;
  }
  Big big{RefGpuProfile(), {}};
  const std::vector<std::pair<std::string, double>> base = {
      {"resnet50", 108},    {"vgg16", 142},          {"mobilenet_v2", 64},
      {"googlenet", 112},   {"ssd-mobilenetv1", 90}, {"lenet1", 20},
      {"densenet161", 202}, {"mnasnet1_0", 62},      {"bert", 22}};
  std::mt19937 rng(11);
  for (int i = 0; i < n; ++i) {
    const auto& [model, slo] = base[i % base.size()];
    std::string name = "m" + std::to_string(i);
    big.profile.aliases[name] = model;
    big.workload.models.push_back(
        ModelDemand{name, std::uniform_real_distribution<double>(20, 400)(rng), slo, 32});
  }
  return cache.emplace(n, std::move(big)).first->second;
}

void BM_Plan(benchmark::State& state) {
  const Big& big = BigCase(static_cast<int>(state.range(0)));
  auto planner = glet::sched::MakePlanner("glet", {}).value();
  int devices = 0;
  for (auto _ : state) {
    auto plan = planner->MakePlan(big.workload, Fleet{&big.profile, 1000}, nullptr);
    devices = plan.ok() ? plan->UsedDevices() : -1;
    benchmark::DoNotOptimize(devices);
  }
  state.counters["devices"] = devices;
}
BENCHMARK(BM_Plan)->Arg(10)->Arg(100)->Arg(1000)->Unit(benchmark::kMillisecond);

void BM_PlanTemporal(benchmark::State& state) {
  const Big& big = BigCase(static_cast<int>(state.range(0)));
  auto planner = glet::sched::MakePlanner("temporal", {}).value();
  for (auto _ : state) {
    auto plan = planner->MakePlan(big.workload, Fleet{&big.profile, 1000}, nullptr);
    benchmark::DoNotOptimize(plan.ok());
  }
}
BENCHMARK(BM_PlanTemporal)->Arg(10)->Arg(100)->Arg(1000)->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  bool tables = true;
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--no-tables") {
      tables = false;
    }
  }
  if (tables) {
    PeakTable();
    MinDevicesTable();
    TypeRuleTable();
    OptimalTables();
    std::printf("\n### 5. Planning time (policy glet, one core)\n\n");
    std::fflush(stdout);
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
