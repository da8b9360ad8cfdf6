// DeviceTable: the processors a partitioned DNN is placed on, with their speed, read from JSON:
//   {
//     "speeds_gflops": {"edge": 8, "cpu": 60, "gpu": 4000},   sustained GFLOP/s per device class
//     "processors": [{"name": "edge0", "class": "edge"}, {"name": "gpu0", "class": "gpu"}],
//     "bandwidth_mb_s": 100 | [[...], ...],   MB/s between processors (diagonal ignored)
//     "startup_ms": 0 | [...],                per sending processor
//     "source": "edge0"                       optional: where the input arrives and the result
//                                             must return
//   }
// In the DAG built from it, costs are milliseconds and data volumes megabytes (1e6 bytes), so
// the Platform's bandwidth is MB per ms (bandwidth_mb_s / 1000).
#pragma once

#include <string>
#include <vector>

#include "core/json_reader.h"
#include "core/status.h"
#include "dag/platform.h"

namespace glet::dag {

struct DeviceTable {
  Platform platform;
  std::vector<double> gflops;  // per processor
  int source = -1;             // processor index, or -1 when absent
};

// Errors (kInvalidArgument) name the file and JSON pointer: unknown class, speed <= 0, bad
// matrix shape, unknown source processor.
Result<DeviceTable> LoadDeviceTable(const std::string& path);
Result<DeviceTable> ParseDeviceTable(const Json& doc, const std::string& origin);

}  // namespace glet::dag
