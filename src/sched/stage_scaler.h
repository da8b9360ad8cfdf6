// StageScaler: the batch size and number of workers (glets) of one pipeline stage, chosen from
// the stage's own observed arrivals (issue 14, stage autoscaling): a fast tuner in the style of
// InferLine's, with Nexus's batch rule and the workers' cold start taken into account.
//
// Policy, with d(b) the stage's profiled batch latency, S its latency budget, c the cold start
// of a new worker (it serves only c after it is started) and rho the planned utilisation of a
// worker:
//   - batch b: the largest profiled batch with 2 d(b) <= S (under load a request may wait for
//     the batch ahead of it, then run in its own). If none passes, the smallest: the stage then
//     cannot keep S at all (`feasible` false).
//   - rate: arrivals are counted in slots of `slot`; r = the arrivals of the last `window`,
//     per second. The demand now is r+ = r + rise + z sqrt(r / window):
//       rise  the growth of r over the window before, beyond 3 sigma of the two counts,
//             extrapolated over c (a worker started now serves only after c, so the tuner
//             scales up ahead of need by the load time);
//       z     2: the Poisson noise of the count.
//   - workers for the demand now: n(r+) = ceil(r+ d(b) / (b rho)).
//   - workers for the recent past: the fewest n that would have served the arrivals of the
//     last `scale_down_after` with at most `shed_budget` of them shed, replayed slot by slot
//     through n workers as a fluid queue (each serves b / d(b) x rho per second; the backlog
//     holds what they serve in S - d(b), the wait a request can afford; the rest is shed).
//     Bursts shorter than the wait are absorbed; longer swings are served: so a rate that
//     swings faster than a worker starts is sized for its swings, not for its peaks.
//   - size: the larger of the two, clamped to [min_workers, max_workers]. Up at once; down
//     only once the scaler has watched the stage for scale_down_after (it starts at
//     initial_workers), and then as the recent past allows: a drop is followed only after the
//     higher demand has left the window (hysteresis). With down_dwell > 0 a step down also
//     waits until every target of the last down_dwell was below the size, and goes to the
//     largest of them: fewer worker starts (the count's noise does not release a worker that
//     its next peak starts again), at the cost of more worker-seconds.
// Pure: no clock and no threads; callers pass `now` (non-decreasing across calls), so tests,
// the simulator and the benchmark run it on simulated time.
//
// ReferenceStageScale() is the pipeline-scaling prototype's rule, the benchmark's baseline:
// the largest b with d(b) + (b - 1) d(b) / r <= S, and ceil(r d(b) / b x 1.2 + 5) workers.
//
// Thread safety: none; the owner serialises calls.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/status.h"

namespace glet::sched {

// One point of a stage's batch-latency profile.
struct StagePoint {
  int batch = 1;
  Duration latency{};
};

// The latency of a batch of k items: that of the smallest profiled batch >= k (a batch runs as
// the next profiled size up). REQUIRES: a valid profile, 1 <= k <= its largest batch.
Duration StageLatency(const std::vector<StagePoint>& profile, int k);

struct StageScalerConfig {
  std::vector<StagePoint> profile;                       // batches increasing, >= 1; latencies > 0
  Duration slo{};                                        // the stage's latency budget, > 0
  Duration cold_start{};                                 // a new worker's load time, >= 0
  double utilization = 0.85;                             // rho, in (0, 1]
  Duration slot = std::chrono::milliseconds(100);        // arrival counting, > 0
  Duration window = std::chrono::seconds(2);             // rate window, a multiple of slot
  Duration scale_down_after = std::chrono::seconds(10);  // the recent past, a multiple of slot
  int min_workers = 1;
  int max_workers = 1024;
  int initial_workers = 0;     // the size the stage starts with (below min_workers: min_workers)
  double shed_budget = 0.002;  // the share of arrivals the size may leave unserved, in [0, 1)
  Duration down_dwell{};       // a step down waits until every target of this long was lower
};

struct StageScale {
  int batch = 1;
  int workers = 1;
  double rate_rps = 0;    // r
  double demand_rps = 0;  // r+
  bool feasible = true;   // 2 d(b) <= S for the chosen b
};

class StageScaler {
 public:
  // kInvalidArgument naming the field at fault.
  static Result<StageScaler> Create(StageScalerConfig config);

  // `count` requests arrived at `now`.
  void OnArrivals(TimePoint now, int count = 1);
  // The size the stage should have at `now` (see the policy above).
  StageScale Decide(TimePoint now);

  const StageScalerConfig& config() const { return config_; }

 private:
  explicit StageScaler(StageScalerConfig config);
  int64_t SlotOf(TimePoint t) const;
  // Arrivals per second over the `slots` slots ending `end_slot` (excluded).
  double RateOver(int64_t end_slot, int64_t slots) const;
  int WorkersFor(double rate_rps) const;
  // The fewest workers that would have shed at most shed_budget of the arrivals of the last
  // scale_down_after (see the policy).
  int WorkersForHistory(int64_t current_slot) const;

  StageScalerConfig config_;
  int batch_ = 1;
  bool feasible_ = true;
  int workers_ = 0;                                       // the size last answered
  std::optional<TimePoint> started_;                      // the first Decide()
  std::deque<std::pair<TimePoint, int>> recent_targets_;  // (time, target) of the last window
  std::deque<std::pair<int64_t, int64_t>> counts_;        // (slot, arrivals), slots increasing
};

// The pipeline-scaling prototype's sizing for an estimated rate (see above). REQUIRES: a valid
// profile, rate_rps > 0.
StageScale ReferenceStageScale(const std::vector<StagePoint>& profile, Duration slo,
                               double rate_rps);

}  // namespace glet::sched
