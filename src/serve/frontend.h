// Frontend: the serving core behind the KServe gRPC and HTTP services. It admits requests for
// models and apps, routes each model request to one of the glets serving the model (Router, in
// proportion to planned throughput), batches per (model, glet) lane (Batcher: planned batch size
// and duty cycle, deadline-aware dropping), sends batches over GletChannels, splits outputs back,
// and answers every request exactly once: served, dropped (with a DropReason) or failed.
//
// Lanes: one per (model, glet), each with its own bounded queue and at most
// max_batches_in_flight (default 2) batches in flight: a lane cuts and sends its next batch while
// the previous one runs, so the batch's serving overhead (assembly, serialisation, transfer)
// overlaps the glet's execution; the glet (proxy) queues it and runs its batches one at a time.
// Over a non-blocking channel (ProxyChannel on a completion queue) batches are cut and sent on
// whichever thread makes one due: an arrival's, the channel's completion thread when an answer
// frees a slot, or the lane's one thread when a timer (duty cycle, deadline) does. Over a
// blocking channel the lane has one thread per slot, each carrying one batch at a time. A lane
// with every slot in flight cuts nothing until one is answered. Depth is per lane, not per glet:
// a time-shared glet already receives its members' lanes concurrently, and each member may have
// its next batch waiting behind its current one. A batch the glet answers with kDeadlineExceeded
// (it would have started past its deadline, e.g. after waiting in the glet's queue) is dropped
// (kDeadlineExpired), not failed.
// A glet that fails with kUnavailable is marked down; the requests of its failed batches (every
// batch in flight fails on its own; each request is re-sent at most `max_retries` times, more
// fail with kUnavailable) and of its queue are routed again.
// ApplyRoutes() swaps routing tables make-before-break: new lanes take new arrivals at once;
// lanes of removed glets finish their queues, then stop.
//
// Outages: while a model has glets in the routing table but none is up (a proxy restarting, a
// node switched over without overlap), its requests wait in the model's OutageQueue (bounded by
// max_queue_requests) instead of failing. They go to the lanes as soon as a glet of the model is
// up again (SetGletUp(), ApplyRoutes()); the frontend's hold thread gives up on those that can
// no longer make their deadline (dropped: kNoGlet). Only a model with no glet in the table at
// all fails its requests at once (kUnavailable: nothing will come back).
//
// Apps (multi-model DAGs) are served under their name: stages run as internal model requests
// whose deadline is the app's end-to-end deadline less the least time the stages after them need
// (TimeAfterStage), so a request that cannot finish the remaining stages in time is dropped at
// the stage where that becomes certain, before later stages spend device time on it; an app
// request ends with its first dropped/failed stage (its status names the app and the stage) or
// when every exit stage is served.
//
// Time: lanes wait in real time, so `clock` must be a real clock (SystemClock); the policies
// inside (Batcher, Router, RateMonitor) are tested under ManualClock on their own.
// Thread safety: all public methods may be called from any thread.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/metrics.h"
#include "core/mutex.h"
#include "core/status.h"
#include "model/app_spec.h"
#include "model/model_spec.h"
#include "model/tensor.h"
#include "serve/glet_channel.h"
#include "serve/glet_load.h"
#include "serve/rate_monitor.h"
#include "serve/request.h"

namespace glet::serve {

struct NamedTensor {
  std::string name;
  model::Tensor tensor;
};

struct InferResult {
  RequestOutcome outcome = RequestOutcome::kFailed;
  Status status;                          // OK iff served
  std::optional<DropReason> drop_reason;  // set iff dropped
  std::vector<NamedTensor> outputs;       // set iff served
};
// Called exactly once per request, from any thread (possibly inside Infer()).
using InferCallback = std::function<void(InferResult)>;

// What a client may ask of one request beyond its inputs.
// A `timeout` parameter in microseconds as a Duration; values beyond a year count as a year (no
// overflow in nanoseconds). Inline: the request parsers use it without the frontend (fuzz/).
inline Duration TimeoutFromMicros(uint64_t micros) {
  constexpr uint64_t kYearMicros = 365ull * 24 * 3600 * 1000 * 1000;
  return std::chrono::microseconds(static_cast<int64_t>(std::min(micros, kYearMicros)));
}

struct InferOptions {
  // > 0: the request's deadline is the sooner of arrival + the SLO and arrival + timeout (the
  // KServe/Triton `timeout` request parameter); a request that cannot be served by then is
  // dropped as any late request is. 0: the SLO alone.
  Duration timeout{};
};

// One glet serving a model, as the plan and the backends describe it.
struct GletRoute {
  std::string glet_id;
  double rate_rps = 0;  // planned throughput: the routing weight, > 0
  int batch_size = 1;
  Duration duty_cycle{};
  std::vector<Duration> batch_latency;  // expected latency of 1..batch_size items
  std::shared_ptr<GletChannel> channel;
  // In rotation once installed; false for a planned glet that is not ready (yet): its model's
  // requests wait for it. A glet this frontend took down after a failed batch stays down while
  // its channel's address is unchanged (until SetGletUp()).
  bool up = true;
};

struct ModelRoutes {
  std::string model;
  std::vector<GletRoute> glets;
};

struct FrontendOptions {
  Clock* clock = nullptr;              // null: SystemClock. Not owned.
  MetricsRegistry* metrics = nullptr;  // required; not owned, outlives the frontend
  size_t max_queue_requests = 1024;    // per lane, and per model while no glet is up
  int max_retries = 1;                 // re-sends per request whose batch failed on a glet
  int max_batches_in_flight = 2;       // per lane, >= 1 (1: send, wait for the answer, repeat)
  // The batchers' edges (BatcherConfig): an idle glet runs what is queued; overload is shed
  // early. Off: the plan's batching alone (a baseline).
  bool work_conserving = true;
  bool shed = true;
  RateMonitorConfig rates;
};

// A glet this frontend took out of rotation itself, after a batch failed with kUnavailable.
struct GletFailure {
  std::string glet_id;
  std::string address;  // the channel's address when it failed
  TimePoint at;         // when it was marked down
};

// What KServe metadata calls describe.
struct ServedInfo {
  bool is_app = false;
  std::vector<model::TensorSpec> inputs;
  std::vector<model::TensorSpec> outputs;
  double slo_ms = 0;
  int max_batch = 1;  // the most items one request may carry (an app: the least of its stages')
};

class Frontend {
 public:
  // kInvalidArgument if metrics is null, max_batches_in_flight < 1 or an app names a model
  // missing from the manifest.
  static Result<std::unique_ptr<Frontend>> Create(model::ModelManifest manifest,
                                                  std::vector<model::AppSpec> apps,
                                                  FrontendOptions options);
  ~Frontend();
  Frontend(const Frontend&) = delete;
  Frontend& operator=(const Frontend&) = delete;

  // Serves one request for a model or an app. Errors reach `done`: kNotFound for an unknown
  // name, kInvalidArgument naming the input at fault, kUnavailable when the model has no glet in
  // the routing table. While its glets are all down it waits (see "Outages" above).
  void Infer(const std::string& name, std::vector<NamedTensor> inputs, InferCallback done,
             const InferOptions& options = {});

  // Installs the routing table of plan `epoch` (every served model; models left out stop being
  // served: their queued requests are dropped with kModelUnloaded). Glets keep their lanes when
  // the id is unchanged (their channel, weight, batch and duty cycle are updated). kInvalidArgument
  // naming the model/glet for an unknown model, a duplicate glet or a bad route.
  Status ApplyRoutes(const std::vector<ModelRoutes>& routes, int64_t epoch);
  // Waits until the lanes of glets removed by ApplyRoutes() have finished their queues, or
  // `deadline`; true if they all did. The controller stops those glets afterwards.
  bool WaitRetiredLanes(TimePoint deadline);
  // Takes a glet out of (or back into) every model's rotation. Back up, it takes the requests
  // its models held while none of their glets was up.
  void SetGletUp(const std::string& glet_id, bool up);
  // Glets marked down by a failed batch and not up since (one entry per glet, the earliest).
  // The controller puts one back (SetGletUp) once its backend says it is READY again.
  std::vector<GletFailure> FailedGlets() const;

  // Metadata of a model or app; kNotFound naming it.
  Result<ServedInfo> Describe(const std::string& name) const;
  // A model with at least one glet up; an app whose stage models all are.
  bool IsReady(const std::string& name) const;
  // Every served model has a glet up (and at least one routes table was applied).
  bool IsServerReady() const;
  std::vector<std::string> ModelNames() const;  // manifest models and apps
  int64_t epoch() const;

  // Re-planning input: observed rates and the decision (RateMonitor).
  ReplanDecision CheckReplan();
  void SetPlannedRates(std::map<std::string, double> rates_rps);
  // Each model's cold start on the devices planned (RateMonitor::SetLeadTimes): a rising model
  // is planned ahead by it.
  void SetLeadTimes(std::map<std::string, Duration, std::less<>> lead_time);
  std::map<std::string, double> ObservedRates();

  // Stops admitting (new requests are dropped with kShutdown), lets queued requests run until
  // `drain_deadline`, drops the rest with kShutdown, joins every lane. Idempotent.
  void Shutdown(TimePoint drain_deadline);

 private:
  struct Lane;
  struct ModelState;
  struct Entry;
  struct AppRun;

  Frontend(model::ModelManifest manifest, std::vector<model::AppSpec> apps,
           FrontendOptions options);

  // Admits a model request with an explicit deadline (apps pass theirs).
  void Submit(const std::string& model, model::Tensor input, TimePoint arrival, TimePoint deadline,
              InferCallback done);
  // Routes and queues an admitted request (first time or retry); finishes it on refusal.
  void Route(ModelState& ms, uint64_t id);
  void LaneLoop(ModelState* ms, Lane* lane);
  // Assembles and sends one batch of the lane (its in_flight already counts it); the answer
  // goes to FinishLaneBatch, then BatchAnswered.
  void SendLaneBatch(ModelState& ms, Lane& lane, std::vector<PendingRequest> requests);
  // Answers a batch's requests from the glet's result (served, dropped, failed or re-routed).
  void FinishLaneBatch(ModelState& ms, Lane& lane, std::vector<PendingRequest> requests,
                       const std::vector<int64_t>& counts, Result<BatchResult> result);
  // One of the lane's batches is answered: frees its slot and, over a non-blocking channel,
  // pumps the lane. REQUIRES: `lock` holds ms.mu.
  // (Not analysed: the caller's `lock` is released and taken again through the reference.)
  void BatchAnswered(ModelState& ms, Lane& lane,
                     UniqueMutexLock& lock) GLET_NO_THREAD_SAFETY_ANALYSIS;
  // Cuts and sends the lane's due batches while a slot is free (see LaneLoop); returns when the
  // next becomes due (max: none queued), or min when every slot is taken. REQUIRES: `lock`
  // holds ms.mu; it is released while dropping and sending.
  TimePoint PumpLane(ModelState& ms, Lane& lane,
                     UniqueMutexLock& lock) GLET_NO_THREAD_SAFETY_ANALYSIS;
  // The state the lanes of glet `glet_id` share (one per glet, across its models).
  std::shared_ptr<GletLoad> GletLoadOf(const std::string& glet_id);
  // Makes the lane's thread wake by `due` (min: no need). REQUIRES: ms.mu held.
  void WakeLaneBy(Lane& lane, TimePoint due);
  void OnGletFailure(ModelState& ms, Lane& lane, const Status& status,
                     std::vector<PendingRequest> requests);
  // Sets the queue gauge of every model (a metrics collector, run at each scrape).
  void CollectQueues();
  // Routes again the requests `ms` held, if one of its glets is up.
  void ReleaseHeld(ModelState& ms);
  // Wakes the hold thread if `give_up_at` is earlier than the time it waits for.
  void KickHoldLoop(TimePoint give_up_at);
  // The hold thread: gives up on held requests that can no longer make their deadline.
  void HoldLoop();
  void Finish(uint64_t id, InferResult result);
  void Drop(const PendingRequest& r, DropReason reason);
  void Fail(uint64_t id, Status status);
  void StartApp(const model::AppSpec& app, std::vector<NamedTensor> inputs, InferCallback done,
                const InferOptions& options);
  void RunAppStage(const std::shared_ptr<AppRun>& run, size_t stage);
  // The least time the stages after `stage` need once it is done: the longest path through its
  // consumers of their models' batch-1 latency on their fastest glet in the routing table in
  // force (computed by ApplyRoutes). A stage request must be done that long before the app's
  // deadline, else the app is certain to miss.
  Duration TimeAfterStage(const model::AppSpec& app, size_t stage) const;
  // REQUIRES: run.mu held (not analysed: AppRun is incomplete here).
  Result<model::Tensor> StageInput(const AppRun& run,
                                   size_t stage) const GLET_NO_THREAD_SAFETY_ANALYSIS;

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace glet::serve
