#include "serve/backend_registry.h"

#include <algorithm>
#include <cstdio>
#include <random>
#include <set>

#include "core/mutex.h"
#include "core/strings.h"

namespace glet::serve {

namespace {

Status CheckDevices(const std::vector<DeviceInfo>& devices) {
  std::set<std::string> ids;
  for (const DeviceInfo& d : devices) {
    if (d.device_id.empty() || !ids.insert(d.device_id).second) {
      return InvalidArgumentError("devices: empty or duplicate device id '" + d.device_id + "'");
    }
  }
  return Status::Ok();
}

// 128 random bits, hex.
std::string NewSession() {
  static Mutex mu;
  static std::random_device device GLET_GUARDED_BY(mu);
  MutexLock lock(mu);
  std::string out;
  char buf[9];
  for (int i = 0; i < 4; ++i) {
    std::snprintf(buf, sizeof(buf), "%08x", static_cast<unsigned>(device()));
    out += buf;
  }
  return out;
}

}  // namespace

Result<Registration> BackendRegistry::Register(const std::string& address,
                                               std::vector<DeviceInfo> devices,
                                               uint64_t applied_epoch) {
  if (address.empty()) {
    return InvalidArgumentError("register: empty backend address");
  }
  GLET_RETURN_IF_ERROR(CheckDevices(devices));
  MutexLock lock(mu_);
  BackendRecord* rec = nullptr;
  for (auto& [id, r] : backends_) {
    if (r.address == address) {
      rec = &r;
      break;
    }
  }
  if (rec == nullptr) {
    std::string id = "b" + std::to_string(next_id_++);
    rec = &backends_[id];
    rec->backend_id = id;
    rec->address = address;
  }
  rec->devices = std::move(devices);
  rec->applied_epoch = applied_epoch;
  rec->last_seen = clock_.Now();
  rec->session = NewSession();
  cv_.notify_all();
  return Registration{rec->backend_id, rec->session};
}

uint64_t BackendRegistry::MaxAppliedEpoch() const {
  MutexLock lock(mu_);
  uint64_t most = 0;
  for (const auto& [id, r] : backends_) {
    most = std::max(most, r.applied_epoch);
  }
  return most;
}

Result<BackendRecord*> BackendRegistry::FindLocked(const std::string& backend_id,
                                                   const std::string& session) {
  auto it = backends_.find(backend_id);
  if (it == backends_.end()) {
    return NotFoundError("unknown backend '" + backend_id + "': register again");
  }
  if (!ConstantTimeEquals(session, it->second.session)) {
    return PermissionDeniedError("backend '" + backend_id +
                                 "': the call's session is not the one of its registration");
  }
  return &it->second;
}

Status BackendRegistry::Heartbeat(const std::string& backend_id, const std::string& session,
                                  std::vector<DeviceInfo> devices, std::vector<GletInfo> glets) {
  GLET_RETURN_IF_ERROR(CheckDevices(devices));
  MutexLock lock(mu_);
  GLET_ASSIGN_OR_RETURN(BackendRecord * rec, FindLocked(backend_id, session));
  if (!devices.empty()) {
    rec->devices = std::move(devices);
  }
  rec->glets = std::move(glets);
  rec->last_seen = clock_.Now();
  cv_.notify_all();
  return Status::Ok();
}

Status BackendRegistry::Report(const std::string& backend_id, const std::string& session,
                               std::vector<GletCounters> counters) {
  MutexLock lock(mu_);
  GLET_ASSIGN_OR_RETURN(BackendRecord * rec, FindLocked(backend_id, session));
  rec->counters = std::move(counters);
  cv_.notify_all();
  return Status::Ok();
}

std::vector<BackendRecord> BackendRegistry::ExpireStale(Duration timeout) {
  std::vector<BackendRecord> expired;
  MutexLock lock(mu_);
  const TimePoint now = clock_.Now();
  for (auto it = backends_.begin(); it != backends_.end();) {
    if (now - it->second.last_seen > timeout) {
      expired.push_back(std::move(it->second));
      it = backends_.erase(it);
    } else {
      ++it;
    }
  }
  if (!expired.empty()) {
    cv_.notify_all();
  }
  return expired;
}

std::vector<BackendRecord> BackendRegistry::Snapshot() const {
  MutexLock lock(mu_);
  std::vector<BackendRecord> out;
  for (const auto& [id, rec] : backends_) {
    out.push_back(rec);
  }
  return out;
}

bool BackendRegistry::WaitFor(const std::function<bool(const std::vector<BackendRecord>&)>& done,
                              TimePoint deadline) const {
  UniqueMutexLock lock(mu_);
  auto snapshot = [&]() GLET_REQUIRES(mu_) {
    std::vector<BackendRecord> out;
    for (const auto& [id, rec] : backends_) {
      out.push_back(rec);
    }
    return out;
  };
  const auto steady_deadline = std::chrono::steady_clock::time_point(
      std::chrono::duration_cast<std::chrono::steady_clock::duration>(deadline.time_since_epoch()));
  return cv_.wait_until(lock, steady_deadline,
                        [&]() GLET_REQUIRES(mu_) { return done(snapshot()); });
}

}  // namespace glet::serve
