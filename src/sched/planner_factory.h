// Builds a Planner by policy name, all sharing one set of options (partitions, margins):
//   glet          the default: GletPlanner with interference and workload-type rules
//   glet-noint    interference ignored (plans may violate SLOs once glets slow each other)
//   glet-notype   workload type ignored when choosing devices
//   temporal      whole devices only (partitions {100}): Nexus-style squishy bin packing
//   greedy-split  fixed split: every device cut into two 50% glets
//   optimal       exact search (OptimalPlanner), small cases only
//   gpulet        the gpu-let (ATC'22) heuristic as published, the baseline (GpuletPlanner)
// Unknown names are kInvalidArgument listing the known ones.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "sched/planner.h"

namespace glet::sched {

const std::vector<std::string>& PolicyNames();
Result<std::unique_ptr<Planner>> MakePlanner(const std::string& policy,
                                             const PlannerOptions& options);

}  // namespace glet::sched
