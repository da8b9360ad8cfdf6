// RateMonitor: per-model request arrival rates and the decision to re-plan.
//
// Time is cut into fixed windows [start + k*window, start + (k+1)*window). Arrivals are counted
// in the open window; when a window closes its rate (count / window) enters an exponentially
// weighted moving average: ewma = alpha * window_rate + (1 - alpha) * ewma, the first closed
// window of a model setting ewma to its rate. Windows that pass with no arrivals count as 0.
// Rate() is the EWMA over closed windows only, so it moves in window-sized steps.
//
// Re-planning on evidence. SetPlannedRates() records the rates the plan in force was made for.
// Both sides are compared above each model's floor (max(min_rate_rps, its floor_rps); the plan
// never goes below it): observed t = max(Rate(), floor), planned p = max(planned, floor), a model
// missing from the plan counting as planned at 0. A model has moved when |t - p| is both
//   - past the relative threshold: > replan_threshold * p, and
//   - outside the Poisson noise of the EWMA at rate p: > noise_z * sqrt(p / window_s *
//     alpha / (2 - alpha)) (the EWMA's standard deviation when arrivals are Poisson at p),
// so an idle server does not re-plan (both sides sit at the floor) and a low rate does not
// re-plan on noise. ShouldReplan() then says yes:
//   - scale up (t > p) once the model has been moved up at every call for scale_up_after (a
//     burst of one window is not a rise), at most once per scale_up_gap (from the last "yes" or
//     SetPlannedRates()): the plan follows a rise within seconds, not at the next epoch;
//   - scale down (t < p) only once the model has been moved down at every call for
//     scale_down_after (hysteresis: a dip does not shed glets), and at most once per
//     replan_epoch; never for a model that has had no arrival yet (a server that has just
//     started keeps its configured rates until traffic says otherwise).
// The decision's rates are what to plan for: a model moving up gets max(Rate(), the rate of the
// last closed window) (the rise so far, not the EWMA lagging behind it), one whose drop held long
// enough gets t, every other model keeps its planned rate (so an up-move does not also shed what
// another model merely dipped), an unplanned one t.
//
// Scaling ahead by the load time. A new glet serves only once its model is loaded (its cold
// start, `lead_time`), and an up-move fires only after it held for scale_up_after, so a model
// that is still rising is judged and planned for where it will be when a plan made now serves:
// its rate plus rise x (lead_time + scale_up_after) is what is compared with the plan (so a
// plan made ahead of a ramp is followed by the next one as early as the ramp needs), and an
// up-move's target gets the same lead. A model without a lead_time gets none. The rise (rps per
// second) is taken from the last eight closed windows in four blocks of two: the least of the three
// increases from one block's mean rate to the next, over the two windows between them; 0 if any is
// not an increase. A ramp raises every block, so it is extrapolated; a step raises at most two
// blocks (one if it falls between them) and then stays, so it is not overshot; noise lowers the
// least of three, so the lead errs short rather than long. (Blocks of two halve the noise of single
// windows.)
//
// Pure policy: every call takes `now` (non-decreasing across calls); it never reads a clock.
// Thread safety: none; the owner serialises calls.
#pragma once

#include <array>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/status.h"

namespace glet::serve {

struct RateMonitorConfig {
  Duration window = std::chrono::seconds(1);             // > 0
  double alpha = 0.3;                                    // weight of the newest window, (0, 1]
  double replan_threshold = 0.2;                         // relative change that re-plans, > 0
  double min_rate_rps = 1.0;                             // every model's floor, >= 0
  Duration replan_epoch = std::chrono::seconds(10);      // between scale-downs, >= 0
  double noise_z = 4.0;                                  // noise bound in std devs, >= 0
  Duration scale_up_after = std::chrono::seconds(2);     // a rise must hold this long, >= 0
  Duration scale_up_gap = std::chrono::seconds(2);       // between scale-ups, >= 0
  Duration scale_down_after = std::chrono::seconds(30);  // a drop must hold this long, >= 0
  std::map<std::string, double, std::less<>> floor_rps;  // per-model floors, each >= 0
  // Per model: how long a new glet takes before it serves (the cold start, e.g. the profile's
  // load.csv); a model not listed has none. Each >= 0.
  std::map<std::string, Duration, std::less<>> lead_time;

  // The re-planning cadence from one number, as the serve config's epoch_s and `glet simulate
  // --epoch` give it: scale-downs at most once per epoch and only after a drop held for three,
  // scale-ups up to five times as often (the defaults above are those of a 10 s epoch; a huge
  // epoch turns rate re-planning off).
  void SetEpoch(Duration epoch) {
    replan_epoch = epoch;
    scale_up_gap = epoch / 5;
    scale_down_after = 3 * epoch;
  }
};

struct ReplanDecision {
  bool replan = false;
  // When replan: the first model (by name) that moved, its planned and observed rate (Rate()),
  // and whether it moved up.
  std::string model;
  double planned_rps = 0;
  double observed_rps = 0;
  bool up = false;
  // When replan: the rate to plan each model known to the monitor for (see above).
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

  // The lowest rate `model` is planned for: max(min_rate_rps, its floor_rps).
  double Floor(std::string_view model) const;
  // Replaces config().lead_time (the controller learns the cold starts from the profiles of the
  // devices it plans on). Negative entries count as 0.
  void SetLeadTimes(std::map<std::string, Duration, std::less<>> lead_time);
  // The rise of `model` (rps per second, >= 0) over the windows closed by `now` (see above).
  double Rise(std::string_view model, TimePoint now);

  ReplanDecision ShouldReplan(TimePoint now);

  const RateMonitorConfig& config() const { return config_; }

 private:
  struct ModelRate {
    long long open_count = 0;              // arrivals in the open window
    std::optional<double> ewma;            // rps; unset until the first window closes
    std::array<double, 8> recent_rps{};    // rates of the last closed windows, newest first
    int recent = 0;                        // how many of them have closed (at most 8)
    bool seen = false;                     // had an arrival since the monitor started
    std::optional<TimePoint> moved_since;  // moved (in direction moved_up) at every call since
    bool moved_up = false;
  };
  // How model `name` (observed `rate`, planned `planned`, floor `floor`) moved: +1 up, -1 down,
  // 0 not (see the rule above).
  int Moved(double rate, double planned, double floor) const;
  RateMonitor(RateMonitorConfig config, TimePoint start) : config_(config), open_start_(start) {}
  // Closes every window that ended at or before `now`.
  void Advance(TimePoint now);
  ModelRate& Get(std::string_view model);
  double RiseOf(const ModelRate& m) const;
  double LeadSeconds(std::string_view model) const;  // 0 when it has none

  RateMonitorConfig config_;
  TimePoint open_start_;  // start of the open window
  std::map<std::string, ModelRate, std::less<>> models_;
  std::map<std::string, double> planned_rps_;
  std::optional<TimePoint> epoch_start_;  // last SetPlannedRates() or "yes"
};

}  // namespace glet::serve
