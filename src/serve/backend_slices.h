// How a backend turns glets into slices of its node's devices, and the checks on glet specs.
//   cpu device with cores C:  partition p gets max(1, round(p/100 * |C|)) of C, the lowest cores
//                             not held by another glet of the node ("cpu:2-3");
//   emulated device:          "emulated:<profile>:<p>";
//   cuda-mps device:          "cuda:<cuda_device>:<p>".
// The partitions of one device's glets may add up to at most 100.
//
// Thread safety: pure functions.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/status.h"
#include "device/slice_spec.h"
#include "model/device_spec.h"
#include "model/model_spec.h"
#include "serve/backend_types.h"

namespace glet::serve {

// Checks one glet on its own: a non-empty glet_id, partition_percent in 1..100, at least one
// model, no model twice, every model in `manifest` with 0 <= batch_size <= its max_batch, and
// rate_rps, duty_cycle_ms >= 0 (kInvalidArgument "glet 'g1': models[1]: unknown model 'x' ...");
// a device_id not on `node` is kNotFound "glet 'g1': device 'gpu9' is not on node n0 (devices:
// cpu0)".
Status ValidateGletSpec(const GletSpec& glet, const model::NodeSpec& node,
                        const model::ModelManifest& manifest);

// Assigns a slice to every glet of `glets` (the node's whole set after a change), in order.
// Glets named in `fixed` keep that slice (they run already); the others get cores that neither
// a fixed glet nor an earlier glet of the list holds. Validates each glet as ValidateGletSpec;
// duplicate glet ids are kInvalidArgument; a device whose glets take over 100% is
// kResourceExhausted "device 'gpu0': glets a, b take 120% (> 100)"; a cpu glet that finds too few
// free cores is kResourceExhausted naming the glet, the cores it needs and the free ones.
Result<std::vector<device::SliceSpec>> AssignSlices(
    const model::NodeSpec& node, const model::ModelManifest& manifest,
    const std::vector<GletSpec>& glets, const std::map<std::string, device::SliceSpec>& fixed);

// The node's devices as the backend reports them.
std::vector<DeviceInfo> DescribeDevices(const model::NodeSpec& node);

}  // namespace glet::serve
