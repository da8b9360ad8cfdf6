#include "serve/lane_latency.h"

#include <algorithm>

namespace glet::serve {

std::vector<Duration> LaneBatchLatencies(const perf::DeviceProfile& profile,
                                         const sched::PlannedModel& model, int partition,
                                         double host_overhead_ms) {
  std::vector<Duration> latencies;
  latencies.reserve(model.batch);
  const double alpha = std::max(1.0, model.alpha);
  for (int k = 1; k <= model.batch; ++k) {
    Result<double> ms = profile.LatencyMs(model.model, partition, k);
    latencies.push_back(FromMillis((ms.ok() ? *ms : model.exec_ms) * alpha + host_overhead_ms));
  }
  return latencies;
}

}  // namespace glet::serve
