#include "serve/backend_registry.h"

#include <set>

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

}  // namespace

Result<std::string> BackendRegistry::Register(const std::string& address,
                                              std::vector<DeviceInfo> devices) {
  if (address.empty()) {
    return InvalidArgumentError("register: empty backend address");
  }
  GLET_RETURN_IF_ERROR(CheckDevices(devices));
  MutexLock lock(mu_);
  for (auto& [id, rec] : backends_) {
    if (rec.address == address) {
      rec.devices = std::move(devices);
      rec.last_seen = clock_.Now();
      cv_.notify_all();
      return id;
    }
  }
  std::string id = "b" + std::to_string(next_id_++);
  BackendRecord& rec = backends_[id];
  rec.backend_id = id;
  rec.address = address;
  rec.devices = std::move(devices);
  rec.last_seen = clock_.Now();
  cv_.notify_all();
  return id;
}

Status BackendRegistry::Heartbeat(const std::string& backend_id, std::vector<DeviceInfo> devices,
                                  std::vector<GletInfo> glets) {
  GLET_RETURN_IF_ERROR(CheckDevices(devices));
  MutexLock lock(mu_);
  auto it = backends_.find(backend_id);
  if (it == backends_.end()) {
    return NotFoundError("unknown backend '" + backend_id + "': register again");
  }
  if (!devices.empty()) {
    it->second.devices = std::move(devices);
  }
  it->second.glets = std::move(glets);
  it->second.last_seen = clock_.Now();
  cv_.notify_all();
  return Status::Ok();
}

Status BackendRegistry::Report(const std::string& backend_id, std::vector<GletCounters> counters) {
  MutexLock lock(mu_);
  auto it = backends_.find(backend_id);
  if (it == backends_.end()) {
    return NotFoundError("unknown backend '" + backend_id + "': register again");
  }
  it->second.counters = std::move(counters);
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
  std::unique_lock<Mutex> lock(mu_);
  auto snapshot = [&] {
    std::vector<BackendRecord> out;
    for (const auto& [id, rec] : backends_) {
      out.push_back(rec);
    }
    return out;
  };
  const auto steady_deadline = std::chrono::steady_clock::time_point(
      std::chrono::duration_cast<std::chrono::steady_clock::duration>(deadline.time_since_epoch()));
  return cv_.wait_until(lock, steady_deadline, [&] { return done(snapshot()); });
}

}  // namespace glet::serve
