#include "device/slice_spec.h"

#include <algorithm>

#include "core/strings.h"

namespace glet::device {

std::string_view SliceKindName(SliceKind kind) {
  switch (kind) {
    case SliceKind::kCpu:
      return "cpu";
    case SliceKind::kCudaMps:
      return "cuda";
    case SliceKind::kEmulated:
      return "emulated";
  }
  return "unknown";
}

namespace {

Result<int> ParsePercent(std::string_view text, const std::string& where) {
  GLET_ASSIGN_OR_RETURN(int64_t p, ParseInt(text, where + ": partition percent"));
  if (p < 1 || p > 100) {
    return InvalidArgumentError(where + ": partition percent must be in 1..100 (got " +
                                std::to_string(p) + ")");
  }
  return static_cast<int>(p);
}

}  // namespace

Result<SliceSpec> SliceSpec::Parse(std::string_view text) {
  const std::string where = "slice '" + std::string(text) + "'";
  std::vector<std::string> parts = Split(text, ':');
  SliceSpec spec;
  if (parts[0] == "cpu") {
    if (parts.size() != 2 || parts[1].empty()) {
      return InvalidArgumentError(where + ": expected cpu:CORES, e.g. cpu:0-1");
    }
    spec.kind = SliceKind::kCpu;
    GLET_ASSIGN_OR_RETURN(spec.cores, ParseRangeList(parts[1], where + ": cores"));
    std::sort(spec.cores.begin(), spec.cores.end());
    if (std::adjacent_find(spec.cores.begin(), spec.cores.end()) != spec.cores.end()) {
      return InvalidArgumentError(where + ": a core is listed twice");
    }
    return spec;
  }
  if (parts[0] == "cuda") {
    if (parts.size() != 3) {
      return InvalidArgumentError(where + ": expected cuda:GPU:PERCENT, e.g. cuda:0:50");
    }
    spec.kind = SliceKind::kCudaMps;
    GLET_ASSIGN_OR_RETURN(int64_t gpu, ParseInt(parts[1], where + ": gpu index"));
    if (gpu < 0) {
      return InvalidArgumentError(where + ": gpu index must be >= 0");
    }
    spec.gpu = static_cast<int>(gpu);
    GLET_ASSIGN_OR_RETURN(spec.partition, ParsePercent(parts[2], where));
    return spec;
  }
  if (parts[0] == "emulated") {
    if (parts.size() != 3 || parts[1].empty()) {
      return InvalidArgumentError(where +
                                  ": expected emulated:PROFILE:PERCENT, e.g. emulated:ref-gpu:50");
    }
    spec.kind = SliceKind::kEmulated;
    spec.profile = parts[1];
    GLET_ASSIGN_OR_RETURN(spec.partition, ParsePercent(parts[2], where));
    return spec;
  }
  return InvalidArgumentError(where + ": unknown slice kind '" + parts[0] +
                              "' (expected cpu:CORES, cuda:GPU:PERCENT or "
                              "emulated:PROFILE:PERCENT)");
}

std::string SliceSpec::ToString() const {
  switch (kind) {
    case SliceKind::kCpu: {
      std::vector<std::string> c;
      for (int core : cores) {
        c.push_back(std::to_string(core));
      }
      return "cpu:" + Join(c, ",");
    }
    case SliceKind::kCudaMps:
      return "cuda:" + std::to_string(gpu) + ":" + std::to_string(partition);
    case SliceKind::kEmulated:
      return "emulated:" + profile + ":" + std::to_string(partition);
  }
  return "";
}

}  // namespace glet::device
