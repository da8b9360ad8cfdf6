#include "dag/gantt_svg.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "core/strings.h"

namespace glet::dag {

namespace {

std::string Short(double v) {
  std::string s = FormatDouble(v, 3);
  while (s.find('.') != std::string::npos && (s.back() == '0' || s.back() == '.')) {
    s.pop_back();
  }
  return s;
}

// A colour per DAG (the part of the task name before '/'), so merged DAGs are told apart.
std::string Colour(const std::string& task_name) {
  static const char* kPalette[] = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759",
                                   "#76b7b2", "#edc948", "#b07aa1", "#9c755f"};
  auto slash = task_name.find('/');
  std::string group = slash == std::string::npos ? "" : task_name.substr(0, slash);
  size_t h = std::hash<std::string>{}(group);
  return kPalette[group.empty() ? 0 : h % 8];
}

}  // namespace

std::string RenderGanttSvg(const Problem& problem, const Schedule& schedule,
                           const ScheduleContext& context) {
  const int num_procs = problem.platform.num_processors();
  const double kLeft = 90, kTop = 30, kRow = 28, kWidth = 900;
  double end = schedule.end_time();
  for (const auto& slots : context.busy) {
    for (const BusySlot& s : slots) {
      end = std::max(end, s.finish);
    }
  }
  const double span = end > 0 ? end : 1;
  const double scale = kWidth / span;
  const double height = kTop + num_procs * kRow + 40;
  std::ostringstream svg;
  svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << kLeft + kWidth + 20
      << "\" height=\"" << height << "\" font-family=\"sans-serif\" font-size=\"11\">\n";
  svg << "<text x=\"" << kLeft << "\" y=\"18\" font-size=\"13\">" << XmlEscape(problem.name)
      << " — " << XmlEscape(schedule.algorithm) << ", makespan " << Short(schedule.makespan())
      << "</text>\n";
  for (int p = 0; p < num_procs; ++p) {
    double y = kTop + p * kRow;
    svg << "<text x=\"" << kLeft - 6 << "\" y=\"" << y + kRow / 2 + 4 << "\" text-anchor=\"end\">"
        << XmlEscape(problem.platform.names()[p]) << "</text>\n";
    svg << "<rect x=\"" << kLeft << "\" y=\"" << y << "\" width=\"" << kWidth << "\" height=\""
        << kRow << "\" fill=\"" << (p % 2 ? "#f7f7f7" : "#ffffff") << "\"/>\n";
  }
  auto bar = [&](int p, double start, double finish, const std::string& label,
                 const std::string& fill) {
    double x = kLeft + start * scale;
    double w = std::max(0.5, (finish - start) * scale);
    double y = kTop + p * kRow + 3;
    svg << "<g><title>" << XmlEscape(label) << " on " << XmlEscape(problem.platform.names()[p])
        << ": " << Short(start) << " - " << Short(finish) << "</title><rect x=\"" << x << "\" y=\""
        << y << "\" width=\"" << w << "\" height=\"" << kRow - 6 << "\" fill=\"" << fill
        << "\" stroke=\"#333\" stroke-width=\"0.5\"/>";
    if (w > 7.0 * static_cast<double>(label.size())) {
      svg << "<text x=\"" << x + w / 2 << "\" y=\"" << y + kRow / 2 + 1
          << "\" text-anchor=\"middle\" fill=\"#fff\">" << XmlEscape(label) << "</text>";
    }
    svg << "</g>\n";
  };
  for (size_t p = 0; p < context.busy.size() && static_cast<int>(p) < num_procs; ++p) {
    for (const BusySlot& s : context.busy[p]) {
      bar(static_cast<int>(p), s.start, s.finish, s.label, "#bbbbbb");
    }
  }
  for (int t = 0; t < problem.dag.num_tasks(); ++t) {
    const Placement& pl = schedule.placements[t];
    if (pl.processor >= 0) {
      const std::string& name = problem.dag.task(t).name;
      bar(pl.processor, pl.start, pl.finish, name, Colour(name));
    }
  }
  // Time axis with about ten ticks at round numbers.
  const double axis_y = kTop + num_procs * kRow;
  svg << "<line x1=\"" << kLeft << "\" y1=\"" << axis_y << "\" x2=\"" << kLeft + kWidth
      << "\" y2=\"" << axis_y << "\" stroke=\"#333\"/>\n";
  double raw = span / 10;
  double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = raw / mag < 2 ? 2 * mag : raw / mag < 5 ? 5 * mag : 10 * mag;
  for (double t = 0; t <= span + 1e-9; t += step) {
    double x = kLeft + t * scale;
    svg << "<line x1=\"" << x << "\" y1=\"" << axis_y << "\" x2=\"" << x << "\" y2=\"" << axis_y + 4
        << "\" stroke=\"#333\"/><text x=\"" << x << "\" y=\"" << axis_y + 16
        << "\" text-anchor=\"middle\">" << Short(t) << "</text>\n";
  }
  svg << "</svg>\n";
  return svg.str();
}

}  // namespace glet::dag
