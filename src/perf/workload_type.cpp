#include "perf/workload_type.h"

namespace glet::perf {

std::string_view WorkloadTypeName(WorkloadType type) {
  switch (type) {
    case WorkloadType::kCompute:
      return "compute";
    case WorkloadType::kMemory:
      return "memory";
    case WorkloadType::kUnknown:
      break;
  }
  return "unknown";
}

WorkloadType ClassifyWorkload(const InterferenceModel& model, const std::string& name,
                              double memory_bound_ratio) {
  if (!model.HasModel(name)) {
    return WorkloadType::kUnknown;
  }
  double sm = 0;
  double dram = 0;
  for (int b = 1; b <= 32; ++b) {
    Result<UtilSample> u = model.Util(name, b);
    if (!u.ok()) {
      return WorkloadType::kUnknown;
    }
    sm += u->sm;
    dram += u->dram;
  }
  if (sm <= 0) {
    return WorkloadType::kMemory;
  }
  return dram / sm >= memory_bound_ratio ? WorkloadType::kMemory : WorkloadType::kCompute;
}

}  // namespace glet::perf
