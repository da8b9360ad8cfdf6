#include "sched/glet_fit.h"

#include <algorithm>

namespace glet::sched {

namespace {
constexpr double kRelTol = 1e-9;
}  // namespace

std::optional<GletShape> EvaluateCycle(const std::vector<FitMember>& members, int partition,
                                       double alpha, const LambdaTable& lambda, double duty_ms) {
  if (!(duty_ms > 0)) {
    return std::nullopt;
  }
  GletShape shape;
  shape.duty_ms = duty_ms;
  double total = 0;
  for (const FitMember& m : members) {
    const ModelTable& t = *m.table;
    double mean = m.rate_rps * duty_ms / 1000.0 * (1 - kRelTol);
    int b = lambda.BatchFor(mean);
    if (b == 0 || b > t.max_batch()) {
      return std::nullopt;
    }
    double exec = alpha * t.EffMs(partition, b);
    if (duty_ms + exec > t.slo_ms() * (1 + kRelTol)) {
      return std::nullopt;
    }
    total += exec;
    shape.batches.push_back(b);
    shape.exec_ms.push_back(exec);
  }
  if (total > duty_ms * (1 + kRelTol)) {
    return std::nullopt;
  }
  shape.occupancy = total / duty_ms;
  return shape;
}

std::optional<GletShape> FitGlet(const std::vector<FitMember>& members, int partition, double alpha,
                                 const LambdaTable& lambda) {
  std::vector<double> candidates;
  for (const FitMember& m : members) {
    const ModelTable& t = *m.table;
    for (int b = 1; b <= t.max_batch(); ++b) {
      // Longest cycle at which b still absorbs the arrivals, and longest meeting the SLO.
      candidates.push_back(1000.0 * lambda.MaxMean(b) / m.rate_rps);
      candidates.push_back(t.slo_ms() - alpha * t.EffMs(partition, b));
    }
  }
  std::optional<GletShape> best;
  for (double d : candidates) {
    std::optional<GletShape> s = EvaluateCycle(members, partition, alpha, lambda, d);
    if (!s) {
      continue;
    }
    if (!best || s->occupancy < best->occupancy - 1e-12 ||
        (s->occupancy <= best->occupancy + 1e-12 && s->duty_ms < best->duty_ms)) {
      best = std::move(s);
    }
  }
  return best;
}

}  // namespace glet::sched
