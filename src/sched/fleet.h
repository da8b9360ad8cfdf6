// Fleet: what a plan may use — one or more pools of devices, each pool one device type (a
// profile) and how many devices of it at most: `--devices ref-gpu:4,cpu:1` is two pools. A
// device type's cost (DeviceProfile::cost, `cost` in its device.json, default 1) is the price of
// one device of it in any unit common to the fleet (per hour, per watt, ...): planners prefer
// the capacity that serves a model for the least cost, and --min-devices minimises it.
//
// Pools keep their order; a plan's devices come in pool order. The one-type constructor keeps
// the common case short: Fleet{&profile, 4}.
//
// Thread safety: a value type; the profiles are borrowed.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/status.h"
#include "perf/device_profile.h"
#include "sched/plan.h"

namespace glet::sched {

struct DevicePool {
  const perf::DeviceProfile* profile = nullptr;  // not owned; outlives every use of the pool
  int max_devices = 0;

  // REQUIRES: profile != nullptr.
  const std::string& type() const { return profile->type; }
  double cost() const { return profile->cost; }
};

struct Fleet {
  Fleet() = default;
  // One device type: at most `max_devices` devices of `profile`.
  Fleet(const perf::DeviceProfile* profile, int max_devices);
  explicit Fleet(std::vector<DevicePool> pools);

  std::vector<DevicePool> pools;

  // kInvalidArgument naming --devices: no pool, a pool without profile or with fewer than one
  // device, a type given twice.
  Status Validate() const;
  bool single_type() const { return pools.size() == 1; }
  // Validate(), and kInvalidArgument naming `policy` when the fleet has several device types
  // (for policies that plan one type at a time).
  Status RequireOneType(const std::string& policy) const;
  int TotalDevices() const;
  // Pool index of `type`, or -1.
  int Find(const std::string& type) const;
  // Device type -> profile, for PlanChecker.
  std::map<std::string, const perf::DeviceProfile*> Profiles() const;
  // "ref-gpu:4,cpu:1".
  std::string ToString() const;
  // The same types with other counts, pools at 0 left out. REQUIRES: counts.size() ==
  // pools.size().
  Fleet WithCounts(const std::vector<int>& counts) const;

  // Devices of `plan` holding glets, per pool (devices of an unknown type are not counted).
  std::vector<int> UsedPerPool(const Plan& plan) const;
  // Sum over pools of used devices x cost.
  double Cost(const std::vector<int>& used_per_pool) const;
  // "ref-gpu:2,cpu:1" for used counts (pools with none left out; "none" if empty).
  std::string Describe(const std::vector<int>& used_per_pool) const;
};

}  // namespace glet::sched
