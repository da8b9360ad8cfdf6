#include "sched/optimal_planner.h"

namespace glet::sched {

OptimalPlanner::OptimalPlanner(PlannerOptions options) : options_(std::move(options)) {}

Result<Plan> OptimalPlanner::MakePlan(const Workload&, const Fleet&,
                                      std::vector<std::string>*) const {
  return UnimplementedError("optimal: not implemented yet");
}

Result<std::pair<double, Plan>> OptimalPlanner::PeakScale(const Workload&, const Fleet&) const {
  return UnimplementedError("optimal: not implemented yet");
}

}  // namespace glet::sched
