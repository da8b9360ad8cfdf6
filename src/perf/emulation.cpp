#include "perf/emulation.h"

#include <filesystem>
#include <map>

#include "core/mutex.h"
#include "model/model_spec.h"
#include "perf/device_profile.h"

namespace glet::perf {

std::string LatencyCsvPathFor(const std::string& profile) {
  if (profile.size() > 4 && profile.substr(profile.size() - 4) == ".csv") {
    return profile;
  }
  if (profile.find('/') != std::string::npos) {
    return profile + "/latency.csv";
  }
  return model::ResourceDir() + "/profiles/" + profile + "/latency.csv";
}

Result<std::shared_ptr<const LatencyProfile>> LoadNamedProfile(const std::string& profile) {
  static Mutex mu;
  static auto* cache GLET_PT_GUARDED_BY(mu) =
      new std::map<std::string, std::shared_ptr<const LatencyProfile>>();
  MutexLock lock(mu);
  auto it = cache->find(profile);
  if (it != cache->end()) {
    return it->second;
  }
  const std::string csv = LatencyCsvPathFor(profile);
  LatencyProfile loaded;
  const std::string dir = csv.substr(0, csv.size() - std::string("/latency.csv").size());
  if (csv != profile && std::filesystem::is_directory(dir)) {
    // A profile directory: its device.json may derive it from a base and scale its times.
    GLET_ASSIGN_OR_RETURN(DeviceProfile device, DeviceProfile::LoadDir(dir));
    loaded = std::move(device.latency);
  } else {
    GLET_ASSIGN_OR_RETURN(loaded, LatencyProfile::Load(csv));
  }
  auto shared = std::make_shared<const LatencyProfile>(std::move(loaded));
  cache->emplace(profile, shared);
  return shared;
}

Result<device::SliceOptions> SliceOptionsFor(const device::SliceSpec& spec, Clock* clock) {
  device::SliceOptions options;
  options.clock = clock;
  if (spec.kind == device::SliceKind::kEmulated) {
    auto profile = LoadNamedProfile(spec.profile);
    if (!profile.ok()) {
      return profile.status().WithContext("slice '" + spec.ToString() + "'");
    }
    std::shared_ptr<const LatencyProfile> p = *profile;
    options.latency = [p](const std::string& model, int partition, int batch) {
      return p->LatencyMs(model, partition, batch);
    };
  }
  return options;
}

Result<std::unique_ptr<device::Slice>> MakeSlice(const device::SliceSpec& spec, Clock* clock) {
  GLET_ASSIGN_OR_RETURN(device::SliceOptions options, SliceOptionsFor(spec, clock));
  return device::CreateSlice(spec, options);
}

}  // namespace glet::perf
