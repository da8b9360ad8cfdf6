// ProcessorTimeline: the busy intervals of one processor, kept sorted, with the insertion-based
// slot search of HEFT (Topcuoglu et al. 2002, section 4.1): a task may go into the earliest idle
// gap, between two already-placed tasks, that starts no earlier than its ready time and is at
// least as long as its computation cost; otherwise it goes after the last interval.
//
// Cost: EarliestStart() binary-searches the first interval ending after the ready time, then
// scans forward; Insert() is a sorted vector insert. Thread safety: none (a plain value).
#pragma once

#include <vector>

namespace glet::dag {

class ProcessorTimeline {
 public:
  struct Slot {
    double start = 0;
    double finish = 0;
    int task = -1;  // -1 for work from an existing schedule
  };

  // Earliest start >= `ready` of an idle interval of length `duration`.
  double EarliestStart(double ready, double duration) const;
  // REQUIRES: [start, finish) does not overlap an existing slot.
  void Insert(double start, double finish, int task);
  const std::vector<Slot>& slots() const { return slots_; }
  void Clear() { slots_.clear(); }

 private:
  std::vector<Slot> slots_;  // sorted by start; non-overlapping, so also sorted by finish
};

}  // namespace glet::dag
