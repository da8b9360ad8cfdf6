// Rng: a seeded random source whose sequence is the same on every platform and standard library
// (std::mt19937_64's output is fixed by the standard; the distributions here are our own, since
// std's distributions may differ between implementations). Used by PSO-GA and the random DAG
// generator so that a seed reproduces a result exactly. Thread safety: none (a plain value).
#pragma once

#include <cstdint>
#include <random>

namespace glet::dag {

class Rng {
 public:
  explicit Rng(uint64_t seed) : engine_(seed) {}

  // Uniform in [0, 1).
  double Uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  // Uniform in [lo, hi).
  double Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform(); }
  // Uniform integer in [0, n). REQUIRES: n > 0.
  uint64_t Below(uint64_t n) {
    const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t x;
    do {
      x = engine_();
    } while (x >= limit);
    return x % n;
  }
  // Uniform integer in [lo, hi]. REQUIRES: lo <= hi.
  int Between(int lo, int hi) {
    return lo + static_cast<int>(Below(static_cast<uint64_t>(hi - lo) + 1));
  }

 private:
  std::mt19937_64 engine_;
};

}  // namespace glet::dag
