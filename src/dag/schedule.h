// Schedule: where and when every task of a Problem runs, as produced by a DagScheduler, plus the
// context a schedule is built in (a start time and work already on the processors, for placing
// a DAG on top of an existing schedule).
#pragma once

#include <string>
#include <vector>

namespace glet::dag {

struct Placement {
  int processor = -1;
  double start = 0;
  double finish = 0;
};

// An interval a processor is already busy with (from an earlier schedule).
struct BusySlot {
  double start = 0;
  double finish = 0;
  std::string label;  // the task that occupies it, for charts
};

struct ScheduleContext {
  // No task starts before this time.
  double start_time = 0;
  // Per processor (index as in the Platform), intervals already taken; may be empty (= none) or
  // have one entry per processor. Intervals may touch but must not overlap.
  std::vector<std::vector<BusySlot>> busy;
};

struct Schedule {
  std::string algorithm;
  double start_time = 0;              // the context's start time
  std::vector<Placement> placements;  // indexed by task

  // Latest finish time (absolute); start_time when there are no tasks.
  double end_time() const;
  // end_time() - start_time: the time the DAG(s) take from the start time.
  double makespan() const { return end_time() - start_time; }
};

}  // namespace glet::dag
