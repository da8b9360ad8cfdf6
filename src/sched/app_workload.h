// AppWorkload: turns a multi-model application (a DAG of stages with one end-to-end SLO, see
// model/app_spec.h) and its entry rate into per-model demands the planners take.
//   Rates: each stage sees the entry rate times the fanouts along its inputs (a stage joining
//   several inputs runs once per request: the largest of its inputs' rates).
//   SLO split: stages are grouped by depth (longest path from an input); the end-to-end SLO is
//   divided among the depth levels by dynamic programming over a latency grid (as Nexus does
//   for chains), minimising the total device share the stages need: for a stage at budget x,
//   min over partitions p of (p/100) * rate / T(p, x), T the saturated throughput under SLO x.
//   Every path crosses each level at most once, so level budgets summing to the SLO keep every
//   path within it; for a chain this is exactly Nexus' split.
//   A model used by several stages gets the sum of their rates and the tightest budget.
// Errors: kInvalidArgument for bad rates, unknown models or profile gaps, and when no split of
// the SLO makes every stage feasible (naming the app and the SLO).
#pragma once

#include <string>
#include <vector>

#include "core/status.h"
#include "model/app_spec.h"
#include "perf/device_profile.h"
#include "sched/planner.h"
#include "sched/workload.h"

namespace glet::sched {

struct StageBudget {
  std::string stage;
  std::string model;
  int level = 0;
  double rate_rps = 0;
  double slo_ms = 0;
};

struct AppWorkload {
  Workload workload;
  std::vector<StageBudget> stages;
};

Result<AppWorkload> SplitApp(const model::AppSpec& app, double entry_rate_rps,
                             const perf::DeviceProfile& profile, const PlannerOptions& options,
                             int grid_steps = 200);

}  // namespace glet::sched
