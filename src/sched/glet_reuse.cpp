#include "sched/glet_reuse.h"

namespace glet::sched {

GletWork WorkOf(const std::string& device, const PlannedGlet& glet) {
  GletWork w;
  w.device = device;
  w.partition_percent = glet.partition;
  w.models.reserve(glet.models.size());
  for (const PlannedModel& m : glet.models) {
    w.models.emplace_back(m.model, m.batch);
  }
  return w;
}

std::vector<int> MatchUnchangedGlets(const std::vector<GletWork>& running,
                                     const std::vector<GletWork>& next) {
  std::vector<int> kept(next.size(), -1);
  std::vector<bool> taken(running.size(), false);
  for (size_t i = 0; i < next.size(); ++i) {
    for (size_t j = 0; j < running.size(); ++j) {
      if (!taken[j] && running[j] == next[i]) {
        taken[j] = true;
        kept[i] = static_cast<int>(j);
        break;
      }
    }
  }
  return kept;
}

}  // namespace glet::sched
