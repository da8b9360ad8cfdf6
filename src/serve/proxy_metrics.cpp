#include "serve/proxy_metrics.h"

namespace glet::serve {

namespace {

constexpr char kBatches[] = "glet_proxy_batches_total";
constexpr char kItems[] = "glet_proxy_items_total";
constexpr char kRequests[] = "glet_proxy_requests_total";
constexpr char kQueueSeconds[] = "glet_proxy_queue_seconds_total";
constexpr char kComputeSeconds[] = "glet_proxy_compute_seconds_total";
constexpr char kRestarts[] = "glet_proxy_restarts_total";

}  // namespace

void DeclareProxyMetrics(MetricsRegistry& m) {
  using T = MetricsRegistry::Type;
  m.Declare(kBatches, T::kCounter, "Batches each glet's proxies ran (from backend reports).");
  m.Declare(kItems, T::kCounter, "Rows each glet's proxies ran (from backend reports).");
  m.Declare(kRequests, T::kCounter,
            "Requests each glet's proxies served, dropped or failed (from backend reports).");
  m.Declare(kQueueSeconds, T::kCounter, "Time batches waited at each glet's proxies (seconds).");
  m.Declare(kComputeSeconds, T::kCounter, "Model execution time on each glet's proxies (seconds).");
  m.Declare(kRestarts, T::kCounter, "Times a backend restarted a glet's proxy after it died.");
}

void ExportProxyCounters(MetricsRegistry& m, const std::string& backend_id,
                         const std::vector<GletCounters>& counters) {
  for (const GletCounters& c : counters) {
    const Labels labels = {{"backend", backend_id}, {"glet", c.glet_id}};
    auto with_outcome = [&](const char* outcome) {
      Labels l = labels;
      l.emplace_back("outcome", outcome);
      return l;
    };
    const ProxyStats& t = c.totals;
    m.Set(kBatches, labels, static_cast<double>(t.batches));
    m.Set(kItems, labels, static_cast<double>(t.items));
    m.Set(kRequests, with_outcome("served"), static_cast<double>(t.requests_served));
    m.Set(kRequests, with_outcome("dropped"), static_cast<double>(t.requests_dropped));
    m.Set(kRequests, with_outcome("failed"), static_cast<double>(t.requests_failed));
    m.Set(kQueueSeconds, labels, t.queue_ms_sum / 1000);
    m.Set(kComputeSeconds, labels, t.compute_ms_sum / 1000);
    m.Set(kRestarts, labels, static_cast<double>(c.restarts));
  }
}

}  // namespace glet::serve
