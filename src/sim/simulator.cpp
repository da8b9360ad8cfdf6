#include "sim/simulator.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>
#include <memory>
#include <optional>
#include <queue>
#include <set>
#include <unordered_map>

#include "core/check.h"
#include "core/strings.h"
#include "sched/device_assignment.h"
#include "sched/fleet.h"
#include "sched/glet_reuse.h"
#include "sched/plan_search.h"
#include "sched/planner_factory.h"
#include "serve/batcher.h"
#include "serve/lane_latency.h"
#include "serve/request.h"
#include "serve/router.h"
#include "sim/latency_histogram.h"

namespace glet::sim {

namespace {

constexpr int64_t kNever = std::numeric_limits<int64_t>::max();
constexpr uint64_t kAppBit = uint64_t{1} << 63;
constexpr int kStageBits = 16;

TimePoint At(int64_t ns) { return TimePoint(Duration(ns)); }
int64_t Ns(TimePoint t) { return t.time_since_epoch().count(); }
int64_t SecondsToNs(double s) { return static_cast<int64_t>(std::llround(s * 1e9)); }

// Event kinds, in the order they run at equal times: a finishing batch frees its glet and lane
// (and a batch reaching its glet after the dispatch overhead is queued there) before arrivals at
// the same instant are routed; wake-ups come after the arrivals they may
// batch with; control (scheduled plan changes, then re-planning) last.
enum class EventKind : uint8_t {
  kBatchDone = 0,
  kBatchAtGlet = 1,
  kArrival = 2,
  kWake = 3,
  kPlanChange = 4,
  kReplanTick = 5,
  kWarmPlan = 6  // a re-plan whose new glets are warm now
};

struct Event {
  int64_t t = 0;
  EventKind kind = EventKind::kWake;
  uint64_t seq = 0;  // insertion order: FIFO among equal (t, kind)
  int32_t index = 0;
  bool operator>(const Event& o) const {
    if (t != o.t) {
      return t > o.t;
    }
    if (kind != o.kind) {
      return kind > o.kind;
    }
    return seq > o.seq;
  }
};

// Outcome counts of one name (model or app), streamed: the fields of client::OutcomeCounts.
struct NameStats {
  std::string name;
  double slo_ms = 0;
  int64_t reply_ns = 0;  // request overhead: added to when the client sees the answer
  client::OutcomeCounts counts;
  LatencyHistogram latency;
};

class Engine {
 public:
  Engine(const SimInput& input, const SimOptions& options) : in_(input), opt_(options) {}

  Status Init(ArrivalSource* arrivals);
  Result<SimResult> Run();

 private:
  struct ModelState {
    std::string name;
    double slo_ms = 0;
    int64_t slo_ns = 0;
    double input_mib = 0;  // one request's input (0 when the profile does not know it)
    int stats = -1;        // NameStats index for direct requests
    serve::Router router;
    std::vector<std::pair<std::string, int>> lanes;  // glet id -> lane, current plan only
    explicit ModelState(std::string n) : name(n), router(std::move(n)) {}
  };
  struct Lane {
    int model = 0;
    int glet = 0;
    serve::Batcher batcher;
    std::vector<int64_t> exec_ns;  // actual execution of k items, [k-1]
    int in_flight = 0;             // batches sent and not answered (at most max_batches_in_flight)
    bool retiring = false;
    int64_t wake_ns = kNever;  // the pending wake-up event, if any
    explicit Lane(serve::Batcher b) : batcher(std::move(b)) {}
  };
  struct InFlight {
    int lane = 0;
    std::vector<serve::PendingRequest> requests;
    int items = 0;
    int64_t deadline_ns = 0;
    int64_t transit_ns = 0;  // dispatch overhead before it reached its glet
  };
  struct Glet {
    std::string id;  // the router's name for it
    int device = 0;  // the plan's device id (reports)
    int partition = 0;
    std::vector<int> lanes;  // one per model, in the plan's order
    bool busy = false;
    std::deque<InFlight> waiting;
    InFlight running;
    int64_t busy_ns = 0;
    // What its lanes' batchers share (time-sharing members see each other's batches).
    std::shared_ptr<serve::GletLoad> load = std::make_shared<serve::GletLoad>();
  };
  struct AppState {
    const model::AppSpec* spec = nullptr;
    int stats = -1;
    std::vector<int> stage_model;             // model index per stage
    std::vector<int> producers;               // per stage: producer stages
    std::vector<std::vector<int>> consumers;  // per stage
    std::vector<char> is_exit;                // per stage
    std::vector<int> roots;                   // stages with no producer
    // Per stage: the least time the later stages need (model::TimeAfterStages), for the plan
    // in force (set by InstallPlan).
    std::vector<Duration> time_after;
  };
  struct AppRun {
    int app = 0;
    int64_t arrival_ns = 0;
    int64_t deadline_ns = 0;
    int64_t record = -1;
    std::vector<int> pending;
    int exits_left = 0;
    int outstanding = 0;  // stage requests not finished yet
    bool finished = false;
  };

  Status AddModel(const std::string& name, double slo_ms);
  // `demand`, when not null, is what the plan was made for in full (a degraded plan serves a
  // share of it): the rate monitor compares arrivals with it.
  Status InstallPlan(const sched::Plan& plan, const sched::Workload* demand = nullptr);
  // The physical devices a plan is placed on ("TYPE/k" per type: as many as the re-planning
  // budget has, or the plan uses).
  std::vector<sched::PhysicalDevice> PhysicalDevices(const sched::Plan& plan) const;
  // How long after a switch to `plan` its new glets are warm (SimOptions::cold_start).
  Result<Duration> WarmUpOf(const sched::Plan& plan) const;
  Result<std::vector<int64_t>> ExecTable(const perf::DeviceProfile& profile,
                                         const sched::PlannedDevice& dev, size_t glet,
                                         const sched::PlannedModel& m) const;
  // The profiles of SimInput and the re-planner's fleet; kInvalidArgument on a missing or
  // repeated type.
  Status InitProfiles();
  // The profile of device type `type`, or null.
  const perf::DeviceProfile* ProfileOf(const std::string& type) const;
  // A new glet's load time for `model` on `profile`: its load.csv entry, else
  // SimOptions::cold_start (also when `profile` is null).
  Duration ColdStartOf(const perf::DeviceProfile* profile, const std::string& model) const;

  void Push(int64_t t, EventKind kind, int32_t index) { heap_.push(Event{t, kind, seq_++, index}); }
  void OnArrival(const client::Arrival& a);
  void Submit(int model, int64_t deadline_ns, uint64_t payload);
  void RunLane(int lane);
  void StartNext(int glet);
  void OnBatchAtGlet(int slot);
  void OnBatchDone(int glet);
  // One of the lane's batches was answered (served or dropped at the glet).
  void AnswerOne(Lane& lane);
  void OnReplanTick();

  // Request fate. `payload` says whose request it was (a direct model request or an app stage).
  void Served(int model, const serve::PendingRequest& r);
  void NotServed(int model, const serve::PendingRequest& r, serve::RequestOutcome outcome,
                 std::string_view reason);
  void StageDone(uint64_t payload, bool served, serve::RequestOutcome outcome,
                 std::string_view reason);
  // Ends a client-visible request.
  void Finish(int stats, int64_t arrival_ns, int64_t record, serve::RequestOutcome outcome,
              std::string_view reason);
  void StartApp(int app, int64_t record);
  void RunStage(int run, int stage);

  TimeBin& BinAt(int64_t t_ns);
  int CountUsedDevices() const;
  // Input a client sends for stream target `target` (a model, or an app as -(i + 1)): the
  // model's input, or the app's inputs (each counted once, sized by a root stage reading it).
  double RequestInputMib(int target) const;

  const SimInput& in_;
  const SimOptions& opt_;
  std::vector<const perf::DeviceProfile*> profiles_;  // not owned; one per type, input order
  sched::Fleet fleet_;                                // re-plans: one pool per budget type

  ArrivalSource* arrivals_ = nullptr;
  std::priority_queue<Event, std::vector<Event>, std::greater<>> heap_;
  uint64_t seq_ = 0;
  int64_t now_ = 0;
  int64_t events_ = 0;
  uint64_t next_id_ = 1;

  std::vector<std::unique_ptr<ModelState>> models_;
  std::unordered_map<std::string, int> model_index_;
  std::vector<AppState> apps_;
  std::unordered_map<std::string, int> app_index_;
  // Per stream: >= 0 model index, < 0 app index as -(i + 1).
  std::vector<int> stream_target_;
  std::vector<NameStats> stats_;

  std::vector<std::unique_ptr<Lane>> lanes_;
  std::vector<Glet> glets_;
  std::vector<InFlight> transit_;  // batches on their way to their glet (dispatch overhead)
  std::vector<int> free_transit_;
  int64_t last_done_ns_ = 0;  // when the client saw the last answer
  int64_t wakeup_ns_ = 0;     // the lane wake-up overhead
  int max_in_flight_ = 1;     // batches a lane may have in flight
  std::vector<AppRun> runs_;
  std::vector<int> free_runs_;

  std::optional<serve::RateMonitor> monitor_;
  std::unique_ptr<sched::Planner> planner_;
  sched::Plan current_plan_;
  std::vector<int> current_glets_;             // glets_ index of each glet of current_plan_
  std::vector<sched::GletWork> current_work_;  // and what each runs, where
  int used_devices_ = 0;
  std::vector<sched::Plan> plans_;
  int replans_failed_ = 0;
  int replans_degraded_ = 0;
  // A re-plan waiting for its new glets to warm up (SimOptions::cold_start).
  struct WarmingPlan {
    sched::Plan plan;
    sched::Workload demand;
  };
  std::optional<WarmingPlan> warming_;
  int64_t epoch_ = 0;

  std::vector<TimeBin> bins_;
  int64_t bin_ns_ = 1'000'000'000;
  int64_t queued_ = 0;
  int64_t peak_queued_ = 0;

  std::vector<client::RequestRecord> records_;
  LatencyHistogram total_latency_;
};

Status Engine::AddModel(const std::string& name, double slo_ms) {
  if (model_index_.count(name) > 0) {
    return Status::Ok();
  }
  if (!(slo_ms > 0) || !std::isfinite(slo_ms)) {
    return InvalidArgumentError("model '" + name + "': slo_ms must be > 0 (got " +
                                FormatDouble(slo_ms, 3) + ")");
  }
  auto ms = std::make_unique<ModelState>(name);
  ms->slo_ms = slo_ms;
  ms->slo_ns = static_cast<int64_t>(std::llround(slo_ms * 1e6));
  for (const perf::DeviceProfile* p : profiles_) {
    const double bytes = p->InputBytes(name);
    if (bytes > 0) {
      ms->input_mib = bytes / (1024.0 * 1024.0);
      break;
    }
  }
  model_index_.emplace(name, static_cast<int>(models_.size()));
  models_.push_back(std::move(ms));
  return Status::Ok();
}

Result<std::vector<int64_t>> Engine::ExecTable(const perf::DeviceProfile& profile,
                                               const sched::PlannedDevice& dev, size_t gi,
                                               const sched::PlannedModel& m) const {
  const sched::PlannedGlet& g = dev.glets[gi];
  const std::string where = "plan: device " + std::to_string(dev.id) + " glet " +
                            std::to_string(gi) + " model " + m.model;
  const bool with_int = opt_.interference && profile.interference.has_value();
  std::vector<perf::GletLoad> others;
  if (with_int) {
    for (size_t h = 0; h < dev.glets.size(); ++h) {
      if (h == gi) {
        continue;
      }
      perf::GletLoad load;
      load.partition = dev.glets[h].partition;
      for (const sched::PlannedModel& o : dev.glets[h].models) {
        Result<perf::UtilSample> u = profile.Util(o.model, o.batch);
        if (!u.ok()) {
          return InvalidArgumentError(where + ": " + u.status().message());
        }
        load.util.l2 = std::max(load.util.l2, u->l2);
        load.util.dram = std::max(load.util.dram, u->dram);
      }
      others.push_back(load);
    }
  }
  std::vector<int64_t> table;
  table.reserve(m.batch);
  for (int k = 1; k <= m.batch; ++k) {
    Result<double> lat = profile.LatencyMs(m.model, g.partition, k);
    if (!lat.ok()) {
      return InvalidArgumentError(where + ": " + lat.status().message());
    }
    double alpha = 1;
    if (with_int && !others.empty()) {
      Result<perf::UtilSample> u = profile.Util(m.model, k);
      if (!u.ok()) {
        return InvalidArgumentError(where + ": " + u.status().message());
      }
      alpha = profile.interference->Alpha(perf::GletLoad{*u, g.partition}, others);
    }
    table.push_back(std::max<int64_t>(1, std::llround(*lat * alpha * 1e6)));
  }
  return table;
}

double Engine::RequestInputMib(int target) const {
  if (target >= 0) {
    return models_[target]->input_mib;
  }
  const AppState& st = apps_[-target - 1];
  std::set<std::string> seen;
  double mib = 0;
  for (int s : st.roots) {
    for (const std::string& input : st.spec->stages[s].inputs) {
      if (st.spec->StageIndex(input) < 0 && seen.insert(input).second) {
        mib += models_[st.stage_model[s]]->input_mib;
      }
    }
  }
  return mib;
}

int Engine::CountUsedDevices() const { return current_plan_.UsedDevices(); }

Status Engine::InstallPlan(const sched::Plan& plan, const sched::Workload* demand) {
  // Build every new glet and lane first, so a bad plan changes nothing.
  struct NewLane {
    int model = 0;
    double rate_rps = 0;
    serve::BatcherConfig config;
    std::vector<int64_t> exec;
  };
  struct NewGlet {
    int device = 0;
    int partition = 0;
    std::vector<NewLane> lanes;  // in the glet's model order
  };
  std::vector<NewGlet> next;
  std::vector<sched::GletWork> next_work;
  ++epoch_;
  // The plan is placed on the physical devices as the controller places it
  // (sched::AssignDevices).
  const std::vector<sched::PhysicalDevice> physical = PhysicalDevices(plan);
  GLET_ASSIGN_OR_RETURN(std::vector<int> assigned,
                        sched::AssignDevices(plan, physical, current_work_));
  for (size_t di = 0; di < plan.devices.size(); ++di) {
    const sched::PlannedDevice& dev = plan.devices[di];
    if (dev.glets.empty()) {
      continue;
    }
    const perf::DeviceProfile* profile = ProfileOf(dev.type);
    if (profile == nullptr) {
      if (profiles_.size() == 1) {
        return InvalidArgumentError("plan: device " + std::to_string(dev.id) + ": type '" +
                                    dev.type + "' but the profile is for '" + profiles_[0]->type +
                                    "'");
      }
      std::vector<std::string> types;
      for (const perf::DeviceProfile* p : profiles_) {
        types.push_back(p->type);
      }
      return InvalidArgumentError("plan: device " + std::to_string(dev.id) + ": device type '" +
                                  dev.type + "' has no profile (profiles: " + Join(types, ", ") +
                                  ")");
    }
    const std::string& where_runs = physical[assigned[di]].device;
    for (size_t gi = 0; gi < dev.glets.size(); ++gi) {
      const sched::PlannedGlet& g = dev.glets[gi];
      const std::string where =
          "plan: device " + std::to_string(dev.id) + " glet " + std::to_string(gi);
      if (!(g.duty_ms > 0)) {
        return InvalidArgumentError(where + ": duty_ms must be > 0");
      }
      NewGlet glet;
      glet.device = dev.id;
      glet.partition = g.partition;
      for (const sched::PlannedModel& m : g.models) {
        auto mi = model_index_.find(m.model);
        if (mi == model_index_.end()) {
          return InvalidArgumentError(where + ": model '" + m.model +
                                      "' has no SLO (not in the plan's workload)");
        }
        if (m.batch < 1) {
          return InvalidArgumentError(where + " model " + m.model + ": batch must be >= 1");
        }
        NewLane lane;
        lane.model = mi->second;
        GLET_ASSIGN_OR_RETURN(lane.exec, ExecTable(*profile, dev, gi, m));
        // The batcher's expectation: what the controller installs, for a plan made without
        // host overhead (the simulator plans for the full SLO).
        serve::BatcherConfig& bc = lane.config;
        bc.model = m.model;
        bc.batch_size = m.batch;
        bc.duty_cycle = FromMillis(g.duty_ms);
        bc.max_queue_requests = opt_.max_queue_requests;
        bc.work_conserving = opt_.work_conserving;
        bc.shed = opt_.shed;
        bc.batch_latency =
            serve::LaneBatchLatencies(*profile, m, g.partition, /*host_overhead_ms=*/0);
        GLET_RETURN_IF_ERROR(serve::Batcher::Create(bc).status());
        lane.rate_rps =
            m.rate_rps > 0 ? m.rate_rps : std::max(1.0, m.capacity_rps);  // as the controller
        glet.lanes.push_back(std::move(lane));
      }
      next.push_back(std::move(glet));
      next_work.push_back(sched::WorkOf(where_runs, g));
    }
  }
  // Make-before-break, as the controller does: glets doing the same work keep running (their
  // queues and the batch in flight stay); the others retire (their lanes take no new arrivals
  // and finish their queues on their glets); the new ones start next to them.
  const std::vector<int> kept = sched::MatchUnchangedGlets(current_work_, next_work);
  std::vector<bool> stays(current_glets_.size(), false);
  for (int k : kept) {
    if (k >= 0) {
      stays[k] = true;
    }
  }
  for (size_t i = 0; i < current_glets_.size(); ++i) {
    if (stays[i]) {
      continue;
    }
    const Glet& g = glets_[current_glets_[i]];
    for (int lane : g.lanes) {
      ModelState& ms = *models_[lanes_[lane]->model];
      ms.router.RemoveGlet(g.id).IgnoreError();
      lanes_[lane]->retiring = true;
    }
  }
  for (auto& ms : models_) {
    ms->lanes.clear();
  }
  std::vector<int> installed;
  for (size_t i = 0; i < next.size(); ++i) {
    NewGlet& ng = next[i];
    int gi = 0;
    if (kept[i] >= 0) {
      gi = current_glets_[kept[i]];
      Glet& g = glets_[gi];
      g.device = ng.device;
      for (size_t k = 0; k < ng.lanes.size(); ++k) {
        NewLane& nl = ng.lanes[k];
        const int li = g.lanes[k];
        Lane& lane = *lanes_[li];
        // Same batch and bound: nothing queued is dropped; duty cycle and latencies may move.
        Result<std::vector<serve::DroppedRequest>> dropped = lane.batcher.UpdateConfig(nl.config);
        GLET_CHECK(dropped.ok()) << dropped.status().message();
        for (const serve::DroppedRequest& r : *dropped) {
          --queued_;
          NotServed(lane.model, r.request, serve::RequestOutcome::kDropped,
                    serve::DropReasonName(r.reason));
        }
        lane.exec_ns = std::move(nl.exec);  // the new co-located glets' interference
        ModelState& ms = *models_[nl.model];
        GLET_RETURN_IF_ERROR(ms.router.SetRate(g.id, nl.rate_rps));
        ms.lanes.emplace_back(g.id, li);
      }
    } else {
      gi = static_cast<int>(glets_.size());
      Glet g;
      g.id = "e" + std::to_string(epoch_) + "g" + std::to_string(i);
      g.device = ng.device;
      g.partition = ng.partition;
      glets_.push_back(std::move(g));
      for (NewLane& nl : ng.lanes) {
        GLET_ASSIGN_OR_RETURN(serve::Batcher batcher,
                              serve::Batcher::Create(std::move(nl.config), glets_[gi].load));
        auto lane = std::make_unique<Lane>(std::move(batcher));
        lane->model = nl.model;
        lane->glet = gi;
        lane->exec_ns = std::move(nl.exec);
        const int li = static_cast<int>(lanes_.size());
        lanes_.push_back(std::move(lane));
        glets_[gi].lanes.push_back(li);
        ModelState& ms = *models_[nl.model];
        GLET_RETURN_IF_ERROR(ms.router.AddGlet(glets_[gi].id, nl.rate_rps));
        ms.lanes.emplace_back(glets_[gi].id, li);
      }
    }
    installed.push_back(gi);
  }
  current_glets_ = std::move(installed);
  current_work_ = std::move(next_work);
  current_plan_ = plan;
  used_devices_ = CountUsedDevices();
  TimeBin& bin = BinAt(now_);
  bin.devices = std::max(bin.devices, used_devices_);
  std::map<std::string, double> planned;
  for (const sched::ModelDemand& d :
       (demand != nullptr ? *demand : sched::Workload{plan.workload}).models) {
    planned[d.model] = d.rate_rps;
  }
  monitor_->SetPlannedRates(std::move(planned), At(now_));
  plans_.push_back(plan);
  // As the frontend does: each app stage must be done in time for the least the later stages
  // need on this plan's fastest glets.
  auto fastest = [this](const std::string& model) {
    std::optional<Duration> least;
    for (const auto& [id, lane] : models_[model_index_.at(model)]->lanes) {
      const Duration one = lanes_[lane]->batcher.config().batch_latency.front();
      least = least ? std::min(*least, one) : one;
    }
    return least.value_or(Duration::zero());
  };
  for (AppState& app : apps_) {
    app.time_after = model::TimeAfterStages(*app.spec, fastest);
  }
  return Status::Ok();
}

std::vector<sched::PhysicalDevice> Engine::PhysicalDevices(const sched::Plan& plan) const {
  std::map<std::string, int> per_type;
  for (const sched::PlannedDevice& dev : plan.devices) {
    per_type[dev.type] += dev.glets.empty() ? 0 : 1;
  }
  for (const sched::DevicePool& pool : fleet_.pools) {
    per_type[pool.type()] = std::max(per_type[pool.type()], pool.max_devices);
  }
  std::vector<sched::PhysicalDevice> physical;
  for (const auto& [type, count] : per_type) {
    for (int k = 0; k < count; ++k) {
      physical.push_back({type + "/" + std::to_string(k), type});
    }
  }
  return physical;
}

Result<Duration> Engine::WarmUpOf(const sched::Plan& plan) const {
  const std::vector<sched::PhysicalDevice> physical = PhysicalDevices(plan);
  GLET_ASSIGN_OR_RETURN(std::vector<int> assigned,
                        sched::AssignDevices(plan, physical, current_work_));
  std::vector<sched::GletWork> next_work;
  std::vector<std::pair<const sched::PlannedDevice*, const sched::PlannedGlet*>> glets;
  for (size_t di = 0; di < plan.devices.size(); ++di) {
    for (const sched::PlannedGlet& g : plan.devices[di].glets) {
      next_work.push_back(sched::WorkOf(physical[assigned[di]].device, g));
      glets.emplace_back(&plan.devices[di], &g);
    }
  }
  const std::vector<int> kept = sched::MatchUnchangedGlets(current_work_, next_work);
  Duration warm{};
  for (size_t i = 0; i < glets.size(); ++i) {
    if (kept[i] >= 0) {
      continue;  // running already
    }
    const perf::DeviceProfile* profile = ProfileOf(glets[i].first->type);
    for (const sched::PlannedModel& m : glets[i].second->models) {
      warm = std::max(warm, ColdStartOf(profile, m.model));
    }
  }
  return warm;
}

Status Engine::InitProfiles() {
  if (in_.profile != nullptr) {
    profiles_.push_back(in_.profile);
  }
  for (size_t i = 0; i < in_.profiles.size(); ++i) {
    const perf::DeviceProfile* p = in_.profiles[i];
    if (p == nullptr) {
      return InvalidArgumentError("simulate: profile " + std::to_string(i) + " is null");
    }
    if (ProfileOf(p->type) != nullptr) {
      return InvalidArgumentError("simulate: two profiles for device type '" + p->type + "'");
    }
    profiles_.push_back(p);
  }
  if (profiles_.empty()) {
    return InvalidArgumentError("simulate: no device profile");
  }
  return Status::Ok();
}

Duration Engine::ColdStartOf(const perf::DeviceProfile* profile, const std::string& model) const {
  const std::optional<double> ms = profile != nullptr ? profile->LoadMs(model) : std::nullopt;
  return ms ? FromMillis(*ms) : opt_.cold_start;
}

const perf::DeviceProfile* Engine::ProfileOf(const std::string& type) const {
  for (const perf::DeviceProfile* p : profiles_) {
    if (p->type == type) {
      return p;
    }
  }
  return nullptr;
}

TimeBin& Engine::BinAt(int64_t t_ns) {
  const size_t idx = static_cast<size_t>(std::max<int64_t>(0, t_ns) / bin_ns_);
  while (bins_.size() <= idx) {
    TimeBin b;
    b.start_s = static_cast<double>(bins_.size()) * opt_.bin_s;
    b.devices = used_devices_;
    bins_.push_back(b);
  }
  return bins_[idx];
}

Status Engine::Init(ArrivalSource* arrivals) {
  arrivals_ = arrivals;
  GLET_RETURN_IF_ERROR(InitProfiles());
  if (!(opt_.duration_s > 0) || !std::isfinite(opt_.duration_s)) {
    return InvalidArgumentError("--duration: must be a finite number > 0");
  }
  if (!(opt_.bin_s > 0)) {
    return InvalidArgumentError("--bin: must be > 0");
  }
  if (opt_.max_queue_requests < 1) {
    return InvalidArgumentError("--max-queue: must be >= 1");
  }
  const ServingOverhead& o = opt_.overhead;
  for (const auto& [flag, v] :
       {std::pair<const char*, double>{"--request-overhead-ms", o.request_ms},
        {"--request-overhead-ms-per-mib", o.request_ms_per_mib},
        {"--batch-overhead-ms", o.batch_ms},
        {"--batch-overhead-ms-per-mib", o.batch_ms_per_mib},
        {"--wakeup-ms", o.wakeup_ms}}) {
    if (!(v >= 0) || !std::isfinite(v)) {
      return InvalidArgumentError(std::string(flag) + ": must be a finite number >= 0 (got " +
                                  FormatDouble(v, 3) + ")");
    }
  }
  wakeup_ns_ = std::llround(o.wakeup_ms * 1e6);
  if (opt_.max_batches_in_flight < 1) {
    return InvalidArgumentError("--max-batches-in-flight: must be >= 1 (got " +
                                std::to_string(opt_.max_batches_in_flight) + ")");
  }
  max_in_flight_ = opt_.max_batches_in_flight;
  bin_ns_ = std::max<int64_t>(1, SecondsToNs(opt_.bin_s));
  GLET_ASSIGN_OR_RETURN(serve::RateMonitor monitor, serve::RateMonitor::Create(opt_.rates, At(0)));
  monitor_.emplace(std::move(monitor));
  // Models: the plan's workload, then explicit SLOs.
  std::map<std::string, double> slo;
  for (const sched::ModelDemand& d : in_.plan.workload) {
    slo[d.model] = d.slo_ms;
  }
  for (const auto& [name, s] : in_.slo_ms) {
    slo[name] = s;
  }
  for (const auto& [name, s] : slo) {
    GLET_RETURN_IF_ERROR(AddModel(name, s));
  }
  // Each model's cold start (as WarmUpOf counts it, the longest over the types), which the
  // controller gives the frontend's rate monitor: a rising model is planned ahead by it.
  std::map<std::string, Duration, std::less<>> lead_time;
  for (const auto& [name, s] : slo) {
    Duration lead{};
    for (const perf::DeviceProfile* profile : profiles_) {
      lead = std::max(lead, ColdStartOf(profile, name));
    }
    if (lead > Duration::zero() && opt_.scale_ahead) {
      lead_time[name] = lead;
    }
  }
  monitor_->SetLeadTimes(std::move(lead_time));
  // Apps.
  for (const model::AppSpec& app : in_.apps) {
    if (model_index_.count(app.name) > 0) {
      return InvalidArgumentError("app '" + app.name + "' has the name of a model");
    }
    if (!(app.slo_ms > 0)) {
      return InvalidArgumentError("app '" + app.name + "': slo_ms must be > 0");
    }
    AppState st;
    st.spec = &app;
    const size_t n = app.stages.size();
    if (n >= (size_t{1} << kStageBits)) {
      return InvalidArgumentError("app '" + app.name + "': too many stages");
    }
    st.producers.assign(n, 0);
    st.consumers.resize(n);
    st.is_exit.assign(n, 0);
    for (size_t s = 0; s < n; ++s) {
      const model::AppStage& stage = app.stages[s];
      auto mi = model_index_.find(stage.model);
      if (mi == model_index_.end()) {
        return InvalidArgumentError("app '" + app.name + "': stage '" + stage.id + "': model '" +
                                    stage.model + "' is not in the plan");
      }
      st.stage_model.push_back(mi->second);
      for (const std::string& input : stage.inputs) {
        const int p = app.StageIndex(input);
        if (p >= 0) {
          ++st.producers[s];
          st.consumers[p].push_back(static_cast<int>(s));
        }
      }
    }
    for (const std::string& out : app.outputs) {
      const int e = app.StageIndex(out);
      if (e < 0) {
        return InvalidArgumentError("app '" + app.name + "': output '" + out + "' is not a stage");
      }
      st.is_exit[e] = 1;
    }
    for (size_t s = 0; s < n; ++s) {
      if (st.producers[s] == 0) {
        st.roots.push_back(static_cast<int>(s));
      }
    }
    app_index_.emplace(app.name, static_cast<int>(apps_.size()));
    apps_.push_back(std::move(st));
  }
  // Streams -> targets; stats per name that receives requests.
  std::map<std::string, int> stats_of;
  for (const std::string& name : in_.stream_names) {
    int target = 0;
    double slo_ms = 0;
    if (auto a = app_index_.find(name); a != app_index_.end()) {
      target = -(a->second + 1);
      slo_ms = apps_[a->second].spec->slo_ms;
    } else if (auto m = model_index_.find(name); m != model_index_.end()) {
      target = m->second;
      slo_ms = models_[m->second]->slo_ms;
    } else {
      std::vector<std::string> known;
      for (const auto& ms : models_) {
        known.push_back(ms->name);
      }
      for (const AppState& a2 : apps_) {
        known.push_back(a2.spec->name);
      }
      return InvalidArgumentError(
          "arrivals for '" + name +
          "': not a model of the plan nor an app (known: " + Join(known, ", ") + ")");
    }
    stream_target_.push_back(target);
    auto [it, added] = stats_of.emplace(name, static_cast<int>(stats_.size()));
    if (added) {
      NameStats ns;
      ns.name = name;
      ns.slo_ms = slo_ms;
      ns.counts.slo_ms = slo_ms;
      ns.reply_ns = std::llround(
          (opt_.overhead.request_ms + opt_.overhead.request_ms_per_mib * RequestInputMib(target)) *
          1e6);
      stats_.push_back(std::move(ns));
      if (target >= 0) {
        models_[target]->stats = it->second;
      } else {
        apps_[-target - 1].stats = it->second;
      }
    }
  }
  if (opt_.replan) {
    GLET_ASSIGN_OR_RETURN(planner_, sched::MakePlanner(opt_.policy, opt_.planner_options));
    if (opt_.device_budget.empty()) {
      if (profiles_.size() != 1) {
        return InvalidArgumentError(
            "--devices: re-planning with several device types needs a budget per type");
      }
      if (opt_.max_devices < 1) {
        return InvalidArgumentError("--devices: re-planning needs a device budget >= 1");
      }
      fleet_ = sched::Fleet{profiles_[0], opt_.max_devices};
    } else {
      std::vector<sched::DevicePool> pools;
      for (const sched::DeviceBudgetEntry& e : opt_.device_budget) {
        const perf::DeviceProfile* p = ProfileOf(e.type);
        if (p == nullptr) {
          return InvalidArgumentError("--devices: device type '" + e.type + "' has no profile");
        }
        pools.push_back(sched::DevicePool{p, e.count});
      }
      fleet_ = sched::Fleet(std::move(pools));
      GLET_RETURN_IF_ERROR(fleet_.Validate());
    }
  }
  GLET_RETURN_IF_ERROR(InstallPlan(in_.plan));
  if (opt_.replan) {
    Push(Ns(At(0) + opt_.replan_tick), EventKind::kReplanTick, 0);
  }
  double last_s = 0;
  for (size_t i = 0; i < in_.plan_changes.size(); ++i) {
    const double at_s = in_.plan_changes[i].at_s;
    if (!(at_s >= last_s) || !std::isfinite(at_s)) {
      return InvalidArgumentError("plan change " + std::to_string(i) +
                                  ": at_s must be finite, >= 0 and in time order (got " +
                                  FormatDouble(at_s, 3) + ")");
    }
    last_s = at_s;
    Push(SecondsToNs(at_s), EventKind::kPlanChange, static_cast<int32_t>(i));
  }
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------------
// Requests

void Engine::OnArrival(const client::Arrival& a) {
  const int target = stream_target_[a.stream];
  int64_t record = -1;
  if (opt_.keep_records) {
    record = static_cast<int64_t>(records_.size());
    client::RequestRecord r;
    r.id = record;
    r.model = stats_[target >= 0 ? models_[target]->stats : apps_[-target - 1].stats].name;
    r.scheduled_ms = r.sent_ms = static_cast<double>(now_) / 1e6;
    records_.push_back(std::move(r));
  }
  if (target < 0) {
    StartApp(-target - 1, record);
    return;
  }
  const ModelState& ms = *models_[target];
  Submit(target, now_ + ms.slo_ns, record < 0 ? 0 : static_cast<uint64_t>(record));
}

void Engine::Submit(int model, int64_t deadline_ns, uint64_t payload) {
  ModelState& ms = *models_[model];
  if (opt_.replan) {  // the monitor's rates are read only by re-planning
    monitor_->RecordArrival(ms.name, At(now_));
  }
  serve::PendingRequest req;
  req.id = next_id_++;
  req.model = ms.name;
  req.arrival = At(now_);
  req.deadline = At(deadline_ns);
  req.n = 1;
  req.payload = payload;
  Result<std::string> glet = ms.router.Pick();
  if (!glet.ok()) {
    NotServed(model, req, serve::RequestOutcome::kFailed, client::GrpcCodeReason(14));
    return;
  }
  int lane_index = -1;
  for (const auto& [gid, li] : ms.lanes) {
    if (gid == *glet) {
      lane_index = li;
      break;
    }
  }
  GLET_CHECK(lane_index >= 0) << "router picked unknown glet " << *glet;
  serve::Admission a = lanes_[lane_index]->batcher.Enqueue(req, At(now_));
  if (!a.queued && a.drop_reason && serve::IsShed(*a.drop_reason)) {
    // Model-level admission: another of the model's glets may still serve it in time.
    std::vector<const serve::Batcher*> others;
    std::vector<int> other_index;
    for (const auto& [gid, li] : ms.lanes) {
      if (li != lane_index) {
        others.push_back(&lanes_[li]->batcher);
        other_index.push_back(li);
      }
    }
    const int spare = serve::SpareLane(others, req, At(now_));
    if (spare >= 0) {
      serve::Admission b = lanes_[other_index[spare]]->batcher.Enqueue(req, At(now_));
      if (b.queued) {
        lane_index = other_index[spare];
        a = std::move(b);
      }
    }
  }
  Lane& lane = *lanes_[lane_index];
  if (a.queued) {
    ++queued_;
    peak_queued_ = std::max(peak_queued_, queued_);
    if (lane.in_flight < max_in_flight_) {
      if (wakeup_ns_ == 0) {
        RunLane(lane_index);
      } else if (now_ + wakeup_ns_ < lane.wake_ns) {
        lane.wake_ns = now_ + wakeup_ns_;  // replaces a later timer: the decision re-arms it
        Push(lane.wake_ns, EventKind::kWake, lane_index);
      }
    }
    return;
  }
  // Enqueue does not keep a refused request; rebuild what the fate needs.
  serve::PendingRequest refused;
  refused.model = ms.name;
  refused.arrival = At(now_);
  refused.deadline = At(deadline_ns);
  refused.payload = payload;
  if (a.drop_reason) {
    NotServed(model, refused, serve::RequestOutcome::kDropped,
              serve::DropReasonName(*a.drop_reason));
  } else {
    NotServed(model, refused, serve::RequestOutcome::kFailed, client::GrpcCodeReason(3));
  }
}

void Engine::RunLane(int lane_index) {
  Lane& lane = *lanes_[lane_index];
  serve::BatchDecision d = lane.batcher.Decide(At(now_));
  for (const serve::DroppedRequest& r : d.dropped) {
    --queued_;
    NotServed(lane.model, r.request, serve::RequestOutcome::kDropped,
              serve::DropReasonName(r.reason));
  }
  if (d.batch) {
    queued_ -= static_cast<int64_t>(d.batch->requests.size());
    ++lane.in_flight;
    InFlight f;
    f.lane = lane_index;
    f.items = d.batch->items;
    f.deadline_ns = std::numeric_limits<int64_t>::min();
    for (const serve::PendingRequest& r : d.batch->requests) {
      f.deadline_ns = std::max(f.deadline_ns, Ns(r.deadline));
    }
    f.requests = std::move(d.batch->requests);
    const ServingOverhead& o = opt_.overhead;
    f.transit_ns = std::llround(
        (o.batch_ms + o.batch_ms_per_mib * f.items * models_[lane.model]->input_mib) * 1e6);
    if (f.transit_ns > 0) {
      int slot;
      if (!free_transit_.empty()) {
        slot = free_transit_.back();
        free_transit_.pop_back();
      } else {
        slot = static_cast<int>(transit_.size());
        transit_.emplace_back();
      }
      Push(now_ + f.transit_ns, EventKind::kBatchAtGlet, slot);
      transit_[slot] = std::move(f);
    } else {
      Glet& g = glets_[lane.glet];
      g.waiting.push_back(std::move(f));
      if (!g.busy) {
        StartNext(lane.glet);
      }
    }
    if (lanes_[lane_index]->in_flight >= max_in_flight_) {
      return;  // decides again when a batch is answered
    }
  }
  // A free slot waits for the batcher's next due time (or an arrival).
  if (d.wake_at != TimePoint::max()) {
    const int64_t w = std::max(Ns(d.wake_at), now_) + wakeup_ns_;
    if (w != lane.wake_ns) {
      lane.wake_ns = w;
      Push(w, EventKind::kWake, lane_index);
    }
  }
}

void Engine::OnBatchAtGlet(int slot) {
  InFlight f = std::move(transit_[slot]);
  free_transit_.push_back(slot);
  const int glet_index = lanes_[f.lane]->glet;
  Glet& g = glets_[glet_index];
  g.waiting.push_back(std::move(f));
  if (!g.busy) {
    StartNext(glet_index);
  }
}

void Engine::StartNext(int glet_index) {
  Glet& g = glets_[glet_index];
  while (!g.busy && !g.waiting.empty()) {
    InFlight f = std::move(g.waiting.front());
    g.waiting.pop_front();
    if (now_ - f.transit_ns > f.deadline_ns) {
      // The proxy drops a batch that starts after its deadline (the time left, as the frontend
      // sent it, against the time the batch waited at the glet).
      const int lane_index = f.lane;
      const int model = lanes_[lane_index]->model;
      for (const serve::PendingRequest& r : f.requests) {
        NotServed(model, r, serve::RequestOutcome::kDropped,
                  serve::DropReasonName(serve::DropReason::kDeadlineExpired));
      }
      AnswerOne(*lanes_[lane_index]);
      RunLane(lane_index);
      continue;
    }
    const Lane& lane = *lanes_[f.lane];
    const int64_t exec = lane.exec_ns[f.items - 1];
    g.busy = true;
    g.busy_ns += exec;
    g.running = std::move(f);
    Push(now_ + exec, EventKind::kBatchDone, glet_index);
  }
}

void Engine::OnBatchDone(int glet_index) {
  Glet& g = glets_[glet_index];
  InFlight f = std::move(g.running);
  g.busy = false;
  const int model = lanes_[f.lane]->model;
  for (const serve::PendingRequest& r : f.requests) {
    Served(model, r);
  }
  StartNext(glet_index);  // a batch already waiting at the glet goes first
  AnswerOne(*lanes_[f.lane]);
  RunLane(f.lane);
}

void Engine::AnswerOne(Lane& lane) {
  --lane.in_flight;
  lane.batcher.BatchAnswered(At(now_));
}

void Engine::Served(int model, const serve::PendingRequest& r) {
  if ((r.payload & kAppBit) != 0) {
    StageDone(r.payload, true, serve::RequestOutcome::kServed, "");
    return;
  }
  const ModelState& ms = *models_[model];
  Finish(ms.stats, Ns(r.arrival), opt_.keep_records ? static_cast<int64_t>(r.payload) : -1,
         serve::RequestOutcome::kServed, "");
}

void Engine::NotServed(int model, const serve::PendingRequest& r, serve::RequestOutcome outcome,
                       std::string_view reason) {
  if ((r.payload & kAppBit) != 0) {
    StageDone(r.payload, false, outcome, reason);
    return;
  }
  const ModelState& ms = *models_[model];
  Finish(ms.stats, Ns(r.arrival), opt_.keep_records ? static_cast<int64_t>(r.payload) : -1, outcome,
         reason);
}

void Engine::Finish(int stats, int64_t arrival_ns, int64_t record, serve::RequestOutcome outcome,
                    std::string_view reason) {
  NameStats& ns = stats_[stats];
  client::OutcomeCounts& c = ns.counts;
  ++c.sent;
  TimeBin& bin = BinAt(arrival_ns);
  ++bin.sent;
  const int64_t done_ns = now_ + ns.reply_ns;  // when the client sees the answer
  last_done_ns_ = std::max(last_done_ns_, done_ns);
  const double latency_ms = static_cast<double>(done_ns - arrival_ns) / 1e6;
  switch (outcome) {
    case serve::RequestOutcome::kServed:
      ++c.served;
      ns.latency.Add(done_ns - arrival_ns);
      total_latency_.Add(done_ns - arrival_ns);
      if (latency_ms <= ns.slo_ms) {
        ++c.served_in_slo;
        ++bin.served_in_slo;
      }
      break;
    case serve::RequestOutcome::kDropped:
      ++c.dropped;
      ++c.dropped_by_reason[std::string(reason)];
      break;
    case serve::RequestOutcome::kFailed:
      ++c.failed;
      ++c.failed_by_reason[std::string(reason)];
      break;
  }
  if (record >= 0) {
    client::RequestRecord& r = records_[record];
    r.done_ms = static_cast<double>(done_ns) / 1e6;
    r.outcome = outcome;
    r.reason = std::string(reason);
  }
}

// ---------------------------------------------------------------------------------------------
// Apps

void Engine::StartApp(int app, int64_t record) {
  const AppState& st = apps_[app];
  int run_index;
  if (!free_runs_.empty()) {
    run_index = free_runs_.back();
    free_runs_.pop_back();
  } else {
    run_index = static_cast<int>(runs_.size());
    runs_.emplace_back();
  }
  AppRun& run = runs_[run_index];
  run.app = app;
  run.arrival_ns = now_;
  run.deadline_ns = now_ + SecondsToNs(st.spec->slo_ms / 1000.0);
  run.record = record;
  run.pending = st.producers;
  run.exits_left = static_cast<int>(std::count(st.is_exit.begin(), st.is_exit.end(), 1));
  run.outstanding = 0;
  run.finished = false;
  for (int s : st.roots) {
    RunStage(run_index, s);
  }
}

void Engine::RunStage(int run_index, int stage) {
  AppRun& run = runs_[run_index];
  ++run.outstanding;
  const uint64_t payload =
      kAppBit | (static_cast<uint64_t>(run_index) << kStageBits) | static_cast<uint64_t>(stage);
  const AppState& app = apps_[run.app];
  Submit(app.stage_model[stage], run.deadline_ns - app.time_after[stage].count(), payload);
}

void Engine::StageDone(uint64_t payload, bool served, serve::RequestOutcome outcome,
                       std::string_view reason) {
  const int run_index = static_cast<int>((payload & ~kAppBit) >> kStageBits);
  const int stage = static_cast<int>(payload & ((uint64_t{1} << kStageBits) - 1));
  AppRun& run = runs_[run_index];
  --run.outstanding;
  const AppState& st = apps_[run.app];
  std::vector<int> ready;
  if (!run.finished) {
    if (!served) {
      run.finished = true;
      Finish(st.stats, run.arrival_ns, run.record, outcome, reason);
    } else {
      if (st.is_exit[stage]) {
        --run.exits_left;
      }
      for (int c : st.consumers[stage]) {
        if (--run.pending[c] == 0) {
          ready.push_back(c);
        }
      }
      if (run.exits_left == 0) {
        run.finished = true;
        Finish(st.stats, run.arrival_ns, run.record, serve::RequestOutcome::kServed, "");
        ready.clear();
      }
    }
  }
  for (int c : ready) {
    RunStage(run_index, c);  // may reallocate runs_: `run` is not used after this
  }
  AppRun& again = runs_[run_index];
  if (again.finished && again.outstanding == 0) {
    free_runs_.push_back(run_index);
  }
}

// ---------------------------------------------------------------------------------------------
// Re-planning

void Engine::OnReplanTick() {
  const TimePoint now = At(now_);
  // While a switch waits for its new glets to warm up, nothing new is decided.
  serve::ReplanDecision d = warming_ ? serve::ReplanDecision{} : monitor_->ShouldReplan(now);
  if (d.replan) {
    sched::Workload w;
    for (const sched::ModelDemand& old : current_plan_.workload) {
      sched::ModelDemand nd = old;
      auto r = d.rates_rps.find(old.model);
      nd.rate_rps = std::max({opt_.min_rate_rps, monitor_->Floor(old.model),
                              r == d.rates_rps.end() ? 0.0 : r->second});
      w.models.push_back(nd);
    }
    Result<sched::Plan> plan = planner_->MakePlan(w, fleet_, nullptr);
    if (!plan.ok() && plan.status().code() == StatusCode::kResourceExhausted) {
      // As the controller degrades: the largest share of every rate that fits the budget.
      Result<sched::PeakResult> peak = sched::FindPeakScale(*planner_, w, fleet_, 0.01);
      if (peak.ok() && peak->scale < 1) {
        plan = std::move(peak->plan);
        ++replans_degraded_;
      }
    }
    Result<Duration> warm_up = plan.ok() ? WarmUpOf(*plan) : Result<Duration>(plan.status());
    if (plan.ok() && warm_up.ok() && *warm_up > Duration::zero()) {
      // Warm within the run: the switch then; else it never happens in it.
      plan->epoch = current_plan_.epoch + 1;
      warming_ = WarmingPlan{std::move(*plan), std::move(w)};
      if (now_ + warm_up->count() < SecondsToNs(opt_.duration_s)) {
        Push(now_ + warm_up->count(), EventKind::kWarmPlan, 0);
      }
    } else if (plan.ok()) {
      plan->epoch = current_plan_.epoch + 1;
      Status s = InstallPlan(*plan, &w);
      if (!s.ok()) {
        ++replans_failed_;
      }
    } else {
      ++replans_failed_;
    }
  }
  const int64_t next = now_ + std::chrono::duration_cast<Duration>(opt_.replan_tick).count();
  if (next < SecondsToNs(opt_.duration_s)) {
    Push(next, EventKind::kReplanTick, 0);
  }
}

// ---------------------------------------------------------------------------------------------
// The loop

Result<SimResult> Engine::Run() {
  client::Arrival next;
  bool have_next = arrivals_->Next(&next);
  int64_t next_ns = have_next ? SecondsToNs(next.offset_s) : kNever;
  while (have_next || !heap_.empty()) {
    const bool take_event =
        !heap_.empty() && (!have_next || heap_.top().t < next_ns ||
                           (heap_.top().t == next_ns && heap_.top().kind < EventKind::kArrival));
    ++events_;
    if (!take_event) {
      now_ = std::max(now_, next_ns);
      OnArrival(next);
      have_next = arrivals_->Next(&next);
      next_ns = have_next ? std::max(now_, SecondsToNs(next.offset_s)) : kNever;
      continue;
    }
    const Event e = heap_.top();
    heap_.pop();
    now_ = e.t;
    switch (e.kind) {
      case EventKind::kBatchDone:
        OnBatchDone(e.index);
        break;
      case EventKind::kBatchAtGlet:
        OnBatchAtGlet(e.index);
        break;
      case EventKind::kWake: {
        Lane& lane = *lanes_[e.index];
        if (lane.wake_ns == e.t) {
          lane.wake_ns = kNever;
          if (lane.in_flight < max_in_flight_) {
            RunLane(e.index);
          }
        }
        break;
      }
      case EventKind::kPlanChange: {
        Status s = InstallPlan(in_.plan_changes[e.index].plan);
        if (!s.ok()) {
          return s.WithContext("plan change " + std::to_string(e.index));
        }
        break;
      }
      case EventKind::kReplanTick:
        OnReplanTick();
        break;
      case EventKind::kWarmPlan:
        if (warming_) {
          WarmingPlan warm = std::move(*warming_);
          warming_.reset();
          if (!InstallPlan(warm.plan, &warm.demand).ok()) {
            ++replans_failed_;
          }
        }
        break;
      case EventKind::kArrival:
        break;
    }
  }
  GLET_CHECK(queued_ == 0) << "simulation ended with " << queued_ << " queued requests";

  SimResult result;
  result.events = events_;
  result.end_s = static_cast<double>(std::max(now_, last_done_ns_)) / 1e9;
  result.peak_queued = peak_queued_;
  result.plans = std::move(plans_);
  result.replans_failed = replans_failed_;
  result.replans_degraded = replans_degraded_;
  // The report.
  std::map<std::string, double> slo;
  for (const NameStats& ns : stats_) {
    slo[ns.name] = ns.slo_ms;
  }
  if (opt_.keep_records) {
    GLET_ASSIGN_OR_RETURN(result.report, client::ComputeRunReport(records_, slo, opt_.duration_s));
    result.exact_percentiles = true;
    result.records = std::move(records_);
  } else {
    client::RunReport& r = result.report;
    r.window_s = opt_.duration_s;
    client::OutcomeCounts& t = r.total;
    double sum_ms = 0;
    for (NameStats& ns : stats_) {
      client::OutcomeCounts c = ns.counts;
      c.slo_attainment =
          c.sent == 0 ? 1.0 : static_cast<double>(c.served_in_slo) / static_cast<double>(c.sent);
      c.goodput_rps = static_cast<double>(c.served_in_slo) / opt_.duration_s;
      c.mean_ms = ns.latency.mean_ms();
      c.p50_ms = ns.latency.PercentileMs(50);
      c.p95_ms = ns.latency.PercentileMs(95);
      c.p99_ms = ns.latency.PercentileMs(99);
      c.max_ms = ns.latency.max_ms();
      t.sent += c.sent;
      t.served += c.served;
      t.dropped += c.dropped;
      t.failed += c.failed;
      t.served_in_slo += c.served_in_slo;
      for (const auto& [k, v] : c.dropped_by_reason) {
        t.dropped_by_reason[k] += v;
      }
      for (const auto& [k, v] : c.failed_by_reason) {
        t.failed_by_reason[k] += v;
      }
      sum_ms += c.mean_ms * static_cast<double>(c.served);
      t.max_ms = std::max(t.max_ms, c.max_ms);
      r.per_model[ns.name] = c;
    }
    GLET_CHECK(t.sent == t.served + t.dropped + t.failed) << "request accounting broken";
    t.slo_attainment =
        t.sent == 0 ? 1.0 : static_cast<double>(t.served_in_slo) / static_cast<double>(t.sent);
    t.goodput_rps = static_cast<double>(t.served_in_slo) / opt_.duration_s;
    t.mean_ms = t.served == 0 ? 0 : sum_ms / static_cast<double>(t.served);
    t.p50_ms = total_latency_.PercentileMs(50);
    t.p95_ms = total_latency_.PercentileMs(95);
    t.p99_ms = total_latency_.PercentileMs(99);
  }
  // Devices: partition-weighted busy time over the run's window.
  const double window_ns = std::max(opt_.duration_s * 1e9, 1.0);
  std::map<int, DeviceUsage> usage;
  for (const Glet& g : glets_) {
    DeviceUsage& u = usage[g.device];
    u.device = g.device;
    ++u.glets;
    const double frac = static_cast<double>(g.busy_ns) / window_ns;
    u.glet_busy.push_back(frac);
    u.busy_pct += frac * g.partition;
  }
  for (auto& [id, u] : usage) {
    result.devices.push_back(std::move(u));
  }
  const size_t bins = static_cast<size_t>(std::ceil(opt_.duration_s / opt_.bin_s));
  BinAt(static_cast<int64_t>(bins > 0 ? bins - 1 : 0) * bin_ns_);
  for (TimeBin& b : bins_) {
    b.slo_attainment =
        b.sent == 0 ? 1.0 : static_cast<double>(b.served_in_slo) / static_cast<double>(b.sent);
  }
  bins_.resize(std::min(bins_.size(), std::max<size_t>(bins, 1)));
  result.timeline = std::move(bins_);
  return result;
}

}  // namespace

Result<SimResult> Simulate(const SimInput& input, ArrivalSource arrivals,
                           const SimOptions& options) {
  Engine engine(input, options);
  GLET_RETURN_IF_ERROR(engine.Init(&arrivals));
  return engine.Run();
}

}  // namespace glet::sim
