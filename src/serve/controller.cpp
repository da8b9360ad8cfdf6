#include "serve/controller.h"

#include <algorithm>
#include <set>

#include "core/logging.h"
#include "core/strings.h"
#include "sched/plan_search.h"
#include "sched/planner_factory.h"
#include "serve/proxy_channel.h"

namespace glet::serve {

namespace {

// Depth (stages on the longest path) of an app: its SLO is split evenly over it for planning.
int AppDepth(const model::AppSpec& app) {
  std::map<std::string, int> depth;
  int best = 1;
  for (const model::AppStage& s : app.stages) {  // topological order
    int d = 1;
    for (const std::string& in : s.inputs) {
      auto it = depth.find(in);
      if (it != depth.end()) {
        d = std::max(d, it->second + 1);
      }
    }
    depth[s.id] = d;
    best = std::max(best, d);
  }
  return best;
}

}  // namespace

Controller::Controller(Frontend& frontend, BackendRegistry& registry,
                       const model::ModelManifest& manifest, MetricsRegistry& metrics,
                       ControllerOptions options)
    : frontend_(frontend),
      registry_(registry),
      manifest_(manifest),
      metrics_(metrics),
      options_(std::move(options)),
      clock_(options_.clock != nullptr ? *options_.clock : SystemClock::Get()),
      own_backends_(options_.backends != nullptr ? nullptr : std::make_unique<GrpcBackendClient>()),
      backends_(options_.backends != nullptr ? *options_.backends : *own_backends_) {
  metrics_.Declare("glet_devices_in_use", MetricsRegistry::Type::kGauge,
                   "Devices holding at least one glet in the plan in force.");
  metrics_.Declare("glet_replans_total", MetricsRegistry::Type::kCounter,
                   "Plans made, by reason and result.");
  metrics_.Declare("glet_plan_served_share", MetricsRegistry::Type::kGauge,
                   "Share of every model's demand the plan in force serves (< 1: degraded).");
}

Controller::~Controller() { Stop(); }

namespace {
// How often Start() looks whether it was cancelled while it waits for backends.
constexpr Duration kStartSlice = std::chrono::milliseconds(100);
}  // namespace

Status Controller::Start(int min_devices, TimePoint deadline) {
  auto enough = [min_devices](const std::vector<BackendRecord>& backends) {
    size_t n = 0;
    for (const BackendRecord& b : backends) {
      n += b.devices.size();
    }
    return static_cast<int>(n) >= min_devices;
  };
  // In slices, so that Cancel() (a shutdown signal while waiting) ends the wait.
  while (!registry_.WaitFor(enough, std::min(deadline, clock_.Now() + kStartSlice))) {
    if (stopping()) {
      return CancelledError("stopped while waiting for backends");
    }
    if (clock_.Now() >= deadline) {
      return DeadlineExceededError("no backend offered " + std::to_string(min_devices) +
                                   " device(s) in time");
    }
  }
  std::map<std::string, double> rates = options_.model_rates;
  for (const ServedApp& app : options_.apps) {
    for (const model::AppStage& s : app.spec.stages) {
      rates[s.model] += app.rate_rps * s.fanout;
    }
  }
  GLET_RETURN_IF_ERROR(Replan(rates, "start"));
  MutexLock lock(mu_);
  if (stop_) {
    return CancelledError("stopped while making the first plan");
  }
  thread_ = std::thread([this] { Loop(); });
  return Status::Ok();
}

void Controller::Cancel() {
  {
    MutexLock lock(mu_);
    stop_ = true;
    cv_.notify_all();
  }
  backends_.Cancel();
}

bool Controller::stopping() const {
  MutexLock lock(mu_);
  return stop_;
}

void Controller::Stop() {
  Cancel();
  if (thread_.joinable()) {
    thread_.join();
  }
}

void Controller::StopGlets() {
  backends_.Resume();  // Stop() cancelled the calls of the loop, not this one
  const int64_t epoch = NextEpoch();
  for (const BackendRecord& b : registry_.Snapshot()) {
    auto r = backends_.ApplyPlan(b.address, static_cast<uint64_t>(epoch), {});
    if (!r.ok()) {
      GLET_LOG_WARN("stopping glets: {}", r.status().message());
    }
  }
}

sched::Plan Controller::plan() const {
  MutexLock lock(mu_);
  return plan_;
}

int64_t Controller::NextEpoch() const {
  // A restarted frontend starts again from 0, but its backends refuse a plan older than the one
  // they run: count on from the newest any of them applied.
  const int64_t applied = static_cast<int64_t>(registry_.MaxAppliedEpoch());
  MutexLock lock(mu_);
  return std::max(epoch_, applied) + 1;
}

int64_t Controller::epoch() const {
  MutexLock lock(mu_);
  return epoch_;
}

Result<sched::Workload> Controller::MakeWorkload(const std::map<std::string, double>& rates) const {
  std::map<std::string, sched::ModelDemand> demand;
  auto add = [&](const std::string& name, double full_slo_ms) -> Status {
    GLET_ASSIGN_OR_RETURN(const model::ModelSpec* spec, manifest_.Find(name));
    const double slo_ms = full_slo_ms - options_.host_overhead_ms;
    if (!(slo_ms > 0)) {
      return InvalidArgumentError("model '" + name + "': SLO " + FormatDouble(full_slo_ms, 2) +
                                  " ms leaves nothing after host_overhead_ms " +
                                  FormatDouble(options_.host_overhead_ms, 2));
    }
    sched::ModelDemand& d = demand[name];
    d.model = name;
    d.slo_ms = d.slo_ms > 0 ? std::min(d.slo_ms, slo_ms) : slo_ms;
    d.max_batch = spec->max_batch;
    auto r = rates.find(name);
    auto floor = options_.model_floor_rps.find(name);
    d.rate_rps = std::max({options_.min_rate_rps,
                           floor == options_.model_floor_rps.end() ? 0.0 : floor->second,
                           r == rates.end() ? 0.0 : r->second});
    return Status::Ok();
  };
  for (const auto& [name, _] : options_.model_rates) {
    GLET_ASSIGN_OR_RETURN(const model::ModelSpec* spec, manifest_.Find(name));
    GLET_RETURN_IF_ERROR(add(name, spec->slo_ms));
  }
  for (const ServedApp& app : options_.apps) {
    const double stage_slo = app.spec.slo_ms / AppDepth(app.spec);
    for (const model::AppStage& s : app.spec.stages) {
      GLET_RETURN_IF_ERROR(add(s.model, stage_slo));
    }
  }
  sched::Workload w;
  for (auto& [name, d] : demand) {
    w.models.push_back(d);
  }
  return w;
}

Status Controller::Replan(const std::map<std::string, double>& rates_rps, const std::string& why) {
  MutexLock changing(changing_mu_);
  return ReplanLocked(rates_rps, why);
}

void Controller::PlanFailed(const std::string& why, const std::string& result,
                            const Status& status) {
  {
    MutexLock lock(mu_);
    plan_failed_ = true;
  }
  metrics_.Add("glet_replans_total", {{"reason", why}, {"result", result}});
  GLET_LOG_WARN("plan ({}): {}", why, status.message());
}

Status Controller::ReplanLocked(const std::map<std::string, double>& rates_rps,
                                const std::string& why) {
  if (stopping()) {
    return CancelledError("the controller is stopping");
  }
  std::vector<BackendRecord> backends = registry_.Snapshot();
  std::map<std::string, int> by_type;
  known_devices_ = 0;
  for (const BackendRecord& b : backends) {
    known_devices_ += b.devices.size();
    for (const DeviceInfo& d : b.devices) {
      if (d.healthy && !d.profile.empty()) {
        ++by_type[d.profile];
      }
    }
  }
  if (by_type.empty()) {
    // Every node is gone (e.g. the only backend was killed): a backend that registers later
    // must trigger a plan (Loop's "joined"), so this counts as a failed plan.
    Status s = FailedPreconditionError("no healthy devices to plan on; waiting for a backend");
    PlanFailed(why, "no_devices", s);
    return s;
  }
  // Every device type with healthy devices is planned; one whose profile does not load is left
  // out (with a warning) unless it is the only one.
  sched::Fleet fleet;
  Status load_error;
  for (const auto& [type, count] : by_type) {
    auto it = profiles_.find(type);
    if (it == profiles_.end()) {
      Result<perf::DeviceProfile> loaded =
          perf::DeviceProfile::LoadDir(options_.profiles_dir + "/" + type);
      if (!loaded.ok()) {
        GLET_LOG_WARN("device type {}: {}; its devices are not planned", type,
                      loaded.status().message());
        load_error = loaded.status();
        continue;
      }
      it = profiles_.emplace(type, std::make_unique<perf::DeviceProfile>(std::move(loaded).value()))
               .first;
    }
    fleet.pools.push_back(sched::DevicePool{it->second.get(), count});
  }
  if (fleet.pools.empty()) {
    PlanFailed(why, "no_profile", load_error.WithContext("no device type with a loadable profile"));
    return load_error;
  }
  // Glet sizes: the type's own list; with several types the union of theirs (each type then
  // uses those its profile measures).
  sched::PlannerOptions planner_options;
  planner_options.margins = options_.margins;
  if (fleet.single_type()) {
    if (auto p = options_.partitions.find(fleet.pools[0].type()); p != options_.partitions.end()) {
      planner_options.partitions = p->second;
    }
  } else {
    std::set<int> parts;
    for (const sched::DevicePool& pool : fleet.pools) {
      auto p = options_.partitions.find(pool.type());
      for (int v : p != options_.partitions.end() ? p->second : sched::DefaultPartitions()) {
        parts.insert(v);
      }
    }
    planner_options.partitions.assign(parts.begin(), parts.end());
  }
  GLET_ASSIGN_OR_RETURN(std::unique_ptr<sched::Planner> planner,
                        sched::MakePlanner(options_.policy, planner_options));
  GLET_ASSIGN_OR_RETURN(sched::Workload workload, MakeWorkload(rates_rps));
  // Each model's cold start (the longest over the planned types' load.csv): a model still rising
  // is planned ahead by it, so its new glets come up ready for the rate of that moment.
  std::map<std::string, Duration, std::less<>> lead_time;
  for (const sched::ModelDemand& d : workload.models) {
    for (const sched::DevicePool& pool : fleet.pools) {
      if (std::optional<double> ms = pool.profile->LoadMs(d.model)) {
        lead_time[d.model] = std::max(lead_time[d.model], FromMillis(*ms));
      }
    }
  }
  frontend_.SetLeadTimes(std::move(lead_time));
  Result<sched::Plan> plan = planner->MakePlan(workload, fleet, nullptr);
  double share = 1;
  if (!plan.ok() && plan.status().code() == StatusCode::kResourceExhausted && why != "start") {
    // Graceful degradation: the fleet cannot hold the demand (a node lost, demand past the
    // budget). Serve the largest share of every model's rate that fits rather than keep a plan
    // with glets on devices that are gone; the batchers shed the rest as `overloaded`.
    Result<sched::PeakResult> peak = sched::FindPeakScale(*planner, workload, fleet, 0.01);
    if (peak.ok() && peak->scale < 1) {
      GLET_LOG_WARN("plan ({}): {}; planning for {:.0f}% of every model's rate instead", why,
                    plan.status().message(), peak->scale * 100);
      share = peak->scale;
      plan = std::move(peak->plan);
    }
  }
  if (!plan.ok()) {
    PlanFailed(why, "no_fit", plan.status());
    return plan.status();
  }
  plan->epoch = NextEpoch();
  if (Status applied = Apply(*plan, fleet.Profiles(), backends); !applied.ok()) {
    PlanFailed(why, "apply_failed", applied.WithContext("applying it failed"));
    return applied;
  }
  std::string placement;
  std::map<std::string, double> planned_rates;
  {
    MutexLock lock(mu_);
    plan_ = *plan;
    plan_failed_ = false;
    served_share_ = share;
    plan_reason_ = why;
    // The demand, not the share planned for: the rate monitor compares arrivals with it, so a
    // degraded plan is not re-planned again and again for the rates it cannot hold.
    planned_rates_.clear();
    for (const sched::ModelDemand& d : workload.models) {
      planned_rates_[d.model] = d.rate_rps;
    }
    planned_rates = planned_rates_;
    PublishView();
    placement = DescribePlacement(placed_);
  }
  frontend_.SetPlannedRates(std::move(planned_rates));
  metrics_.Add("glet_replans_total",
               {{"reason", why}, {"result", share < 1 ? "degraded" : "applied"}});
  metrics_.Set("glet_plan_served_share", {}, share);
  metrics_.Set("glet_devices_in_use", {}, plan->UsedDevices());
  GLET_LOG_INFO("plan epoch {} ({}): {} device(s): {}; glets: {}", plan->epoch, why,
                plan->UsedDevices(), fleet.Describe(fleet.UsedPerPool(*plan)), placement);
  return Status::Ok();
}

Json Controller::PlanView() const {
  MutexLock lock(view_mu_);
  return view_;
}

void Controller::PublishView() {
  Json v;
  v["epoch"] = epoch_;
  v["reason"] = plan_reason_;
  v["served_share"] = served_share_;
  v["planned_rates_rps"] = planned_rates_;
  v["plan"] = plan_.ToJson();
  Json glets = Json::array();
  for (const PlacedGlet& p : placed_) {
    Json models = Json::array();
    for (const GletModelSpec& m : p.spec.models) {
      models.push_back({{"model", m.model}, {"batch", m.batch_size}, {"rate_rps", m.rate_rps}});
    }
    glets.push_back({{"glet_id", p.spec.glet_id},
                     {"backend", p.backend_id},
                     {"device", p.spec.device_id},
                     {"partition_percent", p.spec.partition_percent},
                     {"up", p.up},
                     {"duty_cycle_ms", p.duty_cycle_ms},
                     {"models", std::move(models)}});
  }
  v["glets"] = std::move(glets);
  MutexLock lock(view_mu_);
  view_ = std::move(v);
}

Status Controller::Apply(const sched::Plan& plan,
                         const std::map<std::string, const perf::DeviceProfile*>& profiles,
                         const std::vector<BackendRecord>& backends) {
  std::vector<PlacedGlet> running;
  {
    MutexLock lock(mu_);
    running = placed_;
  }
  GLET_ASSIGN_OR_RETURN(std::vector<PlacedGlet> next,
                        PlaceGlets(plan, profiles, backends, running, options_.host_overhead_ms));
  const int64_t epoch = plan.epoch;
  const std::vector<NodeChange> changes = PlanNodeChanges(next, running, backends);
  auto record = [&next](const std::vector<GletInfo>& infos) {
    for (const GletInfo& info : infos) {
      for (PlacedGlet& p : next) {
        if (p.spec.glet_id == info.spec.glet_id) {
          p.proxy_address = info.proxy_address;
          p.up = info.state == GletState::kReady;
        }
      }
    }
  };
  // Start the new glets next to the old ones (make-before-break).
  std::vector<const NodeChange*> switched;  // nodes that cannot hold old and new together
  for (const NodeChange& change : changes) {
    Result<std::vector<GletInfo>> infos =
        backends_.ApplyPlan(change.address, static_cast<uint64_t>(epoch), change.overlap);
    if (!infos.ok() && infos.status().code() != StatusCode::kCancelled &&
        change.overlap.size() != change.target.size()) {
      GLET_LOG_WARN("{}; moving its load to other glets, then switching the node over",
                    infos.status().message());
      switched.push_back(&change);
      continue;
    }
    if (!infos.ok()) {
      return infos.status();
    }
    record(*infos);
  }
  if (!switched.empty()) {
    // Make-before-break by routing where a node lacks room (e.g. CPU cores): route to the new
    // glets started elsewhere and away from the glets the node retires (for every model with
    // another glet up), let those lanes drain, then switch the node over. A model with no other
    // glet waits for the node's new glet in its outage queue.
    std::vector<std::string> addresses;
    for (const NodeChange* change : switched) {
      addresses.push_back(change->address);
    }
    GLET_RETURN_IF_ERROR(InstallRoutes(InterimPlacement(next, running, addresses), epoch));
    frontend_.WaitRetiredLanes(clock_.Now() + options_.drain_timeout);
    for (const NodeChange* change : switched) {
      Result<std::vector<GletInfo>> infos =
          backends_.ApplyPlan(change->address, static_cast<uint64_t>(epoch), change->target);
      if (!infos.ok()) {
        return infos.status();
      }
      record(*infos);
    }
  }
  {
    MutexLock lock(mu_);
    placed_ = next;
    epoch_ = epoch;
  }
  GLET_RETURN_IF_ERROR(InstallRoutes(next, epoch));
  // Old glets: let their lanes finish, then stop them.
  frontend_.WaitRetiredLanes(clock_.Now() + options_.drain_timeout);
  for (const NodeChange& change : changes) {
    if (change.overlap.size() == change.target.size() ||
        std::find(switched.begin(), switched.end(), &change) != switched.end()) {
      continue;  // nothing to stop there
    }
    Result<std::vector<GletInfo>> infos =
        backends_.ApplyPlan(change.address, static_cast<uint64_t>(epoch), change.target);
    if (!infos.ok()) {
      GLET_LOG_WARN("{}", infos.status().message());
    }
  }
  return Status::Ok();
}

Status Controller::InstallRoutes(const std::vector<PlacedGlet>& placed, int64_t epoch) {
  std::map<std::string, ModelRoutes> routes;
  size_t next_queue = 0;
  for (const PlacedGlet& p : placed) {
    if (p.proxy_address.empty()) {
      continue;
    }
    grpc::CompletionQueue* queue =
        options_.batch_queues.empty()
            ? nullptr
            : options_.batch_queues[next_queue++ % options_.batch_queues.size()];
    auto channel =
        std::make_shared<ProxyChannel>(p.proxy_address, clock_, std::chrono::seconds(2), queue);
    for (const GletModelSpec& m : p.spec.models) {
      GletRoute r;
      r.glet_id = p.spec.glet_id;
      r.rate_rps = p.rate_rps.at(m.model);
      r.batch_size = m.batch_size;
      r.duty_cycle = FromMillis(p.duty_cycle_ms);
      r.batch_latency = p.batch_latency.at(m.model);
      r.channel = channel;
      r.up = p.up;
      routes[m.model].model = m.model;
      routes[m.model].glets.push_back(std::move(r));
    }
  }
  std::vector<ModelRoutes> list;
  for (auto& [name, r] : routes) {
    list.push_back(std::move(r));
  }
  return frontend_.ApplyRoutes(list, epoch);
}

void Controller::FollowGletHealth() {
  // A heartbeat this much younger than the frontend's own failure of a glet reflects the
  // backend's state after that failure (the backend sees its proxy die as fast as the frontend).
  constexpr Duration kFreshAfterFailure = std::chrono::milliseconds(250);
  std::vector<BackendRecord> backends = registry_.Snapshot();
  std::vector<GletFailure> failures = frontend_.FailedGlets();
  bool moved = false;
  std::vector<std::pair<std::string, bool>> changes;  // glet id, up
  std::vector<PlacedGlet> placed;
  int64_t epoch = 0;
  {
    MutexLock lock(mu_);
    for (PlacedGlet& p : placed_) {
      for (const BackendRecord& b : backends) {
        if (b.backend_id != p.backend_id) {
          continue;
        }
        for (const GletInfo& g : b.glets) {
          if (g.spec.glet_id != p.spec.glet_id) {
            continue;
          }
          // A heartbeat sent before the glet first came up still says STARTING with no error:
          // only a failure (FAILED, or STARTING again after its proxy died) takes it down.
          const bool failed = g.state == GletState::kFailed ||
                              (g.state == GletState::kStarting && !g.error.empty());
          if (!failed && g.state != GletState::kReady) {
            continue;
          }
          const bool ready = g.state == GletState::kReady;
          if (ready && g.proxy_address != p.proxy_address) {
            p.proxy_address = g.proxy_address;
            moved = true;
          }
          if (ready != p.up) {
            p.up = ready;
            changes.emplace_back(p.spec.glet_id, ready);
            GLET_LOG_INFO("glet {} is {}", p.spec.glet_id, ready ? "back" : "down: " + g.error);
            continue;
          }
          // The frontend took it down after a failed batch, yet its backend has reported it
          // READY at the same address since (a transient failure, or a restart within one
          // heartbeat that got the same port back): route to it again.
          auto f = std::find_if(failures.begin(), failures.end(),
                                [&](const GletFailure& x) { return x.glet_id == p.spec.glet_id; });
          if (ready && f != failures.end() && f->address == p.proxy_address &&
              b.last_seen > f->at + kFreshAfterFailure) {
            changes.emplace_back(p.spec.glet_id, true);
            GLET_LOG_INFO("glet {} is READY again after a failed batch; routing to it", f->glet_id);
          }
        }
      }
    }
    if (moved || !changes.empty()) {
      PublishView();
    }
    if (moved) {
      placed = placed_;
      epoch = epoch_;
    }
  }
  if (moved) {
    // New proxy addresses first, so that a glet coming back is routed to its new proxy.
    if (Status s = InstallRoutes(placed, epoch); !s.ok()) {
      GLET_LOG_WARN("re-routing after a proxy restart: {}", s.message());
    }
  }
  for (const auto& [id, up] : changes) {
    frontend_.SetGletUp(id, up);
  }
}

void Controller::Loop() {
  TimePoint last_check = clock_.Now();
  while (true) {
    {
      UniqueMutexLock lock(mu_);
      cv_.wait_for(lock, options_.tick, [this]() GLET_REQUIRES(mu_) { return stop_; });
      if (stop_) {
        return;
      }
    }
    std::vector<BackendRecord> lost = registry_.ExpireStale(options_.heartbeat_timeout);
    for (const BackendRecord& b : lost) {
      GLET_LOG_WARN("backend {} ({}) stopped heartbeating: repairing the plan", b.backend_id,
                    b.address);
    }
    bool joined = false;
    std::vector<std::string> gone;  // glets of the lost backends
    std::map<std::string, double> rates;
    {
      MutexLock changing(changing_mu_);
      MutexLock lock(mu_);
      size_t devices = 0;
      for (const BackendRecord& b : registry_.Snapshot()) {
        devices += b.devices.size();
      }
      joined = (plan_failed_ || served_share_ < 1) && devices > known_devices_;
      if (!lost.empty()) {
        // Their glets are gone: take them out of rotation before re-planning.
        auto on_lost = [&](const PlacedGlet& p) {
          return std::any_of(lost.begin(), lost.end(),
                             [&](const BackendRecord& b) { return b.backend_id == p.backend_id; });
        };
        for (const PlacedGlet& p : placed_) {
          if (on_lost(p)) {
            gone.push_back(p.spec.glet_id);
          }
        }
        placed_.erase(std::remove_if(placed_.begin(), placed_.end(), on_lost), placed_.end());
        PublishView();
      }
      rates = planned_rates_;
    }
    for (const std::string& id : gone) {
      frontend_.SetGletUp(id, false);
    }
    for (const auto& [model, r] : frontend_.ObservedRates()) {
      rates[model] = r;
    }
    if (!lost.empty()) {
      Replan(rates, "backend_lost").IgnoreError();
      continue;
    }
    if (joined) {
      Replan(rates, "backend_joined").IgnoreError();
      continue;
    }
    {
      MutexLock changing(changing_mu_);
      FollowGletHealth();
    }
    if (clock_.Now() - last_check >= std::chrono::milliseconds(500)) {
      last_check = clock_.Now();
      ReplanDecision d = frontend_.CheckReplan();
      if (d.replan) {
        GLET_LOG_INFO("rate of {} moved {} from {:.1f} to {:.1f} rps: re-planning", d.model,
                      d.up ? "up" : "down", d.planned_rps, d.observed_rps);
        std::map<std::string, double> next = rates;
        for (const auto& [model, r] : d.rates_rps) {
          next[model] = r;
        }
        Replan(next, "rate_change").IgnoreError();
      }
    }
  }
}

}  // namespace glet::serve
