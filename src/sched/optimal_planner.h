// OptimalPlanner (policy `optimal`): exact search for small cases (<= 4 models, <= 4 devices),
// to measure the heuristic's gap to the optimum. See optimal_planner.cpp for the search space.
#pragma once

#include <string>
#include <vector>

#include "sched/planner.h"

namespace glet::sched {

inline constexpr int kOptimalMaxModels = 4;
inline constexpr int kOptimalMaxDevices = 4;

class OptimalPlanner : public Planner {
 public:
  explicit OptimalPlanner(PlannerOptions options);

  // Planner
  std::string name() const override { return "optimal"; }
  Result<Plan> MakePlan(const Workload& workload, const Fleet& fleet,
                        std::vector<std::string>* explain) const override;

  // The largest s such that workload.Scaled(s) fits on fleet.max_devices devices, and a plan
  // at that scale. kInvalidArgument beyond the size limits above.
  Result<std::pair<double, Plan>> PeakScale(const Workload& workload, const Fleet& fleet) const;

 private:
  PlannerOptions options_;
};

}  // namespace glet::sched
