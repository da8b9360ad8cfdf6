// Proxy metrics: the frontend's export of its backends' Reports on /metrics. Each report carries
// every glet's proxy counters as totals since the glet started (backend_types.h GletCounters), so
// each sample is set to the latest total rather than added to:
//   glet_proxy_batches_total{backend,glet}          batches run
//   glet_proxy_items_total{backend,glet}            rows run
//   glet_proxy_requests_total{backend,glet,outcome} served / dropped / failed at the proxy
//   glet_proxy_queue_seconds_total{backend,glet}    time batches waited at the proxy
//   glet_proxy_compute_seconds_total{backend,glet}  model execution time
//   glet_proxy_restarts_total{backend,glet}         proxy restarts after it died
// A glet's samples keep their last values after it stops.
//
// Thread safety: as MetricsRegistry (any thread).
#pragma once

#include <string>
#include <vector>

#include "core/metrics.h"
#include "serve/backend_types.h"

namespace glet::serve {

// Declares the families (help texts); idempotent.
void DeclareProxyMetrics(MetricsRegistry& metrics);
// Sets the samples of `backend_id`'s glets to the totals in `counters`.
void ExportProxyCounters(MetricsRegistry& metrics, const std::string& backend_id,
                         const std::vector<GletCounters>& counters);

}  // namespace glet::serve
