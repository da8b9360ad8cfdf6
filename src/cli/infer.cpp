// glet infer: one model on one slice, for checking and timing a device.
#include <memory>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/model_lookup.h"
#include "cli/report.h"
#include "core/clock.h"
#include "core/stats.h"
#include "device/slice_spec.h"
#include "perf/emulation.h"

namespace glet::cli {

namespace {

struct InferOptions {
  std::string model;
  int batch = 1;
  int requests = 20;
  int warmup = 2;
  std::string slice = "cpu:0";
  double interval_ms = 0;
  std::string manifest;
  std::string model_dir;
  uint64_t seed = 1;
  bool json = false;
};

Status RunInfer(const InferOptions& o) {
  GLET_ASSIGN_OR_RETURN(model::ModelManifest manifest, LoadManifestForCli(o.manifest));
  GLET_ASSIGN_OR_RETURN(model::ModelSpec spec, FindModelForCli(manifest, o.model, "--model"));
  auto slice_spec = device::SliceSpec::Parse(o.slice);
  if (!slice_spec.ok()) {
    return slice_spec.status().WithContext("--slice");
  }
  Clock& clock = SystemClock::Get();
  GLET_ASSIGN_OR_RETURN(std::unique_ptr<device::Slice> slice, perf::MakeSlice(*slice_spec, &clock));
  GLET_RETURN_IF_ERROR(slice->Activate());
  GLET_ASSIGN_OR_RETURN(std::unique_ptr<model::Model> loaded,
                        slice->LoadModel(spec, ModelDirOrDefault(o.model_dir)));
  model::Tensor input = model::MakeRandomInput(spec.input, o.batch, o.seed);
  for (int i = 0; i < o.warmup; ++i) {
    GLET_RETURN_IF_ERROR(loaded->Run(input).status());
  }
  std::vector<double> latencies_ms;
  latencies_ms.reserve(o.requests);
  const TimePoint start = clock.Now();
  for (int i = 0; i < o.requests; ++i) {
    if (o.interval_ms > 0) {
      clock.SleepUntil(start + FromMillis(o.interval_ms * i));
    }
    const TimePoint t0 = clock.Now();
    GLET_ASSIGN_OR_RETURN(model::Tensor out, loaded->Run(input));
    latencies_ms.push_back(ToMillis(clock.Now() - t0));
  }
  const double seconds = ToMillis(clock.Now() - start) / 1000.0;
  LatencySummary s = Summarize(latencies_ms);
  Report report;
  report.Add("model", spec.name);
  report.Add("slice", slice_spec->ToString());
  report.Add("partition", slice->partition());
  report.Add("batch", o.batch);
  report.Add("requests", o.requests);
  report.Add("latency_mean_ms", s.mean);
  report.Add("latency_p50_ms", s.p50);
  report.Add("latency_p99_ms", s.p99);
  report.Add("throughput_batches_per_s", seconds > 0 ? o.requests / seconds : 0.0);
  report.Add("throughput_items_per_s", seconds > 0 ? o.requests * o.batch / seconds : 0.0);
  report.Print(o.json);
  return Status::Ok();
}

}  // namespace

void AddInferCommand(CLI::App& root, RunSlot& slot) {
  auto opts = std::make_shared<InferOptions>();
  CLI::App* cmd = root.add_subcommand(
      "infer",
      "Run one model on one slice of a device and print latency (mean/p50/p99) and throughput.\n"
      "Each request is one batch of --batch items with random input. Slices: cpu:CORES "
      "(e.g. cpu:0-1), cuda:GPU:PERCENT (MPS share; needs a CUDA libtorch), "
      "emulated:PROFILE:PERCENT (waits the profiled latency, e.g. emulated:ref-gpu:50).");
  cmd->add_option("--model", opts->model, "model name from the manifest")->required();
  cmd->add_option("--batch", opts->batch, "items per batch")
      ->check(IntAtLeast(1))
      ->capture_default_str();
  cmd->add_option("--requests", opts->requests, "batches to time")
      ->check(IntAtLeast(1))
      ->capture_default_str();
  cmd->add_option("--warmup", opts->warmup, "untimed batches first")
      ->check(IntAtLeast(0))
      ->capture_default_str();
  cmd->add_option("--slice", opts->slice, "cpu:CORES | cuda:GPU:PERCENT | emulated:PROFILE:PERCENT")
      ->capture_default_str();
  cmd->add_option("--interval-ms", opts->interval_ms,
                  "start batches this far apart (0: back to back)")
      ->check(NumberAtLeast(0))
      ->capture_default_str();
  cmd->add_option("--manifest", opts->manifest, "model manifest (default: resource/models.json)");
  cmd->add_option("--model-dir", opts->model_dir,
                  "folder of TorchScript files (default: $GLET_HOME/models)");
  cmd->add_option("--seed", opts->seed, "input seed")->capture_default_str();
  cmd->add_flag("--json", opts->json, "print results as JSON");
  cmd->callback([opts, &slot] { slot.run = [opts] { return RunInfer(*opts); }; });
}

}  // namespace glet::cli
