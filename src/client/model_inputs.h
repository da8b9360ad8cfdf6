// ModelInputs: the input tensors `glet client` sends to one model or app, built from what the
// server says about it (KServe ModelMetadata: input name, datatype, shape) or, when the server
// cannot be asked, from a model spec (the manifest). Values are pseudo-random but deterministic
// in the seed (model::MakeRandomInput); one request's worth is built per model and reused for
// every request, so building inputs costs nothing during the run.
//
// Shapes: a leading -1 (the batch dimension) becomes 1, so each request carries one item; any
// other -1 cannot be filled and is an error. Data travels in raw_input_contents.
//
// Thread safety: value types and pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "kserve.pb.h"
#include "model/tensor.h"

namespace glet::client {

struct InputTensor {
  std::string name;
  std::string datatype;  // KServe name, "FP32"
  std::vector<int64_t> shape;
  std::string raw;  // little-endian row-major bytes
};

struct ModelInputs {
  std::string model;
  std::vector<InputTensor> inputs;
};

// kFailedPrecondition naming model, input and field for a datatype glet cannot generate
// (model::ParseDType), a variable non-leading dimension, a scalar input or no inputs at all.
Result<ModelInputs> InputsFromMetadata(const inference::ModelMetadataResponse& metadata,
                                       uint64_t seed);
// One item of `spec` (shape [1, spec.shape...]).
ModelInputs InputsFromSpec(const std::string& model, const model::TensorSpec& spec, uint64_t seed);

inference::ModelInferRequest MakeInferRequest(const ModelInputs& inputs);

}  // namespace glet::client
