#include "dag/ranks.h"

#include <algorithm>
#include <cmath>

namespace glet::dag {

std::vector<double> UpwardRanks(const Problem& problem) {
  const Dag& dag = problem.dag;
  std::vector<double> rank(dag.num_tasks(), 0.0);
  const std::vector<int>& topo = dag.topological_order();
  for (auto it = topo.rbegin(); it != topo.rend(); ++it) {
    int t = *it;
    double best = 0;
    for (const Link& out : dag.successors(t)) {
      best = std::max(best, problem.platform.MeanCommCost(out.data) + rank[out.task]);
    }
    rank[t] = dag.MeanCost(t) + best;
  }
  return rank;
}

std::vector<double> DownwardRanks(const Problem& problem) {
  const Dag& dag = problem.dag;
  std::vector<double> rank(dag.num_tasks(), 0.0);
  for (int t : dag.topological_order()) {
    double best = 0;
    for (const Link& in : dag.predecessors(t)) {
      best = std::max(
          best, rank[in.task] + dag.MeanCost(in.task) + problem.platform.MeanCommCost(in.data));
    }
    rank[t] = best;
  }
  return rank;
}

std::vector<int64_t> QuantizePriorities(const std::vector<double>& priority) {
  double largest = 0;
  for (double v : priority) {
    largest = std::max(largest, std::fabs(v));
  }
  const double unit = largest > 0 ? largest * 1e-12 : 1.0;
  std::vector<int64_t> out(priority.size());
  for (size_t i = 0; i < priority.size(); ++i) {
    out[i] = std::llround(priority[i] / unit);
  }
  return out;
}

std::vector<int> OrderByDecreasing(const Dag& dag, const std::vector<double>& priority_in) {
  const std::vector<int64_t> priority = QuantizePriorities(priority_in);
  std::vector<int> topo_pos(dag.num_tasks());
  for (int i = 0; i < dag.num_tasks(); ++i) {
    topo_pos[dag.topological_order()[i]] = i;
  }
  std::vector<int> order = dag.topological_order();
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
    if (priority[a] != priority[b]) {
      return priority[a] > priority[b];
    }
    return topo_pos[a] < topo_pos[b];
  });
  return order;
}

}  // namespace glet::dag
