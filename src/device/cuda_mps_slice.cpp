#include "device/cuda_mps_slice.h"

#include <cstdlib>

#include "model/torch_model.h"

namespace glet::device {

std::vector<std::pair<std::string, std::string>> CudaMpsSlice::ProcessEnv() const {
  return {{"CUDA_MPS_ACTIVE_THREAD_PERCENTAGE", std::to_string(spec().partition)},
          {"CUDA_VISIBLE_DEVICES", std::to_string(spec().gpu)}};
}

Status CudaMpsSlice::Activate() {
  for (const auto& [key, value] : ProcessEnv()) {
    setenv(key.c_str(), value.c_str(), /*overwrite=*/1);
  }
  if (!model::TorchHasCuda()) {
    return FailedPreconditionError("slice '" + spec().ToString() +
                                   "': this libtorch has no CUDA support or no GPU is visible");
  }
  return Status::Ok();
}

Result<std::unique_ptr<model::Model>> CudaMpsSlice::LoadModel(const model::ModelSpec& spec,
                                                              const std::string& model_dir) {
  // CUDA_VISIBLE_DEVICES maps the chosen GPU to index 0 in this process.
  return model::LoadTorchModel(spec, model::ModelManifest::ResolveFile(spec, model_dir),
                               model::TorchOptions{"cuda:0"});
}

}  // namespace glet::device
