#include "sched/plan_search.h"

#include <algorithm>
#include <cmath>

namespace glet::sched {

Result<MinDevicesResult> FindMinDevices(const Planner& planner, const Workload& workload,
                                        const Fleet& fleet) {
  GLET_RETURN_IF_ERROR(fleet.Validate());
  auto plan_with = [&](const std::vector<int>& counts) -> Result<Plan> {
    Fleet f = fleet.WithCounts(counts);
    if (f.pools.empty()) {
      return ResourceExhaustedError("no devices");
    }
    return planner.MakePlan(workload, f, nullptr);
  };
  GLET_ASSIGN_OR_RETURN(Plan plan, planner.MakePlan(workload, fleet, nullptr));
  std::vector<int> counts = fleet.UsedPerPool(plan);
  // The most expensive type first (then the last listed).
  std::vector<size_t> order(fleet.pools.size());
  for (size_t i = 0; i < order.size(); ++i) {
    order[i] = i;
  }
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return fleet.pools[a].cost() > fleet.pools[b].cost() ||
           (fleet.pools[a].cost() == fleet.pools[b].cost() && a > b);
  });
  for (size_t p : order) {
    // Binary search below the count in use (a planner may use more devices than it needs).
    int lo = fleet.single_type() ? 1 : 0;
    int hi = counts[p];
    while (lo < hi) {
      const int mid = lo + (hi - lo) / 2;
      std::vector<int> trial = counts;
      trial[p] = mid;
      Result<Plan> r = plan_with(trial);
      if (r.ok()) {
        plan = std::move(r).value();
        hi = fleet.UsedPerPool(plan)[p];
      } else if (r.status().code() == StatusCode::kResourceExhausted) {
        lo = mid + 1;
      } else {
        return r.status();
      }
    }
    counts = fleet.UsedPerPool(plan);
  }
  MinDevicesResult out;
  out.per_pool = fleet.UsedPerPool(plan);
  for (int n : out.per_pool) {
    out.devices += n;
  }
  out.cost = fleet.Cost(out.per_pool);
  out.plan = std::move(plan);
  return out;
}

Result<MinDevicesResult> FindMinDevices(const Planner& planner, const Workload& workload,
                                        const perf::DeviceProfile& profile, int max_devices) {
  return FindMinDevices(planner, workload, Fleet{&profile, max_devices});
}

Result<PeakResult> FindPeakScale(const Planner& planner, const Workload& workload,
                                 const Fleet& fleet, double rel_precision) {
  auto try_scale = [&](double s) { return planner.MakePlan(workload.Scaled(s), fleet, nullptr); };
  // Bracket: grow or shrink by 2 until one scale fits and twice it does not.
  double lo = 1;
  Result<Plan> at = try_scale(lo);
  if (!at.ok() && at.status().code() != StatusCode::kResourceExhausted) {
    return at.status();
  }
  int steps = 0;
  while (!at.ok()) {
    if (++steps > 60) {
      return ResourceExhaustedError("nothing fits, even at 1e-18 of the given rates");
    }
    lo /= 2;
    at = try_scale(lo);
    if (!at.ok() && at.status().code() != StatusCode::kResourceExhausted) {
      return at.status();
    }
  }
  PeakResult best{lo, std::move(at).value()};
  double hi = lo * 2;
  steps = 0;
  while (true) {
    Result<Plan> p = try_scale(hi);
    if (!p.ok()) {
      if (p.status().code() != StatusCode::kResourceExhausted) {
        return p.status();
      }
      break;
    }
    best = PeakResult{hi, std::move(p).value()};
    lo = hi;
    hi *= 2;
    if (++steps > 60) {
      return best;  // unbounded for practical purposes
    }
  }
  while (hi - lo > lo * rel_precision) {
    double mid = 0.5 * (lo + hi);
    Result<Plan> p = try_scale(mid);
    if (p.ok()) {
      best = PeakResult{mid, std::move(p).value()};
      lo = mid;
    } else if (p.status().code() == StatusCode::kResourceExhausted) {
      hi = mid;
    } else {
      return p.status();
    }
  }
  return best;
}

}  // namespace glet::sched
