// A Schedule as JSON, and reading one back as the busy intervals to schedule on top of:
//   {
//     "algorithm": "heft", "dag": "heft-paper",
//     "start_time": 0, "end_time": 80, "makespan": 80, "slr": 1.2, "speedup": 1.6,
//     "processors": ["P1", "P2", "P3"],
//     "tasks": [{"task": "T1", "processor": "P3", "start": 0, "finish": 9}, ...]
//   }
// Reading uses only "tasks" (task, processor, start, finish); other keys are ignored.
#pragma once

#include <string>

#include "core/json_reader.h"
#include "core/status.h"
#include "dag/problem.h"
#include "dag/schedule.h"

namespace glet::dag {

Json ScheduleToJson(const Problem& problem, const Schedule& schedule);

// The busy intervals of the schedule in file `path`, per processor of `platform`, and
// `start_time`. Errors (kInvalidArgument) name the file and JSON pointer: a processor the
// platform does not have, finish < start, a missing field.
Result<ScheduleContext> LoadScheduleContext(const std::string& path, const Platform& platform,
                                            double start_time);
Result<ScheduleContext> ParseScheduleContext(const Json& doc, const std::string& origin,
                                             const Platform& platform, double start_time);

}  // namespace glet::dag
