#include "sched/device_budget.h"

#include <set>

#include "core/strings.h"

namespace glet::sched {

Result<DeviceBudget> DeviceBudget::Parse(std::string_view spec) {
  DeviceBudget budget;
  if (Trim(spec).empty()) {
    return InvalidArgumentError("--devices: empty device budget (expected TYPE:COUNT[,...])");
  }
  std::set<std::string> seen;
  for (const std::string& raw : Split(spec, ',')) {
    std::string item(Trim(raw));
    auto colon = item.find(':');
    if (colon == std::string::npos || colon == 0) {
      return InvalidArgumentError("--devices: '" + item + "': expected TYPE:COUNT");
    }
    DeviceBudgetEntry e;
    e.type = std::string(Trim(item.substr(0, colon)));
    GLET_ASSIGN_OR_RETURN(int64_t count,
                          ParseInt(Trim(item.substr(colon + 1)), "--devices: '" + item + "'"));
    if (count < 1 || count > 100000) {
      return InvalidArgumentError("--devices: '" + item + "': count must be in 1..100000");
    }
    e.count = static_cast<int>(count);
    if (!seen.insert(e.type).second) {
      return InvalidArgumentError("--devices: device type '" + e.type + "' given twice");
    }
    budget.entries.push_back(e);
  }
  return budget;
}

int DeviceBudget::Total() const {
  int n = 0;
  for (const auto& e : entries) {
    n += e.count;
  }
  return n;
}

std::string DeviceBudget::ToString() const {
  std::vector<std::string> parts;
  for (const auto& e : entries) {
    parts.push_back(e.type + ":" + std::to_string(e.count));
  }
  return Join(parts, ",");
}

}  // namespace glet::sched
