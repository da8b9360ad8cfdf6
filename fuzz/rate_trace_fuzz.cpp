// Fuzzes the rate trace CSV parser (client/rate_trace.h RateTrace::Parse).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "client/rate_trace.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  glet::Result<glet::client::RateTrace> t = glet::client::RateTrace::Parse(text, "trace.csv");
  if (!t.ok() && t.status().code() != glet::StatusCode::kInvalidArgument) {
    __builtin_trap();
  }
  return 0;
}
