// Whole-process tests of the serving plane's node side: real `glet backend` and `glet proxy`
// processes (testing::GletBinary()) talking real gRPC on 127.0.0.1 with ports chosen by the
// kernel. The test plays the frontend: a small FrontendControl server that records what backends
// register, heartbeat and report. Glets run on emulated slices (resource/profiles/ref-gpu), so no
// model files are needed. Every wait has a deadline; conditions are awaited, not slept on.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>

#include "glet_control.grpc.pb.h"
#include "model/tensor.h"
#include "serve/backend.h"
#include "serve/backend_proto.h"
#include "serve/child_process.h"
#include "serve/tensor_proto.h"
#include "testing/glet_deployment.h"
#include "testing/test_util.h"

namespace glet::serve {
namespace {

using std::chrono::seconds;
using ::testing::HasSubstr;

constexpr char kEmulatedNode[] = R"({"node": "it", "devices": [
    {"id": "gpu0", "kind": "emulated", "profile": "ref-gpu", "mem_mib": 11264}]})";

// The test's frontend: records registrations and heartbeats; can forget backends.
class RecordingFrontend final : public control::FrontendControl::Service {
 public:
  grpc::Status RegisterBackend(grpc::ServerContext*, const control::RegisterBackendRequest* req,
                               control::RegisterBackendResponse* resp) override {
    std::lock_guard<std::mutex> lock(mu_);
    registrations_.push_back(*req);
    known_id_ = "backend-" + std::to_string(registrations_.size());
    resp->set_backend_id(known_id_);
    resp->set_heartbeat_interval_ms(50);
    cv_.notify_all();
    return grpc::Status::OK;
  }
  grpc::Status Heartbeat(grpc::ServerContext*, const control::HeartbeatRequest* req,
                         control::HeartbeatResponse* resp) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (req->backend_id() != known_id_) {
      return grpc::Status(grpc::StatusCode::NOT_FOUND, "unknown backend " + req->backend_id());
    }
    last_heartbeat_ = *req;
    ++heartbeats_;
    resp->set_plan_epoch(7);
    cv_.notify_all();
    return grpc::Status::OK;
  }
  grpc::Status Report(grpc::ServerContext*, const control::ReportRequest* req,
                      control::ReportResponse*) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (req->backend_id() != known_id_) {
      return grpc::Status(grpc::StatusCode::NOT_FOUND, "unknown backend " + req->backend_id());
    }
    last_report_ = *req;
    ++reports_;
    cv_.notify_all();
    return grpc::Status::OK;
  }

  // Waits up to 30 s until `done` holds over the recorded state.
  bool Await(const std::function<bool()>& done) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, seconds(30), done);
  }
  // Waits for a heartbeat whose glets satisfy `done`.
  bool AwaitGlets(const std::function<bool(const std::vector<GletInfo>&)>& done) {
    return Await([&] {
      std::vector<GletInfo> glets;
      for (const auto& g : last_heartbeat_.glets()) {
        glets.push_back(GletInfoFromProto(g));
      }
      return heartbeats_ > 0 && done(glets);
    });
  }
  // Waits for a report whose counters satisfy `done`.
  bool AwaitCounters(const std::function<bool(const std::vector<GletCounters>&)>& done) {
    return Await([&] {
      std::vector<GletCounters> counters;
      for (const auto& c : last_report_.counters()) {
        counters.push_back(GletCountersFromProto(c));
      }
      return reports_ > 0 && done(counters);
    });
  }
  void Forget() {
    std::lock_guard<std::mutex> lock(mu_);
    known_id_.clear();
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<control::RegisterBackendRequest> registrations_;
  control::HeartbeatRequest last_heartbeat_;
  int heartbeats_ = 0;
  control::ReportRequest last_report_;
  int reports_ = 0;
  std::string known_id_;
};

std::unique_ptr<grpc::ClientContext> Ctx() {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + seconds(60));
  return ctx;
}

control::GletSpec EmulatedGlet(const std::string& id, int percent,
                               const std::vector<std::string>& models = {"lenet1"}) {
  GletSpec spec;
  spec.glet_id = id;
  spec.device_id = "gpu0";
  spec.partition_percent = percent;
  for (const std::string& m : models) {
    spec.models.push_back({m, 4, 100});
  }
  control::GletSpec proto;
  GletSpecToProto(spec, &proto);
  return proto;
}

// One RunBatch of `rows` lenet rows (one item per row) against the proxy at `address`.
grpc::Status RunLenetBatch(const std::string& address, const std::string& model, int rows,
                           control::RunBatchResponse* resp) {
  auto stub =
      control::Proxy::NewStub(grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  control::RunBatchRequest req;
  req.set_protocol_version(control::PROTOCOL_VERSION_CURRENT);
  req.set_model(model);
  req.set_batch_id(1);
  TensorToProto(
      model::MakeRandomInput({"input", model::DType::kFloat32, {1, 28, 28}}, rows, /*seed=*/5),
      req.mutable_input());
  for (int i = 0; i < rows; ++i) {
    control::BatchItem* item = req.add_items();
    item->set_request_id(100 + i);
    item->set_n(1);
  }
  return stub->RunBatch(Ctx().get(), req, resp);
}

// True once process `pid` (not necessarily our child) has exited, waiting up to `timeout`.
bool ProcessGone(pid_t pid, std::chrono::milliseconds timeout) {
  const int fd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  if (fd < 0) {
    return errno == ESRCH;
  }
  pollfd pfd{fd, POLLIN, 0};
  const int ready = poll(&pfd, 1, static_cast<int>(timeout.count()));
  close(fd);
  return ready == 1;
}

class BackendProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &frontend_port_);
    builder.RegisterService(&frontend_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    node_path_ = dir_.WriteFile("node.json", kEmulatedNode);
  }
  void TearDown() override {
    backend_.reset();  // SIGKILLs a backend a failed test left running
    server_->Shutdown();
  }

  // Starts `glet backend` and returns its BackendControl address.
  std::string StartBackend() {
    auto child = ChildProcess::Spawn({{testing::GletBinary(), "backend", "--frontend",
                                       "127.0.0.1:" + std::to_string(frontend_port_), "--listen",
                                       "127.0.0.1:0", "--node", node_path_, "--heartbeat-ms", "50",
                                       "--restart-backoff-ms", "20", "--stop-grace-ms", "5000"},
                                      {}});
    EXPECT_TRUE(child.ok()) << child.status().ToString();
    backend_ = std::move(*child);
    auto address = backend_->AwaitLine("listening: ", seconds(60));
    EXPECT_TRUE(address.ok()) << address.status().ToString();
    stub_ = control::BackendControl::NewStub(
        grpc::CreateChannel(*address, grpc::InsecureChannelCredentials()));
    return *address;
  }

  testing::TempDir dir_;
  std::string node_path_;
  RecordingFrontend frontend_;
  int frontend_port_ = 0;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<ChildProcess> backend_;
  std::unique_ptr<control::BackendControl::Stub> stub_;
};

TEST_F(BackendProcessTest, RegistersServesRestartsAKilledProxyAndStopsItsProxiesOnSigterm) {
  const std::string address = StartBackend();
  ASSERT_TRUE(frontend_.Await([&] { return !frontend_.registrations_.empty(); }));
  {
    std::lock_guard<std::mutex> lock(frontend_.mu_);
    const auto& reg = frontend_.registrations_.front();
    EXPECT_EQ(reg.address(), address);
    ASSERT_EQ(reg.devices_size(), 1);
    EXPECT_EQ(reg.devices(0).device_id(), "gpu0");
    EXPECT_EQ(reg.devices(0).kind(), "emulated");
  }

  control::StartGletRequest start;
  start.set_protocol_version(control::PROTOCOL_VERSION_CURRENT);
  *start.mutable_spec() = EmulatedGlet("g1", 50);
  control::StartGletResponse started;
  grpc::Status s = stub_->StartGlet(Ctx().get(), start, &started);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(started.glet().state(), control::GletInfo::READY);
  EXPECT_EQ(started.glet().slice(), "emulated:ref-gpu:50");
  const std::string proxy_address = started.glet().proxy_address();
  const pid_t first_pid = static_cast<pid_t>(started.glet().proxy_pid());
  ASSERT_GT(first_pid, 0);

  control::RunBatchResponse batch;
  s = RunLenetBatch(proxy_address, "lenet1", 3, &batch);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(batch.results_size(), 3);
  EXPECT_EQ(batch.results(2).code(), 0);
  EXPECT_EQ(batch.output().shape(0), 3);
  EXPECT_GT(batch.compute_ms(), 0);
  // The next report carries the proxy's counters.
  EXPECT_TRUE(frontend_.AwaitCounters([](const std::vector<GletCounters>& c) {
    return c.size() == 1 && c[0].glet_id == "g1" && c[0].totals.batches == 1 &&
           c[0].totals.items == 3 && c[0].totals.requests_served == 3 &&
           c[0].totals.compute_ms_sum > 0 && c[0].restarts == 0;
  }));

  // Starting the same glet again is refused.
  control::StartGletResponse again;
  s = stub_->StartGlet(Ctx().get(), start, &again);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);

  // Kill the proxy: the backend notices, restarts it and reports it READY again.
  ASSERT_EQ(kill(first_pid, SIGKILL), 0);
  ASSERT_TRUE(frontend_.AwaitGlets([&](const std::vector<GletInfo>& glets) {
    return glets.size() == 1 && glets[0].state == GletState::kReady && glets[0].restarts == 1 &&
           glets[0].proxy_pid != first_pid && glets[0].proxy_pid > 0;
  }));
  control::ListGletsRequest list_req;
  list_req.set_protocol_version(control::PROTOCOL_VERSION_CURRENT);
  control::ListGletsResponse list;
  ASSERT_TRUE(stub_->ListGlets(Ctx().get(), list_req, &list).ok());
  ASSERT_EQ(list.glets_size(), 1);
  const pid_t second_pid = static_cast<pid_t>(list.glets(0).proxy_pid());
  EXPECT_TRUE(ProcessGone(first_pid, std::chrono::milliseconds(0)));
  s = RunLenetBatch(list.glets(0).proxy_address(), "lenet1", 2, &batch);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(batch.results_size(), 2);
  // Totals survive the restart: the first proxy's batch plus the second's.
  EXPECT_TRUE(frontend_.AwaitCounters([](const std::vector<GletCounters>& c) {
    return c.size() == 1 && c[0].totals.batches == 2 && c[0].totals.items == 5 &&
           c[0].restarts == 1;
  }));

  // SIGTERM: the backend stops its proxy and exits 0, leaving no process behind.
  backend_->Signal(SIGTERM);
  ASSERT_TRUE(backend_->WaitForExit(seconds(30)));
  EXPECT_EQ(ChildProcess::DescribeWaitStatus(*backend_->wait_status()), "exited with code 0");
  EXPECT_TRUE(ProcessGone(second_pid, std::chrono::milliseconds(0)));
}

TEST_F(BackendProcessTest, ApplyPlanStopGletAndReRegistration) {
  StartBackend();
  ASSERT_TRUE(frontend_.Await([&] { return frontend_.heartbeats_ > 0; }));

  control::ApplyPlanRequest plan;
  plan.set_protocol_version(control::PROTOCOL_VERSION_CURRENT);
  plan.set_plan_epoch(1);
  *plan.add_glets() = EmulatedGlet("a", 40);
  *plan.add_glets() = EmulatedGlet("b", 60, {"lenet2", "lenet3"});  // time-shared
  control::ApplyPlanResponse applied;
  grpc::Status s = stub_->ApplyPlan(Ctx().get(), plan, &applied);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(applied.glets_size(), 2);
  const int64_t a_pid = applied.glets(0).proxy_pid();
  const int64_t b_pid = applied.glets(1).proxy_pid();
  control::RunBatchResponse batch;
  ASSERT_TRUE(RunLenetBatch(applied.glets(1).proxy_address(), "lenet3", 1, &batch).ok());

  // Epoch 2 keeps a as it is, drops b, adds c.
  plan.set_plan_epoch(2);
  plan.clear_glets();
  *plan.add_glets() = EmulatedGlet("a", 40);
  *plan.add_glets() = EmulatedGlet("c", 20);
  s = stub_->ApplyPlan(Ctx().get(), plan, &applied);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(applied.glets_size(), 2);
  EXPECT_EQ(applied.glets(0).spec().glet_id(), "a");
  EXPECT_EQ(applied.glets(0).proxy_pid(), a_pid);  // untouched
  EXPECT_EQ(applied.glets(1).spec().glet_id(), "c");
  EXPECT_TRUE(ProcessGone(static_cast<pid_t>(b_pid), std::chrono::milliseconds(0)));

  // Over 100% of the device: refused, nothing changes. Older epoch: refused.
  plan.set_plan_epoch(3);
  *plan.add_glets() = EmulatedGlet("d", 50);
  s = stub_->ApplyPlan(Ctx().get(), plan, &applied);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(s.error_message(), HasSubstr("device 'gpu0': glets a, c, d take 110%"));
  plan.set_plan_epoch(1);
  s = stub_->ApplyPlan(Ctx().get(), plan, &applied);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);

  control::StopGletRequest stop;
  stop.set_protocol_version(control::PROTOCOL_VERSION_CURRENT);
  stop.set_glet_id("a");
  stop.set_drain(true);
  control::StopGletResponse stopped;
  ASSERT_TRUE(stub_->StopGlet(Ctx().get(), stop, &stopped).ok());
  EXPECT_TRUE(ProcessGone(static_cast<pid_t>(a_pid), std::chrono::milliseconds(0)));
  s = stub_->StopGlet(Ctx().get(), stop, &stopped);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);

  // The frontend forgets the backend: the next heartbeat is NOT_FOUND and it registers again.
  frontend_.Forget();
  ASSERT_TRUE(frontend_.Await([&] { return frontend_.registrations_.size() >= 2; }));
}

TEST_F(BackendProcessTest, ProxiesDieWithAKilledBackend) {
  StartBackend();
  control::StartGletRequest start;
  start.set_protocol_version(control::PROTOCOL_VERSION_CURRENT);
  *start.mutable_spec() = EmulatedGlet("g1", 50);
  control::StartGletResponse started;
  ASSERT_TRUE(stub_->StartGlet(Ctx().get(), start, &started).ok());
  const pid_t proxy_pid = static_cast<pid_t>(started.glet().proxy_pid());
  backend_->Signal(SIGKILL);
  ASSERT_TRUE(backend_->WaitForExit(seconds(30)));
  // The proxy sees its stdin close and shuts down on its own.
  EXPECT_TRUE(ProcessGone(proxy_pid, std::chrono::milliseconds(30000)));
}

TEST(ProxyProcessTest, ServesAnnouncesItsPortAndExitsZeroOnSigterm) {
  auto child = ChildProcess::Spawn(
      {{testing::GletBinary(), "proxy", "--slice", "emulated:ref-gpu:50", "--models",
        "lenet1,lenet2", "--listen", "127.0.0.1:0", "--glet-id", "solo"},
       {}});
  ASSERT_TRUE(child.ok()) << child.status().ToString();
  auto address = (*child)->AwaitLine("listening: ", seconds(60));
  ASSERT_TRUE(address.ok()) << address.status().ToString();
  EXPECT_THAT(*address, HasSubstr("127.0.0.1:"));
  control::RunBatchResponse batch;
  grpc::Status s = RunLenetBatch(*address, "lenet2", 2, &batch);
  ASSERT_TRUE(s.ok()) << s.error_message();
  s = RunLenetBatch(*address, "lenet3", 1, &batch);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("model 'lenet3' is not loaded"));
  (*child)->Signal(SIGTERM);
  ASSERT_TRUE((*child)->WaitForExit(seconds(30)));
  EXPECT_EQ(ChildProcess::DescribeWaitStatus(*(*child)->wait_status()), "exited with code 0");
}

TEST(ServeCliTest, BadFlagsExitTwoNamingTheFlag) {
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"proxy", "--slice", "gpu:1"}, "--slice"},
      {{"proxy", "--slice", "emulated:ref-gpu:50", "--listen", "nonsense"}, "--listen"},
      {{"proxy", "--slice", "emulated:ref-gpu:50", "--models", "nosuch"}, "--models"},
      {{"proxy", "--slice", "emulated:nosuchprofile:50"}, "--slice"},
      {{"backend", "--node", "/nonexistent/node.json", "--listen", "127.0.0.1:0"}, "--node"},
      {{"backend", "--node", testing::SourcePath("resource/devices/local-cpu.json"), "--frontend",
        "nohost"},
       "--frontend"},
      {{"backend", "--node", testing::SourcePath("resource/devices/local-cpu.json"), "--listen",
        "127.0.0.1:0", "--proxy-bin", "/nonexistent/glet"},
       "--proxy-bin"},
      {{"frontend", "--config", testing::SourcePath("resource/serve/test-steady.json"), "--http",
        "127.0.0.1:0", "--grpc", "127.0.0.1:0", "--control", "127.0.0.1:0", "--grpc-threads", "0"},
       "--grpc-threads"},
  };
  for (const Case& c : cases) {
    testing::CommandResult r = testing::RunGlet(c.args, 60);
    EXPECT_EQ(r.exit_code, 2) << c.message << ": " << r.err;
    EXPECT_THAT(r.err, HasSubstr(c.message));
    EXPECT_EQ(r.out, "");
  }
  testing::CommandResult help = testing::RunGlet({"backend", "--help"}, 60);
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_THAT(help.out, HasSubstr("--frontend"));
}

// Issue 17: gRPC's default SO_REUSEPORT let a second process bind a port in use and take a share
// of its new connections. Every listener binds exclusively: the second process exits 2 naming
// the address.
TEST(BackendProxyCliTest, PortInUseIsRefusedOnEveryGrpcListener) {
  testing::GletDeployment d({testing::GletBinary(), {}});
  ASSERT_TRUE(d.StartFrontend(testing::SourcePath("resource/serve/test-steady.json")).ok());
  const std::string config = testing::SourcePath("resource/serve/test-steady.json");
  const std::string node = testing::SourcePath("resource/devices/local-cpu.json");
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"frontend", "--config", config, "--http", "127.0.0.1:0", "--grpc", d.grpc(), "--control",
        "127.0.0.1:0"},
       "--grpc: cannot listen on " + d.grpc()},
      {{"frontend", "--config", config, "--http", "127.0.0.1:0", "--grpc", "127.0.0.1:0",
        "--control", d.control()},
       "--control: cannot listen on " + d.control()},
      {{"backend", "--node", node, "--listen", d.grpc()}, "--listen " + d.grpc()},
      {{"proxy", "--slice", "emulated:ref-gpu:50", "--listen", d.control()},
       "--listen " + d.control()},
  };
  for (const Case& c : cases) {
    testing::CommandResult r = testing::RunGlet(c.args, 60);
    EXPECT_EQ(r.exit_code, 2) << c.message << ": " << r.err;
    EXPECT_THAT(r.err, HasSubstr(c.message));
  }
}

// The Backend core class in this process, with real proxies: counters polled from the proxies
// add up over a restart.
TEST(BackendCoreTest, PolledCountersAddUpOverProxyRestarts) {
  testing::TempDir dir;
  auto node = model::LoadNodeSpec(dir.WriteFile("node.json", kEmulatedNode));
  ASSERT_TRUE(node.ok()) << node.status().ToString();
  auto manifest = model::ModelManifest::Load(testing::SourcePath("resource/models.json"));
  ASSERT_TRUE(manifest.ok());
  BackendOptions options;
  options.proxy_binary = testing::GletBinary();
  options.restart_backoff = std::chrono::milliseconds(10);
  auto backend = Backend::Create(*node, *manifest, options);
  ASSERT_TRUE(backend.ok()) << backend.status().ToString();
  auto info = (*backend)->StartGlet(GletSpecFromProto(EmulatedGlet("g", 100)));
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  std::vector<GletCounters> c = (*backend)->PollCounters(seconds(10));
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].glet_id, "g");
  EXPECT_EQ(c[0].totals, ProxyStats{});  // the warm-up batch is not counted

  control::RunBatchResponse batch;
  ASSERT_TRUE(RunLenetBatch(info->proxy_address, "lenet1", 3, &batch).ok());
  c = (*backend)->PollCounters(seconds(10));
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].totals.batches, 1);
  EXPECT_EQ(c[0].totals.items, 3);
  EXPECT_EQ(c[0].totals.requests_served, 3);
  EXPECT_DOUBLE_EQ(c[0].totals.compute_ms_sum, batch.compute_ms());

  ASSERT_EQ(kill(static_cast<pid_t>(info->proxy_pid), SIGKILL), 0);
  std::string address;
  ASSERT_TRUE((*backend)->WaitFor(
      [&](const std::vector<GletInfo>& glets) {
        address = glets.at(0).proxy_address;
        return glets.at(0).state == GletState::kReady && glets.at(0).restarts == 1;
      },
      seconds(60)));
  ASSERT_TRUE(RunLenetBatch(address, "lenet1", 2, &batch).ok());
  c = (*backend)->PollCounters(seconds(10));
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].totals.batches, 2);
  EXPECT_EQ(c[0].totals.items, 5);
  EXPECT_EQ(c[0].totals.requests_served, 5);
  EXPECT_EQ(c[0].restarts, 1);
  (*backend)->StopAll();
}

// The Backend core class in this process, with real proxies: a glet whose proxy keeps dying
// ends FAILED once restarts run out.
TEST(BackendCoreTest, GivesUpAfterMaxRestarts) {
  testing::TempDir dir;
  auto node = model::LoadNodeSpec(dir.WriteFile("node.json", kEmulatedNode));
  ASSERT_TRUE(node.ok()) << node.status().ToString();
  auto manifest = model::ModelManifest::Load(testing::SourcePath("resource/models.json"));
  ASSERT_TRUE(manifest.ok());
  BackendOptions options;
  options.proxy_binary = testing::GletBinary();
  options.max_restarts = 1;
  options.restart_backoff = std::chrono::milliseconds(10);
  auto backend = Backend::Create(*node, *manifest, options);
  ASSERT_TRUE(backend.ok()) << backend.status().ToString();
  auto info = (*backend)->StartGlet(GletSpecFromProto(EmulatedGlet("g", 100)));
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  ASSERT_EQ(kill(static_cast<pid_t>(info->proxy_pid), SIGKILL), 0);
  // First death: restarted once.
  int64_t pid = 0;
  ASSERT_TRUE((*backend)->WaitFor(
      [&](const std::vector<GletInfo>& glets) {
        pid = glets.at(0).proxy_pid;
        return glets.at(0).state == GletState::kReady && glets.at(0).restarts == 1 && pid > 0 &&
               pid != info->proxy_pid;
      },
      seconds(60)));
  ASSERT_EQ(kill(static_cast<pid_t>(pid), SIGKILL), 0);
  // Second death: out of restarts.
  std::string error;
  ASSERT_TRUE((*backend)->WaitFor(
      [&](const std::vector<GletInfo>& glets) {
        error = glets.at(0).error;
        return glets.at(0).state == GletState::kFailed;
      },
      seconds(60)));
  EXPECT_THAT(error, HasSubstr("proxy killed by signal 9"));
  EXPECT_THAT(error, HasSubstr("gave up after 1 restarts"));
  // A plan naming the failed glet again starts it afresh.
  auto applied = (*backend)->ApplyPlan(1, {GletSpecFromProto(EmulatedGlet("g", 100))});
  ASSERT_TRUE(applied.ok()) << applied.status().ToString();
  EXPECT_EQ(applied->at(0).state, GletState::kReady);
  (*backend)->StopAll();
  EXPECT_TRUE((*backend)->ListGlets().empty());
}

}  // namespace
}  // namespace glet::serve
