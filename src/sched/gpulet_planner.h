// GpuletPlanner (policy `gpulet`): the baseline. The heuristic of gpu-let (Choi et al., "Serving
// Heterogeneous Machine Learning Models on Multi-GPU Servers with Spatio-Temporal Sharing",
// USENIX ATC'22) written from its description, with its limits kept and its crashes not:
//   1. Elastic partitioning, one model at a time in gpu-let's order (ascending rate x SLO):
//      the most cost-effective partition p_eff = argmax T(p)/p, with T(p) the saturated
//      throughput at the largest batch b with 2 E(p,b) <= SLO (no interference assumed); while
//      the rate left is at least T(p_eff), a saturated gpu-let of p_eff; the rest is a residue.
//   2. Merging residues by temporal sharing: a residue first tries to join an already placed
//      residue gpu-let of other models (first fit): the newcomer takes its largest batch whose
//      cycle fits within the gpu-let's cycle, the gpu-let adopts that cycle and the members
//      re-batch for it; accepted when every batch fits one cycle, every SLO holds under the
//      plan's bound for shared gpu-lets (LatencyBoundMs, sched/plan.h) and no member already
//      there loses rate. Otherwise the residue gets its own gpu-let on the smallest partition
//      that serves it: the largest batch b whose cycle D, the time b requests take to arrive,
//      keeps E(b) <= D and D + E(b) <= SLO (at low rates D is cut to SLO - E(b), so a trickle
//      of requests plans instead of failing as in gpu-let's prototype).
//   3. Assignment to GPUs, first fit in GPU order, with gpu-let's fixed pairing: a GPU holds at
//      most two gpu-lets; the first cuts it into p and 100 - p, and the second takes the whole
//      remainder 100 - p, sized anew there for its model's rate left (saturated if that fills
//      one, else a residue). A new GPU opens only when no remainder takes the gpu-let.
//      Every placement is checked for memory, network and interference: with the device's
//      interference model each member of both gpu-lets is slowed by alpha, a cycle stretches to
//      hold its slowed batches, and if any member would then miss its SLO the placement is
//      reverted and the next GPU tried. A member whose stretched cycle no longer absorbs its
//      rate serves less, and the rate it lost is planned again as more gpu-lets of its model
//      after the other models (gpu-let's "additional rate").
// gpu-let sizes nothing for interference and never cuts a GPU a second time, so on shared GPUs
// it loses throughput that glet keeps; that is what the benchmarks measure. Feasibility is not
// monotone in the load (greedy first fit). Every plan it returns has passed PlanChecker
// (interference included when the profile has a model and options.interference is set).
//
// Thread safety: keeps no state between calls; MakePlan() may run concurrently.
#pragma once

#include <string>
#include <vector>

#include "sched/planner.h"

namespace glet::sched {

class GpuletPlanner : public Planner {
 public:
  // Uses options.partitions, margins and interference; workload_type and max_alpha are glet's
  // and ignored.
  explicit GpuletPlanner(PlannerOptions options);

  // Planner
  std::string name() const override { return "gpulet"; }
  bool PlansSeveralTypes() const override { return false; }
  Result<Plan> MakePlan(const Workload& workload, const Fleet& fleet,
                        std::vector<std::string>* explain) const override;

 private:
  PlannerOptions options_;
};

}  // namespace glet::sched
