// RateMonitor: per-model request arrival rates and the decision to re-plan.
//
// Time is cut into fixed windows [start + k*window, start + (k+1)*window). Arrivals are counted
// in the open window; when a window closes its rate (count / window) enters an exponentially
// weighted moving average: ewma = alpha * window_rate + (1 - alpha) * ewma, the first closed
// window of a model setting ewma to its rate. Windows that pass with no arrivals count as 0.
// Rate() is the EWMA over closed windows only, so it moves in window-sized steps.
//
// Re-planning: SetPlannedRates() records the rates the plan in force was made for. ShouldReplan()
// says yes when some model's Rate() differs from its planned rate by more than
// replan_threshold * max(planned, min_rate_rps) (a model missing from the plan counts as
// planned at 0), and at most once per replan_epoch: never within replan_epoch of the last "yes"
// or of the last SetPlannedRates().
//
// Pure policy: every call takes `now` (non-decreasing across calls); it never reads a clock.
// Thread safety: none; the owner serialises calls.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/status.h"

namespace glet::serve {

struct RateMonitorConfig {
  Duration window = std::chrono::seconds(1);         // > 0
  double alpha = 0.3;                                // weight of the newest window, (0, 1]
  double replan_threshold = 0.2;                     // relative change that re-plans, > 0
  double min_rate_rps = 1.0;                         // floor of the reference rate, >= 0
  Duration replan_epoch = std::chrono::seconds(10);  // >= 0
};

struct ReplanDecision {
  bool replan = false;
  // When replan: the first model (by name) past the threshold, its planned and observed rate.
  std::string model;
  double planned_rps = 0;
  double observed_rps = 0;
  // When replan: Rate() of every model known to the monitor, the input for the next plan.
  std::map<std::string, double> rates_rps;
};

class RateMonitor {
 public:
  // Windows start at `start`. kInvalidArgument naming the config field at fault.
  static Result<RateMonitor> Create(RateMonitorConfig config, TimePoint start);

  // Counts `count` arrivals of `model` at `now`.
  void RecordArrival(std::string_view model, TimePoint now, int count = 1);

  // EWMA arrival rate of `model` in requests per second over the windows closed by `now`;
  // 0 for a model never seen or before its first window closed.
  double Rate(std::string_view model, TimePoint now);

  // The rates the plan now in force was made for; starts a new epoch at `now`. A model seen
  // later but not in `rates_rps` counts as planned at 0.
  void SetPlannedRates(std::map<std::string, double> rates_rps, TimePoint now);

  ReplanDecision ShouldReplan(TimePoint now);

  const RateMonitorConfig& config() const { return config_; }

 private:
  struct ModelRate {
    long long open_count = 0;    // arrivals in the open window
    std::optional<double> ewma;  // rps; unset until the first window closes
  };
  RateMonitor(RateMonitorConfig config, TimePoint start) : config_(config), open_start_(start) {}
  // Closes every window that ended at or before `now`.
  void Advance(TimePoint now);
  ModelRate& Get(std::string_view model);

  RateMonitorConfig config_;
  TimePoint open_start_;  // start of the open window
  std::map<std::string, ModelRate, std::less<>> models_;
  std::map<std::string, double> planned_rps_;
  std::optional<TimePoint> epoch_start_;  // last SetPlannedRates() or "yes"
};

}  // namespace glet::serve
