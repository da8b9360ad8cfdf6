// Closing the loop: plans the planner calls feasible, re-run in the simulator under Poisson
// arrivals at their rates, must reach >= 99% SLO attainment (issue 5). The planner benchmark
// scenarios (resource/rates/scenario*.csv) are planned at their peak on 4 ref-GPUs.
#include <gtest/gtest.h>

#include "client/workload.h"
#include "model/model_spec.h"
#include "perf/device_profile.h"
#include "sched/plan_search.h"
#include "sched/planner_factory.h"
#include "sched/workload.h"
#include "sim/simulator.h"
#include "testing/test_util.h"

namespace glet::sim {
namespace {

const perf::DeviceProfile& Ref() {
  static const perf::DeviceProfile p =
      perf::DeviceProfile::LoadDir(testing::SourcePath("resource/profiles/ref-gpu")).value();
  return p;
}

// SLO attainment of `policy`'s peak plan for `scenario` on `devices` ref-GPUs, 30 s of Poisson
// arrivals at the plan's rates.
double PeakPlanAttainment(const std::string& scenario, const sched::PlannerOptions& options,
                          int devices) {
  sched::Workload w =
      sched::LoadRatesCsv(testing::SourcePath("resource/rates/" + scenario + ".csv")).value();
  auto planner = sched::MakePlanner("glet", options).value();
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
  options.margins.poisson_quantile = 0.99;
  for (const char* scenario : {"scenario1", "scenario2", "scenario3"}) {
    EXPECT_GE(PeakPlanAttainment(scenario, options, 4), 0.99) << scenario;
  }
}

// Open finding (docs/simulator.md, "Closing the loop"): plans made for the mean rate
// (poisson_quantile 0, the planner's default) saturate their glets and miss the 99% bar under
// Poisson arrivals (95-98% for scenarios 1 and 2). Enable once the planner's model accounts
// for arrival variance.
TEST(ClosedLoopTest, DISABLED_PeakPlansAtTheDefaultMarginsReach99Percent) {
  for (const char* scenario : {"scenario1", "scenario2", "scenario3"}) {
    EXPECT_GE(PeakPlanAttainment(scenario, {}, 4), 0.99) << scenario;
  }
}

}  // namespace
}  // namespace glet::sim
