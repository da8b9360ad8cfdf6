// The controller's decisions apart from its RPCs: placement and per-node changes as pure
// functions (serve/glet_placement.h), and the Controller itself over a real Frontend and
// BackendRegistry with the backends' ApplyPlan answered in process (InProcessBackends), so that
// a backend call can be held open while the test looks at what the controller still does.
#include "serve/controller.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

#include "serve/glet_placement.h"
#include "testing/ref_profile.h"
#include "testing/test_util.h"

namespace glet::serve {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::SizeIs;

// Answers ApplyPlan at once with every glet READY (a proxy address no test dials), or, while
// held, keeps the call open until Release() or Cancel().
class InProcessBackends final : public BackendClient {
 public:
  struct Call {
    std::string address;
    uint64_t epoch = 0;
    std::vector<GletSpec> glets;
  };

  Result<std::vector<GletInfo>> ApplyPlan(const std::string& address, uint64_t epoch,
                                          const std::vector<GletSpec>& glets) override {
    std::function<void(const Call&)> on_call;
    {
      std::lock_guard<std::mutex> lock(mu_);
      on_call = on_call_;
    }
    if (on_call) {
      on_call({address, epoch, glets});
    }
    std::unique_lock<std::mutex> lock(mu_);
    calls_.push_back({address, epoch, glets});
    if (cancelled_) {
      return CancelledError("backend " + address + ": cancelled");
    }
    const int limit = node_limits_.count(address) > 0 ? node_limits_[address] : max_glets_per_node_;
    if (limit > 0 && static_cast<int>(glets.size()) > limit) {
      return ResourceExhaustedError("backend " + address + ": no room for " +
                                    std::to_string(glets.size()) + " glets");
    }
    ++in_flight_;
    cv_.notify_all();
    cv_.wait(lock, [&] { return !hold_ || cancelled_; });
    --in_flight_;
    if (cancelled_) {
      return CancelledError("backend " + address + ": cancelled");
    }
    std::vector<GletInfo> out;
    for (const GletSpec& g : glets) {
      GletInfo info;
      info.spec = g;
      info.state = GletState::kReady;
      info.proxy_address = "127.0.0.1:1";
      out.push_back(std::move(info));
    }
    return out;
  }
  void Cancel() override {
    std::lock_guard<std::mutex> lock(mu_);
    cancelled_ = true;
    cv_.notify_all();
  }
  void Resume() override {
    std::lock_guard<std::mutex> lock(mu_);
    cancelled_ = false;
  }

  void Hold() {
    std::lock_guard<std::mutex> lock(mu_);
    hold_ = true;
  }
  void Release() {
    std::lock_guard<std::mutex> lock(mu_);
    hold_ = false;
    cv_.notify_all();
  }
  // Waits until a call is held open.
  void WaitHeld() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return in_flight_ > 0; });
  }
  // A node refuses a set of more glets than this (0: no limit), as a node without room for the
  // new glets next to the old ones does.
  void LimitGletsPerNode(int n) {
    std::lock_guard<std::mutex> lock(mu_);
    max_glets_per_node_ = n;
  }
  // The same, for one node only.
  void LimitGletsOn(const std::string& address, int n) {
    std::lock_guard<std::mutex> lock(mu_);
    node_limits_[address] = n;
  }
  // Called with each call before it is answered (outside the lock).
  void OnCall(std::function<void(const Call&)> f) {
    std::lock_guard<std::mutex> lock(mu_);
    on_call_ = std::move(f);
  }
  std::vector<Call> calls() {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool hold_ = false;
  bool cancelled_ = false;
  int in_flight_ = 0;
  int max_glets_per_node_ = 0;
  std::map<std::string, int> node_limits_;
  std::function<void(const Call&)> on_call_;
  std::vector<Call> calls_;
};

std::vector<std::string> GletIds(const std::vector<GletSpec>& glets) {
  std::vector<std::string> ids;
  for (const GletSpec& g : glets) {
    ids.push_back(g.glet_id);
  }
  return ids;
}

class ControllerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto manifest = model::ModelManifest::Load(testing::SourcePath("resource/models.json"));
    ASSERT_TRUE(manifest.ok()) << manifest.status().ToString();
    manifest_ = *manifest;
    FrontendOptions fo;
    fo.metrics = &metrics_;
    auto frontend = Frontend::Create(manifest_, {}, fo);
    ASSERT_TRUE(frontend.ok()) << frontend.status().ToString();
    frontend_ = std::move(frontend).value();
  }
  // Registers `n` nodes node-a:1, node-b:1, ..., each with one ref-gpu.
  void RegisterNodes(int n) {
    DeviceInfo gpu;
    gpu.device_id = "gpu0";
    gpu.kind = "emulated";
    gpu.profile = "ref-gpu";
    for (int i = 0; i < n; ++i) {
      ASSERT_TRUE(registry_.Register(std::string("node-") + char('a' + i) + ":1", {gpu}).ok());
    }
  }
  void TearDown() override {
    if (frontend_ != nullptr) {
      frontend_->Shutdown(SystemClock::Get().Now());
    }
  }

  std::unique_ptr<Controller> MakeController() {
    ControllerOptions co;
    co.profiles_dir = testing::SourcePath("resource/profiles");
    co.model_rates = {{"resnet50", 200}};
    co.drain_timeout = std::chrono::milliseconds(100);
    co.backends = &backends_;
    return std::make_unique<Controller>(*frontend_, registry_, manifest_, metrics_, co);
  }

  MetricsRegistry metrics_;
  model::ModelManifest manifest_;
  std::unique_ptr<Frontend> frontend_;
  BackendRegistry registry_{SystemClock::Get()};
  InProcessBackends backends_;
};

TEST_F(ControllerTest, ReplanWithTheSameDemandKeepsEveryGletRunning) {
  RegisterNodes(2);
  std::unique_ptr<Controller> controller = MakeController();
  ASSERT_TRUE(controller->Replan({{"resnet50", 200}}, "first").ok());
  std::vector<InProcessBackends::Call> first = backends_.calls();
  ASSERT_FALSE(first.empty());
  ASSERT_TRUE(controller->Replan({{"resnet50", 200}}, "again").ok());
  std::vector<InProcessBackends::Call> calls = backends_.calls();
  // Each node was sent exactly what it runs: no glet started or stopped, no id changed.
  for (size_t i = first.size(); i < calls.size(); ++i) {
    auto same_node = std::find_if(first.begin(), first.end(),
                                  [&](const auto& c) { return c.address == calls[i].address; });
    ASSERT_NE(same_node, first.end());
    EXPECT_EQ(GletIds(calls[i].glets), GletIds(same_node->glets)) << calls[i].address;
  }
  EXPECT_EQ(controller->epoch(), 2);
  EXPECT_EQ(controller->PlanView()["reason"], "again");
}

// Issue 17: a frontend restarted (kill -9) counted its plan epochs from 1 again, and its
// backends, which refuse a plan older than the one they run, refused its first plan; the
// frontend exited. Registrations now say which epoch a backend runs, and plans count on from it.
TEST_F(ControllerTest, FirstPlanAfterARestartIsNewerThanWhatTheBackendsRun) {
  DeviceInfo gpu;
  gpu.device_id = "gpu0";
  gpu.kind = "emulated";
  gpu.profile = "ref-gpu";
  ASSERT_TRUE(registry_.Register("node-a:1", {gpu}, /*applied_epoch=*/7).ok());
  ASSERT_TRUE(registry_.Register("node-b:1", {gpu}, /*applied_epoch=*/3).ok());
  std::unique_ptr<Controller> controller = MakeController();
  ASSERT_TRUE(controller->Replan({{"resnet50", 200}}, "first").ok());
  ASSERT_FALSE(backends_.calls().empty());
  for (const InProcessBackends::Call& call : backends_.calls()) {
    EXPECT_EQ(call.epoch, 8u) << call.address;
  }
  EXPECT_EQ(controller->epoch(), 8);
  ASSERT_TRUE(controller->Replan({{"resnet50", 200}}, "again").ok());
  EXPECT_EQ(controller->epoch(), 9);
}

TEST_F(ControllerTest, AccessorsAndCancelDoNotWaitForABackendCall) {
  RegisterNodes(2);
  std::unique_ptr<Controller> controller = MakeController();
  backends_.Hold();
  Status replanned;
  std::thread replan([&] { replanned = controller->Replan({{"resnet50", 200}}, "held"); });
  backends_.WaitHeld();
  // A backend call is open (a proxy loading its model can take a minute): reading the plan in
  // force and cancelling must not wait for it. Before, the controller held its one lock across
  // the call and each of these blocked until the call ended.
  EXPECT_EQ(controller->epoch(), 0);
  EXPECT_TRUE(controller->plan().devices.empty());
  EXPECT_TRUE(controller->PlanView().is_null());
  controller->Cancel();  // cancels the call in flight
  replan.join();
  EXPECT_EQ(replanned.code(), StatusCode::kCancelled) << replanned.ToString();
  EXPECT_EQ(controller->epoch(), 0);  // nothing was put in force
  // Once cancelled, no other re-plan starts.
  EXPECT_EQ(controller->Replan({{"resnet50", 200}}, "after").code(), StatusCode::kCancelled);
  backends_.Release();
}

TEST_F(ControllerTest, StopGletsReachesEveryNodeAfterACancel) {
  RegisterNodes(2);
  std::unique_ptr<Controller> controller = MakeController();
  ASSERT_TRUE(controller->Replan({{"resnet50", 200}}, "first").ok());
  controller->Cancel();
  const size_t before = backends_.calls().size();
  controller->StopGlets();
  std::vector<InProcessBackends::Call> calls = backends_.calls();
  ASSERT_THAT(calls, SizeIs(before + 2));
  for (size_t i = before; i < calls.size(); ++i) {
    EXPECT_THAT(calls[i].glets, IsEmpty()) << calls[i].address;
  }
}

TEST_F(ControllerTest, NodeWithoutRoomForOverlapIsSwitchedOverToTheNewGlets) {
  RegisterNodes(1);
  std::unique_ptr<Controller> controller = MakeController();
  ASSERT_TRUE(controller->Replan({{"resnet50", 40}}, "first").ok());
  ASSERT_THAT(backends_.calls(), SizeIs(1));
  ASSERT_THAT(backends_.calls()[0].glets, SizeIs(1));
  // A demand that needs a different glet: the node is first asked for old + new, refuses, and
  // is then given the new glets alone.
  // (Here 400 rps takes two glets, and the node holds at most two.)
  backends_.LimitGletsPerNode(2);
  ASSERT_TRUE(controller->Replan({{"resnet50", 400}}, "bigger").ok());
  std::vector<InProcessBackends::Call> calls = backends_.calls();
  ASSERT_THAT(calls, SizeIs(3));
  EXPECT_THAT(GletIds(calls[1].glets), ElementsAre("e2g0", "e2g1", "e1g0"));  // refused
  EXPECT_THAT(GletIds(calls[2].glets), ElementsAre("e2g0", "e2g1"));
  Json view = controller->PlanView();
  ASSERT_EQ(view["reason"], "bigger");
  for (const Json& g : view["glets"]) {
    EXPECT_EQ(g["up"], true) << g.dump();
    EXPECT_THAT(g["glet_id"].get<std::string>(), ::testing::StartsWith("e2g")) << g.dump();
  }
}

TEST_F(ControllerTest, LoadMovesOffANodeWithoutRoomBeforeItIsSwitchedOver) {
  RegisterNodes(2);
  std::unique_ptr<Controller> controller = MakeController();
  // 900 rps: glets on both devices (three and two).
  ASSERT_TRUE(controller->Replan({{"resnet50", 900}}, "first").ok());
  std::vector<std::string> on_a;
  for (const InProcessBackends::Call& c : backends_.calls()) {
    if (c.address == "node-a:1") {
      on_a = GletIds(c.glets);
    }
  }
  ASSERT_FALSE(on_a.empty());
  // 1200 rps: new glets on both. Node a cannot hold its new glets next to its old ones; node b
  // can. When node a is switched over, its old glets must already be out of rotation: resnet50
  // goes to the new glets on node b meanwhile.
  backends_.LimitGletsOn("node-a:1", static_cast<int>(on_a.size()) + 1);
  bool switched = false;
  backends_.OnCall([&](const InProcessBackends::Call& c) {
    const bool old_ones = std::any_of(c.glets.begin(), c.glets.end(), [&](const GletSpec& g) {
      return std::find(on_a.begin(), on_a.end(), g.glet_id) != on_a.end();
    });
    if (c.address != "node-a:1" || c.epoch != 2 || old_ones) {
      return;
    }
    switched = true;
    for (const std::string& id : on_a) {
      EXPECT_EQ(metrics_.Value("glet_glet_up", {{"glet", id}}), 0) << id << " still in rotation";
    }
    EXPECT_TRUE(frontend_->IsReady("resnet50"));
  });
  ASSERT_TRUE(controller->Replan({{"resnet50", 1200}}, "more").ok());
  EXPECT_TRUE(switched);
  const Json view = controller->PlanView();
  for (const Json& g : view["glets"]) {
    EXPECT_THAT(g["glet_id"].get<std::string>(), ::testing::StartsWith("e2g")) << g.dump();
    EXPECT_EQ(g["up"], true) << g.dump();
  }
}

// --- Placement (pure) ---

sched::Plan OneGletPlan(int64_t epoch, int partition, int batch) {
  sched::Plan plan;
  plan.epoch = epoch;
  sched::PlannedDevice dev;
  dev.type = "ref-gpu";
  sched::PlannedGlet g;
  g.partition = partition;
  g.duty_ms = 20;
  sched::PlannedModel m;
  m.model = "resnet50";
  m.batch = batch;
  m.rate_rps = 100;
  m.exec_ms = 10;
  g.models.push_back(m);
  dev.glets.push_back(g);
  plan.devices.push_back(dev);
  return plan;
}

std::vector<BackendRecord> TwoNodes() {
  DeviceInfo gpu;
  gpu.device_id = "gpu0";
  gpu.profile = "ref-gpu";
  BackendRecord a{"b1", "node-a:1", {gpu}, {}, {}, {}, ""};
  BackendRecord b{"b2", "node-b:1", {gpu}, {}, {}, {}, ""};
  return {a, b};
}

TEST(GletPlacementTest, KeptGletKeepsItsIdSpecAndProxyAndNewOnesAreNamedByEpoch) {
  const std::map<std::string, const perf::DeviceProfile*> profiles = {
      {"ref-gpu", &testing::RefGpuProfile()}};
  auto first = PlaceGlets(OneGletPlan(1, 50, 8), profiles, TwoNodes(), {}, 0);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_THAT(*first, SizeIs(1));
  EXPECT_EQ((*first)[0].spec.glet_id, "e1g0");
  EXPECT_THAT((*first)[0].batch_latency.at("resnet50"), SizeIs(8));
  (*first)[0].proxy_address = "127.0.0.1:4000";

  // Same work, other rate: kept, with its id, spec and proxy.
  sched::Plan same = OneGletPlan(2, 50, 8);
  same.devices[0].glets[0].models[0].rate_rps = 150;
  auto kept = PlaceGlets(same, profiles, TwoNodes(), *first, 0);
  ASSERT_TRUE(kept.ok());
  ASSERT_THAT(*kept, SizeIs(1));
  EXPECT_EQ((*kept)[0].spec, (*first)[0].spec);
  EXPECT_EQ((*kept)[0].proxy_address, "127.0.0.1:4000");
  EXPECT_EQ((*kept)[0].rate_rps.at("resnet50"), 150);

  // Another batch size: a new glet, named for epoch 3.
  auto moved = PlaceGlets(OneGletPlan(3, 50, 4), profiles, TwoNodes(), *first, 0);
  ASSERT_TRUE(moved.ok());
  EXPECT_EQ((*moved)[0].spec.glet_id, "e3g0");
  EXPECT_TRUE((*moved)[0].proxy_address.empty());
}

TEST(GletPlacementTest, PlanWithMoreDevicesThanHealthyFails) {
  const std::map<std::string, const perf::DeviceProfile*> profiles = {
      {"ref-gpu", &testing::RefGpuProfile()}};
  sched::Plan plan = OneGletPlan(1, 50, 8);
  plan.devices.push_back(plan.devices[0]);
  plan.devices.push_back(plan.devices[0]);
  auto placed = PlaceGlets(plan, profiles, TwoNodes(), {}, 0);
  EXPECT_EQ(placed.status().code(), StatusCode::kResourceExhausted);
}

TEST(GletPlacementTest, NodeChangesOverlapTheRetiringGletsWithTheNewOnes) {
  const std::map<std::string, const perf::DeviceProfile*> profiles = {
      {"ref-gpu", &testing::RefGpuProfile()}};
  auto running = PlaceGlets(OneGletPlan(1, 50, 8), profiles, TwoNodes(), {}, 0).value();
  auto next = PlaceGlets(OneGletPlan(2, 50, 4), profiles, TwoNodes(), running, 0).value();
  std::vector<NodeChange> changes = PlanNodeChanges(next, running, TwoNodes());
  // The new glet goes to the idle node; the old one drains on its own.
  ASSERT_THAT(changes, SizeIs(2));
  EXPECT_EQ(changes[0].address, "node-a:1");
  EXPECT_THAT(changes[0].target, IsEmpty());
  EXPECT_THAT(GletIds(changes[0].overlap), ElementsAre("e1g0"));
  EXPECT_EQ(changes[1].address, "node-b:1");
  EXPECT_THAT(GletIds(changes[1].target), ElementsAre("e2g0"));
  EXPECT_THAT(GletIds(changes[1].overlap), ElementsAre("e2g0"));
  // With one node, it holds both while the old one drains.
  std::vector<BackendRecord> one = {TwoNodes()[0]};
  running = PlaceGlets(OneGletPlan(1, 50, 8), profiles, one, {}, 0).value();
  next = PlaceGlets(OneGletPlan(2, 50, 4), profiles, one, running, 0).value();
  changes = PlanNodeChanges(next, running, one);
  ASSERT_THAT(changes, SizeIs(1));
  EXPECT_THAT(GletIds(changes[0].target), ElementsAre("e2g0"));
  EXPECT_THAT(GletIds(changes[0].overlap), ElementsAre("e2g0", "e1g0"));
}

PlacedGlet Placed(const std::string& id, const std::string& address,
                  std::vector<std::string> models, bool up = true) {
  PlacedGlet p;
  p.spec.glet_id = id;
  p.backend_address = address;
  p.proxy_address = "127.0.0.1:1";
  p.up = up;
  for (const std::string& m : models) {
    p.spec.models.push_back({m, 4, 10});
  }
  return p;
}

std::vector<std::string> Ids(const std::vector<PlacedGlet>& placed) {
  std::vector<std::string> ids;
  for (const PlacedGlet& p : placed) {
    std::string models;
    for (const GletModelSpec& m : p.spec.models) {
      models += (models.empty() ? "" : "+") + m.model;
    }
    ids.push_back(p.spec.glet_id + ":" + models);
  }
  return ids;
}

TEST(GletPlacementTest, InterimRoutesMoveLoadOffASwitchedNodeWhereAnotherGletIsUp) {
  // Running: a1 (resnet50 + vgg16) and a2 (mobilenet) on node a, b1 (resnet50) on node b.
  const std::vector<PlacedGlet> running = {Placed("a1", "a:1", {"resnet50", "vgg16"}),
                                           Placed("a2", "a:1", {"mobilenet"}),
                                           Placed("b1", "b:1", {"resnet50"})};
  // Next: a2 kept; b2 (resnet50) started on b; a3 (resnet50 + vgg16) still to start on a, which
  // cannot hold it next to a1 and is switched over.
  std::vector<PlacedGlet> next = {Placed("a2", "a:1", {"mobilenet"}),
                                  Placed("b2", "b:1", {"resnet50"}),
                                  Placed("a3", "a:1", {"resnet50", "vgg16"})};
  next[2].proxy_address.clear();
  // b2 and the kept a2 serve; b1 retires on b (which holds both) and still serves until the new
  // routes; a1 serves vgg16 alone, which has no other glet; its resnet50 moves to b.
  EXPECT_THAT(Ids(InterimPlacement(next, running, {"a:1"})),
              ElementsAre("a2:mobilenet", "b2:resnet50", "b1:resnet50", "a1:vgg16"));
  // A new glet that is not up yet does not count as somewhere else to go.
  next[1].up = false;
  EXPECT_THAT(Ids(InterimPlacement(next, running, {"a:1"})),
              ElementsAre("a2:mobilenet", "b2:resnet50", "b1:resnet50", "a1:vgg16"));
  const std::vector<PlacedGlet> only_a = {Placed("a1", "a:1", {"resnet50", "vgg16"})};
  next = {Placed("b2", "b:1", {"resnet50"}, /*up=*/false), Placed("a3", "a:1", {"resnet50"})};
  next[1].proxy_address.clear();
  EXPECT_THAT(Ids(InterimPlacement(next, only_a, {"a:1"})),
              ElementsAre("b2:resnet50", "a1:resnet50+vgg16"));
}

}  // namespace
}  // namespace glet::serve
