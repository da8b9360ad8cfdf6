#include "client/model_inputs.h"

#include <functional>

#include "core/strings.h"

namespace glet::client {

namespace {

uint64_t ModelSeed(uint64_t seed, const std::string& model, size_t input_index) {
  return seed ^ (std::hash<std::string>{}(model)*0x9E3779B97F4A7C15ull) ^ (input_index + 1);
}

InputTensor FromTensor(const std::string& name, const model::Tensor& t) {
  InputTensor in;
  in.name = name;
  in.datatype = std::string(model::DTypeName(t.dtype()));
  in.shape = t.shape();
  in.raw.assign(reinterpret_cast<const char*>(t.data()), t.byte_size());
  return in;
}

}  // namespace

Result<ModelInputs> InputsFromMetadata(const inference::ModelMetadataResponse& metadata,
                                       uint64_t seed) {
  ModelInputs out;
  out.model = metadata.name();
  const std::string what = "model " + metadata.name();
  if (metadata.inputs_size() == 0) {
    return FailedPreconditionError(what + ": the server's metadata lists no inputs");
  }
  for (int i = 0; i < metadata.inputs_size(); ++i) {
    const auto& meta = metadata.inputs(i);
    const std::string where = what + ": input '" + meta.name() + "'";
    auto dtype = model::ParseDType(meta.datatype());
    if (!dtype.ok()) {
      return FailedPreconditionError(where + ": datatype " + meta.datatype() +
                                     " cannot be generated (supported: FP32, INT64, INT32, UINT8)");
    }
    if (meta.shape_size() == 0) {
      return FailedPreconditionError(where + ": scalar inputs are not supported");
    }
    model::TensorSpec spec;
    spec.name = meta.name();
    spec.dtype = *dtype;
    int64_t batch = meta.shape(0) == -1 ? 1 : meta.shape(0);
    if (batch < 1) {
      return FailedPreconditionError(where + ": dimension 0 must be -1 or >= 1 (got " +
                                     std::to_string(meta.shape(0)) + ")");
    }
    for (int d = 1; d < meta.shape_size(); ++d) {
      if (meta.shape(d) < 1) {
        return FailedPreconditionError(where + ": dimension " + std::to_string(d) +
                                       " is variable or empty (" + std::to_string(meta.shape(d)) +
                                       "); only the leading batch dimension may be -1");
      }
      spec.shape.push_back(meta.shape(d));
    }
    out.inputs.push_back(FromTensor(
        meta.name(), model::MakeRandomInput(spec, batch, ModelSeed(seed, out.model, i))));
  }
  return out;
}

ModelInputs InputsFromSpec(const std::string& model, const model::TensorSpec& spec, uint64_t seed) {
  ModelInputs out;
  out.model = model;
  out.inputs.push_back(
      FromTensor(spec.name, model::MakeRandomInput(spec, 1, ModelSeed(seed, model, 0))));
  return out;
}

inference::ModelInferRequest MakeInferRequest(const ModelInputs& inputs) {
  inference::ModelInferRequest req;
  req.set_model_name(inputs.model);
  for (const InputTensor& in : inputs.inputs) {
    auto* t = req.add_inputs();
    t->set_name(in.name);
    t->set_datatype(in.datatype);
    for (int64_t d : in.shape) {
      t->add_shape(d);
    }
    req.add_raw_input_contents(in.raw);
  }
  return req;
}

}  // namespace glet::client
