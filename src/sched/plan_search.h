// Searches over planners, relying on feasibility being monotone in the device count and in the
// load (more devices never hurt, less load never hurts; tests/sched/monotonicity_test.cpp):
//   FindMinDevices  the fewest devices on which `planner` places `workload`;
//   FindPeakScale   the largest factor s such that workload.Scaled(s) fits `fleet` (binary
//                   search on s to a relative precision of `rel_precision`).
// Errors: what MakePlan() returns for bad input (kInvalidArgument); kResourceExhausted when
// nothing fits even at `max_devices` / at the smallest scale tried.
#pragma once

#include "core/status.h"
#include "sched/plan.h"
#include "sched/planner.h"

namespace glet::sched {

struct MinDevicesResult {
  int devices = 0;
  Plan plan;
};
Result<MinDevicesResult> FindMinDevices(const Planner& planner, const Workload& workload,
                                        const perf::DeviceProfile& profile, int max_devices);

struct PeakResult {
  double scale = 0;  // workload.Scaled(scale) fits
  Plan plan;         // the plan at that scale
};
Result<PeakResult> FindPeakScale(const Planner& planner, const Workload& workload,
                                 const Fleet& fleet, double rel_precision = 1e-3);

}  // namespace glet::sched
