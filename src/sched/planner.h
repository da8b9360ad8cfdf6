// Planner: turns per-model request rates and a fleet (sched/fleet.h: device types, their
// profiles and counts) into a Plan (devices, how each is cut into glets, model/batch/duty cycle
// per glet).
// Thread safety: implementations keep no state between calls; MakePlan() may run concurrently
// on one instance. Variants: glet_planner.h (glet, glet-noint, glet-notype, temporal,
// greedy-split are configurations of it) and optimal_planner.h; planner_factory.h builds them
// by policy name.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"
#include "perf/device_profile.h"
#include "sched/fleet.h"
#include "sched/plan.h"
#include "sched/safety.h"
#include "sched/workload.h"

namespace glet::sched {

inline const std::vector<int>& DefaultPartitions() {
  static const std::vector<int> kPartitions = {20, 40, 50, 60, 80, 100};
  return kPartitions;
}

struct PlannerOptions {
  std::vector<int> partitions = DefaultPartitions();  // allowed glet sizes, percent
  SafetyMargins margins;
  bool interference = true;   // plan with (and check) interference slow-downs
  bool workload_type = true;  // prefer co-locating compute- with memory-bound glets
  // Largest interference slow-down a shared glet may be planned for; the planner tries caps
  // from 1 up to this and keeps the plan with the fewest devices.
  double max_alpha = 1.5;
  // Reject merges no cycle can hold with a cheap bound before searching cycles (MayFitGlet in
  // sched/glet_fit.h). It never changes a plan; false (slower) lets tests check that it does not.
  bool prune_fits = true;
};

class Planner {
 public:
  virtual ~Planner() = default;
  virtual std::string name() const = 0;
  // Whether MakePlan takes a fleet of several device types; a planner that does not refuses one
  // with kInvalidArgument (Fleet::RequireOneType).
  virtual bool PlansSeveralTypes() const { return true; }
  // Returns a plan that places every request per second of `workload` within `fleet` and meets
  // every SLO, or: kInvalidArgument for bad input (unknown model, profile gap, unreachable SLO,
  // bad rate, a fleet of several device types for a policy that plans one), kResourceExhausted
  // naming what does not fit and why. Never a partial plan.
  // `explain`, when not null, receives one line per decision.
  virtual Result<Plan> MakePlan(const Workload& workload, const Fleet& fleet,
                                std::vector<std::string>* explain) const = 0;
};

}  // namespace glet::sched
