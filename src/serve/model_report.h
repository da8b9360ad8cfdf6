// ModelReport: what Triton's model configuration and statistics extensions say about a served
// model or app, computed once for both KServe services (HTTP renders it as JSON, gRPC as the
// protobuf messages of proto/kserve.proto).
//   - configuration: name, platform ("glet", or "ensemble" for an app), backend "glet", the most
//     items one request may carry, each tensor's Triton type (TYPE_FP32, ...) and dims without
//     the batch dimension, and the SLO as parameter "slo_ms";
//   - statistics: cumulative since the frontend started, from its metrics (MetricsRegistry):
//     items served (inference_count), batches run (execution_count), served requests and their
//     end-to-end time (success), dropped or failed requests (fail), batcher queueing (queue) and
//     glet compute (compute_infer), durations in nanoseconds. Input and output conversion are
//     not timed apart (zero).
#pragma once

#include <cstdint>
#include <string>

#include "core/metrics.h"
#include "model/model_spec.h"
#include "serve/frontend.h"

namespace glet::serve {

struct DurationStat {
  int64_t count = 0;
  int64_t ns = 0;
};

struct ModelStatsReport {
  std::string name;
  std::string version;
  int64_t inference_count = 0;
  int64_t execution_count = 0;
  DurationStat success;
  DurationStat fail;
  DurationStat queue;
  DurationStat compute_input;
  DurationStat compute_infer;
  DurationStat compute_output;
};

ModelStatsReport ReportModelStats(const std::string& name, const MetricsRegistry& metrics);

// Triton's type name of a dtype: "TYPE_FP32", ...
std::string TritonTypeName(model::DType dtype);
// Triton's platform of a served model or app.
std::string TritonPlatform(const ServedInfo& info);

}  // namespace glet::serve
