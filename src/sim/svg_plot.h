// SVG plots of a simulation, self-contained files with no scripts or external references:
//   LineChartSvg    one or more series of (x, y) points over shared axes (SLO attainment over
//                   time, devices in use over time, attainment vs offered load);
//   PlanLayoutSvg   the plan's layout: one row per device in use, each cut into its glets drawn
//                   to scale (partition %), labelled with models, batch sizes and duty cycle.
// Text is XML-escaped. Thread safety: pure functions.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "sched/plan.h"

namespace glet::sim {

struct Series {
  std::string name;
  std::vector<std::pair<double, double>> points;  // (x, y), x ascending
};

struct ChartSpec {
  std::string title;
  std::string x_label;
  std::string y_label;
  // Fixed y range when y_max > y_min; else from the data (starting at 0 when all y >= 0).
  double y_min = 0;
  double y_max = 0;
  bool step = false;  // draw as steps (a value holds until the next point)
};

std::string LineChartSvg(const ChartSpec& spec, const std::vector<Series>& series);
std::string PlanLayoutSvg(const sched::Plan& plan, const std::string& title);

}  // namespace glet::sim
