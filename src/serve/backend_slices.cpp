#include "serve/backend_slices.h"

#include <cmath>
#include <set>

#include "core/strings.h"

namespace glet::serve {
namespace {

std::string GletPrefix(const GletSpec& glet) { return "glet '" + glet.glet_id + "': "; }

std::string CoresText(const std::vector<int>& cores) {
  std::vector<std::string> parts;
  for (int c : cores) {
    parts.push_back(std::to_string(c));
  }
  return parts.empty() ? "none" : Join(parts, ",");
}

}  // namespace

Status ValidateGletSpec(const GletSpec& glet, const model::NodeSpec& node,
                        const model::ModelManifest& manifest) {
  if (glet.glet_id.empty()) {
    return InvalidArgumentError("glet_id: must not be empty");
  }
  const std::string prefix = GletPrefix(glet);
  if (node.Find(glet.device_id) == nullptr) {
    std::vector<std::string> ids;
    for (const model::DeviceSpec& d : node.devices) {
      ids.push_back(d.id);
    }
    return NotFoundError(prefix + "device '" + glet.device_id + "' is not on node " + node.node +
                         " (devices: " + Join(ids, ", ") + ")");
  }
  if (glet.partition_percent < 1 || glet.partition_percent > 100) {
    return InvalidArgumentError(prefix + "partition_percent must be 1..100 (got " +
                                std::to_string(glet.partition_percent) + ")");
  }
  if (!(glet.duty_cycle_ms >= 0)) {
    return InvalidArgumentError(prefix + "duty_cycle_ms must be >= 0 (got " +
                                std::to_string(glet.duty_cycle_ms) + ")");
  }
  if (glet.models.empty()) {
    return InvalidArgumentError(prefix + "models: must list at least one model");
  }
  std::set<std::string> seen;
  for (size_t i = 0; i < glet.models.size(); ++i) {
    const GletModelSpec& m = glet.models[i];
    const std::string where = prefix + "models[" + std::to_string(i) + "]: ";
    Result<const model::ModelSpec*> spec = manifest.Find(m.model);
    if (!spec.ok()) {
      return InvalidArgumentError(where + spec.status().message());
    }
    if (!seen.insert(m.model).second) {
      return InvalidArgumentError(where + "model '" + m.model + "' listed twice");
    }
    if (m.batch_size < 0 || m.batch_size > (*spec)->max_batch) {
      return InvalidArgumentError(where + "batch_size must be 0.." +
                                  std::to_string((*spec)->max_batch) + " for '" + m.model +
                                  "' (got " + std::to_string(m.batch_size) + ")");
    }
    if (!(m.rate_rps >= 0)) {
      return InvalidArgumentError(where + "rate_rps must be >= 0 (got " +
                                  std::to_string(m.rate_rps) + ")");
    }
  }
  return Status::Ok();
}

Result<std::vector<device::SliceSpec>> AssignSlices(
    const model::NodeSpec& node, const model::ModelManifest& manifest,
    const std::vector<GletSpec>& glets, const std::map<std::string, device::SliceSpec>& fixed) {
  std::set<std::string> ids;
  std::map<std::string, int> percent_by_device;
  std::map<std::string, std::vector<std::string>> glets_by_device;
  for (const GletSpec& glet : glets) {
    GLET_RETURN_IF_ERROR(ValidateGletSpec(glet, node, manifest));
    if (!ids.insert(glet.glet_id).second) {
      return InvalidArgumentError(GletPrefix(glet) + "glet_id used twice");
    }
    percent_by_device[glet.device_id] += glet.partition_percent;
    glets_by_device[glet.device_id].push_back(glet.glet_id);
  }
  for (const auto& [device, percent] : percent_by_device) {
    if (percent > 100) {
      return ResourceExhaustedError("device '" + device + "': glets " +
                                    Join(glets_by_device[device], ", ") + " take " +
                                    std::to_string(percent) + "% (> 100)");
    }
  }
  // Cores held by glets that keep their slices.
  std::set<int> taken;
  for (const GletSpec& glet : glets) {
    auto it = fixed.find(glet.glet_id);
    if (it != fixed.end() && it->second.kind == device::SliceKind::kCpu) {
      taken.insert(it->second.cores.begin(), it->second.cores.end());
    }
  }
  std::vector<device::SliceSpec> out;
  out.reserve(glets.size());
  for (const GletSpec& glet : glets) {
    auto it = fixed.find(glet.glet_id);
    if (it != fixed.end()) {
      out.push_back(it->second);
      continue;
    }
    const model::DeviceSpec& dev = *node.Find(glet.device_id);
    device::SliceSpec slice;
    switch (dev.kind) {
      case model::DeviceKind::kCpu: {
        const int total = static_cast<int>(dev.cores.size());
        const int need =
            std::max(1, static_cast<int>(std::lround(glet.partition_percent / 100.0 * total)));
        std::vector<int> free;
        for (int c : dev.cores) {
          if (taken.count(c) == 0) {
            free.push_back(c);
          }
        }
        if (static_cast<int>(free.size()) < need) {
          return ResourceExhaustedError(GletPrefix(glet) + "device '" + dev.id + "': needs " +
                                        std::to_string(need) + " core(s) for " +
                                        std::to_string(glet.partition_percent) + "% of " +
                                        std::to_string(total) + ", free: " + CoresText(free));
        }
        slice.kind = device::SliceKind::kCpu;
        slice.cores.assign(free.begin(), free.begin() + need);
        taken.insert(slice.cores.begin(), slice.cores.end());
        break;
      }
      case model::DeviceKind::kEmulated:
        slice.kind = device::SliceKind::kEmulated;
        slice.profile = dev.profile;
        slice.partition = glet.partition_percent;
        break;
      case model::DeviceKind::kCudaMps:
        slice.kind = device::SliceKind::kCudaMps;
        slice.gpu = dev.cuda_device;
        slice.partition = glet.partition_percent;
        break;
    }
    out.push_back(std::move(slice));
  }
  return out;
}

std::vector<DeviceInfo> DescribeDevices(const model::NodeSpec& node) {
  std::vector<DeviceInfo> out;
  for (const model::DeviceSpec& d : node.devices) {
    DeviceInfo info;
    info.device_id = d.id;
    info.kind = std::string(model::DeviceKindName(d.kind));
    switch (d.kind) {
      case model::DeviceKind::kCpu:
        info.name = "cpu cores " + CoresText(d.cores);
        info.profile = "cpu";
        info.profile = "cpu";
        break;
      case model::DeviceKind::kEmulated:
        info.name = "emulated " + d.profile;
        info.profile = d.profile;
        info.profile = d.profile;
        break;
      case model::DeviceKind::kCudaMps:
        info.name = "cuda:" + std::to_string(d.cuda_device) + " (MPS)";
        info.profile = d.profile;
        break;
    }
    info.memory_mib = static_cast<int64_t>(d.mem_mib);
    info.healthy = true;
    out.push_back(std::move(info));
  }
  return out;
}

}  // namespace glet::serve
