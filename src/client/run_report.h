// RunReport: the summary of a `glet client` run, computed from the per-request records alone
// (a pure function, so it is tested exactly and can be recomputed from a saved log).
//
// Definitions, per model and over all models:
//   sent = served + dropped + failed (every scheduled request, client refusals included);
//   served_in_slo = served requests with latency_ms <= the model's slo_ms;
//   slo_attainment = served_in_slo / sent (1 when sent is 0);
//   p50/p95/p99/mean/max latency: nearest-rank over served requests only (0 when none);
//   goodput_rps = served_in_slo / window_s;
//   dropped_by_reason / failed_by_reason: counts per reason string.
// window_s is the run's length: the given value when > 0, else from the first send to the last
// reply (0 -> goodput 0).
//
// Thread safety: value types and pure functions.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "client/request_record.h"
#include "core/status.h"

namespace glet::client {

struct OutcomeCounts {
  int64_t sent = 0;
  int64_t served = 0;
  int64_t dropped = 0;
  int64_t failed = 0;
  int64_t served_in_slo = 0;
  double slo_ms = 0;  // per-model stats only; 0 in the total
  double slo_attainment = 1;
  double goodput_rps = 0;
  double mean_ms = 0;
  double p50_ms = 0;
  double p95_ms = 0;
  double p99_ms = 0;
  double max_ms = 0;
  std::map<std::string, int64_t> dropped_by_reason;
  std::map<std::string, int64_t> failed_by_reason;
};

struct RunReport {
  double window_s = 0;
  double max_send_lag_ms = 0;  // largest sent_ms - scheduled_ms (how far the sender fell behind)
  OutcomeCounts total;
  std::map<std::string, OutcomeCounts> per_model;  // by model name
};

// kInvalidArgument naming the model when a record's model has no entry in `slo_ms`.
// Aborts (GLET_CHECK) if the counts do not add up: that would be a bug here.
Result<RunReport> ComputeRunReport(const std::vector<RequestRecord>& records,
                                   const std::map<std::string, double>& slo_ms, double window_s);

// "queue_full=3 slo_unreachable=1", or "none" when empty: the report's reason lines.
std::string ReasonCountsText(const std::map<std::string, int64_t>& counts);
// The counts as the JSON object both `glet client --json` and `glet simulate --json` print.
nlohmann::ordered_json OutcomeCountsJson(const OutcomeCounts& c);

}  // namespace glet::client
