#include "dag/pso_ga.h"

#include <algorithm>
#include <cmath>

#include "dag/heft.h"
#include "dag/ranks.h"
#include "dag/rng.h"
#include "dag/schedule_builder.h"

namespace glet::dag {

namespace {

using Assignment = std::vector<int>;

// Schedules tasks in `order` on the processors `assignment` gives; returns the end time.
double Decode(const Assignment& assignment, const std::vector<int>& order,
              ScheduleBuilder& builder) {
  builder.Reset();
  double end = 0;
  for (int task : order) {
    Placement p = builder.Earliest(task, assignment[task]);
    builder.Assign(task, p);
    end = std::max(end, p.finish);
  }
  return end;
}

void CrossSegment(Assignment& x, const Assignment& best, Rng& rng) {
  const int n = static_cast<int>(x.size());
  int i = rng.Between(0, n - 1);
  int j = rng.Between(0, n - 1);
  if (i > j) {
    std::swap(i, j);
  }
  std::copy(best.begin() + i, best.begin() + j + 1, x.begin() + i);
}

}  // namespace

Status ValidatePsoGaOptions(const PsoGaOptions& o) {
  if (o.particles < 1) {
    return InvalidArgumentError("--particles: must be >= 1 (got " + std::to_string(o.particles) +
                                ")");
  }
  if (o.iterations < 1) {
    return InvalidArgumentError("--iterations: must be >= 1 (got " + std::to_string(o.iterations) +
                                ")");
  }
  const std::pair<const char*, double> probs[] = {{"w_max", o.w_max},       {"w_min", o.w_min},
                                                  {"c1_start", o.c1_start}, {"c1_end", o.c1_end},
                                                  {"c2_start", o.c2_start}, {"c2_end", o.c2_end}};
  for (const auto& [label, v] : probs) {
    if (!(v >= 0 && v <= 1)) {
      return InvalidArgumentError(std::string("psoga ") + label + ": must be in [0, 1]");
    }
  }
  if (o.w_min > o.w_max) {
    return InvalidArgumentError("psoga w_min: must be <= w_max");
  }
  return Status::Ok();
}

Result<Schedule> PsoGaScheduler::Run(const Problem& problem, const ScheduleContext& context) const {
  GLET_RETURN_IF_ERROR(ValidatePsoGaOptions(options_));
  GLET_ASSIGN_OR_RETURN(ScheduleBuilder builder, ScheduleBuilder::Create(problem, context));
  const Dag& dag = problem.dag;
  const int n = dag.num_tasks();
  if (n == 0) {
    return builder.Build(name());
  }
  const std::vector<int> order = OrderByDecreasing(dag, UpwardRanks(problem));
  std::vector<std::vector<int>> allowed(n);
  for (int t = 0; t < n; ++t) {
    for (int p = 0; p < dag.num_processors(); ++p) {
      if (dag.CanRun(t, p)) {
        allowed[t].push_back(p);
      }
    }
  }
  Rng rng(options_.seed);
  const int num_particles = options_.particles;
  std::vector<Assignment> x(num_particles, Assignment(n));
  for (int i = 0; i < num_particles; ++i) {
    for (int t = 0; t < n; ++t) {
      x[i][t] = allowed[t][rng.Below(allowed[t].size())];
    }
  }
  if (options_.seed_with_heft) {
    GLET_ASSIGN_OR_RETURN(Schedule heft, HeftScheduler().Run(problem, context));
    for (int t = 0; t < n; ++t) {
      x[0][t] = heft.placements[t].processor;
    }
  }
  std::vector<Assignment> pbest = x;
  std::vector<double> pbest_fit(num_particles);
  int gbest = 0;
  for (int i = 0; i < num_particles; ++i) {
    pbest_fit[i] = Decode(x[i], order, builder);
    if (pbest_fit[i] < pbest_fit[gbest]) {
      gbest = i;
    }
  }
  Assignment gbest_x = pbest[gbest];
  double gbest_fit = pbest_fit[gbest];

  const double iters = options_.iterations;
  for (int it = 1; it <= options_.iterations; ++it) {
    const double progress = it / iters;
    const double c1 = options_.c1_start - (options_.c1_start - options_.c1_end) * progress;
    const double c2 = options_.c2_start + (options_.c2_end - options_.c2_start) * progress;
    for (int i = 0; i < num_particles; ++i) {
      Assignment& xi = x[i];
      int differ = 0;
      for (int t = 0; t < n; ++t) {
        differ += xi[t] != gbest_x[t] ? 1 : 0;
      }
      const double d = static_cast<double>(differ) / n;
      const double w =
          options_.w_max - (options_.w_max - options_.w_min) * std::exp(d / (d - 1.01));
      if (rng.Uniform() < w) {
        const int t = static_cast<int>(rng.Below(n));
        if (allowed[t].size() > 1) {
          int p = allowed[t][rng.Below(allowed[t].size() - 1)];
          if (p == xi[t]) {
            p = allowed[t].back();  // the choice skipped the current processor
          }
          xi[t] = p;
        }
      }
      if (rng.Uniform() < c1) {
        CrossSegment(xi, pbest[i], rng);
      }
      if (rng.Uniform() < c2) {
        CrossSegment(xi, gbest_x, rng);
      }
      const double fit = Decode(xi, order, builder);
      if (fit < pbest_fit[i]) {
        pbest_fit[i] = fit;
        pbest[i] = xi;
        if (fit < gbest_fit) {
          gbest_fit = fit;
          gbest_x = xi;
        }
      }
    }
  }
  Decode(gbest_x, order, builder);
  return builder.Build(name());
}

}  // namespace glet::dag
