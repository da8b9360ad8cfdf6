// Fuzzes the DAG JSON loader (core/json_reader.h ParseJson, then dag/dag_json.h ParseDagJson).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/json_reader.h"
#include "dag/dag_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  glet::Result<glet::Json> doc = glet::ParseJson(text, "dag.json");
  if (!doc.ok()) {
    return 0;
  }
  glet::Result<glet::dag::Problem> p = glet::dag::ParseDagJson(*doc, "dag.json", "dag");
  if (!p.ok() && p.status().code() != glet::StatusCode::kInvalidArgument) {
    __builtin_trap();
  }
  return 0;
}
