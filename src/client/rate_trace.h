// RateTrace: a request rate that changes over time, read from a `second,rps` CSV. Each row sets
// the rate (requests per second, >= 0) from its second until the next row's second; the last row
// holds for one second, so a trace with one row per second covers [first, last + 1). Before the
// first row the rate is 0.
//
// File form: an optional `second,rps` header, then rows of two numbers; seconds are integers
// >= 0 in strictly ascending order (gaps allowed: the earlier rate holds across them); '#' lines
// and blank lines are skipped. Errors are kInvalidArgument naming "file:line".
//
// Cumulative() and InverseCumulative() map time to expected arrivals and back; the arrival
// schedule uses them to turn unit-rate arrivals into arrivals at the trace's rate.
//
// Thread safety: a value type.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace glet::client {

struct RatePoint {
  double start_s = 0;  // inclusive
  double rate_rps = 0;
};

class RateTrace {
 public:
  // A trace of one constant rate over [0, duration_s); duration_s may be +infinity.
  static RateTrace Constant(double rate_rps, double duration_s);
  static Result<RateTrace> Parse(std::string_view text, const std::string& origin);
  static Result<RateTrace> Load(const std::string& path);

  const std::vector<RatePoint>& points() const { return points_; }
  // End of the trace: the rate is 0 from here on.
  double end_s() const { return end_s_; }
  // Rate at time t (seconds).
  double RateAt(double t_s) const;
  // Expected arrivals in [0, t_s): the integral of the rate.
  double Cumulative(double t_s) const;
  // The time at which `expected` arrivals have accrued, taken inside a piece with a positive
  // rate: an `expected` that falls exactly on a piece's end maps to the start of the next piece
  // with a positive rate. +infinity when the trace ends first (expected >= Total()).
  double InverseCumulative(double expected) const;
  // Cumulative(end_s()).
  double Total() const { return Cumulative(end_s_); }

 private:
  std::vector<RatePoint> points_;  // ascending start_s
  double end_s_ = 0;
};

}  // namespace glet::client
