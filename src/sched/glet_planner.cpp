#include "sched/glet_planner.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>

#include "core/strings.h"
#include "sched/device_packer.h"
#include "sched/glet_fit.h"
#include "sched/model_table.h"
#include "sched/plan_checker.h"
#include "sched/type_split.h"

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

// A model's share of the load of one device type.
struct Assigned {
  const ModelTable* table = nullptr;  // not owned; the device type's table of the model
  double rate_rps = 0;
};

class Pass {
 public:
  Pass(const std::vector<Assigned>& load, const perf::DeviceProfile& profile,
       const LambdaTable& lambda, const PlannerOptions& options, int max_devices, double cap,
       bool memory_aware, bool explain)
      : load_(load),
        profile_(profile),
        lambda_(lambda),
        options_(options),
        max_devices_(max_devices),
        cap_(cap),
        memory_aware_(memory_aware),
        explain_(explain) {}

  // Each model's most cost-effective partition (0 when none meets its SLO), in load order: two
  // passes with the same choices plan alike.
  std::vector<int> Choices() const {
    std::vector<int> out;
    for (const Assigned& a : load_) {
      SaturatedGlet unused;
      out.push_back(BestPartition(*a.table, &unused));
    }
    return out;
  }

  PassResult Run() {
    PassResult out;
    std::vector<GletDraft> drafts;
    std::vector<GletDraft> residues;
    // A model can never need more glets than the fleet could hold at the smallest partition.
    const double glet_limit =
        static_cast<double>(max_devices_) * (100.0 / options_.partitions.front()) + 1;
    double total_glets = 0;
    std::vector<size_t> order(load_.size());
    for (size_t i = 0; i < order.size(); ++i) {
      order[i] = i;
    }
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return load_[a].rate_rps > load_[b].rate_rps; });
    for (size_t idx : order) {
      const ModelTable& t = *load_[idx].table;
      const double rate = load_[idx].rate_rps;
      SaturatedGlet best;
      const int best_p = BestPartition(t, &best);
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
          std::optional<GletShape> s = Fit(members, p);
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
  // The most cost-effective partition of `t` (saturated throughput per unit of the device it uses
  // up) and its saturated glet, or 0 when no partition meets the SLO at this pass's cap.
  int BestPartition(const ModelTable& t, SaturatedGlet* best) const {
    int best_p = 0;
    double best_eff = 0;
    const double mem_share = (t.mem_mib() + profile_.context_mem_mib) / profile_.mem_mib;
    for (int p : t.partitions()) {
      SaturatedGlet s = t.Saturated(p, AlphaFor(p, cap_), lambda_);
      if (s.batch == 0) {
        continue;
      }
      double cost = p / 100.0;
      if (memory_aware_) {
        cost = std::max(cost, mem_share);
      }
      double eff = s.rate_rps / cost;
      if (best_p == 0 || eff > best_eff * (1 + 1e-12) ||
          (eff >= best_eff * (1 - 1e-12) && p > best_p)) {
        *best = s;
        best_p = p;
        best_eff = eff;
      }
    }
    return best_p;
  }

  std::optional<GletShape> Fit(const std::vector<FitMember>& members, int p) const {
    return FitGlet(members, p, AlphaFor(p, cap_), lambda_, options_.prune_fits);
  }

  // What MergeResidues keeps per group so that trying a merge extends it by one member: the
  // group's GletDraft::MemMib and, per allowed partition (options_.partitions' order), whether
  // every member has it and FitGlet's quick sums there (the same sums in the same order).
  struct GroupSums {
    double mem_mib = 0;
    std::vector<bool> all_have;
    std::vector<FitQuickSums> quick;
  };
  GroupSums SumsOf(const GletDraft& g) const {
    GroupSums out;
    out.mem_mib = g.MemMib(profile_);
    for (int p : options_.partitions) {
      bool all_have = true;
      for (const FitMember& m : g.members) {
        all_have = all_have && m.table->HasPartition(p);
      }
      FitQuickSums quick;
      if (all_have) {
        for (const FitMember& m : g.members) {
          quick.Add(m, p, AlphaFor(p, cap_));
        }
      }
      out.all_have.push_back(all_have);
      out.quick.push_back(quick);
    }
    return out;
  }

  // Merges residue glets into time-shared glets where their batches fit in one cycle.
  void MergeResidues(std::vector<GletDraft>& residues, PassResult& out) {
    std::stable_sort(residues.begin(), residues.end(), [](const GletDraft& a, const GletDraft& b) {
      if (a.partition != b.partition) {
        return a.partition > b.partition;
      }
      return a.shape.occupancy > b.shape.occupancy;
    });
    std::vector<GletDraft> groups;
    std::vector<GroupSums> sums;  // per group
    for (GletDraft& r : residues) {
      int best = -1;
      int best_growth = r.partition;  // merging must save partition
      GletDraft best_glet;
      const FitMember& rm = r.members[0];
      for (size_t gi = 0; gi < groups.size(); ++gi) {
        const GletDraft& g = groups[gi];
        const GroupSums& gs = sums[gi];
        if (static_cast<int>(g.members.size()) >= kMaxMergeMembers ||
            g.shape.occupancy + r.shape.occupancy > 2.0) {
          continue;
        }
        if (gs.mem_mib + rm.table->mem_mib() > profile_.mem_mib) {
          continue;
        }
        std::vector<FitMember> members;  // g's and r's, made for the first cycle search
        // The smallest partition (>= the smaller of the two) at which the merged glet fits.
        for (size_t pi = 0; pi < options_.partitions.size(); ++pi) {
          const int p = options_.partitions[pi];
          if (p < std::min(g.partition, r.partition)) {
            continue;
          }
          int growth = p - g.partition;
          if (growth >= best_growth) {
            break;
          }
          if (!gs.all_have[pi] || !rm.table->HasPartition(p)) {
            continue;
          }
          FitQuickSums quick = gs.quick[pi];
          quick.Add(rm, p, AlphaFor(p, cap_));
          if (quick.Rejects()) {
            continue;  // FitGlet's first test, without copying the members
          }
          if (members.empty()) {
            members = g.members;
            members.push_back(rm);
          }
          std::optional<GletShape> s = Fit(members, p);
          if (s) {
            best = static_cast<int>(gi);
            best_growth = growth;
            best_glet.members = members;
            best_glet.partition = p;
            best_glet.alpha_cap = AlphaFor(p, cap_);
            best_glet.shape = *s;
            break;
          }
        }
      }
      if (best >= 0) {
        if (explain_) {
          out.explain.push_back("merge: " + rm.table->model() + " residue (" +
                                std::to_string(r.partition) + "%) into " + groups[best].Describe() +
                                " -> " + best_glet.Describe() + ", occupancy " +
                                FormatDouble(best_glet.shape.occupancy, 2) + " (saves " +
                                std::to_string(r.partition - best_growth) + "%)");
        }
        groups[best] = std::move(best_glet);
        sums[best] = SumsOf(groups[best]);
      } else {
        sums.push_back(SumsOf(r));
        groups.push_back(std::move(r));
      }
    }
    residues = std::move(groups);
  }

  const std::vector<Assigned>& load_;
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

// One device type of the fleet with its tables (per workload model; none where the type cannot
// run the model) and the best plan of a given load on it.
struct TypeTables {
  const DevicePool* pool = nullptr;  // not owned
  bool with_int = false;
  std::vector<std::optional<ModelTable>> tables;  // per workload model
  std::vector<std::string> why_not;               // per model without a table
  std::vector<double> rps_per_device;             // saturated rps of a whole device, at best
};

struct TypePlan {
  PassResult best;
  double cap = 1;
  bool memory_aware = false;
};

// Plans `rates` (per workload model, 0 = none) on one device type: every interference cap and
// both cost rules, keeping the best pass; with `first_fit` stops at the first complete pass (a
// feasibility test).
TypePlan PlanType(const TypeTables& tt, const std::vector<double>& rates, const LambdaTable& lambda,
                  const PlannerOptions& options, bool first_fit, bool explain) {
  std::vector<Assigned> load;
  for (size_t m = 0; m < rates.size(); ++m) {
    if (rates[m] > 0) {
      load.push_back(Assigned{&*tt.tables[m], rates[m]});
    }
  }
  std::vector<double> caps = {1.0};
  if (tt.with_int) {
    for (double a = 1.05; a <= options.max_alpha + 1e-9; a += 0.05) {
      caps.push_back(a);
    }
  }
  TypePlan out;
  bool have = false;
  std::vector<std::vector<int>> plain_choices;  // per cap, of the memory-blind passes
  for (bool memory_aware : {false, true}) {
    for (size_t ci = 0; ci < caps.size(); ++ci) {
      const double cap = caps[ci];
      Pass pass(load, *tt.pool->profile, lambda, options, tt.pool->max_devices, cap, memory_aware,
                explain);
      if (!memory_aware) {
        plain_choices.push_back(pass.Choices());
      } else if (ci < plain_choices.size() && pass.Choices() == plain_choices[ci]) {
        continue;  // memory does not change any choice: the same pass again
      }
      PassResult r = pass.Run();
      if (!have || Better(r, out.best)) {
        out.best = std::move(r);
        out.cap = cap;
        out.memory_aware = memory_aware;
        have = true;
      }
      if (first_fit && out.best.complete) {
        return out;
      }
    }
  }
  if (explain) {
    std::vector<std::string> lines;
    if (tt.with_int) {
      lines.push_back("interference: tried slow-down caps 1.00.." + FormatDouble(caps.back(), 2) +
                      "; kept cap " + FormatDouble(out.cap, 2) +
                      " (fewest devices, then least partition)");
    }
    lines.push_back(std::string("cost-effectiveness: ") +
                    (out.memory_aware ? "rps per share of partition or memory, whichever is larger"
                                      : "rps per % of partition (gpu-let)") +
                    " gave the better plan");
    out.best.explain.insert(out.best.explain.begin(), lines.begin(), lines.end());
  }
  return out;
}

// Saturated rps of a whole device of the table's type: the best partition's saturated glets
// side by side, without interference.
double RpsPerDevice(const ModelTable& t, const LambdaTable& lambda) {
  double best = 0;
  for (int p : t.partitions()) {
    best = std::max(best, t.Saturated(p, 1.0, lambda).rate_rps * 100.0 / p);
  }
  return best;
}

// --explain lines for a fleet of several types: each model's value per type, where it went, why.
void ExplainTypes(const Workload& workload, const Fleet& fleet,
                  const std::vector<TypeTables>& types,
                  const std::vector<std::vector<double>>& value, const TypeSplit& split,
                  std::vector<std::string>& out) {
  std::vector<std::string> pools;
  for (const DevicePool& p : fleet.pools) {
    pools.push_back(p.type() + ":" + std::to_string(p.max_devices) + " (cost " +
                    FormatDouble(p.cost(), 2) + " per device)");
  }
  out.push_back("fleet: " + Join(pools, ", ") +
                "; each model goes first to the type that serves it for the least cost (most "
                "saturated rps of a whole device per unit of cost), the rest where it costs "
                "least relative to that type");
  for (size_t m = 0; m < workload.models.size(); ++m) {
    const ModelDemand& d = workload.models[m];
    std::vector<std::string> parts;
    int runs = 0;
    for (size_t p = 0; p < types.size(); ++p) {
      if (types[p].tables[m]) {
        ++runs;
        parts.push_back(fleet.pools[p].type() + " " + FormatDouble(types[p].rps_per_device[m], 1) +
                        " rps per device = " + FormatDouble(value[p][m], 1) + " per unit of cost");
      } else {
        parts.push_back(fleet.pools[p].type() + " cannot run it (" + types[p].why_not[m] + ")");
      }
    }
    const int pref = split.preferred[m];
    const std::string pref_type = pref >= 0 ? fleet.pools[pref].type() : "none";
    std::vector<std::string> on;
    double on_pref = 0;
    for (size_t p = 0; p < split.rates.size(); ++p) {
      const double r = split.rates[p][m];
      if (r > 0) {
        on.push_back(fleet.pools[p].type() + " " + FormatDouble(r, 1) + " rps");
      }
      if (static_cast<int>(p) == pref) {
        on_pref = r;
      }
    }
    std::string why;
    if (runs == 1) {
      why = "only " + pref_type + " runs it";
    } else if (on_pref >= d.rate_rps * (1 - 1e-9)) {
      why = "all on " + pref_type + ", the cheapest";
    } else if (split.moved_for_cost) {
      why = "cheapest per rps on " + pref_type +
            ", but devices come whole and this split costs less in all";
    } else {
      why = "cheapest on " + pref_type + ", whose budget does not take it all";
    }
    out.push_back("type: " + d.model + " " + FormatDouble(d.rate_rps, 1) +
                  " rps: " + Join(parts, ", ") + " -> " + Join(on, ", ") + " (" + why + ")");
  }
  out.push_back("type split: " + std::to_string(split.fits_calls) + " trial plans" +
                (split.ok ? "; cost " + FormatDouble(split.cost, 2) +
                                (split.moved_for_cost
                                     ? ", less than at the split nearest each model's cheapest "
                                       "type (devices come whole)"
                                     : "")
                          : "; no division of the rates over the types fits (above: the "
                            "last one tried)"));
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
  GLET_RETURN_IF_ERROR(fleet.Validate());
  GLET_RETURN_IF_ERROR(workload.Validate("workload"));
  GLET_RETURN_IF_ERROR(options_.margins.Validate());
  if (options_.partitions.empty() || options_.partitions.front() < 1 ||
      options_.partitions.back() > 100) {
    return InvalidArgumentError("--partitions: must be a non-empty list of values in 1..100");
  }
  const bool several = !fleet.single_type();
  const size_t models = workload.models.size();
  int max_batch = 1;
  for (const ModelDemand& d : workload.models) {
    max_batch = std::max(max_batch, d.max_batch);
  }
  LambdaTable lambda(max_batch, options_.margins);
  // Tables per (device type, model). With one type every model must run on it (its error
  // stands); with several, a model needs one type that runs it.
  std::vector<TypeTables> types(fleet.pools.size());
  for (size_t p = 0; p < fleet.pools.size(); ++p) {
    TypeTables& tt = types[p];
    tt.pool = &fleet.pools[p];
    const perf::DeviceProfile& profile = *tt.pool->profile;
    tt.with_int = options_.interference && profile.interference.has_value();
    tt.tables.resize(models);
    tt.why_not.resize(models);
    tt.rps_per_device.assign(models, 0);
    for (size_t m = 0; m < models; ++m) {
      Result<ModelTable> t = ModelTable::Build(workload.models[m], profile, options_.partitions,
                                               options_.margins, tt.with_int);
      if (!t.ok()) {
        if (!several) {
          return t.status();
        }
        tt.why_not[m] = t.status().message();
        continue;
      }
      tt.rps_per_device[m] = RpsPerDevice(*t, lambda);
      tt.tables[m] = std::move(t).value();
    }
  }
  std::vector<double> rates(models);
  for (size_t m = 0; m < models; ++m) {
    rates[m] = workload.models[m].rate_rps;
  }
  std::vector<std::vector<double>> split = {rates};
  if (several) {
    // value[p][m]: rps per unit of cost; 0 where the type cannot run the model.
    std::vector<std::vector<double>> value(types.size(), std::vector<double>(models, 0));
    for (size_t m = 0; m < models; ++m) {
      std::vector<std::string> reasons;
      for (size_t p = 0; p < types.size(); ++p) {
        if (types[p].tables[m]) {
          value[p][m] = types[p].rps_per_device[m] / fleet.pools[p].cost();
        } else {
          reasons.push_back(fleet.pools[p].type() + ": " + types[p].why_not[m]);
        }
      }
      if (reasons.size() == types.size()) {
        return InvalidArgumentError("model '" + workload.models[m].model +
                                    "': no device type of the budget " + fleet.ToString() +
                                    " can run it (" + Join(reasons, "; ") + ")");
      }
    }
    PoolFits fits = [&](size_t p, const std::vector<double>& r) {
      return PlanType(types[p], r, lambda, options_, /*first_fit=*/true, false).best.complete;
    };
    PoolCost cost = [&](size_t p, const std::vector<double>& r) {
      return PlanType(types[p], r, lambda, options_, false, false).best.used_devices *
             fleet.pools[p].cost();
    };
    TypeSplit ts = SplitAcrossTypes(rates, value, fits, cost);
    if (explain) {
      ExplainTypes(workload, fleet, types, value, ts, *explain);
    }
    split = std::move(ts.rates);
    if (!ts.ok) {
      // Say what does not fit at the split the search ended on.
      std::vector<std::string> unplaced;
      double unplaced_rps = 0;
      for (size_t p = 0; p < types.size(); ++p) {
        TypePlan tp = PlanType(types[p], split[p], lambda, options_, false, false);
        if (!tp.best.complete) {
          unplaced.push_back(fleet.pools[p].type() + ": " + Join(tp.best.unplaced, "; "));
          unplaced_rps += tp.best.unplaced_rps;
        }
      }
      return ResourceExhaustedError(
          "does not fit on " + fleet.ToString() + " device(s): unplaced " +
          FormatDouble(unplaced_rps, 1) +
          " rps at the best split over the types: " + Join(unplaced, " | "));
    }
  }
  Plan plan;
  plan.policy = name_;
  plan.margins = options_.margins;
  plan.workload = workload.models;
  for (size_t p = 0; p < types.size(); ++p) {
    bool any = false;
    for (double r : split[p]) {
      any = any || r > 0;
    }
    if (!any) {
      continue;
    }
    TypePlan tp = PlanType(types[p], split[p], lambda, options_, false, explain != nullptr);
    if (explain) {
      const std::string prefix = several ? "[" + fleet.pools[p].type() + "] " : "";
      for (std::string& line : tp.best.explain) {
        explain->push_back(prefix + std::move(line));
      }
    }
    if (!tp.best.complete) {
      if (several) {  // cannot happen: the split found this load to fit
        return InternalError("planner " + name_ + ": the split's load for " +
                             fleet.pools[p].type() + " no longer fits");
      }
      return ResourceExhaustedError(
          "does not fit on " + std::to_string(fleet.pools[p].max_devices) + " " +
          fleet.pools[p].type() + " device(s): unplaced " + FormatDouble(tp.best.unplaced_rps, 1) +
          " rps: " + Join(tp.best.unplaced, "; "));
    }
    for (PlannedDevice& d : tp.best.devices) {
      d.id = static_cast<int>(plan.devices.size());
      plan.devices.push_back(std::move(d));
    }
  }
  // Every plan is checked independently before it leaves the planner.
  PlanChecker checker(fleet.Profiles(), options_.interference);
  CheckReport report = checker.Check(plan);
  if (!report.ok()) {
    return InternalError("planner " + name_ +
                         " produced an invalid plan: " + Join(report.violations, "; "));
  }
  return plan;
}

}  // namespace glet::sched
