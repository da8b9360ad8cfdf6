// Goodput under overload, in the simulator (issue 13): scenario 1 (resource/rates/scenario1.csv)
// planned on 2 ref-GPUs by each policy at its rates; one model is then offered 1.3x, 2x, 5x and
// 10x its planned rate (Poisson, 20 s, seed 7) while the others stay at theirs. For each case the
// same plan and arrivals run twice in this process: with the serving plane's batching as it is
// now (work-conserving, overload shed early) and with the plan's batching alone (the baseline:
// what glet did before, and what gpu-let's serving loop does). Printed as a Markdown table:
// the overloaded model's goodput (served within SLO per second) as a fraction of its planned
// rate, and the lowest SLO attainment among the other models. Goal (issue 13): goodput >= 0.95
// of planned at every factor, every other model >= 0.99.
//
//   build/bench/overload_bench [--duration S] [--model NAME]
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "client/workload.h"
#include "perf/device_profile.h"
#include "sched/planner_factory.h"
#include "sched/workload.h"
#include "sim/simulator.h"

namespace glet {
namespace {

struct Outcome {
  double goodput_ratio = 0;  // overloaded model: goodput / planned rate
  double others_min = 1;     // lowest attainment of the other models
};

Outcome Run(const sched::Plan& plan, const perf::DeviceProfile& profile, const std::string& model,
            double factor, double duration_s, bool edges) {
  sim::SimInput in;
  in.profile = &profile;
  in.plan = plan;
  client::ClientWorkload cw;
  double planned = 0;
  for (const sched::ModelDemand& d : plan.workload) {
    client::Stream s;
    s.model = d.model;
    s.rate_rps = d.rate_rps * (d.model == model ? factor : 1);
    if (d.model == model) {
      planned = d.rate_rps;
    }
    cw.streams.push_back(s);
    in.stream_names.push_back(d.model);
  }
  sim::SimOptions o;
  o.duration_s = duration_s;
  o.work_conserving = edges;
  o.shed = edges;
  Result<sim::SimResult> r =
      sim::Simulate(in, sim::ArrivalSource::FromWorkload(cw, 7, duration_s), o);
  Outcome out;
  if (!r.ok()) {
    std::fprintf(stderr, "simulate: %s\n", r.status().message().c_str());
    return out;
  }
  for (const auto& [name, c] : r->report.per_model) {
    if (name == model) {
      out.goodput_ratio = c.goodput_rps / planned;
    } else {
      out.others_min = std::min(out.others_min, c.slo_attainment);
    }
  }
  return out;
}

int Main(int argc, char** argv) {
  double duration_s = 20;
  std::vector<std::string> models = {"resnet50", "vgg16", "mobilenet_v2"};
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--duration") == 0) {
      duration_s = std::stod(argv[i + 1]);
    } else if (std::strcmp(argv[i], "--model") == 0) {
      models = {argv[i + 1]};
    }
  }
  Result<perf::DeviceProfile> profile = perf::DeviceProfile::LoadDir("resource/profiles/ref-gpu");
  Result<sched::Workload> w = sched::LoadRatesCsv("resource/rates/scenario1.csv");
  if (!profile.ok() || !w.ok()) {
    std::fprintf(stderr, "run from the repository root: %s %s\n",
                 profile.status().message().c_str(), w.status().message().c_str());
    return 1;
  }
  std::printf(
      "| policy | model | offered | goodput / planned | (plan's batching) | others' min "
      "attainment | (plan's batching) |\n|---|---|---|---|---|---|---|\n");
  for (const char* policy : {"glet", "temporal", "gpulet"}) {
    auto planner = sched::MakePlanner(policy, {});
    if (!planner.ok()) {
      continue;
    }
    Result<sched::Plan> plan = (*planner)->MakePlan(*w, sched::Fleet{&*profile, 2}, nullptr);
    if (!plan.ok()) {
      std::printf("| %s | - | - | no plan: %s | | | |\n", policy, plan.status().message().c_str());
      continue;
    }
    for (const std::string& model : models) {
      for (double factor : {1.3, 2.0, 5.0, 10.0}) {
        const Outcome now = Run(*plan, *profile, model, factor, duration_s, true);
        const Outcome before = Run(*plan, *profile, model, factor, duration_s, false);
        std::printf("| %s | %s | %.1fx | %.3f | %.3f | %.4f | %.4f |\n", policy, model.c_str(),
                    factor, now.goodput_ratio, before.goodput_ratio, now.others_min,
                    before.others_min);
      }
    }
  }
  return 0;
}

}  // namespace
}  // namespace glet

int main(int argc, char** argv) { return glet::Main(argc, argv); }
