#include "dag/timeline.h"

#include <algorithm>
#include <cmath>

namespace glet::dag {

namespace {
// Tolerance for "the task fits the gap", so sums like 0.1 + 0.2 still fit a gap of 0.3.
bool FitsBefore(double end, double gap_end) {
  return end <= gap_end + 1e-9 * std::max(1.0, std::fabs(gap_end));
}
}  // namespace

double ProcessorTimeline::EarliestStart(double ready, double duration) const {
  // First slot that ends after `ready`; all earlier slots cannot delay the task.
  auto it = std::upper_bound(slots_.begin(), slots_.end(), ready,
                             [](double t, const Slot& s) { return t < s.finish; });
  double candidate = ready;
  for (; it != slots_.end(); ++it) {
    if (FitsBefore(candidate + duration, it->start)) {
      return candidate;
    }
    candidate = std::max(candidate, it->finish);
  }
  return candidate;
}

void ProcessorTimeline::Insert(double start, double finish, int task) {
  // Ordered by (start, finish) so that zero-length slots keep finish times sorted too.
  auto it = std::upper_bound(
      slots_.begin(), slots_.end(), Slot{start, finish, task}, [](const Slot& a, const Slot& b) {
        return a.start < b.start || (a.start == b.start && a.finish < b.finish);
      });
  slots_.insert(it, Slot{start, finish, task});
}

}  // namespace glet::dag
