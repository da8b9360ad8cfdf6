// Workloads shared by the scheduler, simulator and mixed-fleet benchmarks: the three scenarios of
// the gpu-let evaluation (S1-S3, each model with its SLO) and the ref-gpu profile they are
// planned on. Every workload here asks 1 rps per model, so a plan search's peak scale is the peak
// rate per model. Benchmarks print these names in their tables: changing one changes their output.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "perf/device_profile.h"
#include "sched/workload.h"

namespace glet::bench {

struct Scenario {
  std::string id;            // "S1"; empty for a one-off case a benchmark adds
  std::string name;          // "S1 resnet50/vgg16/mobilenet_v2": the id and its models
  sched::Workload workload;  // 1 rps per model, max batch 32
};

// One ModelDemand per (model, slo_ms) pair, in order, each at 1 rps with max batch 32.
sched::Workload UnitRateWorkload(const std::vector<std::pair<std::string, double>>& slo_ms);

// S1 (resnet50 108 ms, vgg16 142, mobilenet_v2 64), S2 (googlenet 112, ssd-mobilenetv1 90,
// vgg16 112), S3 (lenet1..lenet6 and resnet50, all 108 ms), in that order.
std::vector<Scenario> StandardScenarios();

// The committed ref-gpu profile (ResourceDir()/profiles/ref-gpu), loaded on first use. Aborts
// with the loader's message when it cannot be read (a benchmark cannot go on without it).
const perf::DeviceProfile& RefGpuProfile();

}  // namespace glet::bench
