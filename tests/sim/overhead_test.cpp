// The serving overhead (SimOptions::overhead): per request (client <-> frontend) and per batch
// (frontend -> glet dispatch), each fixed + per MiB of input, and the lane wake-up latency,
// hand-computed on one glet.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "sim/simulator.h"

namespace glet::sim {
namespace {

using ::testing::HasSubstr;

// Models "m" and "n" with L(k) = 10k ms at partition 100; m's input is 1 MiB per request.
perf::DeviceProfile Profile() {
  std::vector<perf::LatencyRow> rows;
  for (const char* model : {"m", "n"}) {
    for (int k = 1; k <= 4; ++k) {
      rows.push_back({model, 100, k, 10.0 * k});
    }
  }
  perf::DeviceProfile profile;
  profile.type = "test-gpu";
  profile.latency = perf::LatencyProfile::FromRows(rows, "test").value();
  profile.input_bytes["m"] = 1024 * 1024;
  return profile;
}

// One glet serving `models` (each with batch `batch`) with duty `duty_ms`; SLO `slo_ms` each.
sched::Plan OneGlet(const std::vector<std::string>& models, int batch, double duty_ms,
                    double slo_ms) {
  sched::Plan plan;
  sched::PlannedDevice dev;
  dev.type = "test-gpu";
  sched::PlannedGlet g;
  g.partition = 100;
  g.duty_ms = duty_ms;
  for (const std::string& name : models) {
    sched::PlannedModel m;
    m.model = name;
    m.batch = batch;
    m.rate_rps = 10;
    g.models.push_back(m);
    plan.workload.push_back({name, 10, slo_ms, 32});
  }
  dev.glets.push_back(g);
  plan.devices.push_back(dev);
  return plan;
}

Result<SimResult> SimulateWith(const sched::Plan& plan, std::vector<std::string> streams,
                               std::vector<client::Arrival> arrivals, ServingOverhead overhead,
                               bool shed = true, int in_flight = 2) {
  static const perf::DeviceProfile profile = Profile();
  SimInput in;
  in.profile = &profile;
  in.plan = plan;
  in.stream_names = std::move(streams);
  SimOptions o;
  o.work_conserving = false;  // hand-computed with the planned batching
  o.shed = shed;
  o.duration_s = 1;
  o.keep_records = true;
  o.overhead = overhead;
  o.max_batches_in_flight = in_flight;
  return Simulate(in, ArrivalSource::FromList(std::move(arrivals)), o);
}

TEST(ServingOverheadTest, RequestOverheadIsAddedToWhatTheClientSees) {
  // b = 1, L = 10 ms, SLO 12 ms: served in 10 ms, or in 13 ms (out of SLO) with 3 ms per request.
  const sched::Plan plan = OneGlet({"n"}, 1, 10, 12);
  Result<SimResult> ideal = SimulateWith(plan, {"n"}, {{0.0, 0}, {0.1, 0}}, {});
  ASSERT_TRUE(ideal.ok()) << ideal.status().message();
  EXPECT_NEAR(ideal->records[1].latency_ms(), 10, 1e-6);
  EXPECT_DOUBLE_EQ(ideal->report.total.slo_attainment, 1);
  Result<SimResult> r = SimulateWith(plan, {"n"}, {{0.0, 0}, {0.1, 0}}, {.request_ms = 3});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_NEAR(r->records[0].latency_ms(), 13, 1e-6);
  EXPECT_NEAR(r->records[1].done_ms, 113, 1e-6);
  EXPECT_EQ(r->report.total.served, 2);
  EXPECT_EQ(r->report.total.served_in_slo, 0);
  EXPECT_NEAR(r->report.total.p99_ms, 13, 1e-6);
  EXPECT_NEAR(r->end_s, 0.113, 1e-9);
  // The glet's busy time is its execution only.
  EXPECT_NEAR(r->devices[0].busy_pct, 100 * 0.020, 1e-6);
  // Per MiB of the request's input: m sends 1 MiB, so 1 + 2 x 1 ms.
  r = SimulateWith(OneGlet({"m"}, 1, 10, 12), {"m"}, {{0.0, 0}},
                   {.request_ms = 1, .request_ms_per_mib = 2});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_NEAR(r->records[0].latency_ms(), 13, 1e-6);
}

TEST(ServingOverheadTest, AppRequestPaysForTheInputsOfItsRootStages) {
  // Chain a (model m, reads the app input "in", 1 MiB) -> b (model n): 10 + 10 ms on one glet,
  // plus 1 + 2 x 1 ms for the request.
  static const perf::DeviceProfile profile = Profile();
  model::AppSpec app;
  app.name = "chain";
  app.slo_ms = 100;
  app.stages = {{"a", "m", {"in"}, 0, 1.0}, {"b", "n", {"a"}, 0, 1.0}};
  app.outputs = {"b"};
  SimInput in;
  in.profile = &profile;
  in.plan = OneGlet({"m", "n"}, 1, 20, 100);
  in.apps = {app};
  in.stream_names = {"chain"};
  SimOptions o;
  o.work_conserving = false;  // hand-computed with the planned batching
  o.duration_s = 1;
  o.keep_records = true;
  o.overhead = {.request_ms = 1, .request_ms_per_mib = 2};
  Result<SimResult> r = Simulate(in, ArrivalSource::FromList({{0.0, 0}}), o);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->records.size(), 1u);
  EXPECT_NEAR(r->records[0].latency_ms(), 23, 1e-6);
}

TEST(ServingOverheadTest, BatchOverheadHoldsALaneSlotButNotTheGlet) {
  // b = 1, L = 10, 4 ms per batch, arrivals at 0 and 5. The first reaches the glet at 4 and is
  // done at 14. With one batch in flight per lane the second is dispatched only then and runs
  // 18..28; with two (the frontend's default) it is dispatched at 5, reaches the glet at 9 and
  // runs when the glet is free, 14..24: the dispatch overlaps the first batch's execution.
  const sched::Plan plan = OneGlet({"n"}, 1, 10, 100);
  Result<SimResult> r =
      SimulateWith(plan, {"n"}, {{0.0, 0}, {0.005, 0}}, {.batch_ms = 4}, /*shed=*/true,
                   /*in_flight=*/1);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_NEAR(r->records[0].done_ms, 14, 1e-6);
  EXPECT_NEAR(r->records[1].done_ms, 28, 1e-6);
  EXPECT_NEAR(r->devices[0].busy_pct, 100 * 0.020, 1e-6);
  r = SimulateWith(plan, {"n"}, {{0.0, 0}, {0.005, 0}}, {.batch_ms = 4}, /*shed=*/true,
                   /*in_flight=*/2);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_NEAR(r->records[0].done_ms, 14, 1e-6);
  EXPECT_NEAR(r->records[1].done_ms, 24, 1e-6);
}

TEST(ServingOverheadTest, BatchOverheadGrowsWithTheBatchInput) {
  // m: 1 MiB per request, b = 4, four arrivals at 0: one full batch of 4 MiB, overhead
  // 1 + 4 x 2 = 9 ms, then L(4) = 40 ms.
  const sched::Plan plan = OneGlet({"m"}, 4, 40, 100);
  Result<SimResult> r = SimulateWith(plan, {"m"}, {{0.0, 0}, {0.0, 0}, {0.0, 0}, {0.0, 0}},
                                     {.batch_ms = 1, .batch_ms_per_mib = 2});
  ASSERT_TRUE(r.ok()) << r.status().message();
  for (const client::RequestRecord& rec : r->records) {
    EXPECT_NEAR(rec.latency_ms(), 49, 1e-6);
  }
  // n has no input size in the profile: only the fixed part.
  const sched::Plan n_plan = OneGlet({"n"}, 4, 40, 100);
  r = SimulateWith(n_plan, {"n"}, {{0.0, 0}, {0.0, 0}, {0.0, 0}, {0.0, 0}},
                   {.batch_ms = 1, .batch_ms_per_mib = 2});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_NEAR(r->records[0].latency_ms(), 41, 1e-6);
}

TEST(ServingOverheadTest, TimeSharedGletOverlapsDispatchWithExecution) {
  // m and n (b = 1, L = 10) share a glet and arrive at 0; both batches reach the glet at 4: m runs
  // 4..14, n 14..24. n's SLO is 12: it starts at 14, after its deadline, but like the proxy the
  // glet counts only the 10 ms it waited there against the 12 ms the frontend sent: it runs.
  // (Without shedding: the frontend would shed n at arrival, behind m's batch.)
  const sched::Plan plan = OneGlet({"m", "n"}, 1, 20, 12);
  Result<SimResult> r = SimulateWith(plan, {"m", "n"}, {{0.0, 0}, {0.0, 1}}, {.batch_ms = 4},
                                     /*shed=*/false);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->records.size(), 2u);
  EXPECT_EQ(r->records[1].outcome, serve::RequestOutcome::kServed);
  EXPECT_NEAR(r->records[0].done_ms, 14, 1e-6);
  EXPECT_NEAR(r->records[1].done_ms, 24, 1e-6);
}

TEST(ServingOverheadTest, LaneWakeUpDelaysEveryDecisionOfAnIdleLane) {
  // n: b = 2, L(k) = 10k, duty 50, SLO 100; one request at 0 is cut by the duty cycle at 50 and
  // done at 60; with a 3 ms wake-up the lane decides at 3 (not due yet) and at 53.
  Result<SimResult> r =
      SimulateWith(OneGlet({"n"}, 2, 50, 100), {"n"}, {{0.0, 0}}, {.wakeup_ms = 3});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_NEAR(r->records[0].done_ms, 63, 1e-6);
  // SLO 25: the deadline trigger cuts a lone request at 25 - L(2) = 5 (done at 15), leaving
  // L(2) - L(1) = 10 ms of room for a late wake-up: 12 ms still makes it (done at 22), 16 ms
  // finds it hopeless (16 + 10 > 25).
  const sched::Plan tight = OneGlet({"n"}, 2, 100, 25);
  r = SimulateWith(tight, {"n"}, {{0.0, 0}}, {});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_NEAR(r->records[0].done_ms, 15, 1e-6);
  r = SimulateWith(tight, {"n"}, {{0.0, 0}}, {.wakeup_ms = 12});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_NEAR(r->records[0].done_ms, 22, 1e-6);
  r = SimulateWith(tight, {"n"}, {{0.0, 0}}, {.wakeup_ms = 16});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->records[0].outcome, serve::RequestOutcome::kDropped);
  EXPECT_EQ(r->records[0].reason, "slo_unreachable");
}

TEST(ServingOverheadTest, NegativeOrNonFiniteOverheadIsInvalidArgumentNamingTheFlag) {
  const sched::Plan plan = OneGlet({"n"}, 1, 10, 100);
  Result<SimResult> r = SimulateWith(plan, {"n"}, {{0.0, 0}}, {.request_ms = -1});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("--request-overhead-ms"));
  r = SimulateWith(plan, {"n"}, {{0.0, 0}}, {.batch_ms_per_mib = std::nan("")});
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("--batch-overhead-ms-per-mib"));
  r = SimulateWith(plan, {"n"}, {{0.0, 0}}, {.request_ms_per_mib = -0.5});
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("--request-overhead-ms-per-mib"));
  r = SimulateWith(plan, {"n"}, {{0.0, 0}}, {.wakeup_ms = -2});
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("--wakeup-ms"));
}

}  // namespace
}  // namespace glet::sim
