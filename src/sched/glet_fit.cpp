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
  while (b <= t.max_batch()) {
    int slack = SlackCycles(t.slo_ms(), alpha * row[b - 1] + others_ms, duty_ms);
    if (slack < 0) {
      return 0;  // latencies grow with the batch: no larger batch meets the SLO either
    }
    if (lambda.MaxMean(b, slack) >= mean) {
      return b;
    }
    // Larger batches leave at most this slack: jump to the first that could absorb with it.
    const int next = lambda.BatchFor(mean, slack);
    if (next == 0) {
      return 0;
    }
    b = std::max(b + 1, next);
  }
  return 0;
}

// Picks every member's batch for the cycle `duty_ms` into batches/exec (sized like members) and
// returns the total execution time, or -1 when the cycle is invalid. A member of a shared glet
// may queue behind one batch of every other member (the serving plane dispatches the members'
// batches as they are cut, not in fixed slots), so its latency is bounded by duty + the whole
// cycle's executions. The batches depend on one another through that bound: start from no
// waiting and repeat with the previous round's executions; batches only grow, so this settles.
// Gives up (-1) as soon as the executions exceed `max_total` (the cycle, or what would no longer
// beat the best cycle found so far).
double PickBatches(const std::vector<FitMember>& members, const std::vector<const double*>& rows,
                   double alpha, const LambdaTable& lambda, double duty_ms, double max_total,
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
      if (next_total > max_total) {
        return -1;  // batches only grow from round to round
      }
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

void FitQuickSums::Add(const FitMember& m, int partition, double alpha) {
  const ModelTable& t = *m.table;
  occupancy_lb += m.rate_rps * alpha / (1000.0 * t.BatchesPerMs(partition));
  d_min += alpha * t.EffMs(partition, 1);
  min_slo = std::min(min_slo, t.slo_ms());
}

bool FitQuickSums::Rejects() const {
  const double d_max = min_slo - d_min;
  return occupancy_lb > 1 + 1e-9 || d_min > d_max * (1 + 1e-9);
}

bool MayFitGlet(const std::vector<FitMember>& members, int partition, double alpha,
                const LambdaTable& lambda) {
  std::vector<const double*> min_rows;
  min_rows.reserve(members.size());
  double total = 0;
  for (const FitMember& m : members) {
    min_rows.push_back(m.table->MinEffRow(m.table->PartitionIndex(partition)));
    total += alpha * min_rows.back()[0];
  }
  // total: a lower bound on the executions T of any valid shape, raised to f(total) until it
  // settles (f is non-decreasing and f(T) <= T for every valid T, so it never passes one).
  for (int round = 0; round < 100000 && total > 0; ++round) {
    const double d_lo = total / (1 + kRelTol) * (1 - 1e-12);  // T <= D (1 + kRelTol)
    double next = 0;
    for (size_t i = 0; i < members.size(); ++i) {
      const ModelTable& t = *members[i].table;
      // The most slack any cycle D >= d_lo leaves a batch that waits behind `total`.
      const double room = (t.slo_ms() * (1 + 2e-9) - total - d_lo) / d_lo;
      if (room < 0) {
        return false;
      }
      const int slack = room >= kMaxSlackCycles ? kMaxSlackCycles : static_cast<int>(room);
      const int b = lambda.BatchFor(members[i].rate_rps * d_lo / 1000.0 * (1 - kRelTol), slack);
      if (b == 0 || b > t.max_batch()) {
        return false;
      }
      next += alpha * min_rows[i][b - 1];
    }
    if (next <= total) {
      return true;
    }
    total = next;
  }
  return true;
}

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
  double total = PickBatches(members, rows, alpha, lambda, duty_ms, duty_ms * (1 + kRelTol),
                             shape.batches, shape.exec_ms);
  if (total < 0) {
    return std::nullopt;
  }
  shape.occupancy = total / duty_ms;
  return shape;
}

std::optional<GletShape> FitGlet(const std::vector<FitMember>& members, int partition, double alpha,
                                 const LambdaTable& lambda, bool prune) {
  // Quick bounds (FitQuickSums).
  FitQuickSums sums;
  for (const FitMember& m : members) {
    sums.Add(m, partition, alpha);
  }
  if (sums.Rejects()) {
    return std::nullopt;
  }
  const double d_min = sums.d_min;
  const double min_slo = sums.min_slo;
  const double d_max = min_slo - d_min;
  // Most merges the planners try end here (no cycle at all can hold the members).
  if (prune && !MayFitGlet(members, partition, alpha, lambda)) {
    return std::nullopt;
  }
  // A tighter bound: in any valid shape the batches take T <= D and D + T <= min_slo, so every
  // batch takes at most min_slo / 2, and member i, absorbing r_i D / 1000 <= lambda(b_i, max)
  // arrivals per cycle, occupies at least r_i alpha E_i(b_i) / (1000 lambda(b_i, max)).
  double occupancy_lb = 0;
  for (const FitMember& m : members) {
    const ModelTable& t = *m.table;
    const double* row = t.EffRow(t.PartitionIndex(partition));
    double best = -1;
    for (int b = 1; b <= t.max_batch() && alpha * row[b - 1] <= min_slo / 2 * (1 + kRelTol); ++b) {
      const double per_arrival = alpha * row[b - 1] / lambda.MaxMean(b, lambda.max_slack());
      best = best < 0 ? per_arrival : std::min(best, per_arrival);
    }
    if (best < 0) {
      return std::nullopt;
    }
    occupancy_lb += m.rate_rps * best / 1000.0;
  }
  if (occupancy_lb > 1 + 1e-9) {
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
    // Over cycles in [d_min, d_max] a member needs at least the batch it needs at d_min with the
    // most slack and at most the one it needs at d_max with none: only those batches matter.
    const int b_lo = std::max(
        1, lambda.BatchFor(m.rate_rps * d_min / 1000.0 * (1 - kRelTol), lambda.max_slack()));
    const int b_at_max = lambda.BatchFor(m.rate_rps * d_max / 1000.0, 0);
    const int b_hi = b_at_max == 0 ? t.max_batch() : std::min(b_at_max, t.max_batch());
    for (int b = b_lo; b <= b_hi; ++b) {
      // b serves cycles up to the longest one at which it still absorbs the arrivals with the
      // slack that cycle leaves (occupancy is lowest there). The slack K holds on cycles in
      // (room / (K + 2), room / (K + 1)]; the longest valid cycle is in the first K (longest
      // cycles first) whose absorb limit reaches into its interval. room counts the member's own
      // batch and, in a shared glet, the others' smallest batches (d_min counts every member's).
      const double own = alpha * t.EffMs(partition, b);
      const double room = t.slo_ms() - own - (d_min - alpha * t.EffMs(partition, 1));
      if (room <= 0) {
        continue;
      }
      for (int k = 0; k <= lambda.max_slack(); ++k) {
        const double d = std::min(room / (k + 1), 1000.0 * lambda.MaxMean(b, k) / m.rate_rps);
        if (d > room / (k + 2) || k == lambda.max_slack()) {
          add(d);
          break;
        }
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
    constexpr int kGrid = 12;
    const double lo = std::max(d_min, 1e-6);
    const double ratio = std::pow(d_max / lo, 1.0 / kGrid);
    double d = lo;
    for (int i = 0; i <= kGrid && std::isfinite(ratio) && ratio > 1; ++i, d *= ratio) {
      add(d);
    }
  }
  double best_occ = -1;
  double best_d = 0;
  std::vector<int> batches;
  std::vector<double> exec;
  for (double d : candidates) {
    double max_total = d * (1 + kRelTol);
    if (best_occ >= 0) {
      max_total = std::min(max_total, d * (best_occ + 1e-12));
    }
    double total = PickBatches(members, rows, alpha, lambda, d, max_total, batches, exec);
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
