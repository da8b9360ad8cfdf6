// Hand-computed small cases: one glet, deterministic uniform arrivals, exact counts and latencies.
#include "sim/simulator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include "client/arrival_schedule.h"

namespace glet::sim {
namespace {

using ::testing::DoubleNear;
using ::testing::HasSubstr;

// Model "m" (and "n") with latency L(k) = per_item_ms * k at partitions 50 and 100.
perf::DeviceProfile LinearProfile(double per_item_ms, int max_batch = 8) {
  std::vector<perf::LatencyRow> rows;
  for (const char* model : {"m", "n"}) {
    for (int p : {50, 100}) {
      for (int k = 1; k <= max_batch; ++k) {
        rows.push_back({model, p, k, per_item_ms * k});
      }
    }
  }
  perf::DeviceProfile profile;
  profile.type = "test-gpu";
  profile.latency = perf::LatencyProfile::FromRows(rows, "test").value();
  return profile;
}

sched::PlannedModel Planned(const std::string& model, int batch, double rate_rps) {
  sched::PlannedModel m;
  m.model = model;
  m.batch = batch;
  m.rate_rps = rate_rps;
  return m;
}

sched::Plan OneGletPlan(const std::vector<sched::PlannedModel>& models, double duty_ms,
                        double slo_ms, int partition = 100) {
  sched::Plan plan;
  plan.policy = "test";
  sched::PlannedDevice dev;
  dev.id = 0;
  dev.type = "test-gpu";
  sched::PlannedGlet g;
  g.partition = partition;
  g.duty_ms = duty_ms;
  g.models = models;
  dev.glets.push_back(g);
  plan.devices.push_back(dev);
  for (const sched::PlannedModel& m : models) {
    plan.workload.push_back({m.model, m.rate_rps, slo_ms, 32});
  }
  return plan;
}

// Arrivals every `gap_ms` from 0 for `count` requests, to stream 0.
ArrivalSource Uniform(double gap_ms, int count, int stream = 0) {
  std::vector<client::Arrival> a;
  for (int i = 0; i < count; ++i) {
    a.push_back({i * gap_ms / 1000.0, stream});
  }
  return ArrivalSource::FromList(std::move(a));
}

SimOptions Exact(double duration_s) {
  SimOptions o;
  // Hand-computed cases of the planned batching (batch size, duty cycle, deadlines): the
  // idle trigger, which cuts at once, has its own tests (IdleGletRunsALoneRequestAtOnce).
  o.work_conserving = false;
  o.duration_s = duration_s;
  o.keep_records = true;
  return o;
}

TEST(SimulatorTest, FullBatchesOfFourEveryFortyMs) {
  // b = 4, duty 40 ms, L(k) = 5k ms, SLO 100 ms, one request every 10 ms. Arrivals a, a+10,
  // a+20, a+30 fill a batch at a+30 (full), which runs 20 ms: latencies 50, 40, 30, 20.
  perf::DeviceProfile profile = LinearProfile(5);
  SimInput in;
  in.profile = &profile;
  in.plan = OneGletPlan({Planned("m", 4, 100)}, 40, 100);
  in.stream_names = {"m"};
  Result<SimResult> r = Simulate(in, Uniform(10, 100), Exact(1.0));
  ASSERT_TRUE(r.ok()) << r.status().message();
  const client::OutcomeCounts& t = r->report.total;
  EXPECT_EQ(t.sent, 100);
  EXPECT_EQ(t.served, 100);
  EXPECT_EQ(t.dropped, 0);
  EXPECT_EQ(t.served_in_slo, 100);
  EXPECT_DOUBLE_EQ(t.slo_attainment, 1.0);
  EXPECT_NEAR(t.p50_ms, 30, 1e-6);
  EXPECT_NEAR(t.p99_ms, 50, 1e-6);
  EXPECT_NEAR(t.mean_ms, 35, 1e-6);
  EXPECT_NEAR(t.max_ms, 50, 1e-6);
  EXPECT_NEAR(t.goodput_rps, 100, 1e-9);
  ASSERT_EQ(r->records.size(), 100u);
  for (int i = 0; i < 100; ++i) {
    EXPECT_NEAR(r->records[i].latency_ms(), 50 - 10 * (i % 4), 1e-6) << "request " << i;
  }
  // 25 batches of 20 ms on the whole device over 1 s: 50% busy.
  ASSERT_EQ(r->devices.size(), 1u);
  EXPECT_NEAR(r->devices[0].busy_pct, 50, 1e-6);
  EXPECT_NEAR(r->end_s, 0.99 + 0.02, 1e-9);
}

// Work-conserving batching (the default): a lone request on an idle glet runs at once, instead of
// waiting for the duty cycle; at the same load the planned batching makes it wait.
TEST(SimulatorTest, IdleGletRunsALoneRequestAtOnce) {
  perf::DeviceProfile profile = LinearProfile(5);
  SimInput in;
  in.profile = &profile;
  in.plan = OneGletPlan({Planned("m", 4, 50)}, 40, 200);
  in.stream_names = {"m"};
  SimOptions o = Exact(1.0);
  o.work_conserving = true;
  Result<SimResult> r = Simulate(in, Uniform(100, 5), o);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->records.size(), 5u);
  for (const client::RequestRecord& rec : r->records) {
    EXPECT_NEAR(rec.latency_ms(), 5, 1e-6);  // L(1)
  }
  o.work_conserving = false;
  r = Simulate(in, Uniform(100, 5), o);
  ASSERT_TRUE(r.ok()) << r.status().message();
  for (const client::RequestRecord& rec : r->records) {
    EXPECT_NEAR(rec.latency_ms(), 45, 1e-6);  // the duty cycle (40), then L(1)
  }
}

TEST(SimulatorTest, DutyCycleCutsPartialBatches) {
  // One request every 20 ms, b = 4, duty 40 ms, L(k) = 5k, SLO 200 ms: the batch of the two
  // arrivals a, a+20 is cut by the duty cycle at a+40 (the next arrival, same instant, comes
  // after the wake-up only if it arrives later: arrivals go first, so the batch has 3 items).
  perf::DeviceProfile profile = LinearProfile(5);
  SimInput in;
  in.profile = &profile;
  in.plan = OneGletPlan({Planned("m", 4, 50)}, 40, 200);
  in.stream_names = {"m"};
  Result<SimResult> r = Simulate(in, Uniform(20, 3), Exact(1.0));
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->records.size(), 3u);
  // Arrivals 0, 20, 40; cycle due at 40 together with the third arrival: one batch of 3 at 40,
  // done at 55.
  EXPECT_NEAR(r->records[0].done_ms, 55, 1e-6);
  EXPECT_NEAR(r->records[1].done_ms, 55, 1e-6);
  EXPECT_NEAR(r->records[2].done_ms, 55, 1e-6);
}

TEST(SimulatorTest, DropsWhatCannotMeetItsDeadline) {
  // b = 1, L(1) = 15 ms, one request every 10 ms, SLO 20 ms, one batch in flight per lane.
  // Period of 30 ms: a served in 15, a+10 served in 20 (queued behind it), a+20 shed at its
  // arrival: behind a+10 it would end at a+45 > a+40 (overloaded, before it costs device time).
  perf::DeviceProfile profile = LinearProfile(15);
  SimInput in;
  in.profile = &profile;
  in.plan = OneGletPlan({Planned("m", 1, 66)}, 15, 20);
  in.stream_names = {"m"};
  SimOptions one = Exact(0.3);
  one.max_batches_in_flight = 1;
  Result<SimResult> r = Simulate(in, Uniform(10, 30), one);
  ASSERT_TRUE(r.ok()) << r.status().message();
  const client::OutcomeCounts& t = r->report.total;
  EXPECT_EQ(t.sent, 30);
  EXPECT_EQ(t.served, 20);
  EXPECT_EQ(t.dropped, 10);
  EXPECT_EQ(t.dropped_by_reason.at("overloaded"), 10);
  EXPECT_EQ(t.served_in_slo, 20);
  EXPECT_NEAR(t.slo_attainment, 20.0 / 30.0, 1e-12);
  for (int i = 0; i < 30; ++i) {
    const client::RequestRecord& rec = r->records[i];
    if (i % 3 == 2) {
      EXPECT_EQ(rec.outcome, serve::RequestOutcome::kDropped) << i;
      EXPECT_EQ(rec.reason, "overloaded");
    } else {
      EXPECT_EQ(rec.outcome, serve::RequestOutcome::kServed) << i;
      EXPECT_NEAR(rec.latency_ms(), i % 3 == 0 ? 15 : 20, 1e-6) << i;
    }
  }
}

TEST(SimulatorTest, SecondBatchInFlightIsSentWhileTheFirstRuns) {
  // As above with the frontend's default of two batches in flight per lane: without shedding,
  // a+20 is cut at a+20 while a+10 still runs (a slot is free), waits at the glet until a+30
  // and is served late (latency 25); with it (the default), it is shed at arrival instead.
  perf::DeviceProfile profile = LinearProfile(15);
  SimInput in;
  in.profile = &profile;
  in.plan = OneGletPlan({Planned("m", 1, 66)}, 15, 20);
  in.stream_names = {"m"};
  SimOptions two = Exact(0.3);
  ASSERT_EQ(two.max_batches_in_flight, 2);
  Result<SimResult> r = Simulate(in, Uniform(10, 3), two);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->records.size(), 3u);
  EXPECT_NEAR(r->records[0].latency_ms(), 15, 1e-6);
  EXPECT_NEAR(r->records[1].latency_ms(), 20, 1e-6);
  EXPECT_EQ(r->records[2].outcome, serve::RequestOutcome::kDropped);
  EXPECT_EQ(r->records[2].reason, "overloaded");
  two.shed = false;
  r = Simulate(in, Uniform(10, 3), two);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_NEAR(r->records[1].latency_ms(), 20, 1e-6);
  EXPECT_EQ(r->records[2].outcome, serve::RequestOutcome::kServed);
  EXPECT_NEAR(r->records[2].latency_ms(), 25, 1e-6);
  SimOptions zero = two;
  zero.max_batches_in_flight = 0;
  Result<SimResult> bad = Simulate(in, Uniform(10, 3), zero);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("--max-batches-in-flight"));
}

TEST(SimulatorTest, StreamingReportMatchesExactReport) {
  perf::DeviceProfile profile = LinearProfile(15);
  SimInput in;
  in.profile = &profile;
  in.plan = OneGletPlan({Planned("m", 1, 66)}, 15, 20);
  in.stream_names = {"m"};
  Result<SimResult> exact = Simulate(in, Uniform(10, 30), Exact(0.3));
  SimOptions o = Exact(0.3);
  o.keep_records = false;
  Result<SimResult> streamed = Simulate(in, Uniform(10, 30), o);
  ASSERT_TRUE(exact.ok() && streamed.ok());
  EXPECT_FALSE(streamed->exact_percentiles);
  EXPECT_TRUE(streamed->records.empty());
  const client::OutcomeCounts& a = exact->report.total;
  const client::OutcomeCounts& b = streamed->report.total;
  EXPECT_EQ(a.sent, b.sent);
  EXPECT_EQ(a.served, b.served);
  EXPECT_EQ(a.dropped_by_reason, b.dropped_by_reason);
  EXPECT_EQ(a.served_in_slo, b.served_in_slo);
  EXPECT_DOUBLE_EQ(a.slo_attainment, b.slo_attainment);
  EXPECT_NEAR(a.mean_ms, b.mean_ms, 1e-6);
  EXPECT_THAT(b.p50_ms, DoubleNear(a.p50_ms, a.p50_ms / 256));
  EXPECT_THAT(b.p99_ms, DoubleNear(a.p99_ms, a.p99_ms / 256));
  EXPECT_NEAR(a.max_ms, b.max_ms, 1e-6);
}

TEST(SimulatorTest, TimeSharedGletSerialisesItsModels) {
  // Two models on one glet, b = 1 each, L(1) = 10 ms, duty 20 ms. m and n arrive together at
  // t = 0 (m first): m runs 0..10, n waits for the glet and runs 10..20.
  perf::DeviceProfile profile = LinearProfile(10);
  SimInput in;
  in.profile = &profile;
  in.plan = OneGletPlan({Planned("m", 1, 10), Planned("n", 1, 10)}, 20, 100);
  in.stream_names = {"m", "n"};
  ArrivalSource arrivals = ArrivalSource::FromList({{0.0, 0}, {0.0, 1}});
  Result<SimResult> r = Simulate(in, std::move(arrivals), Exact(1.0));
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->records.size(), 2u);
  EXPECT_NEAR(r->records[0].latency_ms(), 10, 1e-6);
  EXPECT_NEAR(r->records[1].latency_ms(), 20, 1e-6);
  EXPECT_EQ(r->report.per_model.at("m").served, 1);
  EXPECT_EQ(r->report.per_model.at("n").served, 1);
}

TEST(SimulatorTest, RoutesInProportionToPlannedRates) {
  // Two dedicated glets for m with planned rates 300 and 100: the router sends 3 of every 4
  // requests to the first. b = 1, L = 1 ms, nothing queues; busy time tells the split.
  perf::DeviceProfile profile = LinearProfile(1);
  sched::Plan plan = OneGletPlan({Planned("m", 1, 300)}, 1, 100, 50);
  sched::PlannedGlet second = plan.devices[0].glets[0];
  second.models[0].rate_rps = 100;
  plan.devices[0].glets.push_back(second);
  SimInput in;
  in.profile = &profile;
  in.plan = plan;
  in.stream_names = {"m"};
  Result<SimResult> r = Simulate(in, Uniform(10, 400), Exact(4.0));
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->devices.size(), 1u);
  ASSERT_EQ(r->devices[0].glet_busy.size(), 2u);
  // 300 and 100 batches of 1 ms over 4 s.
  EXPECT_NEAR(r->devices[0].glet_busy[0], 0.300 / 4, 1e-9);
  EXPECT_NEAR(r->devices[0].glet_busy[1], 0.100 / 4, 1e-9);
}

TEST(SimulatorTest, InterferenceSlowsSharedDevices) {
  // Two glets of 50% on one device; with interference constants (c4 = 1.5: a flat 1.5x when
  // shared) a batch of 1 takes 1.5 x 10 ms.
  perf::DeviceProfile profile = LinearProfile(10);
  std::map<std::string, std::map<int, perf::UtilSample>> util;
  for (int k = 1; k <= 8; ++k) {
    util["m"][k] = {0.5, 0.5, 0.5};
    util["n"][k] = {0.5, 0.5, 0.5};
  }
  profile.interference = perf::InterferenceModel::FromParts({0, 0, 0, 0, 1.5}, util);
  sched::Plan plan = OneGletPlan({Planned("m", 1, 10)}, 20, 100, 50);
  sched::PlannedGlet other = plan.devices[0].glets[0];
  other.models[0] = Planned("n", 1, 10);
  plan.devices[0].glets.push_back(other);
  plan.workload.push_back({"n", 10, 100, 32});
  SimInput in;
  in.profile = &profile;
  in.plan = plan;
  in.stream_names = {"m"};
  Result<SimResult> r = Simulate(in, Uniform(100, 1), Exact(1.0));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_NEAR(r->records[0].latency_ms(), 15, 1e-6);
  SimOptions off = Exact(1.0);
  off.interference = false;
  r = Simulate(in, Uniform(100, 1), off);
  ASSERT_TRUE(r.ok());
  EXPECT_NEAR(r->records[0].latency_ms(), 10, 1e-6);
}

// Chain app a -> b: stage "a" on model m, stage "b" on model n, each b = 1, L = 10 ms, on
// separate glets, with the app's SLO `slo_ms`; five app requests 10 ms apart.
Result<SimResult> SimulateChainApp(double slo_ms) {
  perf::DeviceProfile profile = LinearProfile(10);
  sched::Plan plan = OneGletPlan({Planned("m", 1, 10)}, 20, 50, 50);
  sched::PlannedGlet other = plan.devices[0].glets[0];
  other.models[0] = Planned("n", 1, 10);
  plan.devices[0].glets.push_back(other);
  plan.workload.push_back({"n", 10, 50, 32});
  model::AppSpec app;
  app.name = "chain";
  app.slo_ms = slo_ms;
  app.stages = {{"a", "m", {"in"}, 0, 1.0}, {"b", "n", {"a"}, 0, 1.0}};
  app.outputs = {"b"};
  SimInput in;
  in.profile = &profile;
  in.plan = plan;
  in.apps = {app};
  in.stream_names = {"chain"};
  return Simulate(in, Uniform(100, 5), Exact(1.0));
}

// The app request is served 20 ms after it arrives.
TEST(SimulatorTest, AppEndsWhenItsExitStagesAreServed) {
  Result<SimResult> r = SimulateChainApp(100);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->report.total.sent, 5);
  EXPECT_EQ(r->report.total.served, 5);
  EXPECT_NEAR(r->report.per_model.at("chain").p99_ms, 20, 1e-6);
  EXPECT_EQ(r->report.per_model.count("m"), 0u);  // stages are not client requests
}

// As in the frontend: an app request that cannot finish its later stages by the deadline is
// dropped at the first stage, whose glet then runs nothing (before, stage "a" ran it and "b"
// dropped it).
TEST(SimulatorTest, AppRequestThatCannotFinishTheLaterStagesIsDroppedAtTheFirst) {
  Result<SimResult> r = SimulateChainApp(15);  // a (10 ms) then b (10 ms) cannot make it
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->report.total.dropped, 5);
  EXPECT_EQ(r->report.total.dropped_by_reason.at("slo_unreachable"), 5);
  ASSERT_EQ(r->devices.size(), 1u);
  ASSERT_EQ(r->devices[0].glet_busy.size(), 2u);
  EXPECT_EQ(r->devices[0].glet_busy[0], 0) << "stage a's glet ran requests that cannot finish";
}

TEST(SimulatorTest, ModelWithoutGletFailsUnavailable) {
  perf::DeviceProfile profile = LinearProfile(10);
  SimInput in;
  in.profile = &profile;
  in.plan = OneGletPlan({Planned("m", 1, 10)}, 20, 50);
  in.slo_ms = {{"n", 50}};
  in.stream_names = {"n"};
  Result<SimResult> r = Simulate(in, Uniform(10, 3), Exact(1.0));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->report.total.failed, 3);
  EXPECT_EQ(r->report.total.failed_by_reason.at("unavailable"), 3);
}

TEST(SimulatorTest, UnknownStreamNameIsInvalidArgument) {
  perf::DeviceProfile profile = LinearProfile(10);
  SimInput in;
  in.profile = &profile;
  in.plan = OneGletPlan({Planned("m", 1, 10)}, 20, 50);
  in.stream_names = {"zzz"};
  Result<SimResult> r = Simulate(in, Uniform(10, 3), Exact(1.0));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("'zzz'"));
}

TEST(SimulatorTest, PlanGletWithoutProfileEntryIsInvalidArgument) {
  perf::DeviceProfile profile = LinearProfile(10, 4);
  SimInput in;
  in.profile = &profile;
  in.plan = OneGletPlan({Planned("m", 8, 10)}, 20, 50, 60);  // partition 60 not profiled
  in.stream_names = {"m"};
  Result<SimResult> r = Simulate(in, Uniform(10, 3), Exact(1.0));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("device 0 glet 0 model m"));
}

TEST(SimulatorTest, TimelineCountsByArrivalSecond) {
  perf::DeviceProfile profile = LinearProfile(15);
  SimInput in;
  in.profile = &profile;
  in.plan = OneGletPlan({Planned("m", 1, 66)}, 15, 20);
  in.stream_names = {"m"};
  SimOptions o = Exact(0.3);
  o.bin_s = 0.1;
  Result<SimResult> r = Simulate(in, Uniform(10, 30), o);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->timeline.size(), 3u);
  for (const TimeBin& b : r->timeline) {
    EXPECT_EQ(b.devices, 1);
    EXPECT_GE(b.sent, 9);
  }
  int64_t sent = 0;
  for (const TimeBin& b : r->timeline) {
    sent += b.sent;
  }
  EXPECT_EQ(sent, 30);
}

}  // namespace
}  // namespace glet::sim
