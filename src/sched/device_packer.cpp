#include "sched/device_packer.h"

#include <algorithm>

#include "core/strings.h"

namespace glet::sched {

perf::WorkloadType GletDraft::Type() const {
  double best = -1;
  perf::WorkloadType type = perf::WorkloadType::kUnknown;
  for (size_t i = 0; i < members.size(); ++i) {
    double e = i < shape.exec_ms.size() ? shape.exec_ms[i] : 0;
    if (e > best) {
      best = e;
      type = members[i].table->type();
    }
  }
  return type;
}

double GletDraft::MemMib(const perf::DeviceProfile& profile) const {
  double mem = profile.context_mem_mib;
  for (const FitMember& m : members) {
    mem += m.table->mem_mib();
  }
  return mem;
}

double GletDraft::NetBytesPerS() const {
  double sum = 0;
  for (const FitMember& m : members) {
    sum += m.rate_rps * m.table->input_bytes();
  }
  return sum;
}

std::string GletDraft::Describe() const {
  std::vector<std::string> parts;
  for (size_t i = 0; i < members.size(); ++i) {
    parts.push_back(members[i].table->model() + " b" + std::to_string(shape.batches[i]) + " " +
                    FormatDouble(members[i].rate_rps, 1) + "rps");
  }
  return std::to_string(partition) + "% [" + Join(parts, ", ") + "] duty " +
         FormatDouble(shape.duty_ms, 2) + "ms";
}

DevicePacker::DevicePacker(const perf::DeviceProfile& profile, const LambdaTable& lambda,
                           int max_devices, bool interference, bool workload_type)
    : profile_(profile),
      lambda_(lambda),
      max_devices_(max_devices),
      interference_(interference && profile.interference.has_value()),
      workload_type_(workload_type) {}

DevicePacker::Pressure DevicePacker::PressureOf(const GletDraft& g) const {
  Pressure p;
  if (!interference_) {
    return p;
  }
  for (size_t i = 0; i < g.members.size(); ++i) {
    const perf::UtilSample& u = g.members[i].table->Util(g.shape.batches[i]);
    p.l2 = std::max(p.l2, u.l2);
    p.dram = std::max(p.dram, u.dram);
  }
  p.l2 *= g.partition / 100.0;
  p.dram *= g.partition / 100.0;
  return p;
}

double DevicePacker::AlphaOf(const GletDraft& g, size_t m, const Pressure& others) const {
  // The interference model with the neighbours summed into one load at partition 100.
  perf::GletLoad me{g.members[m].table->Util(g.shape.batches[m]), g.partition};
  perf::GletLoad rest{perf::UtilSample{0, others.l2, others.dram}, 100};
  return profile_.interference->Alpha(me, {rest});
}

bool DevicePacker::Fits(const Device& d, const GletDraft& g, double* worst_alpha) const {
  *worst_alpha = 1;
  if (d.used_partition + g.partition > 100) {
    return false;
  }
  if (d.mem_mib + g.MemMib(profile_) > profile_.mem_mib + 1e-9) {
    return false;
  }
  if (profile_.net_mbps > 0 && d.net_bytes_per_s + g.NetBytesPerS() > profile_.net_mbps * 1e6) {
    return false;
  }
  if (!interference_ || d.glets.empty()) {
    return true;
  }
  const Pressure mine = PressureOf(g);
  const Pressure total{d.total.l2 + mine.l2, d.total.dram + mine.dram};
  auto ok = [&](const GletDraft& h, const Pressure& own) {
    const Pressure others{total.l2 - own.l2, total.dram - own.dram};
    for (size_t m = 0; m < h.members.size(); ++m) {
      double a = AlphaOf(h, m, others);
      if (a > h.alpha_cap * (1 + 1e-9)) {
        return false;
      }
      *worst_alpha = std::max(*worst_alpha, a);
    }
    return true;
  };
  if (!ok(g, mine)) {
    return false;
  }
  for (size_t h = 0; h < d.glets.size(); ++h) {
    if (!ok(d.glets[h], d.pressure[h])) {
      return false;
    }
  }
  return true;
}

bool DevicePacker::Place(const GletDraft& glet, std::vector<std::string>* explain) {
  int best = -1;
  int best_type_score = 0;
  int best_used = -1;
  double best_alpha = 1;
  const perf::WorkloadType type = glet.Type();
  for (size_t i = 0; i < devices_.size(); ++i) {
    const Device& d = devices_[i];
    double alpha = 1;
    if (!Fits(d, glet, &alpha)) {
      continue;
    }
    int type_score = 0;
    if (workload_type_) {
      for (const GletDraft& other : d.glets) {
        perf::WorkloadType t = other.Type();
        if (perf::Complementary(type, t)) {
          ++type_score;
        } else if (t == type && t != perf::WorkloadType::kUnknown) {
          --type_score;
        }
      }
    }
    if (best < 0 || type_score > best_type_score ||
        (type_score == best_type_score && d.used_partition > best_used)) {
      best = static_cast<int>(i);
      best_type_score = type_score;
      best_used = d.used_partition;
      best_alpha = alpha;
    }
  }
  if (best < 0) {
    if (static_cast<int>(devices_.size()) >= max_devices_) {
      if (explain) {
        explain->push_back("place: no room for glet " + glet.Describe() + " on " +
                           std::to_string(max_devices_) + " device(s)");
      }
      return false;
    }
    devices_.emplace_back();
    best = static_cast<int>(devices_.size()) - 1;
  }
  Device& d = devices_[best];
  d.glets.push_back(glet);
  d.pressure.push_back(PressureOf(glet));
  d.total.l2 += d.pressure.back().l2;
  d.total.dram += d.pressure.back().dram;
  d.used_partition += glet.partition;
  d.mem_mib += glet.MemMib(profile_);
  d.net_bytes_per_s += glet.NetBytesPerS();
  if (explain) {
    std::string why = d.glets.size() == 1 ? "new device" : "shares the device";
    if (d.glets.size() > 1 && interference_) {
      why += ", worst slow-down " + FormatDouble(best_alpha, 3) + " within the caps";
    }
    if (d.glets.size() > 1 && workload_type_ && best_type_score > 0) {
      why += ", complementary workload types";
    }
    explain->push_back("place: glet " + glet.Describe() + " -> device " + std::to_string(best) +
                       " (" + why + ", " + std::to_string(d.used_partition) + "% used)");
  }
  return true;
}

std::vector<PlannedDevice> DevicePacker::Finish() const {
  std::vector<PlannedDevice> out;
  for (size_t i = 0; i < devices_.size(); ++i) {
    const Device& d = devices_[i];
    PlannedDevice pd;
    pd.id = static_cast<int>(i);
    pd.type = profile_.type;
    pd.mem_mib = profile_.mem_mib;
    for (size_t g = 0; g < d.glets.size(); ++g) {
      const GletDraft& draft = d.glets[g];
      PlannedGlet pg;
      pg.partition = draft.partition;
      pg.duty_ms = draft.shape.duty_ms;
      double total = 0;
      for (size_t m = 0; m < draft.members.size(); ++m) {
        const ModelTable& t = *draft.members[m].table;
        PlannedModel pm;
        pm.model = t.model();
        pm.batch = draft.shape.batches[m];
        pm.rate_rps = draft.members[m].rate_rps;
        pm.alpha = 1;
        if (interference_ && d.glets.size() > 1) {
          const Pressure others{d.total.l2 - d.pressure[g].l2, d.total.dram - d.pressure[g].dram};
          pm.alpha = AlphaOf(draft, m, others);
        }
        pm.exec_ms = t.EffMs(draft.partition, pm.batch) * pm.alpha;
        total += pm.exec_ms;
        pg.models.push_back(pm);
      }
      pg.occupancy = total / pg.duty_ms;
      std::vector<double> slos;
      for (const FitMember& fm : draft.members) {
        slos.push_back(fm.table->slo_ms());
      }
      SetLatencyAndCapacity(pg, slos, lambda_);
      pd.glets.push_back(std::move(pg));
    }
    out.push_back(std::move(pd));
  }
  return out;
}

}  // namespace glet::sched
