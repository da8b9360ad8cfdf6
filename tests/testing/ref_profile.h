// The committed reference GPU profile (resource/profiles/ref-gpu), loaded once per test binary.
// Header-only: the test binaries that use it link glet_perf.
#pragma once

#include "perf/device_profile.h"
#include "testing/test_util.h"

namespace glet::testing {

inline const perf::DeviceProfile& RefGpuProfile() {
  static const perf::DeviceProfile profile =
      perf::DeviceProfile::LoadDir(SourcePath("resource/profiles/ref-gpu")).value();
  return profile;
}

}  // namespace glet::testing
