// Frontend core with in-process glets (emulated slices timed by the ref-gpu profile in real
// time, or a channel that fails like a dead proxy): accounting, dropping, re-routing, apps,
// make-before-break routing changes, shutdown, and requests waiting out an outage of every glet
// of their model. (The waiting policy itself, OutageQueue, is tested under a ManualClock.)
#include "serve/frontend.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "core/strings.h"
#include "perf/emulation.h"
#include "serve/local_glet_channel.h"
#include "serve/proxy_metrics.h"
#include "testing/test_util.h"

namespace glet::serve {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

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

// A glet whose proxy finds every batch past its deadline when it would start it.
class LateChannel final : public GletChannel {
 public:
  Result<BatchResult> RunBatch(const std::string&, const model::Tensor&,
                               const std::vector<BatchItemInfo>&, TimePoint) override {
    return DeadlineExceededError("request 1: dropped (deadline_expired)");
  }
  std::string address() const override { return "late"; }
};

// A glet that can be made to fail like a dead proxy (kUnavailable) and to move to a new address
// (a restarted proxy); otherwise runs its batches on `inner`.
class ToggleChannel final : public GletChannel {
 public:
  explicit ToggleChannel(std::shared_ptr<GletChannel> inner) : inner_(std::move(inner)) {}
  Result<BatchResult> RunBatch(const std::string& model, const model::Tensor& input,
                               const std::vector<BatchItemInfo>& items,
                               TimePoint deadline) override {
    if (failing.load()) {
      ++failures;
      return UnavailableError("proxy " + address() + ": connection refused");
    }
    return inner_->RunBatch(model, input, items, deadline);
  }
  std::string address() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return address_;
  }
  void set_address(std::string a) {
    std::lock_guard<std::mutex> lock(mu_);
    address_ = std::move(a);
  }
  std::atomic<bool> failing{false};
  std::atomic<int> failures{0};

 private:
  std::shared_ptr<GletChannel> inner_;
  mutable std::mutex mu_;
  std::string address_ = "127.0.0.1:1000";
};

// A glet whose batches wait at a gate: it counts the batches it holds and, once opened, fails
// them like a dead proxy (kUnavailable) or runs them on `inner`.
class GateChannel final : public GletChannel {
 public:
  explicit GateChannel(std::shared_ptr<GletChannel> inner) : inner_(std::move(inner)) {}
  Result<BatchResult> RunBatch(const std::string& model, const model::Tensor& input,
                               const std::vector<BatchItemInfo>& items,
                               TimePoint deadline) override {
    {
      std::unique_lock<std::mutex> lock(mu_);
      ++calls_;
      ++waiting_;
      cv_.wait(lock, [&] { return open_; });
      --waiting_;
      if (fail_) {
        return UnavailableError("proxy died");
      }
    }
    return inner_->RunBatch(model, input, items, deadline);
  }
  std::string address() const override { return "127.0.0.1:3000"; }
  void Open(bool fail) {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = true;
    fail_ = fail;
    cv_.notify_all();
  }
  int waiting() {
    std::lock_guard<std::mutex> lock(mu_);
    return waiting_;
  }
  int calls() {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_;
  }

 private:
  std::shared_ptr<GletChannel> inner_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
  bool fail_ = false;
  int waiting_ = 0;
  int calls_ = 0;
};

// Makes a blocking channel non-blocking: each batch runs on a thread of its own, which hands
// the answer to the frontend, as ProxyChannel on the KServe loop's queue answers from that
// loop's thread. The frontend then drives the lane as it does in `glet frontend` (PumpLane).
class NonBlockingChannel final : public GletChannel {
 public:
  explicit NonBlockingChannel(std::shared_ptr<GletChannel> inner) : inner_(std::move(inner)) {}
  ~NonBlockingChannel() override {
    std::lock_guard<std::mutex> lock(mu_);
    for (std::thread& t : threads_) {
      t.join();
    }
  }
  Result<BatchResult> RunBatch(const std::string& model, const model::Tensor& input,
                               const std::vector<BatchItemInfo>& items,
                               TimePoint deadline) override {
    return inner_->RunBatch(model, input, items, deadline);
  }
  void RunBatchAsync(const std::string& model, const model::Tensor& input,
                     const std::vector<BatchItemInfo>& items, TimePoint deadline,
                     std::function<void(Result<BatchResult>)> done) override {
    std::lock_guard<std::mutex> lock(mu_);
    threads_.emplace_back([inner = inner_, model, input, items, deadline, done = std::move(done)] {
      done(inner->RunBatch(model, input, items, deadline));
    });
  }
  bool blocking() const override { return false; }
  std::string address() const override { return inner_->address(); }

 private:
  const std::shared_ptr<GletChannel> inner_;
  std::mutex mu_;
  std::vector<std::thread> threads_;  // joined when the frontend lets go of the channel
};

// Waits (bounded) until `done` holds, for state that changes on the frontend's own threads.
bool Await(const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) {
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));  // polling, not synchronisation
  }
  return true;
}

// Every test runs twice: with blocking channels (a lane thread per batch in flight) and with
// non-blocking ones (batches cut where they become due, answers handled off the lane thread).
class FrontendTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override { manifest_ = Manifest(); }

  std::unique_ptr<Frontend> Make(std::vector<model::AppSpec> apps = {},
                                 size_t max_queue_requests = 1024, int max_batches_in_flight = 2) {
    FrontendOptions o;
    o.metrics = &metrics_;
    o.max_queue_requests = max_queue_requests;
    o.max_batches_in_flight = max_batches_in_flight;
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

  // One random tensor per input of `info` (an app's), named as the app names them.
  static std::vector<NamedTensor> RandomInputs(const ServedInfo& info) {
    std::vector<NamedTensor> inputs;
    for (const model::TensorSpec& s : info.inputs) {
      inputs.push_back({s.name, model::MakeRandomInput(s, 1, 5)});
    }
    return inputs;
  }

  // Sends one request with random inputs to app `name` and waits for its answer.
  static InferResult InferAppOnce(Frontend& f, const std::string& name) {
    auto info = f.Describe(name);
    EXPECT_TRUE(info.ok()) << info.status().ToString();
    Results results;
    f.Infer(name, RandomInputs(*info), results.Callback());
    auto all = results.Wait(1);
    EXPECT_EQ(all.size(), 1u);
    return all.empty() ? InferResult{} : std::move(all[0]);
  }

  GletRoute Route(const std::string& id, std::shared_ptr<GletChannel> channel, int batch = 8,
                  double duty_ms = 5, double latency_ms = 2, double rate = 100) const {
    GletRoute r;
    r.glet_id = id;
    r.rate_rps = rate;
    r.batch_size = batch;
    r.duty_cycle = FromMillis(duty_ms);
    for (int b = 1; b <= batch; ++b) {
      r.batch_latency.push_back(FromMillis(latency_ms));
    }
    r.channel =
        GetParam() ? std::make_shared<NonBlockingChannel>(std::move(channel)) : std::move(channel);
    return r;
  }

  std::vector<NamedTensor> Input(const std::string& model, int n = 1) {
    const model::ModelSpec& spec = **manifest_.Find(model);
    return {{"", model::MakeRandomInput(spec.input, n, 3)}};
  }

  model::ModelManifest manifest_;
  MetricsRegistry metrics_;
};

TEST_P(FrontendTest, SteadyLoadIsServedAndCountedExactly) {
  // lenet1's 5 ms SLO would let a busy test machine's scheduling delays drop the whole burst.
  ASSERT_TRUE(manifest_.SetSlo("lenet1", 200).ok());
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

TEST_P(FrontendTest, LaneThatWokeOnItsTimerReportsItsWakeupMargin) {
  ASSERT_TRUE(manifest_.SetSlo("lenet1", 1000).ok());
  FrontendOptions o;
  o.metrics = &metrics_;
  o.work_conserving = false;  // the planned batching: a lone request waits for the duty cycle
  auto f = std::move(Frontend::Create(manifest_, {}, o).value());
  // Batches of 8 every 100 ms: a lone request waits for the duty cycle, on the lane's timer. (With
  // a 5 ms cycle, a lane thread that a loaded machine woke more than 5 ms late for the arrival
  // found the batch due at once and never waited on its timer: the CI run failed so.)
  ASSERT_TRUE(
      f->ApplyRoutes({{"lenet1", {Route("g0", EmulatedGlet({"lenet1"}), 8, 100)}}}, 1).ok());
  const std::string series = "glet_lane_wakeup_margin_seconds{model=\"lenet1\",glet=\"g0\"}";
  EXPECT_THAT(metrics_.RenderPrometheus(), Not(HasSubstr(series)));
  Results results;
  f->Infer("lenet1", Input("lenet1"), results.Callback());
  auto all = results.Wait(1);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].outcome, RequestOutcome::kServed);
  EXPECT_THAT(metrics_.RenderPrometheus(), HasSubstr(series));
  const double margin_s =
      metrics_.Value("glet_lane_wakeup_margin_seconds", {{"model", "lenet1"}, {"glet", "g0"}});
  EXPECT_GE(margin_s, 0);
  EXPECT_LE(margin_s, 0.002);  // capped at 2 ms
}

// Issue 16: there was no gauge of what waits in the frontend. glet_queued_requests{model} counts
// the lanes' queues and the outage queue as of each scrape.
// Issue 16: `promtool check metrics` flagged the frontend's families: times in milliseconds
// (glet_request_latency_ms, glet_glet_busy_ms_total, ...). Every family now follows Prometheus'
// naming: base units (seconds), counters ending in _total, no unit left in milliseconds.
TEST_P(FrontendTest, MetricFamiliesFollowPrometheusNaming) {
  auto f = Make();
  DeclareProxyMetrics(metrics_);
  ASSERT_TRUE(f->ApplyRoutes({{"lenet1", {Route("g0", EmulatedGlet({"lenet1"}))}}}, 1).ok());
  Results results;
  f->Infer("lenet1", Input("lenet1"), results.Callback());
  ASSERT_EQ(results.Wait(1).size(), 1u);
  int families = 0;
  for (const std::string& line : Split(metrics_.RenderPrometheus(), '\n')) {
    if (line.rfind("# TYPE ", 0) != 0) {
      continue;
    }
    const std::vector<std::string> parts = Split(line, ' ');
    ASSERT_EQ(parts.size(), 4u) << line;
    const std::string& name = parts[2];
    const std::string& type = parts[3];
    ++families;
    EXPECT_EQ(name.find("_ms"), std::string::npos) << name << ": times are in seconds";
    if (type == "counter") {
      EXPECT_TRUE(name.size() > 6 && name.compare(name.size() - 6, 6, "_total") == 0)
          << name << ": a counter ends in _total";
    } else {
      EXPECT_EQ(name.find("_total"), std::string::npos) << name << ": only counters end in _total";
    }
    if (type == "histogram" && name.find("time") != std::string::npos) {
      EXPECT_EQ(name.compare(name.size() - 8, 8, "_seconds"), 0) << name;
    }
  }
  EXPECT_GE(families, 15);
  EXPECT_GT(metrics_.HistogramSum("glet_request_latency_seconds", {{"model", "lenet1"}}), 0);
  EXPECT_LT(metrics_.HistogramSum("glet_request_latency_seconds", {{"model", "lenet1"}}), 1)
      << "one request of a few milliseconds, in seconds";
}

TEST_P(FrontendTest, QueuedRequestsGaugeCountsWhatWaits) {
  ASSERT_TRUE(manifest_.SetSlo("resnet50", 5000).ok());
  FrontendOptions o;
  o.metrics = &metrics_;
  o.work_conserving = false;  // requests wait for the (long) duty cycle
  auto f = std::move(Frontend::Create(manifest_, {}, o).value());
  ASSERT_TRUE(
      f->ApplyRoutes({{"resnet50", {Route("g0", EmulatedGlet({"resnet50"}), 8, 2000, 10)}}}, 1)
          .ok());
  Results results;
  for (int i = 0; i < 3; ++i) {
    f->Infer("resnet50", Input("resnet50"), results.Callback());
  }
  metrics_.RenderPrometheus();  // runs the collectors
  EXPECT_EQ(metrics_.Value("glet_queued_requests", {{"model", "resnet50"}}), 3);
  EXPECT_EQ(metrics_.Value("glet_queued_requests", {{"model", "lenet1"}}), 0);
  ASSERT_EQ(results.Wait(3).size(), 3u);
  EXPECT_THAT(metrics_.RenderPrometheus(), HasSubstr("glet_queued_requests{model=\"resnet50\"} 0"));
}

TEST_P(FrontendTest, RequestThatCannotMeetItsSloIsDroppedAtOnceWithReason) {
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

// Issue 16: a request's `timeout` parameter was ignored. It now bounds the deadline when sooner
// than the SLO: a timeout shorter than the glet's latency drops the request at once, as an
// unreachable SLO does; a longer one, or none, leaves the SLO in force.
TEST_P(FrontendTest, RequestTimeoutSoonerThanTheSloBoundsItsDeadline) {
  ASSERT_TRUE(manifest_.SetSlo("lenet1", 500).ok());
  auto f = Make();
  // Batches are planned to take 20 ms.
  ASSERT_TRUE(
      f->ApplyRoutes({{"lenet1", {Route("g0", EmulatedGlet({"lenet1"}), 8, 5, 20)}}}, 1).ok());
  Results results;
  InferOptions short_timeout;
  short_timeout.timeout = std::chrono::milliseconds(10);
  f->Infer("lenet1", Input("lenet1"), results.Callback(), short_timeout);
  auto all = results.Wait(1);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].outcome, RequestOutcome::kDropped);
  ASSERT_TRUE(all[0].drop_reason.has_value());
  EXPECT_EQ(*all[0].drop_reason, DropReason::kSloUnreachable);

  Results more;
  InferOptions long_timeout;
  long_timeout.timeout = std::chrono::seconds(5);
  f->Infer("lenet1", Input("lenet1"), more.Callback(), long_timeout);
  f->Infer("lenet1", Input("lenet1"), more.Callback());
  all = more.Wait(2);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(more.Count(RequestOutcome::kServed), 2u);
}

TEST_P(FrontendTest, FailedGletIsMarkedDownAndItsRequestsReRouted) {
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

TEST_P(FrontendTest, WhenEveryGletStaysDownRequestsAreDroppedAsNoGletByTheirDeadline) {
  auto f = Make();
  auto dead = std::make_shared<FailingChannel>();
  ASSERT_TRUE(f->ApplyRoutes({{"resnet50", {Route("dead", dead, 8, 5, 2)}}}, 1).ok());
  Results results;
  f->Infer("resnet50", Input("resnet50"), results.Callback());
  f->Infer("resnet50", Input("resnet50"), results.Callback());
  // resnet50's SLO is 108 ms: the requests wait that long for a glet, then give up.
  auto all = results.Wait(2);
  ASSERT_EQ(all.size(), 2u);
  for (const InferResult& r : all) {
    EXPECT_EQ(r.outcome, RequestOutcome::kDropped) << r.status.ToString();
    EXPECT_EQ(r.drop_reason, DropReason::kNoGlet);
    EXPECT_EQ(r.status.code(), StatusCode::kUnavailable);
    EXPECT_NE(r.status.message().find("dropped (no_glet)"), std::string::npos)
        << r.status.message();
  }
  EXPECT_GE(dead->calls.load(), 1);
  EXPECT_FALSE(f->IsReady("resnet50"));
  EXPECT_EQ(
      metrics_.Value("glet_requests_dropped_total", {{"model", "resnet50"}, {"reason", "no_glet"}}),
      2);
  EXPECT_EQ(metrics_.Value("glet_requests_held_total", {{"model", "resnet50"}}), 2);
}

TEST_P(FrontendTest, RequestsWaitWhileEveryGletIsDownAndAreServedWhenOneComesBack) {
  ASSERT_TRUE(manifest_.SetSlo("resnet50", 60000).ok());  // no request may time out here
  auto f = Make();
  ASSERT_TRUE(
      f->ApplyRoutes({{"resnet50", {Route("g0", EmulatedGlet({"resnet50"}), 4, 5, 10)}}}, 1).ok());
  f->SetGletUp("g0", false);  // its proxy restarts
  EXPECT_FALSE(f->IsReady("resnet50"));
  Results results;
  constexpr int kRequests = 10;
  for (int i = 0; i < kRequests; ++i) {
    f->Infer("resnet50", Input("resnet50"), results.Callback());
  }
  // Held at once, not failed.
  EXPECT_EQ(metrics_.Value("glet_requests_held_total", {{"model", "resnet50"}}), kRequests);
  EXPECT_EQ(results.Count(RequestOutcome::kFailed), 0u);
  EXPECT_EQ(results.Count(RequestOutcome::kDropped), 0u);
  f->SetGletUp("g0", true);
  auto all = results.Wait(kRequests);
  ASSERT_EQ(all.size(), static_cast<size_t>(kRequests));
  EXPECT_EQ(results.Count(RequestOutcome::kServed), static_cast<size_t>(kRequests));
  EXPECT_EQ(metrics_.Value("glet_requests_total", {{"model", "resnet50"}, {"outcome", "served"}}),
            kRequests);
}

TEST_P(FrontendTest, InFlightBatchOfAGletThatDiesWaitsAndIsServedWhenItIsBack) {
  ASSERT_TRUE(manifest_.SetSlo("resnet50", 60000).ok());
  auto f = Make();
  auto glet = std::make_shared<ToggleChannel>(EmulatedGlet({"resnet50"}));
  glet->failing = true;  // the proxy dies under the first batch
  ASSERT_TRUE(f->ApplyRoutes({{"resnet50", {Route("g0", glet, 4, 5, 10)}}}, 1).ok());
  Results results;
  constexpr int kRequests = 6;
  for (int i = 0; i < kRequests; ++i) {
    f->Infer("resnet50", Input("resnet50"), results.Callback());
  }
  // Every request ends up waiting (the failed batch's after a retry, the rest as they come).
  ASSERT_TRUE(Await([&] {
    return metrics_.Value("glet_requests_held_total", {{"model", "resnet50"}}) == kRequests;
  }));
  EXPECT_EQ(results.Count(RequestOutcome::kFailed), 0u);
  EXPECT_GE(glet->failures.load(), 1);
  EXPECT_GE(metrics_.Sum("glet_request_retries_total", {}), 1);
  std::vector<GletFailure> failed = f->FailedGlets();
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].glet_id, "g0");
  EXPECT_EQ(failed[0].address, "127.0.0.1:1000");

  // A new routing table with the same address keeps it down (the frontend saw it fail there).
  ASSERT_TRUE(f->ApplyRoutes({{"resnet50", {Route("g0", glet, 4, 5, 10)}}}, 2).ok());
  EXPECT_FALSE(f->IsReady("resnet50"));
  EXPECT_EQ(results.Count(RequestOutcome::kServed), 0u);
  // The proxy restarted on a new port: the next table puts it back and the requests run.
  glet->failing = false;
  glet->set_address("127.0.0.1:2000");
  ASSERT_TRUE(f->ApplyRoutes({{"resnet50", {Route("g0", glet, 4, 5, 10)}}}, 3).ok());
  auto all = results.Wait(kRequests);
  ASSERT_EQ(all.size(), static_cast<size_t>(kRequests));
  EXPECT_EQ(results.Count(RequestOutcome::kServed), static_cast<size_t>(kRequests));
  EXPECT_TRUE(f->IsReady("resnet50"));
  EXPECT_TRUE(f->FailedGlets().empty());
}

TEST_P(FrontendTest, LaneSendsItsNextBatchWhileTheFirstIsStillRunning) {
  ASSERT_TRUE(manifest_.SetSlo("resnet50", 60000).ok());
  for (int depth : {1, 2}) {
    SCOPED_TRACE("max_batches_in_flight " + std::to_string(depth));
    auto f = Make({}, 1024, depth);
    auto glet = std::make_shared<GateChannel>(EmulatedGlet({"resnet50"}));
    // Batches of one item: every request is a full batch at once.
    ASSERT_TRUE(f->ApplyRoutes({{"resnet50", {Route("g0", glet, 1, 5, 10)}}}, 1).ok());
    Results results;
    constexpr int kRequests = 3;
    for (int i = 0; i < kRequests; ++i) {
      f->Infer("resnet50", Input("resnet50"), results.Callback());
    }
    // `depth` batches reach the glet while none has been answered; the rest wait in the lane.
    ASSERT_TRUE(Await([&] { return glet->waiting() == depth; }));
    EXPECT_EQ(glet->calls(), depth);
    EXPECT_EQ(results.Count(RequestOutcome::kServed), 0u);
    glet->Open(/*fail=*/false);
    ASSERT_EQ(results.Wait(kRequests).size(), static_cast<size_t>(kRequests));
    EXPECT_EQ(results.Count(RequestOutcome::kServed), static_cast<size_t>(kRequests));
    EXPECT_EQ(glet->calls(), kRequests);
    f->Shutdown(SystemClock::Get().Now());
  }
}

TEST_P(FrontendTest, BatchTheGletFindsPastItsDeadlineIsDroppedNotFailed) {
  ASSERT_TRUE(manifest_.SetSlo("lenet1", 60000).ok());
  auto f = Make();
  ASSERT_TRUE(
      f->ApplyRoutes({{"lenet1", {Route("late", std::make_shared<LateChannel>())}}}, 1).ok());
  Results results;
  constexpr int kRequests = 3;
  for (int i = 0; i < kRequests; ++i) {
    f->Infer("lenet1", Input("lenet1"), results.Callback());
  }
  auto all = results.Wait(kRequests);
  ASSERT_EQ(all.size(), static_cast<size_t>(kRequests));
  for (const InferResult& r : all) {
    EXPECT_EQ(r.outcome, RequestOutcome::kDropped);
    ASSERT_TRUE(r.drop_reason.has_value());
    EXPECT_EQ(*r.drop_reason, DropReason::kDeadlineExpired);
    EXPECT_EQ(r.status.code(), StatusCode::kDeadlineExceeded);
  }
  EXPECT_EQ(metrics_.Value("glet_requests_dropped_total",
                           {{"model", "lenet1"}, {"reason", "deadline_expired"}}),
            kRequests);
  f->Shutdown(SystemClock::Get().Now());
}

TEST_P(FrontendTest, BatchesInFlightBelowOneIsRefusedNamingTheOption) {
  FrontendOptions o;
  o.metrics = &metrics_;
  o.max_batches_in_flight = 0;
  auto f = Frontend::Create(manifest_, {}, o);
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(f.status().message().find("max_batches_in_flight"), std::string::npos);
}

TEST_P(FrontendTest, GletDyingWithTwoBatchesInFlightRetriesBothAndAccountsExactly) {
  ASSERT_TRUE(manifest_.SetSlo("resnet50", 60000).ok());
  auto f = Make();
  auto inner = EmulatedGlet({"resnet50"});
  auto gate = std::make_shared<GateChannel>(inner);
  ASSERT_TRUE(f->ApplyRoutes({{"resnet50", {Route("g0", gate, 1, 5, 10)}}}, 1).ok());
  Results results;
  constexpr int kRequests = 4;
  for (int i = 0; i < kRequests; ++i) {
    f->Infer("resnet50", Input("resnet50"), results.Callback());
  }
  ASSERT_TRUE(Await([&] { return gate->waiting() == 2; }));
  // The proxy dies under both batches: their requests are retried (once each), the two still
  // queued in the lane are routed again; with no glet up, all four wait.
  gate->Open(/*fail=*/true);
  ASSERT_TRUE(Await([&] {
    return metrics_.Value("glet_requests_held_total", {{"model", "resnet50"}}) == kRequests;
  }));
  EXPECT_EQ(gate->calls(), 2);
  EXPECT_EQ(metrics_.Sum("glet_request_retries_total", {}), 2);
  EXPECT_EQ(results.Count(RequestOutcome::kFailed), 0u);
  EXPECT_EQ(results.Count(RequestOutcome::kDropped), 0u);
  std::vector<GletFailure> failed = f->FailedGlets();
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].glet_id, "g0");

  // Back up (a new channel to the restarted proxy): each request is served exactly once.
  ASSERT_TRUE(f->ApplyRoutes({{"resnet50", {Route("g0", inner, 1, 5, 10)}}}, 2).ok());
  auto all = results.Wait(kRequests);
  ASSERT_EQ(all.size(), static_cast<size_t>(kRequests));
  EXPECT_EQ(results.Count(RequestOutcome::kServed), static_cast<size_t>(kRequests));
  EXPECT_EQ(metrics_.Value("glet_requests_total", {{"model", "resnet50"}, {"outcome", "served"}}),
            kRequests);
  f->Shutdown(SystemClock::Get().Now());
  EXPECT_EQ(results.Wait(kRequests).size(), static_cast<size_t>(kRequests));
}

TEST_P(FrontendTest, PlannedGletNotReadyYetHoldsRequestsUntilATableHasItUp) {
  // A node switched over without overlap: the new glet is in the table before it is ready.
  ASSERT_TRUE(manifest_.SetSlo("resnet50", 60000).ok());
  auto f = Make();
  auto next = EmulatedGlet({"resnet50"});
  GletRoute starting = Route("new", next, 4, 5, 10);
  starting.up = false;
  ASSERT_TRUE(f->ApplyRoutes({{"resnet50", {starting}}}, 1).ok());
  EXPECT_FALSE(f->IsReady("resnet50"));
  EXPECT_EQ(metrics_.Value("glet_glet_up", {{"glet", "new"}}), 0);
  Results results;
  for (int i = 0; i < 4; ++i) {
    f->Infer("resnet50", Input("resnet50"), results.Callback());
  }
  EXPECT_EQ(metrics_.Value("glet_requests_held_total", {{"model", "resnet50"}}), 4);
  ASSERT_TRUE(f->ApplyRoutes({{"resnet50", {Route("new", next, 4, 5, 10)}}}, 2).ok());
  auto all = results.Wait(4);
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(results.Count(RequestOutcome::kServed), 4u);
  EXPECT_EQ(metrics_.Value("glet_glet_up", {{"glet", "new"}}), 1);
}

TEST_P(FrontendTest, WaitingRequestsAreDroppedWhenTheModelLeavesThePlanOrAtShutdown) {
  ASSERT_TRUE(manifest_.SetSlo("resnet50", 60000).ok());
  ASSERT_TRUE(manifest_.SetSlo("vgg16", 60000).ok());
  auto f = Make();
  ASSERT_TRUE(f->ApplyRoutes({{"resnet50", {Route("r", EmulatedGlet({"resnet50"}), 4, 5, 10)}},
                              {"vgg16", {Route("v", EmulatedGlet({"vgg16"}), 4, 5, 10)}}},
                             1)
                  .ok());
  f->SetGletUp("r", false);
  f->SetGletUp("v", false);
  Results unloaded;
  Results shutdown;
  f->Infer("resnet50", Input("resnet50"), unloaded.Callback());
  f->Infer("vgg16", Input("vgg16"), shutdown.Callback());
  // resnet50 leaves the plan: nothing of it will come back. vgg16's glet is still down.
  GletRoute v = Route("v", EmulatedGlet({"vgg16"}), 4, 5, 10);
  v.up = false;
  ASSERT_TRUE(f->ApplyRoutes({{"vgg16", {v}}}, 2).ok());
  auto a = unloaded.Wait(1);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].outcome, RequestOutcome::kDropped);
  EXPECT_EQ(a[0].drop_reason, DropReason::kModelUnloaded);
  EXPECT_EQ(shutdown.Count(RequestOutcome::kDropped), 0u);
  f->Shutdown(SystemClock::Get().Now());
  auto b = shutdown.Wait(1);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0].outcome, RequestOutcome::kDropped);
  EXPECT_EQ(b[0].drop_reason, DropReason::kShutdown);
}

TEST_P(FrontendTest, WaitingQueueIsBoundedPerModel) {
  ASSERT_TRUE(manifest_.SetSlo("resnet50", 60000).ok());
  auto f = Make({}, /*max_queue_requests=*/2);
  ASSERT_TRUE(
      f->ApplyRoutes({{"resnet50", {Route("g0", EmulatedGlet({"resnet50"}), 4, 5, 10)}}}, 1).ok());
  f->SetGletUp("g0", false);
  Results results;
  for (int i = 0; i < 3; ++i) {
    f->Infer("resnet50", Input("resnet50"), results.Callback());
  }
  auto full = results.Wait(1);
  ASSERT_EQ(full.size(), 1u);
  EXPECT_EQ(full[0].drop_reason, DropReason::kQueueFull);
  f->SetGletUp("g0", true);
  auto all = results.Wait(3);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(results.Count(RequestOutcome::kServed), 2u);
}

TEST_P(FrontendTest, BadRequestsFailWithCodesNamingTheInput) {
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
  EXPECT_EQ(all[3].status.code(), StatusCode::kUnavailable);  // nothing will come back
  EXPECT_NE(all[3].status.message().find("no glet serves it"), std::string::npos);
  for (const InferResult& r : all) {
    EXPECT_EQ(r.outcome, RequestOutcome::kFailed);
  }
}

TEST_P(FrontendTest, GameAppFansOutAndJoinsAllSevenModels) {
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
  Results results;
  f->Infer("game", RandomInputs(*info), results.Callback());
  auto all = results.Wait(1);
  ASSERT_EQ(all.size(), 1u);
  ASSERT_EQ(all[0].outcome, RequestOutcome::kServed) << all[0].status.ToString();
  EXPECT_EQ(all[0].outputs.size(), 7u);
  EXPECT_EQ(metrics_.Value("glet_requests_total", {{"model", "game"}, {"outcome", "served"}}), 1);
}

// A non-blocking channel that answers inside RunBatchAsync, on the caller's thread (as a glet that
// answers before the send returns would).
class InlineChannel final : public GletChannel {
 public:
  explicit InlineChannel(std::shared_ptr<GletChannel> inner) : inner_(std::move(inner)) {}
  Result<BatchResult> RunBatch(const std::string& model, const model::Tensor& input,
                               const std::vector<BatchItemInfo>& items,
                               TimePoint deadline) override {
    return inner_->RunBatch(model, input, items, deadline);
  }
  void RunBatchAsync(const std::string& model, const model::Tensor& input,
                     const std::vector<BatchItemInfo>& items, TimePoint deadline,
                     std::function<void(Result<BatchResult>)> done) override {
    done(inner_->RunBatch(model, input, items, deadline));
  }
  bool blocking() const override { return false; }
  std::string address() const override { return inner_->address(); }

 private:
  const std::shared_ptr<GletChannel> inner_;
};

// The app's root stages were started in a loop that read every stage's pending-input count as it
// went: a root answered at once (here: inline) had already started its consumers, and the loop
// then found their counts at 0 and started them again (twice the work, and an exit stage counted
// twice could end the app before its other exits had answered).
TEST_P(FrontendTest, AppStagesRunOnceWhenTheRootAnswersAtOnce) {
  auto app = model::LoadAppSpec(testing::SourcePath("resource/apps/traffic.json"), &manifest_);
  ASSERT_TRUE(app.ok()) << app.status().ToString();
  auto f = Make({*app});
  std::vector<ModelRoutes> routes;
  for (const std::string m : {"ssd-mobilenetv1", "googlenet", "vgg16"}) {
    GletRoute r = Route("g-" + m, EmulatedGlet({m}), 8, 5, 10, 100);
    r.channel = std::make_shared<InlineChannel>(EmulatedGlet({m}));
    routes.push_back({m, {r}});
  }
  ASSERT_TRUE(f->ApplyRoutes(routes, 1).ok());
  const InferResult r = InferAppOnce(*f, "traffic");
  ASSERT_EQ(r.outcome, RequestOutcome::kServed) << r.status.ToString();
  EXPECT_EQ(r.outputs.size(), 2u);
  for (const std::string m : {"ssd-mobilenetv1", "googlenet", "vgg16"}) {
    EXPECT_EQ(metrics_.Value("glet_requests_total", {{"model", m}, {"outcome", "served"}}), 1) << m;
  }
}

// A request that cannot finish the stages after the first by the app's deadline is dropped at
// the first stage, which names itself, before it spends device time there (it used to be served
// there and then dropped at the next stage).
TEST_P(FrontendTest, AppRequestThatCannotFinishTheLaterStagesIsDroppedAtTheFirst) {
  auto app = model::LoadAppSpec(testing::SourcePath("resource/apps/traffic.json"), &manifest_);
  ASSERT_TRUE(app.ok()) << app.status().ToString();
  auto f = Make({*app});
  std::vector<ModelRoutes> routes;
  for (const std::string m : {"ssd-mobilenetv1", "googlenet", "vgg16"}) {
    // vgg16 (after ssd) needs all but 1 ms of the app's SLO even alone.
    const double latency_ms = m == "vgg16" ? app->slo_ms - 1 : 10;
    routes.push_back({m, {Route("g-" + m, EmulatedGlet({m}), 8, 5, latency_ms, 100)}});
  }
  ASSERT_TRUE(f->ApplyRoutes(routes, 1).ok());
  const InferResult r = InferAppOnce(*f, "traffic");
  EXPECT_EQ(r.outcome, RequestOutcome::kDropped);
  // Unreachable at admission; on a slow host (sanitizers) the stage's 1 ms may have run out.
  ASSERT_TRUE(r.drop_reason.has_value());
  EXPECT_THAT(*r.drop_reason,
              ::testing::AnyOf(DropReason::kSloUnreachable, DropReason::kDeadlineExpired));
  EXPECT_THAT(r.status.message(), HasSubstr("stage '" + app->stages[0].id + "'"));
  EXPECT_EQ(
      metrics_.Value("glet_requests_total", {{"model", "ssd-mobilenetv1"}, {"outcome", "served"}}),
      0);
  EXPECT_EQ(metrics_.Sum("glet_requests_total", {{"model", "vgg16"}}), 0);
}

TEST_P(FrontendTest, RoutingChangeIsMakeBeforeBreak) {
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
  // Issue 16: the old glet's gauge stayed 1 after it left the plan.
  EXPECT_EQ(metrics_.Value("glet_glet_up", {{"glet", "old"}}), 0);
  EXPECT_EQ(metrics_.Value("glet_glet_up", {{"glet", "new"}}), 1);
}

TEST_P(FrontendTest, ShutdownAnswersEveryRequest) {
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

TEST_P(FrontendTest, BadRoutesChangeNothing) {
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

INSTANTIATE_TEST_SUITE_P(Channels, FrontendTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "NonBlocking" : "Blocking";
                         });

}  // namespace
}  // namespace glet::serve
