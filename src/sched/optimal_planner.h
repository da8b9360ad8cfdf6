// OptimalPlanner (policy `optimal`): an exhaustive branch-and-bound search for small cases, to
// measure the heuristic's gap to the optimum (and, with interference off, an upper bound).
//
// Search space. A device holds up to kOptimalMaxGletsPerDevice glets whose partitions (from the
// allowed set) sum to <= 100. Each glet serves a "unit": one model, or a set of models
// time-shared in one duty cycle with rates in proportion to their demands (all subsets for up to
// 4 models; single models, pairs and the whole set beyond that). A glet runs at its capacity:
// the saturated glet for one model, the largest proportional rate that FitGlet accepts for a
// set. Interference: each glet is sized for a slow-down cap; caps start at 1 and are raised (on
// a 0.01 grid) to the slow-downs the device's glets actually cause until they agree, so every
// configuration is valid under the interference model. Memory and network limits hold per
// device. The peak scale is max over multisets of K device configurations of
// min over models of (capacity / demand), found by depth-first search over Pareto-optimal
// configurations with an optimistic bound (remaining devices x best per-model capacity).
// Exact within this space; the heuristic may exceed it only by using more than
// kOptimalMaxGletsPerDevice glets or larger time-shared groups.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "sched/planner.h"

namespace glet::sched {

inline constexpr int kOptimalMaxModels = 7;
inline constexpr int kOptimalMaxDevices = 4;
inline constexpr int kOptimalMaxGletsPerDevice = 5;

class OptimalPlanner : public Planner {
 public:
  explicit OptimalPlanner(PlannerOptions options);

  // Planner
  std::string name() const override { return "optimal"; }
  bool PlansSeveralTypes() const override { return false; }
  Result<Plan> MakePlan(const Workload& workload, const Fleet& fleet,
                        std::vector<std::string>* explain) const override;

  // The largest s such that workload.Scaled(s) fits on fleet.max_devices devices, with a plan
  // at that scale. kInvalidArgument beyond kOptimalMaxModels models or kOptimalMaxDevices
  // devices; kResourceExhausted when no configuration serves every model.
  Result<std::pair<double, Plan>> PeakScale(const Workload& workload, const Fleet& fleet) const;

 private:
  PlannerOptions options_;
};

}  // namespace glet::sched
