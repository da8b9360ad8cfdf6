// Reading SafetyMargins from a JSON object, shared by every file that carries them (plan JSON's
// "margins", serve configs' "margins"):
//   {"latency_ratio": 1.0, "batch_cost": false, "poisson_quantile": 0, "burst_miss": 0.005}
// Every key is optional; a key the object does not name keeps its value in `defaults` (plan
// files pass margins that are off, so plans written before a margin existed read as they were
// made; serve configs pass the planner's defaults). Unknown keys, wrong types and values
// SafetyMargins::Validate() refuses are kInvalidArgument naming the file and JSON path.
#pragma once

#include "core/json_reader.h"
#include "core/status.h"
#include "sched/safety.h"

namespace glet::sched {

Result<SafetyMargins> ReadMargins(const JsonReader& object, const SafetyMargins& defaults);

}  // namespace glet::sched
