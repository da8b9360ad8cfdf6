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
    m.open_count = 0;
  }
  open_start_ += closed * config_.window;
}

void RateMonitor::RecordArrival(std::string_view model, TimePoint now, int count) {
  Advance(now);
  Get(model).open_count += std::max(count, 0);
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

ReplanDecision RateMonitor::ShouldReplan(TimePoint now) {
  Advance(now);
  ReplanDecision decision;
  if (epoch_start_ && now - *epoch_start_ < config_.replan_epoch) {
    return decision;
  }
  // Every model either planned or seen, by name.
  std::map<std::string, double> observed;
  for (const auto& [name, m] : models_) {
    observed[name] = m.ewma.value_or(0.0);
  }
  for (const auto& [name, planned] : planned_rps_) {
    observed.emplace(name, 0.0);
  }
  for (const auto& [name, rate] : observed) {
    auto p = planned_rps_.find(name);
    const double planned = p == planned_rps_.end() ? 0.0 : p->second;
    const double reference = std::max(planned, config_.min_rate_rps);
    if (std::abs(rate - planned) > config_.replan_threshold * reference) {
      decision.replan = true;
      decision.model = name;
      decision.planned_rps = planned;
      decision.observed_rps = rate;
      break;
    }
  }
  if (decision.replan) {
    decision.rates_rps = std::move(observed);
    epoch_start_ = now;
  }
  return decision;
}

}  // namespace glet::serve
