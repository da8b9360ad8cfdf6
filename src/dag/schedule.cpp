#include "dag/schedule.h"

#include <algorithm>

namespace glet::dag {

double Schedule::end_time() const {
  double end = start_time;
  for (const Placement& p : placements) {
    end = std::max(end, p.finish);
  }
  return end;
}

}  // namespace glet::dag
