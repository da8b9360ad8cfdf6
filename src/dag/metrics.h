// Schedule quality measures (Topcuoglu et al. 2002, section 5.1) and a feasibility check.
//   SLR     = makespan / sum over CP_MIN of the minimum computation cost, CP_MIN being the path
//             with the largest sum of per-task minimum costs (communication left out); >= 1 for
//             a feasible schedule.
//   speedup = sequential time / makespan, the sequential time being the smallest total cost of
//             running every task on one processor (when no processor can run every task: the sum
//             of each task's minimum cost).
// Both are 0 when their denominator is 0.
#pragma once

#include "core/status.h"
#include "dag/problem.h"
#include "dag/schedule.h"

namespace glet::dag {

double CriticalPathMinCost(const Dag& dag);
double SequentialTime(const Problem& problem);
double ScheduleLengthRatio(const Problem& problem, const Schedule& schedule);
double Speedup(const Problem& problem, const Schedule& schedule);

// OK if `schedule` is feasible: every task placed once on a processor that can run it for
// exactly its cost, no earlier than the start time or its inputs' arrival (communication
// convention of platform.h), and no two tasks (or existing work) overlap on a processor.
// Otherwise kInternal naming the first violation.
Status CheckSchedule(const Problem& problem, const ScheduleContext& context,
                     const Schedule& schedule);

}  // namespace glet::dag
