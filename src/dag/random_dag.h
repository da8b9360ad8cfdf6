// Random task graphs for benchmarks and tests, after the generator of Topcuoglu et al. 2002
// (section 5.2): tasks in about sqrt(v)/shape levels; each task past the first level has 1 to
// max_in_degree predecessors from the two levels above it (at least one from the level right
// above); mean cost per task uniform in [0.5, 1.5] x mean_cost, per-processor cost uniform in
// mean x [1 - beta/2, 1 + beta/2]; edge data uniform in [0.5, 1.5] x mean_cost x ccr, on a
// platform with bandwidth 1 and no start-up latency. The same options give the same graph.
#pragma once

#include <cstdint>

#include "dag/problem.h"

namespace glet::dag {

struct RandomDagOptions {
  int tasks = 100;
  int processors = 4;
  double shape = 1.0;  // > 1: wide and short; < 1: narrow and deep
  int max_in_degree = 4;
  double mean_cost = 20;
  double ccr = 1.0;   // communication-to-computation ratio
  double beta = 0.5;  // heterogeneity of costs over processors, in [0, 2)
  uint64_t seed = 1;
};

// REQUIRES: tasks >= 1, processors >= 1, max_in_degree >= 1, shape > 0.
Problem RandomDag(const RandomDagOptions& options);

}  // namespace glet::dag
