// Device assignment across re-plans: which physical device each planned device of a new plan is
// placed on. Placing planned device k on the k-th device of its type ignores what runs where: a
// glet that only moved in the plan's device order is restarted elsewhere, and a device may be
// handed new glets next to old ones that together exceed it, so it is switched over without
// overlap (and drops requests) while other devices sit idle. AssignDevices keeps what runs.
//
// Per device type it repeatedly places the (planned device, physical device) pair, both still
// free, that is best by, in order:
//   1. least overflow: how far the planned glets plus the running glets that would retire there
//      exceed 100% (make-before-break runs both until the old ones drain; a node that cannot
//      hold both is switched over without overlap, which drops requests);
//   2. most glets kept: glets of the planned device that a glet running on the physical device
//      already does (MatchUnchangedGlets: same partition, models and batch sizes);
//   3. least partition in use by running glets (new glets go to idle devices first);
//   4. lowest indexes (the same plan on the same devices is placed as before).
// The controller (serve/controller.cpp) and the simulator (sim/simulator.cpp) both place plans
// with it, so the simulator keeps and moves exactly the glets the serving plane does.
//
// Thread safety: a pure function over value types.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"
#include "sched/glet_reuse.h"
#include "sched/plan.h"

namespace glet::sched {

struct PhysicalDevice {
  std::string device;  // the caller's name for it, as GletWork::device
  std::string type;    // device type (a profile name), as PlannedDevice::type
};

// For each entry of plan.devices, the index in `devices` of the physical device it goes on, or -1
// for a planned device without glets. `running` is what runs now; GletWork::device names its
// physical device (entries naming no device of `devices` are ignored). kResourceExhausted naming
// the type when the plan has more devices with glets of a type than `devices` offers.
Result<std::vector<int>> AssignDevices(const Plan& plan, const std::vector<PhysicalDevice>& devices,
                                       const std::vector<GletWork>& running);

}  // namespace glet::sched
