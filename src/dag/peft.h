// PEFT, Predict Earliest Finish Time (Arabnejad, Barbosa, IEEE TPDS 25(3), 2014):
//   OCT(t, p) = max over successors s of  min over processors w of
//               ( OCT(s, w) + cost(s, w) + (w == p ? 0 : c(t, s)) ),   OCT(exit, p) = 0
// with c the averaged communication cost; rank_oct(t) = mean of OCT(t, p) over the processors
// that can run t. Ready tasks are taken by highest rank_oct (ties: lowest index); each goes to
// the processor minimising O_EFT = EFT(t, p) + OCT(t, p), EFT insertion-based as in HEFT
// (ties: lowest-index processor).
//
// OCT is computed in O(edges x processors): min over w of (A[w] + [w != p] c) equals
// min(A[p], min A + c) for c >= 0.
#pragma once

#include <vector>

#include "dag/scheduler.h"

namespace glet::dag {

class PeftScheduler final : public DagScheduler {
 public:
  // The optimistic cost table, row-major tasks x processors.
  static std::vector<double> OptimisticCostTable(const Problem& problem);

  // DagScheduler
  std::string name() const override { return "peft"; }
  Result<Schedule> Run(const Problem& problem, const ScheduleContext& context) const override;
};

}  // namespace glet::dag
