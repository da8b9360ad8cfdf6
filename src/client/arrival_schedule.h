// The arrival schedule: when `glet client` sends each request and to which model. A pure function
// of (workload, seed, limits): the same inputs give the same schedule on every machine (the RNG
// is a fixed 64-bit generator and the gaps are computed by inverse transform, not by a
// library distribution whose algorithm may differ between standard libraries).
//
// Each stream is an independent process, seeded from (seed, stream index):
//   poisson: unit-rate exponential gaps E1, E2, ... in expected-arrival space, mapped to time by
//            the inverse of the stream's cumulative rate (exact for a piecewise-constant rate);
//   uniform: arrivals at expected-arrival counts 0, 1, 2, ... mapped the same way (for a constant
//            rate r: t = 0, 1/r, 2/r, ...).
// The streams are merged in time order (ties: lower stream index first), cut at `duration_s`
// (arrivals at t < duration_s) and at `max_requests` (the first N of the merged schedule).
//
// Thread safety: pure function.
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

#include "client/workload.h"
#include "core/status.h"

namespace glet::client {

struct Arrival {
  double offset_s = 0;  // from the start of the run
  int stream = 0;       // index into ClientWorkload::streams
  friend bool operator==(const Arrival&, const Arrival&) = default;
};

struct ScheduleLimits {
  double duration_s = std::numeric_limits<double>::infinity();
  int64_t max_requests = -1;  // -1: no cap
  // Refuse (kInvalidArgument) workloads expected to exceed this many arrivals before the cap,
  // so a typo like rate 1e9 fails fast instead of exhausting memory.
  int64_t max_schedule = 20'000'000;
};

// kInvalidArgument when the schedule would be unbounded (a constant-rate stream with positive
// rate, no finite duration and no max_requests), when duration_s <= 0 or max_requests < -1, or
// when the expected size exceeds limits.max_schedule.
Result<std::vector<Arrival>> MakeArrivalSchedule(const ClientWorkload& workload, uint64_t seed,
                                                 const ScheduleLimits& limits);

}  // namespace glet::client
