// PSO-GA: discrete particle swarm optimisation with genetic operators, in the form used for
// placing DNN layers on cloud-edge servers (Chen et al., "Energy-efficient offloading for
// DNN-based smart IoT systems in cloud-edge environments", IEEE TPDS 33(3), 2022; operators
// after Xie et al., 2019). Here the fitness is the makespan.
//
// A particle is a processor per task. One iteration updates each particle X as
//     X <- c2 (+) Cg( c1 (+) Cp( w (+) Mu(X), pBest ), gBest )
// Mu: with probability w, one random task moves to another random processor that can run it.
// Cp / Cg: with probability c1 / c2, a random segment [i, j] of X is replaced by the same
//          segment of the particle's best (pBest) / the swarm's best (gBest).
// w = w_max - (w_max - w_min) exp(d / (d - 1.01)), d = the share of tasks where X differs from
// gBest (a particle far from gBest mutates more); c1 falls linearly from c1_start to c1_end and
// c2 rises from c2_start to c2_end over the iterations.
// Decoding: tasks in decreasing upward rank (a topological order) each start at the earliest
// insertion slot on their processor (as HEFT, with the processor fixed by the particle).
// Initial particles are uniform random (over the processors that can run each task); with
// `seed_with_heft`, particle 0 is HEFT's assignment instead, which decodes to HEFT's schedule,
// so the result is never worse than HEFT.
// The same options and seed give the same schedule.
#pragma once

#include <cstdint>
#include <vector>

#include "dag/scheduler.h"

namespace glet::dag {

struct PsoGaOptions {
  uint64_t seed = 1;
  int particles = 50;
  int iterations = 200;
  double w_max = 0.9;
  double w_min = 0.4;
  double c1_start = 0.9;
  double c1_end = 0.2;
  double c2_start = 0.4;
  double c2_end = 0.9;
  bool seed_with_heft = false;
};

// kInvalidArgument naming the option at fault (particles/iterations >= 1, weights in [0, 1],
// w_min <= w_max).
Status ValidatePsoGaOptions(const PsoGaOptions& options);

class PsoGaScheduler final : public DagScheduler {
 public:
  // REQUIRES: ValidatePsoGaOptions(options).ok().
  explicit PsoGaScheduler(PsoGaOptions options) : options_(options) {}

  // DagScheduler
  std::string name() const override { return "psoga"; }
  Result<Schedule> Run(const Problem& problem, const ScheduleContext& context) const override;

 private:
  PsoGaOptions options_;
};

}  // namespace glet::dag
