#include "sched/stage_scaler.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace glet::sched {
namespace {

constexpr double kNoiseZ = 2.0;  // z: standard deviations of the Poisson count sized for
constexpr double kRiseZ = 3.0;   // how far beyond noise a rise must go to be extrapolated

double Seconds(Duration d) { return std::chrono::duration<double>(d).count(); }

Status ValidateProfile(const std::vector<StagePoint>& profile) {
  if (profile.empty()) {
    return InvalidArgumentError("stage scaler: profile: needs at least one batch size");
  }
  for (size_t i = 0; i < profile.size(); ++i) {
    const std::string where = "stage scaler: profile: batch " + std::to_string(profile[i].batch);
    if (profile[i].batch < 1 || (i > 0 && profile[i].batch <= profile[i - 1].batch)) {
      return InvalidArgumentError(where + ": batch sizes must be >= 1 and increasing");
    }
    if (profile[i].latency <= Duration::zero()) {
      return InvalidArgumentError(where + ": latency must be > 0");
    }
  }
  return Status::Ok();
}

}  // namespace

Duration StageLatency(const std::vector<StagePoint>& profile, int k) {
  for (const StagePoint& p : profile) {
    if (p.batch >= k) {
      return p.latency;
    }
  }
  return profile.back().latency;
}

Result<StageScaler> StageScaler::Create(StageScalerConfig config) {
  GLET_RETURN_IF_ERROR(ValidateProfile(config.profile));
  if (config.slo <= Duration::zero()) {
    return InvalidArgumentError("stage scaler: slo: must be > 0");
  }
  if (config.cold_start < Duration::zero()) {
    return InvalidArgumentError("stage scaler: cold_start: must be >= 0");
  }
  if (!(config.utilization > 0 && config.utilization <= 1)) {
    return InvalidArgumentError("stage scaler: utilization: must be in (0, 1] (got " +
                                std::to_string(config.utilization) + ")");
  }
  if (config.slot <= Duration::zero() || config.window < config.slot ||
      config.window % config.slot != Duration::zero()) {
    return InvalidArgumentError("stage scaler: window: must be a positive multiple of slot (> 0)");
  }
  if (config.scale_down_after < config.slot ||
      config.scale_down_after % config.slot != Duration::zero()) {
    return InvalidArgumentError(
        "stage scaler: scale_down_after: must be a positive multiple of slot");
  }
  if (config.down_dwell < Duration::zero()) {
    return InvalidArgumentError("stage scaler: down_dwell: must be >= 0");
  }
  if (!(config.shed_budget >= 0 && config.shed_budget < 1)) {
    return InvalidArgumentError("stage scaler: shed_budget: must be in [0, 1)");
  }
  if (config.min_workers < 0 || config.max_workers < std::max(1, config.min_workers)) {
    return InvalidArgumentError(
        "stage scaler: workers: need 0 <= min_workers <= max_workers, max_workers >= 1");
  }
  return StageScaler(std::move(config));
}

StageScaler::StageScaler(StageScalerConfig config) : config_(std::move(config)) {
  batch_ = config_.profile.front().batch;
  workers_ = std::clamp(config_.initial_workers, config_.min_workers, config_.max_workers);
  feasible_ = false;
  for (const StagePoint& p : config_.profile) {
    if (2 * p.latency <= config_.slo) {
      batch_ = p.batch;
      feasible_ = true;
    }
  }
}

int64_t StageScaler::SlotOf(TimePoint t) const { return t.time_since_epoch() / config_.slot; }

void StageScaler::OnArrivals(TimePoint now, int count) {
  const int64_t slot = SlotOf(now);
  if (!counts_.empty() && counts_.back().first == slot) {
    counts_.back().second += count;
  } else {
    counts_.emplace_back(slot, count);
  }
}

double StageScaler::RateOver(int64_t end_slot, int64_t slots) const {
  int64_t arrivals = 0;
  for (const auto& [slot, count] : counts_) {
    if (slot >= end_slot - slots && slot < end_slot) {
      arrivals += count;
    }
  }
  return static_cast<double>(arrivals) / (static_cast<double>(slots) * Seconds(config_.slot));
}

int StageScaler::WorkersFor(double rate_rps) const {
  const double per_worker_rps =
      batch_ / Seconds(StageLatency(config_.profile, batch_)) * config_.utilization;
  const double n = std::ceil(rate_rps / per_worker_rps - 1e-9);
  return static_cast<int>(std::clamp(n, static_cast<double>(config_.min_workers),
                                     static_cast<double>(config_.max_workers)));
}

int StageScaler::WorkersForHistory(int64_t current) const {
  const int64_t first = current - config_.scale_down_after / config_.slot;
  std::vector<double> per_slot(static_cast<size_t>(current - first), 0);
  double total = 0;
  for (const auto& [slot, count] : counts_) {
    if (slot >= first && slot < current) {
      per_slot[static_cast<size_t>(slot - first)] = static_cast<double>(count);
      total += static_cast<double>(count);
    }
  }
  if (total == 0) {
    return config_.min_workers;
  }
  // Replays the window through n workers as a fluid queue: each slot they serve their full
  // throughput; the backlog may hold what they serve in the budget's slack past a batch
  // (S - d(b)), and what does not fit is shed.
  const Duration d = StageLatency(config_.profile, batch_);
  const double per_worker = batch_ / Seconds(d) * Seconds(config_.slot);  // per slot
  const double slack_slots = Seconds(config_.slo - d) / Seconds(config_.slot);
  for (int n = std::max(1, config_.min_workers); n < config_.max_workers; ++n) {
    const double served = n * per_worker * config_.utilization;
    const double room = served * slack_slots;
    double backlog = 0;
    double shed = 0;
    for (double a : per_slot) {
      backlog = std::max(0.0, backlog + a - served);
      if (backlog > room) {
        shed += backlog - room;
        backlog = room;
      }
    }
    if (shed <= config_.shed_budget * total) {
      return n;
    }
  }
  return config_.max_workers;
}

StageScale StageScaler::Decide(TimePoint now) {
  const int64_t window_slots = config_.window / config_.slot;
  const int64_t current = SlotOf(now);  // only whole slots count: [current - window, current)
  const int64_t kept = std::max(2 * window_slots, config_.scale_down_after / config_.slot);
  while (!counts_.empty() && counts_.front().first < current - kept) {
    counts_.pop_front();
  }
  const double rate = RateOver(current, window_slots);
  const double before = RateOver(current - window_slots, window_slots);
  // Only a rise beyond the noise of the two counts is extrapolated.
  const double noise = kRiseZ * std::sqrt((rate + before) / Seconds(config_.window));
  const double rise =
      std::max(0.0, rate - before - noise) * Seconds(config_.cold_start) / Seconds(config_.window);
  const double demand = rate + rise + kNoiseZ * std::sqrt(rate / Seconds(config_.window));
  const int target = std::max(WorkersFor(demand), WorkersForHistory(current));
  while (!recent_targets_.empty() && recent_targets_.front().first < now - config_.down_dwell) {
    recent_targets_.pop_front();
  }
  recent_targets_.emplace_back(now, target);
  if (!started_) {
    started_ = now;
  }
  int recent = 0;  // the largest target of the last down_dwell
  for (const auto& [at, n] : recent_targets_) {
    recent = std::max(recent, n);
  }
  if (target > workers_) {
    workers_ = target;
  } else if (recent < workers_ && now - *started_ >= config_.scale_down_after &&
             now - recent_targets_.front().first >= config_.down_dwell - config_.slot) {
    workers_ = recent;
  }
  StageScale s;
  s.batch = batch_;
  s.workers = workers_;
  s.rate_rps = rate;
  s.demand_rps = demand;
  s.feasible = feasible_;
  return s;
}

StageScale ReferenceStageScale(const std::vector<StagePoint>& profile, Duration slo,
                               double rate_rps) {
  StageScale s;
  s.batch = profile.front().batch;
  s.feasible = false;
  const double budget = Seconds(slo);
  for (const StagePoint& p : profile) {
    const double d = Seconds(p.latency);
    if (d + (p.batch - 1) * d / rate_rps <= budget) {
      s.batch = p.batch;
      s.feasible = true;
    }
  }
  const double d = Seconds(StageLatency(profile, s.batch));
  s.workers = std::max(1, static_cast<int>(std::ceil(rate_rps * d / s.batch * 1.2 + 5)));
  s.rate_rps = rate_rps;
  s.demand_rps = rate_rps;
  return s;
}

}  // namespace glet::sched
