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
  // A glet's pressure on its neighbours: its most demanding model's L2 and DRAM utilisation,
  // scaled by its partition fraction.
  struct Pressure {
    double l2 = 0;
    double dram = 0;
  };
  struct Device {
    std::vector<GletDraft> glets;
    std::vector<Pressure> pressure;  // per glet
    Pressure total;                  // sum over glets
    int used_partition = 0;
    double mem_mib = 0;
    double net_bytes_per_s = 0;
  };
  Pressure PressureOf(const GletDraft& g) const;
  // Slow-down of member `m` of `g` when the rest of its device exerts `others`.
  double AlphaOf(const GletDraft& g, size_t m, const Pressure& others) const;
  bool Fits(const Device& d, const GletDraft& g, double* worst_alpha) const;

  const perf::DeviceProfile& profile_;  // not owned
  const LambdaTable& lambda_;           // not owned
  const int max_devices_;
  const bool interference_;
  const bool workload_type_;
  std::vector<Device> devices_;
};

}  // namespace glet::sched
