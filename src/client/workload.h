// ClientWorkload: what `glet client` sends — one open-loop stream of arrivals per model or app,
// each at a constant rate (Poisson or uniform gaps) or following a rate trace.
//
// Text forms (errors are kInvalidArgument naming the flag or file:line at fault):
//   --model NAME:RATE[:DIST]   e.g. "resnet50:100", "lenet:50:uniform"  (DIST defaults to poisson)
//   --trace NAME=FILE[:DIST]   FILE is a `second,rps` CSV (rate_trace.h)
//   --workload FILE            CSV rows `model,rate_rps[,dist]`, optional header
//                              `model,rate_rps[,dist]`, '#' comments
// A model may appear in several streams (their arrivals add up).
//
// Thread safety: value types and pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "client/rate_trace.h"
#include "core/status.h"

namespace glet::client {

// How gaps between arrivals are drawn.
enum class ArrivalDist {
  kPoisson,  // exponential gaps (a Poisson process; inhomogeneous for traces)
  kUniform,  // fixed gaps of 1/rate (for traces: evenly spread in expected-arrival space)
};

std::string_view ArrivalDistName(ArrivalDist dist);
// "poisson" | "uniform"; kInvalidArgument naming `what` otherwise.
Result<ArrivalDist> ParseArrivalDist(std::string_view name, std::string_view what);

struct Stream {
  std::string model;  // model or app name, as the server knows it
  ArrivalDist dist = ArrivalDist::kPoisson;
  // Constant rate when `has_trace` is false; else the trace's rate holds.
  double rate_rps = 0;
  bool has_trace = false;
  RateTrace trace;
  std::string source;  // where it was given ("--model lenet:50", "w.csv:3"), for messages
};

struct ClientWorkload {
  std::vector<Stream> streams;

  // Distinct model names in first-appearance order.
  std::vector<std::string> Models() const;
  bool HasConstantRateStream() const;
};

// "NAME:RATE[:DIST]". `default_dist` applies when DIST is absent.
Result<Stream> ParseModelRate(std::string_view arg, ArrivalDist default_dist);
// "NAME=FILE[:DIST]"; loads FILE.
Result<Stream> ParseTraceArg(std::string_view arg, ArrivalDist default_dist);
// CSV rows `model,rate_rps[,dist]`.
Result<std::vector<Stream>> ParseWorkloadCsv(std::string_view text, const std::string& origin,
                                             ArrivalDist default_dist);
Result<std::vector<Stream>> LoadWorkloadCsv(const std::string& path, ArrivalDist default_dist);

}  // namespace glet::client
