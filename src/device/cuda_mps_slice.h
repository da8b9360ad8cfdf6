// CudaMpsSlice: a share of a CUDA GPU through MPS. The executing process must start with
// CUDA_MPS_ACTIVE_THREAD_PERCENTAGE and CUDA_VISIBLE_DEVICES set (ProcessEnv()); Activate() sets
// them in the calling process too, which works when CUDA is not yet initialised. Needs a CUDA
// build of libtorch: elsewhere Activate() is kFailedPrecondition and tests skip.
#pragma once

#include "device/slice.h"

namespace glet::device {

class CudaMpsSlice final : public Slice {
 public:
  explicit CudaMpsSlice(SliceSpec spec) : Slice(std::move(spec)) {}

  // Slice
  int partition() const override { return spec().partition; }
  Status Activate() override;
  std::vector<std::pair<std::string, std::string>> ProcessEnv() const override;
  Result<std::unique_ptr<model::Model>> LoadModel(const model::ModelSpec& spec,
                                                  const std::string& model_dir) override;
};

}  // namespace glet::device
