// ScheduleBuilder: the state every list scheduler shares while it places tasks one by one: where
// each placed task runs, each processor's timeline (with any work from an existing schedule),
// and the insertion-based earliest start / finish time of a task on a processor.
//
// Thread safety: none; one builder per scheduling run. Borrows the Problem, which must outlive it.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"
#include "dag/problem.h"
#include "dag/schedule.h"
#include "dag/timeline.h"

namespace glet::dag {

class ScheduleBuilder {
 public:
  // Errors (kInvalidArgument): `context.busy` neither empty nor one list per processor, a busy
  // interval with finish < start, overlapping busy intervals, a negative or non-finite start time.
  static Result<ScheduleBuilder> Create(const Problem& problem, const ScheduleContext& context);

  // Time the inputs of `task` can all be on `proc` (never before the start time).
  // REQUIRES: every predecessor of `task` is placed.
  double ReadyTime(int task, int proc) const;
  // Insertion-based earliest start and finish of `task` on `proc`; start and finish are +inf
  // when the task cannot run there. REQUIRES: as ReadyTime().
  Placement Earliest(int task, int proc) const;
  // Places `task`. REQUIRES: `placement` came from Earliest() since the last Assign().
  void Assign(int task, const Placement& placement);
  bool placed(int task) const { return placements_[task].processor >= 0; }
  const Placement& placement(int task) const { return placements_[task]; }
  const std::vector<ProcessorTimeline>& timelines() const { return timelines_; }

  // Forgets every placed task (keeps the existing schedule's work).
  void Reset();
  // The schedule built so far. REQUIRES: every task placed.
  Schedule Build(std::string algorithm) const;

 private:
  ScheduleBuilder(const Problem& problem, double start_time);

  const Problem* problem_;  // not owned; outlives this builder
  double start_time_;
  std::vector<Placement> placements_;
  std::vector<ProcessorTimeline> timelines_;
  std::vector<ProcessorTimeline> initial_timelines_;  // the existing schedule's work only
};

}  // namespace glet::dag
