// Wiring for emulated slices: resolves an emulated slice's profile name to a latency profile and
// returns the SliceOptions that time its batches by it. A profile name is a folder under
// <resource dir>/profiles/ ("ref-gpu"), or a path to such a folder or to a latency CSV file. A
// folder is loaded as DeviceProfile::LoadDir() loads it, so its device.json's "base" and
// "time_scale" apply (a dilated device runs k times slower). Loaded profiles are cached per
// process.
#pragma once

#include <memory>
#include <string>

#include "core/clock.h"
#include "core/status.h"
#include "device/slice.h"
#include "perf/latency_profile.h"

namespace glet::perf {

// The latency CSV a profile name refers to (not checked for existence).
std::string LatencyCsvPathFor(const std::string& profile);
// Loads (once per process) the latencies of the profile named `profile`; errors name the file.
Result<std::shared_ptr<const LatencyProfile>> LoadNamedProfile(const std::string& profile);

// SliceOptions for `spec`: for emulated slices, latency from the named profile (kInvalidArgument
// if it cannot be loaded) and `clock` (null = system clock); other kinds get `clock` only.
Result<device::SliceOptions> SliceOptionsFor(const device::SliceSpec& spec, Clock* clock);

// CreateSlice(spec, SliceOptionsFor(spec, clock)).
Result<std::unique_ptr<device::Slice>> MakeSlice(const device::SliceSpec& spec,
                                                 Clock* clock = nullptr);

}  // namespace glet::perf
