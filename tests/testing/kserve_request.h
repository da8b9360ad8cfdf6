// KServe gRPC requests the tests and benchmarks send: one lenet input (1 x 1 x 28 x 28, FP32, every
// value `value`) for `model`, with request id `id`, as raw_input_contents.
#pragma once

#include <string>

#include "kserve.pb.h"

namespace glet::testing {

inference::ModelInferRequest LenetGrpcRequest(const std::string& model, const std::string& id,
                                              float value = 0.5f);

}  // namespace glet::testing
