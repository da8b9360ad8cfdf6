#include "sched/fleet.h"

#include <set>

#include "core/check.h"
#include "core/strings.h"

namespace glet::sched {

Fleet::Fleet(const perf::DeviceProfile* profile, int max_devices)
    : pools{DevicePool{profile, max_devices}} {}

Fleet::Fleet(std::vector<DevicePool> p) : pools(std::move(p)) {}

Status Fleet::Validate() const {
  if (pools.empty()) {
    return InvalidArgumentError("--devices: empty device budget");
  }
  std::set<std::string> seen;
  for (const DevicePool& p : pools) {
    if (p.profile == nullptr || p.max_devices < 1) {
      return InvalidArgumentError("--devices: empty device budget" +
                                  (p.profile == nullptr
                                       ? std::string()
                                       : " for device type '" + p.type() + "' (count " +
                                             std::to_string(p.max_devices) + ", must be >= 1)"));
    }
    if (!seen.insert(p.type()).second) {
      return InvalidArgumentError("--devices: device type '" + p.type() + "' given twice");
    }
    if (!(p.cost() > 0)) {
      return InvalidArgumentError("device type '" + p.type() + "': cost must be > 0 (got " +
                                  FormatDouble(p.cost(), 3) + ")");
    }
  }
  return Status::Ok();
}

Status Fleet::RequireOneType(const std::string& policy) const {
  GLET_RETURN_IF_ERROR(Validate());
  if (!single_type()) {
    return InvalidArgumentError("--policy " + policy +
                                ": plans one device type at a time (the budget is " + ToString() +
                                "); glet, glet-noint, glet-notype, temporal and greedy-split "
                                "plan several");
  }
  return Status::Ok();
}

int Fleet::TotalDevices() const {
  int n = 0;
  for (const DevicePool& p : pools) {
    n += p.max_devices;
  }
  return n;
}

int Fleet::Find(const std::string& type) const {
  for (size_t i = 0; i < pools.size(); ++i) {
    if (pools[i].profile != nullptr && pools[i].type() == type) {
      return static_cast<int>(i);
    }
  }
  return -1;
}

std::map<std::string, const perf::DeviceProfile*> Fleet::Profiles() const {
  std::map<std::string, const perf::DeviceProfile*> out;
  for (const DevicePool& p : pools) {
    if (p.profile != nullptr) {
      out.emplace(p.type(), p.profile);
    }
  }
  return out;
}

std::string Fleet::ToString() const {
  std::vector<std::string> parts;
  for (const DevicePool& p : pools) {
    parts.push_back((p.profile != nullptr ? p.type() : std::string("?")) + ":" +
                    std::to_string(p.max_devices));
  }
  return Join(parts, ",");
}

Fleet Fleet::WithCounts(const std::vector<int>& counts) const {
  GLET_CHECK(counts.size() == pools.size());
  Fleet f;
  for (size_t i = 0; i < counts.size(); ++i) {
    if (counts[i] > 0) {
      f.pools.push_back(DevicePool{pools[i].profile, counts[i]});
    }
  }
  return f;
}

std::vector<int> Fleet::UsedPerPool(const Plan& plan) const {
  std::vector<int> used(pools.size(), 0);
  for (const PlannedDevice& d : plan.devices) {
    const int i = Find(d.type);
    if (i >= 0 && !d.glets.empty()) {
      ++used[i];
    }
  }
  return used;
}

double Fleet::Cost(const std::vector<int>& used_per_pool) const {
  double sum = 0;
  for (size_t i = 0; i < pools.size() && i < used_per_pool.size(); ++i) {
    sum += used_per_pool[i] * pools[i].cost();
  }
  return sum;
}

std::string Fleet::Describe(const std::vector<int>& used_per_pool) const {
  std::vector<std::string> parts;
  for (size_t i = 0; i < pools.size() && i < used_per_pool.size(); ++i) {
    if (used_per_pool[i] > 0) {
      parts.push_back(pools[i].type() + ":" + std::to_string(used_per_pool[i]));
    }
  }
  return parts.empty() ? "none" : Join(parts, ",");
}

}  // namespace glet::sched
