// WorkloadType: whether a model is compute-bound or memory-bound on a device, from its kernel
// utilisation profile (util.csv). GLET-Orion co-locates complementary types on one device: a
// compute-bound glet beside a memory-bound one contends less for L2 and DRAM than two of a kind.
//
// Rule: over the measured batches, mean DRAM utilisation / mean SM utilisation >= threshold
// (default 1.3) means memory-bound, else compute-bound. On the reference profile this makes
// mobilenet_v2, mnasnet1_0, lenet and ssd-mobilenetv1 memory-bound and resnet50, vgg16, googlenet,
// densenet161 and bert compute-bound. A model without a utilisation profile is kUnknown.
#pragma once

#include <string>
#include <string_view>

#include "perf/interference_model.h"

namespace glet::perf {

enum class WorkloadType { kUnknown, kCompute, kMemory };

inline constexpr double kDefaultMemoryBoundRatio = 1.3;

std::string_view WorkloadTypeName(WorkloadType type);  // "unknown", "compute", "memory"

// Classifies `model` (already resolved to its util.csv name).
WorkloadType ClassifyWorkload(const InterferenceModel& model, const std::string& name,
                              double memory_bound_ratio = kDefaultMemoryBoundRatio);

// True when a and b are known and differ.
inline bool Complementary(WorkloadType a, WorkloadType b) {
  return a != WorkloadType::kUnknown && b != WorkloadType::kUnknown && a != b;
}

}  // namespace glet::perf
