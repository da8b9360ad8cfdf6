// Platform: the processors a DAG is placed on and the links between them.
//
// Communication convention (the same everywhere in src/dag/): an edge carrying `data` from a task
// on processor p to a task on processor q takes
//     0                                  if p == q
//     startup[p] + data / bandwidth[p][q] otherwise
// (startup is the sending processor's start-up latency). The diagonal of the bandwidth matrix is
// ignored. An infinite bandwidth makes a transfer cost only its start-up latency.
// The averaged cost used for ranks (HEFT's c-bar) is  mean(startup) + data / mean(off-diagonal
// bandwidth), as in Topcuoglu et al. 2002; on one processor it is 0.
//
// Thread safety: immutable after Create(); safe to share.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"

namespace glet::dag {

class Platform {
 public:
  // `bandwidth` is row-major num x num. Errors (kInvalidArgument, prefixed by `origin`): no
  // processors, duplicate names, wrong matrix size, an off-diagonal bandwidth <= 0 or NaN, a
  // negative start-up latency.
  static Result<Platform> Create(std::vector<std::string> names, std::vector<double> bandwidth,
                                 std::vector<double> startup, const std::string& origin);
  // `num` processors named P_0..P_{num-1}, bandwidth 1 everywhere, no start-up latency.
  static Platform Uniform(int num);

  int num_processors() const { return static_cast<int>(names_.size()); }
  const std::vector<std::string>& names() const { return names_; }
  double bandwidth(int p, int q) const { return bandwidth_[p * names_.size() + q]; }
  double startup(int p) const { return startup_[p]; }

  // Communication time of `data` from processor p to q (0 when p == q).
  double CommCost(int p, int q, double data) const {
    return p == q ? 0.0 : startup_[p] + data / bandwidth_[p * names_.size() + q];
  }
  // Averaged communication time used by the rank functions.
  double MeanCommCost(double data) const {
    return names_.size() <= 1 ? 0.0 : mean_startup_ + data * inv_mean_bandwidth_;
  }
  // Index of a processor by name, or -1.
  int Find(const std::string& name) const;
  // True when both have the same names, bandwidths and start-up latencies.
  bool SameAs(const Platform& other) const;

 private:
  Platform() = default;
  void ComputeMeans();

  std::vector<std::string> names_;
  std::vector<double> bandwidth_;
  std::vector<double> startup_;
  double mean_startup_ = 0;
  double inv_mean_bandwidth_ = 0;
};

}  // namespace glet::dag
