// LaneBatchLatencies: the expected latency L(k), k = 1..batch, that a frontend lane's batcher
// works with for one planned model on one glet (BatcherConfig::batch_latency, via
// GletRoute::batch_latency).
//
// L(k) = the profile's latency of a batch of k on the glet's partition (the plan's exec_ms where
// the profile has no such row) x the plan's interference slow-down alpha (at least 1)
// + host_overhead_ms, the serving plane's own share of a request's latency (gRPC hops, batch
// assembly, wake-ups) that profiles do not time. The controller plans every model for its SLO
// minus that overhead; the batcher judges deadlines against the full SLO, so its L(k) carries
// the overhead too: its deadline trigger then leaves room for it instead of spending it on
// waiting for a bigger batch, and its no-queueing drop test counts it.
#pragma once

#include <vector>

#include "core/clock.h"
#include "perf/device_profile.h"
#include "sched/plan.h"

namespace glet::serve {

// REQUIRES: model.batch >= 1, partition the glet's, host_overhead_ms >= 0. Every entry > 0.
std::vector<Duration> LaneBatchLatencies(const perf::DeviceProfile& profile,
                                         const sched::PlannedModel& model, int partition,
                                         double host_overhead_ms);

}  // namespace glet::serve
