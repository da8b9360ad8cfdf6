#include "serve/model_report.h"

#include <cmath>

#include "serve/model_version.h"

namespace glet::serve {

namespace {

DurationStat Duration(double count, double seconds) {
  return {static_cast<int64_t>(count), static_cast<int64_t>(std::llround(seconds * 1e9))};
}

}  // namespace

ModelStatsReport ReportModelStats(const std::string& name, const MetricsRegistry& m) {
  const Labels model = {{"model", name}};
  const auto outcome = [&](const char* o) {
    return m.Value("glet_requests_total", {{"model", name}, {"outcome", o}});
  };
  ModelStatsReport r;
  r.name = name;
  r.version = kServedModelVersion;
  r.inference_count = static_cast<int64_t>(m.HistogramSum("glet_batch_size", model));
  r.execution_count = static_cast<int64_t>(m.Value("glet_batch_size", model));
  r.success = Duration(outcome("served"), m.HistogramSum("glet_request_latency_seconds", model));
  r.fail = Duration(outcome("failed") + outcome("dropped"), 0);
  r.queue = Duration(m.Value("glet_queue_time_seconds", model),
                     m.HistogramSum("glet_queue_time_seconds", model));
  r.compute_infer = Duration(m.Value("glet_compute_time_seconds", model),
                             m.HistogramSum("glet_compute_time_seconds", model));
  return r;
}

std::string TritonTypeName(model::DType dtype) {
  return "TYPE_" + std::string(model::DTypeName(dtype));
}

std::string TritonPlatform(const ServedInfo& info) { return info.is_app ? "ensemble" : "glet"; }

}  // namespace glet::serve
