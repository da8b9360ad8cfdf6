#include "serve/frontend.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <limits>
#include <list>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>

#include "core/logging.h"
#include "core/mutex.h"
#include "model/batch.h"
#include "serve/batcher.h"
#include "serve/outage_queue.h"
#include "serve/router.h"

namespace glet::serve {

namespace {

constexpr char kRequests[] = "glet_requests_total";
constexpr char kDropped[] = "glet_requests_dropped_total";
constexpr char kLatency[] = "glet_request_latency_seconds";
constexpr char kQueue[] = "glet_queue_time_seconds";
constexpr char kCompute[] = "glet_compute_time_seconds";
constexpr char kBatchSize[] = "glet_batch_size";
constexpr char kQueued[] = "glet_queued_requests";
constexpr char kBusy[] = "glet_glet_busy_seconds_total";
constexpr char kOccupancy[] = "glet_glet_occupancy";
constexpr char kGletUp[] = "glet_glet_up";
constexpr char kEpoch[] = "glet_plan_epoch";
constexpr char kRetries[] = "glet_request_retries_total";
constexpr char kHeld[] = "glet_requests_held_total";
constexpr char kWakeupMargin[] = "glet_lane_wakeup_margin_seconds";

// The most a lane's batcher cuts deadline batches early for its threads' late wake-ups.
constexpr Duration kMaxWakeupMargin = std::chrono::milliseconds(2);

std::chrono::steady_clock::time_point ToSteady(TimePoint t) {
  if (t == TimePoint::max()) {
    return std::chrono::steady_clock::time_point::max();
  }
  return std::chrono::steady_clock::time_point(
      std::chrono::duration_cast<std::chrono::steady_clock::duration>(t.time_since_epoch()));
}

void DeclareMetrics(MetricsRegistry& m) {
  using T = MetricsRegistry::Type;
  m.Declare(kRequests, T::kCounter, "Requests by model and outcome (served, dropped, failed).");
  m.Declare(kDropped, T::kCounter, "Dropped requests by model and reason.");
  // Times in seconds, Prometheus' base unit (buckets from 1 ms to 5 s).
  const std::vector<double> buckets = {0.001, 0.002, 0.005, 0.01, 0.02, 0.05,
                                       0.1,   0.2,   0.5,   1,    2,    5};
  m.Declare(kLatency, T::kHistogram, "End-to-end latency of served requests (seconds).", buckets);
  m.Declare(kQueue, T::kHistogram, "Time from arrival to the start of its batch (seconds).",
            buckets);
  m.Declare(kCompute, T::kHistogram, "Batch execution time on the glet (seconds).", buckets);
  m.Declare(kBatchSize, T::kHistogram, "Items per batch.", {1, 2, 4, 8, 16, 32, 64});
  m.Declare(kBusy, T::kCounter, "Time each glet spent running batches (seconds).");
  m.Declare(kOccupancy, T::kGauge, "Busy fraction of each glet since its lane started.");
  m.Declare(kGletUp, T::kGauge, "1 if the glet is in rotation, 0 if marked down.");
  m.Declare(kQueued, T::kGauge,
            "Requests waiting in the frontend per model (its lanes' queues and, while none of its "
            "glets is up, its outage queue), as of the scrape.");
  m.Declare(kEpoch, T::kGauge, "Epoch of the routing table (plan) in force.");
  m.Declare(kRetries, T::kCounter, "Requests re-routed after a glet failure.");
  m.Declare(kHeld, T::kCounter,
            "Requests that waited for a glet of their model to come back (all were down).");
  m.Declare(kWakeupMargin, T::kGauge,
            "How much sooner each lane's batcher cuts deadline batches for its threads' late "
            "wake-ups (seconds).");
}

}  // namespace

// One admitted request, owned by exactly one queue or batch at a time.
struct Frontend::Entry {
  std::string model;
  model::Tensor input;
  InferCallback done;
  TimePoint arrival;
  TimePoint deadline;
  int retries = 0;
};

struct Frontend::Lane {
  std::string glet_id;
  Batcher batcher;
  std::shared_ptr<GletChannel> channel;
  CondVar cv;
  bool retiring = false;  // removed from routing: finish the queue, then stop
  bool stop = false;      // shutdown: drop what is left
  int in_flight = 0;      // batches cut and not answered yet (<= the depth)
  // When the lane's freshest idle thread wakes to decide again (its latest wake_at), max()
  // when no idle thread has decided since the last cut: an arrival wakes the lane only if it
  // makes the head batch due sooner than this (see LaneLoop).
  TimePoint idle_wake = TimePoint::max();
  std::optional<GletFailure> failure;  // set while down after a failed batch of this lane
  TimePoint started;
  TimePoint busy_since;  // when in_flight went from 0 to 1, or the last answer after that
  double busy_ms = 0;    // time with at least one batch in flight, up to the last idle moment
  std::vector<std::thread> threads;  // one per batch that may be in flight

  // How late this lane's threads wake after the batcher's wake_at: a recent high (a new sample
  // above it replaces it; it decays by 1/16 per sample), twice which (at most
  // kMaxWakeupMargin) becomes the batcher's wake-up margin. On a busy host a thread may wake a
  // millisecond late, more than a tight SLO's room between the deadline trigger and
  // hopelessness (Lmax - L(1)); the margin cuts such batches that much sooner.
  Duration wakeup_late{};
  // Returns the new margin.
  Duration NoteWakeupLateness(Duration late) {
    wakeup_late = std::max(late, wakeup_late - wakeup_late / 16);
    const Duration margin = std::min(2 * wakeup_late, kMaxWakeupMargin);
    batcher.set_wakeup_margin(margin);
    return margin;
  }

  explicit Lane(Batcher b) : batcher(std::move(b)) {}
  void Join() {
    for (std::thread& t : threads) {
      t.join();
    }
    threads.clear();
  }
};

struct Frontend::ModelState {
  const model::ModelSpec spec;
  const std::string input_context;  // "model 'x': input 'y'", for input errors
  Mutex mu;
  Router router;
  std::map<std::string, std::unique_ptr<Lane>> lanes;  // by glet id
  std::list<std::unique_ptr<Lane>> retired;            // finishing their queues
  OutageQueue held;  // requests waiting while the router has glets but none is up

  ModelState(model::ModelSpec s, size_t max_held)
      : spec(std::move(s)),
        input_context("model '" + spec.name + "': input '" + spec.input.name + "'"),
        router(spec.name),
        held(spec.name, max_held) {}
};

struct Frontend::AppRun {
  const model::AppSpec* app = nullptr;
  std::vector<NamedTensor> inputs;
  InferCallback done;
  TimePoint arrival;
  TimePoint deadline;
  Mutex mu;
  std::vector<std::optional<model::Tensor>> stage_outputs GLET_GUARDED_BY(mu);
  // Per stage: producer stages not finished yet.
  std::vector<int> pending_inputs GLET_GUARDED_BY(mu);
  int exits_left GLET_GUARDED_BY(mu) = 0;
  bool finished GLET_GUARDED_BY(mu) = false;
};

// Lock order (a thread holding one of these takes only those to its right): shutdown_mu ->
// ModelState::mu -> {table_mu, loads_mu, a GletLoad's own mutex}; shutdown_mu -> hold_mu.
// rates_mu, time_after_mu, AppRun::mu and hold_mu are taken with no frontend lock held (hold_mu
// also under shutdown_mu). The analysis (scripts/check_thread_safety.sh) checks every
// GLET_GUARDED_BY; the Lane fields are guarded by their model's ModelState::mu, which it cannot
// express (a Lane does not know its model).
struct Frontend::Impl {
  model::ModelManifest manifest;
  std::vector<model::AppSpec> apps;
  FrontendOptions options;
  Clock* clock = nullptr;
  MetricsRegistry* metrics = nullptr;

  std::map<std::string, std::unique_ptr<ModelState>> models;  // every manifest model
  std::map<std::string, const model::AppSpec*> apps_by_name;

  Mutex table_mu;
  std::unordered_map<uint64_t, Entry> table GLET_GUARDED_BY(table_mu);
  std::atomic<uint64_t> next_id{1};

  Mutex rates_mu;
  std::optional<RateMonitor> rates GLET_GUARDED_BY(rates_mu);

  // Per app, per stage: the least time the later stages need on the routing table in force
  // (model::TimeAfterStages), set by ApplyRoutes.
  Mutex time_after_mu;
  std::map<std::string, std::vector<Duration>> time_after GLET_GUARDED_BY(time_after_mu);

  // What the lanes of one glet share (its models' batchers), by glet id.
  Mutex loads_mu;
  std::map<std::string, std::weak_ptr<GletLoad>> glet_loads GLET_GUARDED_BY(loads_mu);

  std::atomic<bool> accepting{true};
  std::atomic<bool> routes_applied{false};
  std::atomic<int64_t> epoch{0};
  Mutex shutdown_mu;
  bool shut_down GLET_GUARDED_BY(shutdown_mu) = false;

  // The hold thread (HoldLoop) and what wakes it.
  Mutex hold_mu;
  CondVar hold_cv;
  bool hold_stop GLET_GUARDED_BY(hold_mu) = false;
  bool hold_kick GLET_GUARDED_BY(hold_mu) = false;                  // look again now
  TimePoint hold_wake GLET_GUARDED_BY(hold_mu) = TimePoint::max();  // what it waits for
  std::thread hold_thread;
  int queue_collector = -1;  // MetricsRegistry collector of kQueued
};

Frontend::Frontend(model::ModelManifest manifest, std::vector<model::AppSpec> apps,
                   FrontendOptions options)
    : impl_(std::make_unique<Impl>()) {
  impl_->manifest = std::move(manifest);
  impl_->apps = std::move(apps);
  impl_->options = options;
  impl_->clock = options.clock != nullptr ? options.clock : &SystemClock::Get();
  impl_->metrics = options.metrics;
  for (const model::ModelSpec& spec : impl_->manifest.models()) {
    impl_->models.emplace(spec.name,
                          std::make_unique<ModelState>(spec, options.max_queue_requests));
  }
  for (const model::AppSpec& app : impl_->apps) {
    impl_->apps_by_name.emplace(app.name, &app);
  }
}

Result<std::unique_ptr<Frontend>> Frontend::Create(model::ModelManifest manifest,
                                                   std::vector<model::AppSpec> apps,
                                                   FrontendOptions options) {
  if (options.metrics == nullptr) {
    return InvalidArgumentError("frontend: no metrics registry given");
  }
  if (options.max_batches_in_flight < 1) {
    return InvalidArgumentError("frontend: max_batches_in_flight must be >= 1, got " +
                                std::to_string(options.max_batches_in_flight));
  }
  for (const model::AppSpec& app : apps) {
    if (manifest.Find(app.name).ok()) {
      return InvalidArgumentError("app '" + app.name + "' has the name of a model");
    }
    for (const model::AppStage& stage : app.stages) {
      if (!manifest.Find(stage.model).ok()) {
        return InvalidArgumentError("app '" + app.name + "': stage '" + stage.id +
                                    "': unknown model '" + stage.model + "'");
      }
    }
  }
  Clock* clock = options.clock != nullptr ? options.clock : &SystemClock::Get();
  GLET_ASSIGN_OR_RETURN(RateMonitor monitor, RateMonitor::Create(options.rates, clock->Now()));
  std::unique_ptr<Frontend> f(new Frontend(std::move(manifest), std::move(apps), options));
  {
    MutexLock lock(f->impl_->rates_mu);
    f->impl_->rates.emplace(std::move(monitor));
  }
  DeclareMetrics(*f->impl_->metrics);
  Frontend* raw = f.get();
  f->impl_->queue_collector = f->impl_->metrics->AddCollector([raw] { raw->CollectQueues(); });
  f->impl_->hold_thread = std::thread([raw] { raw->HoldLoop(); });
  return f;
}

Frontend::~Frontend() {
  impl_->metrics->RemoveCollector(impl_->queue_collector);
  Shutdown(impl_->clock->Now());
}

// ---------------------------------------------------------------------------------------------
// Admission

namespace {

// The deadline of a request that arrived at `arrival`: by its SLO, or sooner by its timeout.
TimePoint DeadlineOf(TimePoint arrival, double slo_ms, const InferOptions& options) {
  const TimePoint by_slo = arrival + FromMillis(slo_ms);
  return options.timeout > Duration::zero() ? std::min(by_slo, arrival + options.timeout) : by_slo;
}

}  // namespace

void Frontend::Infer(const std::string& name, std::vector<NamedTensor> inputs, InferCallback done,
                     const InferOptions& options) {
  auto app = impl_->apps_by_name.find(name);
  if (app != impl_->apps_by_name.end()) {
    StartApp(*app->second, std::move(inputs), std::move(done), options);
    return;
  }
  auto it = impl_->models.find(name);
  if (it == impl_->models.end()) {
    InferResult r;
    r.status = NotFoundError("unknown model '" + name + "'");
    done(std::move(r));
    return;
  }
  const model::ModelSpec& spec = it->second->spec;
  if (inputs.size() != 1) {
    InferResult r;
    r.status = InvalidArgumentError("model '" + name + "': expected 1 input ('" + spec.input.name +
                                    "'), got " + std::to_string(inputs.size()));
    done(std::move(r));
    return;
  }
  if (!inputs[0].name.empty() && inputs[0].name != spec.input.name) {
    InferResult r;
    r.status = InvalidArgumentError("model '" + name + "': unknown input '" + inputs[0].name +
                                    "' (expected '" + spec.input.name + "')");
    done(std::move(r));
    return;
  }
  if (Status s = model::CheckTensorMatches(inputs[0].tensor, spec.input, it->second->input_context);
      !s.ok()) {
    InferResult r;
    r.status = s;
    done(std::move(r));
    return;
  }
  const TimePoint now = impl_->clock->Now();
  Submit(name, std::move(inputs[0].tensor), now, DeadlineOf(now, spec.slo_ms, options),
         std::move(done));
}

void Frontend::Submit(const std::string& model, model::Tensor input, TimePoint arrival,
                      TimePoint deadline, InferCallback done) {
  ModelState& ms = *impl_->models.at(model);
  const uint64_t id = impl_->next_id.fetch_add(1);
  const int n = input.shape().empty() ? 1 : static_cast<int>(input.shape()[0]);
  {
    MutexLock lock(impl_->rates_mu);
    impl_->rates->RecordArrival(model, arrival, n);
  }
  {
    MutexLock lock(impl_->table_mu);
    impl_->table.emplace(id, Entry{model, std::move(input), std::move(done), arrival, deadline, 0});
  }
  if (!impl_->accepting.load()) {
    Drop(PendingRequest{id, model, arrival, deadline, n, id}, DropReason::kShutdown);
    return;
  }
  Route(ms, id);
}

void Frontend::Route(ModelState& ms, uint64_t id) {
  PendingRequest req;
  {
    MutexLock lock(impl_->table_mu);
    const Entry& e = impl_->table.at(id);
    req.id = id;
    req.model = e.model;
    req.arrival = e.arrival;
    req.deadline = e.deadline;
    req.n = e.input.shape().empty() ? 1 : static_cast<int>(e.input.shape()[0]);
    req.payload = id;
  }
  Status refused;
  std::optional<DropReason> drop;
  std::optional<TimePoint> held_until;
  {
    UniqueMutexLock lock(ms.mu);
    const TimePoint now = impl_->clock->Now();
    if (ms.router.glet_count() > 0 && ms.router.up_count() == 0) {
      // Every glet of the model is down for now: wait for one to come back.
      Admission a = ms.held.Hold(req, now);
      if (a.queued) {
        held_until = ms.held.GiveUpAt(req);
      } else {
        drop = a.drop_reason;
        refused = a.status;
      }
    } else if (ms.router.glet_count() == 0 && !impl_->accepting.load()) {
      drop = DropReason::kShutdown;  // a retry during shutdown: no glet will take it
    } else {
      Result<std::string> glet = ms.router.Pick();
      auto lane = glet.ok() ? ms.lanes.find(*glet) : ms.lanes.end();
      if (lane == ms.lanes.end()) {
        refused =
            glet.ok()
                ? UnavailableError("model " + ms.spec.name + ": glet " + *glet + " is not serving")
                : glet.status();
      } else {
        Lane* picked = lane->second.get();
        Admission a = picked->batcher.Enqueue(req, now);
        if (!a.queued && a.drop_reason && IsShed(*a.drop_reason)) {
          // Model-level admission: another glet of the model may still serve it in time.
          std::vector<const Batcher*> others;
          std::vector<Lane*> other_lanes;
          for (auto& [id, other] : ms.lanes) {
            if (other.get() != picked && ms.router.IsUp(id).value_or(false)) {
              others.push_back(&other->batcher);
              other_lanes.push_back(other.get());
            }
          }
          const int spare = SpareLane(others, req, now);
          if (spare >= 0) {
            Admission b = other_lanes[spare]->batcher.Enqueue(req, now);
            if (b.queued) {
              picked = other_lanes[spare];
              a = std::move(b);
            }
          }
        }
        Lane& l = *picked;
        if (a.queued) {
          if (l.channel->blocking()) {
            // Else an idle thread already wakes in time (a batch due now is woken for anyway:
            // under a manual clock no timer fires).
            if (a.due_at < l.idle_wake || a.due_at <= now) {
              l.idle_wake = a.due_at;
              l.cv.notify_all();
            }
          } else if (a.due_at <= now) {
            WakeLaneBy(l, PumpLane(ms, l, lock));  // cut and send here (see LaneLoop)
          } else if (l.in_flight < impl_->options.max_batches_in_flight) {
            WakeLaneBy(l, a.due_at);  // else the next answer pumps the lane
          }
          return;
        }
        drop = a.drop_reason;
        refused = a.status;
      }
    }
  }
  if (held_until) {
    impl_->metrics->Add(kHeld, {{"model", ms.spec.name}});
    KickHoldLoop(*held_until);
  } else if (drop) {
    Drop(req, *drop);
  } else {
    Fail(id, refused);
  }
}

void Frontend::CollectQueues() {
  for (auto& [name, ms_ptr] : impl_->models) {
    size_t queued = 0;
    {
      MutexLock lock(ms_ptr->mu);
      for (const auto& [id, lane] : ms_ptr->lanes) {
        queued += lane->batcher.queued_requests();
      }
      for (const auto& lane : ms_ptr->retired) {
        queued += lane->batcher.queued_requests();
      }
      queued += ms_ptr->held.size();
    }
    impl_->metrics->Set(kQueued, {{"model", name}}, static_cast<double>(queued));
  }
}

void Frontend::ReleaseHeld(ModelState& ms) {
  std::vector<PendingRequest> back;
  {
    MutexLock lock(ms.mu);
    if (ms.held.empty() || ms.router.up_count() == 0) {
      return;
    }
    back = ms.held.ReleaseAll();
  }
  for (const PendingRequest& r : back) {
    Route(ms, r.id);
  }
}

void Frontend::KickHoldLoop(TimePoint give_up_at) {
  MutexLock lock(impl_->hold_mu);
  if (give_up_at < impl_->hold_wake) {
    impl_->hold_kick = true;
    impl_->hold_cv.notify_all();
  }
}

void Frontend::HoldLoop() {
  UniqueMutexLock lock(impl_->hold_mu);
  while (!impl_->hold_stop) {
    impl_->hold_kick = false;
    impl_->hold_wake = TimePoint::max();  // while it looks, any newly held request kicks it
    lock.unlock();
    TimePoint wake = TimePoint::max();
    for (auto& [name, ms_ptr] : impl_->models) {
      OutageDecision d;
      {
        MutexLock model_lock(ms_ptr->mu);
        d = ms_ptr->held.Expire(impl_->clock->Now());
      }
      wake = std::min(wake, d.wake_at);
      for (const DroppedRequest& r : d.dropped) {
        Drop(r.request, r.reason);
      }
    }
    lock.lock();
    impl_->hold_wake = wake;
    impl_->hold_cv.wait_until(lock, ToSteady(wake), [this]() GLET_REQUIRES(impl_->hold_mu) {
      return impl_->hold_stop || impl_->hold_kick;
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Completion

void Frontend::Finish(uint64_t id, InferResult result) {
  Entry entry;
  {
    MutexLock lock(impl_->table_mu);
    auto it = impl_->table.find(id);
    if (it == impl_->table.end()) {
      return;
    }
    entry = std::move(it->second);
    impl_->table.erase(it);
  }
  MetricsRegistry& m = *impl_->metrics;
  m.Add(kRequests,
        {{"model", entry.model}, {"outcome", std::string(RequestOutcomeName(result.outcome))}});
  if (result.outcome == RequestOutcome::kDropped && result.drop_reason) {
    m.Add(kDropped,
          {{"model", entry.model}, {"reason", std::string(DropReasonName(*result.drop_reason))}});
  }
  if (result.outcome == RequestOutcome::kServed) {
    m.Observe(kLatency, {{"model", entry.model}}, ToSeconds(impl_->clock->Now() - entry.arrival));
  }
  entry.done(std::move(result));
}

void Frontend::Drop(const PendingRequest& r, DropReason reason) {
  InferResult result;
  result.outcome = RequestOutcome::kDropped;
  result.drop_reason = reason;
  result.status = DropStatus(r, reason);
  Finish(r.id, std::move(result));
}

void Frontend::Fail(uint64_t id, Status status) {
  InferResult result;
  result.outcome = RequestOutcome::kFailed;
  result.status = std::move(status);
  Finish(id, std::move(result));
}

// ---------------------------------------------------------------------------------------------
// Lanes

// A lane has at most options.max_batches_in_flight batches in flight: while one runs on the
// glet, the next is cut, assembled and sent, and waits in the glet's (proxy's) queue.
//
// Over a blocking channel (LocalGletChannel) each of the lane's threads carries one batch at a
// time: it waits inside RunBatchAsync() and handles the answer itself. Over a non-blocking one
// (ProxyChannel on the KServe loop's queue) batches are cut and sent wherever something makes
// one due (PumpLane): on the thread of an arrival that fills or expires it, on the loop thread
// of an answer that frees a slot, and on the lane's one thread only when a timer (duty cycle,
// deadline) makes one due. So in steady state the loop thread that reads a lane's requests and
// answers also cuts and sends its batches, and the lane's thread sleeps.
//
// Wake-ups: the lane thread waits until its decision's wake_at and records it in idle_wake
// (max: no timer). An arrival or answer wakes it only when it makes the next batch due before
// idle_wake (the batcher says when), not on every request. With every slot taken no batch can
// be cut, so arrivals wake nobody: the next answer pumps the lane.
TimePoint Frontend::PumpLane(ModelState& ms, Lane& lane, UniqueMutexLock& lock) {
  const int depth = impl_->options.max_batches_in_flight;
  while (true) {
    if (lane.in_flight >= depth) {
      return TimePoint::min();
    }
    const TimePoint now = impl_->clock->Now();
    BatchDecision d = lane.batcher.Decide(now);
    if (d.dropped.empty() && !d.batch) {
      return d.wake_at;
    }
    if (d.batch) {
      if (lane.in_flight++ == 0) {
        lane.busy_since = now;
      }
      if (lane.channel->blocking()) {
        // This thread waits for its batch: another one decides on what is left.
        lane.idle_wake = TimePoint::max();
        if (d.wake_at != TimePoint::max()) {
          lane.cv.notify_all();
        }
      }
    }
    lock.unlock();
    for (const DroppedRequest& r : d.dropped) {
      Drop(r.request, r.reason);
    }
    if (d.batch) {
      SendLaneBatch(ms, lane, std::move(d.batch->requests));
    }
    lock.lock();
  }
}

void Frontend::WakeLaneBy(Lane& lane, TimePoint due) {
  if (due != TimePoint::min() && due < lane.idle_wake) {
    lane.idle_wake = due;
    lane.cv.notify_one();
  }
}

void Frontend::LaneLoop(ModelState* ms, Lane* lane) {
  UniqueMutexLock lock(ms->mu);
  while (true) {
    const TimePoint due = PumpLane(*ms, *lane, lock);
    if (lane->stop || (lane->retiring && lane->batcher.queued_requests() == 0)) {
      if (lane->in_flight > 0) {
        // Answers still to come (they wake this thread): the lane must outlive them.
        lane->idle_wake = TimePoint::max();
        lane->cv.wait(lock);
        continue;
      }
      std::vector<DroppedRequest> left = lane->batcher.DrainAll(DropReason::kShutdown);
      lock.unlock();
      for (const DroppedRequest& r : left) {
        Drop(r.request, r.reason);
      }
      return;
    }
    if (due == TimePoint::min()) {
      lane->idle_wake = TimePoint::max();  // every slot taken: an answer pumps the lane
      lane->cv.wait(lock);
      continue;
    }
    lane->idle_wake = due;
    lane->cv.wait_until(lock, ToSteady(due));
    if (due != TimePoint::max()) {
      const TimePoint woke = impl_->clock->Now();
      if (woke >= due) {
        const Duration margin = lane->NoteWakeupLateness(woke - due);
        impl_->metrics->Set(kWakeupMargin, {{"model", ms->spec.name}, {"glet", lane->glet_id}},
                            ToSeconds(margin));
      }
    }
  }
}

void Frontend::SendLaneBatch(ModelState& ms, Lane& lane, std::vector<PendingRequest> requests) {
  std::vector<const model::Tensor*> inputs;
  std::vector<BatchItemInfo> items;
  std::vector<int64_t> counts;
  TimePoint deadline = TimePoint::min();
  const TimePoint start = impl_->clock->Now();
  {
    MutexLock lock(impl_->table_mu);
    for (const PendingRequest& r : requests) {
      const Entry& e = impl_->table.at(r.id);
      inputs.push_back(&e.input);  // stable: entries are erased only by their owner (us)
      items.push_back({r.id, r.n});
      counts.push_back(r.n);
      deadline = std::max(deadline, r.deadline);
      impl_->metrics->Observe(kQueue, {{"model", ms.spec.name}}, ToSeconds(start - r.arrival));
    }
  }
  Result<model::Tensor> batch = model::AssembleBatch(inputs, ms.spec.input);
  if (!batch.ok()) {  // inputs were checked at admission: a bug if reached
    for (const PendingRequest& r : requests) {
      Fail(r.id, InternalError("batch assembly: " + batch.status().message()));
    }
    UniqueMutexLock lock(ms.mu);
    BatchAnswered(ms, lane, lock);
    return;
  }
  std::shared_ptr<GletChannel> channel;
  {
    MutexLock lock(ms.mu);
    channel = lane.channel;
  }
  impl_->metrics->Observe(kBatchSize, {{"model", ms.spec.name}},
                          static_cast<double>(batch->shape()[0]));
  channel->RunBatchAsync(ms.spec.name, *batch, items, deadline,
                         [this, &ms, &lane, requests = std::move(requests),
                          counts = std::move(counts)](Result<BatchResult> result) mutable {
                           FinishLaneBatch(ms, lane, std::move(requests), counts,
                                           std::move(result));
                           UniqueMutexLock lock(ms.mu);
                           BatchAnswered(ms, lane, lock);
                         });
}

void Frontend::BatchAnswered(ModelState& ms, Lane& lane, UniqueMutexLock& lock) {
  --lane.in_flight;
  lane.batcher.BatchAnswered(impl_->clock->Now());
  if (lane.channel->blocking() || lane.retiring || lane.stop) {
    lane.cv.notify_all();  // a lane thread, or WaitRetiredLanes(), waits for this answer
    return;
  }
  WakeLaneBy(lane, PumpLane(ms, lane, lock));
}

void Frontend::FinishLaneBatch(ModelState& ms, Lane& lane, std::vector<PendingRequest> requests,
                               const std::vector<int64_t>& counts, Result<BatchResult> result) {
  {
    // Busy time is the union of the lane's in-flight intervals (overlapping batches count once):
    // each answer adds the time since the previous answer or since the lane became busy.
    MutexLock lock(ms.mu);
    const TimePoint now = impl_->clock->Now();
    const double busy_add_ms = ToMillis(now - lane.busy_since);
    lane.busy_since = now;
    lane.busy_ms += busy_add_ms;
    const double alive_ms = ToMillis(now - lane.started);
    impl_->metrics->Set(kOccupancy, {{"glet", lane.glet_id}},
                        alive_ms > 0 ? std::min(1.0, lane.busy_ms / alive_ms) : 0.0);
    impl_->metrics->Add(kBusy, {{"glet", lane.glet_id}}, busy_add_ms / 1000);
  }
  if (!result.ok()) {
    if (result.status().code() == StatusCode::kUnavailable) {
      OnGletFailure(ms, lane, result.status(), std::move(requests));
      return;
    }
    if (result.status().code() == StatusCode::kDeadlineExceeded) {
      // The glet started the batch after its deadline (it waited in the glet's queue behind
      // other batches) and dropped it, or the answer came too late: dropped, not failed.
      for (const PendingRequest& r : requests) {
        Drop(r, DropReason::kDeadlineExpired);
      }
      return;
    }
    for (const PendingRequest& r : requests) {
      Fail(r.id, result.status().WithContext("model " + ms.spec.name + ": glet " + lane.glet_id));
    }
    return;
  }
  impl_->metrics->Observe(kCompute, {{"model", ms.spec.name}}, result->compute_ms / 1000);
  Result<std::vector<model::Tensor>> parts = model::SplitBatch(result->output, counts);
  if (!parts.ok()) {
    for (const PendingRequest& r : requests) {
      Fail(r.id, InternalError("model " + ms.spec.name + ": glet " + lane.glet_id +
                               " returned a bad output: " + parts.status().message()));
    }
    return;
  }
  for (size_t i = 0; i < requests.size(); ++i) {
    InferResult served;
    served.outcome = RequestOutcome::kServed;
    served.outputs.push_back({ms.spec.output.name, std::move((*parts)[i])});
    Finish(requests[i].id, std::move(served));
  }
}

void Frontend::OnGletFailure(ModelState& ms, Lane& lane, const Status& status,
                             std::vector<PendingRequest> requests) {
  GLET_LOG_WARN("model {}: glet {} unavailable, re-routing: {}", ms.spec.name, lane.glet_id,
                status.message());
  std::vector<DroppedRequest> queued;
  {
    MutexLock lock(ms.mu);
    if (ms.router.MarkDown(lane.glet_id).ok() && !lane.failure) {
      lane.failure = GletFailure{lane.glet_id, lane.channel->address(), impl_->clock->Now()};
    }
    impl_->metrics->Set(kGletUp, {{"glet", lane.glet_id}}, 0);
    queued = lane.batcher.DrainAll(DropReason::kModelUnloaded);
  }
  // The failed batch's requests are re-sent at most max_retries times each (a request that
  // kills every glet it reaches must not take them all down); the lane's queue never ran and
  // is simply routed again. Both wait for a glet if none is up.
  std::vector<uint64_t> again;
  for (const PendingRequest& r : requests) {
    bool retry = false;
    {
      MutexLock lock(impl_->table_mu);
      Entry& e = impl_->table.at(r.id);
      if (e.retries < impl_->options.max_retries) {
        ++e.retries;
        retry = true;
      }
    }
    if (retry) {
      impl_->metrics->Add(kRetries, {{"model", ms.spec.name}});
      again.push_back(r.id);
    } else {
      Fail(r.id, status.WithContext("model " + ms.spec.name + ": glet " + lane.glet_id));
    }
  }
  for (const DroppedRequest& d : queued) {
    again.push_back(d.request.id);
  }
  for (uint64_t id : again) {
    Route(ms, id);
  }
}

// ---------------------------------------------------------------------------------------------
// Routing tables

Status Frontend::ApplyRoutes(const std::vector<ModelRoutes>& routes, int64_t epoch) {
  // Validate everything first, so a bad table changes nothing.
  std::map<std::string, std::vector<std::pair<const GletRoute*, BatcherConfig>>> next;
  for (const ModelRoutes& mr : routes) {
    auto it = impl_->models.find(mr.model);
    if (it == impl_->models.end()) {
      return InvalidArgumentError("routes: unknown model '" + mr.model + "'");
    }
    if (next.count(mr.model) > 0) {
      return InvalidArgumentError("routes: model '" + mr.model + "' listed twice");
    }
    auto& out = next[mr.model];
    for (const GletRoute& g : mr.glets) {
      for (const auto& [prev, _] : out) {
        if (prev->glet_id == g.glet_id) {
          return InvalidArgumentError("routes: model '" + mr.model + "': glet '" + g.glet_id +
                                      "' listed twice");
        }
      }
      if (g.channel == nullptr || !(g.rate_rps > 0)) {
        return InvalidArgumentError("routes: model '" + mr.model + "': glet '" + g.glet_id +
                                    "': needs a channel and a rate > 0");
      }
      BatcherConfig config{mr.model,
                           g.batch_size,
                           g.duty_cycle,
                           g.batch_latency,
                           impl_->options.max_queue_requests,
                           impl_->options.work_conserving,
                           impl_->options.shed};
      GLET_ASSIGN_OR_RETURN(Batcher probe, Batcher::Create(config));
      (void)probe;
      out.emplace_back(&g, std::move(config));
    }
  }
  {
    // Each app stage must be done in time for the least its later stages need on the fastest
    // glets of the new table.
    auto fastest = [&next](const std::string& model) {
      std::optional<Duration> least;
      if (auto it = next.find(model); it != next.end()) {
        for (const auto& [route, config] : it->second) {
          least =
              least ? std::min(*least, route->batch_latency.front()) : route->batch_latency.front();
        }
      }
      return least.value_or(Duration::zero());
    };
    std::map<std::string, std::vector<Duration>> time_after;
    for (const model::AppSpec& app : impl_->apps) {
      time_after[app.name] = model::TimeAfterStages(app, fastest);
    }
    MutexLock lock(impl_->time_after_mu);
    impl_->time_after = std::move(time_after);
  }
  const TimePoint now = impl_->clock->Now();
  std::set<std::string> retired_glets;  // lanes retired; the glet may still serve another model
  for (auto& [name, ms_ptr] : impl_->models) {
    ModelState& ms = *ms_ptr;
    std::vector<DroppedRequest> unloaded;
    {
      MutexLock lock(ms.mu);
      auto wanted = next.find(name);
      // Retire lanes whose glet is gone.
      for (auto it = ms.lanes.begin(); it != ms.lanes.end();) {
        bool keep = false;
        if (wanted != next.end()) {
          for (const auto& [g, _] : wanted->second) {
            keep |= g->glet_id == it->first;
          }
        }
        if (keep) {
          ++it;
          continue;
        }
        ms.router.RemoveGlet(it->first).IgnoreError();
        retired_glets.insert(it->first);
        it->second->retiring = true;
        it->second->cv.notify_all();
        ms.retired.push_back(std::move(it->second));
        it = ms.lanes.erase(it);
      }
      if (wanted != next.end()) {
        for (auto& [g, config] : wanted->second) {
          auto lane_it = ms.lanes.find(g->glet_id);
          if (lane_it != ms.lanes.end()) {
            Lane& lane = *lane_it->second;
            // A glet down after a failed batch stays down while it has the same address (the
            // controller puts it back); a new address is a new proxy.
            const bool up = g->up && !(lane.failure.has_value() &&
                                       lane.failure->address == g->channel->address());
            if (up) {
              lane.failure.reset();
            }
            lane.channel = g->channel;
            auto dropped = lane.batcher.UpdateConfig(config);
            if (dropped.ok()) {
              unloaded.insert(unloaded.end(), dropped->begin(), dropped->end());
            }
            ms.router.SetRate(g->glet_id, g->rate_rps).IgnoreError();
            (up ? ms.router.MarkUp(g->glet_id) : ms.router.MarkDown(g->glet_id)).IgnoreError();
            impl_->metrics->Set(kGletUp, {{"glet", g->glet_id}}, up ? 1 : 0);
            lane.cv.notify_all();
          } else {
            auto lane = std::make_unique<Lane>(*Batcher::Create(config, GletLoadOf(g->glet_id)));
            lane->glet_id = g->glet_id;
            lane->channel = g->channel;
            lane->started = now;
            Lane* raw = lane.get();
            ms.lanes.emplace(g->glet_id, std::move(lane));
            ms.router.AddGlet(g->glet_id, g->rate_rps).IgnoreError();
            if (!g->up) {
              ms.router.MarkDown(g->glet_id).IgnoreError();
            }
            impl_->metrics->Set(kGletUp, {{"glet", g->glet_id}}, g->up ? 1 : 0);
            // A non-blocking channel needs no thread per batch in flight (see LaneLoop).
            const int threads = g->channel->blocking() ? impl_->options.max_batches_in_flight : 1;
            for (int i = 0; i < threads; ++i) {
              raw->threads.emplace_back([this, &ms, raw] { LaneLoop(&ms, raw); });
            }
          }
        }
      }
      // Held requests need at least the fastest planned latency of their size on a glet.
      std::vector<Duration> best;
      for (const auto& [id, lane] : ms.lanes) {
        const BatcherConfig& c = lane->batcher.config();
        for (int k = 1; k <= c.batch_size; ++k) {
          if (best.size() < static_cast<size_t>(k)) {
            best.push_back(c.batch_latency[k - 1]);
          } else {
            best[k - 1] = std::min(best[k - 1], c.batch_latency[k - 1]);
          }
        }
      }
      ms.held.SetLatency(std::move(best));
      if (ms.router.glet_count() == 0) {
        // Nothing of this model will come back.
        std::vector<DroppedRequest> gone = ms.held.DrainAll(DropReason::kModelUnloaded);
        unloaded.insert(unloaded.end(), gone.begin(), gone.end());
      }
    }
    for (const DroppedRequest& d : unloaded) {
      Drop(d.request, d.reason);
    }
    ReleaseHeld(ms);
  }
  // A glet that left the table is out of rotation for good: its gauge says so (it stayed 1).
  for (const auto& [model, glets] : next) {
    for (const auto& [g, config] : glets) {
      retired_glets.erase(g->glet_id);
    }
  }
  for (const std::string& id : retired_glets) {
    impl_->metrics->Set(kGletUp, {{"glet", id}}, 0);
  }
  impl_->epoch = epoch;
  impl_->metrics->Set(kEpoch, {}, static_cast<double>(epoch));
  impl_->routes_applied = true;
  return Status::Ok();
}

std::shared_ptr<GletLoad> Frontend::GletLoadOf(const std::string& glet_id) {
  MutexLock lock(impl_->loads_mu);
  for (auto it = impl_->glet_loads.begin(); it != impl_->glet_loads.end();) {
    it = it->second.expired() ? impl_->glet_loads.erase(it) : std::next(it);
  }
  std::shared_ptr<GletLoad> load = impl_->glet_loads[glet_id].lock();
  if (load == nullptr) {
    load = std::make_shared<GletLoad>();
    impl_->glet_loads[glet_id] = load;
  }
  return load;
}

bool Frontend::WaitRetiredLanes(TimePoint deadline) {
  bool all = true;
  for (auto& [name, ms_ptr] : impl_->models) {
    ModelState& ms = *ms_ptr;
    std::list<std::unique_ptr<Lane>> done;
    {
      UniqueMutexLock lock(ms.mu);
      for (auto it = ms.retired.begin(); it != ms.retired.end();) {
        Lane& lane = **it;
        bool empty = lane.cv.wait_until(lock, ToSteady(deadline), [&] {
          return lane.batcher.queued_requests() == 0 && lane.in_flight == 0;
        });
        if (!empty) {
          all = false;
          ++it;
          continue;
        }
        done.push_back(std::move(*it));
        it = ms.retired.erase(it);
      }
    }
    for (auto& lane : done) {
      lane->Join();
    }
  }
  return all;
}

void Frontend::SetGletUp(const std::string& glet_id, bool up) {
  for (auto& [name, ms_ptr] : impl_->models) {
    {
      MutexLock lock(ms_ptr->mu);
      auto lane = ms_ptr->lanes.find(glet_id);
      if (lane == ms_ptr->lanes.end()) {
        continue;
      }
      if (up) {
        lane->second->failure.reset();
      }
      (up ? ms_ptr->router.MarkUp(glet_id) : ms_ptr->router.MarkDown(glet_id)).IgnoreError();
      impl_->metrics->Set(kGletUp, {{"glet", glet_id}}, up ? 1 : 0);
    }
    if (up) {
      ReleaseHeld(*ms_ptr);
    }
  }
}

std::vector<GletFailure> Frontend::FailedGlets() const {
  std::map<std::string, GletFailure> by_glet;
  for (const auto& [name, ms_ptr] : impl_->models) {
    MutexLock lock(ms_ptr->mu);
    for (const auto& [id, lane] : ms_ptr->lanes) {
      if (!lane->failure.has_value()) {
        continue;
      }
      auto it = by_glet.find(id);
      if (it == by_glet.end() || lane->failure->at < it->second.at) {
        by_glet[id] = *lane->failure;
      }
    }
  }
  std::vector<GletFailure> out;
  for (auto& [id, f] : by_glet) {
    out.push_back(std::move(f));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Metadata and readiness

Result<ServedInfo> Frontend::Describe(const std::string& name) const {
  ServedInfo info;
  auto app = impl_->apps_by_name.find(name);
  if (app != impl_->apps_by_name.end()) {
    const model::AppSpec& a = *app->second;
    info.is_app = true;
    info.inputs = a.inputs;
    info.slo_ms = a.slo_ms;
    info.max_batch = std::numeric_limits<int>::max();
    for (const model::AppStage& st : a.stages) {
      info.max_batch = std::min(info.max_batch, impl_->models.at(st.model)->spec.max_batch);
    }
    for (const std::string& out : a.outputs) {
      const model::AppStage& stage = a.stages[a.StageIndex(out)];
      model::TensorSpec spec = impl_->models.at(stage.model)->spec.output;
      spec.name = out;
      info.outputs.push_back(spec);
    }
    return info;
  }
  auto it = impl_->models.find(name);
  if (it == impl_->models.end()) {
    return NotFoundError("unknown model '" + name + "'");
  }
  info.inputs = {it->second->spec.input};
  info.outputs = {it->second->spec.output};
  info.slo_ms = it->second->spec.slo_ms;
  info.max_batch = it->second->spec.max_batch;
  return info;
}

bool Frontend::IsReady(const std::string& name) const {
  auto app = impl_->apps_by_name.find(name);
  if (app != impl_->apps_by_name.end()) {
    for (const model::AppStage& stage : app->second->stages) {
      if (!IsReady(stage.model)) {
        return false;
      }
    }
    return true;
  }
  auto it = impl_->models.find(name);
  if (it == impl_->models.end()) {
    return false;
  }
  MutexLock lock(it->second->mu);
  return it->second->router.up_count() > 0;
}

bool Frontend::IsServerReady() const {
  if (!impl_->routes_applied.load() || !impl_->accepting.load()) {
    return false;
  }
  for (const auto& [name, ms] : impl_->models) {
    MutexLock lock(ms->mu);
    if (ms->router.glet_count() > 0 && ms->router.up_count() == 0) {
      return false;
    }
  }
  return true;
}

std::vector<std::string> Frontend::ModelNames() const {
  std::vector<std::string> names;
  for (const auto& [name, _] : impl_->models) {
    names.push_back(name);
  }
  for (const auto& [name, _] : impl_->apps_by_name) {
    names.push_back(name);
  }
  return names;
}

int64_t Frontend::epoch() const { return impl_->epoch.load(); }

ReplanDecision Frontend::CheckReplan() {
  MutexLock lock(impl_->rates_mu);
  return impl_->rates->ShouldReplan(impl_->clock->Now());
}

void Frontend::SetPlannedRates(std::map<std::string, double> rates_rps) {
  MutexLock lock(impl_->rates_mu);
  impl_->rates->SetPlannedRates(std::move(rates_rps), impl_->clock->Now());
}

void Frontend::SetLeadTimes(std::map<std::string, Duration, std::less<>> lead_time) {
  MutexLock lock(impl_->rates_mu);
  impl_->rates->SetLeadTimes(std::move(lead_time));
}

std::map<std::string, double> Frontend::ObservedRates() {
  MutexLock lock(impl_->rates_mu);
  std::map<std::string, double> out;
  const TimePoint now = impl_->clock->Now();
  for (const auto& [name, _] : impl_->models) {
    double r = impl_->rates->Rate(name, now);
    if (r > 0) {
      out[name] = r;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Shutdown

void Frontend::Shutdown(TimePoint drain_deadline) {
  MutexLock guard(impl_->shutdown_mu);
  if (impl_->shut_down) {
    return;
  }
  impl_->shut_down = true;
  impl_->accepting = false;
  // Let every lane finish what it holds, as retiring lanes do, until the deadline. Requests
  // waiting for a glet have none to wait for any more.
  for (auto& [name, ms_ptr] : impl_->models) {
    std::vector<DroppedRequest> held;
    {
      MutexLock lock(ms_ptr->mu);
      for (auto& [id, lane] : ms_ptr->lanes) {
        ms_ptr->router.RemoveGlet(id).IgnoreError();
        lane->retiring = true;
        lane->cv.notify_all();
        ms_ptr->retired.push_back(std::move(lane));
      }
      ms_ptr->lanes.clear();
      held = ms_ptr->held.DrainAll(DropReason::kShutdown);
    }
    for (const DroppedRequest& d : held) {
      Drop(d.request, d.reason);
    }
  }
  WaitRetiredLanes(drain_deadline);
  for (auto& [name, ms_ptr] : impl_->models) {
    std::list<std::unique_ptr<Lane>> left;
    {
      MutexLock lock(ms_ptr->mu);
      for (auto& lane : ms_ptr->retired) {
        lane->stop = true;
        lane->cv.notify_all();
      }
      left.swap(ms_ptr->retired);
    }
    for (auto& lane : left) {
      lane->Join();
    }
  }
  {
    MutexLock lock(impl_->hold_mu);
    impl_->hold_stop = true;
    impl_->hold_cv.notify_all();
  }
  if (impl_->hold_thread.joinable()) {
    impl_->hold_thread.join();
  }
}

// ---------------------------------------------------------------------------------------------
// Apps

void Frontend::StartApp(const model::AppSpec& app, std::vector<NamedTensor> inputs,
                        InferCallback done, const InferOptions& options) {
  auto run = std::make_shared<AppRun>();
  run->app = &app;
  // App-level accounting; the stages are counted under their models.
  run->done = [this, name = app.name, done = std::move(done)](InferResult r) {
    impl_->metrics->Add(kRequests,
                        {{"model", name}, {"outcome", std::string(RequestOutcomeName(r.outcome))}});
    if (r.drop_reason) {
      impl_->metrics->Add(
          kDropped, {{"model", name}, {"reason", std::string(DropReasonName(*r.drop_reason))}});
    }
    done(std::move(r));
  };
  run->arrival = impl_->clock->Now();
  run->deadline = DeadlineOf(run->arrival, app.slo_ms, options);
  // Inputs by name (or by position when unnamed), each checked against the app's spec.
  run->inputs.resize(app.inputs.size());
  if (inputs.size() != app.inputs.size()) {
    InferResult r;
    r.status = InvalidArgumentError("app '" + app.name + "': expected " +
                                    std::to_string(app.inputs.size()) + " inputs, got " +
                                    std::to_string(inputs.size()));
    run->done(std::move(r));
    return;
  }
  for (size_t i = 0; i < inputs.size(); ++i) {
    size_t slot = i;
    if (!inputs[i].name.empty()) {
      auto pos = std::find_if(app.inputs.begin(), app.inputs.end(),
                              [&](const model::TensorSpec& s) { return s.name == inputs[i].name; });
      if (pos == app.inputs.end()) {
        InferResult r;
        r.status =
            InvalidArgumentError("app '" + app.name + "': unknown input '" + inputs[i].name + "'");
        run->done(std::move(r));
        return;
      }
      slot = pos - app.inputs.begin();
    }
    if (Status s = model::CheckTensorMatches(
            inputs[i].tensor, app.inputs[slot],
            "app '" + app.name + "': input '" + app.inputs[slot].name + "'");
        !s.ok()) {
      InferResult r;
      r.status = s;
      run->done(std::move(r));
      return;
    }
    run->inputs[slot] = std::move(inputs[i]);
    run->inputs[slot].name = app.inputs[slot].name;
  }
  // The roots are chosen before any stage runs: once one runs, its answer (on another thread)
  // counts down its consumers' pending inputs and starts those that reach 0. (Reading the counts
  // while starting the roots raced with that, and could start a consumer twice.)
  std::vector<size_t> roots;
  {
    MutexLock lock(run->mu);
    run->stage_outputs.resize(app.stages.size());
    run->pending_inputs.assign(app.stages.size(), 0);
    run->exits_left = static_cast<int>(app.outputs.size());
    for (size_t s = 0; s < app.stages.size(); ++s) {
      for (const std::string& in : app.stages[s].inputs) {
        if (app.StageIndex(in) >= 0) {
          ++run->pending_inputs[s];
        }
      }
      if (run->pending_inputs[s] == 0) {
        roots.push_back(s);
      }
    }
  }
  for (size_t s : roots) {
    RunAppStage(run, s);
  }
}

Result<model::Tensor> Frontend::StageInput(const AppRun& run, size_t stage) const {
  const model::AppStage& st = run.app->stages[stage];
  const model::ModelSpec& spec = impl_->models.at(st.model)->spec;
  const std::string& source = st.inputs.front();
  const model::Tensor* t = nullptr;
  int producer = run.app->StageIndex(source);
  if (producer >= 0) {
    t = &*run.stage_outputs[producer];
  } else {
    for (const NamedTensor& in : run.inputs) {
      if (in.name == source) {
        t = &in.tensor;
      }
    }
  }
  if (t != nullptr && model::CheckTensorMatches(*t, spec.input, "").ok()) {
    return *t;
  }
  // A producer whose output is not this model's input (a detector feeding a classifier): the
  // stage gets one input of its model's shape, standing in for the crop the app would cut.
  return model::MakeRandomInput(spec.input, 1, /*seed=*/stage + 1);
}

void Frontend::RunAppStage(const std::shared_ptr<AppRun>& run, size_t stage) {
  Result<model::Tensor> input = [&]() -> Result<model::Tensor> {
    MutexLock lock(run->mu);
    return StageInput(*run, stage);
  }();
  const model::AppStage& st = run->app->stages[stage];
  auto on_done = [this, run, stage](InferResult r) {
    const model::AppSpec& app = *run->app;
    std::vector<size_t> ready;
    InferResult final_result;
    bool finish = false;
    {
      MutexLock lock(run->mu);
      if (run->finished) {
        return;
      }
      if (r.outcome != RequestOutcome::kServed) {
        run->finished = true;
        final_result = std::move(r);
        final_result.status = final_result.status.WithContext("app '" + app.name + "': stage '" +
                                                              app.stages[stage].id + "'");
        finish = true;
      } else {
        run->stage_outputs[stage] = std::move(r.outputs.front().tensor);
        const std::string& id = app.stages[stage].id;
        if (std::find(app.outputs.begin(), app.outputs.end(), id) != app.outputs.end()) {
          --run->exits_left;
        }
        for (size_t c = 0; c < app.stages.size(); ++c) {
          const auto& ins = app.stages[c].inputs;
          if (std::find(ins.begin(), ins.end(), id) != ins.end() && --run->pending_inputs[c] == 0) {
            ready.push_back(c);
          }
        }
        if (run->exits_left == 0) {
          run->finished = true;
          finish = true;
          final_result.outcome = RequestOutcome::kServed;
          for (const std::string& out : app.outputs) {
            final_result.outputs.push_back({out, *run->stage_outputs[app.StageIndex(out)]});
          }
        }
      }
    }
    if (finish) {
      run->done(std::move(final_result));
      return;
    }
    for (size_t c : ready) {
      RunAppStage(run, c);
    }
  };
  if (!input.ok()) {
    InferResult r;
    r.status = input.status();
    on_done(std::move(r));
    return;
  }
  Submit(st.model, std::move(*input), impl_->clock->Now(),
         run->deadline - TimeAfterStage(*run->app, stage), std::move(on_done));
}

Duration Frontend::TimeAfterStage(const model::AppSpec& app, size_t stage) const {
  MutexLock lock(impl_->time_after_mu);
  auto it = impl_->time_after.find(app.name);
  return it == impl_->time_after.end() ? Duration::zero() : it->second[stage];
}

}  // namespace glet::serve
