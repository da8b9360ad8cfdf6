// HEFT, Heterogeneous Earliest Finish Time (Topcuoglu, Hariri, Wu, IEEE TPDS 13(3), 2002):
// tasks in decreasing upward rank (ranks.h); each goes to the processor giving it the earliest
// finish time, using insertion into idle gaps (timeline.h). Ties: the earlier task in
// topological order first; the lowest-index processor.
#pragma once

#include "dag/scheduler.h"

namespace glet::dag {

class HeftScheduler final : public DagScheduler {
 public:
  // DagScheduler
  std::string name() const override { return "heft"; }
  Result<Schedule> Run(const Problem& problem, const ScheduleContext& context) const override;
};

}  // namespace glet::dag
