// Model: a loaded model that runs batches on the slice it was loaded for. Implementations:
// TorchModel (torch_model.h, TorchScript through libtorch) and EmulatedModel (device/, waits the
// profiled latency). A Model is created by a Slice (device/slice.h) or LoadTorchModel().
//
// Thread safety: Run() may be called from one thread at a time per Model (a glet runs one batch
// at a time); spec() is safe from any thread.
#pragma once

#include "core/status.h"
#include "model/model_spec.h"
#include "model/tensor.h"

namespace glet::model {

class Model {
 public:
  virtual ~Model() = default;
  virtual const ModelSpec& spec() const = 0;
  // Runs one batch. `batch` must be [n, spec().input.shape...] of spec().input.dtype (else
  // kInvalidArgument naming the expected and actual shape); returns [n, spec().output.shape...].
  // Run-time failures of the backend are kInternal.
  virtual Result<Tensor> Run(const Tensor& batch) = 0;
};

}  // namespace glet::model
