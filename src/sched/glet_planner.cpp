#include "sched/glet_planner.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "core/strings.h"
#include "sched/device_packer.h"
#include "sched/glet_fit.h"
#include "sched/model_table.h"
#include "sched/plan_checker.h"

namespace glet::sched {

namespace {

constexpr int kMaxMergeMembers = 8;

struct PassResult {
  bool complete = false;
  std::vector<PlannedDevice> devices;
  int used_devices = 0;
  int used_partition = 0;
  std::vector<std::string> unplaced;  // "model rate (why)"
  double unplaced_rps = 0;
  std::vector<std::string> explain;
};

double AlphaFor(int partition, double cap) { return partition >= 100 ? 1.0 : cap; }

class Pass {
 public:
  Pass(const std::vector<ModelTable>& tables, const perf::DeviceProfile& profile,
       const LambdaTable& lambda, const PlannerOptions& options, int max_devices, double cap,
       bool memory_aware, bool explain)
      : tables_(tables),
        profile_(profile),
        lambda_(lambda),
        options_(options),
        max_devices_(max_devices),
        cap_(cap),
        memory_aware_(memory_aware),
        explain_(explain) {}

  PassResult Run() {
    PassResult out;
    std::vector<GletDraft> drafts;
    std::vector<GletDraft> residues;
    // A model can never need more glets than the fleet could hold at the smallest partition.
    const double glet_limit =
        static_cast<double>(max_devices_) * (100.0 / options_.partitions.front()) + 1;
    double total_glets = 0;
    std::vector<size_t> order(tables_.size());
    for (size_t i = 0; i < order.size(); ++i) {
      order[i] = i;
    }
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      return tables_[a].demand().rate_rps > tables_[b].demand().rate_rps;
    });
    for (size_t idx : order) {
      const ModelTable& t = tables_[idx];
      const double rate = t.demand().rate_rps;
      int best_p = 0;
      SaturatedGlet best;
      double best_eff = 0;
      const double mem_share = (t.mem_mib() + profile_.context_mem_mib) / profile_.mem_mib;
      for (int p : t.partitions()) {
        SaturatedGlet s = t.Saturated(p, AlphaFor(p, cap_), lambda_);
        if (s.batch == 0) {
          continue;
        }
        // Throughput per unit of the device it uses up.
        double cost = p / 100.0;
        if (memory_aware_) {
          cost = std::max(cost, mem_share);
        }
        double eff = s.rate_rps / cost;
        if (best_p == 0 || eff > best_eff * (1 + 1e-12) ||
            (eff >= best_eff * (1 - 1e-12) && p > best_p)) {
          best = s;
          best_p = p;
          best_eff = eff;
        }
      }
      if (best_p == 0) {
        out.unplaced.push_back(t.model() + " " + FormatDouble(rate, 1) +
                               " rps (no partition meets slo_ms " + FormatDouble(t.slo_ms(), 1) +
                               " at slow-down " + FormatDouble(cap_, 2) + ")");
        out.unplaced_rps += rate;
        continue;
      }
      double n_real = std::floor(rate / best.rate_rps * (1 + 1e-12));
      total_glets += n_real;
      if (total_glets > glet_limit) {
        out.unplaced.push_back(t.model() + " " + FormatDouble(rate, 1) + " rps (needs " +
                               FormatDouble(n_real, 0) + " saturated glets of " +
                               std::to_string(best_p) + "%, more than " +
                               std::to_string(max_devices_) + " device(s) hold)");
        out.unplaced_rps += rate;
        continue;
      }
      int n = static_cast<int>(n_real);
      double residue = rate - n * best.rate_rps;
      if (residue < rate * 1e-9) {
        residue = 0;
      }
      if (explain_) {
        out.explain.push_back(
            t.model() + ": " + FormatDouble(rate, 1) + " rps, slo " + FormatDouble(t.slo_ms(), 1) +
            " ms; most cost-effective partition " + std::to_string(best_p) + "% (saturated batch " +
            std::to_string(best.batch) + ", " + FormatDouble(best.rate_rps, 1) + " rps, " +
            FormatDouble(best.rate_rps / best_p, 2) + " rps per %); " + std::to_string(n) +
            " saturated glet(s), residue " + FormatDouble(residue, 1) + " rps");
      }
      for (int k = 0; k < n; ++k) {
        GletDraft g;
        g.partition = best_p;
        g.alpha_cap = AlphaFor(best_p, cap_);
        g.members = {FitMember{&t, best.rate_rps}};
        g.shape.duty_ms = best.exec_ms;
        g.shape.occupancy = 1;
        g.shape.batches = {best.batch};
        g.shape.exec_ms = {best.exec_ms};
        drafts.push_back(std::move(g));
      }
      if (residue > 0) {
        bool found = false;
        for (int p : t.partitions()) {
          std::vector<FitMember> members = {FitMember{&t, residue}};
          std::optional<GletShape> s = FitGlet(members, p, AlphaFor(p, cap_), lambda_);
          if (s) {
            GletDraft g;
            g.partition = p;
            g.alpha_cap = AlphaFor(p, cap_);
            g.members = members;
            g.shape = *s;
            if (explain_) {
              out.explain.push_back(t.model() + ": residue " + FormatDouble(residue, 1) +
                                    " rps -> smallest partition that serves it: " + g.Describe() +
                                    ", occupancy " + FormatDouble(s->occupancy, 2));
            }
            residues.push_back(std::move(g));
            found = true;
            break;
          }
        }
        if (!found) {  // cannot happen: p* serves any rate below its saturated rate
          out.unplaced.push_back(t.model() + " residue " + FormatDouble(residue, 1) +
                                 " rps (no partition serves it)");
          out.unplaced_rps += residue;
        }
      }
    }
    MergeResidues(residues, out);
    for (GletDraft& g : residues) {
      drafts.push_back(std::move(g));
    }
    std::stable_sort(drafts.begin(), drafts.end(), [](const GletDraft& a, const GletDraft& b) {
      if (a.partition != b.partition) {
        return a.partition > b.partition;
      }
      return a.shape.occupancy > b.shape.occupancy;
    });
    DevicePacker packer(profile_, lambda_, max_devices_, options_.interference,
                        options_.workload_type);
    for (const GletDraft& g : drafts) {
      if (!packer.Place(g, explain_ ? &out.explain : nullptr)) {
        for (const FitMember& m : g.members) {
          out.unplaced.push_back(m.table->model() + " " + FormatDouble(m.rate_rps, 1) +
                                 " rps (glet of " + std::to_string(g.partition) +
                                 "% fits on no device: partitions, memory, network or "
                                 "interference)");
          out.unplaced_rps += m.rate_rps;
        }
      }
    }
    out.devices = packer.Finish();
    out.used_devices = packer.used_devices();
    for (const PlannedDevice& d : out.devices) {
      out.used_partition += d.UsedPartition();
    }
    out.complete = out.unplaced.empty();
    return out;
  }

 private:
  // Merges residue glets into time-shared glets where their batches fit in one cycle.
  void MergeResidues(std::vector<GletDraft>& residues, PassResult& out) {
    std::stable_sort(residues.begin(), residues.end(), [](const GletDraft& a, const GletDraft& b) {
      if (a.partition != b.partition) {
        return a.partition > b.partition;
      }
      return a.shape.occupancy > b.shape.occupancy;
    });
    std::vector<GletDraft> groups;
    for (GletDraft& r : residues) {
      int best = -1;
      int best_growth = r.partition;  // merging must save partition
      GletDraft best_glet;
      for (size_t gi = 0; gi < groups.size(); ++gi) {
        GletDraft& g = groups[gi];
        if (static_cast<int>(g.members.size()) >= kMaxMergeMembers ||
            g.shape.occupancy + r.shape.occupancy > 2.0) {
          continue;
        }
        std::vector<FitMember> members = g.members;
        members.push_back(r.members[0]);
        GletDraft merged;
        merged.members = members;
        if (merged.MemMib(profile_) > profile_.mem_mib) {
          continue;
        }
        // The smallest partition (>= the smaller of the two) at which the merged glet fits.
        for (int p : options_.partitions) {
          if (p < std::min(g.partition, r.partition)) {
            continue;
          }
          int growth = p - g.partition;
          if (growth >= best_growth) {
            break;
          }
          bool all_have = true;
          for (const FitMember& m : members) {
            all_have = all_have && m.table->HasPartition(p);
          }
          if (!all_have) {
            continue;
          }
          std::optional<GletShape> s = FitGlet(members, p, AlphaFor(p, cap_), lambda_);
          if (s) {
            best = static_cast<int>(gi);
            best_growth = growth;
            merged.partition = p;
            merged.alpha_cap = AlphaFor(p, cap_);
            merged.shape = *s;
            best_glet = merged;
            break;
          }
        }
      }
      if (best >= 0) {
        if (explain_) {
          out.explain.push_back("merge: " + r.members[0].table->model() + " residue (" +
                                std::to_string(r.partition) + "%) into " + groups[best].Describe() +
                                " -> " + best_glet.Describe() + ", occupancy " +
                                FormatDouble(best_glet.shape.occupancy, 2) + " (saves " +
                                std::to_string(r.partition - best_growth) + "%)");
        }
        groups[best] = std::move(best_glet);
      } else {
        groups.push_back(std::move(r));
      }
    }
    residues = std::move(groups);
  }

  const std::vector<ModelTable>& tables_;
  const perf::DeviceProfile& profile_;
  const LambdaTable& lambda_;
  const PlannerOptions& options_;
  const int max_devices_;
  const double cap_;
  const bool memory_aware_;  // cost = the larger of the partition and the memory share
  const bool explain_;
};

bool Better(const PassResult& a, const PassResult& b) {
  if (a.complete != b.complete) {
    return a.complete;
  }
  if (!a.complete) {
    return a.unplaced_rps < b.unplaced_rps;
  }
  if (a.used_devices != b.used_devices) {
    return a.used_devices < b.used_devices;
  }
  return a.used_partition < b.used_partition;
}

}  // namespace

GletPlanner::GletPlanner(std::string name, PlannerOptions options)
    : name_(std::move(name)), options_(std::move(options)) {
  std::sort(options_.partitions.begin(), options_.partitions.end());
  options_.partitions.erase(std::unique(options_.partitions.begin(), options_.partitions.end()),
                            options_.partitions.end());
}

Result<Plan> GletPlanner::MakePlan(const Workload& workload, const Fleet& fleet,
                                   std::vector<std::string>* explain) const {
  if (fleet.profile == nullptr || fleet.max_devices < 1) {
    return InvalidArgumentError("--devices: empty device budget");
  }
  GLET_RETURN_IF_ERROR(workload.Validate("workload"));
  GLET_RETURN_IF_ERROR(options_.margins.Validate());
  if (options_.partitions.empty() || options_.partitions.front() < 1 ||
      options_.partitions.back() > 100) {
    return InvalidArgumentError("--partitions: must be a non-empty list of values in 1..100");
  }
  const perf::DeviceProfile& profile = *fleet.profile;
  const bool with_int = options_.interference && profile.interference.has_value();
  std::vector<ModelTable> tables;
  int max_batch = 1;
  for (const ModelDemand& d : workload.models) {
    GLET_ASSIGN_OR_RETURN(ModelTable t, ModelTable::Build(d, profile, options_.partitions,
                                                          options_.margins, with_int));
    max_batch = std::max(max_batch, d.max_batch);
    tables.push_back(std::move(t));
  }
  LambdaTable lambda(max_batch, options_.margins);
  std::vector<double> caps = {1.0};
  if (with_int) {
    for (double a = 1.05; a <= options_.max_alpha + 1e-9; a += 0.05) {
      caps.push_back(a);
    }
  }
  PassResult best;
  double best_cap = 1;
  bool best_mem = false;
  bool have = false;
  for (bool memory_aware : {false, true}) {
    for (double cap : caps) {
      Pass pass(tables, profile, lambda, options_, fleet.max_devices, cap, memory_aware,
                explain != nullptr);
      PassResult r = pass.Run();
      if (!have || Better(r, best)) {
        best = std::move(r);
        best_cap = cap;
        best_mem = memory_aware;
        have = true;
      }
    }
  }
  if (explain) {
    if (with_int) {
      explain->push_back("interference: tried slow-down caps 1.00.." +
                         FormatDouble(caps.back(), 2) + "; kept cap " + FormatDouble(best_cap, 2) +
                         " (fewest devices, then least partition)");
    }
    explain->push_back(std::string("cost-effectiveness: ") +
                       (best_mem ? "rps per share of partition or memory, whichever is larger"
                                 : "rps per % of partition (gpu-let)") +
                       " gave the better plan");
    for (std::string& line : best.explain) {
      explain->push_back(std::move(line));
    }
  }
  if (!best.complete) {
    return ResourceExhaustedError("does not fit on " + std::to_string(fleet.max_devices) + " " +
                                  profile.type + " device(s): unplaced " +
                                  FormatDouble(best.unplaced_rps, 1) +
                                  " rps: " + Join(best.unplaced, "; "));
  }
  Plan plan;
  plan.policy = name_;
  plan.margins = options_.margins;
  plan.workload = workload.models;
  for (PlannedDevice& d : best.devices) {
    plan.devices.push_back(std::move(d));
  }
  // Every plan is checked independently before it leaves the planner.
  PlanChecker checker({{profile.type, &profile}}, with_int);
  CheckReport report = checker.Check(plan);
  if (!report.ok()) {
    return InternalError("planner " + name_ +
                         " produced an invalid plan: " + Join(report.violations, "; "));
  }
  return plan;
}

}  // namespace glet::sched
