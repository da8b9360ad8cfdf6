// A Gantt chart of a Schedule as a self-contained SVG: one row per processor, one labelled
// rectangle per task (hover shows task, processor, start and finish), work from an existing
// schedule in grey, and a time axis.
#pragma once

#include <string>

#include "dag/problem.h"
#include "dag/schedule.h"

namespace glet::dag {

std::string RenderGanttSvg(const Problem& problem, const Schedule& schedule,
                           const ScheduleContext& context);

}  // namespace glet::dag
