// DAG placement benchmarks (issue 6).
// 1. HEFT, CPOP and PEFT on random DAGs of 10k tasks on 64 processors (goal: HEFT and PEFT
//    under 1 s on one core). Baseline measured in the same process: computing the upward ranks
//    alone (one sweep over the edges), so `x_rank_sweep` says how many rank sweeps a full
//    schedule costs.
// 2. PSO-GA vs HEFT on 100 random DAGs (50 tasks, 4 processors): mean makespan improvement over
//    HEFT, wins/losses, and time per DAG; once with paper-style random initial particles and
//    once with one particle seeded from HEFT.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <functional>

#include "dag/cpop.h"
#include "dag/heft.h"
#include "dag/peft.h"
#include "dag/pso_ga.h"
#include "dag/random_dag.h"
#include "dag/ranks.h"

namespace glet::dag {
namespace {

const Problem& LargeProblem() {
  static const Problem problem = [] {
    RandomDagOptions o;
    o.tasks = 10000;
    o.processors = 64;
    o.seed = 2024;
    o.ccr = 1.0;
    o.beta = 1.0;
    return RandomDag(o);
  }();
  return problem;
}

double SecondsOf(const std::function<void()>& f) {
  auto t0 = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Seconds of one upward-rank sweep on the large DAG (the baseline), best of 5.
double RankSweepSeconds() {
  static const double seconds = [] {
    double best = 1e9;
    for (int i = 0; i < 5; ++i) {
      best =
          std::min(best, SecondsOf([] { benchmark::DoNotOptimize(UpwardRanks(LargeProblem())); }));
    }
    return best;
  }();
  return seconds;
}

void RunLarge(benchmark::State& state, const DagScheduler& scheduler) {
  const Problem& p = LargeProblem();
  double makespan = 0;
  double seconds = 0;
  for (auto _ : state) {
    auto t0 = std::chrono::steady_clock::now();
    auto s = scheduler.Run(p, {});
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!s.ok()) {
      state.SkipWithError(s.status().ToString().c_str());
      return;
    }
    makespan = s->makespan();
    benchmark::DoNotOptimize(makespan);
  }
  state.counters["tasks"] = p.dag.num_tasks();
  state.counters["edges"] = p.dag.num_edges();
  state.counters["procs"] = p.platform.num_processors();
  state.counters["makespan"] = makespan;
  state.counters["x_rank_sweep"] =
      seconds / static_cast<double>(state.iterations()) / RankSweepSeconds();
}

void BM_UpwardRanks_10k_64(benchmark::State& state) {
  for (auto _ : state) {
    benchmark::DoNotOptimize(UpwardRanks(LargeProblem()));
  }
}
void BM_Heft_10k_64(benchmark::State& state) { RunLarge(state, HeftScheduler()); }
void BM_Cpop_10k_64(benchmark::State& state) { RunLarge(state, CpopScheduler()); }
void BM_Peft_10k_64(benchmark::State& state) { RunLarge(state, PeftScheduler()); }

// PSO-GA vs HEFT over 100 random DAGs.
void PsoGaVsHeft(benchmark::State& state, bool seed_with_heft) {
  const int kDags = 100;
  double sum_improvement = 0, heft_s = 0, psoga_s = 0;
  int wins = 0, losses = 0;
  for (auto _ : state) {
    sum_improvement = heft_s = psoga_s = 0;
    wins = losses = 0;
    for (int i = 0; i < kDags; ++i) {
      RandomDagOptions o;
      o.tasks = 50;
      o.processors = 4;
      o.ccr = 1.0;
      o.beta = 1.0;
      o.seed = 1000 + i;
      Problem p = RandomDag(o);
      PsoGaOptions g;
      g.seed = static_cast<uint64_t>(i + 1);
      g.seed_with_heft = seed_with_heft;
      double heft = 0, pso = 0;
      heft_s += SecondsOf([&] { heft = HeftScheduler().Run(p, {})->makespan(); });
      psoga_s += SecondsOf([&] { pso = PsoGaScheduler(g).Run(p, {})->makespan(); });
      sum_improvement += (heft - pso) / heft;
      wins += pso < heft ? 1 : 0;
      losses += pso > heft ? 1 : 0;
    }
  }
  state.counters["dags"] = kDags;
  state.counters["mean_improvement_pct"] = 100.0 * sum_improvement / kDags;
  state.counters["wins"] = wins;
  state.counters["losses"] = losses;
  state.counters["heft_ms_per_dag"] = 1e3 * heft_s / kDags;
  state.counters["psoga_ms_per_dag"] = 1e3 * psoga_s / kDags;
  state.counters["x_heft_time"] = psoga_s / heft_s;
}
void BM_PsoGaVsHeft_100dags_random_init(benchmark::State& state) { PsoGaVsHeft(state, false); }
void BM_PsoGaVsHeft_100dags_heft_seeded(benchmark::State& state) { PsoGaVsHeft(state, true); }

BENCHMARK(BM_UpwardRanks_10k_64)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Heft_10k_64)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_Cpop_10k_64)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_Peft_10k_64)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_PsoGaVsHeft_100dags_random_init)->Unit(benchmark::kSecond)->Iterations(1);
BENCHMARK(BM_PsoGaVsHeft_100dags_heft_seeded)->Unit(benchmark::kSecond)->Iterations(1);

}  // namespace
}  // namespace glet::dag

BENCHMARK_MAIN();
