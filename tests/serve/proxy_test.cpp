// Tests for serve::Proxy (the core of `glet proxy`) without a network: emulated slices timed by a
// ManualClock (exact, instant latencies from resource/profiles/ref-gpu), plus one real TorchScript
// lenet on a cpu slice; and ProxyServer over a real gRPC server on 127.0.0.1:0.
#include "serve/proxy.h"

#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <future>
#include <memory>
#include <thread>
#include <utility>

#include "core/file_util.h"
#include "perf/emulation.h"
#include "serve/cq_run_loop.h"
#include "serve/proxy_channel.h"
#include "serve/proxy_service.h"
#include "serve/tensor_proto.h"
#include "testing/test_util.h"

namespace glet::serve {
namespace {

using ::testing::HasSubstr;

// Wraps a ManualClock and lets a test wait (with a deadline) until some thread has read the
// clock or started sleeping on it a given number of times.
class ObservedClock final : public Clock {
 public:
  TimePoint Now() const override {
    const TimePoint t = inner_.Now();  // read before counting, so a waiter sees a taken time
    Bump(&now_calls_);
    return t;
  }
  void SleepUntil(TimePoint t) override {
    Bump(&sleep_calls_);
    inner_.SleepUntil(t);
  }
  void Advance(Duration d) { inner_.Advance(d); }
  int now_calls() const {
    std::lock_guard<std::mutex> lock(mu_);
    return now_calls_;
  }
  // True once Now() was called more than `n` times (waits up to 10 s).
  bool AwaitNowCallsAbove(int n) const { return Await(&now_calls_, n); }
  bool AwaitSleepCallsAbove(int n) const { return Await(&sleep_calls_, n); }
  int sleep_calls() const {
    std::lock_guard<std::mutex> lock(mu_);
    return sleep_calls_;
  }

 private:
  void Bump(int* counter) const {
    std::lock_guard<std::mutex> lock(mu_);
    ++*counter;
    cv_.notify_all();
  }
  bool Await(const int* counter, int n) const {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(10), [&] { return *counter > n; });
  }
  ManualClock inner_;
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  mutable int now_calls_ = 0;
  mutable int sleep_calls_ = 0;
};

model::ModelManifest Manifest() {
  auto manifest = model::ModelManifest::Load(testing::SourcePath("resource/models.json"));
  EXPECT_TRUE(manifest.ok()) << manifest.status().ToString();
  return *manifest;
}

std::unique_ptr<Proxy> EmulatedProxy(Clock& clock, const std::string& slice = "emulated:ref-gpu:50",
                                     const Proxy::RunnerFactory& runner = nullptr) {
  auto spec = device::SliceSpec::Parse(slice);
  EXPECT_TRUE(spec.ok()) << spec.status().ToString();
  auto made = perf::MakeSlice(*spec, &clock);
  EXPECT_TRUE(made.ok()) << made.status().ToString();
  auto proxy = Proxy::Create(std::move(*made), Manifest(), "", clock, runner);
  EXPECT_TRUE(proxy.ok()) << proxy.status().ToString();
  return std::move(*proxy);
}

model::Tensor LenetInput(int64_t rows, uint64_t seed = 3) {
  return model::MakeRandomInput({"input", model::DType::kFloat32, {1, 28, 28}}, rows, seed);
}

double ProfileMs(const std::string& model, int partition, int batch) {
  auto profile = perf::LoadNamedProfile("ref-gpu");
  EXPECT_TRUE(profile.ok()) << profile.status().ToString();
  auto ms = (*profile)->LatencyMs(model, partition, batch);
  EXPECT_TRUE(ms.ok()) << ms.status().ToString();
  return *ms;
}

TEST(ProxyTest, RunsABatchAndReportsEachItemServed) {
  ManualClock clock(/*auto_advance=*/true);
  auto proxy = EmulatedProxy(clock);
  ASSERT_TRUE(proxy->LoadModel("lenet1").ok());
  EXPECT_EQ(proxy->LoadedModels(), std::vector<std::string>{"lenet1"});
  auto result = proxy->RunBatch("lenet1", LenetInput(4), {{11, 1, 0}, {12, 2, 50}, {13, 1, 0}});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->output.shape(), (std::vector<int64_t>{4, 10}));
  ASSERT_EQ(result->items.size(), 3u);
  EXPECT_EQ(result->items[1].request_id, 12u);
  for (const ProxyItemResult& item : result->items) {
    EXPECT_TRUE(item.status.ok()) << item.status.ToString();
    EXPECT_FALSE(item.drop_reason.has_value());
  }
  EXPECT_DOUBLE_EQ(result->compute_ms, ProfileMs("lenet1", 50, 4));
  EXPECT_DOUBLE_EQ(result->queue_ms, 0);
  ProxyStats stats = proxy->stats();
  EXPECT_EQ(stats.batches, 1);
  EXPECT_EQ(stats.items, 4);
  EXPECT_EQ(stats.requests_served, 3);
  EXPECT_DOUBLE_EQ(stats.compute_ms_sum, ProfileMs("lenet1", 50, 4));
}

TEST(ProxyTest, LoadingTwiceIsOkAndWarmUpRunsOneBatch) {
  ManualClock clock(/*auto_advance=*/true);
  auto proxy = EmulatedProxy(clock);
  auto first = proxy->LoadModel("lenet1", /*max_batch_size=*/8);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_DOUBLE_EQ(*first, ProfileMs("lenet1", 50, 8));  // emulated load is the warm-up batch
  auto again = proxy->LoadModel("lenet1", 8);
  ASSERT_TRUE(again.ok());
  EXPECT_DOUBLE_EQ(*again, 0);
}

TEST(ProxyTest, LoadErrorsNameTheModel) {
  ManualClock clock(/*auto_advance=*/true);
  auto proxy = EmulatedProxy(clock);
  auto unknown = proxy->LoadModel("nosuch");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(unknown.status().message(), HasSubstr("nosuch"));
  auto too_big = proxy->LoadModel("lenet1", 33);
  ASSERT_FALSE(too_big.ok());
  EXPECT_EQ(too_big.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(too_big.status().message(), HasSubstr("model 'lenet1': max_batch_size 33"));
}

TEST(ProxyTest, UnloadedOrUnknownModelIsFailedPreconditionNamingIt) {
  ManualClock clock(/*auto_advance=*/true);
  auto proxy = EmulatedProxy(clock);
  ASSERT_TRUE(proxy->LoadModel("lenet1").ok());
  auto r = proxy->RunBatch("lenet2", LenetInput(1), {{1, 1, 0}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(r.status().message(), HasSubstr("model 'lenet2' is not loaded on this glet"));
  EXPECT_THAT(r.status().message(), HasSubstr("loaded: lenet1"));

  ASSERT_TRUE(proxy->UnloadModel("lenet1").ok());
  r = proxy->RunBatch("lenet1", LenetInput(1), {{1, 1, 0}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  Status again = proxy->UnloadModel("lenet1");
  EXPECT_EQ(again.code(), StatusCode::kNotFound);
  EXPECT_THAT(again.message(), HasSubstr("lenet1"));
}

TEST(ProxyTest, BadBatchesAreInvalidArgumentAndRunNothing) {
  ManualClock clock(/*auto_advance=*/true);
  auto proxy = EmulatedProxy(clock);
  ASSERT_TRUE(proxy->LoadModel("lenet1").ok());
  // Wrong item shape.
  auto r =
      proxy->RunBatch("lenet1", model::Tensor(model::DType::kFloat32, {2, 3, 28, 28}), {{1, 2, 0}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("model 'lenet1': batch input"));
  // Wrong dtype.
  r = proxy->RunBatch("lenet1", model::Tensor(model::DType::kInt64, {1, 1, 28, 28}), {{1, 1, 0}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  // Rows do not add up.
  r = proxy->RunBatch("lenet1", LenetInput(3), {{1, 1, 0}, {2, 1, 0}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("items own 2 rows but the batch input has 3"));
  // n < 1.
  r = proxy->RunBatch("lenet1", LenetInput(1), {{7, 0, 0}, {8, 1, 0}});
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("item 0 (request 7): n must be >= 1 (got 0)"));
  // No items.
  r = proxy->RunBatch("lenet1", LenetInput(1), {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(proxy->stats().batches, 0);
}

TEST(ProxyTest, DropsItemsPastTheirDeadlineAndRunsTheRest) {
  ManualClock clock(/*auto_advance=*/true);
  auto proxy = EmulatedProxy(clock);
  ASSERT_TRUE(proxy->LoadModel("lenet1").ok());
  model::Tensor input = LenetInput(3);
  auto r = proxy->RunBatch("lenet1", input, {{1, 1, 0}, {2, 1, -1}, {3, 1, 0}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->items[0].status.ok());
  EXPECT_EQ(r->items[1].status.code(), StatusCode::kDeadlineExceeded);
  EXPECT_EQ(r->items[1].drop_reason, DropReason::kDeadlineExpired);
  EXPECT_THAT(r->items[1].status.message(), HasSubstr("request 2: dropped (deadline_expired)"));
  EXPECT_TRUE(r->items[2].status.ok());
  // Only the two live rows ran.
  EXPECT_DOUBLE_EQ(r->compute_ms, ProfileMs("lenet1", 50, 2));
  EXPECT_EQ(proxy->stats().requests_dropped, 1);
  EXPECT_EQ(proxy->stats().items, 2);

  auto all_dropped = proxy->RunBatch("lenet1", LenetInput(1), {{4, 1, -5}});
  ASSERT_TRUE(all_dropped.ok());
  EXPECT_DOUBLE_EQ(all_dropped->compute_ms, 0);
  EXPECT_EQ(all_dropped->output.shape(), (std::vector<int64_t>{1, 10}));
}

TEST(ProxyTest, SecondBatchWaitsForTheFirstAndCountsItAsQueueTime) {
  ObservedClock clock;
  auto proxy = EmulatedProxy(clock);
  ASSERT_TRUE(proxy->LoadModel("lenet1").ok());
  const int sleeps = clock.sleep_calls();
  Result<ProxyBatchResult> first = InternalError("not run");
  Result<ProxyBatchResult> second = InternalError("not run");
  std::thread a([&] { first = proxy->RunBatch("lenet1", LenetInput(4), {{1, 4, 0}}); });
  ASSERT_TRUE(clock.AwaitSleepCallsAbove(sleeps));  // a's batch is running
  const int reads = clock.now_calls();
  // b's deadline (1 ms) is longer than a's batch, so b still runs after waiting.
  std::thread b([&] { second = proxy->RunBatch("lenet1", LenetInput(1), {{2, 1, 1.0}}); });
  ASSERT_TRUE(clock.AwaitNowCallsAbove(reads));  // b has taken its arrival time
  const Duration a_ms = FromMillis(ProfileMs("lenet1", 50, 4));
  clock.Advance(a_ms);
  ASSERT_TRUE(clock.AwaitSleepCallsAbove(sleeps + 1));  // b's batch is running
  clock.Advance(FromMillis(ProfileMs("lenet1", 50, 1)));
  a.join();
  b.join();
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_DOUBLE_EQ(first->queue_ms, 0);
  EXPECT_DOUBLE_EQ(second->queue_ms, ToMillis(a_ms));
  EXPECT_TRUE(second->items[0].status.ok());
}

TEST(ProxyTest, ShutdownRefusesNewBatches) {
  ManualClock clock(/*auto_advance=*/true);
  auto proxy = EmulatedProxy(clock);
  ASSERT_TRUE(proxy->LoadModel("lenet1").ok());
  proxy->Shutdown();
  proxy->Shutdown();
  auto r = proxy->RunBatch("lenet1", LenetInput(1), {{1, 1, 0}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
}

TEST(ProxyTest, RealLenetOnACpuSlice) {
  const std::string path = testing::ModelPath("lenet.pt");
  if (!FileExists(path)) {
    GTEST_SKIP() << path << " missing: run scripts/setup.sh (it exports models)";
  }
  auto spec = device::SliceSpec::Parse("cpu:0");
  ASSERT_TRUE(spec.ok());
  auto made = perf::MakeSlice(*spec);
  ASSERT_TRUE(made.ok()) << made.status().ToString();
  auto proxy = Proxy::Create(std::move(*made), Manifest(), ModelCacheDir(), SystemClock::Get());
  ASSERT_TRUE(proxy.ok()) << proxy.status().ToString();
  ASSERT_TRUE((*proxy)->LoadModel("lenet", 2).ok());
  model::Tensor input = LenetInput(3, /*seed=*/9);
  auto whole = (*proxy)->RunBatch("lenet", input, {{1, 1, 0}, {2, 2, 0}});
  ASSERT_TRUE(whole.ok()) << whole.status().ToString();
  ASSERT_EQ(whole->output.shape(), (std::vector<int64_t>{3, 10}));
  // With item 1 dropped, item 2's rows come out the same as when the whole batch ran.
  auto part = (*proxy)->RunBatch("lenet", input, {{1, 1, -1}, {2, 2, 0}});
  ASSERT_TRUE(part.ok()) << part.status().ToString();
  const float* w = whole->output.data_as<float>();
  const float* p = part->output.data_as<float>();
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(p[i], 0.0f);
  }
  for (int i = 10; i < 30; ++i) {
    EXPECT_NEAR(p[i], w[i], 1e-4);
  }
}

// ProxyServer over a real server on 127.0.0.1:0, its queue driven by the proxy's runner.
class ProxyServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ProxyServer>("127.0.0.1:0");
    proxy_ = EmulatedProxy(clock_, "emulated:ref-gpu:50", server_->runner_factory());
    Result<int> port = server_->Start(*proxy_);
    ASSERT_TRUE(port.ok()) << port.status().ToString();
    port_ = *port;
    stub_ = control::Proxy::NewStub(grpc::CreateChannel("127.0.0.1:" + std::to_string(port_),
                                                        grpc::InsecureChannelCredentials()));
  }
  void TearDown() override {
    server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
    proxy_->Shutdown();
  }
  grpc::Status Load(const std::string& model,
                    uint32_t version = control::PROTOCOL_VERSION_CURRENT) {
    control::LoadModelRequest req;
    req.set_protocol_version(version);
    req.set_model(model);
    control::LoadModelResponse resp;
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    return stub_->LoadModel(&ctx, req, &resp);
  }

  ManualClock clock_{/*auto_advance=*/true};
  std::unique_ptr<ProxyServer> server_;  // declared first: destroyed after the proxy's runner
  std::unique_ptr<Proxy> proxy_;
  int port_ = 0;
  std::unique_ptr<control::Proxy::Stub> stub_;
};

TEST_F(ProxyServiceTest, RunBatchOverGrpc) {
  ASSERT_TRUE(Load("lenet1").ok());
  control::RunBatchRequest req;
  req.set_protocol_version(control::PROTOCOL_VERSION_CURRENT);
  req.set_model("lenet1");
  req.set_batch_id(77);
  TensorToProto(LenetInput(2), req.mutable_input());
  for (uint64_t id : {5u, 6u}) {
    control::BatchItem* item = req.add_items();
    item->set_request_id(id);
    item->set_n(1);
  }
  req.mutable_items(1)->set_deadline_in_ms(-1);
  control::RunBatchResponse resp;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  grpc::Status s = stub_->RunBatch(&ctx, req, &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(resp.batch_id(), 77u);
  EXPECT_EQ(resp.output().shape_size(), 2);
  EXPECT_EQ(resp.output().raw().size(), 2u * 10 * 4);
  ASSERT_EQ(resp.results_size(), 2);
  EXPECT_EQ(resp.results(0).code(), 0);
  EXPECT_EQ(resp.results(1).code(), static_cast<int>(StatusCode::kDeadlineExceeded));
  EXPECT_EQ(resp.results(1).drop_reason(), "deadline_expired");
  EXPECT_DOUBLE_EQ(resp.compute_ms(), ProfileMs("lenet1", 50, 1));

  // The proxy's counters, as its backend polls them.
  control::GetStatsRequest stats_req;
  stats_req.set_protocol_version(control::PROTOCOL_VERSION_CURRENT);
  control::GetStatsResponse stats;
  grpc::ClientContext stats_ctx;
  s = stub_->GetStats(&stats_ctx, stats_req, &stats);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(stats.stats().batches(), 1);
  EXPECT_EQ(stats.stats().items(), 1);
  EXPECT_EQ(stats.stats().requests_served(), 1);
  EXPECT_EQ(stats.stats().requests_dropped(), 1);
  EXPECT_DOUBLE_EQ(stats.stats().compute_ms_sum(), ProfileMs("lenet1", 50, 1));
}

// A batch stamped as sent from this host counts the time since it was sent as queueing: an item
// whose deadline passed meanwhile is dropped even though the call itself just arrived; a stamp
// from another host is ignored (its clock is not ours).
TEST_F(ProxyServiceTest, SameHostSendStampCountsAsQueueing) {
  ASSERT_TRUE(Load("lenet1").ok());
  auto run = [&](const std::string& clock_host) {
    control::RunBatchRequest req;
    req.set_protocol_version(control::PROTOCOL_VERSION_CURRENT);
    req.set_model("lenet1");
    TensorToProto(LenetInput(2), req.mutable_input());
    for (uint64_t id : {1u, 2u}) {
      control::BatchItem* item = req.add_items();
      item->set_request_id(id);
      item->set_n(1);
    }
    req.mutable_items(0)->set_deadline_in_ms(50);       // had 50 ms left when sent
    req.mutable_items(1)->set_deadline_in_ms(600'000);  // plenty
    const Duration ago = std::chrono::milliseconds(200);
    req.set_sent_steady_ns((SystemClock::Get().Now() - ago).time_since_epoch().count());
    req.set_clock_host(clock_host);
    control::RunBatchResponse resp;
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    grpc::Status s = stub_->RunBatch(&ctx, req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp;
  };
  ASSERT_FALSE(SystemClock::HostId().empty());
  control::RunBatchResponse here = run(SystemClock::HostId());
  ASSERT_EQ(here.results_size(), 2);
  EXPECT_EQ(here.results(0).drop_reason(), "deadline_expired");
  EXPECT_EQ(here.results(1).code(), 0);
  EXPECT_GE(here.queue_ms(), 200.0);

  control::RunBatchResponse elsewhere = run("another-host");
  ASSERT_EQ(elsewhere.results_size(), 2);
  EXPECT_EQ(elsewhere.results(0).code(), 0);
  EXPECT_EQ(elsewhere.results(1).code(), 0);
  EXPECT_LT(elsewhere.queue_ms(), 200.0);
}

// ProxyChannel (the frontend's side) against the same server: blocking and over a completion
// queue driven by a CqRunLoop, where the answer reaches `done` on the loop thread.
TEST_F(ProxyServiceTest, ProxyChannelBlockingAndAsyncAgree) {
  ASSERT_TRUE(Load("lenet1").ok());
  const std::string address = "127.0.0.1:" + std::to_string(port_);
  SystemClock& clock = SystemClock::Get();
  const model::Tensor input = LenetInput(3);
  const std::vector<BatchItemInfo> items = {{11, 1}, {12, 2}};
  const TimePoint deadline = clock.Now() + std::chrono::seconds(10);

  ProxyChannel blocking(address, clock);
  EXPECT_TRUE(blocking.blocking());
  Result<BatchResult> direct = blocking.RunBatch("lenet1", input, items, deadline);
  ASSERT_TRUE(direct.ok()) << direct.status().ToString();
  EXPECT_EQ(direct->output.shape()[0], 3);

  grpc::ServerBuilder builder;  // only for a queue
  std::unique_ptr<grpc::ServerCompletionQueue> cq = builder.AddCompletionQueue();
  std::thread::id loop_thread;
  auto loop = CqRunLoop::Start(
      "test-loop",
      [&] {
        loop_thread = std::this_thread::get_id();
        return Status::Ok();
      },
      cq.get());
  ASSERT_TRUE(loop.ok());
  ProxyChannel async(address, clock, std::chrono::seconds(2), cq.get());
  EXPECT_FALSE(async.blocking());
  std::promise<std::pair<Result<BatchResult>, std::thread::id>> answered;
  async.RunBatchAsync("lenet1", input, items, deadline, [&](Result<BatchResult> r) {
    answered.set_value({std::move(r), std::this_thread::get_id()});
  });
  auto [result, on] = answered.get_future().get();
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(on, loop_thread);
  ASSERT_EQ(result->output.byte_size(), direct->output.byte_size());
  EXPECT_EQ(std::memcmp(result->output.data(), direct->output.data(), direct->output.byte_size()),
            0);

  // A proxy that is gone: kUnavailable, through the same path.
  server_->Shutdown(std::chrono::system_clock::now());
  std::promise<Result<BatchResult>> failed;
  async.RunBatchAsync("lenet1", input, items, deadline,
                      [&](Result<BatchResult> r) { failed.set_value(std::move(r)); });
  Result<BatchResult> gone = failed.get_future().get();
  EXPECT_EQ(gone.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(gone.status().message(), HasSubstr("proxy " + address));
  (*loop)->Stop();
}

TEST_F(ProxyServiceTest, ErrorsTravelAsGrpcStatus) {
  grpc::Status s = Load("lenet1", /*version=*/0);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("protocol_version 0"));
  s = Load("nosuch");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);

  control::RunBatchRequest req;
  req.set_protocol_version(control::PROTOCOL_VERSION_CURRENT);
  req.set_model("lenet1");
  req.mutable_input()->set_dtype("FP32");
  req.mutable_input()->add_shape(1);
  req.mutable_input()->set_raw("abc");
  control::RunBatchResponse resp;
  grpc::ClientContext ctx;
  s = stub_->RunBatch(&ctx, req, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("model 'lenet1': input: raw holds 3 bytes"));

  control::GetStatsRequest stats_req;  // protocol_version unset
  control::GetStatsResponse stats;
  grpc::ClientContext stats_ctx;
  s = stub_->GetStats(&stats_ctx, stats_req, &stats);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
}

}  // namespace
}  // namespace glet::serve
