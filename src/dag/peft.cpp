#include "dag/peft.h"

#include <algorithm>

#include "dag/ranks.h"
#include "dag/ready_queue.h"
#include "dag/schedule_builder.h"

namespace glet::dag {

std::vector<double> PeftScheduler::OptimisticCostTable(const Problem& problem) {
  const Dag& dag = problem.dag;
  const int num_procs = problem.platform.num_processors();
  std::vector<double> oct(static_cast<size_t>(dag.num_tasks()) * num_procs, 0.0);
  std::vector<double> a(num_procs);
  const std::vector<int>& topo = dag.topological_order();
  for (auto it = topo.rbegin(); it != topo.rend(); ++it) {
    const int t = *it;
    double* row = &oct[static_cast<size_t>(t) * num_procs];
    for (const Link& out : dag.successors(t)) {
      const double* succ_row = &oct[static_cast<size_t>(out.task) * num_procs];
      double min_a = kInfCost;
      for (int w = 0; w < num_procs; ++w) {
        a[w] = succ_row[w] + dag.cost(out.task, w);
        min_a = std::min(min_a, a[w]);
      }
      const double via_other = min_a + problem.platform.MeanCommCost(out.data);
      for (int p = 0; p < num_procs; ++p) {
        row[p] = std::max(row[p], std::min(a[p], via_other));
      }
    }
  }
  return oct;
}

Result<Schedule> PeftScheduler::Run(const Problem& problem, const ScheduleContext& context) const {
  GLET_ASSIGN_OR_RETURN(ScheduleBuilder builder, ScheduleBuilder::Create(problem, context));
  const Dag& dag = problem.dag;
  const int n = dag.num_tasks();
  const int num_procs = problem.platform.num_processors();
  const std::vector<double> oct = OptimisticCostTable(problem);
  std::vector<double> rank(n, 0.0);
  for (int t = 0; t < n; ++t) {
    double sum = 0;
    int count = 0;
    for (int p = 0; p < num_procs; ++p) {
      if (dag.CanRun(t, p)) {
        sum += oct[static_cast<size_t>(t) * num_procs + p];
        ++count;
      }
    }
    rank[t] = sum / count;  // Dag::Create guarantees count > 0
  }

  ReadyQueue ready(dag, rank);
  while (!ready.empty()) {
    const int task = ready.Pop();
    Placement best{-1, kInfCost, kInfCost};
    double best_oeft = kInfCost;
    for (int p = 0; p < num_procs; ++p) {
      Placement candidate = builder.Earliest(task, p);
      double oeft = candidate.finish + oct[static_cast<size_t>(task) * num_procs + p];
      if (oeft < best_oeft) {
        best_oeft = oeft;
        best = candidate;
      }
    }
    builder.Assign(task, best);
    ready.Done(task);
  }
  return builder.Build(name());
}

}  // namespace glet::dag
