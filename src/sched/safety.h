// SafetyMargins: the margins a plan is built (and checked) with. gpu-let hard-codes its margins;
// glet makes each one a choice recorded in the plan, so the checker re-evaluates the plan exactly
// as it was made and the benchmarks can measure what each margin costs.
//   latency_ratio     every profiled latency is multiplied by it (>= 1; 1 = trust the profile)
//   batch_cost        add the host-side cost of assembling the batch (profile's <shape>.txt)
//   poisson_quantile  0 = plan for the mean rate; q in (0,1): a batch of b must hold the q-th
//                     quantile of the Poisson number of arrivals in one duty cycle, i.e. a glet
//                     with batch b and duty cycle D serves rate r only if
//                     PoissonQuantile(r * D / 1000, q) <= b. Exact for every rate (no
//                     approximation at low rates), normal approximation above a mean of 700.
#pragma once

#include <vector>

#include "core/status.h"

namespace glet::sched {

struct SafetyMargins {
  double latency_ratio = 1.0;
  bool batch_cost = false;
  double poisson_quantile = 0;

  // kInvalidArgument naming the field.
  Status Validate() const;
  friend bool operator==(const SafetyMargins&, const SafetyMargins&) = default;
};

// Smallest k with P[Poisson(mean) <= k] >= q. REQUIRES: mean >= 0, 0 < q < 1.
int PoissonQuantile(double mean, double q);

// LambdaTable: for each batch b (1..max_batch), the largest mean number of arrivals per duty
// cycle that a batch of b absorbs under `margins` (b itself when poisson_quantile is 0).
// Non-decreasing in b.
class LambdaTable {
 public:
  LambdaTable(int max_batch, double poisson_quantile);
  // REQUIRES: 1 <= b <= max_batch.
  double MaxMean(int b) const { return max_mean_[b - 1]; }
  // Smallest batch absorbing `mean` arrivals per cycle, or 0 if none up to max_batch.
  int BatchFor(double mean) const;
  int max_batch() const { return static_cast<int>(max_mean_.size()); }

 private:
  std::vector<double> max_mean_;
};

}  // namespace glet::sched
