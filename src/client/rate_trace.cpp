#include "client/rate_trace.h"

#include <cmath>
#include <limits>

#include "core/csv.h"
#include "core/file_util.h"
#include "core/strings.h"

namespace glet::client {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

bool LooksNumeric(std::string_view s) { return ParseDouble(s, "").ok(); }

}  // namespace

RateTrace RateTrace::Constant(double rate_rps, double duration_s) {
  RateTrace t;
  t.points_.push_back({0, rate_rps});
  t.end_s_ = duration_s;
  return t;
}

Result<RateTrace> RateTrace::Parse(std::string_view text, const std::string& origin) {
  GLET_ASSIGN_OR_RETURN(CsvTable table, CsvTable::Parse(text, origin, /*has_header=*/false));
  RateTrace trace;
  bool first = true;
  for (const CsvTable::Row& row : table.rows()) {
    const std::string where = table.Where(row);
    if (first && !row.cells.empty() && !LooksNumeric(row.cells[0])) {
      first = false;
      if (row.cells.size() != 2 || row.cells[0] != "second" || row.cells[1] != "rps") {
        return InvalidArgumentError(where +
                                    ": expected the header 'second,rps' or a row of two "
                                    "numbers (got '" +
                                    Join(row.cells, ",") + "')");
      }
      continue;
    }
    first = false;
    if (row.cells.size() != 2) {
      return InvalidArgumentError(where + ": expected 2 cells 'second,rps' (got " +
                                  std::to_string(row.cells.size()) + ")");
    }
    auto second = ParseInt(row.cells[0], where + ": second");
    if (!second.ok()) {
      return second.status();
    }
    if (*second < 0) {
      return InvalidArgumentError(where + ": second: must be >= 0 (got " + row.cells[0] + ")");
    }
    auto rps = ParseDouble(row.cells[1], where + ": rps");
    if (!rps.ok()) {
      return rps.status();
    }
    if (!(*rps >= 0) || !std::isfinite(*rps)) {
      return InvalidArgumentError(where + ": rps: must be a finite number >= 0 (got " +
                                  row.cells[1] + ")");
    }
    const double start = static_cast<double>(*second);
    if (!trace.points_.empty() && start <= trace.points_.back().start_s) {
      return InvalidArgumentError(where + ": second: must be greater than the previous row's (" +
                                  FormatDouble(trace.points_.back().start_s, 0) + "), got " +
                                  row.cells[0]);
    }
    trace.points_.push_back({start, *rps});
  }
  if (trace.points_.empty()) {
    return InvalidArgumentError(origin + ": no rows (expected 'second,rps' lines)");
  }
  trace.end_s_ = trace.points_.back().start_s + 1;
  return trace;
}

Result<RateTrace> RateTrace::Load(const std::string& path) {
  GLET_ASSIGN_OR_RETURN(std::string text, ReadFileToString(path));
  return Parse(text, path);
}

double RateTrace::RateAt(double t_s) const {
  if (t_s >= end_s_) {
    return 0;
  }
  double rate = 0;
  for (const RatePoint& p : points_) {
    if (p.start_s > t_s) {
      break;
    }
    rate = p.rate_rps;
  }
  return rate;
}

double RateTrace::Cumulative(double t_s) const {
  double total = 0;
  for (size_t i = 0; i < points_.size(); ++i) {
    const double start = points_[i].start_s;
    const double stop = i + 1 < points_.size() ? points_[i + 1].start_s : end_s_;
    if (t_s <= start) {
      break;
    }
    const double upto = std::min(t_s, stop);
    if (points_[i].rate_rps > 0) {
      total += points_[i].rate_rps * (upto - start);
    }
  }
  return total;
}

double RateTrace::InverseCumulative(double expected) const {
  double total = 0;
  for (size_t i = 0; i < points_.size(); ++i) {
    const double start = points_[i].start_s;
    const double stop = i + 1 < points_.size() ? points_[i + 1].start_s : end_s_;
    const double rate = points_[i].rate_rps;
    if (rate <= 0) {
      continue;
    }
    const double piece = rate * (stop - start);  // may be +inf for a constant open-ended trace
    if (total + piece > expected) {
      return start + std::max(0.0, expected - total) / rate;
    }
    total += piece;
  }
  return kInf;
}

}  // namespace glet::client
