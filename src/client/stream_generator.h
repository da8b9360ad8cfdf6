// StreamGenerator: one arrival stream (Poisson or uniform gaps over a piecewise-constant rate),
// produced one arrival at a time in time order. The single generator behind both
// `glet client`'s schedule (arrival_schedule.h) and the simulator's arrivals (sim/), so the two
// produce the same arrivals for the same workload and seed.
//
// Thread safety: a StreamGenerator is used by one thread; StreamSeed() is a pure function.
#pragma once

#include <cstddef>
#include <cstdint>

#include "client/rate_trace.h"
#include "client/workload.h"

namespace glet::client {

// SplitMix64: small, fast, and the same on every platform and standard library.
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

// The seed of stream `index` of a workload run with `seed`.
uint64_t StreamSeed(uint64_t seed, size_t index);

class StreamGenerator {
 public:
  // A stream without a trace runs at its constant rate until `duration_s`.
  StreamGenerator(const Stream& stream, uint64_t seed, double duration_s);

  // The next arrival time in seconds from the start, or +infinity when the stream has no more.
  // Each call costs O(1) amortised (a cursor walks the rate pieces).
  double Next();

 private:
  // RateTrace::InverseCumulative(expected), advancing the piece cursor instead of scanning.
  double Locate(double expected);

  ArrivalDist dist_;
  RateTrace trace_;
  SplitMix64 rng_;
  double target_ = 0;  // expected-arrival coordinate of the last arrival
  bool started_ = false;
  size_t piece_ = 0;          // current rate piece
  double done_ = 0;           // expected arrivals before piece_
  double constant_rate_ = 0;  // > 0: a single constant piece starting at 0 (fast path)
  double constant_span_ = 0;  // its expected arrivals
};

}  // namespace glet::client
