#include "testing/kserve_request.h"

#include <cstdint>
#include <vector>

namespace glet::testing {

inference::ModelInferRequest LenetGrpcRequest(const std::string& model, const std::string& id,
                                              float value) {
  inference::ModelInferRequest request;
  request.set_model_name(model);
  request.set_id(id);
  auto* in = request.add_inputs();
  in->set_name("input");
  in->set_datatype("FP32");
  for (int64_t d : {1, 1, 28, 28}) {
    in->add_shape(d);
  }
  const std::vector<float> values(28 * 28, value);
  request.add_raw_input_contents(
      std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(float)));
  return request;
}

}  // namespace glet::testing
