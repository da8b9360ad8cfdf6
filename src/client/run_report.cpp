#include "client/run_report.h"

#include <algorithm>
#include <limits>

#include "core/check.h"
#include "core/stats.h"

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

}  // namespace glet::client
