#include "client/arrival_schedule.h"

#include <cmath>
#include <queue>
#include <tuple>

#include "core/strings.h"

namespace glet::client {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// SplitMix64: small, fast, and the same everywhere.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in (0, 1].
  double NextOpenUnit() { return (static_cast<double>(Next() >> 11) + 1.0) * 0x1.0p-53; }

 private:
  uint64_t state_;
};

// One stream's arrivals, produced in time order. Walks the rate pieces with a cursor so each
// arrival costs O(1) amortised.
class StreamGenerator {
 public:
  StreamGenerator(const Stream& stream, uint64_t seed, double duration_s)
      : dist_(stream.dist),
        trace_(stream.has_trace ? stream.trace : RateTrace::Constant(stream.rate_rps, duration_s)),
        rng_(seed) {}

  // The next arrival time, or +infinity when the stream has no more.
  double Next() {
    if (dist_ == ArrivalDist::kPoisson) {
      target_ += -std::log(rng_.NextOpenUnit());
    } else if (started_) {
      target_ += 1.0;
    }
    started_ = true;
    return Locate(target_);
  }

 private:
  // RateTrace::InverseCumulative(expected), advancing a piece cursor instead of scanning.
  double Locate(double expected) {
    const std::vector<RatePoint>& pts = trace_.points();
    while (piece_ < pts.size()) {
      const double start = pts[piece_].start_s;
      const double stop = piece_ + 1 < pts.size() ? pts[piece_ + 1].start_s : trace_.end_s();
      const double rate = pts[piece_].rate_rps;
      if (rate > 0) {
        const double span = rate * (stop - start);
        // Strictly inside this piece; an arrival exactly at a piece's end belongs to the next
        // piece with a positive rate (so no arrival lands in a zero-rate second).
        if (done_ + span > expected) {
          return start + std::max(0.0, expected - done_) / rate;
        }
        done_ += span;
      }
      ++piece_;
    }
    return kInf;
  }

  ArrivalDist dist_;
  RateTrace trace_;
  SplitMix64 rng_;
  double target_ = 0;  // expected-arrival coordinate of the last arrival
  bool started_ = false;
  size_t piece_ = 0;  // current rate piece
  double done_ = 0;   // expected arrivals before piece_
};

uint64_t StreamSeed(uint64_t seed, size_t index) {
  SplitMix64 mix(seed ^ (0xD1B54A32D192ED03ull * (index + 1)));
  return mix.Next();
}

}  // namespace

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
