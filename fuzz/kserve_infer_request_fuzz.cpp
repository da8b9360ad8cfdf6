// Fuzzes the KServe v2 gRPC request decoding: a ModelInferRequest parsed from any bytes, then
// each input turned into a tensor (serve/tensor_proto.h) as the gRPC service does. Every input
// must give a tensor or a kInvalidArgument.
#include <google/protobuf/stubs/logging.h>

#include <cstddef>
#include <cstdint>

#include "kserve.pb.h"
#include "serve/tensor_proto.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  google::protobuf::SetLogHandler(nullptr);  // invalid UTF-8 in a string field is logged
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  inference::ModelInferRequest request;
  if (!request.ParseFromArray(data, static_cast<int>(size))) {
    return 0;
  }
  for (int i = 0; i < request.inputs_size(); ++i) {
    glet::Result<glet::model::Tensor> t = glet::serve::TensorFromKServeInput(request, i);
    if (!t.ok() && t.status().code() != glet::StatusCode::kInvalidArgument) {
      __builtin_trap();
    }
  }
  return 0;
}
