// NodeSpec and DeviceSpec: the devices of one node as the operator describes them, before any
// is opened. src/device/ turns each DeviceSpec into a Device; planners read kinds and memory.
//
// JSON form (resource/devices/*.json):
//   {"node": "n0",
//    "devices": [{"id": "cpu0", "kind": "cpu", "cores": "0-1"},
//                {"id": "gpu0", "kind": "emulated", "profile": "ref-gpu", "mem_mib": 11264},
//                {"id": "gpu1", "kind": "cuda-mps", "cuda_device": 0, "mem_mib": 11264}]}
// Fields per kind (all required; any other key is an error):
//   cpu:      "cores": a core list as in taskset ("0-3,6"); cores are not shared between devices.
//   emulated: "profile": a profile name (folder under resource/profiles/: letters, digits, '-',
//             '_', '.'), "mem_mib" > 0.
//   cuda-mps: "cuda_device": CUDA ordinal >= 0, unique on the node; "mem_mib" > 0.
// Validation errors are kInvalidArgument naming the file and JSON path of the field at fault
// (unknown key or kind, wrong type, missing field, bad core range, duplicate id, ...).
//
// Thread safety: values.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/json_reader.h"
#include "core/status.h"

namespace glet::model {

enum class DeviceKind { kCpu, kEmulated, kCudaMps };

// "cpu", "emulated", "cuda-mps".
std::string_view DeviceKindName(DeviceKind kind);
// kInvalidArgument "unknown device kind 'x' (known: cpu, emulated, cuda-mps)".
Result<DeviceKind> ParseDeviceKind(std::string_view name);

struct DeviceSpec {
  std::string id;
  DeviceKind kind = DeviceKind::kCpu;
  std::vector<int> cores;  // cpu: sorted, distinct
  std::string profile;     // emulated
  int cuda_device = -1;    // cuda-mps
  double mem_mib = 0;      // emulated, cuda-mps (0 for cpu)
};

struct NodeSpec {
  std::string node;
  std::vector<DeviceSpec> devices;  // in file order; at least one

  // The device with this id, or nullptr. The pointer lives as long as this NodeSpec is unchanged.
  const DeviceSpec* Find(std::string_view id) const;
};

Result<DeviceSpec> ParseDeviceSpec(const JsonReader& reader);
// Also checks across devices: unique ids, no core in two cpu devices, unique cuda_device.
Result<NodeSpec> ParseNodeSpec(const JsonReader& root);
Result<NodeSpec> LoadNodeSpec(const std::string& path);

}  // namespace glet::model
