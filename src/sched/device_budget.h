// DeviceBudget: how many devices of each type a plan may use, from `--devices ref-gpu:4,cpu:1`.
// Types are profile names (directories under the profiles root). Errors (kInvalidArgument) name
// the entry at fault: empty budget, missing count, count < 1, repeated type.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace glet::sched {

struct DeviceBudgetEntry {
  std::string type;
  int count = 0;
};

struct DeviceBudget {
  std::vector<DeviceBudgetEntry> entries;

  static Result<DeviceBudget> Parse(std::string_view spec);
  int Total() const;
  std::string ToString() const;  // "ref-gpu:4,cpu:1"
};

}  // namespace glet::sched
