// glet dag: places partitioned DNNs (task DAGs) on heterogeneous processors with HEFT, CPOP,
// PEFT or PSO-GA, and reports the schedule, makespan, SLR and speedup (library: src/dag/).
#include <chrono>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "cli/command.h"
#include "core/file_util.h"
#include "core/json_reader.h"
#include "core/strings.h"
#include "dag/algorithms.h"
#include "dag/dag_csv.h"
#include "dag/dag_json.h"
#include "dag/device_table.h"
#include "dag/gantt_svg.h"
#include "dag/layer_partition.h"
#include "dag/metrics.h"
#include "dag/problem.h"
#include "dag/schedule_json.h"

namespace glet::cli {

namespace {

struct DagOptions {
  std::vector<std::string> dag_files;
  std::vector<std::string> csv_prefixes;
  std::vector<std::string> layer_files;
  std::string devices;
  int pieces = 4;
  std::string algo = "heft";
  uint64_t seed = 1;
  int particles = 50;
  int iterations = 200;
  bool psoga_seed_heft = false;
  double start_time = 0;
  std::string start_after;
  std::string out;
  std::string svg;
  std::string emit_dag;
  bool json = false;
  int show_tasks = 50;
};

// Numbers for people: integers without decimals, others with up to 4.
std::string Num(double v) {
  std::string s = FormatDouble(v, 4);
  if (s.find('.') != std::string::npos) {
    while (s.back() == '0') {
      s.pop_back();
    }
    if (s.back() == '.') {
      s.pop_back();
    }
  }
  return s == "-0" ? "0" : s;
}

Result<dag::Problem> LoadProblem(const DagOptions& o) {
  std::vector<dag::Problem> parts;
  for (const std::string& f : o.dag_files) {
    GLET_ASSIGN_OR_RETURN(dag::Problem p, dag::LoadDagJson(f));
    parts.push_back(std::move(p));
  }
  for (const std::string& prefix : o.csv_prefixes) {
    GLET_ASSIGN_OR_RETURN(dag::Problem p, dag::LoadDagCsv(prefix));
    parts.push_back(std::move(p));
  }
  if (!o.layer_files.empty()) {
    if (o.devices.empty()) {
      return InvalidArgumentError("--layers needs --devices (the device speed table)");
    }
    GLET_ASSIGN_OR_RETURN(dag::DeviceTable devices, dag::LoadDeviceTable(o.devices));
    for (const std::string& f : o.layer_files) {
      GLET_ASSIGN_OR_RETURN(dag::ModelLayers model, dag::LoadModelLayers(f));
      GLET_ASSIGN_OR_RETURN(dag::Problem p, dag::PartitionLayers(model, devices, o.pieces));
      parts.push_back(std::move(p));
    }
  } else if (!o.devices.empty()) {
    return InvalidArgumentError("--devices is only used with --layers");
  }
  if (parts.empty()) {
    return InvalidArgumentError("no DAG given: use --dag FILE, --csv PREFIX or --layers FILE");
  }
  return dag::MergeProblems(std::move(parts));
}

struct Outcome {
  std::string algorithm;
  dag::Schedule schedule;
  double slr = 0;
  double speedup = 0;
  double wall_ms = 0;
};

void PrintSchedule(const dag::Problem& problem, const dag::Schedule& s, int limit) {
  const int n = problem.dag.num_tasks();
  if (n > limit) {
    std::cout << "schedule: " << n << " tasks (use --out FILE for all of them)\n";
    return;
  }
  size_t width = 4;
  for (const dag::Task& t : problem.dag.tasks()) {
    width = std::max(width, t.name.size());
  }
  size_t pwidth = 9;
  for (const std::string& name : problem.platform.names()) {
    pwidth = std::max(pwidth, name.size());
  }
  auto pad = [](std::string s, size_t w) {
    s.resize(std::max(s.size(), w), ' ');
    return s;
  };
  std::cout << "schedule:\n  " << pad("task", width) << "  " << pad("processor", pwidth)
            << "  start       finish\n";
  for (int t = 0; t < n; ++t) {
    const dag::Placement& p = s.placements[t];
    std::cout << "  " << pad(problem.dag.task(t).name, width) << "  "
              << pad(problem.platform.names()[p.processor], pwidth) << "  " << pad(Num(p.start), 10)
              << "  " << Num(p.finish) << "\n";
  }
}

Status RunDag(const DagOptions& o) {
  GLET_ASSIGN_OR_RETURN(dag::Problem problem, LoadProblem(o));
  if (!o.emit_dag.empty()) {
    GLET_RETURN_IF_ERROR(WriteFileAtomic(o.emit_dag, dag::DagToJson(problem).dump(2) + "\n")
                             .WithContext("--emit-dag"));
  }
  if (o.start_time < 0) {
    return InvalidArgumentError("--start-time: must be >= 0 (got " + Num(o.start_time) + ")");
  }
  dag::ScheduleContext context;
  context.start_time = o.start_time;
  if (!o.start_after.empty()) {
    GLET_ASSIGN_OR_RETURN(context,
                          dag::LoadScheduleContext(o.start_after, problem.platform, o.start_time));
  }
  dag::PsoGaOptions psoga;
  psoga.seed = o.seed;
  psoga.particles = o.particles;
  psoga.iterations = o.iterations;
  psoga.seed_with_heft = o.psoga_seed_heft;

  std::vector<std::string> names;
  if (o.algo == "all") {
    names = dag::AlgorithmNames();
  } else {
    names.push_back(o.algo);
  }
  std::vector<Outcome> outcomes;
  for (const std::string& name : names) {
    GLET_ASSIGN_OR_RETURN(std::unique_ptr<dag::DagScheduler> scheduler,
                          dag::MakeScheduler(name, psoga));
    // Wall time is reported for people only; nothing depends on it.
    auto t0 = std::chrono::steady_clock::now();
    auto schedule = scheduler->Run(problem, context);
    auto t1 = std::chrono::steady_clock::now();
    if (!schedule.ok()) {
      return schedule.status().WithContext(o.start_after.empty() ? name : o.start_after);
    }
    GLET_RETURN_IF_ERROR(dag::CheckSchedule(problem, context, *schedule).WithContext(name));
    Outcome out{name, std::move(schedule).value()};
    out.slr = dag::ScheduleLengthRatio(problem, out.schedule);
    out.speedup = dag::Speedup(problem, out.schedule);
    out.wall_ms = std::chrono::duration<double, std::milli>(t1 - t0).count();
    outcomes.push_back(std::move(out));
  }
  size_t best = 0;
  for (size_t i = 1; i < outcomes.size(); ++i) {
    if (outcomes[i].schedule.makespan() < outcomes[best].schedule.makespan()) {
      best = i;
    }
  }
  const Outcome& chosen = outcomes[best];
  if (!o.out.empty()) {
    GLET_RETURN_IF_ERROR(
        WriteFileAtomic(o.out, dag::ScheduleToJson(problem, chosen.schedule).dump(2) + "\n")
            .WithContext("--out"));
  }
  if (!o.svg.empty()) {
    GLET_RETURN_IF_ERROR(
        WriteFileAtomic(o.svg, dag::RenderGanttSvg(problem, chosen.schedule, context))
            .WithContext("--svg"));
  }

  if (o.json) {
    nlohmann::ordered_json doc;
    doc["dag"] = problem.name;
    doc["tasks"] = problem.dag.num_tasks();
    doc["edges"] = problem.dag.num_edges();
    doc["processors"] = problem.platform.num_processors();
    doc["algorithm"] = chosen.algorithm;
    doc["makespan"] = chosen.schedule.makespan();
    doc["slr"] = chosen.slr;
    doc["speedup"] = chosen.speedup;
    doc["start_time"] = chosen.schedule.start_time;
    doc["end_time"] = chosen.schedule.end_time();
    if (names.size() > 1) {
      nlohmann::ordered_json rows = nlohmann::ordered_json::array();
      for (const Outcome& out : outcomes) {
        rows.push_back({{"algorithm", out.algorithm},
                        {"makespan", out.schedule.makespan()},
                        {"slr", out.slr},
                        {"speedup", out.speedup},
                        {"time_ms", out.wall_ms}});
      }
      doc["comparison"] = rows;
    }
    doc["seed"] = o.seed;
    doc["schedule"] = dag::ScheduleToJson(problem, chosen.schedule)["tasks"];
    std::cout << doc.dump(2) << std::endl;
    return Status::Ok();
  }
  std::cout << "dag: " << problem.name << "\n"
            << "tasks: " << problem.dag.num_tasks() << "\n"
            << "edges: " << problem.dag.num_edges() << "\n"
            << "processors: " << problem.platform.num_processors() << "\n";
  if (names.size() > 1) {
    std::cout << "algorithm  makespan      slr       speedup   time_ms\n";
    for (const Outcome& out : outcomes) {
      std::string cols[] = {out.algorithm, Num(out.schedule.makespan()), Num(out.slr),
                            Num(out.speedup), Num(out.wall_ms)};
      const size_t widths[] = {11, 14, 10, 10, 0};
      for (int c = 0; c < 5; ++c) {
        cols[c].resize(std::max(cols[c].size(), widths[c]), ' ');
        std::cout << cols[c];
      }
      std::cout << "\n";
    }
  }
  std::cout << "algorithm: " << chosen.algorithm << "\n";
  if (chosen.algorithm == "psoga") {
    std::cout << "seed: " << o.seed << "\n";
  }
  std::cout << "makespan: " << Num(chosen.schedule.makespan()) << "\n"
            << "slr: " << Num(chosen.slr) << "\n"
            << "speedup: " << Num(chosen.speedup) << "\n";
  if (chosen.schedule.start_time != 0 || !o.start_after.empty()) {
    std::cout << "start_time: " << Num(chosen.schedule.start_time) << "\n"
              << "end_time: " << Num(chosen.schedule.end_time()) << "\n";
  }
  PrintSchedule(problem, chosen.schedule, o.show_tasks);
  if (!o.out.empty()) {
    std::cout << "out: " << o.out << "\n";
  }
  if (!o.svg.empty()) {
    std::cout << "svg: " << o.svg << "\n";
  }
  std::cout << std::flush;
  return Status::Ok();
}

}  // namespace

void AddDagCommand(CLI::App& root, RunSlot& slot) {
  auto opts = std::make_shared<DagOptions>();
  CLI::App* cmd = root.add_subcommand(
      "dag",
      "Place task DAGs (partitioned DNNs) on heterogeneous processors and report the schedule.\n"
      "Algorithms: HEFT (Topcuoglu et al. 2002: upward rank, insertion-based earliest finish),\n"
      "CPOP (same paper: critical path on one processor), PEFT (Arabnejad & Barbosa 2014:\n"
      "optimistic cost table), PSO-GA (particle swarm with genetic crossover/mutation; seeded).\n"
      "Communication: an edge with data D from processor p to q takes\n"
      "  0 if p == q, else startup[p] + D / bandwidth[p][q].\n"
      "Costs of inf (CSV) or null/\"inf\" (JSON) mark a processor that cannot run a task.\n"
      "Prints `makespan:`, `slr:`, `speedup:` (and a table with --algo all). Several --dag /\n"
      "--csv / --layers inputs are placed together as one DAG. Formats: docs/dag.md.\n"
      "Example: glet dag --csv resource/dag/heft_paper --algo all --svg gantt.svg");
  cmd->add_option("--dag", opts->dag_files, "DAG as JSON (repeatable)")->type_name("FILE");
  cmd->add_option("--csv", opts->csv_prefixes,
                  "CSV trio PREFIX_task_connectivity.csv, PREFIX_task_exe_time.csv, "
                  "PREFIX_resource_BW.csv (repeatable)")
      ->type_name("PREFIX");
  cmd->add_option("--layers", opts->layer_files,
                  "DNN layer spec JSON (conv/pool/fc) to cut into pieces (repeatable; needs "
                  "--devices)")
      ->type_name("FILE");
  cmd->add_option("--devices", opts->devices,
                  "device table for --layers: processors, device-class speeds (GFLOP/s), "
                  "bandwidth (MB/s), startup (ms)")
      ->type_name("FILE");
  cmd->add_option("--pieces", opts->pieces, "pieces per layer for --layers (split by output rows)")
      ->capture_default_str();
  cmd->add_option("--algo", opts->algo, "heft | cpop | peft | psoga | all")->capture_default_str();
  cmd->add_option("--seed", opts->seed, "PSO-GA random seed (same seed, same schedule)")
      ->capture_default_str();
  cmd->add_option("--particles", opts->particles, "PSO-GA swarm size")->capture_default_str();
  cmd->add_option("--iterations", opts->iterations, "PSO-GA iterations")->capture_default_str();
  cmd->add_flag("--psoga-seed-heft", opts->psoga_seed_heft,
                "start one PSO-GA particle from HEFT's placement (never worse than HEFT)");
  cmd->add_option("--start-time", opts->start_time, "no task starts before this time")
      ->capture_default_str();
  cmd->add_option("--start-after", opts->start_after,
                  "schedule JSON (from --out) whose tasks keep their processors busy; the new "
                  "DAG fills the gaps around them")
      ->type_name("FILE");
  cmd->add_option("--out", opts->out, "write the schedule as JSON (with --algo all: the best)")
      ->type_name("FILE");
  cmd->add_option("--svg", opts->svg, "write a Gantt chart as SVG (with --algo all: the best)")
      ->type_name("FILE");
  cmd->add_option("--emit-dag", opts->emit_dag, "write the (merged or partitioned) DAG as JSON")
      ->type_name("FILE");
  cmd->add_option("--show-tasks", opts->show_tasks,
                  "print the per-task schedule when there are at most this many tasks")
      ->capture_default_str();
  cmd->add_flag("--json", opts->json, "print the results as JSON");
  cmd->callback([opts, &slot] { slot.run = [opts] { return RunDag(*opts); }; });
}

}  // namespace glet::cli
