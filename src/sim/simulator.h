// Simulator: a discrete-event simulation of the serving plane under a plan, driven by an event
// queue and a simulated clock (TimePoints advanced by the loop; nothing sleeps, nothing reads a
// real clock). It runs the frontend's own policy objects, not copies of them:
//   - every request is routed at arrival by the model's serve::Router (in proportion to each
//     glet's planned rate) to one (model, glet) lane;
//   - each lane has a serve::Batcher with the glet's batch size, duty cycle and expected batch
//     latencies (profile latency x the plan's alpha, as the controller installs them), and holds
//     at most max_batches_in_flight batches in flight, as the frontend's lane threads do: while
//     a slot is free, Decide(now) is called on an arrival and at the batcher's wake_at, and it
//     is called when one of the lane's batches is answered;
//   - a glet runs one batch at a time in FIFO order of submission (a time-shared glet serialises
//     its models' batches, as a proxy does); a batch of k items of model m on a glet of
//     partition p takes LatencyMs(m, p, k) x alpha, where alpha is the interference model's
//     slow-down from the device's other glets (each counted with its most demanding model at its
//     planned batch), recomputed from the profile, not read from the plan; 1 without interference
//     data or with `interference = false`. The profile is that of the glet's device type (a plan
//     may use several types, as `glet schedule --devices ref-gpu:2,cpu:1` makes them);
//   - a batch that starts on its glet after its deadline (not counting its dispatch overhead) is
//     dropped there (kDeadlineExpired), as the proxy does;
//   - serve::RateMonitor observes arrivals; with re-planning on, the controller's loop is mirrored:
//     every `replan_tick` ShouldReplan() is asked, and on "yes" the planner re-plans for the
//     observed rates (floored at min_rate_rps) within the device budget; a failed plan keeps the
//     old one. A new plan is installed as the controller installs it (make-before-break):
//     each planned device goes on a physical device of its type ("TYPE/k", as many as the
//     budget) chosen by sched::AssignDevices(), as the controller places it on the backends'
//     devices; glets that sched::MatchUnchangedGlets() finds unchanged (same physical device,
//     partition, models and batch sizes) keep running with their queues and batches in
//     flight, their lanes taking the new duty cycle, latencies and routing weight; the other
//     glets' lanes take no new arrivals and finish their queues on their glets, while the new
//     glets' lanes take new arrivals at once;
//   - the host's own costs, which the profile does not time, come from SimOptions::overhead
//     (0 by default): per request, per batch dispatch, lane wake-up (docs/simulator.md,
//     "Fidelity", says how to measure them).
// Apps (model::AppSpec) run as the frontend runs them: each stage is a model request carrying the
// app's end-to-end deadline, submitted when its producers are served; the app request ends
// dropped at its first dropped stage, served when its exit stages are.
//
// Output: the client's report (client::RunReport: served, dropped, SLO attainment, percentiles,
// goodput per model/app and overall) over the requests the client would have sent (app stages
// are not counted apart). With keep_records the per-request records are kept and the report is
// client::ComputeRunReport() itself (exact); otherwise counts are exact and percentiles come
// from a LatencyHistogram (within 0.2%), with memory independent of the request count.
// Also: per-device occupancy, and per time bin: sent, served within SLO, attainment, devices in
// use.
//
// Thread safety: Simulate() is a pure function of its inputs; it may run concurrently.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "client/request_record.h"
#include "client/run_report.h"
#include "client/workload.h"
#include "core/clock.h"
#include "core/status.h"
#include "model/app_spec.h"
#include "perf/device_profile.h"
#include "sched/device_budget.h"
#include "sched/plan.h"
#include "sched/planner.h"
#include "serve/rate_monitor.h"
#include "sim/arrival_source.h"

namespace glet::sim {

// Host-side costs of the serving plane that the latency profile does not time: gRPC transfers,
// batch assembly, the lane and proxy threads waking up. All 0 by default (an ideal serving
// plane); docs/simulator.md ("Fidelity") says how to measure them on a host.
struct ServingOverhead {
  // Per client request: sending it to the frontend and the reply back, request_ms +
  // request_ms_per_mib x its input MiB (the profile's `inputs` shapes, FP32; an app request's
  // inputs are sized by the root stages reading them), added to the latency the client sees.
  // (In the real frontend the batcher's deadline starts when the request arrives there; the
  // simulator charges the whole of it to the reply, an equivalent shift.)
  double request_ms = 0;
  double request_ms_per_mib = 0;
  // Per batch: the frontend assembling it and sending it to its glet before it can run there,
  // batch_ms + batch_ms_per_mib x the batch's input MiB. The batch holds one of its lane's
  // in-flight slots meanwhile; the glet's deadline check, like the proxy's, does not count it.
  double batch_ms = 0;
  double batch_ms_per_mib = 0;
  // Lane wake-up: an idle lane runs its batching decision this long after the arrival or the
  // timer (the batcher's wake_at) that wakes it, as a lane thread waiting on a condition
  // variable does. After its batch returns a lane decides at once.
  double wakeup_ms = 0;
};

struct SimOptions {
  double duration_s = 60;  // arrivals in [0, duration_s); the run continues until all finish
  size_t max_queue_requests = 1024;  // per lane, as the frontend's default
  // Batches a lane may have sent and not yet had answered, as the frontend's option of that
  // name (default 2: the next batch is cut and sent while the previous one runs).
  int max_batches_in_flight = 2;
  // The batchers' two edges (serve::BatcherConfig): an idle glet runs what is queued, and
  // overload is shed early. Both on, as the frontend runs; off for the plan's batching alone.
  bool work_conserving = true;
  bool shed = true;
  bool interference = true;   // scale execution by the interference model
  bool keep_records = false;  // keep per-request records (exact report, memory ~ count)
  double bin_s = 1;           // width of the time series bins, > 0
  // Re-planning (the controller's loop). Off: the initial plan holds for the whole run.
  bool replan = false;
  std::string policy = "glet";
  sched::PlannerOptions planner_options;
  // Device budget for re-plans. With one device type: `max_devices` devices of it (>= the
  // initial plan's devices), or `device_budget` with that one type. With several types:
  // `device_budget`, one entry per type (each with a profile in SimInput), in pool order; the
  // re-planner plans over a sched::Fleet of those pools.
  int max_devices = 0;
  std::vector<sched::DeviceBudgetEntry> device_budget;
  serve::RateMonitorConfig rates;
  Duration replan_tick = std::chrono::milliseconds(200);
  double min_rate_rps = 1;  // planning floor per served model (the controller's)
  // Cold starts. A re-plan that starts new glets (not kept: sched::MatchUnchangedGlets) takes
  // effect once they are warm, as the controller switches routes only to ready glets: after the
  // longest load time among their models (the profile's load.csv; `cold_start` for a model it
  // lacks). Until then the old plan serves, and the re-planner decides nothing new. Plans given
  // in SimInput::plan_changes are installed at their time, as before.
  Duration cold_start{};
  // A model still rising is planned for its rate once new glets are warm: the rise extrapolated
  // over its cold start (RateMonitorConfig::lead_time, as the controller sets it). Off: for the
  // rate now (a baseline).
  bool scale_ahead = true;
  ServingOverhead overhead;
};

// A plan installed at a given time, as the controller installs a re-plan.
struct PlanChange {
  double at_s = 0;
  sched::Plan plan;
};

struct SimInput {
  // The device profiles, one per device type (not owned; outlive Simulate()): each glet runs
  // with the profile of its device's type. `profile` alone is the one-type case; `profiles`
  // adds (or, with `profile` null, gives) the others. A model's request input is sized by the
  // first of them (`profile`, then `profiles` in order) that knows its input shapes.
  const perf::DeviceProfile* profile = nullptr;
  std::vector<const perf::DeviceProfile*> profiles;
  sched::Plan plan;  // the initial plan
  // SLO per model; a model with no entry uses the plan workload's slo_ms.
  std::map<std::string, double> slo_ms;
  std::vector<model::AppSpec> apps;  // stream names may be apps
  // Stream i of the arrivals targets stream_names[i] (a model or an app).
  std::vector<std::string> stream_names;
  // Plans to install at fixed times (in time order), whether or not re-planning is on: e.g. the
  // plans a controller applied, or a test's. Installed as a re-plan is (make-before-break).
  std::vector<PlanChange> plan_changes;
};

struct DeviceUsage {
  int device = 0;
  int glets = 0;
  double busy_pct = 0;  // sum over glets of partition% x busy fraction over the run's span
  std::vector<double> glet_busy;  // per glet, busy fraction of the span
};

struct TimeBin {
  double start_s = 0;
  int64_t sent = 0;           // by arrival time
  int64_t served_in_slo = 0;  // of those sent in this bin
  double slo_attainment = 1;  // served_in_slo / sent (1 when none sent)
  int devices = 0;            // devices in use (most during the bin)
};

struct SimResult {
  client::RunReport report;
  bool exact_percentiles = false;
  std::vector<client::RequestRecord> records;  // keep_records only, in arrival order
  std::vector<DeviceUsage> devices;            // of the final plan's devices
  std::vector<TimeBin> timeline;
  std::vector<sched::Plan> plans;  // the initial plan and each applied re-plan
  int replans_failed = 0;
  int replans_degraded = 0;  // re-plans for the largest share of the demand that fit
  int64_t events = 0;        // events processed (arrivals, wake-ups, completions)
  double end_s = 0;          // simulated time when the last request finished
  int64_t peak_queued = 0;   // most requests queued in all lanes at once
};

// Runs the simulation. kInvalidArgument naming the model/field for: a stream whose name is
// neither a served model nor an app, a plan whose glet has no profile entry, a plan device whose
// type has no profile (naming the device and type), two profiles of one type, a budget type
// without profile, no SLO for a model, a bad option. Every request ends served, dropped or failed;
// the report's counts add up.
Result<SimResult> Simulate(const SimInput& input, ArrivalSource arrivals,
                           const SimOptions& options);

}  // namespace glet::sim
