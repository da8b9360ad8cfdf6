// DevicePacker: places glets (already sized: partition, members, batches, duty cycle) onto
// devices of one type. A glet goes onto a device only if the partitions still sum to <= 100,
// memory (per glet: context + its models) and the device's network bandwidth still fit, and —
// with interference on — every glet on the device, the new one and those already there, still
// runs within the slow-down it was sized for (alpha <= its cap). With the workload-type rule,
// among the devices that fit it prefers one whose glets are of the complementary type
// (compute- vs memory-bound), then the fullest (best fit); without it, the fullest.
//
// Thread safety: not thread-safe; one packer per planning pass.
#pragma once

#include <string>
#include <vector>

#include "perf/device_profile.h"
#include "sched/glet_fit.h"
#include "sched/plan.h"

namespace glet::sched {

struct GletDraft {
  int partition = 0;
  double alpha_cap = 1;  // the slow-down the shape was sized for
  std::vector<FitMember> members;
  GletShape shape;

  perf::WorkloadType Type() const;
  double MemMib(const perf::DeviceProfile& profile) const;
  double NetBytesPerS() const;
  std::string Describe() const;  // "50% [resnet50 b16 300rps]"
};

class DevicePacker {
 public:
  // `profile` and `lambda` are not owned and must outlive the packer.
  DevicePacker(const perf::DeviceProfile& profile, const LambdaTable& lambda, int max_devices,
               bool interference, bool workload_type);

  // Places `glet`; false when no open device takes it and no new one may be opened.
  bool Place(const GletDraft& glet, std::vector<std::string>* explain);
  int used_devices() const { return static_cast<int>(devices_.size()); }
  // The placed devices with final interference factors, exec times and latencies.
  std::vector<PlannedDevice> Finish() const;

 private:
  struct Device {
    std::vector<GletDraft> glets;
    int used_partition = 0;
    double mem_mib = 0;
    double net_bytes_per_s = 0;
  };
  // Slow-downs of each member of each glet in `glets` (1 when interference is off).
  std::vector<std::vector<double>> Alphas(const std::vector<GletDraft>& glets) const;
  bool Fits(const Device& d, const GletDraft& g, double* worst_alpha) const;

  const perf::DeviceProfile& profile_;  // not owned
  const LambdaTable& lambda_;           // not owned
  const int max_devices_;
  const bool interference_;
  const bool workload_type_;
  std::vector<Device> devices_;
};

}  // namespace glet::sched
