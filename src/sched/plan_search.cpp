#include "sched/plan_search.h"

#include <cmath>

namespace glet::sched {

Result<MinDevicesResult> FindMinDevices(const Planner& planner, const Workload& workload,
                                        const perf::DeviceProfile& profile, int max_devices) {
  Fleet fleet{&profile, max_devices};
  GLET_ASSIGN_OR_RETURN(Plan plan, planner.MakePlan(workload, fleet, nullptr));
  int hi = plan.UsedDevices();
  MinDevicesResult best{hi, std::move(plan)};
  // Binary search below the first answer (a planner may use more devices than it needs).
  int lo = 1;
  while (lo < best.devices) {
    int mid = lo + (best.devices - lo) / 2;
    Result<Plan> p = planner.MakePlan(workload, Fleet{&profile, mid}, nullptr);
    if (p.ok()) {
      best = MinDevicesResult{p->UsedDevices(), std::move(p).value()};
    } else if (p.status().code() == StatusCode::kResourceExhausted) {
      lo = mid + 1;
    } else {
      return p.status();
    }
  }
  return best;
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
