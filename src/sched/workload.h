// Workload: what the scheduler must serve — per model, a request rate, a latency objective and a
// batch limit. Loaded from
//   rates CSV:   header `model,rate_rps,slo_ms` (optional 4th column `max_batch`, default 32)
//   gpu-let task file: first line N, then N lines `id,rate,slo,` where id indexes `model_ids`.
// Errors are kInvalidArgument naming file:line and the column at fault. Rates and SLOs must be
// finite and > 0; a model may appear once.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"

namespace glet::sched {

inline constexpr int kDefaultMaxBatch = 32;

struct ModelDemand {
  std::string model;
  double rate_rps = 0;
  double slo_ms = 0;
  int max_batch = kDefaultMaxBatch;
  friend bool operator==(const ModelDemand&, const ModelDemand&) = default;
};

struct Workload {
  std::vector<ModelDemand> models;

  // Same models with every rate multiplied by `factor`.
  Workload Scaled(double factor) const;
  double TotalRateRps() const;
  // Index of `model`, or -1.
  int Find(const std::string& model) const;
  // Checks rates, SLOs, batch limits and duplicates; `origin` prefixes messages.
  Status Validate(const std::string& origin) const;
};

Result<Workload> ParseRatesCsv(const std::string& text, const std::string& origin);
Result<Workload> LoadRatesCsv(const std::string& path);
Result<Workload> ParseTaskFile(const std::string& text, const std::string& origin,
                               const std::vector<std::string>& model_ids);
Result<Workload> LoadTaskFile(const std::string& path, const std::vector<std::string>& model_ids);

}  // namespace glet::sched
