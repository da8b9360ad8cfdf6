// Plans over several device types (docs/scheduler.md, "Several device types"):
//   1. peak uniform rate per model on mixed fleets, as a ratio to ref-gpu:2 alone and to the sum
//      of the peaks of the fleet's types planned apart (what separate clusters would serve);
//   2. --min-devices cost of a mixed fleet against ref-GPUs only, at three loads;
//   3. planning time, one type against two and three (Google Benchmark timings below).
// The second type is ref-gpu-x2: the reference profile with every time doubled (a device twice
// as slow), at cost 0.2 (cheaper per rps for every model) or 0.35 (cheaper for the lighter
// models only); the third is the CPU profile (mobilenet_v2 and lenet only), cost 1.
// Tables print as markdown before the timings. Run: build/bench/mixed_fleet_bench
#include <benchmark/benchmark.h>

#include <cstdio>
#include <string>
#include <vector>

#include "core/strings.h"
#include "model/model_spec.h"
#include "perf/device_profile.h"
#include "scenarios.h"
#include "sched/plan_search.h"
#include "sched/planner_factory.h"

namespace {

using glet::FormatDouble;
using glet::bench::RefGpuProfile;
using glet::bench::Scenario;
using glet::bench::StandardScenarios;
using glet::bench::UnitRateWorkload;
using glet::perf::DeviceProfile;
using glet::sched::DevicePool;
using glet::sched::Fleet;
using glet::sched::Workload;

const DeviceProfile& Cpu() {
  static const DeviceProfile p =
      DeviceProfile::LoadDir(glet::model::ResourceDir() + "/profiles/cpu").value();
  return p;
}

// ref-gpu with every time doubled, at `cost` per device.
DeviceProfile Slow(double cost) {
  DeviceProfile p = RefGpuProfile();
  std::vector<glet::perf::LatencyRow> rows = p.latency.rows();
  for (glet::perf::LatencyRow& r : rows) {
    r.latency_ms *= 2;
  }
  p.latency = glet::perf::LatencyProfile::FromRows(rows, "ref-gpu-x2").value();
  for (auto& [model, by_batch] : p.batch_cost) {
    for (auto& [batch, ms] : by_batch) {
      ms *= 2;
    }
  }
  p.net_mbps /= 2;
  p.type = "ref-gpu-x2";
  p.cost = cost;
  return p;
}

const DeviceProfile& Slow20() {
  static const DeviceProfile p = Slow(0.2);
  return p;
}
const DeviceProfile& Slow35() {
  static const DeviceProfile p = Slow(0.35);
  return p;
}

// S1, S2, and M: a light model with a loose SLO beside a heavy one.
std::vector<Scenario> Scenarios() {
  const std::vector<Scenario> standard = StandardScenarios();
  return {standard[0],
          standard[1],
          {"M", "M mobilenet_v2 (slo 400)/resnet50",
           UnitRateWorkload({{"mobilenet_v2", 400}, {"resnet50", 108}})}};
}

double Peak(const Workload& w, const Fleet& fleet) {
  auto planner = glet::sched::MakePlanner("glet", {}).value();
  auto r = glet::sched::FindPeakScale(*planner, w, fleet, 1e-3);
  return r.ok() ? r->scale : 0;
}

void PeakTable() {
  std::printf("\n### 1. Peak rate per model (rps) on mixed fleets, policy glet\n\n");
  std::printf(
      "| scenario | fleet | peak | / ref-gpu:2 | / sum of the types apart |\n"
      "|---|---|---|---|---|\n");
  struct Mix {
    std::string name;
    std::vector<DevicePool> pools;
  };
  const std::vector<Mix> mixes = {
      {"ref-gpu:2,cpu:2", {{&RefGpuProfile(), 2}, {&Cpu(), 2}}},
      {"ref-gpu:2,ref-gpu-x2:2", {{&RefGpuProfile(), 2}, {&Slow20(), 2}}},
      {"ref-gpu:2,ref-gpu-x2:4", {{&RefGpuProfile(), 2}, {&Slow20(), 4}}},
      {"ref-gpu:1,ref-gpu-x2:2,cpu:2", {{&RefGpuProfile(), 1}, {&Slow20(), 2}, {&Cpu(), 2}}},
  };
  for (const Scenario& s : Scenarios()) {
    const double base = Peak(s.workload, Fleet{&RefGpuProfile(), 2});
    std::printf("| %s | ref-gpu:2 | %s | 1.00 | 1.00 |\n", s.name.c_str(),
                FormatDouble(base, 1).c_str());
    for (const Mix& m : mixes) {
      double apart = 0;
      for (const DevicePool& p : m.pools) {
        apart += Peak(s.workload, Fleet({p}));  // 0 when the type cannot run every model
      }
      const double mixed = Peak(s.workload, Fleet(m.pools));
      std::printf("| %s | %s | %s | %s | %s |\n", s.name.c_str(), m.name.c_str(),
                  FormatDouble(mixed, 1).c_str(), FormatDouble(mixed / base, 2).c_str(),
                  apart > 0 ? FormatDouble(mixed / apart, 2).c_str() : "-");
    }
  }
}

void CostTable() {
  std::printf(
      "\n### 2. --min-devices: devices and cost (ref-gpu costs 1), S1 at 300, 600, 1200 rps per "
      "model\n\n");
  std::printf(
      "| rps per model | ref-gpu only | + ref-gpu-x2 at 0.2 | cost ratio | + ref-gpu-x2 at 0.35 "
      "| cost ratio |\n|---|---|---|---|---|---|\n");
  auto planner = glet::sched::MakePlanner("glet", {}).value();
  const Workload w = Scenarios()[0].workload;
  for (double rate : {300.0, 600.0, 1200.0}) {
    auto gpu = glet::sched::FindMinDevices(*planner, w.Scaled(rate), Fleet{&RefGpuProfile(), 64});
    auto a = glet::sched::FindMinDevices(*planner, w.Scaled(rate),
                                         Fleet({{&RefGpuProfile(), 64}, {&Slow20(), 64}}));
    auto b = glet::sched::FindMinDevices(*planner, w.Scaled(rate),
                                         Fleet({{&RefGpuProfile(), 64}, {&Slow35(), 64}}));
    if (!gpu.ok() || !a.ok() || !b.ok()) {
      std::printf("| %s | failed | | | | |\n", FormatDouble(rate, 0).c_str());
      continue;
    }
    auto cell = [](const glet::sched::MinDevicesResult& r) {
      return std::to_string(r.per_pool[0]) + " + " + std::to_string(r.per_pool[1]) + " (cost " +
             FormatDouble(r.cost, 2) + ")";
    };
    std::printf("| %s | %d (cost %s) | %s | %s | %s | %s |\n", FormatDouble(rate, 0).c_str(),
                gpu->devices, FormatDouble(gpu->cost, 2).c_str(), cell(*a).c_str(),
                FormatDouble(a->cost / gpu->cost, 2).c_str(), cell(*b).c_str(),
                FormatDouble(b->cost / gpu->cost, 2).c_str());
  }
}

// S1 at 400 rps per model.
void Plan(benchmark::State& state, const Fleet& fleet) {
  auto planner = glet::sched::MakePlanner("glet", {}).value();
  const Workload w = Scenarios()[0].workload.Scaled(400);
  for (auto _ : state) {
    auto plan = planner->MakePlan(w, fleet, nullptr);
    benchmark::DoNotOptimize(plan);
  }
}
void BM_PlanOneType(benchmark::State& state) { Plan(state, Fleet{&RefGpuProfile(), 4}); }
void BM_PlanTwoTypes(benchmark::State& state) {
  Plan(state, Fleet({{&RefGpuProfile(), 4}, {&Slow35(), 4}}));
}
void BM_PlanThreeTypes(benchmark::State& state) {
  Plan(state, Fleet({{&RefGpuProfile(), 4}, {&Slow35(), 4}, {&Cpu(), 2}}));
}
BENCHMARK(BM_PlanOneType)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PlanTwoTypes)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PlanThreeTypes)->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
  PeakTable();
  CostTable();
  std::printf("\n### 3. Planning time, S1 at 400 rps per model\n\n");
  std::fflush(stdout);
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  return 0;
}
