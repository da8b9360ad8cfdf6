#include "sim/svg_plot.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "core/strings.h"

namespace glet::sim {

namespace {

constexpr const char* kColors[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
                                   "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

std::string Num(double v) { return FormatDouble(v, 2); }

// A "nice" tick step for a range split in about `n` parts.
double TickStep(double range, int n) {
  if (!(range > 0)) {
    return 1;
  }
  const double raw = range / n;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (raw <= m * mag) {
      return m * mag;
    }
  }
  return 10 * mag;
}

std::string Label(double v, double step) {
  return FormatDouble(v, step >= 1 ? 0 : step >= 0.1 ? 1 : step >= 0.01 ? 2 : 3);
}

}  // namespace

std::string LineChartSvg(const ChartSpec& spec, const std::vector<Series>& series) {
  const double w = 720, h = 400, left = 70, right = 170, top = 40, bottom = 50;
  const double pw = w - left - right, ph = h - top - bottom;
  double x0 = std::numeric_limits<double>::infinity(), x1 = -x0;
  double y0 = x0, y1 = -x0;
  for (const Series& s : series) {
    for (const auto& [x, y] : s.points) {
      x0 = std::min(x0, x);
      x1 = std::max(x1, x);
      y0 = std::min(y0, y);
      y1 = std::max(y1, y);
    }
  }
  if (!std::isfinite(x0)) {
    x0 = 0;
    x1 = 1;
    y0 = 0;
    y1 = 1;
  }
  if (spec.y_max > spec.y_min) {
    y0 = spec.y_min;
    y1 = spec.y_max;
  } else {
    if (y0 >= 0) {
      y0 = 0;
    }
    if (y1 <= y0) {
      y1 = y0 + 1;
    }
    y1 += (y1 - y0) * 0.05;
  }
  if (x1 <= x0) {
    x1 = x0 + 1;
  }
  auto px = [&](double x) { return left + (x - x0) / (x1 - x0) * pw; };
  auto py = [&](double y) { return top + ph - (std::clamp(y, y0, y1) - y0) / (y1 - y0) * ph; };
  std::string s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + Num(w) + "\" height=\"" +
                  Num(h) + "\" font-family=\"sans-serif\" font-size=\"12\">\n";
  s += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  s += "<text x=\"" + Num(w / 2) + "\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">" +
       XmlEscape(spec.title) + "</text>\n";
  // Grid and ticks.
  const double ys = TickStep(y1 - y0, 5);
  for (double y = std::ceil(y0 / ys) * ys; y <= y1 + 1e-9; y += ys) {
    s += "<line x1=\"" + Num(left) + "\" x2=\"" + Num(left + pw) + "\" y1=\"" + Num(py(y)) +
         "\" y2=\"" + Num(py(y)) + "\" stroke=\"#ddd\"/>\n";
    s += "<text x=\"" + Num(left - 6) + "\" y=\"" + Num(py(y) + 4) + "\" text-anchor=\"end\">" +
         Label(y, ys) + "</text>\n";
  }
  const double xs = TickStep(x1 - x0, 8);
  for (double x = std::ceil(x0 / xs) * xs; x <= x1 + 1e-9; x += xs) {
    s += "<line x1=\"" + Num(px(x)) + "\" x2=\"" + Num(px(x)) + "\" y1=\"" + Num(top) + "\" y2=\"" +
         Num(top + ph) + "\" stroke=\"#eee\"/>\n";
    s += "<text x=\"" + Num(px(x)) + "\" y=\"" + Num(top + ph + 16) + "\" text-anchor=\"middle\">" +
         Label(x, xs) + "</text>\n";
  }
  s += "<rect x=\"" + Num(left) + "\" y=\"" + Num(top) + "\" width=\"" + Num(pw) + "\" height=\"" +
       Num(ph) + "\" fill=\"none\" stroke=\"#333\"/>\n";
  s += "<text x=\"" + Num(left + pw / 2) + "\" y=\"" + Num(h - 10) + "\" text-anchor=\"middle\">" +
       XmlEscape(spec.x_label) + "</text>\n";
  s += "<text transform=\"translate(16," + Num(top + ph / 2) +
       ") rotate(-90)\" text-anchor=\"middle\">" + XmlEscape(spec.y_label) + "</text>\n";
  for (size_t i = 0; i < series.size(); ++i) {
    const Series& se = series[i];
    const char* color = kColors[i % std::size(kColors)];
    std::string pts;
    for (size_t k = 0; k < se.points.size(); ++k) {
      const auto& [x, y] = se.points[k];
      if (spec.step && k > 0) {
        pts += Num(px(x)) + "," + Num(py(se.points[k - 1].second)) + " ";
      }
      pts += Num(px(x)) + "," + Num(py(y)) + " ";
    }
    s += "<polyline fill=\"none\" stroke=\"" + std::string(color) +
         "\" stroke-width=\"2\" points=\"" + pts + "\"/>\n";
    if (!spec.step && se.points.size() <= 40) {
      for (const auto& [x, y] : se.points) {
        s += "<circle cx=\"" + Num(px(x)) + "\" cy=\"" + Num(py(y)) + "\" r=\"3\" fill=\"" + color +
             "\"/>\n";
      }
    }
    const double ly = top + 14 + 18 * static_cast<double>(i);
    s += "<rect x=\"" + Num(left + pw + 12) + "\" y=\"" + Num(ly - 9) +
         "\" width=\"12\" height=\"12\" fill=\"" + color + "\"/>\n";
    s += "<text x=\"" + Num(left + pw + 30) + "\" y=\"" + Num(ly + 1) + "\">" + XmlEscape(se.name) +
         "</text>\n";
  }
  s += "</svg>\n";
  return s;
}

std::string PlanLayoutSvg(const sched::Plan& plan, const std::string& title) {
  std::vector<const sched::PlannedDevice*> used;
  for (const sched::PlannedDevice& d : plan.devices) {
    if (!d.glets.empty()) {
      used.push_back(&d);
    }
  }
  const double left = 90, bar_w = 800, row_h = 46, top = 40;
  const double w = left + bar_w + 20;
  const double h = top + row_h * static_cast<double>(std::max<size_t>(used.size(), 1)) + 30;
  std::string s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + Num(w) + "\" height=\"" +
                  Num(h) + "\" font-family=\"sans-serif\" font-size=\"11\">\n";
  s += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  s += "<text x=\"" + Num(w / 2) + "\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">" +
       XmlEscape(title) + "</text>\n";
  std::map<std::string, const char*> color_of;
  for (size_t r = 0; r < used.size(); ++r) {
    const sched::PlannedDevice& d = *used[r];
    const double y = top + row_h * static_cast<double>(r);
    s += "<text x=\"" + Num(left - 8) + "\" y=\"" + Num(y + row_h / 2) + "\" text-anchor=\"end\">" +
         XmlEscape(d.type + " " + std::to_string(d.id)) + "</text>\n";
    s += "<rect x=\"" + Num(left) + "\" y=\"" + Num(y + 4) + "\" width=\"" + Num(bar_w) +
         "\" height=\"" + Num(row_h - 8) + "\" fill=\"#f4f4f4\" stroke=\"#999\"/>\n";
    double x = left;
    for (const sched::PlannedGlet& g : d.glets) {
      const double gw = bar_w * g.partition / 100.0;
      std::string first = g.models.empty() ? "" : g.models.front().model;
      auto [it, added] = color_of.emplace(first, kColors[color_of.size() % std::size(kColors)]);
      std::vector<std::string> parts;
      for (const sched::PlannedModel& m : g.models) {
        parts.push_back(m.model + " b" + std::to_string(m.batch));
      }
      const std::string label = std::to_string(g.partition) + "% " + Join(parts, ", ");
      const std::string tip = label + ", duty " + FormatDouble(g.duty_ms, 1) + " ms";
      s += "<g><title>" + XmlEscape(tip) + "</title><rect x=\"" + Num(x) + "\" y=\"" + Num(y + 4) +
           "\" width=\"" + Num(gw) + "\" height=\"" + Num(row_h - 8) + "\" fill=\"" + it->second +
           "\" fill-opacity=\"0.55\" stroke=\"#333\"/>\n";
      s += "<text x=\"" + Num(x + 4) + "\" y=\"" + Num(y + row_h / 2 - 2) + "\">" +
           XmlEscape(label) + "</text>\n";
      s += "<text x=\"" + Num(x + 4) + "\" y=\"" + Num(y + row_h / 2 + 12) + "\">duty " +
           FormatDouble(g.duty_ms, 1) + " ms</text></g>\n";
      x += gw;
    }
  }
  if (used.empty()) {
    s += "<text x=\"" + Num(left) + "\" y=\"" + Num(top + 20) + "\">no devices in use</text>\n";
  }
  s += "</svg>\n";
  return s;
}

}  // namespace glet::sim
