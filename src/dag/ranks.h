// Task priorities shared by the list schedulers (Topcuoglu et al. 2002, section 4):
//   rank_u(n) = w(n) + max over successors s of (c(n,s) + rank_u(s))      (upward rank)
//   rank_d(n) = max over predecessors m of (rank_d(m) + w(m) + c(m,n))    (downward rank)
// where w is the mean computation cost over the processors that can run the task (infinite
// ones left out) and c the averaged communication cost (Platform::MeanCommCost).
#pragma once

#include <cstdint>
#include <vector>

#include "dag/problem.h"

namespace glet::dag {

std::vector<double> UpwardRanks(const Problem& problem);
std::vector<double> DownwardRanks(const Problem& problem);
// Priorities as integers, rounded to 1e-12 of the largest one, so that values equal but for
// floating-point rounding (80 computed as 14.33 + 23 + 42.67 and as 12.67 + 27 + 40.33) tie,
// and ties are broken the same way by every algorithm. Monotone in the input.
std::vector<int64_t> QuantizePriorities(const std::vector<double>& priority);
// Task indices by decreasing (quantized) `priority`; ties keep topological order, so with
// non-negative costs the result is itself a topological order.
std::vector<int> OrderByDecreasing(const Dag& dag, const std::vector<double>& priority);

}  // namespace glet::dag
