#include "client/arrival_schedule.h"

#include <cmath>
#include <queue>
#include <tuple>

#include "client/stream_generator.h"
#include "core/strings.h"

namespace glet::client {

Result<std::vector<Arrival>> MakeArrivalSchedule(const ClientWorkload& workload, uint64_t seed,
                                                 const ScheduleLimits& limits) {
  if (!(limits.duration_s > 0)) {
    return InvalidArgumentError("--duration: must be > 0 (got " +
                                FormatDouble(limits.duration_s, 3) + ")");
  }
  if (limits.max_requests < -1) {
    return InvalidArgumentError("--max-requests: must be >= 0");
  }
  const bool capped = limits.max_requests >= 0;
  double expected = 0;
  for (const Stream& s : workload.streams) {
    if (s.has_trace) {
      expected += s.trace.Cumulative(limits.duration_s);
    } else if (s.rate_rps > 0) {
      if (std::isinf(limits.duration_s) && !capped) {
        return InvalidArgumentError(s.source +
                                    ": a constant-rate stream needs --duration or --max-requests");
      }
      expected += s.rate_rps * limits.duration_s;
    }
  }
  if (capped) {
    expected = std::min(expected, static_cast<double>(limits.max_requests));
  }
  if (expected > static_cast<double>(limits.max_schedule)) {
    return InvalidArgumentError("workload: about " + FormatDouble(expected, 0) +
                                " requests expected, more than the limit of " +
                                std::to_string(limits.max_schedule) +
                                "; lower the rates or --duration, or set --max-requests");
  }

  std::vector<StreamGenerator> gens;
  gens.reserve(workload.streams.size());
  using Entry = std::tuple<double, int>;  // (time, stream): min-heap order = schedule order
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> heap;
  for (size_t i = 0; i < workload.streams.size(); ++i) {
    gens.emplace_back(workload.streams[i], StreamSeed(seed, i), limits.duration_s);
    const double t = gens.back().Next();
    if (t < limits.duration_s) {
      heap.emplace(t, static_cast<int>(i));
    }
  }
  std::vector<Arrival> out;
  out.reserve(static_cast<size_t>(expected * 1.05) + 16);
  while (!heap.empty()) {
    if (capped && static_cast<int64_t>(out.size()) >= limits.max_requests) {
      break;
    }
    auto [t, i] = heap.top();
    heap.pop();
    out.push_back({t, i});
    const double next = gens[i].Next();
    if (next < limits.duration_s) {
      heap.emplace(next, i);
    }
  }
  return out;
}

}  // namespace glet::client
