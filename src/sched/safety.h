// SafetyMargins: the margins a plan is built (and checked) with. gpu-let hard-codes its margins;
// glet makes each one a choice recorded in the plan, so the checker re-evaluates the plan exactly
// as it was made and the benchmarks can measure what each margin costs.
//   latency_ratio     every profiled latency is multiplied by it (>= 1; 1 = trust the profile)
//   batch_cost        add the host-side cost of assembling the batch (profile's <shape>.txt)
//   poisson_quantile  0 = off; q in (0,1): a batch of b must hold the q-th quantile of the
//                     Poisson number of arrivals in one duty cycle, i.e. a glet with batch b and
//                     duty cycle D serves rate r only if PoissonQuantile(r * D / 1000, q) <= b
//                     (gpu-let's rate inflation; exact at every rate, normal approximation above a
//                     mean of 700).
//   burst_miss        0 = off; e in (0,1) (default 0.005): the queueing model. A member with
//                     batch b, duty cycle D, batch time E and SLO S may fall K = SlackCycles(S, E,
//                     D) cycles behind and still meet its SLO; it serves a mean of m = r * D / 1000
//                     arrivals per cycle only if an upper bound on the fraction of its requests
//                     that wait more than K cycles behind Poisson bursts is <= e. The bound: the
//                     backlog Q left at a cycle boundary follows Lindley's recursion
//                     Q' = max(Q + A - b, 0) with A ~ Poisson(m) (no request ever dropped, so
//                     the backlog is over-estimated), Kingman's bound P[Q >= x] <= exp(-theta x)
//                     with theta > 0 the root of m (e^theta - 1) = b theta, and the i-th arrival
//                     of a cycle misses when Q + i >= (K + 1) b:
//                       miss(m) <= sum_{i >= 0} P[A > i] min(1, exp(-theta ((K + 1) b - i))) / m.
//                     With both poisson_quantile and burst_miss off, a batch of b serves b
//                     arrivals per cycle: the mean rate, which leaves a saturated glet no room
//                     for bursts.
#pragma once

#include <vector>

#include "core/status.h"

namespace glet::sched {

struct SafetyMargins {
  double latency_ratio = 1.0;
  bool batch_cost = false;
  double poisson_quantile = 0;
  double burst_miss = 0.005;

  // kInvalidArgument naming the field.
  Status Validate() const;
  friend bool operator==(const SafetyMargins&, const SafetyMargins&) = default;
};

// Slack cycles are counted up to this many; more slack is treated as this much (conservative).
inline constexpr int kMaxSlackCycles = 8;

// How many whole duty cycles a request may wait behind a burst and still meet `slo_ms` with a
// batch taking `exec_ms` in a cycle of `duty_ms`: floor((slo - exec - duty) / duty), capped at
// kMaxSlackCycles; -1 when duty + exec > slo (not even the first cycle meets the SLO).
// REQUIRES: duty_ms > 0. Inline: the planners' inner loops call it.
inline int SlackCycles(double slo_ms, double exec_ms, double duty_ms) {
  const double room = (slo_ms * (1 + 1e-9) - exec_ms - duty_ms) / duty_ms;
  if (room < 0) {
    return -1;
  }
  return room >= kMaxSlackCycles ? kMaxSlackCycles : static_cast<int>(room);
}

// Smallest k with P[Poisson(mean) <= k] >= q. REQUIRES: mean >= 0, 0 < q < 1.
int PoissonQuantile(double mean, double q);

// The burst model's bound on the fraction of requests that miss (see burst_miss above) for a mean
// of `mean` arrivals per cycle, batch `batch` and `slack` slack cycles. 1 when mean >= batch
// (the backlog grows without bound). REQUIRES: batch >= 1, 0 <= slack.
double BurstMissBound(double mean, int batch, int slack);

// Largest mean number of arrivals per cycle that a batch of `batch` absorbs with `slack` slack
// cycles under `margins` (`batch` itself with both Poisson margins off). Process-wide memoised;
// thread-safe. REQUIRES: margins.Validate().ok(), batch >= 1, 0 <= slack.
double MaxMeanArrivals(const SafetyMargins& margins, int batch, int slack);

// LambdaTable: MaxMeanArrivals for batches 1..max_batch and slack 0..kMaxSlackCycles, looked up
// in the planners' inner loops. Non-decreasing in b and in slack.
class LambdaTable {
 public:
  LambdaTable(int max_batch, const SafetyMargins& margins);
  // REQUIRES: 1 <= b <= max_batch, slack >= 0 (capped at kMaxSlackCycles).
  double MaxMean(int b, int slack) const {
    return max_mean_[(b - 1) * (kMaxSlackCycles + 1) +
                     (slack < kMaxSlackCycles ? slack : kMaxSlackCycles)];
  }
  // Smallest batch absorbing `mean` arrivals per cycle with `slack` slack cycles, or 0 if none
  // up to max_batch.
  int BatchFor(double mean, int slack) const;
  int max_batch() const { return max_batch_; }
  // 0 when the slack does not change MaxMean (both Poisson margins off, or only the per-cycle
  // quantile): planners then need not try cycles where the slack changes.
  int max_slack() const { return max_slack_; }

 private:
  int max_batch_ = 0;
  int max_slack_ = 0;
  std::vector<double> max_mean_;  // [(b - 1) * (kMaxSlackCycles + 1) + slack]
};

}  // namespace glet::sched
