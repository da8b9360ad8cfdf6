#include "serve/rate_monitor.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace glet::serve {

Result<RateMonitor> RateMonitor::Create(RateMonitorConfig config, TimePoint start) {
  const std::string where = "rate monitor: ";
  if (config.window <= Duration::zero()) {
    return InvalidArgumentError(where + "window_ms: must be > 0 (got " +
                                std::to_string(ToMillis(config.window)) + ")");
  }
  if (!(config.alpha > 0 && config.alpha <= 1)) {
    return InvalidArgumentError(where + "alpha: must be in (0, 1] (got " +
                                std::to_string(config.alpha) + ")");
  }
  if (!(config.replan_threshold > 0) || !std::isfinite(config.replan_threshold)) {
    return InvalidArgumentError(where + "replan_threshold: must be > 0 (got " +
                                std::to_string(config.replan_threshold) + ")");
  }
  if (!(config.min_rate_rps >= 0) || !std::isfinite(config.min_rate_rps)) {
    return InvalidArgumentError(where + "min_rate_rps: must be >= 0 (got " +
                                std::to_string(config.min_rate_rps) + ")");
  }
  if (config.replan_epoch < Duration::zero()) {
    return InvalidArgumentError(where + "replan_epoch_ms: must be >= 0 (got " +
                                std::to_string(ToMillis(config.replan_epoch)) + ")");
  }
  for (const auto& [model, floor] : config.floor_rps) {
    if (!(floor >= 0) || !std::isfinite(floor)) {
      return InvalidArgumentError(where + "floor_rps: model '" + model + "': must be >= 0 (got " +
                                  std::to_string(floor) + ")");
    }
  }
  if (!(config.noise_z >= 0) || !std::isfinite(config.noise_z)) {
    return InvalidArgumentError(where + "noise_z: must be >= 0 (got " +
                                std::to_string(config.noise_z) + ")");
  }
  if (config.scale_up_after < Duration::zero()) {
    return InvalidArgumentError(where + "scale_up_after_ms: must be >= 0 (got " +
                                std::to_string(ToMillis(config.scale_up_after)) + ")");
  }
  if (config.scale_up_gap < Duration::zero()) {
    return InvalidArgumentError(where + "scale_up_gap_ms: must be >= 0 (got " +
                                std::to_string(ToMillis(config.scale_up_gap)) + ")");
  }
  if (config.scale_down_after < Duration::zero()) {
    return InvalidArgumentError(where + "scale_down_after_ms: must be >= 0 (got " +
                                std::to_string(ToMillis(config.scale_down_after)) + ")");
  }
  for (const auto& [model, lead] : config.lead_time) {
    if (lead < Duration::zero()) {
      return InvalidArgumentError(where + "lead_time: model '" + model + "': must be >= 0 (got " +
                                  std::to_string(ToMillis(lead)) + " ms)");
    }
  }
  return RateMonitor(config, start);
}

RateMonitor::ModelRate& RateMonitor::Get(std::string_view model) {
  auto it = models_.find(model);
  if (it == models_.end()) {
    it = models_.emplace(std::string(model), ModelRate{}).first;
  }
  return it->second;
}

void RateMonitor::Advance(TimePoint now) {
  if (now < open_start_ + config_.window) {
    return;
  }
  const long long closed = (now - open_start_) / config_.window;  // >= 1
  const double window_s = std::chrono::duration<double>(config_.window).count();
  const double keep = 1.0 - config_.alpha;
  for (auto& [name, m] : models_) {
    // The open window closes with its count, then closed - 1 empty windows follow.
    const double rate = static_cast<double>(m.open_count) / window_s;
    m.ewma = m.ewma ? config_.alpha * rate + keep * *m.ewma : rate;
    if (closed > 1) {
      *m.ewma *= std::pow(keep, static_cast<double>(closed - 1));
    }
    // The closed windows, newest first: this one, then closed - 1 empty ones after it.
    const long long shift = std::min<long long>(closed, m.recent_rps.size());
    std::rotate(m.recent_rps.rbegin(), m.recent_rps.rbegin() + shift, m.recent_rps.rend());
    for (long long i = 0; i < shift; ++i) {
      m.recent_rps[i] = 0;
    }
    if (closed <= static_cast<long long>(m.recent_rps.size())) {
      m.recent_rps[closed - 1] = rate;
    }
    m.recent = static_cast<int>(std::min<long long>(m.recent + closed, m.recent_rps.size()));
    m.open_count = 0;
  }
  open_start_ += closed * config_.window;
}

void RateMonitor::RecordArrival(std::string_view model, TimePoint now, int count) {
  Advance(now);
  ModelRate& m = Get(model);
  m.open_count += std::max(count, 0);
  m.seen |= count > 0;
}

double RateMonitor::Rate(std::string_view model, TimePoint now) {
  Advance(now);
  auto it = models_.find(model);
  if (it == models_.end() || !it->second.ewma) {
    return 0.0;
  }
  return *it->second.ewma;
}

void RateMonitor::SetPlannedRates(std::map<std::string, double> rates_rps, TimePoint now) {
  Advance(now);
  planned_rps_ = std::move(rates_rps);
  epoch_start_ = now;
}

double RateMonitor::Floor(std::string_view model) const {
  auto it = config_.floor_rps.find(model);
  return it == config_.floor_rps.end() ? config_.min_rate_rps
                                       : std::max(config_.min_rate_rps, it->second);
}

void RateMonitor::SetLeadTimes(std::map<std::string, Duration, std::less<>> lead_time) {
  for (auto& [model, lead] : lead_time) {
    lead = std::max(lead, Duration::zero());
  }
  config_.lead_time = std::move(lead_time);
}

double RateMonitor::RiseOf(const ModelRate& m) const {
  if (m.recent < static_cast<int>(m.recent_rps.size())) {
    return 0;
  }
  constexpr size_t kBlock = 2;  // windows per block
  auto block = [&](size_t b) {
    return (m.recent_rps[b * kBlock] + m.recent_rps[b * kBlock + 1]) / 2;
  };
  double least = block(0) - block(1);
  for (size_t b = 1; b + 1 < m.recent_rps.size() / kBlock; ++b) {
    least = std::min(least, block(b) - block(b + 1));
  }
  const double window_s = std::chrono::duration<double>(config_.window).count();
  return std::max(least, 0.0) / (kBlock * window_s);
}

double RateMonitor::LeadSeconds(std::string_view model) const {
  auto lead = config_.lead_time.find(model);
  // The cold start, and the hold before an up-move fires: the next plan serves that long after
  // the rate that triggers it.
  return lead == config_.lead_time.end()
             ? 0.0
             : std::chrono::duration<double>(lead->second + config_.scale_up_after).count();
}

double RateMonitor::Rise(std::string_view model, TimePoint now) {
  Advance(now);
  auto it = models_.find(model);
  return it == models_.end() ? 0.0 : RiseOf(it->second);
}

int RateMonitor::Moved(double rate, double planned, double floor) const {
  const double t = std::max(rate, floor);
  const double p = std::max(planned, floor);
  const double change = std::abs(t - p);
  if (change <= config_.replan_threshold * p) {
    return 0;
  }
  // Standard deviation of the EWMA of window rates when arrivals are Poisson at p: each window's
  // rate has variance p / window_s, and the EWMA keeps alpha / (2 - alpha) of it.
  const double window_s = std::chrono::duration<double>(config_.window).count();
  const double sigma = std::sqrt(p / window_s * config_.alpha / (2.0 - config_.alpha));
  if (change <= config_.noise_z * sigma) {
    return 0;
  }
  return t > p ? 1 : -1;
}

ReplanDecision RateMonitor::ShouldReplan(TimePoint now) {
  Advance(now);
  ReplanDecision decision;
  const Duration since = epoch_start_ ? now - *epoch_start_ : Duration::max();
  const bool up_allowed = since >= config_.scale_up_gap;
  const bool down_allowed = since >= config_.replan_epoch;
  // Every model either planned or seen, by name.
  for (const auto& [name, planned] : planned_rps_) {
    Get(name);
  }
  struct Move {
    int direction = 0;
    bool held = false;  // a drop that held for scale_down_after
  };
  std::map<std::string, Move> moves;
  for (auto& [name, m] : models_) {
    auto p = planned_rps_.find(name);
    const double planned = p == planned_rps_.end() ? 0.0 : p->second;
    const double rate = m.ewma.value_or(0.0);
    Move move;
    // Compared where the rate will be once new glets serve (the same lead as the target's), so
    // a plan made ahead of a ramp is followed by the next one as early as the ramp needs.
    move.direction = Moved(rate + RiseOf(m) * LeadSeconds(name), planned, Floor(name));
    if (move.direction < 0 && !m.seen) {
      move.direction = 0;  // no traffic yet: no evidence against the configured rate
    }
    if (move.direction == 0) {
      m.moved_since.reset();
    } else {
      if (!m.moved_since || m.moved_up != (move.direction > 0)) {
        m.moved_since = now;
        m.moved_up = move.direction > 0;
      }
      move.held = now - *m.moved_since >=
                  (move.direction > 0 ? config_.scale_up_after : config_.scale_down_after);
    }
    moves[name] = move;
    const bool fires = move.held && (move.direction > 0 ? up_allowed : down_allowed);
    if (fires && !decision.replan) {
      decision.replan = true;
      decision.model = name;
      decision.planned_rps = planned;
      decision.observed_rps = rate;
      decision.up = move.direction > 0;
    }
  }
  if (!decision.replan) {
    return decision;
  }
  for (auto& [name, m] : models_) {
    const Move& move = moves[name];
    const double floor = Floor(name);
    const double rate = m.ewma.value_or(0.0);
    auto p = planned_rps_.find(name);
    double target;
    if (move.direction > 0) {
      target = std::max({rate, m.recent_rps[0], floor}) + RiseOf(m) * LeadSeconds(name);
      m.moved_since.reset();
    } else if (move.direction < 0 && move.held) {
      target = std::max(rate, floor);
      m.moved_since.reset();
    } else {
      target = p != planned_rps_.end() ? std::max(p->second, floor) : std::max(rate, floor);
    }
    decision.rates_rps[name] = target;
  }
  epoch_start_ = now;
  return decision;
}

}  // namespace glet::serve
