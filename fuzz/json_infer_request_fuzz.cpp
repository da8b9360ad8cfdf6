// Fuzzes the KServe v2 JSON infer request parser (serve/json_infer_request.h): any bytes must end
// in a request or a kInvalidArgument, never a crash, a hang, undefined behaviour or an exception.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "serve/json_infer_request.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  const glet::JsonLimits limits{.max_depth = 32, .max_values = 1 << 16};
  // As plain JSON, and with the binary tensor data extension: the JSON header's length is where
  // the first '}' followed by a NUL byte ends (seeds put binary data after "}\0"), else the body.
  std::optional<size_t> header;
  if (size_t at = body.find(std::string_view("}\0", 2)); at != std::string_view::npos) {
    header = at + 1;
  }
  for (std::optional<size_t> h : {std::optional<size_t>(), header}) {
    glet::Result<glet::serve::JsonInferRequest> r =
        glet::serve::ParseJsonInferRequest(body, limits, h);
    if (!r.ok() && r.status().code() != glet::StatusCode::kInvalidArgument) {
      __builtin_trap();  // bad input must be kInvalidArgument
    }
  }
  return 0;
}
