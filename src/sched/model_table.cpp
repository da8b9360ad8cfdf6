#include "sched/model_table.h"

#include <algorithm>

#include "core/strings.h"

namespace glet::sched {

Result<ModelTable> ModelTable::Build(const ModelDemand& demand, const perf::DeviceProfile& profile,
                                     const std::vector<int>& partitions,
                                     const SafetyMargins& margins, bool need_util) {
  ModelTable t;
  t.demand_ = demand;
  if (!profile.Knows(demand.model)) {
    return InvalidArgumentError(
        "unknown model '" + demand.model + "': the " + profile.type + " profile (" +
        profile.latency.origin() +
        ") has no latency for it (known: " + Join(profile.latency.models(), ", ") + ")");
  }
  // The allowed partitions the profile measures for this model (a device type may measure only
  // some: a CPU profile 50 and 100); gaps inside a measured partition are errors below.
  const std::vector<int> measured = profile.Partitions(demand.model);
  for (int p : partitions) {
    if (std::find(measured.begin(), measured.end(), p) != measured.end()) {
      t.partitions_.push_back(p);
    }
  }
  if (t.partitions_.empty()) {
    std::vector<std::string> allowed;
    std::vector<std::string> have;
    for (int p : partitions) {
      allowed.push_back(std::to_string(p));
    }
    for (int p : measured) {
      have.push_back(std::to_string(p));
    }
    return InvalidArgumentError("profile gap: model '" + demand.model + "': the " + profile.type +
                                " profile measures it at none of the allowed partitions " +
                                Join(allowed, ",") + " (measured: " + Join(have, ",") + ")");
  }
  for (int p : t.partitions_) {
    std::vector<double> row(demand.max_batch);
    for (int b = 1; b <= demand.max_batch; ++b) {
      Result<double> ms = profile.LatencyMs(demand.model, p, b);
      if (!ms.ok()) {
        return InvalidArgumentError("profile gap: model '" + demand.model + "' partition " +
                                    std::to_string(p) + " batch " + std::to_string(b) + ": " +
                                    ms.status().message());
      }
      row[b - 1] = *ms * margins.latency_ratio +
                   (margins.batch_cost ? profile.BatchCostMs(demand.model, b) : 0.0);
    }
    double bpm = 0;
    for (int b = 1; b <= demand.max_batch; ++b) {
      bpm = std::max(bpm, b / row[b - 1]);
    }
    t.batches_per_ms_.push_back(bpm);
    std::vector<double> min_row(row);
    for (int b = demand.max_batch - 1; b >= 1; --b) {
      min_row[b - 1] = std::min(min_row[b - 1], min_row[b]);
    }
    t.min_eff_ms_.push_back(std::move(min_row));
    t.eff_ms_.push_back(std::move(row));
  }
  if (need_util && profile.interference) {
    t.util_.resize(demand.max_batch);
    for (int b = 1; b <= demand.max_batch; ++b) {
      Result<perf::UtilSample> u = profile.Util(demand.model, b);
      if (!u.ok()) {
        return InvalidArgumentError("profile gap: model '" + demand.model +
                                    "': " + u.status().message() +
                                    " (needed by the interference model; --policy glet-noint "
                                    "plans without it)");
      }
      t.util_[b - 1] = *u;
    }
  }
  Result<double> mem = profile.ModelMemMib(demand.model);
  if (!mem.ok()) {
    return InvalidArgumentError("profile gap: " + mem.status().message());
  }
  t.mem_mib_ = *mem;
  if (t.mem_mib_ + profile.context_mem_mib > profile.mem_mib) {
    return InvalidArgumentError("model '" + demand.model + "' needs " +
                                FormatDouble(t.mem_mib_ + profile.context_mem_mib, 0) +
                                " MiB with its context, more than a whole " + profile.type + " (" +
                                FormatDouble(profile.mem_mib, 0) + " MiB)");
  }
  t.input_bytes_ = profile.InputBytes(demand.model);
  t.type_ = profile.TypeOf(demand.model);
  // The SLO must be reachable at all: batch 1 on the largest partition, no interference.
  double fastest = 0;
  int fastest_p = 0;
  for (size_t i = 0; i < t.partitions_.size(); ++i) {
    if (fastest_p == 0 || t.eff_ms_[i][0] < fastest) {
      fastest = t.eff_ms_[i][0];
      fastest_p = t.partitions_[i];
    }
  }
  if (2 * fastest > demand.slo_ms) {
    return InvalidArgumentError("model '" + demand.model + "' is infeasible at any size: slo_ms " +
                                FormatDouble(demand.slo_ms, 2) +
                                " is below the fastest possible latency " +
                                FormatDouble(2 * fastest, 2) + " ms (a batch of 1 at partition " +
                                std::to_string(fastest_p) + " takes " + FormatDouble(fastest, 2) +
                                " ms and a request may wait one batch)");
  }
  return t;
}

int ModelTable::PartitionIndex(int partition) const {
  for (size_t i = 0; i < partitions_.size(); ++i) {
    if (partitions_[i] == partition) {
      return static_cast<int>(i);
    }
  }
  return -1;
}

Result<WorkloadTables> BuildWorkloadTables(const Workload& workload,
                                           const perf::DeviceProfile& profile,
                                           const std::vector<int>& partitions,
                                           const SafetyMargins& margins, bool need_util) {
  WorkloadTables out;
  for (const ModelDemand& d : workload.models) {
    GLET_ASSIGN_OR_RETURN(ModelTable t,
                          ModelTable::Build(d, profile, partitions, margins, need_util));
    out.max_batch = std::max(out.max_batch, d.max_batch);
    out.tables.push_back(std::move(t));
  }
  return out;
}

SaturatedGlet ModelTable::Saturated(int partition, double alpha, const LambdaTable& lambda,
                                    double slo_ms) const {
  SaturatedGlet best;
  int pi = PartitionIndex(partition);
  if (pi < 0) {
    return best;
  }
  const std::vector<double>& eff = eff_ms_[pi];
  for (int b = 1; b <= demand_.max_batch; ++b) {
    double exec = alpha * eff[b - 1];
    if (2 * exec > slo_ms) {
      continue;
    }
    double rate = 1000.0 * lambda.MaxMean(b, SlackCycles(slo_ms, exec, exec)) / exec;
    if (rate >= best.rate_rps) {
      best = SaturatedGlet{b, exec, rate};
    }
  }
  return best;
}

}  // namespace glet::sched
