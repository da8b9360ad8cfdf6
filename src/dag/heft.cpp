#include "dag/heft.h"

#include "dag/ranks.h"
#include "dag/schedule_builder.h"

namespace glet::dag {

Result<Schedule> HeftScheduler::Run(const Problem& problem, const ScheduleContext& context) const {
  GLET_ASSIGN_OR_RETURN(ScheduleBuilder builder, ScheduleBuilder::Create(problem, context));
  const std::vector<int> order = OrderByDecreasing(problem.dag, UpwardRanks(problem));
  const int num_procs = problem.platform.num_processors();
  for (int task : order) {
    Placement best{-1, kInfCost, kInfCost};
    for (int p = 0; p < num_procs; ++p) {
      Placement candidate = builder.Earliest(task, p);
      if (candidate.finish < best.finish) {
        best = candidate;
      }
    }
    builder.Assign(task, best);
  }
  return builder.Build(name());
}

}  // namespace glet::dag
