// Re-plans in the simulator follow the controller's make-before-break rule
// (sched::MatchUnchangedGlets): a glet the new plan leaves unchanged keeps running with its queue
// and its batch in flight; only the differing glets are started and retired.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <utility>

#include "sim/simulator.h"

namespace glet::sim {
namespace {

using ::testing::HasSubstr;

// Models "m" and "n" with L(k) = 5k ms at partitions 50 and 100.
perf::DeviceProfile Profile() {
  std::vector<perf::LatencyRow> rows;
  for (const char* model : {"m", "n"}) {
    for (int p : {50, 100}) {
      for (int k = 1; k <= 8; ++k) {
        rows.push_back({model, p, k, 5.0 * k});
      }
    }
  }
  perf::DeviceProfile profile;
  profile.type = "test-gpu";
  profile.latency = perf::LatencyProfile::FromRows(rows, "test").value();
  return profile;
}

sched::PlannedGlet Glet(const std::string& model, int partition, int batch, double duty_ms,
                        double rate_rps) {
  sched::PlannedGlet g;
  g.partition = partition;
  g.duty_ms = duty_ms;
  sched::PlannedModel m;
  m.model = model;
  m.batch = batch;
  m.rate_rps = rate_rps;
  g.models = {m};
  return g;
}

sched::Plan PlanOf(std::vector<sched::PlannedGlet> glets) {
  sched::Plan plan;
  plan.policy = "test";
  sched::PlannedDevice dev;
  dev.id = 0;
  dev.type = "test-gpu";
  dev.glets = std::move(glets);
  plan.devices.push_back(dev);
  plan.workload = {{"m", 100, 100, 32}, {"n", 100, 100, 32}};
  return plan;
}

// One request of each stream every 10 ms for 1 s: m at 0, 10, ...; n at 5, 15, ...
ArrivalSource Arrivals() {
  std::vector<client::Arrival> a;
  for (int i = 0; i < 100; ++i) {
    a.push_back({i * 0.010, 0});
    a.push_back({i * 0.010 + 0.005, 1});
  }
  return ArrivalSource::FromList(std::move(a));
}

SimOptions Exact() {
  SimOptions o;
  // Hand-computed cases of the planned batching (batch size, duty cycle, deadlines): the
  // idle trigger, which cuts at once, has its own tests (IdleGletRunsALoneRequestAtOnce).
  o.work_conserving = false;
  o.duration_s = 1;
  o.keep_records = true;
  return o;
}

TEST(PlanChangeTest, UnchangedGletKeepsItsQueueAndBatchInFlight) {
  // Glet A (m, b = 4, duty 40 ms) is in both plans; glet B (n) changes its batch at 525 ms.
  // At that instant A runs the batch of m's arrivals 480..510 (done at 530) and holds 520 in its
  // queue. Kept, A serves m exactly as if no re-plan happened.
  const perf::DeviceProfile profile = Profile();
  const sched::PlannedGlet a = Glet("m", 50, 4, 40, 100);
  SimInput in;
  in.profile = &profile;
  in.plan = PlanOf({a, Glet("n", 50, 2, 20, 100)});
  in.stream_names = {"m", "n"};
  Result<SimResult> steady = Simulate(in, Arrivals(), Exact());
  ASSERT_TRUE(steady.ok()) << steady.status().message();

  in.plan_changes = {{0.525, PlanOf({a, Glet("n", 50, 4, 40, 100)})}};
  Result<SimResult> changed = Simulate(in, Arrivals(), Exact());
  ASSERT_TRUE(changed.ok()) << changed.status().message();
  ASSERT_EQ(changed->plans.size(), 2u);

  // m had work queued and in flight at the switch...
  int busy_at_switch = 0;
  for (const client::RequestRecord& r : steady->records) {
    busy_at_switch += r.model == "m" && r.sent_ms < 525 && r.done_ms > 525 ? 1 : 0;
  }
  EXPECT_GE(busy_at_switch, 2);
  // ...and every m request ends exactly as without the re-plan.
  ASSERT_EQ(changed->records.size(), steady->records.size());
  for (size_t i = 0; i < steady->records.size(); ++i) {
    const client::RequestRecord& s = steady->records[i];
    const client::RequestRecord& c = changed->records[i];
    ASSERT_EQ(s.model, c.model) << i;
    if (s.model == "m") {
      EXPECT_EQ(c.outcome, serve::RequestOutcome::kServed) << "m request " << i;
      EXPECT_DOUBLE_EQ(c.done_ms, s.done_ms) << "m request " << i;
    }
  }
  // n switched glets make-before-break: nothing of either model was dropped.
  EXPECT_EQ(changed->report.total.served, 200);
  EXPECT_EQ(changed->report.per_model.at("m").dropped, 0);
  EXPECT_EQ(changed->report.per_model.at("n").dropped, 0);
  // The device ran A, the old B and the new B: A was not restarted.
  ASSERT_EQ(changed->devices.size(), 1u);
  EXPECT_EQ(changed->devices[0].glets, 3);
}

TEST(PlanChangeTest, RateAndDutyCycleChangeKeepsTheGletAndTakesTheNewCycle) {
  // m alone, one request every 20 ms, b = 4, L(k) = 5k. Duty 40 ms: batches of 3 cut at the
  // third arrival (latencies 55, 35, 15). After the re-plan to duty 30 ms: batches of 2 cut at
  // 30 ms (latencies 40, 20). The glet is the same one throughout.
  const perf::DeviceProfile profile = Profile();
  SimInput in;
  in.profile = &profile;
  in.plan = PlanOf({Glet("m", 100, 4, 40, 50)});
  in.stream_names = {"m"};
  in.plan_changes = {{0.5, PlanOf({Glet("m", 100, 4, 30, 60)})}};
  std::vector<client::Arrival> a;
  for (int i = 0; i < 60; ++i) {
    a.push_back({i * 0.020, 0});
  }
  Result<SimResult> r = Simulate(in, ArrivalSource::FromList(std::move(a)), Exact());
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->devices.size(), 1u);
  EXPECT_EQ(r->devices[0].glets, 1);
  EXPECT_EQ(r->report.total.served, 60);
  double before_max = 0;  // sent before the switch's cycle
  double after_max = 0;   // sent well after it
  for (const client::RequestRecord& rec : r->records) {
    if (rec.sent_ms < 480) {
      before_max = std::max(before_max, rec.latency_ms());
    } else if (rec.sent_ms > 600) {
      after_max = std::max(after_max, rec.latency_ms());
    }
  }
  EXPECT_NEAR(before_max, 55, 1e-6);
  EXPECT_NEAR(after_max, 40, 1e-6);
}

TEST(PlanChangeTest, MovedGletIsANewGlet) {
  // The same glet on another physical device (the second used device) is started anew.
  const perf::DeviceProfile profile = Profile();
  SimInput in;
  in.profile = &profile;
  in.plan = PlanOf({Glet("m", 50, 4, 40, 100), Glet("n", 50, 2, 20, 100)});
  sched::Plan moved = in.plan;
  sched::PlannedDevice second = moved.devices[0];
  second.id = 1;
  second.glets = {moved.devices[0].glets[0]};
  moved.devices[0].glets = {moved.devices[0].glets[1]};
  moved.devices.push_back(second);
  in.plan_changes = {{0.3, moved}};
  in.stream_names = {"m", "n"};
  Result<SimResult> r = Simulate(in, Arrivals(), Exact());
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->devices.size(), 2u);
  EXPECT_EQ(r->devices[0].glets, 2);  // n's glet kept, m's old glet retired there
  EXPECT_EQ(r->devices[1].glets, 1);  // m's new glet
  EXPECT_EQ(r->report.total.served, 200);
}

TEST(PlanChangeTest, GletsThatOnlyChangedPlannedDeviceStayWhereTheyRun) {
  // Issue 14: the new plan lists the same two glets on its devices the other way round. Placing
  // planned device k on the k-th device restarted both (four glets over the run, each device
  // holding an old and a new 100% glet); sched::AssignDevices keeps both where they run.
  const perf::DeviceProfile profile = Profile();
  SimInput in;
  in.profile = &profile;
  in.plan = PlanOf({Glet("m", 100, 4, 40, 100)});
  sched::PlannedDevice second = in.plan.devices[0];
  second.id = 1;
  second.glets = {Glet("n", 100, 4, 40, 100)};
  in.plan.devices.push_back(second);
  sched::Plan swapped = in.plan;
  std::swap(swapped.devices[0].glets, swapped.devices[1].glets);
  in.plan_changes = {{0.3, swapped}};
  in.stream_names = {"m", "n"};
  Result<SimResult> r = Simulate(in, Arrivals(), Exact());
  ASSERT_TRUE(r.ok()) << r.status().message();
  int glets = 0;
  for (const DeviceUsage& d : r->devices) {
    glets += d.glets;
  }
  EXPECT_EQ(glets, 2);
  EXPECT_EQ(r->report.total.served, 200);
}

TEST(PlanChangeTest, BadPlanChangesAreInvalidArgument) {
  const perf::DeviceProfile profile = Profile();
  SimInput in;
  in.profile = &profile;
  in.plan = PlanOf({Glet("m", 50, 4, 40, 100), Glet("n", 50, 2, 20, 100)});
  in.stream_names = {"m", "n"};
  in.plan_changes = {{0.5, in.plan}, {0.2, in.plan}};
  Result<SimResult> r = Simulate(in, Arrivals(), Exact());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("plan change 1: at_s"));

  in.plan_changes = {{0.5, PlanOf({Glet("m", 60, 4, 40, 100)})}};  // partition 60 not profiled
  r = Simulate(in, Arrivals(), Exact());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("plan change 0"));
  EXPECT_THAT(r.status().message(), HasSubstr("device 0 glet 0 model m"));
}

}  // namespace
}  // namespace glet::sim
