// The only translation unit (with torch_*.cpp) that includes torch headers.
#include "model/torch_model.h"

#include <ATen/Parallel.h>
#include <torch/csrc/api/include/torch/cuda.h>
#include <torch/script.h>

#include <cstring>

#include "core/file_util.h"

namespace glet::model {

namespace {

Result<c10::ScalarType> ToTorchType(DType dtype) {
  switch (dtype) {
    case DType::kFloat32:
      return c10::ScalarType::Float;
    case DType::kInt64:
      return c10::ScalarType::Long;
    case DType::kInt32:
      return c10::ScalarType::Int;
    case DType::kUint8:
      return c10::ScalarType::Byte;
  }
  return InternalError("unknown dtype");
}

Result<DType> FromTorchType(c10::ScalarType t) {
  switch (t) {
    case c10::ScalarType::Float:
      return DType::kFloat32;
    case c10::ScalarType::Long:
      return DType::kInt64;
    case c10::ScalarType::Int:
      return DType::kInt32;
    case c10::ScalarType::Byte:
      return DType::kUint8;
    default:
      return InternalError(std::string("model returned unsupported dtype ") + c10::toString(t));
  }
}

std::string FirstLine(const std::string& s) {
  auto pos = s.find('\n');
  return pos == std::string::npos ? s : s.substr(0, pos);
}

Status MissingFileError(const ModelSpec& spec, const std::string& path) {
  return InvalidArgumentError(path + ": model file for '" + spec.name +
                              "' not found; export it with: /usr/bin/python3 "
                              "scripts/export_models.py --models " +
                              spec.name);
}

class TorchModel final : public Model {
 public:
  TorchModel(ModelSpec spec, torch::jit::Module module, c10::Device device)
      : spec_(std::move(spec)), module_(std::move(module)), device_(device) {}

  // Model
  const ModelSpec& spec() const override { return spec_; }

  Result<Tensor> Run(const Tensor& batch) override {
    GLET_RETURN_IF_ERROR(
        CheckTensorMatches(batch, spec_.input, "model '" + spec_.name + "' input"));
    GLET_ASSIGN_OR_RETURN(c10::ScalarType in_type, ToTorchType(batch.dtype()));
    try {
      c10::InferenceMode guard;
      // from_blob does not copy; the input is only read.
      at::Tensor input = torch::from_blob(const_cast<std::byte*>(batch.data()), batch.shape(),
                                          torch::TensorOptions().dtype(in_type));
      if (device_.is_cuda()) {
        input = input.to(device_);
      }
      c10::IValue result = module_.forward({input});
      if (result.isTuple()) {
        result = result.toTuple()->elements().at(0);
      }
      if (!result.isTensor()) {
        return InternalError("model '" + spec_.name + "' returned a non-tensor output");
      }
      at::Tensor out = result.toTensor().to(c10::Device(c10::kCPU)).contiguous();
      GLET_ASSIGN_OR_RETURN(DType out_type, FromTorchType(out.scalar_type()));
      std::vector<int64_t> shape(out.sizes().begin(), out.sizes().end());
      Tensor output(out_type, std::move(shape));
      if (output.byte_size() != out.nbytes()) {
        return InternalError("model '" + spec_.name + "' output size mismatch");
      }
      std::memcpy(output.mutable_data(), out.data_ptr(), out.nbytes());
      if (output.dtype() != spec_.output.dtype || output.shape().empty() ||
          output.shape()[0] != batch.shape()[0] ||
          std::vector<int64_t>(output.shape().begin() + 1, output.shape().end()) !=
              spec_.output.shape) {
        return InternalError("model '" + spec_.name + "' returned " +
                             std::string(DTypeName(output.dtype())) +
                             ShapeToString(output.shape()) + ", manifest says " +
                             std::string(DTypeName(spec_.output.dtype)) + " [n," +
                             ShapeToString(spec_.output.shape).substr(1));
      }
      return output;
    } catch (const c10::Error& e) {
      return InternalError("model '" + spec_.name + "': " + FirstLine(e.what_without_backtrace()));
    } catch (const std::exception& e) {
      return InternalError("model '" + spec_.name + "': " + FirstLine(e.what()));
    }
  }

 private:
  const ModelSpec spec_;
  torch::jit::Module module_;
  const c10::Device device_;
};

Result<torch::jit::Module> LoadModule(const ModelSpec& spec, const std::string& path,
                                      const c10::Device& device) {
  if (!FileExists(path)) {
    return MissingFileError(spec, path);
  }
  try {
    torch::jit::Module module = torch::jit::load(path, device);
    module.eval();
    return module;
  } catch (const c10::Error& e) {
    return InvalidArgumentError(
        path + ": cannot load TorchScript: " + FirstLine(e.what_without_backtrace()));
  } catch (const std::exception& e) {
    return InvalidArgumentError(path + ": cannot load TorchScript: " + FirstLine(e.what()));
  }
}

class BareLoop final : public BareTorchLoop {
 public:
  BareLoop(torch::jit::Module module, at::Tensor input)
      : module_(std::move(module)), input_(std::move(input)) {}
  Status Forward() override {
    try {
      c10::InferenceMode guard;
      c10::IValue out = module_.forward({input_});
      (void)out;
      return Status::Ok();
    } catch (const c10::Error& e) {
      return InternalError(FirstLine(e.what_without_backtrace()));
    }
  }

 private:
  torch::jit::Module module_;
  at::Tensor input_;
};

}  // namespace

Result<std::unique_ptr<Model>> LoadTorchModel(const ModelSpec& spec, const std::string& path,
                                              const TorchOptions& options) {
  c10::Device device(c10::kCPU);
  try {
    device = c10::Device(options.device);
  } catch (const c10::Error& e) {
    return InvalidArgumentError("device '" + options.device +
                                "': " + FirstLine(e.what_without_backtrace()));
  }
  if (device.is_cuda() && !TorchHasCuda()) {
    return FailedPreconditionError("device '" + options.device +
                                   "': this libtorch has no CUDA or no GPU is visible");
  }
  GLET_ASSIGN_OR_RETURN(torch::jit::Module module, LoadModule(spec, path, device));
  return std::unique_ptr<Model>(std::make_unique<TorchModel>(spec, std::move(module), device));
}

void SetTorchIntraOpThreads(int threads) {
  if (threads > 0) {
    at::set_num_threads(threads);
  }
}

int TorchIntraOpThreads() { return at::get_num_threads(); }

bool TorchHasCuda() {
  try {
    return torch::cuda::is_available();
  } catch (const c10::Error&) {
    return false;
  }
}

Result<std::unique_ptr<BareTorchLoop>> BareTorchLoop::Create(const ModelSpec& spec,
                                                             const std::string& path,
                                                             int64_t batch) {
  GLET_ASSIGN_OR_RETURN(torch::jit::Module module, LoadModule(spec, path, c10::Device(c10::kCPU)));
  GLET_ASSIGN_OR_RETURN(c10::ScalarType type, ToTorchType(spec.input.dtype));
  std::vector<int64_t> shape = {batch};
  shape.insert(shape.end(), spec.input.shape.begin(), spec.input.shape.end());
  at::Tensor input = type == c10::ScalarType::Float
                         ? torch::rand(shape)
                         : torch::randint(0, 1000, shape, torch::dtype(type));
  return std::unique_ptr<BareTorchLoop>(std::make_unique<BareLoop>(std::move(module), input));
}

}  // namespace glet::model
