#include "sched/device_assignment.h"

#include <algorithm>
#include <map>
#include <tuple>

namespace glet::sched {

Result<std::vector<int>> AssignDevices(const Plan& plan, const std::vector<PhysicalDevice>& devices,
                                       const std::vector<GletWork>& running) {
  std::vector<int> placed(plan.devices.size(), -1);
  // Per type: the planned devices with glets and the physical devices, by index.
  std::map<std::string, std::pair<std::vector<size_t>, std::vector<size_t>>> by_type;
  for (size_t p = 0; p < plan.devices.size(); ++p) {
    if (!plan.devices[p].glets.empty()) {
      by_type[plan.devices[p].type].first.push_back(p);
    }
  }
  std::map<std::string, size_t> index_of;
  for (size_t d = 0; d < devices.size(); ++d) {
    by_type[devices[d].type].second.push_back(d);
    index_of.emplace(devices[d].device, d);
  }
  std::vector<std::vector<GletWork>> running_on(devices.size());
  for (const GletWork& w : running) {
    if (auto it = index_of.find(w.device); it != index_of.end()) {
      running_on[it->second].push_back(w);
    }
  }
  for (const auto& [type, members] : by_type) {
    const auto& [planned, physical] = members;
    if (planned.size() > physical.size()) {
      return ResourceExhaustedError("plan uses " + std::to_string(planned.size()) + " " + type +
                                    " devices, the backends offer " +
                                    std::to_string(physical.size()));
    }
    // Score every pair once: (kept, overflow, load) for planned device p on physical device d.
    struct Score {
      int kept = 0;
      int overflow = 0;
      int load = 0;
    };
    std::vector<std::vector<Score>> score(planned.size(), std::vector<Score>(physical.size()));
    for (size_t i = 0; i < planned.size(); ++i) {
      const PlannedDevice& dev = plan.devices[planned[i]];
      for (size_t j = 0; j < physical.size(); ++j) {
        const std::vector<GletWork>& there = running_on[physical[j]];
        std::vector<GletWork> next;
        int planned_pct = 0;
        for (const PlannedGlet& g : dev.glets) {
          next.push_back(WorkOf(devices[physical[j]].device, g));
          planned_pct += g.partition;
        }
        const std::vector<int> kept = MatchUnchangedGlets(there, next);
        std::vector<bool> stays(there.size(), false);
        Score& s = score[i][j];
        for (int k : kept) {
          if (k >= 0) {
            stays[k] = true;
            ++s.kept;
          }
        }
        int retiring_pct = 0;
        for (size_t k = 0; k < there.size(); ++k) {
          s.load += there[k].partition_percent;
          if (!stays[k]) {
            retiring_pct += there[k].partition_percent;
          }
        }
        s.overflow = std::max(0, planned_pct + retiring_pct - 100);
      }
    }
    std::vector<bool> planned_done(planned.size(), false);
    std::vector<bool> physical_done(physical.size(), false);
    for (size_t round = 0; round < planned.size(); ++round) {
      size_t best_i = 0;
      size_t best_j = 0;
      bool found = false;
      for (size_t i = 0; i < planned.size(); ++i) {
        if (planned_done[i]) {
          continue;
        }
        for (size_t j = 0; j < physical.size(); ++j) {
          if (physical_done[j]) {
            continue;
          }
          const Score& s = score[i][j];
          const Score& b = score[best_i][best_j];
          if (!found || std::make_tuple(s.overflow, -s.kept, s.load) <
                            std::make_tuple(b.overflow, -b.kept, b.load)) {
            best_i = i;
            best_j = j;
            found = true;
          }
        }
      }
      planned_done[best_i] = true;
      physical_done[best_j] = true;
      placed[planned[best_i]] = static_cast<int>(physical[best_j]);
    }
  }
  return placed;
}

}  // namespace glet::sched
