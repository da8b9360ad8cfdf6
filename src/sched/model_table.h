// ModelTable: per (model, partition) quantities of one model on one device type, computed once
// per plan so that the planners' inner loops are table lookups:
//   EffMs(p, b)   latency of a batch with the plan's margins: profile x latency_ratio
//                 (+ batch assembly cost when margins.batch_cost), without interference;
//   Saturated()   the saturated batch (largest b <= max_batch with 2*alpha*E(b) <= SLO: a
//                 request may wait one whole batch and then run in the next) and its throughput
//                 1000 * lambda(b) / (alpha * E(b));
//   Util(b)       kernel utilisation for the interference model (when the device has one).
// The table's partitions are the allowed ones the profile measures for the model (a device type
// may measure fewer: the CPU profile has 50 and 100). Build() fails with kInvalidArgument naming
// model/partition/batch for every profile gap inside those partitions, when the profile measures
// none of the allowed partitions, when the model does not fit the device's memory, and when the
// SLO is below the fastest possible latency (2 x E(1) on the largest partition).
//
// Thread safety: immutable after Build().
#pragma once

#include <string>
#include <vector>

#include "core/status.h"
#include "perf/device_profile.h"
#include "sched/safety.h"
#include "sched/workload.h"

namespace glet::sched {

class ModelTable;

// The tables of every model of a workload on one device type (ModelTable::Build each, first
// error returned) and the largest max_batch among them (1 for an empty workload), for a
// LambdaTable.
struct WorkloadTables {
  std::vector<ModelTable> tables;  // in workload order
  int max_batch = 1;
};
Result<WorkloadTables> BuildWorkloadTables(const Workload& workload,
                                           const perf::DeviceProfile& profile,
                                           const std::vector<int>& partitions,
                                           const SafetyMargins& margins, bool need_util);

struct SaturatedGlet {
  int batch = 0;  // 0: no batch meets the SLO at this partition
  double exec_ms = 0;
  double rate_rps = 0;
};

class ModelTable {
 public:
  // `need_util`: load utilisation for every batch (interference-aware planning).
  static Result<ModelTable> Build(const ModelDemand& demand, const perf::DeviceProfile& profile,
                                  const std::vector<int>& partitions, const SafetyMargins& margins,
                                  bool need_util);

  const ModelDemand& demand() const { return demand_; }
  const std::string& model() const { return demand_.model; }
  int max_batch() const { return demand_.max_batch; }
  double slo_ms() const { return demand_.slo_ms; }
  // Partitions this model can use, ascending (the allowed set as far as the profile measures it).
  const std::vector<int>& partitions() const { return partitions_; }
  bool HasPartition(int partition) const { return PartitionIndex(partition) >= 0; }
  int PartitionIndex(int partition) const;

  // REQUIRES: HasPartition(partition), 1 <= b <= max_batch().
  double EffMs(int partition, int b) const { return eff_ms_[PartitionIndex(partition)][b - 1]; }
  // Same, by index into partitions(). REQUIRES: 0 <= pi < partitions().size().
  const double* EffRow(int pi) const { return eff_ms_[pi].data(); }
  // min over b' >= b of EffRow(pi)[b' - 1], at [b - 1]: a lower bound on the latency of any batch
  // of at least b (profiles need not grow with the batch). REQUIRES: as EffRow.
  const double* MinEffRow(int pi) const { return min_eff_ms_[pi].data(); }
  // REQUIRES: has_util().
  const perf::UtilSample& Util(int b) const { return util_[b - 1]; }
  bool has_util() const { return !util_.empty(); }
  double mem_mib() const { return mem_mib_; }
  double input_bytes() const { return input_bytes_; }
  perf::WorkloadType type() const { return type_; }

  // max over b of b / EffMs(partition, b), in batches per ms: 1000x this bounds the throughput
  // at `partition` from above (any SLO, any Poisson margin). REQUIRES: HasPartition(partition).
  double BatchesPerMs(int partition) const { return batches_per_ms_[PartitionIndex(partition)]; }

  // Best saturated glet at `partition` under slow-down `alpha` (batch 0 if none fits the SLO).
  SaturatedGlet Saturated(int partition, double alpha, const LambdaTable& lambda) const {
    return Saturated(partition, alpha, lambda, demand_.slo_ms);
  }
  // Same under another latency objective (the app planner tries per-stage budgets).
  SaturatedGlet Saturated(int partition, double alpha, const LambdaTable& lambda,
                          double slo_ms) const;

 private:
  ModelDemand demand_;
  std::vector<int> partitions_;
  std::vector<std::vector<double>> eff_ms_;      // [partition index][b - 1]
  std::vector<std::vector<double>> min_eff_ms_;  // suffix minima of eff_ms_
  std::vector<double> batches_per_ms_;           // [partition index]
  std::vector<perf::UtilSample> util_;           // [b - 1]
  double mem_mib_ = 0;
  double input_bytes_ = 0;
  perf::WorkloadType type_ = perf::WorkloadType::kUnknown;
};

}  // namespace glet::sched
