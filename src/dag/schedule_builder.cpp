#include "dag/schedule_builder.h"

#include <algorithm>
#include <cmath>

#include "core/strings.h"

namespace glet::dag {

ScheduleBuilder::ScheduleBuilder(const Problem& problem, double start_time)
    : problem_(&problem),
      start_time_(start_time),
      placements_(problem.dag.num_tasks()),
      timelines_(problem.platform.num_processors()) {}

Result<ScheduleBuilder> ScheduleBuilder::Create(const Problem& problem,
                                                const ScheduleContext& context) {
  if (!std::isfinite(context.start_time) || context.start_time < 0) {
    return InvalidArgumentError("start time must be a finite number >= 0 (got " +
                                FormatDouble(context.start_time, 3) + ")");
  }
  const int num_procs = problem.platform.num_processors();
  if (!context.busy.empty() && static_cast<int>(context.busy.size()) != num_procs) {
    return InvalidArgumentError("existing schedule: expected busy intervals for " +
                                std::to_string(num_procs) + " processors, got " +
                                std::to_string(context.busy.size()));
  }
  ScheduleBuilder builder(problem, context.start_time);
  for (size_t p = 0; p < context.busy.size(); ++p) {
    std::vector<BusySlot> slots = context.busy[p];
    std::sort(slots.begin(), slots.end(),
              [](const BusySlot& a, const BusySlot& b) { return a.start < b.start; });
    for (size_t i = 0; i < slots.size(); ++i) {
      const BusySlot& s = slots[i];
      const std::string where =
          "existing schedule: processor " + problem.platform.names()[p] + ": '" + s.label + "'";
      if (!std::isfinite(s.start) || !std::isfinite(s.finish) || s.finish < s.start) {
        return InvalidArgumentError(where + ": finish must be >= start");
      }
      if (i > 0 && s.start < slots[i - 1].finish) {
        return InvalidArgumentError(where + ": overlaps '" + slots[i - 1].label + "'");
      }
      builder.timelines_[p].Insert(s.start, s.finish, -1);
    }
  }
  builder.initial_timelines_ = builder.timelines_;
  return builder;
}

double ScheduleBuilder::ReadyTime(int task, int proc) const {
  double ready = start_time_;
  for (const Link& in : problem_->dag.predecessors(task)) {
    const Placement& from = placements_[in.task];
    double arrive = from.finish + problem_->platform.CommCost(from.processor, proc, in.data);
    ready = std::max(ready, arrive);
  }
  return ready;
}

Placement ScheduleBuilder::Earliest(int task, int proc) const {
  double cost = problem_->dag.cost(task, proc);
  if (cost == kInfCost) {
    return Placement{proc, kInfCost, kInfCost};
  }
  double start = timelines_[proc].EarliestStart(ReadyTime(task, proc), cost);
  return Placement{proc, start, start + cost};
}

void ScheduleBuilder::Assign(int task, const Placement& placement) {
  placements_[task] = placement;
  timelines_[placement.processor].Insert(placement.start, placement.finish, task);
}

void ScheduleBuilder::Reset() {
  std::fill(placements_.begin(), placements_.end(), Placement{});
  timelines_ = initial_timelines_;
}

Schedule ScheduleBuilder::Build(std::string algorithm) const {
  return Schedule{std::move(algorithm), start_time_, placements_};
}

}  // namespace glet::dag
