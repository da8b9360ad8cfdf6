// BackendRegistry: the frontend's view of the nodes — which backends registered, their devices,
// the glets they run, their proxies' latest counters and when each was last heard from. Fed by
// the FrontendControl service (RegisterBackend, Heartbeat, Report); read by the Controller. A
// backend silent for longer than the heartbeat timeout is expired: its devices leave the pool and
// its glets are reported lost.
//
// Thread safety: all methods may be called from any thread; WaitFor() blocks on a condition
// variable that every change signals.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/mutex.h"
#include "core/status.h"
#include "serve/backend_types.h"

namespace glet::serve {

struct BackendRecord {
  std::string backend_id;  // "b1", "b2", ... in order of registration
  std::string address;     // host:port of its BackendControl service
  std::vector<DeviceInfo> devices;
  std::vector<GletInfo> glets;         // as of the last heartbeat
  std::vector<GletCounters> counters;  // as of the last report
  TimePoint last_seen{};               // last registration or heartbeat
  std::string session;                 // the secret its heartbeats and reports must carry
  uint64_t applied_epoch = 0;          // the last plan it had applied when it registered
};

struct Registration {
  std::string backend_id;
  std::string session;
};

class BackendRegistry {
 public:
  explicit BackendRegistry(Clock& clock) : clock_(clock) {}

  // Registers (or re-registers, by address) a backend; returns its id and a new random session
  // secret (a re-registration's replaces the old one). kInvalidArgument for an empty address or
  // duplicate device ids. `applied_epoch` is the epoch of the last plan it applied (0: none).
  Result<Registration> Register(const std::string& address, std::vector<DeviceInfo> devices,
                                uint64_t applied_epoch = 0);
  // The highest applied_epoch any registered backend reported (0 if none): plans must be newer.
  uint64_t MaxAppliedEpoch() const;
  // kNotFound for an unknown (or expired) id: the backend must register again.
  // kPermissionDenied when `session` is not the one of the id's registration (another process
  // speaking for the backend, or a replaced registration).
  Status Heartbeat(const std::string& backend_id, const std::string& session,
                   std::vector<DeviceInfo> devices, std::vector<GletInfo> glets);
  // Keeps `counters` as the backend's latest report (replacing the previous one). kNotFound and
  // kPermissionDenied as Heartbeat().
  Status Report(const std::string& backend_id, const std::string& session,
                std::vector<GletCounters> counters);
  // Removes backends not heard from within `timeout`; returns them.
  std::vector<BackendRecord> ExpireStale(Duration timeout);

  std::vector<BackendRecord> Snapshot() const;
  // Waits until `done(Snapshot())` holds or `deadline` (real time) passes.
  bool WaitFor(const std::function<bool(const std::vector<BackendRecord>&)>& done,
               TimePoint deadline) const;

 private:
  // The record of `backend_id` if `session` is its registration's.
  Result<BackendRecord*> FindLocked(const std::string& backend_id, const std::string& session)
      GLET_REQUIRES(mu_);

  Clock& clock_;  // not owned
  mutable Mutex mu_;
  mutable CondVar cv_;
  std::map<std::string, BackendRecord> backends_ GLET_GUARDED_BY(mu_);
  int next_id_ GLET_GUARDED_BY(mu_) = 1;
};

}  // namespace glet::serve
