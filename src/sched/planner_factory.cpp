#include "sched/planner_factory.h"

#include "core/strings.h"
#include "sched/glet_planner.h"
#include "sched/gpulet_planner.h"
#include "sched/optimal_planner.h"

namespace glet::sched {

const std::vector<std::string>& PolicyNames() {
  static const std::vector<std::string> kNames = {
      "glet", "glet-noint", "glet-notype", "temporal", "greedy-split", "optimal", "gpulet"};
  return kNames;
}

Result<std::unique_ptr<Planner>> MakePlanner(const std::string& policy,
                                             const PlannerOptions& options) {
  PlannerOptions o = options;
  if (policy == "glet") {
    return std::unique_ptr<Planner>(std::make_unique<GletPlanner>(policy, o));
  }
  if (policy == "glet-noint") {
    o.interference = false;
    return std::unique_ptr<Planner>(std::make_unique<GletPlanner>(policy, o));
  }
  if (policy == "glet-notype") {
    o.workload_type = false;
    return std::unique_ptr<Planner>(std::make_unique<GletPlanner>(policy, o));
  }
  if (policy == "temporal") {
    o.partitions = {100};
    o.workload_type = false;
    return std::unique_ptr<Planner>(std::make_unique<GletPlanner>(policy, o));
  }
  if (policy == "greedy-split") {
    o.partitions = {50};
    o.workload_type = false;
    return std::unique_ptr<Planner>(std::make_unique<GletPlanner>(policy, o));
  }
  if (policy == "gpulet") {
    return std::unique_ptr<Planner>(std::make_unique<GpuletPlanner>(o));
  }
  if (policy == "optimal") {
    return std::unique_ptr<Planner>(std::make_unique<OptimalPlanner>(o));
  }
  return InvalidArgumentError("--policy: unknown policy '" + policy +
                              "' (known: " + Join(PolicyNames(), ", ") + ")");
}

}  // namespace glet::sched
