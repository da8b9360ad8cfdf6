// Simulator benchmarks (docs/simulator.md, section "Benchmarks"):
//   1. throughput: simulated requests per second of wall time on one core, for scenario 1 on
//      4 ref-GPUs and for 1000 models on up to 1000 ref-GPUs; the baseline measured in the same
//      process is generating the same arrivals alone (the floor any simulator pays);
//   2. memory: peak resident memory after runs of growing request counts (flat = no
//      per-request state), with the per-record mode last for contrast;
//   3. closing the loop: every plan the planner's benchmarks call feasible (each policy's peak
//      plan for scenarios 1-3 on 2 and 4 ref-GPUs) re-run under Poisson arrivals at its rate;
//      each should reach >= 99% SLO attainment. Misses are listed.
// Tables print as markdown before the Google Benchmark timings. Run: build/bench/sim_bench
// (--no-tables for the timings only, --quick for shorter runs, --throughput-only for section 1,
// --closed-loop-only for section 3).
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "client/workload.h"
#include "core/strings.h"
#include "model/model_spec.h"
#include "perf/device_profile.h"
#include "scenarios.h"
#include "sched/plan_search.h"
#include "sched/planner_factory.h"
#include "sim/arrival_source.h"
#include "sim/simulator.h"

namespace {

using glet::FormatDouble;
using glet::bench::RefGpuProfile;
using glet::bench::Scenario;
using glet::bench::StandardScenarios;
using glet::sched::Fleet;
using glet::sched::ModelDemand;
using glet::sched::Workload;

bool g_quick = false;
bool g_throughput_only = false;
bool g_closed_loop_only = false;

double Seconds(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Peak resident memory of this process (VmHWM), MiB.
double PeakRssMib() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("VmHWM:", 0) == 0) {
      return std::stod(line.substr(6)) / 1024.0;
    }
  }
  return 0;
}

glet::client::ClientWorkload StreamsFor(const glet::sched::Plan& plan) {
  glet::client::ClientWorkload w;
  for (const ModelDemand& d : plan.workload) {
    glet::client::Stream s;
    s.model = d.model;
    s.rate_rps = d.rate_rps;
    s.source = d.model;
    w.streams.push_back(s);
  }
  return w;
}

struct Case {
  glet::perf::DeviceProfile profile;
  glet::sched::Plan plan;
};

glet::sim::SimResult Run(const Case& c, double duration_s, uint64_t seed, bool records = false) {
  glet::sim::SimInput in;
  in.profile = &c.profile;
  in.plan = c.plan;
  glet::client::ClientWorkload w = StreamsFor(c.plan);
  for (const auto& s : w.streams) {
    in.stream_names.push_back(s.model);
  }
  glet::sim::SimOptions o;
  o.duration_s = duration_s;
  o.keep_records = records;
  return glet::sim::Simulate(in, glet::sim::ArrivalSource::FromWorkload(w, seed, duration_s), o)
      .value();
}

// Scenario 1 at 90% of glet's peak on 4 ref-GPUs.
const Case& SmallCase() {
  static const Case c = [] {
    const Workload w = StandardScenarios()[0].workload;
    auto planner = glet::sched::MakePlanner("glet", {}).value();
    auto peak = glet::sched::FindPeakScale(*planner, w, Fleet{&RefGpuProfile(), 4}).value();
    auto plan =
        planner->MakePlan(w.Scaled(peak.scale * 0.9), Fleet{&RefGpuProfile(), 4}, nullptr).value();
    return Case{RefGpuProfile(), plan};
  }();
  return c;
}

// 1000 models cloned from the reference ones (aliases), rates drawn in [300, 1800] rps, planned
// with glet on at most 2000 ref-GPUs (the burst margin needs more than 1000).
const Case& BigCase() {
  static const Case c = [] {
    Case big{RefGpuProfile(), {}};
    const std::vector<std::pair<std::string, double>> base = {
        {"resnet50", 108},       {"vgg16", 142}, {"mobilenet_v2", 64}, {"googlenet", 112},
        {"ssd-mobilenetv1", 90}, {"lenet1", 20}, {"densenet161", 202}, {"mnasnet1_0", 62}};
    std::mt19937 rng(11);
    Workload w;
    for (int i = 0; i < 1000; ++i) {
      const auto& [model, slo] = base[i % base.size()];
      const std::string name = "m" + std::to_string(i);
      big.profile.aliases[name] = model;
      w.models.push_back(
          ModelDemand{name, std::uniform_real_distribution<double>(300, 1800)(rng), slo, 32});
    }
    auto planner = glet::sched::MakePlanner("glet", {}).value();
    glet::Result<glet::sched::Plan> plan = planner->MakePlan(w, Fleet{&big.profile, 2000}, nullptr);
    if (!plan.ok()) {
      std::fprintf(stderr, "sim_bench: 1000-model case: %s\n", plan.status().ToString().c_str());
      std::exit(1);
    }
    big.plan = std::move(*plan);
    return big;
  }();
  return c;
}

// Arrival generation alone: the baseline.
double ArrivalsPerSecond(const Case& c, double duration_s) {
  const auto t0 = std::chrono::steady_clock::now();
  auto src = glet::sim::ArrivalSource::FromWorkload(StreamsFor(c.plan), 1, duration_s);
  glet::client::Arrival a;
  int64_t n = 0;
  while (src.Next(&a)) {
    ++n;
  }
  return static_cast<double>(n) / Seconds(t0);
}

void ThroughputTable() {
  std::printf("\n### 1. Throughput (one core)\n\n");
  std::printf(
      "| case | devices | models | requests | wall s | simulated req/s | arrivals-only req/s | "
      "sim / arrivals-only | SLO attainment |\n|---|---|---|---|---|---|---|---|---|\n");
  struct Row {
    const char* name;
    const Case* c;
    double duration_s;
  };
  const Row rows[] = {{"S1 at 90% of peak", &SmallCase(), g_quick ? 300.0 : 3000.0},
                      {"1000 models", &BigCase(), g_quick ? 10.0 : 60.0}};
  for (const Row& r : rows) {
    const auto t0 = std::chrono::steady_clock::now();
    glet::sim::SimResult res = Run(*r.c, r.duration_s, 1);
    const double wall = Seconds(t0);
    const double rps = static_cast<double>(res.report.total.sent) / wall;
    const double base = ArrivalsPerSecond(*r.c, r.duration_s);
    std::printf("| %s | %d | %zu | %lld | %s | %s | %s | %s | %s |\n", r.name,
                r.c->plan.UsedDevices(), r.c->plan.workload.size(),
                static_cast<long long>(res.report.total.sent), FormatDouble(wall, 2).c_str(),
                FormatDouble(rps, 0).c_str(), FormatDouble(base, 0).c_str(),
                FormatDouble(rps / base, 3).c_str(),
                FormatDouble(res.report.total.slo_attainment, 4).c_str());
    std::fflush(stdout);
  }
}

void MemoryTable() {
  std::printf("\n### 2. Memory vs request count (1000 models)\n\n");
  std::printf("| mode | requests | peak RSS MiB (whole process, high-water) |\n|---|---|---|\n");
  const Case& c = BigCase();
  std::printf("| after planning | 0 | %s |\n", FormatDouble(PeakRssMib(), 1).c_str());
  for (double d : g_quick ? std::vector<double>{2, 8} : std::vector<double>{5, 20, 80}) {
    glet::sim::SimResult res = Run(c, d, 3);
    std::printf("| streaming | %lld | %s |\n", static_cast<long long>(res.report.total.sent),
                FormatDouble(PeakRssMib(), 1).c_str());
    std::fflush(stdout);
  }
  glet::sim::SimResult res = Run(c, g_quick ? 2 : 5, 3, /*records=*/true);
  std::printf("| per-request records (--log) | %lld | %s |\n",
              static_cast<long long>(res.report.total.sent), FormatDouble(PeakRssMib(), 1).c_str());
}

void ClosedLoopTable() {
  std::printf("\n### 3. Closing the loop: peak plans under Poisson arrivals\n\n");
  std::printf(
      "| scenario | GPUs | policy | peak rps/model | SLO attainment | p99 ms | dropped | "
      ">= 99%% |\n|---|---|---|---|---|---|---|---|\n");
  std::vector<std::string> misses;
  for (const Scenario& s : StandardScenarios()) {
    const std::string& name = s.id;
    const Workload& w = s.workload;
    for (int devices : {2, 4}) {
      for (const std::string policy : {"temporal", "greedy-split", "glet-notype", "glet",
                                       "glet mean-rate", "glet+poisson0.99"}) {
        // Default margins (the burst model) unless named: "mean-rate" turns every Poisson
        // margin off (the planner before the burst model), "+poisson0.99" uses gpu-let's
        // per-cycle 99th-percentile inflation instead.
        glet::sched::PlannerOptions popts;
        std::string base = policy;
        if (policy == "glet mean-rate") {
          base = "glet";
          popts.margins.burst_miss = 0;
        }
        if (policy == "glet+poisson0.99") {
          base = "glet";
          popts.margins.burst_miss = 0;
          popts.margins.poisson_quantile = 0.99;
        }
        auto planner = glet::sched::MakePlanner(base, popts).value();
        auto peak = glet::sched::FindPeakScale(*planner, w, Fleet{&RefGpuProfile(), devices});
        if (!peak.ok()) {
          continue;
        }
        Case c{RefGpuProfile(), peak->plan};
        glet::sim::SimResult r = Run(c, g_quick ? 20 : 120, 1);
        const double att = r.report.total.slo_attainment;
        std::printf("| %s | %d | %s | %s | %s | %s | %lld | %s |\n", name.c_str(), devices,
                    policy.c_str(), FormatDouble(peak->scale, 1).c_str(),
                    FormatDouble(att, 4).c_str(), FormatDouble(r.report.total.p99_ms, 1).c_str(),
                    static_cast<long long>(r.report.total.dropped), att >= 0.99 ? "yes" : "NO");
        std::fflush(stdout);
        if (att < 0.99) {
          misses.push_back(name + " on " + std::to_string(devices) + " (" + policy +
                           "): " + FormatDouble(att * 100, 2) + "%");
        }
      }
    }
  }
  std::printf("\nPlans below 99%%: %zu%s\n", misses.size(), misses.empty() ? "" : ":");
  for (const std::string& m : misses) {
    std::printf("- %s\n", m.c_str());
  }
}

void BM_SimulateScenario1(benchmark::State& state) {
  const Case& c = SmallCase();
  int64_t requests = 0;
  for (auto _ : state) {
    glet::sim::SimResult r = Run(c, 60, 1);
    requests += r.report.total.sent;
  }
  state.counters["req/s"] =
      benchmark::Counter(static_cast<double>(requests), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_SimulateScenario1)->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  bool tables = true;
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--no-tables") {
      tables = false;
    }
    if (std::string(argv[i]) == "--quick") {
      g_quick = true;
    }
    if (std::string(argv[i]) == "--throughput-only") {
      g_throughput_only = true;
    }
    if (std::string(argv[i]) == "--closed-loop-only") {
      g_closed_loop_only = true;
    }
  }
  if (tables && g_closed_loop_only) {
    ClosedLoopTable();
    return 0;
  }
  if (tables) {
    ThroughputTable();
    if (!g_throughput_only) {
      MemoryTable();
      ClosedLoopTable();
    }
    std::printf("\n### 4. Timings\n\n");
    std::fflush(stdout);
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
