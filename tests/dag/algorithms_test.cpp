// Hand-computed schedules for each algorithm on small DAGs (the working is in the comments),
// insertion around existing work, infinite-cost processors, and PSO-GA reproducibility.
#include "dag/algorithms.h"

#include <gtest/gtest.h>

#include "dag/cpop.h"
#include "dag/heft.h"
#include "dag/metrics.h"
#include "dag/peft.h"
#include "dag/pso_ga.h"
#include "dag/random_dag.h"
#include "dag/ranks.h"

namespace glet::dag {
namespace {

Problem Make(std::vector<Task> tasks, std::vector<Edge> edges, int procs) {
  auto dag = Dag::Create(std::move(tasks), std::move(edges), procs, "test");
  EXPECT_TRUE(dag.ok()) << dag.status().ToString();
  return Problem{"test", std::move(dag).value(), Platform::Uniform(procs)};
}

Schedule RunChecked(const DagScheduler& s, const Problem& p, const ScheduleContext& c = {}) {
  auto r = s.Run(p, c);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  Status check = CheckSchedule(p, c, *r);
  EXPECT_TRUE(check.ok()) << check.ToString();
  return std::move(r).value();
}

// Fork a -> {b, c}, data 2, bandwidth 1, two processors.
// Mean costs: a 3, b 3, c 3; rank_u: b 3, c 3, a 3 + 2 + 3 = 8; order a, b, c.
// a: EFT P0 2, P1 4 -> P0 [0, 2]. b: P0 [2, 5], P1 ready 4 -> [4, 7] -> P0.
// c: P0 after b [5, 9], P1 [4, 6] -> P1. Makespan 6.
Problem Fork() {
  return Make({{"a", {2, 4}}, {"b", {3, 3}}, {"c", {4, 2}}}, {{0, 1, 2}, {0, 2, 2}}, 2);
}

TEST(HeftTest, HandComputedFork) {
  Problem p = Fork();
  EXPECT_EQ(UpwardRanks(p), (std::vector<double>{8, 3, 3}));
  Schedule s = RunChecked(HeftScheduler(), p);
  EXPECT_EQ(s.placements[0].processor, 0);
  EXPECT_EQ(s.placements[1].processor, 0);
  EXPECT_DOUBLE_EQ(s.placements[1].start, 2);
  EXPECT_EQ(s.placements[2].processor, 1);
  EXPECT_DOUBLE_EQ(s.placements[2].start, 4);
  EXPECT_DOUBLE_EQ(s.makespan(), 6);
}

// HEFT fills an idle gap left by communication. x and z run only on P0, y only on P1; y feeds z
// with data 5, x feeds z with data 0.5; w (cost 2, P0 only) is independent.
// rank_u: z 3, w 2, x 1 + 0.5 + 3 = 4.5, y 1 + 5 + 3 = 9; order y, x, z, w.
// y P1 [0, 1]; x P0 [0, 1]; z ready at max(1 + 0, 1 + 5) = 6 -> P0 [6, 9];
// w, scheduled last, goes into the gap [1, 6) -> [1, 3]. Makespan 9.
TEST(HeftTest, InsertsIntoGapLeftByCommunication) {
  Problem p =
      Make({{"x", {1, kInfCost}}, {"y", {kInfCost, 1}}, {"z", {3, kInfCost}}, {"w", {2, kInfCost}}},
           {{0, 2, 0.5}, {1, 2, 5}}, 2);
  EXPECT_EQ(UpwardRanks(p), (std::vector<double>{4.5, 9, 3, 2}));
  Schedule s = RunChecked(HeftScheduler(), p);
  EXPECT_DOUBLE_EQ(s.placements[2].start, 6);
  EXPECT_EQ(s.placements[3].processor, 0);
  EXPECT_DOUBLE_EQ(s.placements[3].start, 1);
  EXPECT_DOUBLE_EQ(s.makespan(), 9);
}

// Chain a -> b (data 1). a costs [1, 10], b [10, 1].
// HEFT: a on P0 [0, 1]; b on P1 ready 1 + 1 = 2 -> [2, 3]; makespan 3.
// CPOP: priorities a = b = 12.5 (= |CP|), CP = {a, b}; summed cost 11 on both processors ->
// P0 (lowest index); both on P0: a [0, 1], b [1, 11]; makespan 11.
TEST(CpopTest, HandComputedChainStaysOnCriticalPathProcessor) {
  Problem p = Make({{"a", {1, 10}}, {"b", {10, 1}}}, {{0, 1, 1}}, 2);
  EXPECT_DOUBLE_EQ(RunChecked(HeftScheduler(), p).makespan(), 3);
  Schedule s = RunChecked(CpopScheduler(), p);
  EXPECT_EQ(s.placements[0].processor, 0);
  EXPECT_EQ(s.placements[1].processor, 0);
  EXPECT_DOUBLE_EQ(s.makespan(), 11);
}

// CPOP places tasks off the critical path by earliest finish: the fork's critical path is
// a -> b (priorities all 8, lowest index), on P0 (2 + 3 < 4 + 3); c goes to P1 [4, 6].
TEST(CpopTest, HandComputedFork) {
  Schedule s = RunChecked(CpopScheduler(), Fork());
  EXPECT_EQ(s.placements[0].processor, 0);
  EXPECT_EQ(s.placements[1].processor, 0);
  EXPECT_EQ(s.placements[2].processor, 1);
  EXPECT_DOUBLE_EQ(s.makespan(), 6);
}

// Chain a -> b (data 5). a costs [1, 2], b [10, 1].
// OCT(a, P0) = min(10 + 0, 1 + 5) = 6; OCT(a, P1) = min(10 + 5, 1 + 0) = 1.
// O_EFT(a): P0 1 + 6 = 7, P1 2 + 1 = 3 -> P1 [0, 2]; b on P1 [2, 3]; makespan 3.
// HEFT puts a on P0 (EFT 1) and then b on P1 at 1 + 5: makespan 7.
TEST(PeftTest, HandComputedLookAhead) {
  Problem p = Make({{"a", {1, 2}}, {"b", {10, 1}}}, {{0, 1, 5}}, 2);
  EXPECT_EQ(PeftScheduler::OptimisticCostTable(p), (std::vector<double>{6, 1, 0, 0}));
  Schedule s = RunChecked(PeftScheduler(), p);
  EXPECT_EQ(s.placements[0].processor, 1);
  EXPECT_DOUBLE_EQ(s.makespan(), 3);
  EXPECT_DOUBLE_EQ(RunChecked(HeftScheduler(), p).makespan(), 7);
}

// Two independent tasks, two processors: PSO-GA finds the optimum (one per processor, 3).
TEST(PsoGaTest, HandComputedIndependentTasks) {
  Problem p = Make({{"a", {3, 3}}, {"b", {3, 3}}}, {}, 2);
  PsoGaOptions o;
  o.particles = 10;
  o.iterations = 20;
  Schedule s = RunChecked(PsoGaScheduler(o), p);
  EXPECT_DOUBLE_EQ(s.makespan(), 3);
  EXPECT_NE(s.placements[0].processor, s.placements[1].processor);
}

TEST(PsoGaTest, SameSeedSameScheduleAndHeftSeedNeverWorse) {
  RandomDagOptions r;
  r.tasks = 40;
  r.processors = 4;
  r.seed = 7;
  Problem p = RandomDag(r);
  PsoGaOptions o;
  o.seed = 42;
  o.particles = 20;
  o.iterations = 30;
  Schedule a = RunChecked(PsoGaScheduler(o), p);
  Schedule b = RunChecked(PsoGaScheduler(o), p);
  ASSERT_EQ(a.placements.size(), b.placements.size());
  for (size_t t = 0; t < a.placements.size(); ++t) {
    EXPECT_EQ(a.placements[t].processor, b.placements[t].processor);
    EXPECT_EQ(a.placements[t].start, b.placements[t].start);
  }
  o.seed_with_heft = true;
  Schedule seeded = RunChecked(PsoGaScheduler(o), p);
  EXPECT_LE(seeded.makespan(), RunChecked(HeftScheduler(), p).makespan());
}

TEST(PsoGaTest, BadOptionsNameTheOption) {
  PsoGaOptions o;
  o.particles = 0;
  auto s = MakeScheduler("psoga", o);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().message(), "--particles: must be >= 1 (got 0)");
}

TEST(AlgorithmsTest, UnknownAlgorithmNamesTheFlag) {
  auto s = MakeScheduler("fifo", PsoGaOptions{});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().message(),
            "--algo: unknown algorithm 'fifo' (known: heft, cpop, peft, psoga, all)");
}

// Every algorithm, on random DAGs where a third of the (task, processor) pairs are infinite:
// schedules are feasible (CheckSchedule) and never use an infinite-cost processor.
TEST(AlgorithmsTest, InfiniteCostProcessorsAreNeverChosen) {
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    RandomDagOptions r;
    r.tasks = 60;
    r.processors = 5;
    r.seed = seed;
    Problem base = RandomDag(r);
    std::vector<Task> tasks = base.dag.tasks();
    for (size_t t = 0; t < tasks.size(); ++t) {
      for (int q = 0; q < r.processors; ++q) {
        if ((t * 7 + q * 3 + seed) % 3 == 0 && q != static_cast<int>(t % r.processors)) {
          tasks[t].cost[q] = kInfCost;
        }
      }
    }
    Problem p = Make(tasks, base.dag.edges(), r.processors);
    PsoGaOptions o;
    o.particles = 10;
    o.iterations = 10;
    for (const std::string& name : AlgorithmNames()) {
      auto s = MakeScheduler(name, o);
      ASSERT_TRUE(s.ok());
      Schedule sched = RunChecked(**s, p);
      for (int t = 0; t < p.dag.num_tasks(); ++t) {
        EXPECT_TRUE(p.dag.CanRun(t, sched.placements[t].processor)) << name << " task " << t;
      }
    }
  }
}

// Infinite costs are left out of the mean: rank_u(a) = mean(2) + 0 = 2, not inf.
TEST(AlgorithmsTest, InfiniteCostsLeftOutOfRanks) {
  Problem p = Make({{"a", {2, kInfCost}}}, {}, 2);
  EXPECT_EQ(UpwardRanks(p), (std::vector<double>{2}));
  EXPECT_DOUBLE_EQ(RunChecked(HeftScheduler(), p).makespan(), 2);
}

// Scheduling on top of an existing schedule: every algorithm keeps clear of the busy work,
// starts no task before the start time, and may use the gaps.
TEST(AlgorithmsTest, SchedulesAroundExistingWorkFromStartTime) {
  Problem p = Fork();
  ScheduleContext c;
  c.start_time = 1;
  c.busy = {{{0, 3, "old0"}, {10, 12, "old1"}}, {{0, 20, "old2"}}};
  PsoGaOptions o;
  o.particles = 5;
  o.iterations = 5;
  for (const std::string& name : AlgorithmNames()) {
    auto s = MakeScheduler(name, o);
    ASSERT_TRUE(s.ok());
    Schedule sched = RunChecked(**s, p, c);
    EXPECT_DOUBLE_EQ(sched.start_time, 1);
    EXPECT_GE(sched.placements[0].start, 1);
  }
  // HEFT: a on P0 [3, 5]; b [5, 8] fits the gap before 10; c on P0 [12, 16] (P1 busy to 20).
  Schedule h = RunChecked(HeftScheduler(), p, c);
  EXPECT_DOUBLE_EQ(h.placements[0].start, 3);
  EXPECT_DOUBLE_EQ(h.placements[1].start, 5);
  EXPECT_DOUBLE_EQ(h.placements[2].start, 12);
  EXPECT_DOUBLE_EQ(h.end_time(), 16);
  EXPECT_DOUBLE_EQ(h.makespan(), 15);
}

TEST(AlgorithmsTest, MalformedContextIsAnError) {
  ScheduleContext c;
  c.busy = {{{0, 5, "x"}, {4, 6, "y"}}, {}};
  auto s = HeftScheduler().Run(Fork(), c);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().message(), "existing schedule: processor P_0: 'y': overlaps 'x'");
  c.busy = {{}};
  EXPECT_EQ(HeftScheduler().Run(Fork(), c).status().code(), StatusCode::kInvalidArgument);
}

TEST(MetricsTest, SlrAndSpeedupOfHandComputedFork) {
  Problem p = Fork();
  Schedule s = RunChecked(HeftScheduler(), p);
  // CP_MIN: a (2) -> b (3) = 5; sequential: P0 2 + 3 + 4 = 9, P1 4 + 3 + 2 = 9.
  EXPECT_DOUBLE_EQ(CriticalPathMinCost(p.dag), 5);
  EXPECT_DOUBLE_EQ(ScheduleLengthRatio(p, s), 6.0 / 5);
  EXPECT_DOUBLE_EQ(Speedup(p, s), 9.0 / 6);
}

TEST(MetricsTest, CheckScheduleFindsOverlapAndEarlyStart) {
  Problem p = Fork();
  Schedule s = RunChecked(HeftScheduler(), p);
  Schedule bad = s;
  bad.placements[2] = Placement{0, 3, 7};  // overlaps b on P0
  EXPECT_EQ(CheckSchedule(p, {}, bad).code(), StatusCode::kInternal);
  bad = s;
  bad.placements[2] = Placement{1, 3, 5};  // data from a arrives at 4
  EXPECT_EQ(CheckSchedule(p, {}, bad).code(), StatusCode::kInternal);
}

}  // namespace
}  // namespace glet::dag
