// FitGlet: the cheapest way to serve given rates of one or more models in one glet of a given
// partition, time-sharing it in a duty cycle. For a cycle of D ms each member i runs one batch
// b_i per cycle; the shape is valid when
//   b_i absorbs the arrivals of one cycle   lambda(b_i, K_i) >= rate_i * D / 1000 (b_i <=
//   max_batch)
//                                           with K_i = SlackCycles(slo_i, T, D)
//   every request meets its SLO             D + T <= slo_i
//   the batches fit in the cycle            T = sum_i alpha * E_i(b_i) <= D
// A request waits at most one cycle for its batch and the batch may queue behind one batch of
// every other member (the serving plane runs batches as they are cut, not in fixed slots), so
// its latency is bounded by D + T (D + its own batch for a glet of one model).
// where alpha is the slow-down the glet is planned for; each member takes the smallest valid b_i.
// Among valid cycles (every breakpoint of the constraints is tried, for every slack) it returns the
// one with the least occupancy sum(alpha*E_i)/D, i.e. the most room left for merging; ties go to
// the shorter cycle (lower latency). A single saturated model is the special case D = alpha * E(b).
#pragma once

#include <optional>
#include <vector>

#include "sched/model_table.h"
#include "sched/safety.h"

namespace glet::sched {

struct FitMember {
  const ModelTable* table = nullptr;  // not owned; outlives the call
  double rate_rps = 0;
};

struct GletShape {
  double duty_ms = 0;
  double occupancy = 0;
  std::vector<int> batches;     // per member
  std::vector<double> exec_ms;  // per member, alpha included
};

// FitGlet's first, cheapest test, over sums a planner can keep per group of members and extend
// by one member to try a merge: the members' best throughputs must leave room for all of them
// (occupancy_lb <= 1), and a cycle must be at least their batch-1 executions (d_min) and leave
// every SLO room for all of them. Rejects() is exactly what FitGlet tests first.
struct FitQuickSums {
  double occupancy_lb = 0;
  double d_min = 0;
  double min_slo = 1e300;

  // REQUIRES: m.table->HasPartition(partition).
  void Add(const FitMember& m, int partition, double alpha);
  bool Rejects() const;
};

// nullopt when no cycle is valid. REQUIRES: every member's table has `partition`.
// `prune` rejects with MayFitGlet before the cycle search; false gives the same answer, slower
// (every rejected merge runs the search): for tests that check the shortcut never changes one.
std::optional<GletShape> FitGlet(const std::vector<FitMember>& members, int partition, double alpha,
                                 const LambdaTable& lambda, bool prune = true);

// A necessary condition for FitGlet: false only when no cycle length at all is valid. A valid
// shape's executions T satisfy T <= D (1 + tolerance) and D + T <= every SLO, so its cycle is at
// least about T, which bounds each member's slack from above and its arrivals per cycle from
// below, hence its batch from below; the sum of those batches' latencies is a lower bound f(T)
// on T, non-decreasing in T. Starting from the batch-1 latencies, T is raised to f(T) until it
// settles; false when on the way some member has no batch or no slack left. Cheap (a few table
// lookups per member and round): FitGlet calls it before its cycle search.
// REQUIRES: as FitGlet.
bool MayFitGlet(const std::vector<FitMember>& members, int partition, double alpha,
                const LambdaTable& lambda);

// Evaluates one cycle length; nullopt if invalid.
std::optional<GletShape> EvaluateCycle(const std::vector<FitMember>& members, int partition,
                                       double alpha, const LambdaTable& lambda, double duty_ms);

}  // namespace glet::sched
