#include "client/run_report.h"

#include <algorithm>
#include <limits>

#include "core/check.h"
#include "core/stats.h"
#include "core/strings.h"

namespace glet::client {

namespace {

struct Accumulator {
  OutcomeCounts counts;
  std::vector<double> latencies;

  void Add(const RequestRecord& r, double slo_ms) {
    ++counts.sent;
    switch (r.outcome) {
      case serve::RequestOutcome::kServed:
        ++counts.served;
        latencies.push_back(r.latency_ms());
        if (r.latency_ms() <= slo_ms) {
          ++counts.served_in_slo;
        }
        break;
      case serve::RequestOutcome::kDropped:
        ++counts.dropped;
        ++counts.dropped_by_reason[r.reason];
        break;
      case serve::RequestOutcome::kFailed:
        ++counts.failed;
        ++counts.failed_by_reason[r.reason];
        break;
    }
  }

  OutcomeCounts Finish(double window_s) {
    GLET_CHECK(counts.sent == counts.served + counts.dropped + counts.failed)
        << "request accounting broken: sent " << counts.sent << " != served " << counts.served
        << " + dropped " << counts.dropped << " + failed " << counts.failed;
    counts.slo_attainment = counts.sent == 0 ? 1.0
                                             : static_cast<double>(counts.served_in_slo) /
                                                   static_cast<double>(counts.sent);
    counts.goodput_rps = window_s > 0 ? static_cast<double>(counts.served_in_slo) / window_s : 0;
    const LatencySummary s = Summarize(std::move(latencies));
    counts.mean_ms = s.mean;
    counts.p50_ms = s.p50;
    counts.p95_ms = s.p95;
    counts.p99_ms = s.p99;
    counts.max_ms = s.max;
    return counts;
  }
};

}  // namespace

Result<RunReport> ComputeRunReport(const std::vector<RequestRecord>& records,
                                   const std::map<std::string, double>& slo_ms, double window_s) {
  RunReport report;
  if (window_s > 0) {
    report.window_s = window_s;
  } else if (!records.empty()) {
    double first = std::numeric_limits<double>::infinity();
    double last = -std::numeric_limits<double>::infinity();
    for (const RequestRecord& r : records) {
      first = std::min(first, r.sent_ms);
      last = std::max(last, r.done_ms);
    }
    report.window_s = std::max(0.0, (last - first) / 1000.0);
  }
  Accumulator total;
  std::map<std::string, Accumulator> models;
  for (const RequestRecord& r : records) {
    auto slo = slo_ms.find(r.model);
    if (slo == slo_ms.end()) {
      return InvalidArgumentError("request " + std::to_string(r.id) + ": model '" + r.model +
                                  "' has no SLO");
    }
    total.Add(r, slo->second);
    Accumulator& m = models[r.model];
    m.counts.slo_ms = slo->second;
    m.Add(r, slo->second);
    report.max_send_lag_ms = std::max(report.max_send_lag_ms, r.sent_ms - r.scheduled_ms);
  }
  report.total = total.Finish(report.window_s);
  for (auto& [name, acc] : models) {
    report.per_model[name] = acc.Finish(report.window_s);
  }
  return report;
}

std::string ReasonCountsText(const std::map<std::string, int64_t>& counts) {
  std::vector<std::string> parts;
  for (const auto& [reason, n] : counts) {
    parts.push_back(reason + "=" + std::to_string(n));
  }
  return parts.empty() ? "none" : Join(parts, " ");
}

nlohmann::ordered_json OutcomeCountsJson(const OutcomeCounts& c) {
  nlohmann::ordered_json j;
  j["sent"] = c.sent;
  j["served"] = c.served;
  j["dropped"] = c.dropped;
  j["failed"] = c.failed;
  j["served_in_slo"] = c.served_in_slo;
  j["slo_ms"] = c.slo_ms;
  j["slo_attainment"] = c.slo_attainment;
  j["p50_ms"] = c.p50_ms;
  j["p95_ms"] = c.p95_ms;
  j["p99_ms"] = c.p99_ms;
  j["mean_ms"] = c.mean_ms;
  j["max_ms"] = c.max_ms;
  j["goodput_rps"] = c.goodput_rps;
  j["dropped_by_reason"] = c.dropped_by_reason;
  j["failed_by_reason"] = c.failed_by_reason;
  return j;
}

}  // namespace glet::client
