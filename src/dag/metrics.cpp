#include "dag/metrics.h"

#include <algorithm>
#include <cmath>

#include "core/strings.h"

namespace glet::dag {

namespace {
bool Before(double a, double b) {  // a < b beyond rounding
  return a < b - 1e-9 * std::max(1.0, std::fabs(b));
}
}  // namespace

double CriticalPathMinCost(const Dag& dag) {
  std::vector<double> longest(dag.num_tasks(), 0.0);
  double best = 0;
  for (int t : dag.topological_order()) {
    double in = 0;
    for (const Link& l : dag.predecessors(t)) {
      in = std::max(in, longest[l.task]);
    }
    longest[t] = in + dag.MinCost(t);
    best = std::max(best, longest[t]);
  }
  return best;
}

double SequentialTime(const Problem& problem) {
  const Dag& dag = problem.dag;
  double best = kInfCost;
  for (int p = 0; p < dag.num_processors(); ++p) {
    double sum = 0;
    for (int t = 0; t < dag.num_tasks(); ++t) {
      sum += dag.cost(t, p);
    }
    best = std::min(best, sum);
  }
  if (best == kInfCost) {
    best = 0;
    for (int t = 0; t < dag.num_tasks(); ++t) {
      best += dag.MinCost(t);
    }
  }
  return best;
}

double ScheduleLengthRatio(const Problem& problem, const Schedule& schedule) {
  double cp = CriticalPathMinCost(problem.dag);
  return cp > 0 ? schedule.makespan() / cp : 0.0;
}

double Speedup(const Problem& problem, const Schedule& schedule) {
  double makespan = schedule.makespan();
  return makespan > 0 ? SequentialTime(problem) / makespan : 0.0;
}

Status CheckSchedule(const Problem& problem, const ScheduleContext& context,
                     const Schedule& schedule) {
  const Dag& dag = problem.dag;
  const int num_procs = problem.platform.num_processors();
  if (static_cast<int>(schedule.placements.size()) != dag.num_tasks()) {
    return InternalError("schedule has " + std::to_string(schedule.placements.size()) +
                         " placements for " + std::to_string(dag.num_tasks()) + " tasks");
  }
  struct Interval {
    double start, finish;
    std::string label;
  };
  std::vector<std::vector<Interval>> per_proc(num_procs);
  for (size_t p = 0; p < context.busy.size() && static_cast<int>(p) < num_procs; ++p) {
    for (const BusySlot& s : context.busy[p]) {
      per_proc[p].push_back({s.start, s.finish, "existing '" + s.label + "'"});
    }
  }
  for (int t = 0; t < dag.num_tasks(); ++t) {
    const Placement& pl = schedule.placements[t];
    const std::string& name = dag.task(t).name;
    if (pl.processor < 0 || pl.processor >= num_procs) {
      return InternalError("task " + name + " is not placed");
    }
    if (!dag.CanRun(t, pl.processor)) {
      return InternalError("task " + name + " placed on a processor that cannot run it");
    }
    if (std::fabs(pl.finish - pl.start - dag.cost(t, pl.processor)) >
        1e-9 * std::max(1.0, pl.finish)) {
      return InternalError("task " + name + " runs for a time other than its cost");
    }
    if (Before(pl.start, context.start_time)) {
      return InternalError("task " + name + " starts before the start time");
    }
    for (const Link& in : dag.predecessors(t)) {
      const Placement& from = schedule.placements[in.task];
      double arrive =
          from.finish + problem.platform.CommCost(from.processor, pl.processor, in.data);
      if (Before(pl.start, arrive)) {
        return InternalError("task " + name + " starts at " + FormatDouble(pl.start, 3) +
                             " before the data from " + dag.task(in.task).name + " arrives at " +
                             FormatDouble(arrive, 3));
      }
    }
    per_proc[pl.processor].push_back({pl.start, pl.finish, "task " + name});
  }
  for (int p = 0; p < num_procs; ++p) {
    auto& v = per_proc[p];
    std::sort(v.begin(), v.end(), [](const Interval& a, const Interval& b) {
      return a.start < b.start || (a.start == b.start && a.finish < b.finish);
    });
    for (size_t i = 1; i < v.size(); ++i) {
      if (Before(v[i].start, v[i - 1].finish)) {
        return InternalError(v[i].label + " overlaps " + v[i - 1].label + " on processor " +
                             problem.platform.names()[p]);
      }
    }
  }
  return Status::Ok();
}

}  // namespace glet::dag
