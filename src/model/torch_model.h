// TorchScript models through libtorch. This header includes no torch headers; torch_model.cpp is
// the only file that does. Every c10::Error is caught there and becomes a Status.
#pragma once

#include <memory>
#include <string>

#include "core/status.h"
#include "model/model.h"
#include "model/model_spec.h"

namespace glet::model {

struct TorchOptions {
  // "cpu" or "cuda:N".
  std::string device = "cpu";
};

// Loads the TorchScript file at `path` for `spec`. A missing file is kInvalidArgument naming the
// path and the command that exports it; a file torch cannot load is kInvalidArgument with
// torch's first line of explanation.
Result<std::unique_ptr<Model>> LoadTorchModel(const ModelSpec& spec, const std::string& path,
                                              const TorchOptions& options);

// Sets the intra-op thread count of this process's torch (one slice per process).
void SetTorchIntraOpThreads(int threads);
int TorchIntraOpThreads();
// True if this libtorch was built with CUDA and a device is visible.
bool TorchHasCuda();

// A bare libtorch forward loop with none of glet's wrapping: the baseline of the runtime
// overhead benchmark. Holds the module and one input of `batch` items for `spec`.
class BareTorchLoop {
 public:
  static Result<std::unique_ptr<BareTorchLoop>> Create(const ModelSpec& spec,
                                                       const std::string& path, int64_t batch);
  virtual ~BareTorchLoop() = default;
  // One forward pass on the held input.
  virtual Status Forward() = 0;
};

}  // namespace glet::model
