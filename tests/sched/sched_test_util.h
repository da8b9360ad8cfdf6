// Synthetic device profiles with hand-computable latencies for the scheduler tests:
//   E(b, p) = (c + k*b) * 100 / p  ms, for b = 1..max_batch and p in `partitions`.
#pragma once

#include <array>
#include <map>
#include <string>
#include <vector>

#include "perf/device_profile.h"
#include "sched/planner.h"
#include "sched/safety.h"

namespace glet::sched::testing {

struct SynthModel {
  std::string name;
  double c = 2;
  double k = 1;
  double mem_mib = 1000;
  double l2 = 0.2;  // utilisation fractions, same at every batch
  double dram = 0.4;
  double sm = 0.5;
};

// Margins that plan for the mean rate (no burst model): the hand-computed cases use them so a
// batch of b absorbs exactly b arrivals per cycle.
inline SafetyMargins MeanRate() {
  SafetyMargins m;
  m.burst_miss = 0;
  return m;
}
inline PlannerOptions MeanRateOptions() {
  PlannerOptions o;
  o.margins = MeanRate();
  return o;
}

inline perf::DeviceProfile MakeProfile(const std::vector<SynthModel>& models,
                                       const std::vector<int>& partitions = {20, 50, 100},
                                       int max_batch = 32,
                                       std::array<double, 5> constants = {0, 0, 0, 0, 1}) {
  perf::DeviceProfile p;
  p.type = "synth";
  std::vector<perf::LatencyRow> rows;
  std::map<std::string, std::map<int, perf::UtilSample>> util;
  for (const SynthModel& m : models) {
    for (int part : partitions) {
      for (int b = 1; b <= max_batch; ++b) {
        rows.push_back({m.name, part, b, (m.c + m.k * b) * 100.0 / part});
      }
    }
    util[m.name][1] = perf::UtilSample{m.sm, m.l2, m.dram};
    p.model_mem_mib[m.name] = m.mem_mib;
  }
  p.latency = perf::LatencyProfile::FromRows(rows, "synth.csv").value();
  p.interference = perf::InterferenceModel::FromParts(constants, util);
  return p;
}

}  // namespace glet::sched::testing
