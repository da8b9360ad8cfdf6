// Fuzzes the plan loader (core/json_reader.h ParseJson, then sched/plan.h Plan::FromJson).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/json_reader.h"
#include "sched/plan.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  glet::Result<glet::Json> doc = glet::ParseJson(text, "plan.json");
  if (!doc.ok()) {
    return 0;
  }
  glet::Result<glet::sched::Plan> plan = glet::sched::Plan::FromJson(*doc, "plan.json");
  if (!plan.ok() && plan.status().code() != glet::StatusCode::kInvalidArgument) {
    __builtin_trap();
  }
  return 0;
}
