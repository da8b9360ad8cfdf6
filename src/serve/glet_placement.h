// Glet placement: the controller's pure decisions about where a new plan runs and how each node
// gets there, separate from the RPCs that carry them out (serve/controller.cpp).
//
// PlaceGlets() puts each planned device on a healthy physical device of its type so that what
// runs stays where it runs (sched::AssignDevices), gives every glet its lanes' batch latencies
// from its type's profile (LaneBatchLatencies), and keeps each running glet that does exactly the
// same work on the same device (sched::MatchUnchangedGlets) under its id and spec, so its
// backend leaves its proxy running. New glets are named "e<epoch>g<k>".
//
// PlanNodeChanges() says, per backend node, what it runs while the change is made
// (make-before-break: the new glets next to the old ones still draining) and once it is done.
//
// Thread safety: pure functions over value types.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "perf/device_profile.h"
#include "sched/plan.h"
#include "serve/backend_registry.h"
#include "serve/backend_types.h"

namespace glet::serve {

// A planned glet placed on a backend's device.
struct PlacedGlet {
  GletSpec spec;
  std::string backend_id;
  std::string backend_address;
  std::string proxy_address;  // set once its backend says where its proxy listens
  bool up = true;             // READY (in rotation)
  double duty_cycle_ms = 0;   // planned duty cycle (batching); the backend's spec may be older
  std::map<std::string, std::vector<Duration>> batch_latency;  // per model, 1..batch
  std::map<std::string, double> rate_rps;                      // per model (routing weight)
};

// Places `plan` (its epoch names new glets) on the healthy devices of `backends` whose profile
// is in `profiles` (a profile for every planned device type). `running`: the glets placed now. A
// kept glet takes its running spec, proxy address and health. kResourceExhausted naming the type
// when the plan needs more devices of a type than are healthy.
Result<std::vector<PlacedGlet>> PlaceGlets(
    const sched::Plan& plan, const std::map<std::string, const perf::DeviceProfile*>& profiles,
    const std::vector<BackendRecord>& backends, const std::vector<PlacedGlet>& running,
    double host_overhead_ms);

// What one backend node runs during and after a change.
struct NodeChange {
  std::string address;
  std::vector<GletSpec> target;   // the glets of `next` on this node
  std::vector<GletSpec> overlap;  // target + the running glets it stops, while they drain
};

// One entry per distinct address of `backends`, in address order (a node with nothing to run
// gets an empty target: its glets stop).
std::vector<NodeChange> PlanNodeChanges(const std::vector<PlacedGlet>& next,
                                        const std::vector<PlacedGlet>& running,
                                        const std::vector<BackendRecord>& backends);

// The glets to route to while nodes that cannot hold their old and new glets together
// (`switched`, by address) are switched over: make-before-break by routing, so their load moves
// to other glets before they stop. `next` is the new placement with the glets started so far
// (proxy addresses set); `running` the placement in force. It holds
//   - every glet of `next` that runs: started on other nodes, or kept (on any node);
//   - the running glets other nodes retire (they run until the new routes are in);
//   - a running glet a switched node retires, only for the models that have no other glet up in
//     this list (their requests keep going there until the switch; the others move now).
std::vector<PlacedGlet> InterimPlacement(const std::vector<PlacedGlet>& next,
                                         const std::vector<PlacedGlet>& running,
                                         const std::vector<std::string>& switched);

// "gid dev@backend part% [model bBATCH ...]", comma-separated: for the log line of a plan.
std::string DescribePlacement(const std::vector<PlacedGlet>& placed);

}  // namespace glet::serve
