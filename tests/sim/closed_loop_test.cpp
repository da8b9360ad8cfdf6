// Closing the loop: plans the planner calls feasible, re-run in the simulator under Poisson
// arrivals at their rates, must reach >= 99% SLO attainment (issue 5). The planner benchmark
// scenarios (resource/rates/scenario*.csv) are planned at their peak on 2 and 4 ref-GPUs.
#include <gtest/gtest.h>

#include "client/workload.h"
#include "model/model_spec.h"
#include "perf/device_profile.h"
#include "sched/plan_search.h"
#include "sched/planner_factory.h"
#include "sched/workload.h"
#include "sim/simulator.h"
#include "testing/ref_profile.h"
#include "testing/test_util.h"

namespace glet::sim {
namespace {

const perf::DeviceProfile& Ref() { return testing::RefGpuProfile(); }

// SLO attainment of `policy`'s peak plan for `scenario` on `devices` ref-GPUs, 30 s of Poisson
// arrivals at the plan's rates.
double PeakPlanAttainment(const std::string& scenario, const sched::PlannerOptions& options,
                          int devices, const std::string& policy = "glet") {
  sched::Workload w =
      sched::LoadRatesCsv(testing::SourcePath("resource/rates/" + scenario + ".csv")).value();
  auto planner = sched::MakePlanner(policy, options).value();
  auto peak = sched::FindPeakScale(*planner, w, sched::Fleet{&Ref(), devices}).value();
  SimInput in;
  in.profile = &Ref();
  in.plan = peak.plan;
  client::ClientWorkload cw;
  for (const sched::ModelDemand& d : peak.plan.workload) {
    client::Stream s;
    s.model = d.model;
    s.rate_rps = d.rate_rps;
    cw.streams.push_back(s);
    in.stream_names.push_back(d.model);
  }
  SimOptions o;
  o.duration_s = 30;
  SimResult r = Simulate(in, ArrivalSource::FromWorkload(cw, 1, o.duration_s), o).value();
  EXPECT_EQ(r.report.total.sent,
            r.report.total.served + r.report.total.dropped + r.report.total.failed);
  return r.report.total.slo_attainment;
}

TEST(ClosedLoopTest, PeakPlansWithPoissonMarginReach99Percent) {
  sched::PlannerOptions options;
  options.margins.burst_miss = 0;
  options.margins.poisson_quantile = 0.99;
  for (const char* scenario : {"scenario1", "scenario2", "scenario3"}) {
    EXPECT_GE(PeakPlanAttainment(scenario, options, 4), 0.99) << scenario;
  }
}

// The planner's default margins include the burst model (SafetyMargins::burst_miss): every peak
// plan must keep 99% under Poisson arrivals on 2 and 4 devices, for glet and the baselines.
TEST(ClosedLoopTest, PeakPlansAtTheDefaultMarginsReach99Percent) {
  for (const char* scenario : {"scenario1", "scenario2", "scenario3"}) {
    for (int devices : {2, 4}) {
      EXPECT_GE(PeakPlanAttainment(scenario, {}, devices), 0.99) << scenario << " x" << devices;
    }
    for (const char* baseline : {"temporal", "greedy-split"}) {
      EXPECT_GE(PeakPlanAttainment(scenario, {}, 2, baseline), 0.99) << scenario << " " << baseline;
    }
  }
}

// Without any burst margin (the planner's model before burst_miss) saturated glets have no room
// for Poisson bursts: the same check fails. Guards the test above against passing vacuously.
TEST(ClosedLoopTest, MeanRatePlansMissUnderPoissonArrivals) {
  sched::PlannerOptions options;
  options.margins.burst_miss = 0;
  EXPECT_LT(PeakPlanAttainment("scenario2", options, 2), 0.99);
}

}  // namespace
}  // namespace glet::sim
