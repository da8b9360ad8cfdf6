// PlanChecker: validates any plan against the device profiles, independently of the planners
// (it recomputes every latency from the profile; it trusts none of the plan's derived fields).
// A plan is valid when
//   - every device's type is known, its partitions sum to <= 100, its glets' memory (context +
//     models) fits the device, and its input traffic fits the device's network bandwidth;
//   - every glet's partition is profiled for each of its models, batches are within max_batch,
//     the executions fit in the duty cycle (sum of E_i(b_i) x margins x alpha_i <= duty_ms),
//     each model meets its SLO (duty_ms + E_i(b_i) x margins x alpha_i <= slo_ms), and each batch
//     absorbs the arrivals of one cycle at the glet's rate (Poisson quantile when the plan's
//     margins ask for it);
//   - alpha_i is the interference slow-down from the device's other glets (each counted with its
//     most demanding model), when the device type has an interference model and the check asks;
//   - every model of the workload is placed at its full rate, and nothing else is placed;
//   - no stated expected latency understates the recomputed one.
//
// Thread safety: immutable after construction; Check() may run concurrently.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/status.h"
#include "perf/device_profile.h"
#include "sched/plan.h"

namespace glet::sched {

struct CheckReport {
  std::vector<std::string> violations;  // one line each, naming device/glet/model
  bool ok() const { return violations.empty(); }
};

class PlanChecker {
 public:
  // `profiles` maps device type -> profile; the profiles are not owned and must outlive this.
  PlanChecker(std::map<std::string, const perf::DeviceProfile*> profiles, bool interference);

  // Every violation found (not only the first).
  CheckReport Check(const Plan& plan) const;

 private:
  std::map<std::string, const perf::DeviceProfile*> profiles_;  // pointees not owned
  bool interference_;
};

}  // namespace glet::sched
