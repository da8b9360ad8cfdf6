// Slice: one glet's share of a device, and the factory for the models that run on it.
// Kinds (slice_spec.h): cpu (cpu_slice.h), cuda-mps (cuda_mps_slice.h), emulated
// (emulated_slice.h). A process executes on at most one slice, as in gpu-let's one proxy per
// glet: Activate() prepares the calling process (pinning, thread pool, environment) and is called
// once before LoadModel().
//
// Thread safety: not thread-safe; owned by the one process/thread that runs the glet.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "device/slice_spec.h"
#include "model/model.h"
#include "model/model_spec.h"

namespace glet::device {

// Latency of (model, partition percent, batch) in ms; the emulated slice's timing source. Higher
// layers wire it to a perf::LatencyProfile. Errors (kNotFound) pass through to Run().
using LatencyFn = std::function<Result<double>(const std::string& model, int partition, int batch)>;
// Slow-down factor (>= 1) for a batch of `model` of size `batch` on this slice, from
// interference with the device's other glets. Default: none (1.0).
using InterferenceFn = std::function<double(const std::string& model, int batch)>;

struct SliceOptions {
  Clock* clock = nullptr;       // emulated: the clock to wait on; null = SystemClock. Not owned.
  LatencyFn latency;            // emulated: required
  InterferenceFn interference;  // emulated: optional
};

class Slice {
 public:
  virtual ~Slice() = default;
  const SliceSpec& spec() const { return spec_; }
  // Percent of its device this slice holds (cpu: its cores over the cores this process may use).
  virtual int partition() const = 0;
  // Prepares the calling process to execute on this slice. kInvalidArgument if the slice names
  // cores or devices this machine does not have; kFailedPrecondition if the runtime lacks
  // support (cuda without a CUDA libtorch).
  virtual Status Activate() = 0;
  // Prepares the calling thread, after Activate(), to be the one that runs this slice's batches
  // (CPU: pins it to the cores and sizes torch's intra-op pool, which OpenMP keeps per thread).
  virtual Status PrepareThread() { return Status::Ok(); }
  // Environment a child process for this slice must be started with (cuda-mps: the MPS share
  // and visible device).
  virtual std::vector<std::pair<std::string, std::string>> ProcessEnv() const { return {}; }
  // Loads `spec` for this slice. `model_dir` is where TorchScript files live.
  virtual Result<std::unique_ptr<model::Model>> LoadModel(const model::ModelSpec& spec,
                                                          const std::string& model_dir) = 0;

 protected:
  explicit Slice(SliceSpec spec) : spec_(std::move(spec)) {}

 private:
  const SliceSpec spec_;
};

// Creates the slice for `spec`. Emulated slices need options.latency (kInvalidArgument if unset).
Result<std::unique_ptr<Slice>> CreateSlice(const SliceSpec& spec, const SliceOptions& options);

}  // namespace glet::device
