#include "dag/random_dag.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "dag/rng.h"

namespace glet::dag {

Problem RandomDag(const RandomDagOptions& o) {
  GLET_CHECK(o.tasks >= 1 && o.processors >= 1 && o.max_in_degree >= 1 && o.shape > 0)
      << "bad RandomDagOptions";
  Rng rng(o.seed);
  const int n = o.tasks;
  const int levels =
      std::clamp(static_cast<int>(std::lround(std::sqrt(static_cast<double>(n)) / o.shape)), 1, n);
  // Level of each task: the first `levels` tasks seed one level each, the rest are random.
  std::vector<int> level(n);
  for (int i = 0; i < n; ++i) {
    level[i] = i < levels ? i : static_cast<int>(rng.Below(levels));
  }
  std::sort(level.begin(), level.end());
  std::vector<int> level_begin(levels + 1, 0);
  for (int i = 0; i < n; ++i) {
    ++level_begin[level[i] + 1];
  }
  for (int l = 0; l < levels; ++l) {
    level_begin[l + 1] += level_begin[l];
  }
  std::vector<Task> tasks(n);
  for (int i = 0; i < n; ++i) {
    tasks[i].name = "T" + std::to_string(i);
    const double mean = o.mean_cost * rng.Uniform(0.5, 1.5);
    for (int p = 0; p < o.processors; ++p) {
      tasks[i].cost.push_back(mean * rng.Uniform(1 - o.beta / 2, 1 + o.beta / 2));
    }
  }
  std::vector<Edge> edges;
  for (int i = 0; i < n; ++i) {
    const int l = level[i];
    if (l == 0) {
      continue;
    }
    const int lo = level_begin[std::max(0, l - 2)];
    const int above_lo = level_begin[l - 1];
    const int hi = level_begin[l];  // exclusive
    std::set<int> preds;
    preds.insert(above_lo + static_cast<int>(rng.Below(hi - above_lo)));
    const int extra = static_cast<int>(rng.Below(o.max_in_degree));
    for (int k = 0; k < extra; ++k) {
      preds.insert(lo + static_cast<int>(rng.Below(hi - lo)));
    }
    for (int p : preds) {
      edges.push_back(Edge{p, i, o.mean_cost * o.ccr * rng.Uniform(0.5, 1.5)});
    }
  }
  Result<Dag> dag = Dag::Create(std::move(tasks), std::move(edges), o.processors, "random");
  GLET_CHECK(dag.ok()) << dag.status().ToString();
  return Problem{"random-" + std::to_string(n), std::move(dag).value(),
                 Platform::Uniform(o.processors)};
}

}  // namespace glet::dag
