// glet simulate: discrete-event simulation of the serving plane (sim/simulator.h) for a plan, or
// for rates planned on the spot, under Poisson / uniform / rate-trace arrivals or a replayed
// client log. Prints the client's report (served, dropped, SLO attainment, percentiles, goodput)
// plus per-device occupancy and devices in use; writes a JSON report and SVG plots on request.
// See docs/simulator.md.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <deque>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/report.h"
#include "client/workload.h"
#include "core/file_util.h"
#include "core/strings.h"
#include "model/app_spec.h"
#include "model/model_spec.h"
#include "perf/device_profile.h"
#include "sched/app_workload.h"
#include "sched/device_budget.h"
#include "sched/fleet.h"
#include "sched/planner_factory.h"
#include "sched/workload.h"
#include "sim/simulator.h"
#include "sim/svg_plot.h"

namespace glet::cli {

namespace {

struct SimulateOptions {
  std::string plan;
  std::string rates;
  std::vector<std::string> apps;
  std::vector<std::string> models;
  std::vector<std::string> traces;
  std::string replay;
  std::string profile_dir;
  std::string profiles_root;
  std::string devices;
  std::string policy = "glet";
  std::string dist = "poisson";
  double duration_s = 60;
  uint64_t seed = 1;
  double scale = 1;
  std::string replan = "auto";
  double epoch_s = 10;
  double cold_start_ms = 0;
  double bin_s = 1;
  int64_t max_queue = 1024;
  int max_batches_in_flight = 2;
  bool no_interference = false;
  bool no_work_conserving = false;
  bool no_scale_ahead = false;
  bool no_shed = false;
  double request_overhead_ms = 0;
  double request_overhead_ms_per_mib = 0;
  double batch_overhead_ms = 0;
  double batch_overhead_ms_per_mib = 0;
  double wakeup_ms = 0;
  std::string out;
  std::string svg_dir;
  std::string log;
  bool json = false;
};

// Max rate of a stream over [0, duration): what a fixed plan must hold.
double PeakRate(const client::Stream& s, double duration_s) {
  if (!s.has_trace) {
    return s.rate_rps;
  }
  double peak = 0;
  for (const client::RatePoint& p : s.trace.points()) {
    if (p.start_s < duration_s) {
      peak = std::max(peak, p.rate_rps);
    }
  }
  return peak;
}

void Merge(sched::Workload& into, const sched::ModelDemand& d) {
  const int i = into.Find(d.model);
  if (i < 0) {
    into.models.push_back(d);
    return;
  }
  sched::ModelDemand& m = into.models[i];
  m.rate_rps += d.rate_rps;
  m.slo_ms = std::min(m.slo_ms, d.slo_ms);
  m.max_batch = std::min(m.max_batch, d.max_batch);
}

Status WriteSvgs(const std::string& dir, const sim::SimResult& r) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return InvalidArgumentError("--svg-dir " + dir + ": cannot create: " + ec.message());
  }
  sim::Series att{"SLO attainment", {}};
  sim::Series dev{"devices in use", {}};
  for (const sim::TimeBin& b : r.timeline) {
    att.points.emplace_back(b.start_s, b.slo_attainment * 100);
    dev.points.emplace_back(b.start_s, b.devices);
  }
  if (!r.timeline.empty()) {
    const sim::TimeBin& last = r.timeline.back();
    const double end =
        last.start_s +
        (r.timeline.size() > 1 ? last.start_s - r.timeline[r.timeline.size() - 2].start_s : 1.0);
    dev.points.emplace_back(end, last.devices);
  }
  sim::ChartSpec a{"SLO attainment over time", "time (s)", "SLO attainment (%)", 0, 100, false};
  sim::ChartSpec d{"Devices in use over time", "time (s)", "devices", 0, 0, true};
  GLET_RETURN_IF_ERROR(WriteFileAtomic(dir + "/slo_attainment.svg", sim::LineChartSvg(a, {att}))
                           .WithContext("--svg-dir"));
  GLET_RETURN_IF_ERROR(
      WriteFileAtomic(dir + "/devices.svg", sim::LineChartSvg(d, {dev})).WithContext("--svg-dir"));
  if (!r.plans.empty()) {
    GLET_RETURN_IF_ERROR(
        WriteFileAtomic(dir + "/plan.svg", sim::PlanLayoutSvg(r.plans.front(), "Plan (initial)"))
            .WithContext("--svg-dir"));
    if (r.plans.size() > 1) {
      GLET_RETURN_IF_ERROR(
          WriteFileAtomic(
              dir + "/plan_final.svg",
              sim::PlanLayoutSvg(r.plans.back(), "Plan (final, epoch " +
                                                     std::to_string(r.plans.back().epoch) + ")"))
              .WithContext("--svg-dir"));
    }
  }
  return Status::Ok();
}

Status RunSimulate(const SimulateOptions& o) {
  if (!o.plan.empty() == !o.rates.empty() && o.apps.empty()) {
    return InvalidArgumentError("give exactly one of --plan FILE or --rates FILE (or --app)");
  }
  if (!o.plan.empty() && !o.rates.empty()) {
    return InvalidArgumentError("--plan and --rates: give one, not both");
  }
  if (!(o.duration_s > 0) || !std::isfinite(o.duration_s)) {
    return InvalidArgumentError("--duration: must be > 0");
  }
  if (!(o.scale > 0)) {
    return InvalidArgumentError("--scale: must be > 0");
  }
  if (o.replan != "auto" && o.replan != "on" && o.replan != "off") {
    return InvalidArgumentError("--replan: must be auto, on or off (got '" + o.replan + "')");
  }
  GLET_ASSIGN_OR_RETURN(client::ArrivalDist dist, client::ParseArrivalDist(o.dist, "--dist"));

  // The plan (loaded) or the workload to plan.
  std::optional<sched::Plan> plan;
  sched::Workload workload;
  if (!o.plan.empty()) {
    GLET_ASSIGN_OR_RETURN(sched::Plan p, sched::Plan::Load(o.plan));
    plan = std::move(p);
    workload.models = plan->workload;
  } else if (!o.rates.empty()) {
    GLET_ASSIGN_OR_RETURN(workload, sched::LoadRatesCsv(o.rates));
  }
  // With --rates the plan is made for the scaled rates; with --plan the plan stays and only the
  // arrivals are scaled (load above or below what it was made for).
  workload = workload.Scaled(o.scale);
  if (o.scale != 1 && !o.replay.empty()) {
    return InvalidArgumentError("--scale: --replay sends the log's arrivals as they are");
  }
  // Device types and budget: --devices, or the plan's devices per type (in the plan's order).
  std::vector<sched::DeviceBudgetEntry> budget;
  if (!o.devices.empty()) {
    GLET_ASSIGN_OR_RETURN(sched::DeviceBudget b, sched::DeviceBudget::Parse(o.devices));
    budget = b.entries;
  } else if (plan) {
    for (const sched::PlannedDevice& d : plan->devices) {
      auto it = std::find_if(budget.begin(), budget.end(),
                             [&](const sched::DeviceBudgetEntry& e) { return e.type == d.type; });
      if (it == budget.end()) {
        budget.push_back(sched::DeviceBudgetEntry{d.type, 0});
        it = budget.end() - 1;
      }
      ++it->count;
    }
    if (budget.empty()) {
      return InvalidArgumentError("--plan " + o.plan + ": no devices (give --devices TYPE:COUNT)");
    }
  } else {
    return InvalidArgumentError("--devices: needed with --rates (e.g. ref-gpu:4)");
  }
  const bool several = budget.size() > 1;
  std::vector<std::string> types;
  for (const sched::DeviceBudgetEntry& e : budget) {
    types.push_back(e.type);
  }
  const std::string type = Join(types, ",");
  if (several && !o.profile_dir.empty()) {
    return InvalidArgumentError(
        "--profile-dir: names the profile of one device type, but the " +
        std::string(o.devices.empty() ? "plan uses several (" : "--devices has several (") +
        sched::DeviceBudget{budget}.ToString() +
        "); their profiles come from --profiles-root/<type>");
  }
  if (plan) {
    std::map<std::string, int> used;
    for (const sched::PlannedDevice& d : plan->devices) {
      if (d.glets.empty()) {
        continue;
      }
      ++used[d.type];
      const bool known =
          std::any_of(budget.begin(), budget.end(),
                      [&](const sched::DeviceBudgetEntry& e) { return e.type == d.type; });
      if (!known) {
        return InvalidArgumentError("--plan " + o.plan + ": device " + std::to_string(d.id) +
                                    " is a '" + d.type + "', --devices says '" + type + "'");
      }
    }
    if (!several && plan->UsedDevices() > budget[0].count) {
      return InvalidArgumentError("--devices: the plan uses " +
                                  std::to_string(plan->UsedDevices()) + " devices, more than " +
                                  std::to_string(budget[0].count));
    }
    for (const sched::DeviceBudgetEntry& e : budget) {
      if (used[e.type] > e.count) {
        return InvalidArgumentError("--devices: the plan uses " + std::to_string(used[e.type]) +
                                    " " + e.type + " devices, more than " +
                                    std::to_string(e.count));
      }
    }
  }
  // One profile per type: --profile-dir (one type), else --profiles-root/TYPE.
  const std::string root =
      o.profiles_root.empty() ? model::ResourceDir() + "/profiles" : o.profiles_root;
  std::deque<perf::DeviceProfile> profiles;  // stable addresses for the simulator and planner
  for (const sched::DeviceBudgetEntry& e : budget) {
    // Without --devices, a type comes from the plan: an error names its first device.
    std::string where = "--devices " + e.type;
    if (o.devices.empty()) {
      for (const sched::PlannedDevice& d : plan->devices) {
        if (d.type == e.type) {
          where =
              "--plan " + o.plan + ": device " + std::to_string(d.id) + " (type '" + e.type + "')";
          break;
        }
      }
    }
    const std::string dir = !o.profile_dir.empty() ? o.profile_dir : root + "/" + e.type;
    if (o.profile_dir.empty() && !std::filesystem::is_directory(dir)) {
      return InvalidArgumentError(where + ": no profile for device type '" + e.type +
                                  "' (looked in " + dir + "; use --profiles-root)");
    }
    auto loaded = perf::DeviceProfile::LoadDir(dir, e.type);
    if (!loaded.ok()) {
      return loaded.status().WithContext(o.profile_dir.empty() ? where : "--profile-dir");
    }
    profiles.push_back(std::move(loaded).value());
  }
  const perf::DeviceProfile& profile = profiles.front();
  std::vector<sched::DevicePool> pools;
  for (size_t i = 0; i < budget.size(); ++i) {
    pools.push_back(sched::DevicePool{&profiles[i], budget[i].count});
  }
  const sched::Fleet fleet(std::move(pools));

  // Apps.
  std::vector<model::AppSpec> apps;
  for (const std::string& path : o.apps) {
    GLET_ASSIGN_OR_RETURN(model::AppSpec app, model::LoadAppSpec(path, nullptr));
    apps.push_back(std::move(app));
  }
  // Streams: --model and --trace first; then a stream for every workload model not named.
  client::ClientWorkload cw;
  for (const std::string& m : o.models) {
    GLET_ASSIGN_OR_RETURN(client::Stream s, client::ParseModelRate(m, dist));
    s.rate_rps *= o.scale;
    cw.streams.push_back(std::move(s));
  }
  for (const std::string& t : o.traces) {
    GLET_ASSIGN_OR_RETURN(client::Stream s, client::ParseTraceArg(t, dist));
    if (o.scale != 1) {
      std::string text = "second,rps\n";
      for (const client::RatePoint& p : s.trace.points()) {
        text += FormatDouble(p.start_s, 0) + "," + FormatDouble(p.rate_rps * o.scale, 6) + "\n";
      }
      GLET_ASSIGN_OR_RETURN(s.trace, client::RateTrace::Parse(text, s.source));
    }
    cw.streams.push_back(std::move(s));
  }
  std::vector<std::string> replay_models;
  std::optional<sim::ArrivalSource> replay;
  if (!o.replay.empty()) {
    auto src = sim::ArrivalSource::FromRequestLog(o.replay, o.duration_s, &replay_models);
    if (!src.ok()) {
      return src.status().WithContext("--replay");
    }
    replay.emplace(std::move(src).value());
  } else {
    std::map<std::string, bool> named;
    for (const client::Stream& s : cw.streams) {
      named[s.model] = true;
    }
    for (const sched::ModelDemand& d : workload.models) {
      if (!named.count(d.model)) {
        client::Stream s;
        s.model = d.model;
        s.rate_rps = d.rate_rps;
        s.dist = dist;
        s.source = "--" + std::string(plan ? "plan" : "rates") + " " + d.model;
        cw.streams.push_back(std::move(s));
      }
    }
  }
  bool time_varying = false;
  for (const client::Stream& s : cw.streams) {
    time_varying |= s.has_trace;
  }
  const bool replan = o.replan == "on" || (o.replan == "auto" && time_varying);

  sched::PlannerOptions popts;
  // Plan when no plan was given: models of --rates and streams at their (peak or initial) rate,
  // apps split by sched::SplitApp.
  if (!plan) {
    std::map<std::string, double> stream_rate;
    for (const client::Stream& s : cw.streams) {
      stream_rate[s.model] +=
          replan ? (s.has_trace ? s.trace.RateAt(0) : s.rate_rps) : PeakRate(s, o.duration_s);
    }
    sched::Workload w;
    for (sched::ModelDemand d : workload.models) {
      if (auto it = stream_rate.find(d.model); it != stream_rate.end()) {
        d.rate_rps = std::max(1.0, it->second);
      }
      Merge(w, d);
    }
    for (const model::AppSpec& app : apps) {
      auto it = stream_rate.find(app.name);
      if (it == stream_rate.end()) {
        return InvalidArgumentError("--app " + app.name + ": no arrivals for it (give --model " +
                                    app.name + ":RATE or --trace " + app.name + "=FILE)");
      }
      if (several) {
        return InvalidArgumentError("--app " + app.name +
                                    ": the SLO split over stages plans one device type (got " +
                                    fleet.ToString() + ")");
      }
      auto split = sched::SplitApp(app, std::max(1.0, it->second), profile, popts);
      if (!split.ok()) {
        return split.status().WithContext("--app " + app.name);
      }
      for (const sched::ModelDemand& d : split->workload.models) {
        Merge(w, d);
      }
    }
    GLET_ASSIGN_OR_RETURN(std::unique_ptr<sched::Planner> planner,
                          sched::MakePlanner(o.policy, popts));
    Result<sched::Plan> made = planner->MakePlan(w, fleet, nullptr);
    if (!made.ok()) {
      return made.status().WithContext("planning (" + o.policy + " on " + fleet.ToString() + ")");
    }
    plan = std::move(made).value();
  }

  // Re-plans over several device types need a policy that plans them: one that plans one type
  // at a time is refused here instead of failing every re-plan.
  if (replan && several) {
    GLET_ASSIGN_OR_RETURN(std::unique_ptr<sched::Planner> planner,
                          sched::MakePlanner(o.policy, popts));
    if (!planner->PlansSeveralTypes()) {
      return fleet.RequireOneType(o.policy).WithContext("re-planning");
    }
  }
  sim::SimInput in;
  for (const perf::DeviceProfile& p : profiles) {
    in.profiles.push_back(&p);
  }
  in.plan = *plan;
  in.apps = apps;
  in.stream_names = replay ? replay_models : std::vector<std::string>{};
  if (!replay) {
    for (const client::Stream& s : cw.streams) {
      in.stream_names.push_back(s.model);
    }
  }
  sim::SimOptions so;
  so.duration_s = o.duration_s;
  so.max_queue_requests = static_cast<size_t>(o.max_queue);
  so.max_batches_in_flight = o.max_batches_in_flight;
  so.interference = !o.no_interference;
  so.work_conserving = !o.no_work_conserving;
  so.shed = !o.no_shed;
  so.keep_records = !o.log.empty();
  so.bin_s = o.bin_s;
  so.replan = replan;
  so.policy = o.policy;
  so.planner_options = popts;
  so.device_budget = budget;
  so.rates.SetEpoch(FromMillis(o.epoch_s * 1000));
  so.cold_start = FromMillis(o.cold_start_ms);
  so.scale_ahead = !o.no_scale_ahead;
  so.overhead.request_ms = o.request_overhead_ms;
  so.overhead.request_ms_per_mib = o.request_overhead_ms_per_mib;
  so.overhead.batch_ms = o.batch_overhead_ms;
  so.overhead.batch_ms_per_mib = o.batch_overhead_ms_per_mib;
  so.overhead.wakeup_ms = o.wakeup_ms;

  const auto wall0 = std::chrono::steady_clock::now();
  sim::ArrivalSource arrivals =
      replay ? std::move(*replay) : sim::ArrivalSource::FromWorkload(cw, o.seed, o.duration_s);
  GLET_ASSIGN_OR_RETURN(sim::SimResult r, sim::Simulate(in, std::move(arrivals), so));
  const double wall_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();

  if (!o.log.empty()) {
    GLET_RETURN_IF_ERROR(
        WriteFileAtomic(o.log, client::FormatRequestLog(r.records)).WithContext("--log"));
  }
  int devices_max = 0;
  for (const sim::TimeBin& b : r.timeline) {
    devices_max = std::max(devices_max, b.devices);
  }
  const client::OutcomeCounts& t = r.report.total;
  Report report;
  report.Add("policy", o.policy);
  report.Add("device_type", type);
  report.Add("seed", static_cast<int64_t>(o.seed));
  report.Add("window_s", r.report.window_s, 3);
  report.Add("sent", t.sent);
  report.Add("served", t.served);
  report.Add("dropped", t.dropped);
  report.Add("failed", t.failed);
  report.Add("served_in_slo", t.served_in_slo);
  report.Add("slo_attainment", t.slo_attainment, 4);
  report.Add("p50_ms", t.p50_ms, 3);
  report.Add("p95_ms", t.p95_ms, 3);
  report.Add("p99_ms", t.p99_ms, 3);
  report.Add("goodput_rps", t.goodput_rps, 3);
  report.Add("dropped_by_reason", client::ReasonCountsText(t.dropped_by_reason));
  report.Add("failed_by_reason", client::ReasonCountsText(t.failed_by_reason));
  report.Add("percentiles", r.exact_percentiles ? "exact" : "histogram");
  report.Add("devices", r.plans.empty() ? 0 : r.plans.front().UsedDevices());
  report.Add("devices_max", devices_max);
  report.Add("replans", static_cast<int64_t>(r.plans.size()) - 1);
  report.Add("replans_failed", r.replans_failed);
  report.Add("replans_degraded", r.replans_degraded);
  report.Add("end_s", r.end_s, 3);
  report.Add("events", r.events);
  report.Add("wall_s", wall_s, 3);
  report.Add("sim_rps", wall_s > 0 ? static_cast<double>(t.sent) / wall_s : 0.0, 0);

  nlohmann::ordered_json j = report.ToJson();
  j["dropped_by_reason"] = t.dropped_by_reason;
  j["failed_by_reason"] = t.failed_by_reason;
  nlohmann::ordered_json models = nlohmann::ordered_json::object();
  for (const auto& [name, c] : r.report.per_model) {
    models[name] = client::OutcomeCountsJson(c);
  }
  j["models"] = models;
  nlohmann::ordered_json devs = nlohmann::ordered_json::array();
  for (const sim::DeviceUsage& u : r.devices) {
    devs.push_back({{"device", u.device},
                    {"glets", u.glets},
                    {"busy_pct", u.busy_pct},
                    {"glet_busy", u.glet_busy}});
  }
  j["device_occupancy"] = devs;
  nlohmann::ordered_json tl = nlohmann::ordered_json::array();
  for (const sim::TimeBin& b : r.timeline) {
    tl.push_back({{"start_s", b.start_s},
                  {"sent", b.sent},
                  {"served_in_slo", b.served_in_slo},
                  {"slo_attainment", b.slo_attainment},
                  {"devices", b.devices}});
  }
  j["timeline"] = tl;
  if (!o.out.empty()) {
    nlohmann::ordered_json full = j;
    full["plan"] = nlohmann::ordered_json::parse(r.plans.front().ToJson().dump());
    GLET_RETURN_IF_ERROR(WriteFileAtomic(o.out, full.dump(2) + "\n").WithContext("--out"));
  }
  if (!o.svg_dir.empty()) {
    GLET_RETURN_IF_ERROR(WriteSvgs(o.svg_dir, r));
  }
  if (o.json) {
    std::cout << j.dump(2) << std::endl;
    return Status::Ok();
  }
  for (const auto& [name, c] : r.report.per_model) {
    report.Add("model." + name,
               "sent " + std::to_string(c.sent) + " served " + std::to_string(c.served) +
                   " dropped " + std::to_string(c.dropped) + " failed " + std::to_string(c.failed) +
                   " slo_ms " + FormatDouble(c.slo_ms, 1) + " slo_attainment " +
                   FormatDouble(c.slo_attainment, 4) + " p50_ms " + FormatDouble(c.p50_ms, 3) +
                   " p99_ms " + FormatDouble(c.p99_ms, 3) + " goodput_rps " +
                   FormatDouble(c.goodput_rps, 3));
  }
  const size_t shown = std::min<size_t>(r.devices.size(), 16);
  for (size_t i = 0; i < shown; ++i) {
    const sim::DeviceUsage& u = r.devices[i];
    report.Add("device." + std::to_string(u.device), std::to_string(u.glets) + " glet(s), busy " +
                                                         FormatDouble(u.busy_pct, 1) +
                                                         "% of the device");
  }
  if (r.devices.size() > shown) {
    report.Add("device.more", std::to_string(r.devices.size() - shown) + " (see --out)");
  }
  report.Print(false);
  return Status::Ok();
}

}  // namespace

void AddSimulateCommand(CLI::App& root, RunSlot& slot) {
  auto o = std::make_shared<SimulateOptions>();
  CLI::App* cmd = root.add_subcommand(
      "simulate",
      "Discrete-event simulation of the serving plane (the frontend's batcher, router, dropper, "
      "rate monitor and re-planner on a simulated clock; glets timed by the latency profile x "
      "the interference model) for a plan or for rates planned on the spot. Reports what "
      "`glet client` reports (served, dropped, SLO attainment, percentiles, goodput), device "
      "occupancy and devices in use over time. See docs/simulator.md.");
  cmd->footer(
      "Examples:\n"
      "  glet simulate --rates resource/rates/scenario1.csv --devices ref-gpu:4 --duration 60\n"
      "  glet schedule --rates r.csv --devices ref-gpu:4 --out plan.json\n"
      "  glet simulate --plan plan.json --duration 30 --seed 7 --out report.json --svg-dir svg\n"
      "  glet simulate --rates r.csv --devices ref-gpu:8 --trace resnet50=trace.csv --replan on\n"
      "  glet simulate --plan plan.json --replay client_log.csv\n"
      "  glet simulate --rates r.csv --devices ref-gpu:2,cpu:1 --replan on\n"
      "Arrivals: every model of the plan/rates gets a stream at its rate (--dist), unless\n"
      "--model NAME:RATE[:DIST] or --trace NAME=FILE[:DIST] names it; same seed, same arrivals\n"
      "as `glet client`. Percentiles are exact with --log, else from a histogram (within 0.2%).");
  cmd->add_option("--plan", o->plan, "plan JSON (from glet schedule --out) to simulate");
  cmd->add_option("--rates", o->rates,
                  "rates CSV model,rate_rps,slo_ms[,max_batch]: planned with --policy on "
                  "--devices first");
  cmd->add_option("--app", o->apps, "app spec (glet or gpu-let JSON) served by name; repeatable");
  cmd->add_option("--model", o->models,
                  "NAME:RATE[:DIST] arrivals for a model or app (overrides its planned rate); "
                  "repeatable");
  cmd->add_option("--trace", o->traces,
                  "NAME=FILE[:DIST] arrivals following a second,rps trace; repeatable");
  cmd->add_option("--replay", o->replay,
                  "replay the sends of a `glet client --log` CSV instead of generating arrivals");
  cmd->add_option("--profile-dir", o->profile_dir,
                  "device profile directory of the one device type (default: "
                  "--profiles-root/TYPE)");
  cmd->add_option("--profiles-root", o->profiles_root,
                  "where device type TYPE finds its profile TYPE/ (default: <resource "
                  "dir>/profiles)");
  cmd->add_option("--devices", o->devices,
                  "device budget TYPE:COUNT[,TYPE:COUNT...], e.g. ref-gpu:4 or ref-gpu:2,cpu:1: "
                  "the fleet of --rates and of re-plans, one pool per type (default with --plan: "
                  "the plan's devices per type); each glet runs with its device type's profile");
  cmd->add_option("--policy", o->policy,
                  "planner for --rates and re-plans: glet | glet-noint | glet-notype | temporal "
                  "| greedy-split | optimal")
      ->capture_default_str();
  cmd->add_option("--dist", o->dist, "gap distribution of generated streams: poisson|uniform")
      ->capture_default_str();
  cmd->add_option("--duration", o->duration_s, "seconds of arrivals")->capture_default_str();
  cmd->add_option("--seed", o->seed, "seed of the arrival schedule")->capture_default_str();
  cmd->add_option("--scale", o->scale,
                  "multiply every rate (--rates, --plan, --model and --trace) by this factor; "
                  "with --plan the plan stays as it is (over- or under-load)")
      ->capture_default_str();
  cmd->add_option("--replan", o->replan,
                  "re-plan at epochs when observed rates move: auto (on when a trace is given) "
                  "| on | off")
      ->capture_default_str();
  cmd->add_option("--epoch", o->epoch_s,
                  "re-plan epoch (s): scale-downs at most once per epoch, after a drop held for 3 "
                  "epochs; scale-ups at most once per epoch / 5")
      ->check(NumberAtLeast(0))
      ->capture_default_str();
  cmd->add_option("--cold-start-ms", o->cold_start_ms,
                  "load time of a new glet's model where the profile has no load.csv row: a "
                  "re-plan that starts new glets takes effect once they are warm (0: at once)")
      ->check(NumberAtLeast(0))
      ->capture_default_str();
  cmd->add_flag("--no-scale-ahead", o->no_scale_ahead,
                "plan a rising model for its rate now, not for its rate once new glets are warm "
                "(the rise extrapolated over the cold start, as the controller does)");
  cmd->add_option("--bin", o->bin_s, "seconds per time-series bin")
      ->check(NumberAtLeast(0.001))
      ->capture_default_str();
  cmd->add_option("--max-queue", o->max_queue, "queue bound per lane (model x glet)")
      ->check(IntAtLeast(1))
      ->capture_default_str();
  cmd->add_option("--max-batches-in-flight", o->max_batches_in_flight,
                  "batches a lane may have sent and not had answered (the frontend's option)")
      ->check(IntAtLeast(1))
      ->capture_default_str();
  cmd->add_flag("--no-work-conserving", o->no_work_conserving,
                "lanes wait for the planned batch or duty cycle even on an idle glet (the serve "
                "config's batching.work_conserving: false)");
  cmd->add_flag("--no-shed", o->no_shed,
                "admit and keep requests that cannot finish in time behind the queue (the serve "
                "config's batching.shed: false)");
  cmd->add_flag("--no-interference", o->no_interference,
                "run glets at their profiled latency (no interference slow-down)");
  cmd->add_option("--request-overhead-ms", o->request_overhead_ms,
                  "serving-plane time per client request (client <-> frontend), added to what "
                  "the client sees; measured per host (docs/simulator.md, Fidelity)")
      ->capture_default_str();
  cmd->add_option("--request-overhead-ms-per-mib", o->request_overhead_ms_per_mib,
                  "added to the request overhead per MiB of the request's input (the profile's "
                  "input shapes)")
      ->capture_default_str();
  cmd->add_option("--batch-overhead-ms", o->batch_overhead_ms,
                  "serving-plane time per batch (frontend -> glet dispatch) before it can run")
      ->capture_default_str();
  cmd->add_option("--batch-overhead-ms-per-mib", o->batch_overhead_ms_per_mib,
                  "added to the batch overhead per MiB of batch input (the profile's input "
                  "shapes)")
      ->capture_default_str();
  cmd->add_option("--wakeup-ms", o->wakeup_ms,
                  "lane wake-up latency: an idle lane decides this long after the arrival or "
                  "timer that wakes it")
      ->capture_default_str();
  cmd->add_option("--out", o->out, "write the full report (JSON, with timeline and plan) here");
  cmd->add_option("--svg-dir", o->svg_dir,
                  "write slo_attainment.svg, devices.svg and plan.svg into this folder");
  cmd->add_option("--log", o->log,
                  "write the per-request CSV (as glet client --log); keeps every record");
  cmd->add_flag("--json", o->json, "print the report as JSON");
  cmd->callback([o, &slot] { slot.run = [o] { return RunSimulate(*o); }; });
}

}  // namespace glet::cli
