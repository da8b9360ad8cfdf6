// Fuzzes the rates CSV parser (sched/workload.h ParseRatesCsv: model,rate_rps,slo_ms[,max_batch]).
#include <cstddef>
#include <cstdint>
#include <string>

#include "sched/workload.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  glet::Result<glet::sched::Workload> w = glet::sched::ParseRatesCsv(text, "rates.csv");
  if (!w.ok() && w.status().code() != glet::StatusCode::kInvalidArgument) {
    __builtin_trap();
  }
  return 0;
}
