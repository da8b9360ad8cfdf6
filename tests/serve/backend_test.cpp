// Tests for the backend's pieces that need no proxy process: slice assignment and glet spec
// checks (backend_slices.h), proto conversion (backend_proto.h), ChildProcess on /bin/sh, and the
// Backend's refusals that happen before any proxy is spawned. Backends with real proxies are in
// tests/integration/backend_proxy_test.cpp.
#include "serve/backend.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include "serve/backend_proto.h"
#include "serve/backend_slices.h"
#include "serve/child_process.h"
#include "testing/test_util.h"

namespace glet::serve {
namespace {

using ::testing::HasSubstr;

model::NodeSpec Node(const std::string& json) {
  testing::TempDir dir;
  auto node = model::LoadNodeSpec(dir.WriteFile("node.json", json));
  EXPECT_TRUE(node.ok()) << node.status().ToString();
  return *node;
}

model::NodeSpec MixedNode() {
  return Node(R"({"node": "n0", "devices": [
      {"id": "cpu0", "kind": "cpu", "cores": "0-3"},
      {"id": "gpu0", "kind": "emulated", "profile": "ref-gpu", "mem_mib": 11264},
      {"id": "gpu1", "kind": "cuda-mps", "cuda_device": 2, "mem_mib": 11264}]})");
}

model::ModelManifest Manifest() {
  auto manifest = model::ModelManifest::Load(testing::SourcePath("resource/models.json"));
  EXPECT_TRUE(manifest.ok()) << manifest.status().ToString();
  return *manifest;
}

GletSpec Glet(const std::string& id, const std::string& device, int percent,
              std::vector<GletModelSpec> models = {{"lenet1", 4, 100}}) {
  GletSpec g;
  g.glet_id = id;
  g.device_id = device;
  g.partition_percent = percent;
  g.models = std::move(models);
  g.duty_cycle_ms = 10;
  return g;
}

std::vector<std::string> Texts(const std::vector<device::SliceSpec>& slices) {
  std::vector<std::string> out;
  for (const auto& s : slices) {
    out.push_back(s.ToString());
  }
  return out;
}

TEST(BackendSlicesTest, MapsEachDeviceKindToItsSlice) {
  auto slices =
      AssignSlices(MixedNode(), Manifest(),
                   {Glet("a", "cpu0", 50), Glet("b", "gpu0", 30), Glet("c", "gpu1", 70)}, {});
  ASSERT_TRUE(slices.ok()) << slices.status().ToString();
  EXPECT_EQ(Texts(*slices),
            (std::vector<std::string>{"cpu:0,1", "emulated:ref-gpu:30", "cuda:2:70"}));
}

TEST(BackendSlicesTest, CpuCoresAreRoundedAtLeastOneAndDoNotOverlap) {
  // 4 cores: 10% -> round(0.4) = 0 -> 1 core; 25% -> 1; 60% -> round(2.4) = 2.
  auto slices =
      AssignSlices(MixedNode(), Manifest(),
                   {Glet("a", "cpu0", 10), Glet("b", "cpu0", 25), Glet("c", "cpu0", 60)}, {});
  ASSERT_TRUE(slices.ok()) << slices.status().ToString();
  EXPECT_EQ(Texts(*slices), (std::vector<std::string>{"cpu:0", "cpu:1", "cpu:2,3"}));
}

TEST(BackendSlicesTest, FixedGletsKeepTheirCoresAndNewOnesAvoidThem) {
  std::map<std::string, device::SliceSpec> fixed = {{"old", *device::SliceSpec::Parse("cpu:1-2")}};
  auto slices = AssignSlices(MixedNode(), Manifest(),
                             {Glet("new", "cpu0", 50), Glet("old", "cpu0", 50)}, fixed);
  ASSERT_TRUE(slices.ok()) << slices.status().ToString();
  EXPECT_EQ(Texts(*slices), (std::vector<std::string>{"cpu:0,3", "cpu:1,2"}));
}

TEST(BackendSlicesTest, TooFewFreeCoresIsResourceExhaustedNamingTheGlet) {
  model::NodeSpec node = Node(R"({"node": "local", "devices": [
      {"id": "cpu0", "kind": "cpu", "cores": "0-1"}]})");
  auto slices = AssignSlices(
      node, Manifest(), {Glet("a", "cpu0", 33), Glet("b", "cpu0", 33), Glet("c", "cpu0", 33)}, {});
  ASSERT_FALSE(slices.ok());
  EXPECT_EQ(slices.status().code(), StatusCode::kResourceExhausted);
  EXPECT_THAT(slices.status().message(),
              HasSubstr("glet 'c': device 'cpu0': needs 1 core(s) for 33% of 2, free: none"));
}

TEST(BackendSlicesTest, DeviceOverHundredPercentIsResourceExhausted) {
  auto slices =
      AssignSlices(MixedNode(), Manifest(), {Glet("a", "gpu0", 60), Glet("b", "gpu0", 50)}, {});
  ASSERT_FALSE(slices.ok());
  EXPECT_EQ(slices.status().code(), StatusCode::kResourceExhausted);
  EXPECT_THAT(slices.status().message(), HasSubstr("device 'gpu0': glets a, b take 110% (> 100)"));
}

TEST(BackendSlicesTest, BadGletSpecsNameTheGletAndField) {
  const model::NodeSpec node = MixedNode();
  const model::ModelManifest manifest = Manifest();
  struct Case {
    GletSpec glet;
    StatusCode code;
    std::string message;
  };
  std::vector<Case> cases = {
      {Glet("", "gpu0", 50), StatusCode::kInvalidArgument, "glet_id: must not be empty"},
      {Glet("g", "gpu9", 50), StatusCode::kNotFound,
       "glet 'g': device 'gpu9' is not on node n0 (devices: cpu0, gpu0, gpu1)"},
      {Glet("g", "gpu0", 0), StatusCode::kInvalidArgument,
       "glet 'g': partition_percent must be 1..100 (got 0)"},
      {Glet("g", "gpu0", 101), StatusCode::kInvalidArgument, "partition_percent must be 1..100"},
      {Glet("g", "gpu0", 50, {}), StatusCode::kInvalidArgument,
       "glet 'g': models: must list at least one model"},
      {Glet("g", "gpu0", 50, {{"lenet1", 1, 1}, {"nosuch", 1, 1}}), StatusCode::kInvalidArgument,
       "glet 'g': models[1]: unknown model 'nosuch'"},
      {Glet("g", "gpu0", 50, {{"lenet1", 1, 1}, {"lenet1", 2, 1}}), StatusCode::kInvalidArgument,
       "glet 'g': models[1]: model 'lenet1' listed twice"},
      {Glet("g", "gpu0", 50, {{"lenet1", 33, 1}}), StatusCode::kInvalidArgument,
       "glet 'g': models[0]: batch_size must be 0..32 for 'lenet1' (got 33)"},
      {Glet("g", "gpu0", 50, {{"lenet1", 1, -1}}), StatusCode::kInvalidArgument,
       "glet 'g': models[0]: rate_rps must be >= 0"},
  };
  for (const Case& c : cases) {
    Status s = ValidateGletSpec(c.glet, node, manifest);
    EXPECT_EQ(s.code(), c.code) << c.message << " / " << s.ToString();
    EXPECT_THAT(s.message(), HasSubstr(c.message));
  }
  auto dup = AssignSlices(node, manifest, {Glet("g", "gpu0", 10), Glet("g", "gpu0", 10)}, {});
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(dup.status().message(), HasSubstr("glet 'g': glet_id used twice"));
}

TEST(BackendSlicesTest, DescribesDevices) {
  std::vector<DeviceInfo> devices = DescribeDevices(MixedNode());
  ASSERT_EQ(devices.size(), 3u);
  EXPECT_EQ(devices[0].device_id, "cpu0");
  EXPECT_EQ(devices[0].kind, "cpu");
  EXPECT_EQ(devices[0].name, "cpu cores 0,1,2,3");
  EXPECT_EQ(devices[1].kind, "emulated");
  EXPECT_EQ(devices[1].memory_mib, 11264);
  EXPECT_EQ(devices[0].profile, "cpu");
  EXPECT_EQ(devices[1].profile, "ref-gpu");
  EXPECT_EQ(devices[2].kind, "cuda-mps");
  EXPECT_TRUE(devices[2].healthy);
}

TEST(BackendProtoTest, GletInfoRoundTrips) {
  GletInfo info;
  info.spec = Glet("g1", "gpu0", 40, {{"lenet1", 4, 120}, {"lenet2", 8, 60}});
  info.state = GletState::kReady;
  info.proxy_address = "127.0.0.1:4000";
  info.proxy_pid = 1234;
  info.restarts = 2;
  info.slice = "emulated:ref-gpu:40";
  control::GletInfo proto;
  GletInfoToProto(info, &proto);
  EXPECT_EQ(proto.state(), control::GletInfo::READY);
  EXPECT_EQ(proto.spec().models_size(), 2);
  GletInfo back = GletInfoFromProto(proto);
  EXPECT_EQ(back.spec, info.spec);
  EXPECT_EQ(back.state, info.state);
  EXPECT_EQ(back.proxy_address, info.proxy_address);
  EXPECT_EQ(back.proxy_pid, 1234);
  EXPECT_EQ(back.restarts, 2);
  EXPECT_EQ(back.slice, info.slice);
  EXPECT_EQ(GletStateName(GletState::kFailed), "FAILED");
}

TEST(ChildProcessTest, ReadsTheAnnouncedLineAndSeesTheExit) {
  std::mutex mu;
  std::condition_variable cv;
  std::optional<int> exit_status;
  auto child = ChildProcess::Spawn(
      {{"/bin/sh", "-c", "echo noise; echo \"listening: $GREETING\"; read line; exit 3"},
       {{"GREETING", "host:42"}}},
      [&](int status) {
        std::lock_guard<std::mutex> lock(mu);
        exit_status = status;
        cv.notify_all();
      });
  ASSERT_TRUE(child.ok()) << child.status().ToString();
  auto line = (*child)->AwaitLine("listening: ", std::chrono::seconds(10));
  ASSERT_TRUE(line.ok()) << line.status().ToString();
  EXPECT_EQ(*line, "host:42");
  EXPECT_FALSE((*child)->exited());
  (*child)->CloseStdin();  // `read` sees EOF, the shell exits 3
  ASSERT_TRUE((*child)->WaitForExit(std::chrono::seconds(10)));
  EXPECT_EQ(ChildProcess::DescribeWaitStatus(*(*child)->wait_status()), "exited with code 3");
  std::unique_lock<std::mutex> lock(mu);
  ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(10), [&] { return exit_status.has_value(); }));
}

TEST(ChildProcessTest, StopEscalatesToSigkill) {
  // The shell ignores SIGTERM, so Stop() must SIGKILL after the grace period.
  auto child = ChildProcess::Spawn({{"/bin/sh", "-c", "trap '' TERM; echo ready; read line"}, {}});
  ASSERT_TRUE(child.ok()) << child.status().ToString();
  ASSERT_TRUE((*child)->AwaitLine("ready", std::chrono::seconds(10)).ok());
  EXPECT_THAT((*child)->Stop(std::chrono::milliseconds(50)), HasSubstr("killed by signal 9"));
}

TEST(ChildProcessTest, ExitBeforeTheLineIsUnavailableAndMissingProgramIsInvalid) {
  auto child = ChildProcess::Spawn({{"/bin/sh", "-c", "exit 7"}, {}});
  ASSERT_TRUE(child.ok());
  auto line = (*child)->AwaitLine("listening: ", std::chrono::seconds(10));
  ASSERT_FALSE(line.ok());
  EXPECT_EQ(line.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(line.status().message(), HasSubstr("exited with code 7 before printing"));

  auto missing = ChildProcess::Spawn({{"/nonexistent/glet"}, {}});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(missing.status().message(), HasSubstr("/nonexistent/glet: cannot execute"));
}

TEST(ChildProcessTest, AwaitLineTimesOut) {
  auto child = ChildProcess::Spawn({{"/bin/sh", "-c", "read line"}, {}});
  ASSERT_TRUE(child.ok());
  auto line = (*child)->AwaitLine("listening: ", std::chrono::milliseconds(20));
  ASSERT_FALSE(line.ok());
  EXPECT_EQ(line.status().code(), StatusCode::kDeadlineExceeded);
}

TEST(BackendTest, RefusesABadProxyBinary) {
  BackendOptions options;
  options.proxy_binary = "/nonexistent/glet";
  auto backend = Backend::Create(MixedNode(), Manifest(), options);
  ASSERT_FALSE(backend.ok());
  EXPECT_EQ(backend.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(backend.status().message(), HasSubstr("/nonexistent/glet"));
}

TEST(BackendTest, RefusesBadGletsBeforeStartingAnything) {
  BackendOptions options;
  options.proxy_binary = "/bin/false";  // never run: every call below fails validation
  auto backend = Backend::Create(MixedNode(), Manifest(), options);
  ASSERT_TRUE(backend.ok()) << backend.status().ToString();
  auto r = (*backend)->StartGlet(Glet("g", "gpu9", 50));
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  auto plan = (*backend)->ApplyPlan(3, {Glet("a", "gpu0", 70), Glet("b", "gpu0", 70)});
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().code(), StatusCode::kResourceExhausted);
  EXPECT_THAT(plan.status().message(), HasSubstr("plan epoch 3: device 'gpu0'"));
  EXPECT_TRUE((*backend)->ListGlets().empty());
  EXPECT_EQ((*backend)->StopGlet("nosuch", true).code(), StatusCode::kNotFound);
  // An empty plan applies (nothing to run), then an older epoch is refused.
  ASSERT_TRUE((*backend)->ApplyPlan(5, {}).ok());
  auto old = (*backend)->ApplyPlan(4, {});
  ASSERT_FALSE(old.ok());
  EXPECT_EQ(old.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(old.status().message(), HasSubstr("plan epoch 4 is older than the applied epoch 5"));
}

TEST(BackendTest, AProxyThatNeverAnnouncesFailsTheStartAndLeavesNothing) {
  BackendOptions options;
  options.proxy_binary = "/bin/false";  // exits 1 at once, printing nothing
  auto backend = Backend::Create(MixedNode(), Manifest(), options);
  ASSERT_TRUE(backend.ok());
  auto r = (*backend)->StartGlet(Glet("g", "gpu0", 50));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(r.status().message(), HasSubstr("glet 'g': proxy: pid"));
  EXPECT_THAT(r.status().message(), HasSubstr("exited with code 1"));
  EXPECT_TRUE((*backend)->ListGlets().empty());
}

}  // namespace
}  // namespace glet::serve
