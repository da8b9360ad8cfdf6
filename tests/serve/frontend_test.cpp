// Frontend core with in-process glets (emulated slices timed by the ref-gpu profile in real
// time, or a channel that fails like a dead proxy): accounting, dropping, re-routing, apps,
// make-before-break routing changes and shutdown.
#include "serve/frontend.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>

#include "perf/emulation.h"
#include "serve/local_glet_channel.h"
#include "testing/test_util.h"

namespace glet::serve {
namespace {

model::ModelManifest Manifest() {
  auto m = model::ModelManifest::Load(testing::SourcePath("resource/models.json"));
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  return *m;
}

// Collects results of async requests.
class Results {
 public:
  InferCallback Callback() {
    return [this](InferResult r) {
      std::lock_guard<std::mutex> lock(mu_);
      results_.push_back(std::move(r));
      cv_.notify_all();
    };
  }
  // Waits (bounded) until `n` results arrived.
  std::vector<InferResult> Wait(size_t n) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, std::chrono::seconds(60), [&] { return results_.size() >= n; });
    return results_;
  }
  size_t Count(RequestOutcome o) {
    std::lock_guard<std::mutex> lock(mu_);
    return std::count_if(results_.begin(), results_.end(),
                         [o](const InferResult& r) { return r.outcome == o; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<InferResult> results_;
};

class FailingChannel final : public GletChannel {
 public:
  Result<BatchResult> RunBatch(const std::string&, const model::Tensor&,
                               const std::vector<BatchItemInfo>&, TimePoint) override {
    ++calls;
    return UnavailableError("connection refused");
  }
  std::string address() const override { return "dead"; }
  std::atomic<int> calls{0};
};

class FrontendTest : public ::testing::Test {
 protected:
  void SetUp() override { manifest_ = Manifest(); }

  std::unique_ptr<Frontend> Make(std::vector<model::AppSpec> apps = {}) {
    FrontendOptions o;
    o.metrics = &metrics_;
    auto f = Frontend::Create(manifest_, std::move(apps), o);
    EXPECT_TRUE(f.ok()) << f.status().ToString();
    return std::move(*f);
  }

  // An in-process glet holding `models` on an emulated ref-gpu slice of `partition` percent.
  std::shared_ptr<LocalGletChannel> EmulatedGlet(const std::vector<std::string>& models,
                                                 int partition = 100) {
    auto channel = std::make_shared<LocalGletChannel>(SystemClock::Get());
    auto slice =
        perf::MakeSlice(*device::SliceSpec::Parse("emulated:ref-gpu:" + std::to_string(partition)));
    EXPECT_TRUE(slice.ok()) << slice.status().ToString();
    for (const std::string& name : models) {
      auto model = (*slice)->LoadModel(**manifest_.Find(name), "");
      EXPECT_TRUE(model.ok()) << model.status().ToString();
      channel->AddModel(std::move(*model));
    }
    return channel;
  }

  static GletRoute Route(const std::string& id, std::shared_ptr<GletChannel> channel, int batch = 8,
                         double duty_ms = 5, double latency_ms = 2, double rate = 100) {
    GletRoute r;
    r.glet_id = id;
    r.rate_rps = rate;
    r.batch_size = batch;
    r.duty_cycle = FromMillis(duty_ms);
    for (int b = 1; b <= batch; ++b) {
      r.batch_latency.push_back(FromMillis(latency_ms));
    }
    r.channel = std::move(channel);
    return r;
  }

  std::vector<NamedTensor> Input(const std::string& model, int n = 1) {
    const model::ModelSpec& spec = **manifest_.Find(model);
    return {{"", model::MakeRandomInput(spec.input, n, 3)}};
  }

  model::ModelManifest manifest_;
  MetricsRegistry metrics_;
};

TEST_F(FrontendTest, SteadyLoadIsServedAndCountedExactly) {
  auto f = Make();
  ASSERT_TRUE(f->ApplyRoutes({{"lenet1", {Route("g0", EmulatedGlet({"lenet1"}))}}}, 1).ok());
  EXPECT_TRUE(f->IsReady("lenet1"));
  EXPECT_TRUE(f->IsServerReady());
  Results results;
  constexpr int kRequests = 200;
  for (int i = 0; i < kRequests; ++i) {
    f->Infer("lenet1", Input("lenet1"), results.Callback());
  }
  auto all = results.Wait(kRequests);
  ASSERT_EQ(all.size(), static_cast<size_t>(kRequests));
  EXPECT_EQ(results.Count(RequestOutcome::kServed) + results.Count(RequestOutcome::kDropped) +
                results.Count(RequestOutcome::kFailed),
            static_cast<size_t>(kRequests));
  EXPECT_EQ(results.Count(RequestOutcome::kFailed), 0u);
  for (const InferResult& r : all) {
    if (r.outcome == RequestOutcome::kServed) {
      ASSERT_EQ(r.outputs.size(), 1u);
      EXPECT_EQ(r.outputs[0].tensor.shape(), (std::vector<int64_t>{1, 10}));
    }
  }
  EXPECT_EQ(metrics_.Sum("glet_requests_total", {{"model", "lenet1"}}), kRequests);
  EXPECT_EQ(metrics_.Value("glet_requests_total", {{"model", "lenet1"}, {"outcome", "served"}}),
            static_cast<double>(results.Count(RequestOutcome::kServed)));
  EXPECT_GT(results.Count(RequestOutcome::kServed), 0u);
}

TEST_F(FrontendTest, RequestThatCannotMeetItsSloIsDroppedAtOnceWithReason) {
  auto f = Make();
  // lenet1's SLO is 5 ms; this glet's batches are planned to take 50 ms.
  ASSERT_TRUE(
      f->ApplyRoutes({{"lenet1", {Route("g0", EmulatedGlet({"lenet1"}), 8, 5, 50)}}}, 1).ok());
  Results results;
  f->Infer("lenet1", Input("lenet1"), results.Callback());
  auto all = results.Wait(1);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].outcome, RequestOutcome::kDropped);
  ASSERT_TRUE(all[0].drop_reason.has_value());
  EXPECT_EQ(*all[0].drop_reason, DropReason::kSloUnreachable);
  EXPECT_NE(all[0].status.message().find("slo_unreachable"), std::string::npos);
  EXPECT_EQ(metrics_.Value("glet_requests_dropped_total",
                           {{"model", "lenet1"}, {"reason", "slo_unreachable"}}),
            1);
}

TEST_F(FrontendTest, FailedGletIsMarkedDownAndItsRequestsReRouted) {
  auto f = Make();
  auto dead = std::make_shared<FailingChannel>();
  ASSERT_TRUE(f->ApplyRoutes({{"resnet50",
                               {Route("dead", dead, 4, 20, 10, 100),
                                Route("alive", EmulatedGlet({"resnet50"}), 4, 20, 10, 100)}}},
                             1)
                  .ok());
  Results results;
  constexpr int kRequests = 20;
  for (int i = 0; i < kRequests; ++i) {
    f->Infer("resnet50", Input("resnet50"), results.Callback());
  }
  auto all = results.Wait(kRequests);
  ASSERT_EQ(all.size(), static_cast<size_t>(kRequests));
  EXPECT_EQ(results.Count(RequestOutcome::kFailed), 0u);
  EXPECT_EQ(results.Count(RequestOutcome::kServed) + results.Count(RequestOutcome::kDropped),
            static_cast<size_t>(kRequests));
  EXPECT_GE(dead->calls.load(), 1);
  EXPECT_GE(metrics_.Sum("glet_request_retries_total", {}), 1);
  EXPECT_EQ(metrics_.Value("glet_glet_up", {{"glet", "dead"}}), 0);
  EXPECT_TRUE(f->IsReady("resnet50"));  // the other glet still serves
}

TEST_F(FrontendTest, WhenEveryGletFailsRequestsFailExplicitly) {
  auto f = Make();
  auto dead = std::make_shared<FailingChannel>();
  ASSERT_TRUE(f->ApplyRoutes({{"resnet50", {Route("dead", dead, 8, 5, 2)}}}, 1).ok());
  Results results;
  f->Infer("resnet50", Input("resnet50"), results.Callback());
  f->Infer("resnet50", Input("resnet50"), results.Callback());
  auto all = results.Wait(2);
  ASSERT_EQ(all.size(), 2u);
  for (const InferResult& r : all) {
    EXPECT_NE(r.outcome, RequestOutcome::kServed);
    if (r.outcome == RequestOutcome::kFailed) {
      EXPECT_EQ(r.status.code(), StatusCode::kUnavailable);
    }
  }
  EXPECT_GE(dead->calls.load(), 1);
  EXPECT_FALSE(f->IsReady("resnet50"));
}

TEST_F(FrontendTest, BadRequestsFailWithCodesNamingTheInput) {
  auto f = Make();
  ASSERT_TRUE(f->ApplyRoutes({{"lenet1", {Route("g0", EmulatedGlet({"lenet1"}))}}}, 1).ok());
  Results results;
  f->Infer("nosuch", Input("lenet1"), results.Callback());
  f->Infer("lenet1", {{"", model::Tensor(model::DType::kFloat32, {1, 3, 28, 28})}},
           results.Callback());
  f->Infer("lenet1",
           {{"wrong_name", model::MakeRandomInput(manifest_.Find("lenet1").value()->input, 1, 1)}},
           results.Callback());
  f->Infer("resnet50", Input("resnet50"), results.Callback());  // no glet serves it
  auto all = results.Wait(4);
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[0].status.code(), StatusCode::kNotFound);
  EXPECT_EQ(all[1].status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(all[1].status.message().find("[1,3,28,28]"), std::string::npos);
  EXPECT_EQ(all[2].status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(all[2].status.message().find("wrong_name"), std::string::npos);
  EXPECT_EQ(all[3].status.code(), StatusCode::kUnavailable);
  for (const InferResult& r : all) {
    EXPECT_EQ(r.outcome, RequestOutcome::kFailed);
  }
}

TEST_F(FrontendTest, GameAppFansOutAndJoinsAllSevenModels) {
  auto app = model::LoadAppSpec(testing::SourcePath("resource/apps/game.json"), &manifest_);
  ASSERT_TRUE(app.ok()) << app.status().ToString();
  auto f = Make({*app});
  std::vector<std::string> models = {"lenet1", "lenet2", "lenet3",  "lenet4",
                                     "lenet5", "lenet6", "resnet50"};
  std::vector<ModelRoutes> routes;
  auto glet = EmulatedGlet(models);
  for (const std::string& m : models) {
    routes.push_back({m, {Route("g-" + m, glet, 8, 5, 10, 100)}});
  }
  ASSERT_TRUE(f->ApplyRoutes(routes, 1).ok());
  EXPECT_TRUE(f->IsReady("game"));
  auto info = f->Describe("game");
  ASSERT_TRUE(info.ok());
  EXPECT_TRUE(info->is_app);
  ASSERT_EQ(info->inputs.size(), 2u);
  std::vector<NamedTensor> inputs;
  for (const model::TensorSpec& s : info->inputs) {
    inputs.push_back({s.name, model::MakeRandomInput(s, 1, 5)});
  }
  Results results;
  f->Infer("game", std::move(inputs), results.Callback());
  auto all = results.Wait(1);
  ASSERT_EQ(all.size(), 1u);
  ASSERT_EQ(all[0].outcome, RequestOutcome::kServed) << all[0].status.ToString();
  EXPECT_EQ(all[0].outputs.size(), 7u);
  EXPECT_EQ(metrics_.Value("glet_requests_total", {{"model", "game"}, {"outcome", "served"}}), 1);
}

TEST_F(FrontendTest, RoutingChangeIsMakeBeforeBreak) {
  auto f = Make();
  auto old_glet = EmulatedGlet({"resnet50"});
  ASSERT_TRUE(f->ApplyRoutes({{"resnet50", {Route("old", old_glet, 8, 50, 10, 100)}}}, 1).ok());
  Results results;
  for (int i = 0; i < 10; ++i) {
    f->Infer("resnet50", Input("resnet50"), results.Callback());
  }
  // New plan: a different glet. Requests queued on the old one still complete there.
  ASSERT_TRUE(
      f->ApplyRoutes({{"resnet50", {Route("new", EmulatedGlet({"resnet50"}), 8, 50, 10, 100)}}}, 2)
          .ok());
  for (int i = 0; i < 10; ++i) {
    f->Infer("resnet50", Input("resnet50"), results.Callback());
  }
  EXPECT_TRUE(f->WaitRetiredLanes(SystemClock::Get().Now() + std::chrono::seconds(30)));
  auto all = results.Wait(20);
  ASSERT_EQ(all.size(), 20u);
  EXPECT_EQ(results.Count(RequestOutcome::kFailed), 0u);
  EXPECT_EQ(f->epoch(), 2);
}

TEST_F(FrontendTest, ShutdownAnswersEveryRequest) {
  auto f = Make();
  ASSERT_TRUE(
      f->ApplyRoutes({{"resnet50", {Route("g0", EmulatedGlet({"resnet50"}), 4, 500, 10)}}}, 1)
          .ok());
  Results results;
  for (int i = 0; i < 30; ++i) {
    f->Infer("resnet50", Input("resnet50"), results.Callback());
  }
  f->Shutdown(SystemClock::Get().Now());  // no time to drain: what is queued is dropped
  f->Infer("resnet50", Input("resnet50"), results.Callback());
  auto all = results.Wait(31);
  ASSERT_EQ(all.size(), 31u);
  EXPECT_EQ(results.Count(RequestOutcome::kFailed), 0u);
  EXPECT_EQ(all.back().outcome, RequestOutcome::kDropped);
  EXPECT_EQ(*all.back().drop_reason, DropReason::kShutdown);
  EXPECT_FALSE(f->IsServerReady());
}

TEST_F(FrontendTest, BadRoutesChangeNothing) {
  auto f = Make();
  auto g = EmulatedGlet({"lenet1"});
  EXPECT_EQ(f->ApplyRoutes({{"nosuch", {Route("g0", g)}}}, 1).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(f->ApplyRoutes({{"lenet1", {Route("g0", g), Route("g0", g)}}}, 1).code(),
            StatusCode::kInvalidArgument);
  GletRoute zero = Route("g0", g);
  zero.rate_rps = 0;
  EXPECT_EQ(f->ApplyRoutes({{"lenet1", {zero}}}, 1).code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(f->IsReady("lenet1"));
  EXPECT_EQ(f->epoch(), 0);
}

}  // namespace
}  // namespace glet::serve
