// CPOP, Critical Path On a Processor (Topcuoglu, Hariri, Wu, IEEE TPDS 13(3), 2002):
// priority(n) = rank_u(n) + rank_d(n); |CP| = priority of the entry task; the critical path
// starts at the entry task and repeatedly follows the successor whose priority equals |CP|.
// The critical-path processor is the one minimising the summed cost of the critical-path
// tasks. Ready tasks are taken by highest priority: a critical-path task goes to the
// critical-path processor, any other to the processor giving it the earliest finish time
// (insertion-based, as HEFT).
//
// Several entry tasks behave as if joined by a zero-cost pseudo entry task: |CP| is the
// highest entry priority. Equal priorities: within a relative 1e-9. If no processor can run
// every critical-path task, the critical-path processor is the one that can run the most of
// them (then the lowest summed cost), and a critical-path task it cannot run is placed as a
// non-critical one.
#pragma once

#include "dag/scheduler.h"

namespace glet::dag {

class CpopScheduler final : public DagScheduler {
 public:
  // DagScheduler
  std::string name() const override { return "cpop"; }
  Result<Schedule> Run(const Problem& problem, const ScheduleContext& context) const override;
};

}  // namespace glet::dag
