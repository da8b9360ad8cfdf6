#include "sched/glet_fit.h"

#include <algorithm>

namespace glet::sched {

namespace {
constexpr double kRelTol = 1e-9;
// Occupancy of the cycle `duty_ms`, or -1 when invalid; allocation-free (FitGlet's inner loop).
// rows[i] is member i's latency row at the partition.
double CycleOccupancy(const std::vector<FitMember>& members, const std::vector<const double*>& rows,
                      double alpha, const LambdaTable& lambda, double duty_ms) {
  double total = 0;
  for (size_t i = 0; i < members.size(); ++i) {
    const ModelTable& t = *members[i].table;
    int b = lambda.BatchFor(members[i].rate_rps * duty_ms / 1000.0 * (1 - kRelTol));
    if (b == 0 || b > t.max_batch()) {
      return -1;
    }
    double exec = alpha * rows[i][b - 1];
    if (duty_ms + exec > t.slo_ms() * (1 + kRelTol)) {
      return -1;
    }
    total += exec;
  }
  if (total > duty_ms * (1 + kRelTol)) {
    return -1;
  }
  return total / duty_ms;
}

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
  // Quick bounds: the members' best throughputs must leave room for all of them, and a cycle
  // must be at least their batch-1 executions and leave each its batch-1 execution.
  double occupancy_lb = 0;
  double d_min = 0;
  double d_max = 1e300;
  for (const FitMember& m : members) {
    const ModelTable& t = *m.table;
    occupancy_lb += m.rate_rps * alpha / (1000.0 * t.BatchesPerMs(partition));
    double e1 = alpha * t.EffMs(partition, 1);
    d_min += e1;
    d_max = std::min(d_max, t.slo_ms() - e1);
  }
  if (occupancy_lb > 1 + 1e-9 || d_min > d_max * (1 + 1e-9)) {
    return std::nullopt;
  }
  std::vector<double> candidates;
  auto add = [&](double d) {
    if (d >= d_min * (1 - 1e-9) && d <= d_max * (1 + 1e-9)) {
      candidates.push_back(d);
    }
  };
  for (const FitMember& m : members) {
    const ModelTable& t = *m.table;
    for (int b = 1; b <= t.max_batch(); ++b) {
      // Longest cycle at which b still absorbs the arrivals, and longest meeting the SLO.
      add(1000.0 * lambda.MaxMean(b) / m.rate_rps);
      add(t.slo_ms() - alpha * t.EffMs(partition, b));
    }
  }
  std::vector<const double*> rows;
  rows.reserve(members.size());
  for (const FitMember& m : members) {
    rows.push_back(m.table->EffRow(m.table->PartitionIndex(partition)));
  }
  double best_occ = -1;
  double best_d = 0;
  for (double d : candidates) {
    double occ = CycleOccupancy(members, rows, alpha, lambda, d);
    if (occ < 0) {
      continue;
    }
    if (best_occ < 0 || occ < best_occ - 1e-12 || (occ <= best_occ + 1e-12 && d < best_d)) {
      best_occ = occ;
      best_d = d;
    }
  }
  if (best_occ < 0) {
    return std::nullopt;
  }
  return EvaluateCycle(members, partition, alpha, lambda, best_d);
}

}  // namespace glet::sched
