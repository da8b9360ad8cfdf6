#include "sched/plan_checker.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "core/strings.h"

namespace glet::sched {

namespace {

constexpr double kTol = 1e-6;

std::string F(double v) { return FormatDouble(v, 3); }

}  // namespace

PlanChecker::PlanChecker(std::map<std::string, const perf::DeviceProfile*> profiles,
                         bool interference)
    : profiles_(std::move(profiles)), interference_(interference) {}

CheckReport PlanChecker::Check(const Plan& plan) const {
  CheckReport report;
  auto add = [&](const std::string& s) { report.violations.push_back(s); };
  if (Status s = plan.margins.Validate(); !s.ok()) {
    add("margins: " + s.message());
    return report;
  }
  std::map<std::string, const ModelDemand*> demand;
  for (const ModelDemand& d : plan.workload) {
    demand[d.model] = &d;
  }
  std::map<std::string, double> placed;
  std::set<int> ids;
  for (const PlannedDevice& dev : plan.devices) {
    const std::string dw = "device " + std::to_string(dev.id);
    if (!ids.insert(dev.id).second) {
      add(dw + ": duplicate device id");
    }
    auto pit = profiles_.find(dev.type);
    if (pit == profiles_.end()) {
      add(dw + ": unknown device type '" + dev.type + "'");
      continue;
    }
    const perf::DeviceProfile& prof = *pit->second;
    int part_sum = 0;
    double mem = 0;
    double net = 0;
    for (const PlannedGlet& g : dev.glets) {
      part_sum += g.partition;
      mem += prof.context_mem_mib;
      for (const PlannedModel& m : g.models) {
        Result<double> mm = prof.ModelMemMib(m.model);
        if (!mm.ok()) {
          add(dw + ": " + mm.status().message());
        } else {
          mem += *mm;
        }
        net += m.rate_rps * prof.InputBytes(m.model);
      }
    }
    if (part_sum > 100) {
      add(dw + ": partitions sum to " + std::to_string(part_sum) + "% (> 100%)");
    }
    const double dev_mem = std::min(dev.mem_mib, prof.mem_mib);
    if (dev.mem_mib > prof.mem_mib) {
      add(dw + ": mem_mib " + F(dev.mem_mib) + " exceeds the " + prof.type + "'s " +
          F(prof.mem_mib) + " MiB");
    }
    if (mem > dev_mem * (1 + kTol)) {
      add(dw + ": memory " + F(mem) + " MiB (models + " + F(prof.context_mem_mib) +
          " MiB per glet) exceeds " + F(dev_mem) + " MiB");
    }
    if (prof.net_mbps > 0 && net > prof.net_mbps * 1e6 * (1 + kTol)) {
      add(dw + ": input traffic " + F(net / 1e6) + " MB/s exceeds the network limit " +
          F(prof.net_mbps) + " MB/s");
    }
    // Interference loads: each glet as a neighbour counts with its most demanding model.
    const bool with_int = interference_ && prof.interference.has_value();
    std::vector<perf::GletLoad> loads(dev.glets.size());
    bool loads_ok = true;
    if (with_int) {
      for (size_t gi = 0; gi < dev.glets.size(); ++gi) {
        loads[gi].partition = dev.glets[gi].partition;
        for (const PlannedModel& m : dev.glets[gi].models) {
          Result<perf::UtilSample> u = prof.Util(m.model, m.batch);
          if (!u.ok()) {
            add(dw + ": " + u.status().message());
            loads_ok = false;
            continue;
          }
          loads[gi].util.l2 = std::max(loads[gi].util.l2, u->l2);
          loads[gi].util.dram = std::max(loads[gi].util.dram, u->dram);
        }
      }
    }
    for (size_t gi = 0; gi < dev.glets.size(); ++gi) {
      const PlannedGlet& g = dev.glets[gi];
      const std::string gw =
          dw + " glet " + std::to_string(gi) + " (" + std::to_string(g.partition) + "%)";
      if (!(g.duty_ms > 0)) {
        add(gw + ": duty_ms must be > 0");
        continue;
      }
      std::vector<perf::GletLoad> others;
      for (size_t h = 0; h < dev.glets.size(); ++h) {
        if (h != gi) {
          others.push_back(loads[h]);
        }
      }
      // Pass 1: each model's execution with its slow-down; pass 2 checks each model against the
      // latency bound, which in a shared glet involves every member's batch.
      struct Checked {
        const PlannedModel* m;
        const ModelDemand* d;
        double exec;
        double alpha;
      };
      std::vector<Checked> checked;
      double total_exec = 0;
      for (const PlannedModel& m : g.models) {
        const std::string mw = gw + " model " + m.model;
        placed[m.model] += m.rate_rps;
        auto dit = demand.find(m.model);
        if (dit == demand.end()) {
          add(mw + ": model is not in the plan's workload");
          continue;
        }
        const ModelDemand& d = *dit->second;
        if (m.batch < 1 || m.batch > d.max_batch) {
          add(mw + ": batch " + std::to_string(m.batch) + " outside 1.." +
              std::to_string(d.max_batch));
          continue;
        }
        Result<double> lat = prof.LatencyMs(m.model, g.partition, m.batch);
        if (!lat.ok()) {
          add(mw + ": " + lat.status().message());
          continue;
        }
        double eff = *lat * plan.margins.latency_ratio +
                     (plan.margins.batch_cost ? prof.BatchCostMs(m.model, m.batch) : 0.0);
        double alpha = 1;
        if (with_int && loads_ok) {
          Result<perf::UtilSample> u = prof.Util(m.model, m.batch);
          if (u.ok()) {
            alpha = prof.interference->Alpha(perf::GletLoad{*u, g.partition}, others);
          }
        }
        double exec = eff * alpha;
        total_exec += exec;
        checked.push_back(Checked{&m, &d, exec, alpha});
      }
      for (const Checked& c : checked) {
        const PlannedModel& m = *c.m;
        const ModelDemand& d = *c.d;
        const std::string mw = gw + " model " + m.model;
        double latency = LatencyBoundMs(g, c.exec, total_exec);
        if (latency > d.slo_ms * (1 + kTol)) {
          add(mw + ": latency " + F(latency) + " ms (duty " + F(g.duty_ms) + " + batch " +
              std::to_string(m.batch) + " " + F(c.exec) + " ms with slow-down " + F(c.alpha) +
              (g.models.size() > 1 ? " + the other models' batches " + F(total_exec - c.exec) +
                                         " ms it may queue behind"
                                   : std::string()) +
              ") exceeds slo_ms " + F(d.slo_ms));
        }
        if (m.expected_latency_ms + kTol < latency * (1 - kTol)) {
          add(mw + ": stated expected_latency_ms " + F(m.expected_latency_ms) +
              " understates the recomputed " + F(latency));
        }
        double mean = m.rate_rps * g.duty_ms / 1000.0;
        int slack = SlackCycles(d.slo_ms, latency - g.duty_ms, g.duty_ms);
        double max_mean = MaxMeanArrivals(plan.margins, m.batch, std::max(0, slack));
        if (mean * (1 - kTol) > max_mean * (1 + 1e-9)) {
          bool burst = plan.margins.poisson_quantile > 0 || plan.margins.burst_miss > 0;
          add(mw + ": batch " + std::to_string(m.batch) + " cannot absorb " + F(m.rate_rps) +
              " rps over a " + F(g.duty_ms) + " ms cycle (" + F(mean) + " arrivals per cycle" +
              (burst ? "; at most " + F(max_mean) + " with the plan's burst margins and " +
                           std::to_string(std::max(0, slack)) + " slack cycles"
                     : "") +
              ")");
        }
      }
      if (total_exec > g.duty_ms * (1 + kTol)) {
        add(gw + ": batches take " + F(total_exec) + " ms, more than the duty cycle " +
            F(g.duty_ms) + " ms");
      }
    }
  }
  for (const ModelDemand& d : plan.workload) {
    double p = placed.count(d.model) ? placed[d.model] : 0;
    if (p < d.rate_rps * (1 - kTol)) {
      add("model " + d.model + ": placed " + F(p) + " of " + F(d.rate_rps) + " rps");
    }
  }
  return report;
}

}  // namespace glet::sched
