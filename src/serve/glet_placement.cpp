#include "serve/glet_placement.h"

#include <algorithm>
#include <set>

#include "sched/device_assignment.h"
#include "sched/glet_reuse.h"
#include "serve/lane_latency.h"

namespace glet::serve {
namespace {

// What a placed glet runs, for sched::MatchUnchangedGlets(): its device is the backend's.
sched::GletWork PlacedWork(const std::string& backend_id, const GletSpec& spec) {
  sched::GletWork w;
  w.device = backend_id + "/" + spec.device_id;
  w.partition_percent = spec.partition_percent;
  for (const GletModelSpec& m : spec.models) {
    w.models.emplace_back(m.model, m.batch_size);
  }
  return w;
}

}  // namespace

Result<std::vector<PlacedGlet>> PlaceGlets(
    const sched::Plan& plan, const std::map<std::string, const perf::DeviceProfile*>& profiles,
    const std::vector<BackendRecord>& backends, const std::vector<PlacedGlet>& running,
    double host_overhead_ms) {
  // The healthy devices of the planned types, in registration order.
  struct Slot {
    const BackendRecord* backend;
    std::string device_id;
  };
  std::vector<Slot> slots;
  std::vector<sched::PhysicalDevice> physical;
  for (const BackendRecord& b : backends) {
    for (const DeviceInfo& d : b.devices) {
      if (d.healthy && profiles.count(d.profile) > 0) {
        slots.push_back({&b, d.device_id});
        physical.push_back({b.backend_id + "/" + d.device_id, d.profile});
      }
    }
  }
  std::vector<sched::GletWork> running_work;
  for (const PlacedGlet& old : running) {
    running_work.push_back(PlacedWork(old.backend_id, old.spec));
  }
  GLET_ASSIGN_OR_RETURN(std::vector<int> assigned,
                        sched::AssignDevices(plan, physical, running_work));
  std::vector<PlacedGlet> next;
  for (size_t di = 0; di < plan.devices.size(); ++di) {
    const sched::PlannedDevice& dev = plan.devices[di];
    if (dev.glets.empty()) {
      continue;
    }
    auto profile = profiles.find(dev.type);
    if (profile == profiles.end() || profile->second == nullptr) {
      return InvalidArgumentError("planned device type '" + dev.type + "' has no profile");
    }
    const Slot& s = slots[assigned[di]];
    for (const sched::PlannedGlet& g : dev.glets) {
      PlacedGlet p;
      p.backend_id = s.backend->backend_id;
      p.backend_address = s.backend->address;
      p.spec.device_id = s.device_id;
      p.spec.partition_percent = g.partition;
      p.spec.duty_cycle_ms = g.duty_ms;
      p.duty_cycle_ms = g.duty_ms;
      for (const sched::PlannedModel& m : g.models) {
        p.spec.models.push_back({m.model, m.batch, m.rate_rps});
        p.batch_latency[m.model] =
            LaneBatchLatencies(*profile->second, m, g.partition, host_overhead_ms);
        p.rate_rps[m.model] = m.rate_rps > 0 ? m.rate_rps : std::max(1.0, m.capacity_rps);
      }
      next.push_back(std::move(p));
    }
  }
  // Keep the running glets that do exactly this work (no restart, no re-warm-up).
  std::vector<sched::GletWork> next_work;
  for (const PlacedGlet& p : next) {
    next_work.push_back(PlacedWork(p.backend_id, p.spec));
  }
  const std::vector<int> kept = sched::MatchUnchangedGlets(running_work, next_work);
  int counter = 0;
  for (size_t i = 0; i < next.size(); ++i) {
    if (kept[i] >= 0) {
      // The backend keeps a glet only when its spec is identical: send the running one.
      const PlacedGlet& old = running[kept[i]];
      next[i].spec = old.spec;
      next[i].proxy_address = old.proxy_address;
      next[i].up = old.up;
    } else {
      next[i].spec.glet_id = "e" + std::to_string(plan.epoch) + "g" + std::to_string(counter++);
    }
  }
  return next;
}

std::vector<NodeChange> PlanNodeChanges(const std::vector<PlacedGlet>& next,
                                        const std::vector<PlacedGlet>& running,
                                        const std::vector<BackendRecord>& backends) {
  std::set<std::string> addresses;
  for (const BackendRecord& b : backends) {
    addresses.insert(b.address);
  }
  std::vector<NodeChange> changes;
  for (const std::string& address : addresses) {
    NodeChange c;
    c.address = address;
    for (const PlacedGlet& p : next) {
      if (p.backend_address == address) {
        c.target.push_back(p.spec);
      }
    }
    c.overlap = c.target;
    for (const PlacedGlet& old : running) {
      if (old.backend_address == address &&
          std::none_of(c.overlap.begin(), c.overlap.end(),
                       [&](const GletSpec& g) { return g.glet_id == old.spec.glet_id; })) {
        c.overlap.push_back(old.spec);
      }
    }
    changes.push_back(std::move(c));
  }
  return changes;
}

std::vector<PlacedGlet> InterimPlacement(const std::vector<PlacedGlet>& next,
                                         const std::vector<PlacedGlet>& running,
                                         const std::vector<std::string>& switched) {
  auto on_switched = [&](const PlacedGlet& p) {
    return std::find(switched.begin(), switched.end(), p.backend_address) != switched.end();
  };
  auto in_next = [&](const PlacedGlet& p) {
    return std::any_of(next.begin(), next.end(),
                       [&](const PlacedGlet& n) { return n.spec.glet_id == p.spec.glet_id; });
  };
  std::vector<PlacedGlet> out;
  for (const PlacedGlet& p : next) {
    if (!p.proxy_address.empty()) {
      out.push_back(p);  // started elsewhere, or kept
    }
  }
  for (const PlacedGlet& p : running) {
    if (!in_next(p) && !on_switched(p)) {
      out.push_back(p);  // retiring on a node that holds old and new together
    }
  }
  std::set<std::string> up;  // models with a glet up in `out` so far
  for (const PlacedGlet& p : out) {
    if (p.up) {
      for (const GletModelSpec& m : p.spec.models) {
        up.insert(m.model);
      }
    }
  }
  for (const PlacedGlet& p : running) {
    if (in_next(p) || !on_switched(p)) {
      continue;
    }
    PlacedGlet keep = p;  // retiring on a switched node: only for models with nowhere else to go
    std::erase_if(keep.spec.models, [&](const GletModelSpec& m) { return up.count(m.model) > 0; });
    if (!keep.spec.models.empty()) {
      out.push_back(std::move(keep));
    }
  }
  return out;
}

std::string DescribePlacement(const std::vector<PlacedGlet>& placed) {
  std::string glets;
  for (const PlacedGlet& p : placed) {
    std::string models;
    for (const GletModelSpec& m : p.spec.models) {
      models += (models.empty() ? "" : " ") + m.model + " b" + std::to_string(m.batch_size);
    }
    glets += (glets.empty() ? "" : ", ") + p.spec.glet_id + " " + p.spec.device_id + "@" +
             p.backend_id + " " + std::to_string(p.spec.partition_percent) + "% [" + models + "]";
  }
  return glets;
}

}  // namespace glet::serve
