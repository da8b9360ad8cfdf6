// Controller: the frontend's control loop. It turns request rates into a plan (sched::Planner
// over the devices the registered backends report), places the plan's glets on those devices,
// has the backends start them (BackendControl/ApplyPlan), and installs the routes on the
// Frontend once every new glet is READY — make-before-break: the old glets keep serving until
// the new routes are in and the old lanes have drained, then the backends stop them.
//
// Its loop (one thread) re-plans when
//   - the Frontend's RateMonitor says rates moved past the threshold (at most once per epoch);
//   - a backend stops heartbeating (its devices leave the pool: plan repair);
//   - a backend joins while the last plan did not fit;
// and follows glet health from heartbeats: a glet that is not READY is taken out of rotation;
// one that comes back (a restarted proxy, maybe on a new port) is routed to again.
//
// Every device type the healthy devices report (DeviceInfo::profile) is planned together, each
// with its profile from profiles_dir (sched/fleet.h: each model served where it costs least); a
// type whose profile does not load is left out with a warning unless it is the only one.
// Decisions and actions are apart: where a plan runs and what each node runs meanwhile are pure
// functions (serve/glet_placement.h); the backends are reached through a BackendClient
// (serve/backend_client.h; gRPC by default) and time through an injected Clock. No lock that
// the accessors (plan(), PlanView(), epoch()) or Cancel() take is held across an ApplyPlan call
// or while the old lanes drain: re-plans are serialised by a lock of their own, and Cancel()
// also cancels the calls in flight.
//
// Thread safety: Start()/Stop() from one thread; Cancel() and the accessors from any thread.
#pragma once

#include <grpcpp/grpcpp.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/json_reader.h"
#include "core/metrics.h"
#include "core/mutex.h"
#include "core/status.h"
#include "model/app_spec.h"
#include "model/model_spec.h"
#include "perf/device_profile.h"
#include "sched/plan.h"
#include "sched/planner.h"
#include "serve/backend_client.h"
#include "serve/backend_registry.h"
#include "serve/frontend.h"
#include "serve/glet_placement.h"

namespace glet::serve {

struct ServedApp {
  model::AppSpec spec;
  double rate_rps = 0;
};

struct ControllerOptions {
  std::string policy = "glet";
  std::string profiles_dir;                            // resource/profiles
  std::map<std::string, std::vector<int>> partitions;  // per device type; default planner's
  sched::SafetyMargins margins;                        // the planner's
  // The serving plane's own share of a request's latency (gRPC hops, batch assembly, wake-ups),
  // which latency profiles do not time: plans are made for SLO - host_overhead_ms so a planned
  // batch still meets the real SLO after it. >= 0 and below every planned SLO.
  double host_overhead_ms = 0;
  std::map<std::string, double> model_rates;      // initial demand per model (rps)
  std::vector<ServedApp> apps;                    // initial demand per app
  double min_rate_rps = 1;                        // planning floor for a served model
  std::map<std::string, double> model_floor_rps;  // higher floors for some models
  Duration epoch = std::chrono::seconds(10);
  Duration heartbeat_timeout = std::chrono::seconds(3);
  Duration drain_timeout = std::chrono::seconds(10);
  Duration tick = std::chrono::milliseconds(200);
  // Where the frontend's glet channels complete their batches (ProxyChannel's `cq`): queues
  // driven by CqRunLoops that outlive every batch (the KServe server's); glets take them in
  // turn. Empty: channels block.
  std::vector<grpc::CompletionQueue*> batch_queues;
  Clock* clock = nullptr;             // null: SystemClock. Not owned.
  BackendClient* backends = nullptr;  // null: a GrpcBackendClient of its own. Not owned.
};

class Controller {
 public:
  // All references are borrowed and must outlive the controller.
  Controller(Frontend& frontend, BackendRegistry& registry, const model::ModelManifest& manifest,
             MetricsRegistry& metrics, ControllerOptions options);
  ~Controller();

  // Waits (until `deadline`) for backends offering `min_devices` devices, makes and applies the
  // first plan, then starts the loop. kDeadlineExceeded if the devices never came; the planner's
  // error (kResourceExhausted naming what does not fit) if the demand cannot be planned;
  // kCancelled after Cancel().
  Status Start(int min_devices, TimePoint deadline);
  // Stops the loop (joins it). Not concurrently with Start(): use Cancel() for that.
  void Stop();
  // Makes a Start() running on another thread return kCancelled soon (within 100 ms of its wait
  // for backends; a plan being applied ends with its backend calls, which are cancelled) and the
  // loop stop. Never waits for a re-plan. Thread-safe.
  void Cancel();
  // Asks every backend to run no glets (shutdown). Errors are logged. After Stop() (or a
  // cancelled Start()) has returned.
  void StopGlets();

  // The plan in force (empty before Start()).
  sched::Plan plan() const;
  // The plan in force as GET /v2/glet/plan shows it (null before the first plan):
  //   {"epoch": N, "reason": why it was made, "planned_rates_rps": {model: rps} (the demand),
  //    "served_share": the share of it the plan serves (1, or < 1 when degraded),
  //    "plan": sched::Plan::ToJson(),
  //    "glets": [{"glet_id", "backend", "device", "partition_percent", "up", "duty_cycle_ms",
  //               "models": [{"model", "batch", "rate_rps"}]}]}
  // A snapshot taken when the plan or a glet's health changed: never waits for a re-plan.
  Json PlanView() const;
  int64_t epoch() const;

  // Makes and applies a plan for `rates_rps` now (the loop calls this; tests may too). One at a
  // time: a call waits for a re-plan in progress. kCancelled after Cancel().
  Status Replan(const std::map<std::string, double>& rates_rps, const std::string& why)
      GLET_EXCLUDES(changing_mu_, mu_);

 private:
  void Loop();
  // The epoch of the next plan: above this controller's last and above any plan a registered
  // backend reported having applied (from a previous frontend, before a restart).
  int64_t NextEpoch() const GLET_EXCLUDES(mu_);
  Status ReplanLocked(const std::map<std::string, double>& rates_rps, const std::string& why)
      GLET_REQUIRES(changing_mu_) GLET_EXCLUDES(mu_);
  // Counts and logs a plan that was not made or not applied.
  void PlanFailed(const std::string& why, const std::string& result, const Status& status)
      GLET_EXCLUDES(mu_);
  Result<sched::Workload> MakeWorkload(const std::map<std::string, double>& rates) const;
  // Places `plan` (PlaceGlets), has the nodes start its new glets next to the running ones, puts
  // it in force (placed_, epoch_, routes), lets the old lanes drain and stops the old glets.
  Status Apply(const sched::Plan& plan,
               const std::map<std::string, const perf::DeviceProfile*>& profiles,
               const std::vector<BackendRecord>& backends) GLET_REQUIRES(changing_mu_)
      GLET_EXCLUDES(mu_);
  // Installs the routes of `placed` (plan `epoch`) on the frontend.
  Status InstallRoutes(const std::vector<PlacedGlet>& placed, int64_t epoch);
  // Refreshes the snapshot PlanView() returns.
  void PublishView() GLET_REQUIRES(mu_);
  void FollowGletHealth() GLET_REQUIRES(changing_mu_) GLET_EXCLUDES(mu_);
  bool stopping() const GLET_EXCLUDES(mu_);

  Frontend& frontend_;                    // not owned
  BackendRegistry& registry_;             // not owned
  const model::ModelManifest& manifest_;  // not owned
  MetricsRegistry& metrics_;              // not owned
  const ControllerOptions options_;
  Clock& clock_;
  std::unique_ptr<BackendClient> own_backends_;  // when options.backends is null
  BackendClient& backends_;

  // Held while the set of glets changes (a re-plan, following glet health, a lost backend),
  // across backend calls; taken before mu_. Nothing that only reads takes it.
  Mutex changing_mu_;
  std::map<std::string, std::unique_ptr<perf::DeviceProfile>> profiles_
      GLET_GUARDED_BY(changing_mu_);
  size_t known_devices_ GLET_GUARDED_BY(changing_mu_) = 0;

  // The state in force; held briefly, never across a backend call. Written with changing_mu_
  // held too.
  mutable Mutex mu_;
  CondVar cv_;
  bool stop_ GLET_GUARDED_BY(mu_) = false;
  bool plan_failed_ GLET_GUARDED_BY(mu_) = false;
  sched::Plan plan_ GLET_GUARDED_BY(mu_);
  int64_t epoch_ GLET_GUARDED_BY(mu_) = 0;
  std::map<std::string, double> planned_rates_ GLET_GUARDED_BY(mu_);
  std::vector<PlacedGlet> placed_ GLET_GUARDED_BY(mu_);
  std::string plan_reason_ GLET_GUARDED_BY(mu_);
  // The share of every model's demand the plan in force was made for: 1, or less when the fleet
  // could not hold the demand (graceful degradation).
  double served_share_ GLET_GUARDED_BY(mu_) = 1;
  mutable Mutex view_mu_;  // leaf lock
  Json view_ GLET_GUARDED_BY(view_mu_);
  std::thread thread_;
};

}  // namespace glet::serve
