// glet schedule: the scheduler alone. Rates (CSV or gpu-let task file) + a device budget of one
// or more device types (a profile each) -> a plan (JSON, and the gpu-let ModelList text form),
// checked before it is written; or the fewest devices for the rates (--min-devices; with
// several types, per type, the most expensive first), the largest uniform rate scale that fits a
// budget (--peak), or an independent validation of any plan file (--check).
#include <cstdio>
#include <deque>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/report.h"
#include "core/file_util.h"
#include "core/strings.h"
#include "model/app_spec.h"
#include "model/model_spec.h"
#include "perf/device_profile.h"
#include "sched/app_workload.h"
#include "sched/device_budget.h"
#include "sched/optimal_planner.h"
#include "sched/plan_checker.h"
#include "sched/plan_search.h"
#include "sched/planner_factory.h"
#include "sched/workload.h"

namespace glet::cli {

namespace {

constexpr int kUnboundedDevices = 1000;

struct ScheduleOptions {
  std::string rates;
  std::string tasks;
  std::string model_ids;
  std::string app;
  double app_rate = 0;
  std::string profile_dir;
  std::string profiles_root;
  std::string devices;
  bool devices_given = false;
  std::string policy = "glet";
  std::string partitions = "20,40,50,60,80,100";
  double latency_ratio = 1.0;
  double poisson = 0;
  double burst_miss = sched::SafetyMargins{}.burst_miss;
  bool batch_cost = false;
  double scale = 1.0;
  double max_alpha = 1.5;
  std::string out;
  std::string model_list;
  std::string check;
  bool no_interference_check = false;
  bool json = false;
  bool explain = false;
  bool min_devices = false;
  bool peak = false;
};

std::string ProfilesRoot(const ScheduleOptions& o) {
  return o.profiles_root.empty() ? model::ResourceDir() + "/profiles" : o.profiles_root;
}

Result<perf::DeviceProfile> LoadProfileForType(const ScheduleOptions& o, const std::string& type,
                                               const std::string& flag) {
  if (!o.profile_dir.empty()) {
    auto p = perf::DeviceProfile::LoadDir(o.profile_dir, type);
    if (!p.ok()) {
      return p.status().WithContext("--profile-dir");
    }
    return p;
  }
  const std::string dir = ProfilesRoot(o) + "/" + type;
  if (!std::filesystem::is_directory(dir)) {
    return InvalidArgumentError(flag + ": no profile for device type '" + type + "' (looked in " +
                                dir + "; use --profile-dir)");
  }
  auto p = perf::DeviceProfile::LoadDir(dir, type);
  if (!p.ok()) {
    return p.status().WithContext(flag);
  }
  return p;
}

Result<sched::Workload> LoadWorkload(const ScheduleOptions& o) {
  int given = (!o.rates.empty()) + (!o.tasks.empty()) + (!o.app.empty());
  if (given != 1) {
    return InvalidArgumentError("give exactly one of --rates, --tasks or --app");
  }
  sched::Workload w;
  if (!o.app.empty()) {
    return w;  // planned per stage once the profile is loaded (see RunSchedule)
  }
  if (!o.rates.empty()) {
    GLET_ASSIGN_OR_RETURN(w, sched::LoadRatesCsv(o.rates));
  } else {
    if (o.model_ids.empty()) {
      return InvalidArgumentError(
          "--tasks: needs --model-ids NAME0,NAME1,... (task id i names "
          "the i-th model)");
    }
    std::vector<std::string> ids;
    for (const std::string& s : Split(o.model_ids, ',')) {
      ids.emplace_back(Trim(s));
    }
    GLET_ASSIGN_OR_RETURN(w, sched::LoadTaskFile(o.tasks, ids));
  }
  if (!(o.scale > 0)) {
    return InvalidArgumentError("--scale: must be > 0");
  }
  return w.Scaled(o.scale);
}

Result<sched::PlannerOptions> MakePlannerOptions(const ScheduleOptions& o) {
  sched::PlannerOptions p;
  GLET_ASSIGN_OR_RETURN(std::vector<int64_t> parts, ParseIntList(o.partitions, "--partitions"));
  p.partitions.clear();
  for (int64_t v : parts) {
    if (v < 1 || v > 100) {
      return InvalidArgumentError("--partitions: each must be in 1..100 (got " + std::to_string(v) +
                                  ")");
    }
    p.partitions.push_back(static_cast<int>(v));
  }
  p.margins.latency_ratio = o.latency_ratio;
  p.margins.poisson_quantile = o.poisson;
  p.margins.burst_miss = o.burst_miss;
  p.margins.batch_cost = o.batch_cost;
  if (Status s = p.margins.Validate(); !s.ok()) {
    // The message opens with the field name; name the flag instead.
    std::string msg = s.message();
    for (auto [field, flag] :
         {std::pair{"latency_ratio", "latency-ratio"}, std::pair{"poisson_quantile", "poisson"},
          std::pair{"burst_miss", "burst-miss"}}) {
      if (msg.starts_with(field)) {
        msg = flag + msg.substr(std::string_view(field).size());
      }
    }
    return InvalidArgumentError("--" + msg);
  }
  if (!(o.max_alpha >= 1)) {
    return InvalidArgumentError("--max-alpha: must be >= 1");
  }
  p.max_alpha = o.max_alpha;
  return p;
}

std::string DescribeGlet(const sched::PlannedGlet& g) {
  std::vector<std::string> models;
  for (const sched::PlannedModel& m : g.models) {
    models.push_back(m.model + " b" + std::to_string(m.batch) + " " + FormatDouble(m.rate_rps, 1) +
                     "rps " + FormatDouble(m.expected_latency_ms, 1) + "ms");
  }
  return std::to_string(g.partition) + "% duty " + FormatDouble(g.duty_ms, 2) + "ms [" +
         Join(models, ", ") + "]";
}

void AddPlanLines(Report& report, const sched::Plan& plan) {
  int glets = 0;
  int partition = 0;
  for (const sched::PlannedDevice& d : plan.devices) {
    if (d.glets.empty()) {
      continue;
    }
    std::vector<std::string> parts;
    for (const sched::PlannedGlet& g : d.glets) {
      parts.push_back(DescribeGlet(g));
      ++glets;
      partition += g.partition;
    }
    report.Add("device_" + std::to_string(d.id), d.type + ": " + Join(parts, " | "));
  }
  report.Add("glets", glets);
  report.Add("partition_used_pct", partition);
}

Status WriteOutputs(const ScheduleOptions& o, const sched::Plan& plan) {
  if (!o.out.empty()) {
    GLET_RETURN_IF_ERROR(WriteFileAtomic(o.out, plan.ToJson().dump(2) + "\n").WithContext("--out"));
  }
  if (!o.model_list.empty()) {
    GLET_RETURN_IF_ERROR(
        WriteFileAtomic(o.model_list, plan.ToModelList()).WithContext("--model-list"));
  }
  return Status::Ok();
}

void PrintReport(const ScheduleOptions& o, const Report& report,
                 const std::vector<std::string>& explain, const sched::Plan* plan) {
  if (o.json) {
    nlohmann::ordered_json j = report.ToJson();
    if (o.explain) {
      j["explain"] = explain;
    }
    if (plan != nullptr) {
      j["plan"] = nlohmann::ordered_json::parse(plan->ToJson().dump());
    }
    std::cout << j.dump(2) << std::endl;
    return;
  }
  if (o.explain) {
    for (const std::string& line : explain) {
      std::cout << "explain: " << line << "\n";
    }
  }
  report.Print(false);
}

Status RunCheck(const ScheduleOptions& o) {
  GLET_ASSIGN_OR_RETURN(sched::Plan plan, sched::Plan::Load(o.check));
  std::map<std::string, perf::DeviceProfile> profiles;
  std::map<std::string, const perf::DeviceProfile*> ptrs;
  for (const sched::PlannedDevice& d : plan.devices) {
    if (profiles.count(d.type)) {
      continue;
    }
    auto p = LoadProfileForType(o, d.type, "--check");
    if (!p.ok()) {
      if (o.profile_dir.empty()) {
        return p.status();
      }
      return p.status();
    }
    if (!o.profile_dir.empty() && p->type != d.type) {
      return InvalidArgumentError("--check: " + o.check + " uses device type '" + d.type +
                                  "' but --profile-dir is for '" + p->type + "'");
    }
    profiles.emplace(d.type, std::move(p).value());
  }
  for (const auto& [type, p] : profiles) {
    ptrs[type] = &p;
  }
  sched::PlanChecker checker(ptrs, !o.no_interference_check);
  sched::CheckReport r = checker.Check(plan);
  Report report;
  report.Add("plan", o.check);
  report.Add("valid", r.ok() ? "true" : "false");
  report.Add("devices", plan.UsedDevices());
  report.Add("violations", static_cast<int>(r.violations.size()));
  for (size_t i = 0; i < r.violations.size(); ++i) {
    report.Add("violation_" + std::to_string(i + 1), r.violations[i]);
  }
  PrintReport(o, report, {}, nullptr);
  if (!r.ok()) {
    return FailedPreconditionError(
        o.check + ": invalid plan: " + r.violations.front() +
        (r.violations.size() > 1 ? " (and " + std::to_string(r.violations.size() - 1) + " more)"
                                 : ""));
  }
  return Status::Ok();
}

Status RunSchedule(const ScheduleOptions& o) {
  if (!o.check.empty()) {
    return RunCheck(o);
  }
  if (o.min_devices && o.peak) {
    return InvalidArgumentError("--min-devices and --peak: give at most one");
  }
  GLET_ASSIGN_OR_RETURN(sched::Workload workload, LoadWorkload(o));
  GLET_ASSIGN_OR_RETURN(sched::PlannerOptions popts, MakePlannerOptions(o));
  GLET_ASSIGN_OR_RETURN(std::unique_ptr<sched::Planner> planner,
                        sched::MakePlanner(o.policy, popts));
  // Device budget and profiles: one pool per device type.
  std::vector<sched::DeviceBudgetEntry> entries;
  if (o.devices_given) {
    GLET_ASSIGN_OR_RETURN(sched::DeviceBudget budget, sched::DeviceBudget::Parse(o.devices));
    entries = budget.entries;
    if (entries.size() > 1 && !o.profile_dir.empty()) {
      return InvalidArgumentError(
          "--profile-dir: names the profile of one device type, but --devices has several (" +
          budget.ToString() + "); their profiles come from --profiles-root/<type>");
    }
  } else if (o.profile_dir.empty()) {
    return InvalidArgumentError("give --devices TYPE:COUNT[,TYPE:COUNT...] or --profile-dir DIR");
  } else if (o.peak) {
    return InvalidArgumentError("--peak: needs a budget (--devices TYPE:COUNT)");
  }
  if (entries.empty()) {
    entries.push_back(sched::DeviceBudgetEntry{
        std::filesystem::path(o.profile_dir).lexically_normal().filename().string(),
        kUnboundedDevices});
  }
  std::deque<perf::DeviceProfile> profiles;  // stable addresses for the fleet
  sched::Fleet fleet;
  for (const sched::DeviceBudgetEntry& e : entries) {
    GLET_ASSIGN_OR_RETURN(perf::DeviceProfile p, LoadProfileForType(o, e.type, "--devices"));
    profiles.push_back(std::move(p));
    fleet.pools.push_back(sched::DevicePool{&profiles.back(), e.count});
  }
  const bool several = !fleet.single_type();
  const perf::DeviceProfile& profile = profiles.front();
  std::vector<std::string> app_lines;
  if (!o.app.empty()) {
    if (several) {
      return InvalidArgumentError("--app: the SLO split over stages plans one device type (got " +
                                  fleet.ToString() + ")");
    }
    GLET_ASSIGN_OR_RETURN(model::AppSpec app, model::LoadAppSpec(o.app, nullptr));
    auto split = sched::SplitApp(app, o.app_rate * o.scale, profile, popts);
    if (!split.ok()) {
      return split.status().WithContext("--app " + o.app);
    }
    workload = split->workload;
    for (const sched::StageBudget& b : split->stages) {
      app_lines.push_back(b.stage + ": " + b.model + " level " + std::to_string(b.level) + ", " +
                          FormatDouble(b.rate_rps, 1) + " rps, budget " +
                          FormatDouble(b.slo_ms, 2) + " ms");
    }
  }
  sched::PlanChecker checker(fleet.Profiles(), /*interference=*/true);

  Report report;
  report.Add("policy", planner->name());
  for (size_t i = 0; i < app_lines.size(); ++i) {
    report.Add("stage_" + std::to_string(i), app_lines[i]);
  }
  std::vector<std::string> explain;
  sched::Plan plan;
  if (o.peak) {
    sched::PeakResult peak;
    if (auto* optimal = dynamic_cast<const sched::OptimalPlanner*>(planner.get())) {
      GLET_ASSIGN_OR_RETURN(auto exact, optimal->PeakScale(workload, fleet));
      peak = sched::PeakResult{exact.first, std::move(exact.second)};
    } else {
      GLET_ASSIGN_OR_RETURN(peak, sched::FindPeakScale(*planner, workload, fleet));
    }
    plan = std::move(peak.plan);
    report.Add("budget", fleet.ToString());
    report.Add("peak_scale", peak.scale, 4);
    report.Add("peak_rps", workload.TotalRateRps() * peak.scale, 1);
    for (const sched::ModelDemand& d : workload.models) {
      report.Add("peak_rps_" + d.model, d.rate_rps * peak.scale, 1);
    }
    if (o.explain) {
      (void)planner->MakePlan(workload.Scaled(peak.scale), fleet, &explain);
    }
  } else if (o.min_devices) {
    GLET_ASSIGN_OR_RETURN(sched::MinDevicesResult min,
                          sched::FindMinDevices(*planner, workload, fleet));
    plan = std::move(min.plan);
    if (o.explain) {
      (void)planner->MakePlan(workload, fleet.WithCounts(min.per_pool), &explain);
    }
  } else {
    Result<sched::Plan> r = planner->MakePlan(workload, fleet, o.explain ? &explain : nullptr);
    if (!r.ok()) {
      if (o.explain) {
        for (const std::string& line : explain) {
          std::cerr << "explain: " << line << "\n";
        }
      }
      return r.status();
    }
    plan = std::move(r).value();
  }
  sched::CheckReport check = checker.Check(plan);
  report.Add("devices", plan.UsedDevices());
  report.Add("rate_rps", plan.workload.empty() ? 0.0 : [&] {
    double s = 0;
    for (const auto& d : plan.workload) {
      s += d.rate_rps;
    }
    return s;
  }(), 1);
  if (several) {
    const std::vector<int> used = fleet.UsedPerPool(plan);
    if (!o.peak) {
      report.Add("budget", fleet.ToString());
    }
    report.Add("devices_by_type", fleet.Describe(used));
    report.Add("cost", fleet.Cost(used), 2);
  }
  report.Add("valid", check.ok() ? "true" : "false");
  if (!check.ok()) {
    report.Add("violations", static_cast<int>(check.violations.size()));
    report.Add("violation_1", check.violations.front());
  }
  AddPlanLines(report, plan);
  GLET_RETURN_IF_ERROR(WriteOutputs(o, plan));
  if (!o.out.empty()) {
    report.Add("out", o.out);
  }
  if (!o.model_list.empty()) {
    report.Add("model_list", o.model_list);
  }
  PrintReport(o, report, explain, o.json ? &plan : nullptr);
  return Status::Ok();
}

}  // namespace

void AddScheduleCommand(CLI::App& root, RunSlot& slot) {
  auto opts = std::make_shared<ScheduleOptions>();
  CLI::App* cmd = root.add_subcommand(
      "schedule",
      "Plan devices, glets (device partitions), batches and duty cycles so that every model's "
      "request rate is served within its SLO (see docs/scheduler.md). Prints `devices: N`; "
      "--peak prints `peak_scale`/`peak_rps`; --check validates a plan file. Exit 2 on bad "
      "input, 1 when the rates do not fit the budget or a checked plan is invalid.");
  cmd->add_option("--rates", opts->rates, "rates CSV: model,rate_rps,slo_ms[,max_batch]");
  cmd->add_option("--tasks", opts->tasks, "gpu-let task file: N, then N lines id,rate,slo,");
  cmd->add_option("--app", opts->app,
                  "application DAG (glet or gpu-let app JSON): its end-to-end SLO is split over "
                  "its stages and rates propagate from --app-rate");
  cmd->add_option("--app-rate", opts->app_rate, "with --app: requests per second entering the app");
  cmd->add_option("--model-ids", opts->model_ids,
                  "with --tasks: comma-separated model names, task id i = the i-th");
  cmd->add_option("--profile-dir", opts->profile_dir,
                  "device profile directory (latency.csv, interference.csv, util.csv, "
                  "mem-config.json, device.json)");
  cmd->add_option("--profiles-root", opts->profiles_root,
                  "where --devices TYPE finds TYPE/ (default: <resource dir>/profiles)");
  cmd->add_option("--devices", opts->devices,
                  "device budget TYPE:COUNT[,TYPE:COUNT...], e.g. ref-gpu:4 or ref-gpu:2,cpu:1 "
                  "(several types: each model goes first to the type where it costs least, "
                  "`cost` in the type's device.json, default 1; default with --profile-dir: as "
                  "many devices as needed)");
  cmd->add_option("--policy", opts->policy,
                  "glet | glet-noint | glet-notype | temporal | greedy-split | optimal | gpulet "
                  "(the gpu-let ATC'22 heuristic, the baseline)")
      ->capture_default_str();
  cmd->add_option("--partitions", opts->partitions, "allowed glet sizes, percent")
      ->capture_default_str();
  cmd->add_option("--latency-ratio", opts->latency_ratio,
                  "safety margin: multiply every profiled latency (>= 1)")
      ->capture_default_str();
  cmd->add_option("--poisson", opts->poisson,
                  "safety margin: size batches for this quantile of Poisson arrivals per cycle "
                  "(gpu-let's rate inflation; 0 = off; e.g. 0.99)")
      ->capture_default_str();
  cmd->add_option("--burst-miss", opts->burst_miss,
                  "safety margin, the queueing model: plan each glet so that a bound on the "
                  "fraction of its requests that queue behind Poisson bursts past their SLO is at "
                  "most this (0 = off: plan for the mean rate, which leaves saturated glets no "
                  "room for bursts)")
      ->capture_default_str();
  cmd->add_flag("--batch-cost", opts->batch_cost,
                "safety margin: add the host-side batch assembly cost (<shape>.txt)");
  cmd->add_option("--scale", opts->scale, "multiply every rate by this factor")
      ->capture_default_str();
  cmd->add_option("--max-alpha", opts->max_alpha,
                  "largest interference slow-down a shared glet may be sized for")
      ->capture_default_str();
  cmd->add_option("--out", opts->out, "write the plan JSON here");
  cmd->add_option("--model-list", opts->model_list,
                  "write the gpu-let ModelList text form here (gpu,partition,dedup,model,batch,"
                  "duty_ms)");
  cmd->add_option("--check", opts->check,
                  "validate this plan JSON against the profiles instead of planning");
  cmd->add_flag("--no-interference-check", opts->no_interference_check,
                "with --check: ignore interference slow-downs");
  cmd->add_flag("--min-devices", opts->min_devices,
                "find the fewest devices that serve the rates (within --devices if given; "
                "with several types, lowered per type, the most expensive type first; prints "
                "devices_by_type and cost)");
  cmd->add_flag("--peak", opts->peak,
                "find the largest uniform rate scale that fits the --devices budget");
  cmd->add_flag("--explain", opts->explain, "print why each decision was taken");
  cmd->add_flag("--json", opts->json, "print the results (and the plan) as JSON");
  cmd->callback([opts, cmd, &slot] {
    opts->devices_given = cmd->count("--devices") > 0;
    slot.run = [opts] { return RunSchedule(*opts); };
  });
}

}  // namespace glet::cli
