// Serving at the edges of the plan (issue 13), through the simulator (which runs the frontend's
// batching and admission code): scenario 1 planned on 2 ref-GPUs at its rates; one model is
// then offered k times its planned rate. Its goodput (served within its SLO, per second) must
// stay >= 95% of its planned rate, shed requests must be dropped as such (not served late), and
// every other model must keep >= 99% SLO attainment.
#include <gtest/gtest.h>

#include "client/workload.h"
#include "perf/device_profile.h"
#include "sched/planner_factory.h"
#include "sched/workload.h"
#include "sim/simulator.h"
#include "testing/ref_profile.h"
#include "testing/test_util.h"

namespace glet::sim {
namespace {

const perf::DeviceProfile& Ref() { return testing::RefGpuProfile(); }

struct OverloadRun {
  double planned_rps = 0;
  client::OutcomeCounts overloaded;
  double others_min_attainment = 1;
  client::OutcomeCounts total;
};

OverloadRun RunOverload(const std::string& policy, const std::string& model, double factor) {
  sched::Workload w =
      sched::LoadRatesCsv(testing::SourcePath("resource/rates/scenario1.csv")).value();
  auto planner = sched::MakePlanner(policy, {}).value();
  Result<sched::Plan> plan = planner->MakePlan(w, sched::Fleet{&Ref(), 2}, nullptr);
  EXPECT_TRUE(plan.ok()) << plan.status().message();
  SimInput in;
  in.profile = &Ref();
  in.plan = *plan;
  OverloadRun run;
  client::ClientWorkload cw;
  for (const sched::ModelDemand& d : plan->workload) {
    client::Stream s;
    s.model = d.model;
    s.rate_rps = d.rate_rps;
    if (d.model == model) {
      run.planned_rps = d.rate_rps;
      s.rate_rps *= factor;
    }
    cw.streams.push_back(s);
    in.stream_names.push_back(d.model);
  }
  SimOptions o;
  o.duration_s = 20;
  SimResult r = Simulate(in, ArrivalSource::FromWorkload(cw, 7, o.duration_s), o).value();
  run.total = r.report.total;
  for (const auto& [name, counts] : r.report.per_model) {
    if (name == model) {
      run.overloaded = counts;
    } else {
      run.others_min_attainment = std::min(run.others_min_attainment, counts.slo_attainment);
    }
  }
  return run;
}

TEST(OverloadTest, GoodputHoldsAtTwoAndTenTimesThePlannedRate) {
  for (double factor : {2.0, 10.0}) {
    const OverloadRun run = RunOverload("glet", "resnet50", factor);
    SCOPED_TRACE("resnet50 x" + std::to_string(factor));
    ASSERT_GT(run.planned_rps, 0);
    EXPECT_GE(run.overloaded.goodput_rps, 0.95 * run.planned_rps);
    // What is not served in time is shed, not served late.
    EXPECT_GE(static_cast<double>(run.overloaded.served_in_slo),
              0.99 * static_cast<double>(run.overloaded.served));
    EXPECT_GT(run.overloaded.dropped, 0);
    EXPECT_EQ(run.overloaded.failed, 0);
    EXPECT_GE(run.others_min_attainment, 0.99);
    EXPECT_EQ(run.total.sent, run.total.served + run.total.dropped + run.total.failed);
  }
}

// Every model of the scenario in turn, at 5x, for the time-sharing baseline too: the models
// sharing its glets keep their SLOs.
TEST(OverloadTest, EachModelOverloadedInTurnLeavesTheOthersTheirSlo) {
  for (const char* policy : {"glet", "temporal"}) {
    for (const char* model : {"resnet50", "vgg16", "mobilenet_v2"}) {
      const OverloadRun run = RunOverload(policy, model, 5);
      SCOPED_TRACE(std::string(policy) + " " + model);
      EXPECT_GE(run.overloaded.goodput_rps, 0.95 * run.planned_rps);
      EXPECT_GE(run.others_min_attainment, 0.99);
    }
  }
}

}  // namespace
}  // namespace glet::sim
