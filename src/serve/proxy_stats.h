// ProxyStats: what a glet's proxy has done — batches, items, request fates and time — counted by
// the Proxy since it started, summed by its backend over the proxy's restarts (GletCounters in
// backend_types.h), reported to the frontend (FrontendControl.Report) and exported there on
// /metrics. Mirrors glet.control.ProxyStats (backend_proto.h converts).
//
// Thread safety: a value.
#pragma once

#include <cstdint>

namespace glet::serve {

struct ProxyStats {
  int64_t batches = 0;  // batches executed (at least one item ran)
  int64_t items = 0;    // rows executed: the n of every item that ran
  int64_t requests_served = 0;
  int64_t requests_dropped = 0;  // deadline expired before the batch started
  int64_t requests_failed = 0;   // the model failed on their batch
  double queue_ms_sum = 0;       // summed over batches: arrival at the proxy to start
  double compute_ms_sum = 0;     // summed over batches: model execution

  ProxyStats& operator+=(const ProxyStats& o) {
    batches += o.batches;
    items += o.items;
    requests_served += o.requests_served;
    requests_dropped += o.requests_dropped;
    requests_failed += o.requests_failed;
    queue_ms_sum += o.queue_ms_sum;
    compute_ms_sum += o.compute_ms_sum;
    return *this;
  }
  friend bool operator==(const ProxyStats&, const ProxyStats&) = default;
};

}  // namespace glet::serve
