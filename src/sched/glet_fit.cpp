#include "sched/glet_fit.h"

#include <algorithm>
#include <cmath>

namespace glet::sched {

namespace {
constexpr double kRelTol = 1e-9;
// Smallest batch of a member (latency row `row`, slow-down alpha) that absorbs `mean` arrivals
// per cycle of `duty_ms`, when its batches may also queue behind `others_ms` of the other
// members' batches, or 0 if none meets the SLO. Its slack shrinks as the batch grows, so the
// search starts at the batch that would do with the most slack (a lower bound) and walks up.
int PickBatch(const ModelTable& t, const double* row, double alpha, const LambdaTable& lambda,
              double duty_ms, double mean, double others_ms) {
  int b = lambda.BatchFor(mean, lambda.max_slack());
  if (b == 0) {
    return 0;
  }
  for (; b <= t.max_batch(); ++b) {
    int slack = SlackCycles(t.slo_ms(), alpha * row[b - 1] + others_ms, duty_ms);
    if (slack < 0) {
      return 0;  // latencies grow with the batch: no larger batch meets the SLO either
    }
    if (lambda.MaxMean(b, slack) >= mean) {
      return b;
    }
  }
  return 0;
}

// Picks every member's batch for the cycle `duty_ms` into batches/exec (sized like members) and
// returns the total execution time, or -1 when the cycle is invalid. A member of a shared glet
// may queue behind one batch of every other member (the serving plane dispatches the members'
// batches as they are cut, not in fixed slots), so its latency is bounded by duty + the whole
// cycle's executions. The batches depend on one another through that bound: start from no
// waiting and repeat with the previous round's executions; batches only grow, so this settles.
double PickBatches(const std::vector<FitMember>& members, const std::vector<const double*>& rows,
                   double alpha, const LambdaTable& lambda, double duty_ms,
                   std::vector<int>& batches, std::vector<double>& exec) {
  const size_t n = members.size();
  batches.assign(n, 0);
  exec.assign(n, 0);
  double total = 0;
  for (int round = 0; round < 64; ++round) {
    bool changed = false;
    double next_total = 0;
    for (size_t i = 0; i < n; ++i) {
      const double mean = members[i].rate_rps * duty_ms / 1000.0 * (1 - kRelTol);
      const double others = n > 1 && round > 0 ? total - exec[i] : 0;
      const int b = PickBatch(*members[i].table, rows[i], alpha, lambda, duty_ms, mean, others);
      if (b == 0) {
        return -1;
      }
      changed = changed || b != batches[i];
      batches[i] = b;
      next_total += alpha * rows[i][b - 1];
    }
    for (size_t i = 0; i < n; ++i) {
      exec[i] = alpha * rows[i][batches[i] - 1];
    }
    total = next_total;
    if (total > duty_ms * (1 + kRelTol)) {
      return -1;
    }
    if (n == 1 || (round > 0 && !changed)) {
      return total;
    }
  }
  return -1;
}

}  // namespace

std::optional<GletShape> EvaluateCycle(const std::vector<FitMember>& members, int partition,
                                       double alpha, const LambdaTable& lambda, double duty_ms) {
  if (!(duty_ms > 0)) {
    return std::nullopt;
  }
  std::vector<const double*> rows;
  for (const FitMember& m : members) {
    rows.push_back(m.table->EffRow(m.table->PartitionIndex(partition)));
  }
  GletShape shape;
  shape.duty_ms = duty_ms;
  double total = PickBatches(members, rows, alpha, lambda, duty_ms, shape.batches, shape.exec_ms);
  if (total < 0) {
    return std::nullopt;
  }
  shape.occupancy = total / duty_ms;
  return shape;
}

std::optional<GletShape> FitGlet(const std::vector<FitMember>& members, int partition, double alpha,
                                 const LambdaTable& lambda) {
  // Quick bounds: the members' best throughputs must leave room for all of them, and a cycle
  // must be at least their batch-1 executions and leave every SLO room for all of them.
  double occupancy_lb = 0;
  double d_min = 0;
  double min_slo = 1e300;
  for (const FitMember& m : members) {
    const ModelTable& t = *m.table;
    occupancy_lb += m.rate_rps * alpha / (1000.0 * t.BatchesPerMs(partition));
    d_min += alpha * t.EffMs(partition, 1);
    min_slo = std::min(min_slo, t.slo_ms());
  }
  const double d_max = min_slo - d_min;
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
      // For each slack K: the longest cycle at which b still absorbs the arrivals with K slack
      // cycles, and the longest leaving b K slack cycles (K = 0: the longest meeting the SLO).
      double room = t.slo_ms() - alpha * t.EffMs(partition, b);
      for (int k = 0; k <= lambda.max_slack(); ++k) {
        add(1000.0 * lambda.MaxMean(b, k) / m.rate_rps);
        add(room / (k + 1));
      }
    }
  }
  std::vector<const double*> rows;
  rows.reserve(members.size());
  for (const FitMember& m : members) {
    rows.push_back(m.table->EffRow(m.table->PartitionIndex(partition)));
  }
  if (members.size() > 1) {
    // A shared glet's latency bound involves every member's batch: also try a grid of cycles.
    constexpr int kGrid = 24;
    const double lo = std::max(d_min, 1e-6);
    const double ratio = std::pow(d_max / lo, 1.0 / kGrid);
    for (int i = 0; i <= kGrid && std::isfinite(ratio) && ratio > 1; ++i) {
      add(lo * std::pow(ratio, i));
    }
  }
  double best_occ = -1;
  double best_d = 0;
  std::vector<int> batches;
  std::vector<double> exec;
  for (double d : candidates) {
    double total = PickBatches(members, rows, alpha, lambda, d, batches, exec);
    if (total < 0) {
      continue;
    }
    double occ = total / d;
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
