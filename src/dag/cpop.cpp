#include "dag/cpop.h"

#include <cmath>

#include "dag/ranks.h"
#include "dag/ready_queue.h"
#include "dag/schedule_builder.h"

namespace glet::dag {

namespace {

bool SamePriority(double a, double b) {
  return std::fabs(a - b) <= 1e-9 * std::max(1.0, std::max(std::fabs(a), std::fabs(b)));
}

}  // namespace

Result<Schedule> CpopScheduler::Run(const Problem& problem, const ScheduleContext& context) const {
  GLET_ASSIGN_OR_RETURN(ScheduleBuilder builder, ScheduleBuilder::Create(problem, context));
  const Dag& dag = problem.dag;
  const int n = dag.num_tasks();
  const int num_procs = problem.platform.num_processors();
  if (n == 0) {
    return builder.Build(name());
  }
  std::vector<double> up = UpwardRanks(problem);
  std::vector<double> down = DownwardRanks(problem);
  std::vector<double> priority(n);
  for (int i = 0; i < n; ++i) {
    priority[i] = up[i] + down[i];
  }

  // Critical path: from the entry task with the highest priority, follow successors whose
  // priority equals |CP| (lowest index first).
  int cur = -1;
  for (int t : dag.topological_order()) {
    if (dag.predecessors(t).empty() && (cur < 0 || priority[t] > priority[cur])) {
      cur = t;
    }
  }
  const double cp_length = priority[cur];
  std::vector<bool> on_cp(n, false);
  std::vector<int> cp_tasks;
  while (cur >= 0) {
    on_cp[cur] = true;
    cp_tasks.push_back(cur);
    int next = -1;
    for (const Link& out : dag.successors(cur)) {
      if (SamePriority(priority[out.task], cp_length) && (next < 0 || out.task < next)) {
        next = out.task;
      }
    }
    cur = next;
  }

  // Critical-path processor.
  int cp_proc = 0;
  int best_runnable = -1;
  double best_sum = kInfCost;
  for (int p = 0; p < num_procs; ++p) {
    int runnable = 0;
    double sum = 0;
    for (int t : cp_tasks) {
      if (dag.CanRun(t, p)) {
        ++runnable;
        sum += dag.cost(t, p);
      }
    }
    if (runnable > best_runnable || (runnable == best_runnable && sum < best_sum)) {
      best_runnable = runnable;
      best_sum = sum;
      cp_proc = p;
    }
  }

  // Ready queue by highest priority; ties by lowest index.
  ReadyQueue ready(dag, priority);
  while (!ready.empty()) {
    const int task = ready.Pop();
    Placement best{-1, kInfCost, kInfCost};
    if (on_cp[task] && dag.CanRun(task, cp_proc)) {
      best = builder.Earliest(task, cp_proc);
    } else {
      for (int p = 0; p < num_procs; ++p) {
        Placement candidate = builder.Earliest(task, p);
        if (candidate.finish < best.finish) {
          best = candidate;
        }
      }
    }
    builder.Assign(task, best);
    ready.Done(task);
  }
  return builder.Build(name());
}

}  // namespace glet::dag
