// Fuzzes the KServe v2 JSON infer request parser (serve/json_infer_request.h): any bytes must end
// in a request or a kInvalidArgument, never a crash, a hang, undefined behaviour or an exception.
#include <cstddef>
#include <cstdint>
#include <string>

#include "serve/json_infer_request.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string body(reinterpret_cast<const char*>(data), size);
  glet::Result<glet::serve::JsonInferRequest> r =
      glet::serve::ParseJsonInferRequest(body, {.max_depth = 32, .max_values = 1 << 16});
  if (!r.ok() && r.status().code() != glet::StatusCode::kInvalidArgument) {
    __builtin_trap();  // bad input must be kInvalidArgument
  }
  return 0;
}
