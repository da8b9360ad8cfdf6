// glet profile: measures latency per model x batch x slice and writes the profile CSV the
// scheduler reads (model,partition,batch,latency_ms).
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/model_lookup.h"
#include "cli/report.h"
#include "core/clock.h"
#include "core/file_util.h"
#include "core/strings.h"
#include "device/slice_spec.h"
#include "perf/emulation.h"
#include "perf/profiler.h"

namespace glet::cli {

namespace {

struct ProfileOptions {
  std::string models;
  std::string batches = "1,2,4,8,16,32";
  std::vector<std::string> slices = {"cpu:0"};
  std::string out;
  std::string load_out;
  int warmup = 2;
  int repeats = 5;
  std::string manifest;
  std::string model_dir;
  bool json = false;
};

void PrintProgress(const std::string& slice, const perf::ProfileProgress& p) {
  static const bool tty = isatty(fileno(stderr)) != 0;
  char line[256];
  std::snprintf(line, sizeof(line), "[%3d/%3d] %-14s b=%-3d %-16s %10.3f ms%s", p.done, p.total,
                p.row->model.c_str(), p.row->batch, slice.c_str(), p.row->latency_ms,
                p.skipped ? " (already measured)" : "");
  if (tty) {
    std::fprintf(stderr, "\r%s\033[K%s", line, p.done == p.total ? "\n" : "");
  } else {
    std::fprintf(stderr, "%s\n", line);
  }
  std::fflush(stderr);
}

Status RunProfile(const ProfileOptions& o) {
  GLET_ASSIGN_OR_RETURN(model::ModelManifest manifest, LoadManifestForCli(o.manifest));
  perf::ProfileRequest request;
  for (const std::string& name : Split(o.models, ',')) {
    GLET_ASSIGN_OR_RETURN(model::ModelSpec spec, FindModelForCli(manifest, name, "--models"));
    request.models.push_back(std::move(spec));
  }
  GLET_ASSIGN_OR_RETURN(std::vector<int64_t> batches, ParseIntList(o.batches, "--batches"));
  for (int64_t b : batches) {
    if (b < 1 || b > 4096) {
      return InvalidArgumentError("--batches: each batch must be in 1..4096 (got " +
                                  std::to_string(b) + ")");
    }
    request.batches.push_back(static_cast<int>(b));
  }
  std::vector<device::SliceSpec> slice_specs;
  for (const std::string& text : o.slices) {
    auto spec = device::SliceSpec::Parse(text);
    if (!spec.ok()) {
      return spec.status().WithContext("--slices");
    }
    slice_specs.push_back(*spec);
  }
  request.warmup = o.warmup;
  request.repeats = o.repeats;
  request.model_dir = ModelDirOrDefault(o.model_dir);
  request.out_path = o.out;
  request.load_out_path = o.load_out;
  const std::string parent = std::filesystem::path(o.out).parent_path().string();
  if (!parent.empty()) {
    GLET_RETURN_IF_ERROR(CreateDirectories(parent).WithContext("--out"));
  }
  if (const std::string load_parent = std::filesystem::path(o.load_out).parent_path().string();
      !o.load_out.empty() && !load_parent.empty()) {
    GLET_RETURN_IF_ERROR(CreateDirectories(load_parent).WithContext("--load-out"));
  }
  Clock& clock = SystemClock::Get();
  perf::ProfileResult total;
  for (const device::SliceSpec& spec : slice_specs) {
    GLET_ASSIGN_OR_RETURN(std::unique_ptr<device::Slice> slice, perf::MakeSlice(spec, &clock));
    GLET_RETURN_IF_ERROR(slice->Activate());
    const std::string name = spec.ToString();
    GLET_ASSIGN_OR_RETURN(
        perf::ProfileResult r,
        perf::ProfileSlice(*slice, request, clock,
                           [&name](const perf::ProfileProgress& p) { PrintProgress(name, p); }));
    total.measured += r.measured;
    total.skipped += r.skipped;
    total.loads_measured += r.loads_measured;
  }
  Report report;
  report.Add("rows_measured", total.measured);
  report.Add("rows_skipped", total.skipped);
  report.Add("out", o.out);
  if (!o.load_out.empty()) {
    report.Add("loads_measured", total.loads_measured);
    report.Add("load_out", o.load_out);
  }
  report.Print(o.json);
  return Status::Ok();
}

}  // namespace

void AddProfileCommand(CLI::App& root, RunSlot& slot) {
  auto opts = std::make_shared<ProfileOptions>();
  CLI::App* cmd = root.add_subcommand(
      "profile",
      "Measure the median latency of each model x batch x slice and append it to a profile CSV "
      "(model,partition,batch,latency_ms), the scheduler's input. Rows already in --out are "
      "skipped, so an interrupted run resumes. On CPU slices, partition = the slice's cores as a "
      "percent of the cores this process may use.");
  cmd->add_option("--models", opts->models, "comma-separated model names")->required();
  cmd->add_option("--batches", opts->batches, "comma-separated batch sizes")->capture_default_str();
  cmd->add_option("--slices", opts->slices,
                  "one or more slices (space-separated): cpu:CORES | cuda:GPU:PERCENT | "
                  "emulated:PROFILE:PERCENT")
      ->capture_default_str();
  cmd->add_option("--out", opts->out, "profile CSV to write or resume")->required();
  cmd->add_option("--load-out", opts->load_out,
                  "also measure each model's cold start (load, then a first batch of 1) once, on "
                  "the first slice, into this CSV (model,load_ms: a profile's load.csv); models "
                  "already in it are skipped");
  cmd->add_option("--warmup", opts->warmup, "untimed runs per row")
      ->check(IntAtLeast(0))
      ->capture_default_str();
  cmd->add_option("--repeats", opts->repeats, "timed runs per row (median kept)")
      ->check(IntAtLeast(1))
      ->capture_default_str();
  cmd->add_option("--manifest", opts->manifest, "model manifest (default: resource/models.json)");
  cmd->add_option("--model-dir", opts->model_dir,
                  "folder of TorchScript files (default: $GLET_HOME/models)");
  cmd->add_flag("--json", opts->json, "print the summary as JSON");
  cmd->callback([opts, &slot] { slot.run = [opts] { return RunProfile(*opts); }; });
}

}  // namespace glet::cli
