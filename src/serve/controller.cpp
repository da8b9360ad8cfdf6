#include "serve/controller.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <set>

#include "core/logging.h"
#include "core/strings.h"
#include "glet_control.grpc.pb.h"
#include "sched/device_assignment.h"
#include "sched/glet_reuse.h"
#include "sched/plan_search.h"
#include "sched/planner_factory.h"
#include "serve/backend_proto.h"
#include "serve/control_auth.h"
#include "serve/control_tls.h"
#include "serve/grpc_status.h"
#include "serve/lane_latency.h"
#include "serve/proxy_channel.h"

namespace glet::serve {

struct Controller::Placed {
  GletSpec spec;
  std::string backend_id;
  std::string backend_address;
  std::string proxy_address;
  bool up = true;
  double duty_cycle_ms = 0;  // planned duty cycle (batching); the backend's spec may be older
  std::map<std::string, std::vector<Duration>> batch_latency;  // per model, 1..batch
  std::map<std::string, double> rate_rps;                      // per model (routing weight)
};

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

Result<std::vector<GletInfo>> CallApplyPlan(const std::string& address, uint64_t epoch,
                                            const std::vector<GletSpec>& glets) {
  auto stub = control::BackendControl::NewStub(ControlTls::CreateChannel(address));
  control::ApplyPlanRequest request;
  request.set_protocol_version(control::PROTOCOL_VERSION_CURRENT);
  request.set_plan_epoch(epoch);
  for (const GletSpec& g : glets) {
    GletSpecToProto(g, request.add_glets());
  }
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(120));
  ControlAuth::Attach(ctx);
  control::ApplyPlanResponse response;
  grpc::Status s = stub->ApplyPlan(&ctx, request, &response);
  if (!s.ok()) {
    return FromGrpcStatus(s).WithContext("backend " + address + ": apply plan");
  }
  std::vector<GletInfo> out;
  for (const control::GletInfo& g : response.glets()) {
    out.push_back(GletInfoFromProto(g));
  }
  return out;
}

// What a placed glet runs, for sched::MatchUnchangedGlets(): its device is the backend's.
sched::GletWork PlacedWork(const std::string& backend_id, const GletSpec& spec) {
  sched::GletWork w;
  w.device = backend_id + "/" + spec.device_id;
  w.partition_percent = spec.partition_percent;
  for (const GletModelSpec& m : spec.models) {
    w.models.emplace_back(m.model, m.batch_size);
  }
  return w;
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
      clock_(SystemClock::Get()) {
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
    {
      MutexLock lock(mu_);
      if (stop_) {
        return CancelledError("stopped while waiting for backends");
      }
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
  MutexLock lock(mu_);
  stop_ = true;
  cv_.notify_all();
}

void Controller::Stop() {
  Cancel();
  if (thread_.joinable()) {
    thread_.join();
  }
}

void Controller::StopGlets() {
  for (const BackendRecord& b : registry_.Snapshot()) {
    MutexLock lock(mu_);
    auto r = CallApplyPlan(b.address, static_cast<uint64_t>(epoch_ + 1), {});
    if (!r.ok()) {
      GLET_LOG_WARN("stopping glets: {}", r.status().message());
    }
  }
}

sched::Plan Controller::plan() const {
  MutexLock lock(mu_);
  return plan_;
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
  std::vector<BackendRecord> backends = registry_.Snapshot();
  std::map<std::string, int> by_type;
  for (const BackendRecord& b : backends) {
    for (const DeviceInfo& d : b.devices) {
      if (d.healthy && !d.profile.empty()) {
        ++by_type[d.profile];
      }
    }
  }
  MutexLock lock(mu_);
  known_devices_ = 0;
  for (const BackendRecord& b : backends) {
    known_devices_ += b.devices.size();
  }
  if (by_type.empty()) {
    // Every node is gone (e.g. the only backend was killed): a backend that registers later
    // must trigger a plan (Loop's "joined"), so this counts as a failed plan.
    plan_failed_ = true;
    metrics_.Add("glet_replans_total", {{"reason", why}, {"result", "no_devices"}});
    GLET_LOG_WARN("plan ({}): no healthy devices to plan on; waiting for a backend", why);
    return FailedPreconditionError("no devices to plan on");
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
    plan_failed_ = true;
    metrics_.Add("glet_replans_total", {{"reason", why}, {"result", "no_profile"}});
    GLET_LOG_WARN("plan ({}): no device type with a loadable profile: {}", why,
                  load_error.message());
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
    plan_failed_ = true;
    metrics_.Add("glet_replans_total", {{"reason", why}, {"result", "no_fit"}});
    GLET_LOG_WARN("plan ({}): {}", why, plan.status().message());
    return plan.status();
  }
  plan->epoch = epoch_ + 1;
  if (Status applied = Apply(*plan, fleet.Profiles(), backends); !applied.ok()) {
    plan_failed_ = true;
    metrics_.Add("glet_replans_total", {{"reason", why}, {"result", "apply_failed"}});
    GLET_LOG_WARN("plan ({}): applying it failed: {}", why, applied.message());
    return applied;
  }
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
  frontend_.SetPlannedRates(planned_rates_);
  metrics_.Add("glet_replans_total",
               {{"reason", why}, {"result", share < 1 ? "degraded" : "applied"}});
  metrics_.Set("glet_plan_served_share", {}, share);
  metrics_.Set("glet_devices_in_use", {}, plan_.UsedDevices());
  PublishView();
  std::string glets;
  for (const Placed& p : placed_) {
    std::string models;
    for (const GletModelSpec& m : p.spec.models) {
      models += (models.empty() ? "" : " ") + m.model + " b" + std::to_string(m.batch_size);
    }
    glets += (glets.empty() ? "" : ", ") + p.spec.glet_id + " " + p.spec.device_id + "@" +
             p.backend_id + " " + std::to_string(p.spec.partition_percent) + "% [" + models + "]";
  }
  GLET_LOG_INFO("plan epoch {} ({}): {} device(s): {}; glets: {}", epoch_, why, plan_.UsedDevices(),
                fleet.Describe(fleet.UsedPerPool(plan_)), glets);
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
  for (const Placed& p : placed_) {
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
  // The healthy devices of the planned types, in registration order; each planned device goes on
  // one of its type so that what runs stays where it runs (sched/device_assignment.h).
  struct Slot {
    const BackendRecord* backend;
    std::string device_id;
  };
  std::vector<Slot> slots;
  std::vector<sched::PhysicalDevice> physical;
  for (const BackendRecord& b : backends) {
    for (const DeviceInfo& d : b.devices) {
      if (d.healthy && profiles.count(d.profile) > 0) {
        slots.push_back({&b, d.device_id});
        physical.push_back({b.backend_id + "/" + d.device_id, d.profile});
      }
    }
  }
  std::vector<sched::GletWork> running_work;
  for (const Placed& old : placed_) {
    running_work.push_back(PlacedWork(old.backend_id, old.spec));
  }
  GLET_ASSIGN_OR_RETURN(std::vector<int> assigned,
                        sched::AssignDevices(plan, physical, running_work));
  const int64_t epoch = plan.epoch;
  std::vector<Placed> next;
  int counter = 0;
  for (size_t di = 0; di < plan.devices.size(); ++di) {
    const sched::PlannedDevice& dev = plan.devices[di];
    if (dev.glets.empty()) {
      continue;
    }
    const perf::DeviceProfile& profile = *profiles.at(dev.type);
    const Slot& s = slots[assigned[di]];
    for (const sched::PlannedGlet& g : dev.glets) {
      Placed p;
      p.backend_id = s.backend->backend_id;
      p.backend_address = s.backend->address;
      p.spec.device_id = s.device_id;
      p.spec.partition_percent = g.partition;
      p.spec.duty_cycle_ms = g.duty_ms;
      p.duty_cycle_ms = g.duty_ms;
      for (const sched::PlannedModel& m : g.models) {
        p.spec.models.push_back({m.model, m.batch, m.rate_rps});
        p.batch_latency[m.model] =
            LaneBatchLatencies(profile, m, g.partition, options_.host_overhead_ms);
        p.rate_rps[m.model] = m.rate_rps > 0 ? m.rate_rps : std::max(1.0, m.capacity_rps);
      }
      next.push_back(std::move(p));
    }
  }
  // Keep the running glets that do exactly this work (no restart, no re-warm-up).
  std::vector<sched::GletWork> next_work;
  for (const Placed& p : next) {
    next_work.push_back(PlacedWork(p.backend_id, p.spec));
  }
  const std::vector<int> kept = sched::MatchUnchangedGlets(running_work, next_work);
  for (size_t i = 0; i < next.size(); ++i) {
    if (kept[i] >= 0) {
      // The backend keeps a glet only when its spec is identical: send the running one.
      next[i].spec = placed_[kept[i]].spec;
    } else {
      next[i].spec.glet_id = "e" + std::to_string(epoch) + "g" + std::to_string(counter++);
    }
  }
  // Start the new glets next to the old ones (make-before-break).
  std::set<std::string> addresses;
  for (const BackendRecord& b : backends) {
    addresses.insert(b.address);
  }
  for (const std::string& address : addresses) {
    std::vector<GletSpec> wanted;
    std::vector<GletSpec> both;
    for (const Placed& p : next) {
      if (p.backend_address == address) {
        wanted.push_back(p.spec);
      }
    }
    both = wanted;
    for (const Placed& old : placed_) {
      if (old.backend_address == address &&
          std::none_of(both.begin(), both.end(),
                       [&](const GletSpec& g) { return g.glet_id == old.spec.glet_id; })) {
        both.push_back(old.spec);
      }
    }
    Result<std::vector<GletInfo>> infos = CallApplyPlan(address, epoch, both);
    if (!infos.ok() && both.size() != wanted.size()) {
      // The node cannot hold old and new together (e.g. CPU cores): switch it over directly.
      GLET_LOG_WARN("{}; switching the node over without overlap", infos.status().message());
      infos = CallApplyPlan(address, epoch, wanted);
    }
    if (!infos.ok()) {
      return infos.status();
    }
    for (const GletInfo& info : *infos) {
      for (Placed& p : next) {
        if (p.spec.glet_id == info.spec.glet_id) {
          p.proxy_address = info.proxy_address;
          p.up = info.state == GletState::kReady;
        }
      }
    }
  }
  placed_ = std::move(next);
  epoch_ = epoch;
  GLET_RETURN_IF_ERROR(InstallRoutes(epoch));
  // Old glets: let their lanes finish, then stop them.
  frontend_.WaitRetiredLanes(clock_.Now() + options_.drain_timeout);
  for (const std::string& address : addresses) {
    std::vector<GletSpec> wanted;
    for (const Placed& p : placed_) {
      if (p.backend_address == address) {
        wanted.push_back(p.spec);
      }
    }
    Result<std::vector<GletInfo>> infos = CallApplyPlan(address, epoch, wanted);
    if (!infos.ok()) {
      GLET_LOG_WARN("{}", infos.status().message());
    }
  }
  return Status::Ok();
}

Status Controller::InstallRoutes(int64_t epoch) {
  std::map<std::string, ModelRoutes> routes;
  size_t next_queue = 0;
  for (const Placed& p : placed_) {
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
  MutexLock lock(mu_);
  bool moved = false;
  std::vector<std::pair<std::string, bool>> changes;  // glet id, up
  for (Placed& p : placed_) {
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
        const bool failed =
            g.state == GletState::kFailed || (g.state == GletState::kStarting && !g.error.empty());
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
        // The frontend took it down after a failed batch, yet its backend has reported it READY
        // at the same address since (a transient failure, or a restart within one heartbeat
        // that got the same port back): route to it again.
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
  if (moved) {
    // New proxy addresses first, so that a glet coming back is routed to its new proxy.
    if (Status s = InstallRoutes(epoch_); !s.ok()) {
      GLET_LOG_WARN("re-routing after a proxy restart: {}", s.message());
    }
  }
  if (moved || !changes.empty()) {
    PublishView();
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
    {
      MutexLock lock(mu_);
      size_t devices = 0;
      for (const BackendRecord& b : registry_.Snapshot()) {
        devices += b.devices.size();
      }
      joined = (plan_failed_ || served_share_ < 1) && devices > known_devices_;
      if (!lost.empty()) {
        // Their glets are gone: take them out of rotation before re-planning.
        for (Placed& p : placed_) {
          for (const BackendRecord& b : lost) {
            if (p.backend_id == b.backend_id) {
              p.up = false;
              frontend_.SetGletUp(p.spec.glet_id, false);
            }
          }
        }
        placed_.erase(std::remove_if(placed_.begin(), placed_.end(),
                                     [&](const Placed& p) {
                                       return std::any_of(lost.begin(), lost.end(),
                                                          [&](const BackendRecord& b) {
                                                            return b.backend_id == p.backend_id;
                                                          });
                                     }),
                      placed_.end());
        PublishView();
      }
    }
    std::map<std::string, double> rates;
    {
      MutexLock lock(mu_);
      rates = planned_rates_;
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
    FollowGletHealth();
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
