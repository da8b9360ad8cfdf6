// The backend's core value types: what a glet must be (GletSpec, with one or more models for a
// time-shared glet), what it is now (GletInfo), and a node's devices as reported to the frontend
// (DeviceInfo). They mirror glet.control's messages of the same names; backend_proto.h converts.
//
// Thread safety: values.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "serve/proxy_stats.h"

namespace glet::serve {

struct GletModelSpec {
  std::string model;
  int batch_size = 0;   // planned batch size; > 0 also warms the model up with a batch this big
  double rate_rps = 0;  // planned throughput

  friend bool operator==(const GletModelSpec&, const GletModelSpec&) = default;
};

struct GletSpec {
  std::string glet_id;
  std::string device_id;
  int partition_percent = 100;        // 1..100
  std::vector<GletModelSpec> models;  // at least one, distinct names
  double duty_cycle_ms = 0;

  friend bool operator==(const GletSpec&, const GletSpec&) = default;
};

enum class GletState { kStarting, kReady, kDraining, kFailed };

// "STARTING", "READY", "DRAINING", "FAILED" (the proto's enum names).
std::string_view GletStateName(GletState state);

struct GletInfo {
  GletSpec spec;
  GletState state = GletState::kStarting;
  std::string proxy_address;  // "host:port" while READY or DRAINING, else empty
  std::string error;          // why FAILED, or why STARTING again after the proxy died
  int64_t proxy_pid = 0;      // 0 when no proxy process runs
  int restarts = 0;           // restarts after the proxy died, over the glet's life
  std::string slice;          // device::SliceSpec text
};

// One glet's proxy counters as its backend reports them: totals since the backend started the
// glet, summed over its proxy's restarts.
struct GletCounters {
  std::string glet_id;
  ProxyStats totals;
  int restarts = 0;

  friend bool operator==(const GletCounters&, const GletCounters&) = default;
};

struct DeviceInfo {
  std::string device_id;
  std::string kind;  // "cpu", "emulated", "cuda-mps"
  std::string name;  // for people
  int64_t memory_mib = 0;
  bool healthy = true;
  std::string error;
  std::string profile;  // the device type the scheduler plans it as (a profile name)
};

}  // namespace glet::serve
