#include "sched/type_split.h"

#include <algorithm>
#include <cmath>

namespace glet::sched {

namespace {

struct Outcome {
  bool ok = false;
  std::vector<std::vector<double>> rates;  // per pool from the one solved on
  double cost = 0;                         // of those pools, when asked for the cheapest
};

class Splitter {
 public:
  Splitter(const std::vector<std::vector<double>>& value, const PoolFits& fits,
           const PoolCost& cost)
      : value_(value), fits_(fits), cost_(cost) {}

  // The split of `rates` over pools [i, n); with `cheapest`, the cheapest of the points tried
  // (else the one nearest the preferred point).
  Outcome Solve(size_t i, const std::vector<double>& rates, bool cheapest) {
    const size_t n = value_.size();
    const size_t models = rates.size();
    if (i + 1 == n) {
      for (size_t m = 0; m < models; ++m) {
        if (rates[m] > 0 && !(value_[i][m] > 0)) {
          return Outcome{false, {rates}};
        }
      }
      Outcome o{Fits(i, rates), {rates}, 0};
      if (o.ok && cheapest) {
        o.cost = cost_(i, rates);
      }
      return o;
    }
    // A = pool i, R = the pools after it.
    std::vector<double> value_r(models, 0);
    for (size_t j = i + 1; j < n; ++j) {
      for (size_t m = 0; m < models; ++m) {
        value_r[m] = std::max(value_r[m], value_[j][m]);
      }
    }
    std::vector<double> base_a(models, 0);
    std::vector<double> base_r(models, 0);
    std::vector<size_t> shared;
    for (size_t m = 0; m < models; ++m) {
      if (!(rates[m] > 0)) {
        continue;
      }
      const bool can_a = value_[i][m] > 0;
      const bool can_r = value_r[m] > 0;
      if (can_a && can_r) {
        shared.push_back(m);
      } else if (can_a) {
        base_a[m] = rates[m];
      } else {
        base_r[m] = rates[m];  // R's own pools tell whether one runs it
      }
    }
    std::stable_sort(shared.begin(), shared.end(), [&](size_t a, size_t b) {
      return value_r[a] / value_[i][a] > value_r[b] / value_[i][b];
    });
    double total = 0;
    double s_pref = 0;
    for (size_t m : shared) {
      total += rates[m];
      if (value_r[m] > value_[i][m] * (1 + 1e-12)) {
        s_pref += rates[m];
      }
    }
    // The loads of A and R when the first s rps of `shared` move to R.
    auto loads = [&](double s, std::vector<double>& a, std::vector<double>& r) {
      a = base_a;
      r = base_r;
      double left = s;
      for (size_t m : shared) {
        double moved = std::clamp(left, 0.0, rates[m]);
        left -= moved;
        if (moved < rates[m] * 1e-9) {
          moved = 0;
        } else if (rates[m] - moved < rates[m] * 1e-9) {
          moved = rates[m];
        }
        r[m] += moved;
        a[m] += rates[m] - moved;
      }
    };
    std::vector<double> a;
    std::vector<double> r;
    auto fits_a = [&](double s) {
      loads(s, a, r);
      return Fits(i, a);
    };
    auto solve_r = [&](double s) {
      loads(s, a, r);
      return Solve(i + 1, r, false);
    };
    auto loads_a = [&](double s) {
      loads(s, a, r);
      return a;
    };
    auto loads_r = [&](double s) {
      loads(s, a, r);
      return r;
    };
    auto combine = [&](double s, Outcome rest, bool ok) {
      loads(s, a, r);
      Outcome o;
      o.ok = ok;
      o.rates.push_back(a);
      for (std::vector<double>& x : rest.rates) {
        o.rates.push_back(std::move(x));
      }
      return o;
    };
    auto point = [&](int k) { return k >= kTypeSplitGrid ? total : total * k / kTypeSplitGrid; };
    // Smallest k in [lo, hi] where A fits. REQUIRES: A fits at point(hi).
    auto min_a = [&](int lo, int hi) {
      while (lo < hi) {
        const int mid = lo + (hi - lo) / 2;
        if (fits_a(point(mid))) {
          hi = mid;
        } else {
          lo = mid + 1;
        }
      }
      return hi;
    };
    // Largest k in [lo, hi] where R fits. REQUIRES: R fits at point(lo).
    auto max_r = [&](int lo, int hi) {
      while (lo < hi) {
        const int mid = lo + (hi - lo + 1) / 2;
        if (solve_r(point(mid)).ok) {
          lo = mid;
        } else {
          hi = mid - 1;
        }
      }
      return lo;
    };
    // The first grid point at or above s_pref, the last at or below it.
    int above = 0;
    while (above < kTypeSplitGrid && point(above) < s_pref) {
      ++above;
    }
    int below = kTypeSplitGrid;
    while (below > 0 && point(below) > s_pref) {
      --below;
    }

    // The feasible point nearest the preferred one; k_lo..k_hi (where known) bound the points
    // where both fit.
    const bool a_ok = fits_a(s_pref);
    Outcome r_pref = solve_r(s_pref);
    double chosen = s_pref;
    int k_lo = -1;
    int k_hi = -1;
    if (!a_ok && !r_pref.ok) {
      return combine(s_pref, std::move(r_pref), false);
    }
    if (!a_ok) {
      // A is too full: move more to R, as little as A needs.
      const int first = point(above) > s_pref ? above : above + 1;
      if (first > kTypeSplitGrid) {
        return combine(s_pref, std::move(r_pref), false);
      }
      if (!fits_a(total)) {
        return combine(total, solve_r(total), false);
      }
      k_lo = min_a(first, kTypeSplitGrid);
      chosen = point(k_lo);
      Outcome rest = solve_r(chosen);
      if (!rest.ok) {
        return combine(chosen, std::move(rest), false);
      }
    } else if (!r_pref.ok) {
      // R is too full: keep more on A, as little as R needs.
      const int last = point(below) < s_pref ? below : below - 1;
      if (last < 0) {
        return combine(s_pref, std::move(r_pref), false);
      }
      Outcome r0 = solve_r(0);
      if (!r0.ok) {
        return combine(0, std::move(r0), false);
      }
      k_hi = max_r(0, last);
      chosen = point(k_hi);
      if (!fits_a(chosen)) {
        return combine(chosen, solve_r(chosen), false);
      }
    }
    if (!cheapest) {
      return combine(chosen, solve_r(chosen), true);
    }
    // Whole devices: the cheapest point need not be the preferred one (a device the load must
    // open anyway may have room for more). Price a few points of the feasible range.
    if (a_ok && r_pref.ok) {  // both fit at s_pref: the range extends both ways
      k_lo = min_a(0, above);
      k_hi = max_r(below, kTypeSplitGrid);
    } else if (k_lo < 0) {  // R was too full: A fits from k_lo up to k_hi
      k_lo = min_a(0, k_hi);
    } else {  // A was too full: R fits from k_lo up
      k_hi = max_r(k_lo, kTypeSplitGrid);
    }
    std::vector<double> candidates = {chosen};
    if (k_lo <= k_hi) {
      constexpr int kSamples = 6;
      for (int j = 0; j <= kSamples; ++j) {
        candidates.push_back(point(k_lo + (k_hi - k_lo) * j / kSamples));
      }
    }
    Outcome best;
    double best_s = chosen;
    for (double s : candidates) {
      if (best.ok && s == best_s) {
        continue;
      }
      Outcome rest = Solve(i + 1, loads_r(s), true);
      if (!rest.ok) {
        continue;  // cannot happen: R fits below k_hi
      }
      const double cost = cost_(i, loads_a(s)) + rest.cost;
      if (!best.ok || cost < best.cost - 1e-9) {
        best = combine(s, std::move(rest), true);
        best.cost = cost;
        best_s = s;
      }
    }
    if (best_s != chosen) {
      moved_for_cost_ = moved_for_cost_ || i == 0;
    }
    return best;
  }

  int fits_calls() const { return fits_calls_; }
  bool moved_for_cost() const { return moved_for_cost_; }

 private:
  bool Fits(size_t pool, const std::vector<double>& rates) {
    bool any = false;
    for (double x : rates) {
      any = any || x > 0;
    }
    if (!any) {
      return true;  // no load needs no device
    }
    ++fits_calls_;
    return fits_(pool, rates);
  }

  const std::vector<std::vector<double>>& value_;  // not owned
  const PoolFits& fits_;                           // not owned
  const PoolCost& cost_;                           // not owned; may be empty
  int fits_calls_ = 0;
  bool moved_for_cost_ = false;
};

}  // namespace

TypeSplit SplitAcrossTypes(const std::vector<double>& rates,
                           const std::vector<std::vector<double>>& value, const PoolFits& fits,
                           const PoolCost& cost) {
  TypeSplit out;
  out.preferred.assign(rates.size(), -1);
  for (size_t m = 0; m < rates.size(); ++m) {
    double best = 0;
    for (size_t p = 0; p < value.size(); ++p) {
      if (value[p][m] > best * (1 + 1e-12)) {
        best = value[p][m];
        out.preferred[m] = static_cast<int>(p);
      }
    }
  }
  if (value.empty()) {
    return out;
  }
  Splitter splitter(value, fits, cost);
  Outcome o = splitter.Solve(0, rates, static_cast<bool>(cost));
  out.ok = o.ok;
  out.rates = std::move(o.rates);
  out.cost = o.cost;
  out.moved_for_cost = splitter.moved_for_cost();
  out.fits_calls = splitter.fits_calls();
  return out;
}

}  // namespace glet::sched
