// SplitAcrossTypes: divides each model's request rate among the device types (pools) of a fleet,
// preferring for every model the type that serves it for the least cost, and moving load between
// types only as far as a type's own planner says it must.
//
// Inputs, per pool p and model m: value[p][m] = rps one device of p serves at best for m divided
// by the device's cost (0: p cannot run m), and a predicate fits(p, rates) saying whether p's
// planner places `rates` (per model; 0 = none) within p's budget. fits must be monotone: if it
// holds for some rates it holds for any smaller ones (componentwise).
//
// Method, for pools [i..n): pool A = i against the rest R = (i+1..n) taken together (value of R
// for m: the best of its pools). Models only A runs stay on A, models only R runs go to R. The
// models both run are ordered by value_R / value_A, highest first (comparative advantage: the
// model R serves best relative to A moves first), and a split point s in [0, S] (S: their total
// rate) moves the first s rps of that order to R. The load of A shrinks and the load of R grows
// with s, so A's feasibility is monotone up in s and R's down. The preferred point s_pref moves
// exactly the models cheaper on R (value_R > value_A). If A and R (recursively) both fit at
// s_pref, that is the split; if A does not, s is the smallest point of a grid of S/1024 steps
// above s_pref where A fits (binary search), if R does not, the largest below it where R fits;
// the split fails when the other side does not fit there either.
// Devices come whole, so the preferred point is not always the cheapest (a device the load must
// open anyway may have room for more): with a PoolCost, the range of grid points where both
// sides fit is found (two more binary searches) and the point of least cost among the nearest
// one, both ends and five evenly spaced between is returned (ties: the nearest).
// Since the grid is fixed, more devices of any type (fits holds for more loads) can only widen
// the range of points that fit: a split found for a fleet is found for any larger fleet, and
// for any uniform scale-down of the rates.
//
// Thread safety: a pure function.
#pragma once

#include <functional>
#include <vector>

namespace glet::sched {

using PoolFits = std::function<bool(size_t pool, const std::vector<double>& rates)>;
// What the plan of `rates` on `pool` costs (devices used x cost per device).
using PoolCost = std::function<double(size_t pool, const std::vector<double>& rates)>;

struct TypeSplit {
  bool ok = false;
  // [pool][model]: the rate of each model on each pool. On failure, a split at which some pool
  // does not fit (for diagnostics).
  std::vector<std::vector<double>> rates;
  // [model]: the pool that serves the model for the least cost (-1: none runs it).
  std::vector<int> preferred;
  double cost = 0;              // with a PoolCost: the split's cost
  bool moved_for_cost = false;  // the split is not the nearest one to the preferred point
  int fits_calls = 0;           // how many times `fits` was asked
};

inline constexpr int kTypeSplitGrid = 1024;

// REQUIRES: value.size() >= 1, every value[p].size() == rates.size(), every model with a
// positive rate has value[p][m] > 0 for some p.
TypeSplit SplitAcrossTypes(const std::vector<double>& rates,
                           const std::vector<std::vector<double>>& value, const PoolFits& fits,
                           const PoolCost& cost = nullptr);

}  // namespace glet::sched
