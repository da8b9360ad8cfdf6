#include "sched/optimal_planner.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <optional>
#include <tuple>

#include "core/strings.h"
#include "sched/glet_fit.h"
#include "sched/model_table.h"
#include "sched/plan_checker.h"

namespace glet::sched {

namespace {

constexpr double kCapStep = 0.01;
constexpr double kMaxCap = 2.0;

// One glet of a device configuration, at capacity.
struct UnitGlet {
  int partition = 0;
  int unit = 0;               // index into Search::units_
  double cap = 1;             // slow-down it is sized for
  std::vector<double> rates;  // per member of the unit, rps at capacity
  GletShape shape;
};

struct Config {
  std::vector<UnitGlet> glets;
  std::vector<double> value;  // per model: capacity / demand
};

class Search {
 public:
  Search(const std::vector<ModelTable>& tables, const perf::DeviceProfile& profile,
         const LambdaTable& lambda, const PlannerOptions& options)
      : tables_(tables), profile_(profile), lambda_(lambda), options_(options) {
    const int n = static_cast<int>(tables.size());
    for (int mask = 1; mask < (1 << n); ++mask) {
      int bits = __builtin_popcount(mask);
      if (n <= 4 || bits <= 2 || mask == (1 << n) - 1) {
        units_.push_back(mask);
      }
    }
    with_int_ = options.interference && profile.interference.has_value();
  }

  std::vector<Config> Configs() {
    std::vector<Config> out;
    std::vector<int> parts = options_.partitions;
    std::vector<std::vector<int>> multisets;
    std::vector<int> cur;
    // Beyond 4 models the units multiply: keep the enumeration tractable.
    const int max_glets = tables_.size() <= 4 ? kOptimalMaxGletsPerDevice : 3;
    std::function<void(size_t, int)> gen = [&](size_t start, int sum) {
      if (!cur.empty()) {
        multisets.push_back(cur);
      }
      if (static_cast<int>(cur.size()) == max_glets) {
        return;
      }
      for (size_t i = start; i < parts.size(); ++i) {
        if (sum + parts[i] <= 100) {
          cur.push_back(parts[i]);
          gen(i, sum + parts[i]);
          cur.pop_back();
        }
      }
    };
    gen(0, 0);
    for (const std::vector<int>& ms : multisets) {
      std::vector<int> assign(ms.size(), 0);
      std::function<void(size_t)> pick = [&](size_t j) {
        if (j == ms.size()) {
          if (auto c = Evaluate(ms, assign)) {
            out.push_back(std::move(*c));
          }
          return;
        }
        // Equal partitions take non-decreasing units (no duplicate orderings).
        size_t first = (j > 0 && ms[j] == ms[j - 1]) ? assign[j - 1] : 0;
        for (size_t u = first; u < units_.size(); ++u) {
          assign[j] = static_cast<int>(u);
          pick(j + 1);
        }
      };
      pick(0);
    }
    return out;
  }

  const std::vector<int>& units() const { return units_; }

 private:
  std::vector<int> Members(int unit) const {
    std::vector<int> m;
    for (size_t i = 0; i < tables_.size(); ++i) {
      if (units_[unit] & (1 << i)) {
        m.push_back(static_cast<int>(i));
      }
    }
    return m;
  }

  // The unit at capacity on `partition` under slow-down `cap` (cached on the cap grid).
  std::optional<UnitGlet> Sized(int partition, int unit, double cap) {
    auto key = std::make_tuple(partition, unit, static_cast<int>(std::lround(cap / kCapStep)));
    auto it = cache_.find(key);
    if (it != cache_.end()) {
      return it->second;
    }
    std::optional<UnitGlet> out;
    std::vector<int> members = Members(unit);
    bool all_have = true;
    for (int m : members) {
      all_have = all_have && tables_[m].HasPartition(partition);
    }
    if (all_have && members.size() == 1) {
      const ModelTable& t = tables_[members[0]];
      SaturatedGlet s = t.Saturated(partition, cap, lambda_);
      if (s.batch > 0) {
        UnitGlet g{partition, unit, cap, {s.rate_rps}, {}};
        g.shape = GletShape{s.exec_ms, 1, {s.batch}, {s.exec_ms}};
        out = g;
      }
    } else if (all_have) {
      auto fit = [&](double t) {
        std::vector<FitMember> fm;
        for (int m : members) {
          fm.push_back(FitMember{&tables_[m], t * tables_[m].demand().rate_rps});
        }
        return FitGlet(fm, partition, cap, lambda_, options_.prune_fits);
      };
      double hi = 1e300;
      for (int m : members) {
        hi = std::min(
            hi, 1000 * tables_[m].BatchesPerMs(partition) / cap / tables_[m].demand().rate_rps);
      }
      double lo = 0;
      std::optional<GletShape> best;
      for (int i = 0; i < 40 && hi - lo > 1e-6 * hi; ++i) {
        double mid = 0.5 * (lo + hi);
        if (auto s = fit(mid)) {
          lo = mid;
          best = s;
        } else {
          hi = mid;
        }
      }
      if (best && lo > 0) {
        UnitGlet g{partition, unit, cap, {}, *best};
        for (int m : members) {
          g.rates.push_back(lo * tables_[m].demand().rate_rps);
        }
        out = g;
      }
    }
    cache_.emplace(key, out);
    return out;
  }

  double Pressure(const UnitGlet& g, double perf::UtilSample::*field) const {
    double p = 0;
    std::vector<int> members = Members(g.unit);
    for (size_t i = 0; i < members.size(); ++i) {
      p = std::max(p, tables_[members[i]].Util(g.shape.batches[i]).*field);
    }
    return p * g.partition / 100.0;
  }

  std::optional<Config> Evaluate(const std::vector<int>& parts, const std::vector<int>& units) {
    const size_t k = parts.size();
    std::vector<double> caps(k, 1.0);
    std::vector<UnitGlet> glets(k);
    for (int iter = 0; iter < 12; ++iter) {
      for (size_t j = 0; j < k; ++j) {
        auto g = Sized(parts[j], units[j], parts[j] >= 100 ? 1.0 : caps[j]);
        if (!g) {
          return std::nullopt;
        }
        glets[j] = *g;
      }
      if (!with_int_ || k == 1) {
        break;
      }
      double l2 = 0;
      double dram = 0;
      for (const UnitGlet& g : glets) {
        l2 += Pressure(g, &perf::UtilSample::l2);
        dram += Pressure(g, &perf::UtilSample::dram);
      }
      bool agree = true;
      for (size_t j = 0; j < k; ++j) {
        const UnitGlet& g = glets[j];
        perf::GletLoad rest{perf::UtilSample{0, l2 - Pressure(g, &perf::UtilSample::l2),
                                             dram - Pressure(g, &perf::UtilSample::dram)},
                            100};
        std::vector<int> members = Members(g.unit);
        double worst = 1;
        for (size_t i = 0; i < members.size(); ++i) {
          perf::GletLoad me{tables_[members[i]].Util(g.shape.batches[i]), g.partition};
          worst = std::max(worst, profile_.interference->Alpha(me, {rest}));
        }
        if (worst > g.cap * (1 + 1e-9)) {
          agree = false;
          caps[j] = std::ceil(worst / kCapStep - 1e-9) * kCapStep;
          if (caps[j] > kMaxCap) {
            return std::nullopt;
          }
        }
      }
      if (agree) {
        break;
      }
      if (iter == 11) {
        return std::nullopt;
      }
    }
    Config c;
    c.value.assign(tables_.size(), 0);
    double mem = 0;
    double net = 0;
    for (const UnitGlet& g : glets) {
      mem += profile_.context_mem_mib;
      std::vector<int> members = Members(g.unit);
      for (size_t i = 0; i < members.size(); ++i) {
        const ModelTable& t = tables_[members[i]];
        mem += t.mem_mib();
        net += g.rates[i] * t.input_bytes();
        c.value[members[i]] += g.rates[i] / t.demand().rate_rps;
      }
    }
    if (mem > profile_.mem_mib + 1e-9) {
      return std::nullopt;
    }
    if (profile_.net_mbps > 0 && net > profile_.net_mbps * 1e6) {
      // Capacity beyond the network is unusable: scale this device's rates down to the limit.
      double f = profile_.net_mbps * 1e6 / net;
      for (UnitGlet& g : glets) {
        for (double& r : g.rates) {
          r *= f;
        }
      }
      for (double& v : c.value) {
        v *= f;
      }
    }
    c.glets = std::move(glets);
    return c;
  }

  const std::vector<ModelTable>& tables_;
  const perf::DeviceProfile& profile_;
  const LambdaTable& lambda_;
  const PlannerOptions& options_;
  bool with_int_ = false;
  std::vector<int> units_;
  std::map<std::tuple<int, int, int>, std::optional<UnitGlet>> cache_;
};

// Keeps configurations no other one dominates (>= on every model, > on one).
std::vector<Config> Pareto(std::vector<Config> all) {
  std::sort(all.begin(), all.end(), [](const Config& a, const Config& b) {
    double sa = 0;
    double sb = 0;
    for (double v : a.value) sa += v;
    for (double v : b.value) sb += v;
    return sa > sb;
  });
  std::vector<Config> kept;
  for (Config& c : all) {
    bool dominated = false;
    for (const Config& k : kept) {
      bool ge = true;
      for (size_t m = 0; m < c.value.size() && ge; ++m) {
        ge = k.value[m] >= c.value[m] - 1e-12;
      }
      if (ge) {
        dominated = true;
        break;
      }
    }
    if (!dominated) {
      kept.push_back(std::move(c));
    }
  }
  return kept;
}

struct Best {
  double scale = 0;
  std::vector<int> choice;
};

void Dfs(const std::vector<Config>& configs, const std::vector<double>& best_v, size_t start,
         int left, std::vector<double>& sum, std::vector<int>& choice, Best& best) {
  double now = *std::min_element(sum.begin(), sum.end());
  if (now > best.scale) {
    best.scale = now;
    best.choice = choice;
  }
  if (left == 0) {
    return;
  }
  double bound = 1e300;
  for (size_t m = 0; m < sum.size(); ++m) {
    bound = std::min(bound, sum[m] + left * best_v[m]);
  }
  if (bound <= best.scale * (1 + 1e-12)) {
    return;
  }
  for (size_t c = start; c < configs.size(); ++c) {
    for (size_t m = 0; m < sum.size(); ++m) {
      sum[m] += configs[c].value[m];
    }
    choice.push_back(static_cast<int>(c));
    Dfs(configs, best_v, c, left - 1, sum, choice, best);
    choice.pop_back();
    for (size_t m = 0; m < sum.size(); ++m) {
      sum[m] -= configs[c].value[m];
    }
  }
}

}  // namespace

OptimalPlanner::OptimalPlanner(PlannerOptions options) : options_(std::move(options)) {
  std::sort(options_.partitions.begin(), options_.partitions.end());
  options_.partitions.erase(std::unique(options_.partitions.begin(), options_.partitions.end()),
                            options_.partitions.end());
}

Result<std::pair<double, Plan>> OptimalPlanner::PeakScale(const Workload& workload,
                                                          const Fleet& fleet) const {
  GLET_RETURN_IF_ERROR(fleet.RequireOneType(name()));
  GLET_RETURN_IF_ERROR(workload.Validate("workload"));
  const int max_devices = fleet.pools.front().max_devices;
  if (static_cast<int>(workload.models.size()) > kOptimalMaxModels) {
    return InvalidArgumentError("--policy optimal: at most " + std::to_string(kOptimalMaxModels) +
                                " models (got " + std::to_string(workload.models.size()) + ")");
  }
  const int devices = std::min(max_devices, kOptimalMaxDevices);
  if (max_devices > kOptimalMaxDevices && max_devices < 1000) {
    return InvalidArgumentError("--policy optimal: at most " + std::to_string(kOptimalMaxDevices) +
                                " devices (got " + std::to_string(max_devices) + ")");
  }
  const perf::DeviceProfile& profile = *fleet.pools.front().profile;
  const bool with_int = options_.interference && profile.interference.has_value();
  GLET_ASSIGN_OR_RETURN(
      WorkloadTables wt,
      BuildWorkloadTables(workload, profile, options_.partitions, options_.margins, with_int));
  const std::vector<ModelTable>& tables = wt.tables;
  LambdaTable lambda(wt.max_batch, options_.margins);
  Search search(tables, profile, lambda, options_);
  std::vector<Config> configs = Pareto(search.Configs());
  if (configs.empty()) {
    return ResourceExhaustedError("optimal: no device configuration serves any model");
  }
  std::vector<double> best_v(tables.size(), 0);
  for (const Config& c : configs) {
    for (size_t m = 0; m < best_v.size(); ++m) {
      best_v[m] = std::max(best_v[m], c.value[m]);
    }
  }
  Best best;
  std::vector<double> sum(tables.size(), 0);
  std::vector<int> choice;
  Dfs(configs, best_v, 0, devices, sum, choice, best);
  if (best.scale <= 0) {
    return ResourceExhaustedError("optimal: no combination of " + std::to_string(devices) +
                                  " device(s) serves every model");
  }
  // The plan at the peak: each model's demand split over its glets in proportion to capacity.
  const double s = best.scale;
  std::vector<double> cap_total(tables.size(), 0);
  for (int c : best.choice) {
    for (size_t m = 0; m < tables.size(); ++m) {
      cap_total[m] += configs[c].value[m];
    }
  }
  Plan plan;
  plan.policy = "optimal";
  plan.margins = options_.margins;
  plan.workload = workload.Scaled(s).models;
  int id = 0;
  for (int c : best.choice) {
    PlannedDevice d{id++, profile.type, profile.mem_mib, {}};
    for (const UnitGlet& g : configs[c].glets) {
      PlannedGlet pg;
      pg.partition = g.partition;
      pg.duty_ms = g.shape.duty_ms;
      int i = 0;
      double total = 0;
      std::vector<double> slos;
      for (size_t m = 0; m < tables.size(); ++m) {
        if (!(search.units()[g.unit] & (1 << m))) {
          continue;
        }
        const ModelTable& t = tables[m];
        PlannedModel pm;
        pm.model = t.model();
        pm.batch = g.shape.batches[i];
        double share = g.rates[i] / t.demand().rate_rps / cap_total[m];
        pm.rate_rps = std::min(g.rates[i], s * t.demand().rate_rps * share);
        pm.alpha = g.shape.exec_ms[i] / t.EffMs(g.partition, pm.batch);
        pm.exec_ms = g.shape.exec_ms[i];
        total += pm.exec_ms;
        pg.models.push_back(pm);
        slos.push_back(t.slo_ms());
        ++i;
      }
      pg.occupancy = total / pg.duty_ms;
      SetLatencyAndCapacity(pg, slos, lambda);
      d.glets.push_back(std::move(pg));
    }
    plan.devices.push_back(std::move(d));
  }
  // Rounding: the split may leave a hair unplaced; shave the scale so every model is placed.
  double placed_min = 1e300;
  for (const ModelDemand& dm : plan.workload) {
    placed_min = std::min(placed_min, plan.PlacedRate(dm.model) / dm.rate_rps);
  }
  if (placed_min < 1) {
    for (ModelDemand& dm : plan.workload) {
      dm.rate_rps *= placed_min;
    }
  }
  PlanChecker checker({{profile.type, &profile}}, with_int);
  CheckReport report = checker.Check(plan);
  if (!report.ok()) {
    return InternalError("optimal produced an invalid plan: " + report.violations.front());
  }
  return std::make_pair(s * std::min(1.0, placed_min), std::move(plan));
}

Result<Plan> OptimalPlanner::MakePlan(const Workload& workload, const Fleet& fleet,
                                      std::vector<std::string>* explain) const {
  GLET_ASSIGN_OR_RETURN(auto peak, PeakScale(workload, fleet));
  if (peak.first < 1 - 1e-9) {
    return ResourceExhaustedError("does not fit on " +
                                  std::to_string(fleet.pools.front().max_devices) + " " +
                                  fleet.pools.front().type() + " device(s): the optimum serves " +
                                  FormatDouble(peak.first * 100, 1) + "% of the rates");
  }
  // Scale the peak plan back to the demanded rates (a plan for more load serves less).
  Plan plan = std::move(peak.second);
  for (PlannedDevice& d : plan.devices) {
    for (PlannedGlet& g : d.glets) {
      for (PlannedModel& m : g.models) {
        m.rate_rps /= peak.first;
      }
    }
  }
  plan.workload = workload.models;
  if (explain) {
    explain->push_back("optimal: exhaustive search; the chosen devices serve " +
                       FormatDouble(peak.first, 3) + "x the demanded rates");
  }
  // Drop unused devices (the search fills every device it may use).
  return plan;
}

}  // namespace glet::sched
