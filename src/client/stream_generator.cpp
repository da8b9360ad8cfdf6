#include "client/stream_generator.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace glet::client {

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
}  // namespace

uint64_t StreamSeed(uint64_t seed, size_t index) {
  SplitMix64 mix(seed ^ (0xD1B54A32D192ED03ull * (index + 1)));
  return mix.Next();
}

StreamGenerator::StreamGenerator(const Stream& stream, uint64_t seed, double duration_s)
    : dist_(stream.dist),
      trace_(stream.has_trace ? stream.trace : RateTrace::Constant(stream.rate_rps, duration_s)),
      rng_(seed) {
  const std::vector<RatePoint>& pts = trace_.points();
  if (pts.size() == 1 && pts[0].start_s == 0 && pts[0].rate_rps > 0) {
    constant_rate_ = pts[0].rate_rps;
    constant_span_ = constant_rate_ * trace_.end_s();
  }
}

double StreamGenerator::Next() {
  if (dist_ == ArrivalDist::kPoisson) {
    target_ += -std::log(rng_.NextOpenUnit());
  } else if (started_) {
    target_ += 1.0;
  }
  started_ = true;
  if (constant_rate_ > 0) {  // one piece from 0: the same arithmetic as Locate(), no walk
    return target_ < constant_span_ ? target_ / constant_rate_ : kInf;
  }
  return Locate(target_);
}

double StreamGenerator::Locate(double expected) {
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

}  // namespace glet::client
