// Glet reuse across re-plans (make-before-break): which glets of a new plan are unchanged from
// the glets already running, so they keep running — their process, their queues and the batch in
// flight — while only the differing glets are started and stopped.
//
// A glet is unchanged when a running glet sits on the same physical device, has the same
// partition and serves the same models at the same batch sizes, in the same order. Planned rates
// and the duty cycle only steer the frontend (routing weight, batching), so a re-plan that
// changes just those keeps the glet and updates its lanes. The controller (serve/controller.cpp)
// and the simulator (sim/simulator.cpp) both decide with MatchUnchangedGlets(), so the simulator
// keeps exactly the glets the serving plane keeps.
//
// Thread safety: pure functions over value types.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "sched/plan.h"

namespace glet::sched {

// What a glet runs, and where: the part of a glet that decides whether it can keep running.
struct GletWork {
  std::string device;  // the physical device, in the caller's terms (e.g. backend + device id)
  int partition_percent = 0;
  std::vector<std::pair<std::string, int>> models;  // (model, batch size), in plan order

  friend bool operator==(const GletWork&, const GletWork&) = default;
};

// The work of a planned glet placed on `device`.
GletWork WorkOf(const std::string& device, const PlannedGlet& glet);

// For each glet of `next`, the index in `running` of the running glet it keeps, or -1 when it
// must be started. Each running glet is kept at most once; among equal candidates the first
// running one goes to the first glet of `next` that matches it. Running glets no index refers
// to are the ones to stop.
std::vector<int> MatchUnchangedGlets(const std::vector<GletWork>& running,
                                     const std::vector<GletWork>& next);

}  // namespace glet::sched
