// GletPlanner: the gpu-let spatio-temporal method with its known defects fixed (policy `glet`).
// Per model: for each partition p the saturated batch and throughput T(p); the most
// cost-effective partition p* = argmax T(p)/p takes floor(rate / T(p*)) saturated glets; the
// residue goes to the smallest partition that can serve it (duty-cycled). Residues of several
// models are merged into one time-shared glet when their batches fit in one cycle (and the
// merged glet is shrunk to the smallest partition that still fits). Glets are then packed onto
// devices (DevicePacker) with memory, network and interference checks on every placement.
// Interference: glets meant to share a device are sized for a slow-down cap A; the planner tries
// A = 1, 1.05, ... up to options.max_alpha and keeps the plan with the fewest devices (then the
// least partition in use). Every plan it returns has passed PlanChecker.
// Several device types (sched/fleet.h): tables per (model, type); each model's rate is split over
// the types that run it by SplitAcrossTypes (sched/type_split.h: the type that serves it for the
// least cost first, moves by comparative advantage where a type's budget is short, the cheapest
// of a few feasible splits since devices come whole), then each type is planned as above with its
// share; devices are listed type by type.
//
// Configurations (planner_factory.h): glet-noint (interference ignored, A = 1), glet-notype (no
// workload-type preference), temporal (partitions {100}: whole devices, Nexus-style squishy bin
// packing of residues), greedy-split (partitions {50}: every device split in two halves).
#pragma once

#include <string>
#include <vector>

#include "sched/planner.h"

namespace glet::sched {

class GletPlanner : public Planner {
 public:
  GletPlanner(std::string name, PlannerOptions options);

  // Planner
  std::string name() const override { return name_; }
  Result<Plan> MakePlan(const Workload& workload, const Fleet& fleet,
                        std::vector<std::string>* explain) const override;

  const PlannerOptions& options() const { return options_; }

 private:
  std::string name_;
  PlannerOptions options_;
};

}  // namespace glet::sched
