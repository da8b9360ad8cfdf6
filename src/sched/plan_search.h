// Searches over planners, relying on feasibility being monotone in the device count and in the
// load (more devices never hurt, less load never hurts; tests/sched/monotonicity_test.cpp):
//   FindMinDevices  the fewest devices on which `planner` places `workload`. With several device
//                   types: the plan for the whole budget (each model already on the type where
//                   it costs least), then each type's count lowered, the most expensive type
//                   first, to the fewest at which the rates still fit with the other types at
//                   the counts found so far. The result is minimal per type (no single type can
//                   lose a device) and cheap, not a proven minimum of the total cost;
//   FindPeakScale   the largest factor s such that workload.Scaled(s) fits `fleet` (binary
//                   search on s to a relative precision of `rel_precision`).
// Errors: what MakePlan() returns for bad input (kInvalidArgument); kResourceExhausted when
// nothing fits even at `max_devices` / at the smallest scale tried.
#pragma once

#include <vector>

#include "core/status.h"
#include "sched/plan.h"
#include "sched/planner.h"

namespace glet::sched {

struct MinDevicesResult {
  int devices = 0;            // in all
  std::vector<int> per_pool;  // per pool of the fleet
  double cost = 0;            // sum of devices x cost per device
  Plan plan;
};
Result<MinDevicesResult> FindMinDevices(const Planner& planner, const Workload& workload,
                                        const Fleet& fleet);
// One device type, at most `max_devices` of it.
Result<MinDevicesResult> FindMinDevices(const Planner& planner, const Workload& workload,
                                        const perf::DeviceProfile& profile, int max_devices);

struct PeakResult {
  double scale = 0;  // workload.Scaled(scale) fits
  Plan plan;         // the plan at that scale
};
Result<PeakResult> FindPeakScale(const Planner& planner, const Workload& workload,
                                 const Fleet& fleet, double rel_precision = 1e-3);

}  // namespace glet::sched
